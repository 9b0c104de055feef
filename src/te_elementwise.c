/* tinyengine: element-wise binary ops (ADD).
 *
 * The portable path follows TFLite's reference_integer_ops::AddFunc arithmetic exactly
 * (offset, << left_shift, per-input MultiplyByQuantizedMultiplierSmallerThanOneExp, sum,
 * output rescale, + output zero point, clamp). The element order does not matter for the
 * result; the broadcast walk is the generator's simplified shape (te_broadcast_shape).
 */
#include "tinyengine/te_elementwise.h"
#include "tinyengine/te_simd.h"

TE_INLINE int8_t te_add_one(const te_add_params *p, int32_t a, int32_t b)
{
    const int32_t x1 = (a + p->input1_offset) * ((int32_t)1 << p->left_shift);
    const int32_t x2 = (b + p->input2_offset) * ((int32_t)1 << p->left_shift);
    const int32_t s1 = te_multiply_by_quantized_multiplier(x1, p->input1_multiplier, p->input1_shift);
    const int32_t s2 = te_multiply_by_quantized_multiplier(x2, p->input2_multiplier, p->input2_shift);
    const int32_t raw = te_multiply_by_quantized_multiplier(s1 + s2, p->output_multiplier, p->output_shift)
                        + p->output_offset;
    return (int8_t)te_clamp_i32(raw, p->act_min, p->act_max);
}

#if defined(TE_USE_MVE)
/* Helium: four elements per vector, the same arithmetic: (x + offset) << left_shift rescaled per
 * input, summed, rescaled to the output (every shift is <= 0: te_mve_requant_r), plus the output
 * offset, clamped. A broadcast input (stride 0) is rescaled once per row. */
typedef struct {
    int32_t ls, m1, m2, off1, off2, mo, oo;
    int32x4_t r1, r2, ro, lo, hi, ca, cb;
} te_add_mve;

TE_INLINE int32x4_t te_add_mve_in(int32x4_t x, int32_t off, int32_t ls, int32_t m, int32x4_t r)
{
    return te_mve_requant_r(vshlq_r_s32(vaddq_n_s32(x, off), ls), m, r);
}

TE_INLINE int32x4_t te_add_mve_out(const te_add_mve *k, int32x4_t s1, int32x4_t s2)
{
    const int32x4_t v = vaddq_n_s32(te_mve_requant_r(vaddq_s32(s1, s2), k->mo, k->ro), k->oo);
    return vminq_s32(vmaxq_s32(v, k->lo), k->hi);
}

static void te_add_row_mve(const te_add_params *p, int32_t n, const int8_t *a, int32_t sa, const int8_t *b,
                           int32_t sb, int8_t *out)
{
    te_add_mve k;
    int32_t i;
    k.ls = p->left_shift;
    k.m1 = p->input1_multiplier;
    k.m2 = p->input2_multiplier;
    k.off1 = p->input1_offset;
    k.off2 = p->input2_offset;
    k.mo = p->output_multiplier;
    k.oo = p->output_offset;
    k.r1 = vdupq_n_s32(p->input1_shift);
    k.r2 = vdupq_n_s32(p->input2_shift);
    k.ro = vdupq_n_s32(p->output_shift);
    k.lo = vdupq_n_s32(p->act_min);
    k.hi = vdupq_n_s32(p->act_max);
    k.ca = te_add_mve_in(vdupq_n_s32(a[0]), k.off1, k.ls, k.m1, k.r1); /* a broadcast input, every lane */
    k.cb = te_add_mve_in(vdupq_n_s32(b[0]), k.off2, k.ls, k.m2, k.r2);
    if (sa && sb) {
        for (i = n >> 2; i > 0; --i, a += 4, b += 4, out += 4) {
            vstrbq_s32(out, te_add_mve_out(&k, te_add_mve_in(vldrbq_s32(a), k.off1, k.ls, k.m1, k.r1),
                                            te_add_mve_in(vldrbq_s32(b), k.off2, k.ls, k.m2, k.r2)));
        }
    } else if (sa) {
        for (i = n >> 2; i > 0; --i, a += 4, out += 4) {
            vstrbq_s32(out, te_add_mve_out(&k, te_add_mve_in(vldrbq_s32(a), k.off1, k.ls, k.m1, k.r1), k.cb));
        }
    } else if (sb) {
        for (i = n >> 2; i > 0; --i, b += 4, out += 4) {
            vstrbq_s32(out, te_add_mve_out(&k, k.ca, te_add_mve_in(vldrbq_s32(b), k.off2, k.ls, k.m2, k.r2)));
        }
    }
    if (n & 3) { /* the last 1-3 (or a row of broadcast inputs only) */
        const mve_pred16_t pr = vctp32q((uint32_t)(n & 3));
        const int32x4_t s1 = sa ? te_add_mve_in(vldrbq_z_s32(a, pr), k.off1, k.ls, k.m1, k.r1) : k.ca;
        const int32x4_t s2 = sb ? te_add_mve_in(vldrbq_z_s32(b, pr), k.off2, k.ls, k.m2, k.r2) : k.cb;
        vstrbq_p_s32(out, te_add_mve_out(&k, s1, s2), pr);
    }
}
#endif

/* One innermost row: n elements, input strides 0 or 1. */
static void te_add_row(const te_add_params *p, int32_t n, const int8_t *a, int32_t sa,
                       const int8_t *b, int32_t sb, int8_t *out)
{
    int32_t i;
#if defined(TE_USE_MVE)
    if (sa <= 1 && sb <= 1 && (sa || sb || n <= 3)) {
        te_add_row_mve(p, n, a, sa, b, sb, out);
        return;
    }
#endif
    if (sa == 1 && sb == 1) {
        for (i = 0; i < n; ++i) {
            out[i] = te_add_one(p, a[i], b[i]);
        }
    } else if (sa == 0 && sb == 1) {
        const int32_t a0 = a[0];
        for (i = 0; i < n; ++i) {
            out[i] = te_add_one(p, a0, b[i]);
        }
    } else if (sa == 1 && sb == 0) {
        const int32_t b0 = b[0];
        for (i = 0; i < n; ++i) {
            out[i] = te_add_one(p, a[i], b0);
        }
    } else {
        for (i = 0; i < n; ++i) {
            out[i] = te_add_one(p, a[(size_t)i * sa], b[(size_t)i * sb]);
        }
    }
}

void te_add_s8(const te_add_params *p, const te_broadcast_shape *s,
               const int8_t *input1, const int8_t *input2, int8_t *output)
{
    int32_t idx[TE_ELEMENTWISE_MAX_DIMS] = {0};
    const int32_t last = s->ndim - 1;
    const int32_t n = s->shape[last];
    size_t off1 = 0, off2 = 0;
    int32_t d;
    for (;;) {
        te_add_row(p, n, input1 + off1, s->stride1[last], input2 + off2, s->stride2[last], output);
        output += n;
        /* Odometer over the outer dimensions. */
        for (d = last - 1; d >= 0; --d) {
            if (++idx[d] < s->shape[d]) {
                off1 += (size_t)s->stride1[d];
                off2 += (size_t)s->stride2[d];
                break;
            }
            idx[d] = 0;
            off1 -= (size_t)s->stride1[d] * (size_t)(s->shape[d] - 1);
            off2 -= (size_t)s->stride2[d] * (size_t)(s->shape[d] - 1);
        }
        if (d < 0) {
            return;
        }
    }
}
