/* tinyengine: AVERAGE_POOL_2D and MAX_POOL_2D on int8 storage (legacy uint8 models arrive
 * moved to int8, values and zero points - 128). Neither op rescales: like LiteRT's reference,
 * the integer values pass through unchanged apart from averaging and the activation clamp.
 */
#ifndef TINYENGINE_TE_POOLING_H
#define TINYENGINE_TE_POOLING_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, channels;
    int32_t out_h, out_w;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;  /* TFLite SAME padding puts the odd pixel after */
    int32_t act_min, act_max;
    int32_t legacy_uint8;       /* average: round as the uint8 reference does (see te_pooling.c) */
} te_pool_params;

/* Mean of the in-image part of each window (padding is not counted). Every window must hold at
 * least one input pixel (the generator checks it; the reference fails the op otherwise). */
void te_avg_pool2d_s8(const te_pool_params *p, const int8_t *input, int8_t *output);

/* Maximum of the in-image part of each window (-128 for a window with no pixel), then clamp. */
void te_max_pool2d_s8(const te_pool_params *p, const int8_t *input, int8_t *output);

/* ---- int16 (reference_integer_ops::AveragePool / MaxPool for int16; legacy_uint8 unused) ---- */
void te_avg_pool2d_s16(const te_pool_params *p, const int16_t *input, int16_t *output);
void te_max_pool2d_s16(const te_pool_params *p, const int16_t *input, int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_POOLING_H */
