/* tinyengine: SVDF, LiteRT's fully integer form (svdf.cc EvalIntegerSVDF): int8 input and
 * feature weights, int16 time weights and activation state, int32 bias, int8 output.
 *
 * The state ([n_batch][n_filter][n_memory] int16, a variable tensor) persists between calls; per
 * call:
 *   1. the whole state array moves one value towards the start (each filter's memory forgets its
 *      oldest value);
 *   2. for each batch b and filter f, the newest value:
 *        state[b][f][n_memory - 1] = sat16(MBQM(sum_i feature[f][i] * (x[b][i] - input_zp), mult1, shift1));
 *   3. for each unit u (rank filters each), with int32 sums that wrap like the reference's:
 *        acc = bias[u] + sum_{r < rank} sum_m time[u * rank + r][m] * state[b][u * rank + r][m]
 *        y[b][u] = sat8(MBQM(acc, mult2, shift2) + output_zp)
 * with MBQM the double-rounding MultiplyByQuantizedMultiplier. LiteRT runs this only with a fused
 * RELU, which it does not apply (nor does this kernel).
 *
 * The feature products are a FULLY_CONNECTED layer's sums (zero point folded into feature_bias):
 * te_fully_connected_s8_sums computes them, in its weight layouts and SIMD paths.
 *
 * Batches are processed one after the other, input row b read before output row b is written, so
 * the output may overwrite the input in place when n_filter / rank <= n_input.
 */
#ifndef TINYENGINE_TE_SVDF_H
#define TINYENGINE_TE_SVDF_H

#include "tinyengine/te_common.h"
#include "tinyengine/te_fully_connected.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t n_batch, n_input, n_filter, n_memory, rank;
    int32_t input_zp, output_zp;
    int32_t mult1, shift1;       /* input * feature -> state */
    int32_t mult2, shift2;       /* state * time -> output */
    int32_t fast1, half1;        /* 1: every feature sum is below 2^30 in magnitude, shift1 <= -1 and
                                  * mult1 > 0 (generator-checked): te_rq_doubled with 2^(-shift1 - 1) */
} te_svdf_params;

typedef struct {
    /* The feature matmul as a fully connected layer's sums: batches 1, accum_depth n_input,
     * out_depth n_filter, folded_bias 1, feature in its weight_layout (te_fully_connected.h). */
    const te_fc_params *feature_fc;
    const int8_t *feature;       /* [n_filter][n_input] in feature_fc->weight_layout */
    const int32_t *feature_bias; /* [n_filter]: -input_zp * sum_i feature[f][i] */
    const int16_t *time;         /* [n_filter][n_memory] */
    const int32_t *bias;         /* [n_filter / rank], or NULL */
} te_svdf_weights;

/* Scratch: te_svdf_s8_scratch_bytes(p) bytes, 4-byte aligned (one batch's feature sums and new values). */
size_t te_svdf_s8_scratch_bytes(const te_svdf_params *p);

/* state: [n_batch][n_filter * n_memory], read and updated. */
void te_svdf_s8(const te_svdf_params *p, const te_svdf_weights *w, const int8_t *input, int8_t *output,
                int16_t *state, void *scratch);

/* SVDF, float32 (svdf.cc EvalFloat, reference_ops::EvalFloatSVDF): float input, weights, bias and
 * state, per call:
 *   1. the whole state array moves one value towards the start;
 *   2. state[b][f][n_memory - 1] = the feature row's dot product with x[b];
 *   3. y[b][u] = (bias[u] or 0.0f) + sum_{r < rank} (time[u * rank + r] . state[b][u * rank + r]);
 *   4. the fused activation (NONE, RELU, RELU_N1_TO_1, RELU6).
 * Every sum in the oracle's order (4 lanes, then the tail; src/te_svdf_f32.c). In place as the
 * integer kernel (n_filter / rank <= n_input). No scratch. */
#define TE_SVDF_F32_NONE 0   /* TfLiteFusedActivation values */
#define TE_SVDF_F32_RELU 1
#define TE_SVDF_F32_RELU_N1_TO_1 2
#define TE_SVDF_F32_RELU6 3
typedef struct {
    int32_t n_batch, n_input, n_filter, n_memory, rank;
    int32_t activation;          /* TE_SVDF_F32_* */
} te_svdf_f32_params;

typedef struct {
    const float *feature;        /* [n_filter][n_input] */
    const float *time;           /* [n_filter][n_memory] */
    const float *bias;           /* [n_filter / rank], or NULL */
} te_svdf_f32_weights;

/* state: [n_batch][n_filter * n_memory], read and updated. */
void te_svdf_f32(const te_svdf_f32_params *p, const te_svdf_f32_weights *w, const float *input, float *output,
                 float *state);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_SVDF_H */
