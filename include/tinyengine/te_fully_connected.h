/* tinyengine: FULLY_CONNECTED (int8 activations, int8 weights). */
#ifndef TINYENGINE_TE_FULLY_CONNECTED_H
#define TINYENGINE_TE_FULLY_CONNECTED_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t batches;
    int32_t accum_depth;     /* input features */
    int32_t out_depth;       /* output features */
    int32_t input_offset;    /* -input zero point */
    int32_t filter_offset;   /* -filter zero point (per-tensor weights only) */
    int32_t output_offset;
    int32_t act_min, act_max;
    int32_t per_channel;     /* 1: one scale per output feature, 0: scale[0] for all */
    int32_t folded_bias;     /* 1: bias holds bias + input_offset * sum(w) (filter_offset is 0) */
} te_fc_params;

/* LiteRT's reference FULLY_CONNECTED requantizes once, in double precision:
 * round((double)acc * input_scale * filter_scale / output_scale). `scales` holds that
 * double per output feature (or one) as te_fp64_scale, replayed exactly in integers
 * (the SIMD paths use cheaper exact equivalents, see src/te_fully_connected.c). */
void te_fully_connected_s8(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales,
                           const int8_t *input, const int8_t *filter, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_FULLY_CONNECTED_H */
