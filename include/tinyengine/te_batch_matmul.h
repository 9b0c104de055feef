/* tinyengine: BATCH_MATMUL (int8, int16 with int16 or int8 RHS, float32).
 *
 * out[b][m][n] = sum_k L[b][m][k] * R[b][k][n] as LiteRT's reference_ops::BatchMatMul computes it:
 * up to three batch dimensions broadcast (a stride of 0 repeats a size-1 dimension), adj_x /
 * adj_y read L / R transposed, sums over k ascending (float order included). Quantized: sums
 * of (l - l_zp) * (r - r_zp) in int32 (int8) or int64 (int16), MultiplyByQuantizedMultiplier
 * (the 64-bit form for int16), + output zero point, clamp to the output type; int8 inputs with an
 * int32 output give the raw sums of l * r. Not in place.
 */
#ifndef TINYENGINE_TE_BATCH_MATMUL_H
#define TINYENGINE_TE_BATCH_MATMUL_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t batch0, batch1, batch2;                   /* output batch dimensions */
    int32_t lhs_stride0, lhs_stride1, lhs_stride2;    /* elements per step of each, 0 = broadcast */
    int32_t rhs_stride0, rhs_stride1, rhs_stride2;
    int32_t rows, cols, depth;                        /* M, N, K */
    int32_t adj_x, adj_y;                             /* 1: L is stored [K][M], R is stored [N][K] */
    int32_t lhs_offset, rhs_offset, output_offset;    /* -zero points, output zero point */
    int32_t multiplier, shift;
    int32_t act_min, act_max;
} te_batch_matmul_params;

void te_batch_matmul_s8(const te_batch_matmul_params *p, const int8_t *lhs, const int8_t *rhs, int8_t *output);
void te_batch_matmul_s8_s32(const te_batch_matmul_params *p, const int8_t *lhs, const int8_t *rhs, int32_t *output);
void te_batch_matmul_s16(const te_batch_matmul_params *p, const int16_t *lhs, const int16_t *rhs, int16_t *output);
void te_batch_matmul_s16_s8(const te_batch_matmul_params *p, const int16_t *lhs, const int8_t *rhs, int16_t *output);
void te_batch_matmul_f32(const te_batch_matmul_params *p, const float *lhs, const float *rhs, float *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_BATCH_MATMUL_H */
