/* tinyengine: float32 kernels of the compute ops (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
 * AVERAGE/MAX/L2_POOL_2D), the element-wise transcendental ops (EXP, LOG, TANH, ELU, SIN, COS) and
 * UNIDIRECTIONAL_SEQUENCE_LSTM (src/te_lstm_f32.c).
 *
 * Each kernel repeats LiteRT's float reference kernel operation for operation: every output's
 * sum runs over the taps in the reference's order (filter row, filter column, input channel),
 * out-of-image taps are skipped (not multiplied by zero), the bias is added after the sum (0.0f
 * when there is none, as the reference adds), and the fused activation clamps with
 * min(max(x, lo), hi). The transcendental functions are tinyengine's (te_math.h), so the bytes
 * are the reference's on every core. Compiled without multiply-add contraction (te_math.h).
 * Kernels compute several output channels at a time with one accumulator each: the order of
 * every single sum is unchanged.
 */
#ifndef TINYENGINE_TE_FLOAT_H
#define TINYENGINE_TE_FLOAT_H

#include "tinyengine/te_common.h"
#include "tinyengine/te_activation.h" /* te_unary_f32_params */

#ifdef __cplusplus
extern "C" {
#endif

/* Fused activation range of a float op (CalculateActivationRange<float>): NONE is
 * [-FLT_MAX, FLT_MAX], so infinities clamp to the largest finite values, as the reference does. */
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t filter_in_c;        /* in_c / groups */
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;
    float act_min, act_max;
} te_conv2d_f32_params;

/* NHWC input, OHWI filter (groups = in_c / filter_in_c), bias may be NULL. */
void te_conv2d_f32(const te_conv2d_f32_params *p, const float *input, const float *filter,
                   const float *bias, float *output);

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;  /* in_c * depth_multiplier */
    int32_t depth_multiplier;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;
    float act_min, act_max;
} te_depthwise_conv2d_f32_params;

/* NHWC input, 1HWO filter, bias may be NULL. */
void te_depthwise_conv2d_f32(const te_depthwise_conv2d_f32_params *p, const float *input, const float *filter,
                             const float *bias, float *output);

typedef struct {
    int32_t batches;
    int32_t accum_depth;
    int32_t out_c;
    float act_min, act_max;
} te_fully_connected_f32_params;

/* [batches, accum_depth] x [out_c, accum_depth]^T (+ bias, may be NULL). */
void te_fully_connected_f32(const te_fully_connected_f32_params *p, const float *input, const float *weights,
                            const float *bias, float *output);

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, channels;
    int32_t out_h, out_w;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    float act_min, act_max;
} te_pool_f32_params;

/* Window over the in-image taps only. Average: sum / count (count as float); every window must
 * hold a pixel (the generator checks it). Max: starts from -FLT_MAX. L2: sqrt(sum of squares /
 * count). */
void te_avg_pool2d_f32(const te_pool_f32_params *p, const float *input, float *output);
void te_max_pool2d_f32(const te_pool_f32_params *p, const float *input, float *output);
void te_l2_pool2d_f32(const te_pool_f32_params *p, const float *input, float *output);

/* Element-wise ops over `size` values (te_unary_f32_params of te_activation.h; lo and hi unused),
 * safe in place: std::exp, std::log, std::tanh, std::sin,
 * std::cos of the reference; ELU is x < 0 ? expm1(x) : x. */
void te_exp_f32(const te_unary_f32_params *p, const float *input, float *output);
void te_log_f32(const te_unary_f32_params *p, const float *input, float *output);
void te_tanh_f32(const te_unary_f32_params *p, const float *input, float *output);
void te_sin_f32(const te_unary_f32_params *p, const float *input, float *output);
void te_cos_f32(const te_unary_f32_params *p, const float *input, float *output);
void te_elu_f32(const te_unary_f32_params *p, const float *input, float *output);

/* GELU (reference_ops::Gelu): 0.5 x erfc(-x / sqrt 2), or with approximate 0.5 x (1 + tanh(
 * sqrt(2 / pi) (x + 0.044715 x^3))), with Eigen's erfc and tanh as LiteRT's x86-64 build runs
 * them (see te_float.c). Safe in place. */
typedef struct {
    int32_t size;
    int32_t approximate;
} te_gelu_f32_params;
void te_gelu_f32(const te_gelu_f32_params *p, const float *input, float *output);
/* Eigen's float tanh (scalar_tanh_op<float>, x86 SSE build): used by GELU and the float LSTM. */
float te_eigen_tanhf(float x);

/* UNIDIRECTIONAL_SEQUENCE_LSTM, float: no CIFG, peephole, projection or layer normalization;
 * one batch row per step (batch-major, or time-major with one batch). Gates in the order input,
 * forget, cell, output; weights row-major [n_cell][n_input] and [n_cell][n_cell]. h_state and
 * c_state ([n_batch][n_cell]) are read at the start and hold the final states at the end.
 * scratch: 5 * n_cell floats. See src/te_lstm_f32.c for whose arithmetic this repeats. */
#define TE_LSTM_F32_TANH 4    /* TfLiteFusedActivation values */
#define TE_LSTM_F32_SIGMOID 6
typedef struct {
    int32_t n_batch, n_steps, n_input, n_cell;
    int32_t time_major;
    int32_t activation;  /* of the cell gate and the cell output: TE_LSTM_F32_TANH (the gates: sigmoid) */
    float cell_clip;     /* > 0: the cell state is clipped to [-cell_clip, cell_clip] */
} te_lstm_f32_params;
typedef struct {
    const float *w_in[4];
    const float *w_rec[4];
    const float *bias[4];
} te_lstm_f32_weights;
void te_lstm_f32(const te_lstm_f32_params *p, const te_lstm_f32_weights *w, const float *input, float *output,
                 float *h_state, float *c_state, float *scratch);
/* Scratch of te_lstm_f32: the four gates of one row and the accumulator row, 4-byte aligned. */
#define te_lstm_f32_scratch_bytes(n_cell) ((size_t)5 * sizeof(float) * (size_t)(n_cell))

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_FLOAT_H */
