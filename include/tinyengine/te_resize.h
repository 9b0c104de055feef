/* tinyengine: RESIZE_BILINEAR (NHWC).
 *
 * LiteRT's reference has two arithmetics (tflite/kernels/internal/reference/resize_bilinear.h):
 * - int8 and int16: ResizeBilinearInteger, 10-bit fixed-point source positions and a 20-bit
 *   weighted sum rounded half away from zero;
 * - float32 and legacy uint8: ResizeBilinear<T>, float32 positions and weights,
 *   in[y0,x0]*(1-dy)*(1-dx) + in[y1,x0]*dy*(1-dx) + in[y0,x1]*(1-dy)*dx + in[y1,x1]*dy*dx
 *   (+ 0.5 and truncation for uint8), evaluated left to right in float32.
 * The kernels compute the per-row and per-column positions as the reference does and use them
 * for a whole row / column. */
#ifndef TINYENGINE_TE_RESIZE_H
#define TINYENGINE_TE_RESIZE_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, depth;
    int32_t out_h, out_w;
    int32_t align_corners;
    int32_t half_pixel_centers;
    /* uint8 only. >= 0: every float weight is a multiple of 2^-frac_bits and every product and
     * partial sum of the float expression is exact (the generator proved it), so the kernel
     * computes the same value in integers: floor((sum of value * weight * 4^frac_bits) / 4^frac_bits
     * + 0.5). -1: the float expression. */
    int32_t frac_bits;
} te_resize_bilinear_params;

/* One source row or column of the output: its two neighbours and weights, as the reference
 * computes them (ComputeInterpolationValues / ...Integer). The kernels keep one per output column
 * in `scratch` (te_resize_bilinear_scratch_bytes, 4-byte aligned). */
typedef struct {
    int32_t lo, hi;           /* the two source indices */
    float frac, one_minus;    /* float forms: value - lo and 1 - (value - lo) */
    int32_t ifrac;            /* int8/int16: value*1024 - 1024*lo; uint8 exact form: frac * 2^frac_bits */
    int32_t ione_minus;       /* uint8 exact form: one_minus * 2^frac_bits */
} te_bilinear_pos;

#define te_resize_bilinear_scratch_bytes(out_w) ((size_t)(out_w) * sizeof(te_bilinear_pos))

void te_resize_bilinear_s8(const te_resize_bilinear_params *p, const int8_t *input, int8_t *output, void *scratch);
void te_resize_bilinear_s16(const te_resize_bilinear_params *p, const int16_t *input, int16_t *output, void *scratch);
void te_resize_bilinear_f32(const te_resize_bilinear_params *p, const float *input, float *output, void *scratch);
/* Legacy uint8 in int8 storage (value - 128): the float arithmetic on the uint8 values. */
void te_resize_bilinear_u8(const te_resize_bilinear_params *p, const int8_t *input, int8_t *output, void *scratch);

/* RESIZE_BILINEAR fused with the ARG_MAX (arg 1) or ARG_MIN (arg 2) over the channels of its
 * output: one int32 (index_size 4) or int64 (8) index per output pixel, the resized values
 * computed as above and never stored. */
void te_resize_bilinear_arg_s8(const te_resize_bilinear_params *p, int32_t arg, const int8_t *input, void *output,
                               int32_t index_size, void *scratch);
void te_resize_bilinear_arg_f32(const te_resize_bilinear_params *p, int32_t arg, const float *input, void *output,
                                int32_t index_size, void *scratch);
void te_resize_bilinear_arg_u8(const te_resize_bilinear_params *p, int32_t arg, const int8_t *input, void *output,
                               int32_t index_size, void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_RESIZE_H */
