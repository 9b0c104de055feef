/* tinyengine: data-movement ops on 8-bit tensors (PAD / PADV2, CONCATENATION,
 * RESIZE_NEAREST_NEIGHBOR, TRANSPOSE). They copy bytes, except CONCATENATION of legacy
 * uint8 inputs whose quantization differs from the output's (a 256-entry table per input). */
#ifndef TINYENGINE_TE_LAYOUT_H
#define TINYENGINE_TE_LAYOUT_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TE_LAYOUT_MAX_DIMS 6

/* Constant padding over up to TE_LAYOUT_MAX_DIMS dimensions (the generator merges every
 * dimension that has no padding into its outer neighbour). */
typedef struct {
    int32_t ndim;
    int32_t in_shape[TE_LAYOUT_MAX_DIMS];
    int32_t pad_before[TE_LAYOUT_MAX_DIMS];
    int32_t pad_after[TE_LAYOUT_MAX_DIMS];
    int32_t pad_value;          /* output zero point (PAD) or the constant value (PADV2) */
} te_pad_params;

/* Safe in place only when there is no padding at all (then it is a copy, or nothing). */
void te_pad_s8(const te_pad_params *p, const int8_t *input, int8_t *output);

typedef struct {
    int32_t outer;              /* product of the dimensions before the axis */
    int32_t num_inputs;
} te_concat_params;

/* For each of `outer` slices, input i contributes copy_size[i] consecutive bytes. When
 * lut_index[i] >= 0 (lut_index may be NULL), input i is requantized through the 256-entry
 * table luts + lut_index[i], indexed by (value + 128). */
void te_concat_s8(const te_concat_params *p, const int32_t *copy_size, const int8_t *const *inputs,
                  const int8_t *luts, const int32_t *lut_index, int8_t *output);

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, depth;
    int32_t out_h, out_w;
} te_resize_params;

/* y_map[out_h] / x_map[out_w]: the source row / column of each output row / column, as
 * TFLite's GetNearestNeighbor computes them (float32, done by the generator). */
void te_resize_nearest_s8(const te_resize_params *p, const int32_t *y_map, const int32_t *x_map,
                          const int8_t *input, int8_t *output);

/* The output is walked in row-major order over `ndim` dimensions; in_stride[d] is the input
 * stride of output dimension d (size-1 dimensions dropped, neighbours merged by the generator). */
typedef struct {
    int32_t ndim;
    int32_t shape[TE_LAYOUT_MAX_DIMS];
    int32_t in_stride[TE_LAYOUT_MAX_DIMS];
} te_transpose_params;

void te_transpose_s8(const te_transpose_params *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_LAYOUT_H */
