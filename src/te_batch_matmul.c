/* tinyengine: BATCH_MATMUL kernels (see include/tinyengine/te_batch_matmul.h). */
#include "tinyengine/te_batch_matmul.h"

#define TE_BMM_LOOP(ACC_T, TERM, STORE)                                                                  \
    do {                                                                                                 \
        int32_t b0, b1, b2, m, n, k;                                                                     \
        for (b0 = 0; b0 < p->batch0; ++b0) {                                                             \
            for (b1 = 0; b1 < p->batch1; ++b1) {                                                         \
                for (b2 = 0; b2 < p->batch2; ++b2) {                                                     \
                    const size_t lb = (size_t)b0 * p->lhs_stride0 + (size_t)b1 * p->lhs_stride1 +         \
                                      (size_t)b2 * p->lhs_stride2;                                       \
                    const size_t rb = (size_t)b0 * p->rhs_stride0 + (size_t)b1 * p->rhs_stride1 +         \
                                      (size_t)b2 * p->rhs_stride2;                                       \
                    for (m = 0; m < p->rows; ++m) {                                                      \
                        for (n = 0; n < p->cols; ++n) {                                                  \
                            ACC_T acc = 0;                                                               \
                            for (k = 0; k < p->depth; ++k) {                                             \
                                const size_t li = lb + (p->adj_x ? (size_t)k * p->rows + m : (size_t)m * p->depth + k); \
                                const size_t ri = rb + (p->adj_y ? (size_t)n * p->depth + k : (size_t)k * p->cols + n); \
                                TERM(lhs[li], rhs[ri]);                                                  \
                            }                                                                            \
                            STORE;                                                                       \
                        }                                                                                \
                    }                                                                                    \
                }                                                                                        \
            }                                                                                            \
        }                                                                                                \
    } while (0)

/* int8: int32 sums (wrapping), (r + rhs_offset) * (l + lhs_offset) as the reference's int32 product. */
#define TE_BMM_S8_TERM(l, r) \
    acc = (int32_t)((uint32_t)acc + (uint32_t)(((int32_t)(r) + p->rhs_offset) * ((int32_t)(l) + p->lhs_offset)))
#define TE_BMM_S8_STORE                                                                                  \
    *output++ = (int8_t)te_clamp_i32(te_multiply_by_quantized_multiplier(acc, p->multiplier, p->shift) + \
                                     p->output_offset, p->act_min, p->act_max)

void te_batch_matmul_s8(const te_batch_matmul_params *p, const int8_t *lhs, const int8_t *rhs, int8_t *output)
{
    TE_BMM_LOOP(int32_t, TE_BMM_S8_TERM, TE_BMM_S8_STORE);
}

#define TE_BMM_RAW_TERM(l, r) acc = (int32_t)((uint32_t)acc + (uint32_t)((int32_t)(r) * (int32_t)(l)))
#define TE_BMM_RAW_STORE *output++ = acc

void te_batch_matmul_s8_s32(const te_batch_matmul_params *p, const int8_t *lhs, const int8_t *rhs, int32_t *output)
{
    TE_BMM_LOOP(int32_t, TE_BMM_RAW_TERM, TE_BMM_RAW_STORE);
}

/* int16: int64 sums and the 64-bit MultiplyByQuantizedMultiplier. */
#define TE_BMM_S16_TERM(l, r) acc += ((int64_t)(r) + p->rhs_offset) * ((int64_t)(l) + p->lhs_offset)
#define TE_BMM_S16_STORE                                                                                 \
    *output++ = (int16_t)te_clamp_i32(                                                                   \
        (int32_t)((uint32_t)te_multiply_by_quantized_multiplier_s64(acc, p->multiplier, p->shift) +        \
                  (uint32_t)p->output_offset), p->act_min, p->act_max)

void te_batch_matmul_s16(const te_batch_matmul_params *p, const int16_t *lhs, const int16_t *rhs, int16_t *output)
{
    TE_BMM_LOOP(int64_t, TE_BMM_S16_TERM, TE_BMM_S16_STORE);
}

void te_batch_matmul_s16_s8(const te_batch_matmul_params *p, const int16_t *lhs, const int8_t *rhs, int16_t *output)
{
    TE_BMM_LOOP(int64_t, TE_BMM_S16_TERM, TE_BMM_S16_STORE);
}

#define TE_BMM_F32_TERM(l, r)                                                                            \
    do {                                                                                                 \
        const float prod = (r) * (l);                                                                    \
        acc += prod;                                                                                     \
    } while (0)
#define TE_BMM_F32_STORE *output++ = acc

/* The reference multiplies, then adds (no fused multiply-add): keep compilers from contracting. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("fp-contract=off")))
#endif
void te_batch_matmul_f32(const te_batch_matmul_params *p, const float *lhs, const float *rhs, float *output)
{
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
    TE_BMM_LOOP(float, TE_BMM_F32_TERM, TE_BMM_F32_STORE);
}
