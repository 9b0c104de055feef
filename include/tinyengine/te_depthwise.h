/* tinyengine: DEPTHWISE_CONV_2D (int8 activations, int8 weights, per-channel requantization;
 * legacy uint8 models arrive moved to int8 storage, with a non-zero filter offset).
 */
#ifndef TINYENGINE_TE_DEPTHWISE_H
#define TINYENGINE_TE_DEPTHWISE_H

#include "tinyengine/te_common.h"
#include "tinyengine/te_conv.h" /* te_requant_per_channel */

#ifdef __cplusplus
extern "C" {
#endif

/* Input NHWC, filter [1, k_h, k_w, out_c] as TFLite stores it, output NHWC with
 * out_c = in_c * depth_mult; output channel oc reads input channel oc / depth_mult. */
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t depth_mult;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;  /* TFLite SAME padding puts the odd pixel after */
    int32_t input_offset;       /* -input zero point */
    int32_t filter_offset;      /* -filter zero point: non-zero only in legacy uint8 models */
    int32_t output_offset;      /* output zero point */
    int32_t act_min, act_max;
} te_dw_params;

/* Whole op: every batch, every output channel. Output must not overlap input. */
void te_depthwise_conv2d_s8(const te_dw_params *p, const te_requant_per_channel *rq,
                            const int8_t *input, const int8_t *filter, int8_t *output);

/* One output channel `oc` of one batch: reads only input channel oc / depth_mult of `input`
 * (the batch's NHWC base) and writes out_h * out_w values to `out`, `out_pixel_stride` apart
 * (out_c for NHWC output, 1 for a contiguous one-channel plane). Nothing else is read or
 * written, so an in-place variant can compute a channel into a one-plane buffer and copy it
 * back over the input's channel once that channel is no longer needed. */
void te_depthwise_conv2d_s8_channel(const te_dw_params *p, const te_requant_per_channel *rq,
                                    const int8_t *input, const int8_t *filter, int32_t oc,
                                    int8_t *out, int32_t out_pixel_stride);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_DEPTHWISE_H */
