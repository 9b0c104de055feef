/* tinyengine: DEPTHWISE_CONV_2D kernels.
 *
 * The portable path reproduces LiteRT's reference kernels bit for bit:
 *  - int8:  reference_integer_ops::DepthwiseConvPerChannel (filter offset 0, per-channel
 *           MultiplyByQuantizedMultiplier, double rounding);
 *  - uint8: reference_ops::DepthwiseConv (DepthwiseConvBasicKernel<kAwayFromZero>::Run), which
 *           the generator feeds in int8 storage (values and zero points - 128, exact for this
 *           arithmetic) with the legacy filter offset and one multiplier broadcast to all channels.
 * Per output value: acc = sum over in-image taps of (w + filter_offset) * (x + input_offset),
 * padded taps skipped, + bias, MultiplyByQuantizedMultiplier, + output offset, clamp.
 * Accumulation is in int32 like the reference; the sum order does not change the result.
 *
 * The work is organised per output channel (te_depthwise_conv2d_s8_channel), which touches only
 * its own input channel: the hook an in-place variant (one-channel temporary plane) builds on.
 */
#include "tinyengine/te_depthwise.h"

/* First and one-past-last filter tap t with 0 <= origin + dil * t < size. */
TE_INLINE void te_dw_tap_range(int32_t origin, int32_t dil, int32_t size, int32_t taps,
                               int32_t *first, int32_t *last)
{
    int32_t lo = 0;
    int32_t hi;
    if (origin < 0) {
        lo = (-origin + dil - 1) / dil;
    }
    if (size - 1 - origin < 0) {
        hi = 0;
    } else {
        hi = (size - 1 - origin) / dil + 1;
    }
    if (hi > taps) {
        hi = taps;
    }
    *first = lo;
    *last = hi > lo ? hi : lo;
}

static void te_dw_channel_portable(const te_dw_params *p, const te_requant_per_channel *rq,
                                   const int8_t *input, const int8_t *filter, int32_t oc,
                                   int8_t *out, int32_t out_pixel_stride)
{
    const int32_t ic = oc / p->depth_mult;
    const int32_t multiplier = rq->multiplier[oc];
    const int32_t shift = rq->shift[oc];
    const int32_t bias = rq->bias ? rq->bias[oc] : 0;
    const int32_t input_offset = p->input_offset;
    const int32_t filter_offset = p->filter_offset;
    const size_t in_row = (size_t)p->in_w * (size_t)p->in_c;
    const size_t x_step = (size_t)p->dil_w * (size_t)p->in_c;
    const size_t w_step = (size_t)p->out_c;
    const int8_t *x_c = input + ic;
    const int8_t *w_c = filter + oc;
    int32_t oy, ox, ky, kx;
    for (oy = 0; oy < p->out_h; ++oy) {
        const int32_t in_y0 = oy * p->stride_h - p->pad_top;
        int32_t ky0, ky1;
        te_dw_tap_range(in_y0, p->dil_h, p->in_h, p->k_h, &ky0, &ky1);
        for (ox = 0; ox < p->out_w; ++ox) {
            const int32_t in_x0 = ox * p->stride_w - p->pad_left;
            int32_t kx0, kx1;
            int32_t acc = 0;
            te_dw_tap_range(in_x0, p->dil_w, p->in_w, p->k_w, &kx0, &kx1);
            for (ky = ky0; ky < ky1 && kx0 < kx1; ++ky) {
                const int32_t in_y = in_y0 + p->dil_h * ky;
                const int8_t *x = x_c + (size_t)in_y * in_row + (size_t)(in_x0 + p->dil_w * kx0) * p->in_c;
                const int8_t *w = w_c + ((size_t)ky * p->k_w + kx0) * w_step;
                for (kx = kx0; kx < kx1; ++kx) {
                    acc += ((int32_t)*w + filter_offset) * ((int32_t)*x + input_offset);
                    x += x_step;
                    w += w_step;
                }
            }
            acc += bias;
            acc = te_multiply_by_quantized_multiplier(acc, multiplier, shift);
            acc += p->output_offset;
            out[((size_t)oy * p->out_w + ox) * (size_t)out_pixel_stride] =
                (int8_t)te_clamp_i32(acc, p->act_min, p->act_max);
        }
    }
}

void te_depthwise_conv2d_s8_channel(const te_dw_params *p, const te_requant_per_channel *rq,
                                    const int8_t *input, const int8_t *filter, int32_t oc,
                                    int8_t *out, int32_t out_pixel_stride)
{
#if defined(TE_USE_MVE)
    /* Helium path: to be written; must match te_dw_channel_portable byte for byte. */
#elif defined(TE_USE_DSP)
    /* Cortex-M DSP (SMLAD) path: to be written; must match te_dw_channel_portable byte for byte. */
#endif
    te_dw_channel_portable(p, rq, input, filter, oc, out, out_pixel_stride);
}

void te_depthwise_conv2d_s8(const te_dw_params *p, const te_requant_per_channel *rq,
                            const int8_t *input, const int8_t *filter, int8_t *output)
{
    const size_t in_batch = (size_t)p->in_h * p->in_w * p->in_c;
    const size_t out_batch = (size_t)p->out_h * p->out_w * p->out_c;
    int32_t b, oc;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_batch;
        int8_t *out_b = output + (size_t)b * out_batch;
        for (oc = 0; oc < p->out_c; ++oc) {
            te_depthwise_conv2d_s8_channel(p, rq, in_b, filter, oc, out_b + oc, p->out_c);
        }
    }
}
