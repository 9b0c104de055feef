/* tinyengine: reductions on int8 tensors (MEAN). */
#ifndef TINYENGINE_TE_REDUCE_H
#define TINYENGINE_TE_REDUCE_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TE_REDUCE_MAX_DIMS 6

/* The generator splits the input's dimensions into kept ones (walked in output order) and
 * reduced ones, each with its stride in the input, and merges neighbours where it can.
 * E.g. a mean over H,W of NHWC becomes kept {N: H*W*C, C: 1}, reduced {H*W: C}. */
typedef struct {
    int32_t keep_ndim;
    int32_t keep_shape[TE_REDUCE_MAX_DIMS];
    int32_t keep_stride[TE_REDUCE_MAX_DIMS];
    int32_t red_ndim;
    int32_t red_shape[TE_REDUCE_MAX_DIMS];
    int32_t red_stride[TE_REDUCE_MAX_DIMS];
    int32_t count;              /* elements per output (product of red_shape) */
    int32_t input_zero_point;
    int32_t output_zero_point;
    /* TFLite QuantizeMultiplier(input_scale / output_scale), already folded with 1/count the way
     * reference_ops::QuantizedMeanOrSum does it (multiplier << s / count, shift - s). */
    int32_t multiplier;
    int32_t shift;
} te_mean_params;

/* LiteRT reference MEAN (reference_ops::QuantizedMeanOrSum, compute_sum = false):
 * out = clamp(MultiplyByQuantizedMultiplier(sum(x) - zp_in * count, multiplier, shift) + zp_out). */
void te_mean_s8(const te_mean_params *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_REDUCE_H */
