/* tinyengine: FULLY_CONNECTED (int8 activations, int8 weights). */
#ifndef TINYENGINE_TE_FULLY_CONNECTED_H
#define TINYENGINE_TE_FULLY_CONNECTED_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Weight layouts (te_fc_params.weight_layout). Both hold out_depth * accum_depth int8 weights.
 *
 * TE_FC_LAYOUT_ROWS: filter[o * accum_depth + i], as in the model.
 *
 * TE_FC_LAYOUT_QUADS (folded_bias layers only; filter 4-byte aligned): rows in groups of four.
 * Quad q (rows 4q .. 4q+3) takes bytes [4q * D, 4(q+1) * D) with D = accum_depth, D4 = D & ~3:
 *  - for each step s < D4 / 4 (columns 4s .. 4s+3), 16 bytes: four little-endian words
 *    E(0), O(0), E(1), O(1), where for pair p (rows 4q+2p, 4q+2p+1) and column i
 *    h_p(i) = 256 * w[4q+2p+1][i] + w[4q+2p][i] (an int16; the generator checks it fits),
 *    E(p) = h_p(4s) | h_p(4s+2) << 16 and O(p) = h_p(4s+1) | h_p(4s+3) << 16;
 *  - then columns D4 .. D-1 of the four rows, row by row: w[4q+r][i] at 4q * D + 4 * D4 + r * (D - D4) + i - D4.
 * Rows 4 * (out_depth / 4) .. out_depth-1 stay row-major at o * D.
 * One SMLAD of a pair word with two sign-extended inputs adds 256 * (dot of the odd row) + (dot of
 * the even row); SXTB16 of the same word gives the even row alone. The odd row's dot product is
 * recovered exactly as long as it stays within +-2^23, i.e. every 127 steps (|w * x| <= 2^14).
 * Helium (TE_USE_MVE) builds read every filter as TE_FC_LAYOUT_ROWS whatever weight_layout says:
 * generated models hold the row-major bytes under #if defined(TE_USE_MVE) (the same size). */
#define TE_FC_LAYOUT_ROWS 0
#define TE_FC_LAYOUT_QUADS 1
/* A flag with TE_FC_LAYOUT_QUADS: the generator checked 128 * sum(|w|) < 2^23 for every odd row of the
 * quads over its first accum_depth & ~3 columns, so those rows' pair sums can be taken out once at
 * any depth (no 127-step segments). */
#define TE_FC_QUADS_UNSEGMENTED 2
/* A flag with TE_FC_LAYOUT_QUADS (folded bias): for each quad q, bias[4q + 1] and bias[4q + 3] hold
 * b[4q] + 256 * b[4q + 1] and b[4q + 2] + 256 * b[4q + 3] (int32 wrap), the starting values of the
 * raw pair sums; the generator checked |b| + 128 * sum(|w|) < 2^23 for every odd row, so
 * b[4q + 1] = (bias[4q + 1] - bias[4q]) >> 8 exactly. Helium builds get the plain bias (the
 * generated model holds it for them under #if defined(TE_USE_MVE), the same size). */
#define TE_FC_QUADS_PAIR_BIAS 4
/* In bits 8.. of weight_layout with TE_FC_LAYOUT_QUADS: the generator checked 128 * sum(|w|) < 2^23
 * for every odd row within each segment of `steps` steps (4 columns each) from column 0, so the
 * kernel takes those rows' sums out that rarely (0: every 127 steps, the bound for any weights). */
#define TE_FC_QUADS_SEGMENT(steps) ((steps) << 8)

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
    int32_t weight_layout;   /* TE_FC_LAYOUT_* (0: row-major) | TE_FC_QUADS_* flags and segment */
    /* Integer requantization, when rq_mult != 0 (then `scales` may be NULL):
     * out = clamp((((int64)acc * rq_mult >> 32) + rq_add) >> rq_shift, act_min, act_max).
     * The generator uses it only after checking it equals the reference's double rounding plus
     * output_offset for every accumulator the layer can produce (rq_shift in 1..30). */
    int32_t rq_mult, rq_add, rq_shift;
} te_fc_params;

/* LiteRT's reference FULLY_CONNECTED requantizes once, in double precision:
 * round((double)acc * input_scale * filter_scale / output_scale). `scales` holds that
 * double per output feature (or one) as te_fp64_scale, replayed exactly in integers
 * (the SIMD paths use cheaper exact equivalents, see src/te_fully_connected.c), unless
 * p->rq_mult gives the checked integer form. */
void te_fully_connected_s8(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales,
                           const int8_t *input, const int8_t *filter, int8_t *output);
/* TE_FORCE_PORTABLE builds run te_fully_connected_s8 as a plain loop that reads like TFLite Micro's
 * reference kernel (src/te_fully_connected.c, fc_reference), on whatever weight layout and
 * requantization form the generator emitted; other builds never compile it. */

/* The same operation with its input consumed in pieces (batches == 1 only), e.g. a flattened
 * feature map produced band by band. `acc` holds out_depth int32 sums, owned by the caller:
 *
 *   te_fully_connected_s8_begin(p, bias, acc);
 *   te_fully_connected_s8_accumulate(p, piece, first, count, filter, acc);   any number of times
 *   te_fully_connected_s8_finish(p, scales, acc, output);
 *
 * gives te_fully_connected_s8's output byte for byte when the pieces cover columns
 * [0, accum_depth) exactly once, in any order and any split (int32 sums wrap alike).
 * begin: acc[o] = bias[o] (with TE_FC_QUADS_PAIR_BIAS: the plain value), or 0 when bias is NULL.
 * accumulate: acc[o] += the terms of columns first .. first+count-1 (input[k] is column first+k):
 *   w * x with folded_bias, else (w + filter_offset) * (x + input_offset); any weight layout.
 * finish: output[o] = requantized, offset and clamped acc[o]. */
void te_fully_connected_s8_begin(const te_fc_params *p, const int32_t *bias, int32_t *acc);
void te_fully_connected_s8_accumulate(const te_fc_params *p, const int8_t *input, int32_t first, int32_t count,
                                      const int8_t *filter, int32_t *acc);
void te_fully_connected_s8_finish(const te_fc_params *p, const te_fp64_scale *scales, const int32_t *acc,
                                  int8_t *output);

/* begin + accumulate over the whole depth in one call (batches == 1): acc[o] = bias[o] (0 without)
 * + the terms of every column, int32 wrapping; e.g. SVDF's feature sums, requantized by the caller. */
void te_fully_connected_s8_sums(const te_fc_params *p, const int32_t *bias, const int8_t *input,
                                const int8_t *filter, int32_t *acc);

/* ---- int16x8 FULLY_CONNECTED (int16 activations, zero points 0; int8 weights) ----
 * reference_integer_ops::FullyConnected / FullyConnectedPerChannel<int16_t, int8_t, int16_t,
 * BiasType> as LiteRT's reference runs them: sums of (w + filter_offset) * x in BiasType (int64,
 * or int32 with an int32 bias), plus the bias, rounded once in double:
 * round((double)acc * input_scale * filter_scale / output_scale), + output_offset, clamp. */
typedef struct {
    int32_t batches;
    int32_t accum_depth;
    int32_t out_depth;
    int32_t filter_offset;   /* -filter zero point (per-tensor weights; 0 per channel) */
    int32_t output_offset;
    int32_t act_min, act_max;
    int32_t per_channel;     /* 1: scales[o], 0: scales[0] */
    int32_t bias_is_32;      /* 1: int32 sums and bias (quantized_bias_type INT32) */
    int32_t sums_fit_32;     /* 1: every row's sums fit int32 (the generator checked): SIMD paths allowed */
} te_fc_s16_params;

/* bias64 / bias32: the int64 or int32 bias (per bias_is_32), or NULL. scratch:
 * te_fully_connected_s16_scratch_bytes(accum_depth) bytes, 4-byte aligned (NULL: portable path). */
void te_fully_connected_s16(const te_fc_s16_params *p, const int64_t *bias64, const int32_t *bias32,
                            const te_fp64_scale *scales, const int16_t *input, const int8_t *filter,
                            int16_t *output, void *scratch);
#define te_fully_connected_s16_scratch_bytes(accum_depth) (2 * (((accum_depth) + 3) / 4 * 4))

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_FULLY_CONNECTED_H */
