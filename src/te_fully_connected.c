/* tinyengine: FULLY_CONNECTED kernels.
 *
 * LiteRT's reference sums (w + filter_offset) * (x + input_offset), adds the bias and
 * rescales once in double precision (te_requantize_fp64 replays that in integers).
 * With symmetric weights (filter_offset 0) the generator folds input_offset * sum(w)
 * into the bias, so the loop is a plain int8 dot product; int32 sums wrap
 * associatively, so the result is the same in any order.
 *
 * Requantization, all giving te_requantize_fp64's result (which the portable path calls):
 *  - SIMD cores with a double-precision FPU (M7, M55): the reference's own arithmetic,
 *    round((double)acc * scale) with VMUL.F64 + VRINTA (both exact IEEE operations);
 *  - other SIMD cores: a 32x32-bit product with the top 32 bits of the mantissa brackets
 *    the exact value; when the bracket (widened by the double rounding's error) holds no
 *    rounding boundary, its rounding is the answer, else te_requantize_fp64 decides;
 *  - both fall back to te_requantize_fp64 for results that are not small integers.
 *
 * DSP path: two output features per pass, four taps per step with SXTB16 + SMLAD.
 * Helium path: four output features per pass, VMLADAVA over 16 taps with a
 * tail-predicated last step.
 */
#include <string.h>

#include "tinyengine/te_fully_connected.h"
#include "tinyengine/te_simd.h"

#if defined(TE_USE_MVE)
#include <arm_mve.h>
#endif

#if (defined(TE_USE_DSP) || defined(TE_USE_MVE)) && defined(__ARM_FP) && (__ARM_FP & 8) && \
    !defined(TE_EMULATE_DSP)
#define TE_FC_HW_DOUBLE 1
#endif

TE_INLINE int8_t te_fc_requantize(const te_fc_params *p, const te_fp64_scale *scales, int32_t acc, int32_t oc)
{
    acc = te_requantize_fp64(acc, scales[p->per_channel ? oc : 0]);
    acc += p->output_offset;
    return (int8_t)te_clamp_i32(acc, p->act_min, p->act_max);
}

static void fc_with_offsets(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales,
                            const int8_t *input, const int8_t *filter, int8_t *output)
{
    int32_t b, oc, d;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + (size_t)b * p->accum_depth;
        for (oc = 0; oc < p->out_depth; ++oc) {
            const int8_t *w = filter + (size_t)oc * p->accum_depth;
            int32_t acc = 0;
            for (d = 0; d < p->accum_depth; ++d) {
                acc += ((int32_t)w[d] + p->filter_offset) * ((int32_t)x[d] + p->input_offset);
            }
            if (bias) {
                acc += bias[oc];
            }
            output[(size_t)b * p->out_depth + oc] = te_fc_requantize(p, scales, acc, oc);
        }
    }
}

#if defined(TE_USE_DSP) || defined(TE_USE_MVE)

/* ---- Fast exact requantization of the SIMD paths ------------------------------------------ */

/* The rare exact fallback, kept out of line. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int32_t fc_rq_slow(int32_t acc, te_fp64_scale s)
{
    return te_requantize_fp64(acc, s);
}

#if defined(TE_FC_HW_DOUBLE)
#include <math.h>

/* The scale as the double the reference multiplies by; 0 when it is not a normal double
 * (then every output takes te_requantize_fp64). */
typedef double te_fc_rq;

TE_INLINE te_fc_rq fc_rq_setup(te_fp64_scale s)
{
    const int32_t biased = 1075 - s.exponent; /* mantissa in [2^52, 2^53): value = m * 2^-e */
    uint64_t bits;
    double d;
    if (biased < 1 || biased > 2046 || (s.mantissa >> 52) != 1) {
        return 0.0;
    }
    bits = ((uint64_t)biased << 52) | (s.mantissa & (((uint64_t)1 << 52) - 1));
    memcpy(&d, &bits, sizeof d);
    return d;
}

TE_INLINE int32_t fc_rq_apply(int32_t acc, te_fc_rq d, te_fp64_scale s)
{
    const double r = round((double)acc * d);
    if (r < 1073741824.0 && r > -1073741824.0 && d != 0.0) {
        return (int32_t)r;
    }
    return fc_rq_slow(acc, s);
}

#else

/* value = |acc| * m * 2^-e with m in [2^52, 2^53). t = |acc| * (m >> 21) brackets
 * |acc| * m / 2^21 in [t, t + |acc|); the reference's double product adds a relative error
 * of at most 2^-53, i.e. less than 2^11 units of t. With sh = e - 21 in [32, 63], if
 * t - 2^11 and t + |acc| + 2^11 round (half up, at 2^sh) to the same integer, so does the
 * reference. */
typedef struct {
    uint32_t m_hi;  /* mantissa >> 21; 0: not eligible */
    uint32_t half;  /* 2^(sh-1) as the high word (sh >= 33) ... */
    uint32_t half_lo; /* ... or the low word (sh == 32) */
    int32_t s2;     /* sh - 32 */
} te_fc_rq;

TE_INLINE te_fc_rq fc_rq_setup(te_fp64_scale s)
{
    te_fc_rq r;
    const int32_t sh = s.exponent - 21;
    r.m_hi = 0;
    r.half = 0;
    r.half_lo = 0;
    r.s2 = 0;
    if (sh >= 32 && sh <= 63 && (s.mantissa >> 52) == 1) {
        r.m_hi = (uint32_t)(s.mantissa >> 21);
        r.s2 = sh - 32;
        if (sh == 32) {
            r.half_lo = 0x80000000u;
        } else {
            r.half = (uint32_t)1 << (sh - 33);
        }
    }
    return r;
}

TE_INLINE int32_t fc_rq_apply(int32_t acc, te_fc_rq r, te_fp64_scale s)
{
    const uint32_t a = acc < 0 ? (uint32_t)0 - (uint32_t)acc : (uint32_t)acc;
    const uint64_t u = (uint64_t)a * r.m_hi + (((uint64_t)r.half << 32) | r.half_lo);
    const uint32_t q = (uint32_t)(u >> 32) >> r.s2;
    const uint32_t lo = (uint32_t)((u - 2048u) >> 32) >> r.s2;
    const uint32_t hi = (uint32_t)((u + a + 2048u) >> 32) >> r.s2;
    if (q == lo && q == hi && q < 0x40000000u && r.m_hi != 0) {
        return acc < 0 ? -(int32_t)q : (int32_t)q;
    }
    return fc_rq_slow(acc, s);
}

#endif /* TE_FC_HW_DOUBLE */

/* Requantize, offset and clamp one output. */
TE_INLINE int8_t fc_finish(const te_fc_params *p, int32_t acc, te_fc_rq r, te_fp64_scale s)
{
    acc = fc_rq_apply(acc, r, s);
    acc += p->output_offset;
    return (int8_t)te_clamp_i32(acc, p->act_min, p->act_max);
}

#endif /* TE_USE_DSP || TE_USE_MVE */

/* ---- Helium ------------------------------------------------------------------------------- */

#if defined(TE_USE_MVE)


static void fc_mve(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales,
                   const int8_t *input, const int8_t *filter, int8_t *output)
{
    const int32_t depth = p->accum_depth, out_depth = p->out_depth;
    const te_fc_rq r0 = fc_rq_setup(scales[0]);
    int32_t b, oc, j;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + (size_t)b * depth;
        int8_t *out = output + (size_t)b * out_depth;
        for (oc = 0; oc < out_depth; oc += 4) {
            const int32_t n = te_min_i32(4, out_depth - oc);
            const int8_t *w0 = filter + (size_t)oc * depth;
            const int8_t *w1 = n > 1 ? w0 + depth : w0;
            const int8_t *w2 = n > 2 ? w1 + depth : w1;
            const int8_t *w3 = n > 3 ? w2 + depth : w2;
            int32_t acc[4];
            te_mve_dot4_s8(w0, w1, w2, w3, x, depth, acc);
            for (j = 0; j < n; ++j) {
                const int32_t c = oc + j;
                const int32_t a = (int32_t)((uint32_t)acc[j] + (uint32_t)bias[c]);
                if (p->per_channel) {
                    out[c] = fc_finish(p, a, fc_rq_setup(scales[c]), scales[c]);
                } else {
                    out[c] = fc_finish(p, a, r0, scales[0]);
                }
            }
        }
    }
}

#endif /* TE_USE_MVE */

/* ---- DSP ---------------------------------------------------------------------------------- */

#if defined(TE_USE_DSP) && !defined(TE_USE_MVE)

/* Two output features per pass: per 4 taps one input word and two weight words, six SXTB16 and
 * four SMLAD (the input is expanded in registers: no scratch). */
static void fc_dsp(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales,
                   const int8_t *input, const int8_t *filter, int8_t *output)
{
    const int32_t depth = p->accum_depth, out_depth = p->out_depth;
    const int per_channel = p->per_channel;
    const te_fc_rq r0 = fc_rq_setup(scales[0]);
    int32_t b, oc, d;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + (size_t)b * depth;
        int8_t *out = output + (size_t)b * out_depth;
        for (oc = 0; oc + 2 <= out_depth; oc += 2) {
            const int8_t *w0 = filter + (size_t)oc * depth, *w1 = w0 + depth;
            int32_t a0 = bias[oc], a1 = bias[oc + 1];
            for (d = 0; d + 4 <= depth; d += 4) {
                const uint32_t v = te_read_u32(x + d);
                const uint32_t xe = te_sxtb16(v), xo = te_sxtb16_ror8(v);
                const uint32_t wa = te_read_u32(w0 + d), wb = te_read_u32(w1 + d);
                a0 = te_smlad(te_sxtb16(wa), xe, te_smlad(te_sxtb16_ror8(wa), xo, a0));
                a1 = te_smlad(te_sxtb16(wb), xe, te_smlad(te_sxtb16_ror8(wb), xo, a1));
            }
            for (; d < depth; ++d) {
                a0 += (int32_t)w0[d] * x[d];
                a1 += (int32_t)w1[d] * x[d];
            }
            if (per_channel) {
                out[oc] = fc_finish(p, a0, fc_rq_setup(scales[oc]), scales[oc]);
                out[oc + 1] = fc_finish(p, a1, fc_rq_setup(scales[oc + 1]), scales[oc + 1]);
            } else {
                out[oc] = fc_finish(p, a0, r0, scales[0]);
                out[oc + 1] = fc_finish(p, a1, r0, scales[0]);
            }
        }
        if (oc < out_depth) {
            const int8_t *w = filter + (size_t)oc * depth;
            int32_t acc = bias[oc];
            for (d = 0; d < depth; ++d) {
                acc += (int32_t)w[d] * x[d];
            }
            out[oc] = per_channel ? fc_finish(p, acc, fc_rq_setup(scales[oc]), scales[oc])
                                  : fc_finish(p, acc, r0, scales[0]);
        }
    }
}

#endif /* TE_USE_DSP && !TE_USE_MVE */

#if !defined(TE_USE_MVE) && !defined(TE_USE_DSP)
static void fc_folded_portable(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales,
                               const int8_t *input, const int8_t *filter, int8_t *output)
{
    const int32_t depth = p->accum_depth;
    int32_t b, oc, d;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + (size_t)b * depth;
        int8_t *out = output + (size_t)b * p->out_depth;
        for (oc = 0; oc < p->out_depth; ++oc) {
            const int8_t *w = filter + (size_t)oc * depth;
            int32_t acc = bias[oc];
            for (d = 0; d < depth; ++d) {
                acc += (int32_t)w[d] * x[d];
            }
            out[oc] = te_fc_requantize(p, scales, acc, oc);
        }
    }
}
#endif

void te_fully_connected_s8(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales,
                           const int8_t *input, const int8_t *filter, int8_t *output)
{
    if (!p->folded_bias) {
        fc_with_offsets(p, bias, scales, input, filter, output);
        return;
    }
#if defined(TE_USE_MVE)
    fc_mve(p, bias, scales, input, filter, output);
#elif defined(TE_USE_DSP)
    fc_dsp(p, bias, scales, input, filter, output);
#else
    fc_folded_portable(p, bias, scales, input, filter, output);
#endif
}
