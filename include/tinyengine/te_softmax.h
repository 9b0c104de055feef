/* tinyengine: SOFTMAX, LOG_SOFTMAX and LOGISTIC.
 *
 * Integer paths reproduce LiteRT's reference kernels bit for bit: the gemmlowp
 * fixed-point softmax (exp_on_negative_values, a Q12 accumulator and a
 * Newton-Raphson reciprocal), its log-softmax sibling, and the 256-entry table
 * LOGISTIC uses for 8-bit data. Float paths repeat the reference's float
 * operations in the same order with tinyengine's own te_expf / te_logf
 * (te_math.h), so they give the reference's bytes on every core.
 */
#ifndef TINYENGINE_TE_SOFTMAX_H
#define TINYENGINE_TE_SOFTMAX_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Softmax over the last axis of an [outer, depth] view of the tensor. */
typedef struct {
    int32_t outer;              /* rows (product of all dimensions but the last) */
    int32_t depth;              /* length of the last dimension, < 4096 */
    int32_t input_multiplier;   /* PreprocessSoftmaxScaling(beta, input_scale, 5) */
    int32_t input_left_shift;   /* >= 0 */
    int32_t diff_min;           /* -CalculateInputRadius(5, input_left_shift): smaller differences give 0 */
} te_softmax_params;

/* int8 -> int8 (output zero point -128, scale 1/256). Also the legacy uint8 softmax moved to
 * int8 storage: both reference paths compute the same row arithmetic. Safe in place. */
void te_softmax_s8(const te_softmax_params *p, const int8_t *input, int8_t *output);
/* int8 -> int16 (output zero point -32768, scale 1/65536). Not in place. */
void te_softmax_s8_s16(const te_softmax_params *p, const int8_t *input, int16_t *output);

/* Float softmax (reference_ops::Softmax<float>): expf((x - max) * beta), float sum, divide. */
typedef struct {
    int32_t outer;
    int32_t depth;
    float beta;
} te_softmax_f32_params;
void te_softmax_f32(const te_softmax_f32_params *p, const float *input, float *output);

/* int8 LOG_SOFTMAX (reference_integer_ops::LogSoftmax): output scale 16/256, zero point 127. */
typedef struct {
    int32_t outer;
    int32_t depth;              /* < 4096 */
    int32_t input_multiplier;   /* PreprocessLogSoftmaxScalingExp(1.0, input_scale, 5) */
    int32_t input_left_shift;
    int32_t reverse_multiplier;
    int32_t reverse_shift;      /* >= 0: the reverse scaling divides by 2^reverse_shift */
    int32_t diff_min;
} te_log_softmax_params;
void te_log_softmax_s8(const te_log_softmax_params *p, const int8_t *input, int8_t *output);

/* Float LOG_SOFTMAX (reference_ops::LogSoftmax<float>): x - max - logf(sum expf(x - max)). */
typedef struct {
    int32_t outer;
    int32_t depth;
} te_log_softmax_f32_params;
void te_log_softmax_f32(const te_log_softmax_f32_params *p, const float *input, float *output);

/* 8-bit LOGISTIC: the reference's 256-entry table (built at generation time), indexed by the
 * input byte read as uint8 (so the int8 table is ordered 0..127, -128..-1). Safe in place. */
typedef struct {
    int32_t size;
} te_logistic_params;
void te_logistic_s8(const te_logistic_params *p, const int8_t *lut, const int8_t *input, int8_t *output);

/* Float LOGISTIC (reference_ops::Logistic<float>): 1 above 16.619047f, expf(x) below -9,
 * else 1 / (1 + expf(-x)). Safe in place. */
void te_logistic_f32(const te_logistic_params *p, const float *input, float *output);

/* ---- int16 SOFTMAX (reference_ops::SoftmaxInt16): input and output zero point 0, output scale
 * 1/32768. exp of the rescaled differences and 1 / (1 + x) of the normalised sum come from two
 * 513-entry tables with linear interpolation, built at generation time exactly as LiteRT's
 * Prepare builds them (LUTPopulate<int16_t> in double). Safe in place. */
typedef struct {
    int32_t outer;
    int32_t depth;
    int32_t input_multiplier;  /* QuantizeMultiplier(input_scale * beta / (10 / 65535)) */
    int32_t input_shift;
} te_softmax_s16_params;
void te_softmax_s16(const te_softmax_s16_params *p, const int16_t *exp_lut, const int16_t *one_over_one_plus_x_lut,
                    const int16_t *input, int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_SOFTMAX_H */
