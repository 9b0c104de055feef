/* tinyengine: reductions (MEAN).
 *
 * Bit-exact with LiteRT's reference_ops::QuantizedMeanOrSum for int8 (and uint8 moved to
 * int8 storage, which leaves every difference to the zero point unchanged): an int32 sum of
 * the raw values, minus zero point times count (in 64 bits, then truncated to int32 as the
 * reference's static_cast<int32_t> does), one double-rounding MultiplyByQuantizedMultiplier,
 * plus the output zero point, clamped to int8. No fused activation exists for MEAN.
 */
#include "tinyengine/te_reduce.h"

/* Sum over the reduced dimensions, starting at `base`. */
static int32_t te_reduce_sum(const te_mean_params *p, const int8_t *base)
{
    int32_t idx[TE_REDUCE_MAX_DIMS] = {0};
    const int32_t last = p->red_ndim - 1;
    const int32_t n = p->red_shape[last];
    const int32_t stride = p->red_stride[last];
    size_t off = 0;
    int32_t sum = 0;
    int32_t d, i;
    for (;;) {
        const int8_t *x = base + off;
#if defined(TE_USE_DSP)
        /* A SIMD sum for stride == 1 goes here. */
#endif
        if (stride == 1) {
            for (i = 0; i < n; ++i) {
                sum += x[i];
            }
        } else {
            for (i = 0; i < n; ++i) {
                sum += x[(size_t)i * stride];
            }
        }
        for (d = last - 1; d >= 0; --d) {
            if (++idx[d] < p->red_shape[d]) {
                off += (size_t)p->red_stride[d];
                break;
            }
            idx[d] = 0;
            off -= (size_t)p->red_stride[d] * (size_t)(p->red_shape[d] - 1);
        }
        if (d < 0) {
            return sum;
        }
    }
}

void te_mean_s8(const te_mean_params *p, const int8_t *input, int8_t *output)
{
    int32_t idx[TE_REDUCE_MAX_DIMS] = {0};
    const int64_t zp_total = (int64_t)p->input_zero_point * p->count;
    size_t off = 0;
    int32_t d;
    for (;;) {
        const int32_t sum = te_reduce_sum(p, input + off);
        const int32_t shifted = (int32_t)((int64_t)sum - zp_total);
        const int32_t out = te_multiply_by_quantized_multiplier(shifted, p->multiplier, p->shift)
                            + p->output_zero_point;
        *output++ = (int8_t)te_clamp_i32(out, -128, 127);
        for (d = p->keep_ndim - 1; d >= 0; --d) {
            if (++idx[d] < p->keep_shape[d]) {
                off += (size_t)p->keep_stride[d];
                break;
            }
            idx[d] = 0;
            off -= (size_t)p->keep_stride[d] * (size_t)(p->keep_shape[d] - 1);
        }
        if (d < 0) {
            return;
        }
    }
}
