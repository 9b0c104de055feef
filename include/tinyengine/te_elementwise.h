/* tinyengine: element-wise binary ops with broadcasting (ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE,
 * MAXIMUM, MINIMUM, FLOOR_DIV, FLOOR_MOD, comparisons, LOGICAL_AND/OR), and the few ops of the
 * same shape family (ADD_N, SELECT, LOGICAL_NOT).
 *
 * Kernel names are te_<op>_<type>: s8 (int8, and legacy uint8 moved to int8 storage), s16,
 * s32, s64, f32, b (bool, one byte 0/1). Every kernel computes what LiteRT's reference kernel
 * computes (tensorflow/lite/kernels/<op>.cc Prepare + internal/reference/<op>.h), element by
 * element; the walk over the (broadcast) shape is the generator's simplified one below. */
#ifndef TINYENGINE_TE_ELEMENTWISE_H
#define TINYENGINE_TE_ELEMENTWISE_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TE_ELEMENTWISE_MAX_DIMS 6

/* The iteration space, as the generator simplified it: the output is walked in row-major
 * order over `ndim` dimensions (outermost first); each input advances by its own stride in
 * every dimension, 0 where it is broadcast. Same-shape tensors become one dimension with
 * strides 1/1. The generator merges every pair of dimensions it can, so the innermost
 * stride of an input is 1 (contiguous) or 0 (broadcast). */
typedef struct {
    int32_t ndim;
    int32_t shape[TE_ELEMENTWISE_MAX_DIMS];
    int32_t stride1[TE_ELEMENTWISE_MAX_DIMS];
    int32_t stride2[TE_ELEMENTWISE_MAX_DIMS];
} te_broadcast_shape;

/* TFLite's general quantized ADD / SUB rescaling (add.cc / sub.cc Prepare): both inputs are
 * moved to a common scale with `left_shift` extra bits (20 for 8-bit, 15 for int16), summed
 * or subtracted, and rescaled to the output. Every shift is <= 0. SQUARED_DIFFERENCE (int8)
 * uses the same fields with left_shift 7, squaring the difference before the output rescale;
 * the quantized comparisons use the input fields only (left_shift 8). */
typedef struct {
    int32_t input1_offset;      /* -input1 zero point */
    int32_t input2_offset;      /* -input2 zero point */
    int32_t output_offset;      /* output zero point */
    int32_t left_shift;
    int32_t input1_multiplier, input1_shift;
    int32_t input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
} te_add_params;
typedef te_add_params te_sub_params;
typedef te_add_params te_squared_difference_params;
typedef te_add_params te_compare_params;

/* int16 ADD / SUB with power-of-two scales and zero points 0 (the reference's Add / Sub16
 * path when pot_scale_int16 holds): one input is rounding-shifted right by -shift (<= 0),
 * then a saturating 16-bit add (ADD) or a plain subtraction (SUB), then the clamp. */
typedef struct {
    int32_t input1_shift, input2_shift;
    int32_t act_min, act_max;
} te_add_pot_params;

/* Quantized MUL / DIV (mul.cc, div.cc): offsets, one output multiplier (any shift). */
typedef struct {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
} te_mul_params;
typedef te_mul_params te_div_params;

/* Unquantized arithmetic: the fused activation's clamp. */
typedef struct { int32_t act_min, act_max; } te_act_s32_params;
typedef struct { int64_t act_min, act_max; } te_act_s64_params;
typedef struct { float act_min, act_max; } te_act_f32_params;
/* Ops without parameters take this (ignored). */
typedef struct { int32_t unused; } te_no_params;

#define TE_BINARY_DECL(name, ptype, tin, tout) \
    void name(const ptype *p, const te_broadcast_shape *s, const tin *input1, const tin *input2, tout *output)

/* ADD */
TE_BINARY_DECL(te_add_s8, te_add_params, int8_t, int8_t);
TE_BINARY_DECL(te_add_s16, te_add_params, int16_t, int16_t);
TE_BINARY_DECL(te_add_pot_s16, te_add_pot_params, int16_t, int16_t);
TE_BINARY_DECL(te_add_s32, te_act_s32_params, int32_t, int32_t);
TE_BINARY_DECL(te_add_s64, te_act_s64_params, int64_t, int64_t);
TE_BINARY_DECL(te_add_f32, te_act_f32_params, float, float);
/* SUB */
TE_BINARY_DECL(te_sub_s8, te_sub_params, int8_t, int8_t);
TE_BINARY_DECL(te_sub_s16, te_sub_params, int16_t, int16_t);
TE_BINARY_DECL(te_sub_pot_s16, te_add_pot_params, int16_t, int16_t);
TE_BINARY_DECL(te_sub_s32, te_act_s32_params, int32_t, int32_t);
TE_BINARY_DECL(te_sub_s64, te_act_s64_params, int64_t, int64_t);
TE_BINARY_DECL(te_sub_f32, te_act_f32_params, float, float);
/* MUL */
TE_BINARY_DECL(te_mul_s8, te_mul_params, int8_t, int8_t);
TE_BINARY_DECL(te_mul_s16, te_mul_params, int16_t, int16_t);
TE_BINARY_DECL(te_mul_s32, te_act_s32_params, int32_t, int32_t);
TE_BINARY_DECL(te_mul_s64, te_act_s64_params, int64_t, int64_t);
TE_BINARY_DECL(te_mul_f32, te_act_f32_params, float, float);
/* DIV: the integer kernels return non-zero (and write nothing) when a divisor is zero
 * (quantized: equal to its zero point), as the reference's Eval fails. */
int te_div_s8(const te_div_params *p, const te_broadcast_shape *s, const int8_t *input1,
              const int8_t *input2, int8_t *output, int32_t input2_count);
int te_div_s16(const te_div_params *p, const te_broadcast_shape *s, const int16_t *input1,
               const int16_t *input2, int16_t *output, int32_t input2_count);
int te_div_s32(const te_act_s32_params *p, const te_broadcast_shape *s, const int32_t *input1,
               const int32_t *input2, int32_t *output, int32_t input2_count);
TE_BINARY_DECL(te_div_f32, te_act_f32_params, float, float);
/* SQUARED_DIFFERENCE */
TE_BINARY_DECL(te_squared_difference_s8, te_squared_difference_params, int8_t, int8_t);
TE_BINARY_DECL(te_squared_difference_s32, te_no_params, int32_t, int32_t);
TE_BINARY_DECL(te_squared_difference_f32, te_no_params, float, float);
/* MAXIMUM / MINIMUM: raw values (the reference compares stored values, whatever the scales) */
TE_BINARY_DECL(te_maximum_s8, te_no_params, int8_t, int8_t);
TE_BINARY_DECL(te_maximum_s16, te_no_params, int16_t, int16_t);
TE_BINARY_DECL(te_maximum_s32, te_no_params, int32_t, int32_t);
TE_BINARY_DECL(te_maximum_s64, te_no_params, int64_t, int64_t);
TE_BINARY_DECL(te_maximum_f32, te_no_params, float, float);
TE_BINARY_DECL(te_minimum_s8, te_no_params, int8_t, int8_t);
TE_BINARY_DECL(te_minimum_s16, te_no_params, int16_t, int16_t);
TE_BINARY_DECL(te_minimum_s32, te_no_params, int32_t, int32_t);
TE_BINARY_DECL(te_minimum_s64, te_no_params, int64_t, int64_t);
TE_BINARY_DECL(te_minimum_f32, te_no_params, float, float);
/* FLOOR_DIV / FLOOR_MOD: integer kernels return non-zero (writing nothing) on a zero divisor;
 * FLOOR_DIV f32 too (the reference refuses a zero float divisor as well). */
#define TE_FLOOR_DECL(name, t) \
    int name(const te_no_params *p, const te_broadcast_shape *s, const t *input1, const t *input2, t *output, \
             int32_t input2_count)
TE_FLOOR_DECL(te_floor_div_s8, int8_t);
TE_FLOOR_DECL(te_floor_div_s16, int16_t);
TE_FLOOR_DECL(te_floor_div_s32, int32_t);
TE_FLOOR_DECL(te_floor_div_f32, float);
TE_FLOOR_DECL(te_floor_mod_s8, int8_t);
TE_FLOOR_DECL(te_floor_mod_s16, int16_t);
TE_FLOOR_DECL(te_floor_mod_s32, int32_t);
TE_FLOOR_DECL(te_floor_mod_s64, int64_t);
TE_FLOOR_DECL(te_floor_mod_f32, float);
/* Comparisons: bool output (one byte, 0 or 1). _q8 / _q16: the quantized comparison with
 * rescaling (te_compare_params); the others compare raw values. */
#define TE_COMPARE_DECLS(op) \
    TE_BINARY_DECL(te_##op##_q8, te_compare_params, int8_t, uint8_t); \
    TE_BINARY_DECL(te_##op##_q16, te_compare_params, int16_t, uint8_t); \
    TE_BINARY_DECL(te_##op##_s16, te_no_params, int16_t, uint8_t); \
    TE_BINARY_DECL(te_##op##_s32, te_no_params, int32_t, uint8_t); \
    TE_BINARY_DECL(te_##op##_s64, te_no_params, int64_t, uint8_t); \
    TE_BINARY_DECL(te_##op##_f32, te_no_params, float, uint8_t); \
    TE_BINARY_DECL(te_##op##_b, te_no_params, uint8_t, uint8_t)
TE_COMPARE_DECLS(equal);
TE_COMPARE_DECLS(not_equal);
TE_COMPARE_DECLS(less);
TE_COMPARE_DECLS(less_equal);
/* GREATER(a, b) is LESS(b, a) and GREATER_EQUAL(a, b) is LESS_EQUAL(b, a), as in the reference:
 * the generator swaps the inputs. */
/* LOGICAL_AND / LOGICAL_OR on bool */
TE_BINARY_DECL(te_logical_and_b, te_no_params, uint8_t, uint8_t);
TE_BINARY_DECL(te_logical_or_b, te_no_params, uint8_t, uint8_t);
/* LOGICAL_NOT: out[i] = !in[i] (in place safe). */
void te_logical_not_b(const uint8_t *input, uint8_t *output, int32_t count);

/* ADD_N: output = 0 + in[0] + in[1] + ... in input order, each partial sum clamped to the
 * type's range as the reference's pairwise Add does (float: +-FLT_MAX). Same shapes. */
void te_add_n_s32(const int32_t *const *inputs, int32_t num_inputs, int32_t *output, int32_t count);
void te_add_n_f32(const float *const *inputs, int32_t num_inputs, float *output, int32_t count);

/* SELECT / SELECT_V2: output = condition ? x : y, element size `elem` bytes, over a walk with
 * three strides (condition, x, y). */
typedef struct {
    int32_t ndim;
    int32_t shape[TE_ELEMENTWISE_MAX_DIMS];
    int32_t stride_c[TE_ELEMENTWISE_MAX_DIMS];
    int32_t stride_x[TE_ELEMENTWISE_MAX_DIMS];
    int32_t stride_y[TE_ELEMENTWISE_MAX_DIMS];
} te_select_shape;
void te_select(const te_select_shape *s, int32_t elem, const uint8_t *condition, const void *x,
               const void *y, void *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_ELEMENTWISE_H */
