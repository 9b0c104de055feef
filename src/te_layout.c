/* tinyengine: data-movement kernels.
 *
 * PAD / PADV2, RESIZE_NEAREST_NEIGHBOR and TRANSPOSE only move bytes, so any loop order gives
 * the reference's result (reference_ops::Pad, ResizeNearestNeighbor, Transpose). CONCATENATION
 * copies, or for legacy uint8 inputs whose scale or zero point differ from the output's,
 * maps every byte through a table the generator computed from reference_ops::
 * ConcatenationWithScaling's float arithmetic.
 */
#include <string.h>

#include "tinyengine/te_layout.h"

void te_pad_s8(const te_pad_params *p, const int8_t *input, int8_t *output)
{
    int32_t idx[TE_LAYOUT_MAX_DIMS] = {0};
    const int32_t last = p->ndim - 1;
    const int32_t in_n = p->in_shape[last];
    const int32_t before = p->pad_before[last];
    const int32_t after = p->pad_after[last];
    const int32_t out_n = before + in_n + after;
    const int8_t value = (int8_t)p->pad_value;
    int32_t d;
    for (;;) {
        /* This output row holds input data iff every outer index is inside the input. */
        int inside = 1;
        for (d = 0; d < last; ++d) {
            if (idx[d] < p->pad_before[d] || idx[d] >= p->pad_before[d] + p->in_shape[d]) {
                inside = 0;
                break;
            }
        }
        if (inside) {
            memset(output, value, (size_t)before);
            if (output + before != input) {
                memcpy(output + before, input, (size_t)in_n);
            }
            memset(output + before + in_n, value, (size_t)after);
            input += in_n;
        } else {
            memset(output, value, (size_t)out_n);
        }
        output += out_n;
        for (d = last - 1; d >= 0; --d) {
            if (++idx[d] < p->pad_before[d] + p->in_shape[d] + p->pad_after[d]) {
                break;
            }
            idx[d] = 0;
        }
        if (d < 0) {
            return;
        }
    }
}

void te_concat_s8(const te_concat_params *p, const int32_t *copy_size, const int8_t *const *inputs,
                  const int8_t *luts, const int32_t *lut_index, int8_t *output)
{
    int32_t k, i, j;
    for (k = 0; k < p->outer; ++k) {
        for (i = 0; i < p->num_inputs; ++i) {
            const int32_t n = copy_size[i];
            const int8_t *src = inputs[i] + (size_t)k * n;
            if (lut_index != NULL && lut_index[i] >= 0) {
                const int8_t *lut = luts + lut_index[i];
                for (j = 0; j < n; ++j) {
                    output[j] = lut[(int32_t)src[j] + 128];
                }
            } else {
                memcpy(output, src, (size_t)n);
            }
            output += n;
        }
    }
}

void te_resize_nearest_s8(const te_resize_params *p, const int32_t *y_map, const int32_t *x_map,
                          const int8_t *input, int8_t *output)
{
    const size_t row = (size_t)p->in_w * p->depth;
    const size_t batch = (size_t)p->in_h * row;
    int32_t b, y, x;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * batch;
        for (y = 0; y < p->out_h; ++y) {
            const int8_t *in_row = in_b + (size_t)y_map[y] * row;
            for (x = 0; x < p->out_w; ++x) {
                memcpy(output, in_row + (size_t)x_map[x] * p->depth, (size_t)p->depth);
                output += p->depth;
            }
        }
    }
}

void te_transpose_s8(const te_transpose_params *p, const int8_t *input, int8_t *output)
{
    int32_t idx[TE_LAYOUT_MAX_DIMS] = {0};
    const int32_t last = p->ndim - 1;
    const int32_t n = p->shape[last];
    const int32_t stride = p->in_stride[last];
    size_t off = 0;
    int32_t d, i;
    for (;;) {
        const int8_t *src = input + off;
        if (stride == 1) {
            memcpy(output, src, (size_t)n);
        } else {
            for (i = 0; i < n; ++i) {
                output[i] = src[(size_t)i * stride];
            }
        }
        output += n;
        for (d = last - 1; d >= 0; --d) {
            if (++idx[d] < p->shape[d]) {
                off += (size_t)p->in_stride[d];
                break;
            }
            idx[d] = 0;
            off -= (size_t)p->in_stride[d] * (size_t)(p->shape[d] - 1);
        }
        if (d < 0) {
            return;
        }
    }
}
