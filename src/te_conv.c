/* tinyengine: CONV_2D kernels.
 *
 * The portable path follows TFLite's reference ConvPerChannel loop order and
 * arithmetic exactly (accumulate (x + input_offset) * (w + filter_offset) over the
 * window, skip padded taps, add bias, MultiplyByQuantizedMultiplier, add the
 * output zero point, clamp), so its bytes are the contract the SIMD paths are
 * tested against.
 */
#include "tinyengine/te_conv.h"

void te_conv2d_s8(const te_conv_params *p, const te_requant_per_channel *rq,
                  const int8_t *input, const int8_t *filter, int8_t *output)
{
    const int32_t groups = p->in_c / p->filter_in_c;
    const int32_t filters_per_group = p->out_c / groups;
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t in_y0 = oy * p->stride_h - p->pad_top;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t in_x0 = ox * p->stride_w - p->pad_left;
                for (oc = 0; oc < p->out_c; ++oc) {
                    const int32_t group = oc / filters_per_group;
                    const int8_t *w_oc = filter + (size_t)oc * p->k_h * p->k_w * p->filter_in_c;
                    int32_t acc = 0;
                    for (ky = 0; ky < p->k_h; ++ky) {
                        const int32_t in_y = in_y0 + p->dil_h * ky;
                        if (in_y < 0 || in_y >= p->in_h) {
                            continue;
                        }
                        for (kx = 0; kx < p->k_w; ++kx) {
                            const int32_t in_x = in_x0 + p->dil_w * kx;
                            const int8_t *x;
                            const int8_t *w;
                            if (in_x < 0 || in_x >= p->in_w) {
                                continue;
                            }
                            x = in_b + ((size_t)in_y * p->in_w + in_x) * p->in_c + group * p->filter_in_c;
                            w = w_oc + ((size_t)ky * p->k_w + kx) * p->filter_in_c;
                            for (ic = 0; ic < p->filter_in_c; ++ic) {
                                acc += ((int32_t)w[ic] + p->filter_offset) * ((int32_t)x[ic] + p->input_offset);
                            }
                        }
                    }
                    if (rq->bias) {
                        acc += rq->bias[oc];
                    }
                    acc = te_multiply_by_quantized_multiplier(acc, rq->multiplier[oc], rq->shift[oc]);
                    acc += p->output_offset;
                    *output++ = (int8_t)te_clamp_i32(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}
