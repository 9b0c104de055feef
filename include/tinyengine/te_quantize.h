/* tinyengine: QUANTIZE, DEQUANTIZE, requantization and the uint8 <-> int8 edge flip.
 *
 * These sit at the edges of a model (float or uint8 inputs and outputs). Every
 * kernel is element-wise and reproduces LiteRT's reference arithmetic exactly:
 *   float -> 8 bit:  roundf(x / scale) + zero_point, clamped (reference_ops::AffineQuantize);
 *   8 bit -> float:  scale * (q - zero_point) (reference_integer_ops::Dequantize);
 *   8 bit -> 8 bit:  MultiplyByQuantizedMultiplier(q - zp_in) + zp_out (reference_ops::Requantize).
 * None of them needs libm accuracy: division, multiplication and roundf are exact IEEE operations.
 */
#ifndef TINYENGINE_TE_QUANTIZE_H
#define TINYENGINE_TE_QUANTIZE_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t size;        /* elements */
    float scale;         /* output scale (float32, as stored in the model) */
    int32_t zero_point;  /* output zero point */
} te_quantize_params;

/* float -> int8 / uint8. Safe in place (output over the float input, same start). */
void te_quantize_f32_s8(const te_quantize_params *p, const float *input, int8_t *output);
void te_quantize_f32_u8(const te_quantize_params *p, const float *input, uint8_t *output);

typedef struct {
    int32_t size;
    float scale;         /* input scale */
    int32_t zero_point;  /* input zero point */
} te_dequantize_params;

/* int8 / uint8 -> float. Safe in place (the loop runs backwards: the float output may start
 * where the 8-bit input starts). */
void te_dequantize_s8_f32(const te_dequantize_params *p, const int8_t *input, float *output);
void te_dequantize_u8_f32(const te_dequantize_params *p, const uint8_t *input, float *output);

typedef struct {
    int32_t size;
    int32_t multiplier;         /* QuantizeMultiplier((double)in_scale / (double)out_scale) */
    int32_t shift;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t flip_only;          /* 1: same scale and zero points 128 apart: out = in ^ 0x80 */
} te_requantize_params;

/* 8 bit -> 8 bit, every signedness pair. Safe in place. */
void te_requantize_s8_s8(const te_requantize_params *p, const int8_t *input, int8_t *output);
void te_requantize_s8_u8(const te_requantize_params *p, const int8_t *input, uint8_t *output);
void te_requantize_u8_s8(const te_requantize_params *p, const uint8_t *input, int8_t *output);
void te_requantize_u8_u8(const te_requantize_params *p, const uint8_t *input, uint8_t *output);

/* TE_FLIP_SIGN: uint8 <-> int8 storage of the same values (q - 128), toggling bit 7. Safe in place. */
void te_flip_sign_u8_s8(int32_t size, const uint8_t *input, int8_t *output);
void te_flip_sign_s8_u8(int32_t size, const int8_t *input, uint8_t *output);

/* ---- 16-bit (and int32) edges: the same reference arithmetic on wider types ---- */
void te_quantize_f32_s16(const te_quantize_params *p, const float *input, int16_t *output);
void te_dequantize_s16_f32(const te_dequantize_params *p, const int16_t *input, float *output);
/* Requantize between int8, uint8, int16 and int32 (the pairs LiteRT's QUANTIZE accepts).
 * Safe in place (output starting where the input starts): widening ones run backwards. */
void te_requantize_s8_s16(const te_requantize_params *p, const int8_t *input, int16_t *output);
void te_requantize_u8_s16(const te_requantize_params *p, const uint8_t *input, int16_t *output);
void te_requantize_s16_s8(const te_requantize_params *p, const int16_t *input, int8_t *output);
void te_requantize_s16_s16(const te_requantize_params *p, const int16_t *input, int16_t *output);
void te_requantize_s16_s32(const te_requantize_params *p, const int16_t *input, int32_t *output);
void te_requantize_s32_s8(const te_requantize_params *p, const int32_t *input, int8_t *output);
void te_requantize_s32_s16(const te_requantize_params *p, const int32_t *input, int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_QUANTIZE_H */
