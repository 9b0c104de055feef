/* tinyengine: TRANSPOSE_CONV (int8 per-channel, int16x8, float32).
 *
 * LiteRT's reference kernels (reference_integer_ops::TransposeConv, reference_ops::TransposeConv)
 * scatter every input pixel into an accumulator per output element, then add the bias and
 * requantize. Here each output element gathers its contributions instead: input rows
 * iy = (oy + pad_top - ky) / stride_h for the taps ky that divide, in ascending (iy, ix, ic)
 * order, which is the order the scatter adds them in, so even the float sums are the same.
 * Filters are OHWI as TFLite stores them; the padding is LiteRT's (computed from the output size).
 */
#ifndef TINYENGINE_TE_TRANSPOSE_CONV_H
#define TINYENGINE_TE_TRANSPOSE_CONV_H

#include "tinyengine/te_common.h"
#include "tinyengine/te_conv.h" /* te_requant_per_channel */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t input_offset;   /* -input zero point (int8) */
    int32_t output_offset;  /* output zero point (int8) */
    int32_t act_min, act_max;
} te_transpose_conv_params;

/* int8: sums of (x + input_offset) * w in int32, + bias, MultiplyByQuantizedMultiplier,
 * + output_offset, clamp. */
void te_transpose_conv2d_s8(const te_transpose_conv_params *p, const te_requant_per_channel *rq,
                            const int8_t *input, const int8_t *filter, int8_t *output);

/* int16x8: sums of x * w (int64, or int32 with an int32 bias), requantized as te_conv2d_s16. */
void te_transpose_conv2d_s16(const te_transpose_conv_params *p, const te_requant_s16 *rq,
                             const int16_t *input, const int8_t *filter, int16_t *output);

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    float act_min, act_max;
} te_transpose_conv_f32_params;

/* float32: float sums in the reference's order, + bias (may be NULL), clamp. */
void te_transpose_conv2d_f32(const te_transpose_conv_f32_params *p, const float *bias, const float *input,
                             const float *filter, float *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_TRANSPOSE_CONV_H */
