/* tinyengine: element-wise binary ops on int8 tensors (ADD), with broadcasting. */
#ifndef TINYENGINE_TE_ELEMENTWISE_H
#define TINYENGINE_TE_ELEMENTWISE_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TE_ELEMENTWISE_MAX_DIMS 6

/* The iteration space, as the generator simplified it: the output is walked in row-major
 * order over `ndim` dimensions (outermost first); each input advances by its own stride in
 * every dimension, 0 where it is broadcast. Same-shape tensors become one dimension with
 * strides 1/1. The generator merges every pair of dimensions it can, so the innermost
 * stride of an input is 1 (contiguous) or 0 (broadcast). */
typedef struct {
    int32_t ndim;
    int32_t shape[TE_ELEMENTWISE_MAX_DIMS];
    int32_t stride1[TE_ELEMENTWISE_MAX_DIMS];
    int32_t stride2[TE_ELEMENTWISE_MAX_DIMS];
} te_broadcast_shape;

/* TFLite's 8-bit ADD rescaling (add.cc Prepare, general 8-bit path): both inputs are moved
 * to a common scale with `left_shift` extra bits (20 for 8-bit), summed, and rescaled to the
 * output. Every shift is <= 0 (QuantizeMultiplierSmallerThanOneExp). */
typedef struct {
    int32_t input1_offset;      /* -input1 zero point */
    int32_t input2_offset;      /* -input2 zero point */
    int32_t output_offset;      /* output zero point */
    int32_t left_shift;
    int32_t input1_multiplier, input1_shift;
    int32_t input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
} te_add_params;

/* output = ADD(input1, input2). Safe in place: `output` may equal `input1` or `input2`
 * when that input has the output's shape (each output element reads its own position). */
void te_add_s8(const te_add_params *p, const te_broadcast_shape *s,
               const int8_t *input1, const int8_t *input2, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_ELEMENTWISE_H */
