/* tinyengine: activations and other one-input elementwise ops.
 *
 * Every 8-bit (int8, and legacy uint8 in int8 storage) unary op is a pure function of the
 * input byte, so the generator evaluates the reference arithmetic (HARD_SWISH's 16-bit fixed
 * point, LEAKY_RELU's and RELU's requantization, TANH's / GELU's / EXP's float transform and
 * rounding) for all 256 inputs at generation time and the kernel is one table lookup per
 * element: te_lut_s8, shared by every 8-bit op of the family (and by LOGISTIC). The int16 ops
 * are integer kernels that follow the reference line by line (or its 513-entry interpolated
 * table, te_lut_s16); the float ops repeat the reference's float operations in order.
 * Every kernel here is safe in place (output == input).
 */
#ifndef TINYENGINE_TE_ACTIVATION_H
#define TINYENGINE_TE_ACTIVATION_H

#include "tinyengine/te_common.h"
#include "tinyengine/te_elementwise.h" /* te_broadcast_shape (PRELU's alpha broadcast) */

#ifdef __cplusplus
extern "C" {
#endif

/* output[i] = lut[(uint8_t)input[i]]: the int8 table is ordered by the input byte read as
 * uint8 (0..127, then -128..-1). Portable C, an unrolled Arm DSP-core loop, Helium gathers. */
void te_lut_s8(int32_t size, const int8_t *lut, const int8_t *input, int8_t *output);

/* LiteRT's int16 LUTLookup: a 513-entry table over the whole int16 input range, linear
 * interpolation between entries (index 256 + (x >> 7), 7 fractional bits). */
void te_lut_s16(int32_t size, const int16_t *lut, const int16_t *input, int16_t *output);

/* Quantized ReluX (RELU, RELU6 on int16): rescale, then clamp. */
typedef struct {
    int32_t size;
    int32_t input_offset;      /* input zero point (subtracted) */
    int32_t output_offset;     /* output zero point (added) */
    int32_t output_multiplier; /* QuantizeMultiplier(input_scale / output_scale) */
    int32_t output_shift;
    int32_t act_min, act_max;  /* quantized activation range */
} te_relu_params;
void te_relu_s16(const te_relu_params *p, const int16_t *input, int16_t *output);

/* QuantizeLeakyRelu: identity multiplier for x >= 0, |alpha| multiplier (negated back when
 * alpha < 0) for x < 0. */
typedef struct {
    int32_t size;
    int32_t input_offset;
    int32_t output_offset;
    int32_t multiplier_identity, shift_identity;
    int32_t multiplier_alpha, shift_alpha; /* multiplier_alpha < 0 for a negative alpha */
} te_leaky_relu_params;
void te_leaky_relu_s16(const te_leaky_relu_params *p, const int16_t *input, int16_t *output);

/* int16 TANH / LOGISTIC (reference_integer_ops): input scaled by input_multiplier (3 <<
 * input_left_shift for power-of-two scales) and interpolated in the sigmoid table. */
typedef struct {
    int32_t size;
    int32_t input_multiplier;
    int32_t input_left_shift;
} te_tanh_params;
void te_tanh_s16(const te_tanh_params *p, const int16_t *input, int16_t *output);
void te_logistic_s16(const te_tanh_params *p, const int16_t *input, int16_t *output);

/* PRELU: x >= 0 ? rescale(x) : rescale(x * alpha), alpha broadcast to the input's shape
 * (shape->stride1 walks the input/output, shape->stride2 the alpha tensor). */
typedef struct {
    int32_t input_offset; /* -input zero point */
    int32_t alpha_offset; /* -alpha zero point */
    int32_t output_offset;
    int32_t output_multiplier_1, output_shift_1; /* input_scale / output_scale */
    int32_t output_multiplier_2, output_shift_2; /* input_scale * alpha_scale / output_scale */
} te_prelu_params;
void te_prelu_s8(const te_prelu_params *p, const te_broadcast_shape *s, const int8_t *input,
                 const int8_t *alpha, int8_t *output);
void te_prelu_s16(const te_prelu_params *p, const te_broadcast_shape *s, const int16_t *input,
                  const int8_t *alpha, int16_t *output);
void te_prelu_f32(const te_broadcast_shape *s, const float *input, const float *alpha, float *output);

/* Float ops: the reference's float expression, one element at a time. */
typedef struct {
    int32_t size;
    float lo, hi; /* RELU family: clamp bounds; LEAKY_RELU: alpha in lo */
} te_unary_f32_params;
void te_relu_f32(const te_unary_f32_params *p, const float *input, float *output);   /* lower bound only */
void te_relu_n_f32(const te_unary_f32_params *p, const float *input, float *output); /* lo and hi */
void te_leaky_relu_f32(const te_unary_f32_params *p, const float *input, float *output);
void te_hard_swish_f32(const te_unary_f32_params *p, const float *input, float *output);
void te_abs_f32(const te_unary_f32_params *p, const float *input, float *output);
void te_neg_f32(const te_unary_f32_params *p, const float *input, float *output);
void te_square_f32(const te_unary_f32_params *p, const float *input, float *output);
void te_sqrt_f32(const te_unary_f32_params *p, const float *input, float *output);
void te_rsqrt_f32(const te_unary_f32_params *p, const float *input, float *output);
void te_floor_f32(const te_unary_f32_params *p, const float *input, float *output);

/* L2_NORMALIZATION over the last axis: int8 (output scale 1/128, zero point 0), legacy uint8
 * (zero point 128, in int8 storage) and float (epsilon 1e-6). */
typedef struct {
    int32_t outer;
    int32_t depth;
    int32_t input_zero_point; /* in the stored (int8) domain */
    int32_t legacy_uint8;     /* 1: reference_ops::L2Normalization<uint8_t>'s arithmetic */
} te_l2norm_params;
void te_l2_normalization_s8(const te_l2norm_params *p, const int8_t *input, int8_t *output);
void te_l2_normalization_f32(const te_l2norm_params *p, const float *input, float *output);
/* GetInvSqrtQuantizedMultiplierExp(input, -1): 1 / sqrt(input) ~ multiplier * 2^(shift - 31). */
void te_inv_sqrt_quantized_multiplier_exp(int32_t input, int32_t *multiplier, int32_t *shift);

/* ABS (quantized int16: |x - zp| rescaled, in te_relu_params with the int16 range; int32: std::abs),
 * NEG (wrapping), SQRT on quantized int16 (float sqrt, truncated). */
void te_abs_s16(const te_relu_params *p, const int16_t *input, int16_t *output);
void te_abs_s32(int32_t size, const int32_t *input, int32_t *output);
void te_neg_s16(int32_t size, const int16_t *input, int16_t *output);
void te_neg_s32(int32_t size, const int32_t *input, int32_t *output);
void te_neg_s64(int32_t size, const int64_t *input, int64_t *output);
typedef struct {
    int32_t size;
    float input_scale;
    int32_t input_zero_point;
    float output_scale;
    int32_t output_zero_point;
} te_sqrt_params;
void te_sqrt_s16(const te_sqrt_params *p, const int16_t *input, int16_t *output);

/* CAST between int8 (s8), uint8 (u8), legacy uint8 in int8 storage (u8f), int16, int32, int64,
 * float32 and bool (b, one byte 0/1): te_cast_<from>_<to>. Safe in place when both types have
 * the same size. */
void te_cast_s8_s8(int32_t size, const int8_t *input, int8_t *output);
void te_cast_s8_u8(int32_t size, const int8_t *input, uint8_t *output);
void te_cast_s8_u8f(int32_t size, const int8_t *input, int8_t *output);
void te_cast_s8_s16(int32_t size, const int8_t *input, int16_t *output);
void te_cast_s8_s32(int32_t size, const int8_t *input, int32_t *output);
void te_cast_s8_s64(int32_t size, const int8_t *input, int64_t *output);
void te_cast_s8_f32(int32_t size, const int8_t *input, float *output);
void te_cast_s8_b(int32_t size, const int8_t *input, uint8_t *output);
void te_cast_u8_s8(int32_t size, const uint8_t *input, int8_t *output);
void te_cast_u8_u8(int32_t size, const uint8_t *input, uint8_t *output);
void te_cast_u8_u8f(int32_t size, const uint8_t *input, int8_t *output);
void te_cast_u8_s16(int32_t size, const uint8_t *input, int16_t *output);
void te_cast_u8_s32(int32_t size, const uint8_t *input, int32_t *output);
void te_cast_u8_s64(int32_t size, const uint8_t *input, int64_t *output);
void te_cast_u8_f32(int32_t size, const uint8_t *input, float *output);
void te_cast_u8_b(int32_t size, const uint8_t *input, uint8_t *output);
void te_cast_u8f_s8(int32_t size, const int8_t *input, int8_t *output);
void te_cast_u8f_u8(int32_t size, const int8_t *input, uint8_t *output);
void te_cast_u8f_u8f(int32_t size, const int8_t *input, int8_t *output);
void te_cast_u8f_s16(int32_t size, const int8_t *input, int16_t *output);
void te_cast_u8f_s32(int32_t size, const int8_t *input, int32_t *output);
void te_cast_u8f_s64(int32_t size, const int8_t *input, int64_t *output);
void te_cast_u8f_f32(int32_t size, const int8_t *input, float *output);
void te_cast_u8f_b(int32_t size, const int8_t *input, uint8_t *output);
void te_cast_s16_s8(int32_t size, const int16_t *input, int8_t *output);
void te_cast_s16_u8(int32_t size, const int16_t *input, uint8_t *output);
void te_cast_s16_u8f(int32_t size, const int16_t *input, int8_t *output);
void te_cast_s16_s16(int32_t size, const int16_t *input, int16_t *output);
void te_cast_s16_s32(int32_t size, const int16_t *input, int32_t *output);
void te_cast_s16_s64(int32_t size, const int16_t *input, int64_t *output);
void te_cast_s16_f32(int32_t size, const int16_t *input, float *output);
void te_cast_s16_b(int32_t size, const int16_t *input, uint8_t *output);
void te_cast_s32_s8(int32_t size, const int32_t *input, int8_t *output);
void te_cast_s32_u8(int32_t size, const int32_t *input, uint8_t *output);
void te_cast_s32_u8f(int32_t size, const int32_t *input, int8_t *output);
void te_cast_s32_s16(int32_t size, const int32_t *input, int16_t *output);
void te_cast_s32_s32(int32_t size, const int32_t *input, int32_t *output);
void te_cast_s32_s64(int32_t size, const int32_t *input, int64_t *output);
void te_cast_s32_f32(int32_t size, const int32_t *input, float *output);
void te_cast_s32_b(int32_t size, const int32_t *input, uint8_t *output);
void te_cast_s64_s8(int32_t size, const int64_t *input, int8_t *output);
void te_cast_s64_u8(int32_t size, const int64_t *input, uint8_t *output);
void te_cast_s64_u8f(int32_t size, const int64_t *input, int8_t *output);
void te_cast_s64_s16(int32_t size, const int64_t *input, int16_t *output);
void te_cast_s64_s32(int32_t size, const int64_t *input, int32_t *output);
void te_cast_s64_s64(int32_t size, const int64_t *input, int64_t *output);
void te_cast_s64_f32(int32_t size, const int64_t *input, float *output);
void te_cast_s64_b(int32_t size, const int64_t *input, uint8_t *output);
void te_cast_f32_s8(int32_t size, const float *input, int8_t *output);
void te_cast_f32_u8(int32_t size, const float *input, uint8_t *output);
void te_cast_f32_u8f(int32_t size, const float *input, int8_t *output);
void te_cast_f32_s16(int32_t size, const float *input, int16_t *output);
void te_cast_f32_s32(int32_t size, const float *input, int32_t *output);
void te_cast_f32_s64(int32_t size, const float *input, int64_t *output);
void te_cast_f32_f32(int32_t size, const float *input, float *output);
void te_cast_f32_b(int32_t size, const float *input, uint8_t *output);
void te_cast_b_s8(int32_t size, const uint8_t *input, int8_t *output);
void te_cast_b_u8(int32_t size, const uint8_t *input, uint8_t *output);
void te_cast_b_u8f(int32_t size, const uint8_t *input, int8_t *output);
void te_cast_b_s16(int32_t size, const uint8_t *input, int16_t *output);
void te_cast_b_s32(int32_t size, const uint8_t *input, int32_t *output);
void te_cast_b_s64(int32_t size, const uint8_t *input, int64_t *output);
void te_cast_b_f32(int32_t size, const uint8_t *input, float *output);
void te_cast_b_b(int32_t size, const uint8_t *input, uint8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_ACTIVATION_H */
