/* tinyengine: DEPTHWISE_CONV_2D (int8 activations, int8 weights, per-channel requantization;
 * legacy uint8 models arrive moved to int8 storage, with a non-zero filter offset).
 */
#ifndef TINYENGINE_TE_DEPTHWISE_H
#define TINYENGINE_TE_DEPTHWISE_H

#include "tinyengine/te_common.h"
#include "tinyengine/te_conv.h" /* te_requant_per_channel */

#ifdef __cplusplus
extern "C" {
#endif

/* Input NHWC, output NHWC with out_c = in_c * depth_mult; output channel oc reads input channel
 * oc / depth_mult. */
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t depth_mult;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;  /* TFLite SAME padding puts the odd pixel after */
    int32_t input_offset;       /* -input zero point */
    int32_t filter_offset;      /* -filter zero point (already added to the weights) */
    int32_t output_offset;      /* output zero point */
    int32_t act_min, act_max;
    int32_t row_len;            /* planar kernel: int16 values per window row (see below) */
    int32_t buf_rows;           /* planar kernel: window rows, >= (k_h - 1) * dil_h + 1 + stride_h
                                 * (two output rows) or the whole padded channel */
    int32_t ring_rows;          /* direct kernel: output rows held back when writing over the
                                 * input, max(1, pad_top + 2 - stride_h); 0: never in place */
    int32_t plane_w;            /* direct kernel: > 0 selects plane mode, each group's input copied
                                 * into a plane padded with the input zero point, plane_w =
                                 * pad_left + in_w + right padding columns wide and pad_top + in_h +
                                 * bottom padding rows high (every pixel is then an interior pixel) */
} te_dw_params;

/* The whole op, every batch and channel.
 *
 * filter: int8, as the model stores it: [k_h][k_w][out_c] (the kernels add filter_offset).
 * rq (planar kernel; unused by the direct one): rq->bias is the folded bias, bias[oc] +
 *   input_offset * sum over the filter of (w + filter_offset), wrapped to int32: the kernels
 *   pad with the input zero point instead of skipping taps and never add the input offset.
 * requant4: NULL for the planar kernel (one channel at a time, any shape). Non-NULL selects the
 *   direct kernel (NHWC, 4 channels at a time; needs depth_mult 1, in_c % 4 == 0, dilation 1):
 *   per group of 4 channels 20 int32: the 4 folded biases, then per channel either
 *   (multiplier, 2^(e-2) + output_offset * 2^(e-1), e - 1, 0) for shift = -e, 2 <= e <= 23,
 *   when all 4 channels have such shifts, or (multiplier, shift, output_offset, 1).
 * scratch (4-byte aligned):
 *   planar: 4 * k_h * ((k_w + 1) / 2) + 4 * buf_rows + 2 * buf_rows * row_len bytes (one
 *     channel's weights, a column of accumulators, the window), row_len even, >= pad_left + in_w and >=
 *     (out_w - 1) * stride_w + max(2 * ((k_w + 1) / 2), (k_w - 1) * dil_w + 1);
 *   direct: k_h * k_w * 8 (one group's weights as int16), then in plane mode plane_w * plane
 *     rows * 4 (the padded plane of one group), else (if it may run in place) ring_rows *
 *     out_w * 4 bytes (a ring of output rows of one group of 4 channels).
 *
 * In place: with depth_mult 1, output may be the input buffer itself (output element (p, c)
 * overwrites input element (p, c)), provided out_w <= in_w, out_h <= in_h and
 * pad_top < (k_h - 1) * dil_h + 1. The planar kernel copies a channel's input rows into its
 * window before writing any output of that channel that lands on them and never re-reads the
 * input; the direct kernel holds output rows back in a ring until no later output needs the
 * input rows they land on. Output and input otherwise must not overlap. */
void te_depthwise_conv2d_s8(const te_dw_params *p, const te_requant_per_channel *rq, const int32_t *requant4,
                            const int8_t *input, const int8_t *filter, int8_t *output, void *scratch);
/* TE_FORCE_PORTABLE builds run it as a plain loop that reads like TFLite Micro's reference kernel
 * (src/te_depthwise.c, dw_reference), on either parameter layout, when the output does not overlap
 * the input (a layer planned in place runs the kernels above); other builds never compile it. */

/* Scratch bytes of te_depthwise_conv2d_s8 (and _wide) for p, direct = (requant4 != NULL): the
 * largest need over the builds, so that one generated model runs on every core: the planar or
 * direct kernel's (see above) and the Helium kernel's int8 window of buf_rows rows of row_len
 * plus 16 bytes of slack (Helium builds run every layer through it). The generator's copy of this
 * formula (ops/depthwise.py, dw_s8_scratch_bytes) is checked against it by tests/test_scratch_sizes.py. */
static inline size_t te_depthwise_conv2d_s8_scratch_bytes(const te_dw_params *p, int direct)
{
    const size_t mve = (size_t)p->row_len * (size_t)p->buf_rows + 16u;
    size_t own;
    if (direct) {
        const size_t plane_h = (size_t)((p->out_h - 1) * p->stride_h + p->k_h);
        own = (size_t)8 * (size_t)(p->k_h * p->k_w) +
              (p->plane_w > 0 ? (size_t)4 * (size_t)p->plane_w * plane_h
                              : (size_t)4 * (size_t)p->ring_rows * (size_t)p->out_w);
    } else {
        own = (size_t)4 * (size_t)(p->k_h * ((p->k_w + 1) / 2)) + (size_t)4 * (size_t)p->buf_rows +
              (size_t)2 * (size_t)p->buf_rows * (size_t)p->row_len;
    }
    return own > mve ? own : mve;
}

/* te_depthwise_conv2d_s8 with requant4 NULL (the planar kernel), for layers with 7-8 wide
 * filters, dil_w 1, an even stride_w and the whole int8 activation range (the generator calls it
 * for them; any other layer runs as te_depthwise_conv2d_s8 would): on DSP builds each filter row
 * reads two weight pairs and two input pairs per LDRD. A separate entry so that models without
 * such a layer do not link that code. Other builds have only te_depthwise_conv2d_s8. */
#if !defined(TE_FORCE_PORTABLE) && (defined(__ARM_FEATURE_DSP) || defined(TE_EMULATE_DSP)) && \
    !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
#define TE_DW_HAVE_WIDE 1
void te_depthwise_conv2d_s8_wide(const te_dw_params *p, const te_requant_per_channel *rq, const int8_t *input,
                                 const int8_t *filter, int8_t *output, void *scratch);
#else
#define te_depthwise_conv2d_s8_wide(p, rq, input, filter, output, scratch) \
    te_depthwise_conv2d_s8((p), (rq), NULL, (input), (filter), (output), (scratch))
#endif

/* te_depthwise_conv2d_s8 with requant4 NULL, for 1-D layers: k_h 1, in_h = out_h 1, depth_mult
 * 1, dil_w 1, stride_w 1 or 2 (a (k, 1) filter over a width-1 map arrives with H and W swapped by
 * the generator: the same memory). On DSP builds without Helium, a kernel of its own (src/
 * te_depthwise.c, dw_1d): per group of 4 channels their padded int16 time series, then per
 * channel pairs of adjacent taps by SMLAD; elsewhere the planar kernel, as
 * te_depthwise_conv2d_s8. A separate entry so that models without such a layer do not link it
 * (and that models whose depthwise layers are all 1-D link neither the planar nor the direct
 * kernel): DSP builds require the shapes above.
 * scratch: the largest of te_depthwise_conv2d_s8_scratch_bytes(p, 0) and
 * te_depthwise_conv2d_s8_1d_scratch_bytes(p). */
#if !defined(TE_FORCE_PORTABLE) && (defined(__ARM_FEATURE_DSP) || defined(TE_EMULATE_DSP)) && \
    !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
#define TE_DW_HAVE_1D 1
void te_depthwise_conv2d_s8_1d(const te_dw_params *p, const te_requant_per_channel *rq, const int8_t *input,
                               const int8_t *filter, int8_t *output, void *scratch);
#else
#define te_depthwise_conv2d_s8_1d(p, rq, input, filter, output, scratch) \
    te_depthwise_conv2d_s8((p), (rq), NULL, (input), (filter), (output), (scratch))
#endif

/* The 1-D kernel's int16 values per time series: even, the padded input (pad_left + in_w) and
 * every position its pairs of outputs read (up to stride_w * out_w + k_w, for stride 1 the pair
 * that ends an odd out_w included), zero-point padding after the input. */
static inline int32_t te_dw_1d_series_len(const te_dw_params *p)
{
    const int32_t a = p->pad_left + p->in_w, b = p->stride_w * p->out_w + p->k_w + 1;
    return ((a > b ? a : b) + 1) & ~1;
}

/* The 1-D kernel's int16 values per channel of weights: even, a zero, the k_w taps and zeros up to
 * the last pair its steps read (index k_w + 2 for an even k_w). */
static inline int32_t te_dw_1d_weights_len(const te_dw_params *p)
{
    return (p->k_w + 4) & ~1;
}

/* Scratch of the 1-D kernel: the int16 weights and time series of a group of 4 channels. */
static inline size_t te_depthwise_conv2d_s8_1d_scratch_bytes(const te_dw_params *p)
{
    return (size_t)8 * (size_t)te_dw_1d_weights_len(p) + (size_t)8 * (size_t)te_dw_1d_series_len(p);
}

/* ---- int16x8 DEPTHWISE_CONV_2D (int16 activations, zero points 0; int8 weights; int64 bias) ----
 * reference_integer_ops::DepthwiseConvPerChannel for int16: output channel oc = ic * depth_mult + m
 * sums w * x over the in-image taps, adds the bias and requantizes (te_requant_s16_apply).
 * Only batches..pad_left and act_min/act_max of p are read. Out of place. scratch:
 * te_depthwise_conv2d_s16_scratch_bytes(k_h, k_w, out_c) bytes, 8-byte aligned (NULL: portable
 * path): per channel 16 bytes of requantization constants and 2 bytes per tap of weights
 * expanded to int16 pairs. */
void te_depthwise_conv2d_s16(const te_dw_params *p, const te_requant_s16 *rq, const int16_t *input,
                             const int8_t *filter, int16_t *output, void *scratch);
#define te_depthwise_conv2d_s16_scratch_bytes(k_h, k_w, out_c) (16 * (out_c) + 2 * (k_h) * (k_w) * (out_c))

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_DEPTHWISE_H */
