/* tinyengine: reductions (MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, REDUCE_ANY, REDUCE_ALL),
 * ARG_MAX / ARG_MIN and CUMSUM.
 *
 * Type suffixes: s8 (int8, and legacy uint8 in int8 storage), s16, s32, s64, f32, b (bool). */
#ifndef TINYENGINE_TE_REDUCE_H
#define TINYENGINE_TE_REDUCE_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TE_REDUCE_MAX_DIMS 6

/* The generator splits the input's dimensions into kept ones (walked in output order) and
 * reduced ones, each with its stride in the input (in elements), and merges neighbours where it
 * can. E.g. a mean over H,W of NHWC becomes kept {N: H*W*C, C: 1}, reduced {H*W: C}. Each output
 * visits its inputs in the input's row-major order, as reference_ops::Reduce does (float sums
 * round in that order). */
typedef struct {
    int32_t keep_ndim;
    int32_t keep_shape[TE_REDUCE_MAX_DIMS];
    int32_t keep_stride[TE_REDUCE_MAX_DIMS];
    int32_t red_ndim;
    int32_t red_shape[TE_REDUCE_MAX_DIMS];
    int32_t red_stride[TE_REDUCE_MAX_DIMS];
    int32_t count;              /* elements per output (product of red_shape) */
    /* Generic reducers: 1 when every input axis is reduced; LiteRT's ReduceAllDims then starts
     * from the first element instead of the reducer's initial value (it matters for -0.0 sums,
     * -inf maxima and NaN). */
    int32_t first_init;
    /* Quantized MEAN / SUM only. */
    int32_t input_zero_point;
    int32_t output_zero_point;
    /* TFLite QuantizeMultiplier(input_scale / output_scale); for MEAN already folded with
     * 1/count the way reference_ops::QuantizedMeanOrSum does it (multiplier << s / count, shift - s). */
    int32_t multiplier;
    int32_t shift;
} te_reduce_params;

/* reference_ops::QuantizedMeanOrSum (MEAN, and SUM with the unfolded multiplier):
 * out = clamp(MultiplyByQuantizedMultiplier((int32)(sum(x) - zp_in * count), multiplier, shift) + zp_out). */
void te_mean_or_sum_s8(const te_reduce_params *p, const int8_t *input, int8_t *output);
void te_mean_or_sum_s16(const te_reduce_params *p, const int16_t *input, int16_t *output);
/* The same on uint8 values: LiteRT's reference SUM of int8 tensors runs it on the raw bytes
 * (reduce.cc passes GetTensorData<uint8_t> whatever the type), so int8 SUM reads each byte as
 * 0..255 and clamps the result to 0..255 before storing the byte. */
void te_mean_or_sum_u8(const te_reduce_params *p, const uint8_t *input, uint8_t *output);

/* reference_ops::Mean for unquantized types: a sum in the accumulator type (float, int64),
 * divided by the count (float division; C integer division truncating toward zero). */
void te_mean_f32(const te_reduce_params *p, const float *input, float *output);
void te_mean_s32(const te_reduce_params *p, const int32_t *input, int32_t *output);
void te_mean_s64(const te_reduce_params *p, const int64_t *input, int64_t *output);

/* reference_ops::ReduceGeneric: SUM and PROD wrap around on integer overflow, as
 * AddTensorValuesWithExpectedOverflow / MulTensorValuesWithExpectedOverflow do. */
void te_reduce_sum_f32(const te_reduce_params *p, const float *input, float *output);
void te_reduce_sum_s32(const te_reduce_params *p, const int32_t *input, int32_t *output);
void te_reduce_sum_s64(const te_reduce_params *p, const int64_t *input, int64_t *output);
void te_reduce_prod_f32(const te_reduce_params *p, const float *input, float *output);
void te_reduce_prod_s32(const te_reduce_params *p, const int32_t *input, int32_t *output);
void te_reduce_prod_s64(const te_reduce_params *p, const int64_t *input, int64_t *output);
void te_reduce_max_s8(const te_reduce_params *p, const int8_t *input, int8_t *output);
void te_reduce_max_s16(const te_reduce_params *p, const int16_t *input, int16_t *output);
void te_reduce_max_s32(const te_reduce_params *p, const int32_t *input, int32_t *output);
void te_reduce_max_s64(const te_reduce_params *p, const int64_t *input, int64_t *output);
void te_reduce_max_f32(const te_reduce_params *p, const float *input, float *output);
void te_reduce_max_b(const te_reduce_params *p, const uint8_t *input, uint8_t *output);
void te_reduce_min_s8(const te_reduce_params *p, const int8_t *input, int8_t *output);
void te_reduce_min_s16(const te_reduce_params *p, const int16_t *input, int16_t *output);
void te_reduce_min_s32(const te_reduce_params *p, const int32_t *input, int32_t *output);
void te_reduce_min_s64(const te_reduce_params *p, const int64_t *input, int64_t *output);
void te_reduce_min_f32(const te_reduce_params *p, const float *input, float *output);
void te_reduce_min_b(const te_reduce_params *p, const uint8_t *input, uint8_t *output);
void te_reduce_any_b(const te_reduce_params *p, const uint8_t *input, uint8_t *output);
void te_reduce_all_b(const te_reduce_params *p, const uint8_t *input, uint8_t *output);

/* ARG_MAX / ARG_MIN along one axis: input viewed as [outer, axis_size, inner]; ties give the
 * first index (strict comparison); float compares skip NaN as the reference's does. The output
 * is int32 (index_size 4) or int64 (8). */
typedef struct {
    int32_t outer;
    int32_t axis_size;
    int32_t inner;
    int32_t index_size;
} te_arg_params;

void te_arg_max_s8(const te_arg_params *p, const int8_t *input, void *output);
void te_arg_max_s32(const te_arg_params *p, const int32_t *input, void *output);
void te_arg_max_f32(const te_arg_params *p, const float *input, void *output);
void te_arg_max_b(const te_arg_params *p, const uint8_t *input, void *output);
void te_arg_min_s8(const te_arg_params *p, const int8_t *input, void *output);
void te_arg_min_s32(const te_arg_params *p, const int32_t *input, void *output);
void te_arg_min_f32(const te_arg_params *p, const float *input, void *output);
void te_arg_min_b(const te_arg_params *p, const uint8_t *input, void *output);

/* CUMSUM along one axis: input viewed as [outer, depth, inner]; exclusive starts from 0,
 * reverse runs from the end; integers wrap around. */
typedef struct {
    int32_t outer;
    int32_t depth;
    int32_t inner;
    int32_t exclusive;
    int32_t reverse;
} te_cumsum_params;

void te_cumsum_s32(const te_cumsum_params *p, const int32_t *input, int32_t *output);
void te_cumsum_s64(const te_cumsum_params *p, const int64_t *input, int64_t *output);
void te_cumsum_f32(const te_cumsum_params *p, const float *input, float *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_REDUCE_H */
