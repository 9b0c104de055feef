/* tinyengine: reductions, ARG_MAX / ARG_MIN, CUMSUM.
 *
 * Bit-exact with LiteRT's reference kernels (tflite/kernels/reduce.cc with
 * reference_ops::QuantizedMeanOrSum, Mean, ReduceGeneric; arg_min_max.cc; cumsum.cc):
 * - quantized MEAN / SUM: an int32 sum of the raw values (wrapping, as
 *   AddTensorValuesWithExpectedOverflow), minus zero point times count (in 64 bits, then
 *   truncated to int32 as the reference's static_cast does), one double-rounding
 *   MultiplyByQuantizedMultiplier, plus the output zero point, clamped. uint8 in int8 storage
 *   leaves every difference to the zero point unchanged, so one kernel serves both.
 * - every output visits its inputs in the input's row-major order, so float sums round as the
 *   reference's do; integer sums and products wrap around (unsigned arithmetic in C).
 */
#include "tinyengine/te_reduce.h"

/* Calls BODY(x) for every input element of one output, in row-major order of the reduced
 * dimensions, starting at `base`. */
#define TE_FOR_REDUCED(p, T, base, BODY)                                                        \
    do {                                                                                        \
        int32_t ridx_[TE_REDUCE_MAX_DIMS] = {0};                                                \
        const int32_t rlast_ = (p)->red_ndim - 1;                                               \
        const int32_t rn_ = (p)->red_shape[rlast_];                                             \
        const int32_t rs_ = (p)->red_stride[rlast_];                                            \
        size_t roff_ = 0;                                                                       \
        int32_t rd_, ri_;                                                                       \
        for (;;) {                                                                              \
            const T *row_ = (base) + roff_;                                                     \
            for (ri_ = 0; ri_ < rn_; ++ri_) {                                                   \
                const T x = row_[(size_t)ri_ * rs_];                                            \
                BODY;                                                                           \
            }                                                                                   \
            for (rd_ = rlast_ - 1; rd_ >= 0; --rd_) {                                           \
                if (++ridx_[rd_] < (p)->red_shape[rd_]) {                                       \
                    roff_ += (size_t)(p)->red_stride[rd_];                                      \
                    break;                                                                      \
                }                                                                               \
                ridx_[rd_] = 0;                                                                 \
                roff_ -= (size_t)(p)->red_stride[rd_] * (size_t)((p)->red_shape[rd_] - 1);      \
            }                                                                                   \
            if (rd_ < 0) {                                                                      \
                break;                                                                          \
            }                                                                                   \
        }                                                                                       \
    } while (0)

/* Runs BODY once per output with `in` pointing at its first input element, outputs in order. */
#define TE_FOR_KEPT(p, T, input, in, BODY)                                                      \
    do {                                                                                        \
        int32_t kidx_[TE_REDUCE_MAX_DIMS] = {0};                                                \
        size_t koff_ = 0;                                                                       \
        int32_t kd_;                                                                            \
        for (;;) {                                                                              \
            const T *in = (input) + koff_;                                                      \
            BODY;                                                                               \
            for (kd_ = (p)->keep_ndim - 1; kd_ >= 0; --kd_) {                                   \
                if (++kidx_[kd_] < (p)->keep_shape[kd_]) {                                      \
                    koff_ += (size_t)(p)->keep_stride[kd_];                                     \
                    break;                                                                      \
                }                                                                               \
                kidx_[kd_] = 0;                                                                 \
                koff_ -= (size_t)(p)->keep_stride[kd_] * (size_t)((p)->keep_shape[kd_] - 1);    \
            }                                                                                   \
            if (kd_ < 0) {                                                                      \
                break;                                                                          \
            }                                                                                   \
        }                                                                                       \
    } while (0)

/* ------------------------------------------------------------------------- quantized MEAN/SUM */

#define TE_MEAN_OR_SUM(name, T, LO, HI)                                                         \
    void name(const te_reduce_params *p, const T *input, T *output)                            \
    {                                                                                           \
        const int64_t zp_total = (int64_t)p->input_zero_point * p->count;                      \
        TE_FOR_KEPT(p, T, input, in, {                                                          \
            uint32_t sum = 0;                                                                   \
            int32_t out;                                                                        \
            TE_FOR_REDUCED(p, T, in, sum += (uint32_t)(int32_t)x);                              \
            out = te_multiply_by_quantized_multiplier((int32_t)((int64_t)(int32_t)sum - zp_total), \
                                                      p->multiplier, p->shift)                   \
                  + p->output_zero_point;                                                       \
            *output++ = (T)te_clamp_i32(out, LO, HI);                                           \
        });                                                                                     \
    }

TE_MEAN_OR_SUM(te_mean_or_sum_s8, int8_t, -128, 127)
TE_MEAN_OR_SUM(te_mean_or_sum_s16, int16_t, -32768, 32767)
TE_MEAN_OR_SUM(te_mean_or_sum_u8, uint8_t, 0, 255)

/* ------------------------------------------------------------------- unquantized MEAN */

void te_mean_f32(const te_reduce_params *p, const float *input, float *output)
{
    const float count = (float)p->count;
    TE_FOR_KEPT(p, float, input, in, {
        float sum = 0.0f;
        TE_FOR_REDUCED(p, float, in, sum += x);
        *output++ = sum / count;
    });
}

void te_mean_s32(const te_reduce_params *p, const int32_t *input, int32_t *output)
{
    TE_FOR_KEPT(p, int32_t, input, in, {
        int64_t sum = 0;
        TE_FOR_REDUCED(p, int32_t, in, sum += x);
        *output++ = (int32_t)(sum / p->count);
    });
}

void te_mean_s64(const te_reduce_params *p, const int64_t *input, int64_t *output)
{
    TE_FOR_KEPT(p, int64_t, input, in, {
        uint64_t sum = 0;
        TE_FOR_REDUCED(p, int64_t, in, sum += (uint64_t)x);
        *output++ = (int64_t)sum / p->count;
    });
}

/* --------------------------------------------------------------------- generic reducers */

/* ACC accumulator type, INIT the reducer's initial value, STEP(acc, x) the reducer, OUT(acc)
 * the stored value. first_init: the first element replaces INIT (LiteRT's ReduceAllDims). */
#define TE_REDUCE_GENERIC(name, T, ACC, INIT, STEP, OUT)                                        \
    void name(const te_reduce_params *p, const T *input, T *output)                            \
    {                                                                                           \
        TE_FOR_KEPT(p, T, input, in, {                                                          \
            ACC acc = (INIT);                                                                   \
            int first = p->first_init;                                                          \
            TE_FOR_REDUCED(p, T, in, {                                                          \
                if (first) {                                                                    \
                    acc = (ACC)x;                                                               \
                    first = 0;                                                                  \
                } else {                                                                        \
                    acc = STEP(acc, x);                                                         \
                }                                                                               \
            });                                                                                 \
            *output++ = (T)(OUT(acc));                                                          \
        });                                                                                     \
    }

#define TE_ADD(a, x) ((a) + (x))
#define TE_MUL(a, x) ((a) * (x))
#define TE_WRAP_ADD(a, x) ((a) + (uint32_t)(x))
#define TE_WRAP_MUL(a, x) ((a) * (uint32_t)(x))
#define TE_WRAP_ADD64(a, x) ((a) + (uint64_t)(x))
#define TE_WRAP_MUL64(a, x) ((a) * (uint64_t)(x))
#define TE_MAX(a, x) ((x) > (a) ? (x) : (a))
#define TE_MIN(a, x) ((x) < (a) ? (x) : (a))
#define TE_OR(a, x) ((uint8_t)((a) | ((x) != 0)))
#define TE_AND(a, x) ((uint8_t)((a) & ((x) != 0)))
#define TE_AS_IS(a) (a)
#define TE_AS_S32(a) ((int32_t)(a))
#define TE_AS_S64(a) ((int64_t)(a))
#define TE_AS_BOOL(a) ((a) != 0)

TE_REDUCE_GENERIC(te_reduce_sum_f32, float, float, 0.0f, TE_ADD, TE_AS_IS)
TE_REDUCE_GENERIC(te_reduce_sum_s32, int32_t, uint32_t, 0u, TE_WRAP_ADD, TE_AS_S32)
TE_REDUCE_GENERIC(te_reduce_sum_s64, int64_t, uint64_t, 0u, TE_WRAP_ADD64, TE_AS_S64)
TE_REDUCE_GENERIC(te_reduce_prod_f32, float, float, 1.0f, TE_MUL, TE_AS_IS)
TE_REDUCE_GENERIC(te_reduce_prod_s32, int32_t, uint32_t, 1u, TE_WRAP_MUL, TE_AS_S32)
TE_REDUCE_GENERIC(te_reduce_prod_s64, int64_t, uint64_t, 1u, TE_WRAP_MUL64, TE_AS_S64)
TE_REDUCE_GENERIC(te_reduce_max_s8, int8_t, int8_t, INT8_MIN, TE_MAX, TE_AS_IS)
TE_REDUCE_GENERIC(te_reduce_max_s16, int16_t, int16_t, INT16_MIN, TE_MAX, TE_AS_IS)
TE_REDUCE_GENERIC(te_reduce_max_s32, int32_t, int32_t, INT32_MIN, TE_MAX, TE_AS_IS)
TE_REDUCE_GENERIC(te_reduce_max_s64, int64_t, int64_t, INT64_MIN, TE_MAX, TE_AS_IS)
TE_REDUCE_GENERIC(te_reduce_max_f32, float, float, -3.40282347e+38f, TE_MAX, TE_AS_IS)
TE_REDUCE_GENERIC(te_reduce_max_b, uint8_t, uint8_t, 0u, TE_OR, TE_AS_BOOL)
TE_REDUCE_GENERIC(te_reduce_min_s8, int8_t, int8_t, INT8_MAX, TE_MIN, TE_AS_IS)
TE_REDUCE_GENERIC(te_reduce_min_s16, int16_t, int16_t, INT16_MAX, TE_MIN, TE_AS_IS)
TE_REDUCE_GENERIC(te_reduce_min_s32, int32_t, int32_t, INT32_MAX, TE_MIN, TE_AS_IS)
TE_REDUCE_GENERIC(te_reduce_min_s64, int64_t, int64_t, INT64_MAX, TE_MIN, TE_AS_IS)
TE_REDUCE_GENERIC(te_reduce_min_f32, float, float, 3.40282347e+38f, TE_MIN, TE_AS_IS)
TE_REDUCE_GENERIC(te_reduce_min_b, uint8_t, uint8_t, 1u, TE_AND, TE_AS_BOOL)
TE_REDUCE_GENERIC(te_reduce_any_b, uint8_t, uint8_t, 0u, TE_OR, TE_AS_BOOL)
TE_REDUCE_GENERIC(te_reduce_all_b, uint8_t, uint8_t, 1u, TE_AND, TE_AS_BOOL)

/* ------------------------------------------------------------------------- ARG_MAX / ARG_MIN */

TE_INLINE void te_store_index(void *output, int32_t i, int32_t value, int32_t index_size)
{
    if (index_size == 8) {
        ((int64_t *)output)[i] = value;
    } else {
        ((int32_t *)output)[i] = value;
    }
}

/* BETTER(candidate, current): the candidate replaces the current best. */
#define TE_ARG(name, T, BETTER)                                                                 \
    void name(const te_arg_params *p, const T *input, void *output)                            \
    {                                                                                           \
        int32_t o, k, i;                                                                        \
        for (o = 0; o < p->outer; ++o) {                                                        \
            const T *slab = input + (size_t)o * p->axis_size * p->inner;                        \
            for (k = 0; k < p->inner; ++k) {                                                    \
                T best = slab[k];                                                               \
                int32_t best_index = 0;                                                         \
                for (i = 1; i < p->axis_size; ++i) {                                            \
                    const T v = slab[(size_t)i * p->inner + k];                                 \
                    if (BETTER(v, best)) {                                                      \
                        best = v;                                                               \
                        best_index = i;                                                         \
                    }                                                                           \
                }                                                                               \
                te_store_index(output, o * p->inner + k, best_index, p->index_size);            \
            }                                                                                   \
        }                                                                                       \
    }

/* x != x: NaN. The reference's float compare: the candidate must be a number, and wins over a
 * NaN or over a smaller (larger) number. */
#define TE_GT(v, best) ((v) > (best))
#define TE_LT(v, best) ((v) < (best))
#define TE_GT_F(v, best) ((v) == (v) && ((best) != (best) || (v) > (best)))
#define TE_LT_F(v, best) ((v) == (v) && ((best) != (best) || (v) < (best)))

TE_ARG(te_arg_max_s8, int8_t, TE_GT)
TE_ARG(te_arg_max_s32, int32_t, TE_GT)
TE_ARG(te_arg_max_f32, float, TE_GT_F)
TE_ARG(te_arg_max_b, uint8_t, TE_GT)
TE_ARG(te_arg_min_s8, int8_t, TE_LT)
TE_ARG(te_arg_min_s32, int32_t, TE_LT)
TE_ARG(te_arg_min_f32, float, TE_LT_F)
TE_ARG(te_arg_min_b, uint8_t, TE_LT)

/* ----------------------------------------------------------------------------------- CUMSUM */

#define TE_CUMSUM(name, T, ACC)                                                                 \
    void name(const te_cumsum_params *p, const T *input, T *output)                            \
    {                                                                                           \
        int32_t o, k, d;                                                                        \
        for (o = 0; o < p->outer; ++o) {                                                        \
            for (k = 0; k < p->inner; ++k) {                                                    \
                ACC acc = 0;                                                                    \
                for (d = 0; d < p->depth; ++d) {                                                \
                    const int32_t dd = p->reverse ? p->depth - 1 - d : d;                       \
                    const size_t at = ((size_t)o * p->depth + dd) * p->inner + k;               \
                    if (p->exclusive) {                                                         \
                        const T x = input[at];                                                  \
                        output[at] = (T)acc;                                                    \
                        acc = acc + (ACC)x;                                                     \
                    } else {                                                                    \
                        acc = acc + (ACC)input[at];                                             \
                        output[at] = (T)acc;                                                    \
                    }                                                                           \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
    }

TE_CUMSUM(te_cumsum_s32, int32_t, uint32_t)
TE_CUMSUM(te_cumsum_s64, int64_t, uint64_t)
TE_CUMSUM(te_cumsum_f32, float, float)
