/* tinyengine: CONV_2D family (int8 activations, int8 weights, per-channel requantization). */
#ifndef TINYENGINE_TE_CONV_H
#define TINYENGINE_TE_CONV_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Shapes are NHWC (batch folded into the loops), filters OHWI as TFLite stores them. */
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t filter_in_c;        /* in_c / groups */
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;  /* TFLite SAME padding puts the odd pixel after */
    int32_t input_offset;       /* -input zero point */
    int32_t filter_offset;      /* -filter zero point: non-zero only in legacy uint8 models */
    int32_t output_offset;      /* output zero point */
    int32_t act_min, act_max;
} te_conv_params;

/* Per-output-channel requantization (multiplier, shift) as TFLite's QuantizeMultiplier gives them. */
typedef struct {
    const int32_t *bias;        /* may be NULL */
    const int32_t *multiplier;
    const int32_t *shift;
} te_requant_per_channel;

/* Any kernel size, stride, dilation, padding and channel groups.
 * scratch: te_conv2d_s8_scratch_bytes(k_h, k_w, filter_in_c, out_c) bytes, 4-byte aligned (the
 * SIMD paths' im2col columns; NULL selects the portable path). */
void te_conv2d_s8(const te_conv_params *p, const te_requant_per_channel *rq,
                  const int8_t *input, const int8_t *filter, int8_t *output, void *scratch);

/* te_conv2d_s8 for layers whose channel count is a multiple of 4, with dil_w 1 and one group
 * (the generator calls it for them; any other layer is handed to te_conv2d_s8): on DSP builds
 * the columns take one expansion per filter row (its in-image taps are contiguous in NHWC).
 * te_conv2d_s8_rgb3x3: the same for 3x3 over 3 channels with dil_w 1 and one group (the RGB
 * stem): columns put together from whole-word loads, a K = 27 dot product loop; any other
 * layer takes the portable path. Other builds have only te_conv2d_s8. */
#if !defined(TE_FORCE_PORTABLE) && (defined(__ARM_FEATURE_DSP) || defined(TE_EMULATE_DSP)) && \
    !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
#define TE_CONV_HAVE_ROWS 1
#define TE_CONV_HAVE_RGB3X3 1
void te_conv2d_s8_rows(const te_conv_params *p, const te_requant_per_channel *rq,
                       const int8_t *input, const int8_t *filter, int8_t *output, void *scratch);
void te_conv2d_s8_rgb3x3(const te_conv_params *p, const te_requant_per_channel *rq,
                         const int8_t *input, const int8_t *filter, int8_t *output, void *scratch);
#else
#define te_conv2d_s8_rows te_conv2d_s8
#define te_conv2d_s8_rgb3x3 te_conv2d_s8
#endif

/* Pointwise (1x1, no padding, any stride, one group). rq->bias must be the folded bias:
 * bias[oc] + input_offset * (sum(filter[oc]) + in_c * filter_offset) (computed by the
 * generator), so the inner loop is a plain int8 dot product; a non-zero filter_offset (legacy
 * uint8 models) adds filter_offset * sum(x) per pixel. scratch:
 * te_conv2d_1x1_s8_scratch_bytes(in_c) bytes, 4-byte aligned (NULL selects the portable path). */
void te_conv2d_1x1_s8(const te_conv_params *p, const te_requant_per_channel *rq,
                      const int8_t *input, const int8_t *filter, int8_t *output, void *scratch);

/* The same with the output over the input (scratch required, same size): either both start at
 * the same address and out_c <= in_c (any stride), or, with stride 1 and out_c > in_c, the
 * output starts round_up(P * (out_c - in_c), 16) bytes below the input (P = batches * in_h *
 * in_w), so that it ends at or before the input's end. The proof is in src/te_conv.c. */
void te_conv2d_1x1_s8_inplace(const te_conv_params *p, const te_requant_per_channel *rq,
                              const int8_t *input, const int8_t *filter, int8_t *output, void *scratch);

/* Scratch of the SIMD paths (the largest of them, so one generated model fits every core):
 * DSP: 4 int16 columns of K taps rounded up to 4 (+ one int8 window for the generic kernel);
 * Helium: out_c folded biases and five int8 windows of K rounded up to 16 (generic kernel only). */
#define TE_CONV_K4_(k) (((k) + 3) / 4 * 4)
#define TE_CONV_K16_(k) (((k) + 15) / 16 * 16)
#define TE_CONV_MAX_(a, b) ((a) > (b) ? (a) : (b))
#define te_conv2d_s8_scratch_bytes(k_h, k_w, filter_in_c, out_c)                                             \
    TE_CONV_MAX_(9 * TE_CONV_K4_((k_h) * (k_w) * (filter_in_c)),                                            \
                 5 * TE_CONV_K16_((k_h) * (k_w) * (filter_in_c)) + 4 * (out_c))
/* 1x1: DSP: 4 int16 columns of in_c rounded up to 4; in place: one input pixel (portable); Helium:
 * five input pixels rounded up to 16 when in_c > 16, else 16 bytes (never more than the DSP's,
 * written out anyway so that the maximum over the builds is the one definition). */
#define TE_CONV_1X1_MVE_(in_c) ((in_c) > 16 ? 5 * TE_CONV_K16_(in_c) : 16)
#define te_conv2d_1x1_s8_scratch_bytes(in_c) \
    TE_CONV_MAX_(TE_CONV_MAX_(8 * TE_CONV_K4_(in_c), (in_c)), TE_CONV_1X1_MVE_(in_c))

/* ---- int16x8 CONV_2D (int16 activations, zero points 0; int8 weights; int64 or int32 bias) ----
 * reference_integer_ops::ConvPerChannel<AccumScalar> for int16: the sums of w * x over the
 * in-image taps (padded taps skipped; input zero point 0), the bias, then with an int64 bias
 * te_multiply_by_quantized_multiplier_s64, with an int32 bias (quantized_bias_type INT32) the
 * 32-bit sums and te_multiply_by_quantized_multiplier; clamp. No output offset (zero point 0).
 * p->input_offset and p->output_offset are ignored. scratch: te_conv2d_s16_scratch_bytes bytes,
 * 8-byte aligned (NULL selects the portable path). */
void te_conv2d_s16(const te_conv_params *p, const te_requant_s16 *rq, const int16_t *input, const int8_t *filter,
                   int16_t *output, void *scratch);
/* Per output channel 16 bytes of requantization constants, two int16 columns of K taps (K
 * rounded up to 4) and their interleaved copy. */
#define te_conv2d_s16_scratch_bytes(k_h, k_w, filter_in_c, out_c) \
    (16 * (out_c) + 8 * TE_CONV_K4_((k_h) * (k_w) * (filter_in_c)))

/* TE_NO_INLINE_ASM: build the SIMD paths from C and ACLE intrinsics only (see src/te_conv.c). */

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_CONV_H */
