/* tinyengine: FULLY_CONNECTED kernels.
 *
 * LiteRT's reference sums (w + filter_offset) * (x + input_offset), adds the bias and
 * rescales once in double precision (te_requantize_fp64 replays that in integers).
 * With symmetric weights (filter_offset 0) the generator folds input_offset * sum(w)
 * into the bias, so the loop is a plain int8 dot product; int32 sums wrap
 * associatively, so the result is the same in any order.
 *
 * DSP path: two output features per pass, four taps per step with SXTB16 + SMLAD.
 */
#include "tinyengine/te_fully_connected.h"
#include "tinyengine/te_simd.h"

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

void te_fully_connected_s8(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales,
                           const int8_t *input, const int8_t *filter, int8_t *output)
{
    const int32_t depth = p->accum_depth;
    int32_t b, oc, d;
    if (!p->folded_bias) {
        fc_with_offsets(p, bias, scales, input, filter, output);
        return;
    }
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + (size_t)b * depth;
        int8_t *out = output + (size_t)b * p->out_depth;
        oc = 0;
#if defined(TE_USE_DSP)
        for (; oc + 2 <= p->out_depth; oc += 2) {
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
            out[oc] = te_fc_requantize(p, scales, a0, oc);
            out[oc + 1] = te_fc_requantize(p, scales, a1, oc + 1);
        }
#endif
        for (; oc < p->out_depth; ++oc) {
            const int8_t *w = filter + (size_t)oc * depth;
            int32_t acc = bias[oc];
            for (d = 0; d < depth; ++d) {
                acc += (int32_t)w[d] * x[d];
            }
            out[oc] = te_fc_requantize(p, scales, acc, oc);
        }
    }
}
