/* tinyengine: element-wise binary ops (ADD).
 *
 * The portable path follows TFLite's reference_integer_ops::AddFunc arithmetic exactly
 * (offset, << left_shift, per-input MultiplyByQuantizedMultiplierSmallerThanOneExp, sum,
 * output rescale, + output zero point, clamp). The element order does not matter for the
 * result; the broadcast walk is the generator's simplified shape (te_broadcast_shape).
 */
#include "tinyengine/te_elementwise.h"

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

/* One innermost row: n elements, input strides 0 or 1. */
static void te_add_row(const te_add_params *p, int32_t n, const int8_t *a, int32_t sa,
                       const int8_t *b, int32_t sb, int8_t *out)
{
    int32_t i;
#if defined(TE_USE_DSP)
    /* A DSP (SMLAD / SIMD) path for the contiguous case goes here. */
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
