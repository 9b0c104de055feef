/* tinyengine: RESIZE_BILINEAR, bit-exact with LiteRT's reference_ops::ResizeBilinear (float32,
 * uint8) and ResizeBilinearInteger (int8, int16), alone or fused with the ARG_MAX / ARG_MIN over
 * channels that follows it in segmentation heads (the resized map is then never stored).
 *
 * The float kernels evaluate the reference's expression in the reference's order with float32
 * operations only: no fused multiply-add may replace a multiply and an add (the pragma below;
 * GCC contracts across statements in its default GNU mode), and floor / ceil of the positions are
 * done in integers (the positions are small), so no libm is needed.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "tinyengine/te_resize.h"
#include "tinyengine/te_simd.h"

/* ----------------------------------------------------------------------------- positions */

/* ComputeInterpolationValuesInteger: the source position in 1/1024 and its bounds. */
typedef struct {
    int32_t lo, hi;
    int64_t frac;  /* position - 1024 * lo */
} te_bilinear_pos_i;

TE_INLINE te_bilinear_pos_i te_bilinear_position_i(int32_t value, int32_t scale_10, int32_t half_pixel,
                                                   int32_t size)
{
    te_bilinear_pos_i r;
    const int32_t scaled = half_pixel ? value * scale_10 + scale_10 / 2 - (1 << 9) : value * scale_10;
    r.lo = te_max_i32(scaled / (1 << 10), 0);
    r.hi = te_min_i32((scaled + (1 << 10) - 1) / (1 << 10), size - 1);
    r.frac = scaled - (1 << 10) * r.lo;
    return r;
}

TE_INLINE int32_t te_bilinear_scale_10(int32_t in, int32_t out, int32_t align_corners)
{
    if (align_corners && out > 1) {
        return ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
    }
    return ((1 << 10) * in + out / 2) / out;
}

TE_INLINE int32_t te_floor_to_i32(float v)
{
    const int32_t t = (int32_t)v;  /* toward zero */
    return (float)t > v ? t - 1 : t;
}

TE_INLINE int32_t te_ceil_to_i32(float v)
{
    const int32_t t = (int32_t)v;
    return (float)t < v ? t + 1 : t;
}

/* ComputeInterpolationValues: the bounds and the reference's two factors (value - lo) and
 * 1 - (value - lo), each rounded to float as the reference rounds them. */
typedef struct {
    int32_t lo, hi;
    float frac, one_minus;
} te_bilinear_pos_f;

TE_INLINE te_bilinear_pos_f te_bilinear_position_f(int32_t value, float scale, int32_t half_pixel, int32_t size)
{
    te_bilinear_pos_f r;
    const float v = half_pixel ? ((float)value + 0.5f) * scale - 0.5f : (float)value * scale;
    r.lo = te_max_i32(te_floor_to_i32(v), 0);
    r.hi = te_min_i32(te_ceil_to_i32(v), size - 1);
    r.frac = v - (float)r.lo;
    r.one_minus = 1.0f - r.frac;
    return r;
}

TE_INLINE float te_bilinear_scale_f(int32_t in, int32_t out, int32_t align_corners)
{
    if (align_corners && out > 1) {
        return (float)(in - 1) / (float)(out - 1);
    }
    return (float)in / (float)out;
}

/* ---------------------------------------------------------------------- one output pixel */

/* The four neighbours of one output pixel (channel 0 of each) and where the pixel goes. */
typedef struct {
    const void *p00, *p10, *p01, *p11;  /* (y0, x0), (y1, x0), (y0, x1), (y1, x1) */
    te_bilinear_pos_i iy, ix;
    te_bilinear_pos_f fy, fx;
} te_bilinear_pixel;

/* ResizeBilinearInteger's 20-bit weighted sum per channel, rounded half away from zero. */
#define TE_PIXEL_INTEGER(name, T)                                                               \
    static void name(const te_bilinear_pixel *q, int32_t frac_bits, int32_t c0, int32_t n, void *dst) \
    {                                                                                           \
        const T *p00 = (const T *)q->p00 + c0, *p10 = (const T *)q->p10 + c0;                   \
        const T *p01 = (const T *)q->p01 + c0, *p11 = (const T *)q->p11 + c0;                   \
        const int64_t dy = q->iy.frac, dx = q->ix.frac;                                         \
        T *out = (T *)dst;                                                                      \
        int32_t c;                                                                              \
        (void)frac_bits;                                                                        \
        for (c = 0; c < n; ++c) {                                                               \
            const int64_t out20 = (int64_t)p00[c] * ((1 << 10) - dy) * ((1 << 10) - dx)         \
                                  + (int64_t)p10[c] * dy * ((1 << 10) - dx)                     \
                                  + (int64_t)p01[c] * ((1 << 10) - dy) * dx                     \
                                  + (int64_t)p11[c] * dy * dx;                                  \
            const int64_t round = out20 > 0 ? (1 << 19) : -(1 << 19);                           \
            out[c] = (T)((out20 + round) / (1 << 20));                                          \
        }                                                                                       \
    }

TE_PIXEL_INTEGER(te_pixel_s8, int8_t)
TE_PIXEL_INTEGER(te_pixel_s16, int16_t)

static void te_pixel_f32(const te_bilinear_pixel *q, int32_t frac_bits, int32_t c0, int32_t n, void *dst)
{
    const float *p00 = (const float *)q->p00 + c0, *p10 = (const float *)q->p10 + c0;
    const float *p01 = (const float *)q->p01 + c0, *p11 = (const float *)q->p11 + c0;
    const te_bilinear_pos_f *py = &q->fy, *px = &q->fx;
    float *out = (float *)dst;
    int32_t c;
    (void)frac_bits;
    for (c = 0; c < n; ++c) {
        /* rounding_offset 0.0f: kept, it turns -0.0 into +0.0 as in the reference. */
        out[c] = p00[c] * py->one_minus * px->one_minus + p10[c] * py->frac * px->one_minus
                 + p01[c] * py->one_minus * px->frac + p11[c] * py->frac * px->frac + 0.0f;
    }
}

/* Legacy uint8 in int8 storage (value - 128). frac_bits >= 0: the exact integer form. */
static void te_pixel_u8(const te_bilinear_pixel *q, int32_t frac_bits, int32_t c0, int32_t n, void *dst)
{
    const int8_t *p00 = (const int8_t *)q->p00 + c0, *p10 = (const int8_t *)q->p10 + c0;
    const int8_t *p01 = (const int8_t *)q->p01 + c0, *p11 = (const int8_t *)q->p11 + c0;
    const te_bilinear_pos_f *py = &q->fy, *px = &q->fx;
    int8_t *out = (int8_t *)dst;
    int32_t c = 0;
    if (frac_bits < 0) {
        for (; c < n; ++c) {
            const float v = (float)(p00[c] + 128) * py->one_minus * px->one_minus
                            + (float)(p10[c] + 128) * py->frac * px->one_minus
                            + (float)(p01[c] + 128) * py->one_minus * px->frac
                            + (float)(p11[c] + 128) * py->frac * px->frac + 0.5f;
            out[c] = (int8_t)((int32_t)(uint8_t)v - 128);
        }
        return;
    }
    {
        /* Weights scaled by 2^frac_bits per axis are integers (the generator proved it), so
         * floor(sum / 4^frac_bits + 0.5) in integers equals the float expression. */
        const float one = (float)(1 << frac_bits);
        const int32_t wy0 = (int32_t)(py->one_minus * one), wy1 = (int32_t)(py->frac * one);
        const int32_t wx0 = (int32_t)(px->one_minus * one), wx1 = (int32_t)(px->frac * one);
        const int32_t w00 = wy0 * wx0, w10 = wy1 * wx0, w01 = wy0 * wx1, w11 = wy1 * wx1;
        const int32_t shift = 2 * frac_bits;
        const int32_t half = (1 << shift) >> 1;
#if defined(TE_USE_DSP)
        if (shift <= 8 && w00 >= 0 && w10 >= 0 && w01 >= 0 && w11 >= 0) {
            /* Two channels per 32-bit word (bytes 0 and 2, then 1 and 3): every weighted sum is at
             * most 255 * 2^shift < 2^16, so the halfwords never carry into each other. uint8 is
             * the storage with bit 7 flipped. */
            const uint32_t halves = (uint32_t)half * 0x00010001u;
            for (; c + 4 <= n; c += 4) {
                const uint32_t a = te_read_u32(p00 + c) ^ 0x80808080u;
                const uint32_t b = te_read_u32(p10 + c) ^ 0x80808080u;
                const uint32_t d = te_read_u32(p01 + c) ^ 0x80808080u;
                const uint32_t e = te_read_u32(p11 + c) ^ 0x80808080u;
                uint32_t even = te_uxtb16(a) * (uint32_t)w00 + te_uxtb16(b) * (uint32_t)w10
                                + te_uxtb16(d) * (uint32_t)w01 + te_uxtb16(e) * (uint32_t)w11 + halves;
                uint32_t odd = te_uxtb16_ror8(a) * (uint32_t)w00 + te_uxtb16_ror8(b) * (uint32_t)w10
                               + te_uxtb16_ror8(d) * (uint32_t)w01 + te_uxtb16_ror8(e) * (uint32_t)w11 + halves;
                even = (even >> shift) & 0x00FF00FFu;
                odd = (odd >> shift) & 0x00FF00FFu;
                te_write_u32(out + c, (even | (odd << 8)) ^ 0x80808080u);
            }
        }
#endif
        for (; c < n; ++c) {
            const int32_t v = ((int32_t)p00[c] + 128) * w00 + ((int32_t)p10[c] + 128) * w10
                              + ((int32_t)p01[c] + 128) * w01 + ((int32_t)p11[c] + 128) * w11;
            out[c] = (int8_t)(((v + half) >> shift) - 128);
        }
    }
}

/* ---------------------------------------------------------------------------------- driver */

typedef void (*te_pixel_fn)(const te_bilinear_pixel *q, int32_t frac_bits, int32_t c0, int32_t n, void *dst);

enum { TE_BILINEAR_S8, TE_BILINEAR_S16, TE_BILINEAR_F32, TE_BILINEAR_U8 };

#define TE_ARG_CHUNK 32

typedef union {
    int8_t s8[TE_ARG_CHUNK];
    int16_t s16[TE_ARG_CHUNK];
    float f32[TE_ARG_CHUNK];
} te_arg_chunk;

/* The reference's ARG_MAX / ARG_MIN over one pixel's channels: strict compares (the first index
 * wins ties); floats skip NaN. Channels [c0, c0 + n) are in `v`; the best so far carries over. */
typedef struct {
    int32_t index;
    int32_t value;
    float value_f;
} te_arg_best;

static void te_arg_scan(int32_t kind, int32_t arg, const te_arg_chunk *v, int32_t c0, int32_t n, te_arg_best *best)
{
    int32_t k;
    if (kind == TE_BILINEAR_F32) {
        for (k = 0; k < n; ++k) {
            const float x = v->f32[k];
            if (c0 + k == 0 || (x == x && (best->value_f != best->value_f
                                           || (arg == 1 ? x > best->value_f : x < best->value_f)))) {
                best->value_f = x;
                best->index = c0 + k;
            }
        }
        return;
    }
    for (k = 0; k < n; ++k) {
        const int32_t x = kind == TE_BILINEAR_S16 ? v->s16[k] : v->s8[k];  /* uint8: int8 storage, same order */
        if (c0 + k == 0 || (arg == 1 ? x > best->value : x < best->value)) {
            best->value = x;
            best->index = c0 + k;
        }
    }
}

/* Walks the output pixels; arg 0 writes every channel to `output` (elements of elem_size
 * bytes), arg 1 / 2 writes one ARG_MAX / ARG_MIN index per pixel (index_size 4 or 8). */
static void te_bilinear_run(const te_resize_bilinear_params *p, int32_t kind, const void *input, void *output,
                            int32_t arg, int32_t index_size)
{
    static const te_pixel_fn fns[] = {te_pixel_s8, te_pixel_s16, te_pixel_f32, te_pixel_u8};
    static const int32_t sizes[] = {1, 2, 4, 1};
    const te_pixel_fn fn = fns[kind];
    const int32_t es = sizes[kind];
    const int integer = kind == TE_BILINEAR_S8 || kind == TE_BILINEAR_S16;
    const int32_t hs_i = te_bilinear_scale_10(p->in_h, p->out_h, p->align_corners);
    const int32_t ws_i = te_bilinear_scale_10(p->in_w, p->out_w, p->align_corners);
    const float hs_f = te_bilinear_scale_f(p->in_h, p->out_h, p->align_corners);
    const float ws_f = te_bilinear_scale_f(p->in_w, p->out_w, p->align_corners);
    const size_t row = (size_t)p->in_w * p->depth * es;
    const size_t pixel_bytes = (size_t)p->depth * es;
    uint8_t *out = (uint8_t *)output;
    size_t pixel = 0;
    te_bilinear_pixel q;
    int32_t b, y, x;
    for (b = 0; b < p->batches; ++b) {
        const uint8_t *in_b = (const uint8_t *)input + (size_t)b * p->in_h * row;
        for (y = 0; y < p->out_h; ++y) {
            int32_t y0, y1;
            if (integer) {
                q.iy = te_bilinear_position_i(y, hs_i, p->half_pixel_centers, p->in_h);
                y0 = q.iy.lo;
                y1 = q.iy.hi;
            } else {
                q.fy = te_bilinear_position_f(y, hs_f, p->half_pixel_centers, p->in_h);
                y0 = q.fy.lo;
                y1 = q.fy.hi;
            }
            for (x = 0; x < p->out_w; ++x) {
                int32_t x0, x1;
                if (integer) {
                    q.ix = te_bilinear_position_i(x, ws_i, p->half_pixel_centers, p->in_w);
                    x0 = q.ix.lo;
                    x1 = q.ix.hi;
                } else {
                    q.fx = te_bilinear_position_f(x, ws_f, p->half_pixel_centers, p->in_w);
                    x0 = q.fx.lo;
                    x1 = q.fx.hi;
                }
                q.p00 = in_b + (size_t)y0 * row + (size_t)x0 * pixel_bytes;
                q.p10 = in_b + (size_t)y1 * row + (size_t)x0 * pixel_bytes;
                q.p01 = in_b + (size_t)y0 * row + (size_t)x1 * pixel_bytes;
                q.p11 = in_b + (size_t)y1 * row + (size_t)x1 * pixel_bytes;
                if (arg == 0) {
                    fn(&q, p->frac_bits, 0, p->depth, out);
                    out += pixel_bytes;
                } else {
                    te_arg_chunk chunk;
                    te_arg_best best = {0, 0, 0.0f};
                    int32_t c0;
                    for (c0 = 0; c0 < p->depth; c0 += TE_ARG_CHUNK) {
                        const int32_t n = te_min_i32(TE_ARG_CHUNK, p->depth - c0);
                        fn(&q, p->frac_bits, c0, n, &chunk);
                        te_arg_scan(kind, arg, &chunk, c0, n, &best);
                    }
                    if (index_size == 8) {
                        ((int64_t *)output)[pixel] = best.index;
                    } else {
                        ((int32_t *)output)[pixel] = best.index;
                    }
                    ++pixel;
                }
            }
        }
    }
}

void te_resize_bilinear_s8(const te_resize_bilinear_params *p, const int8_t *input, int8_t *output)
{
    te_bilinear_run(p, TE_BILINEAR_S8, input, output, 0, 0);
}

void te_resize_bilinear_s16(const te_resize_bilinear_params *p, const int16_t *input, int16_t *output)
{
    te_bilinear_run(p, TE_BILINEAR_S16, input, output, 0, 0);
}

void te_resize_bilinear_f32(const te_resize_bilinear_params *p, const float *input, float *output)
{
    te_bilinear_run(p, TE_BILINEAR_F32, input, output, 0, 0);
}

void te_resize_bilinear_u8(const te_resize_bilinear_params *p, const int8_t *input, int8_t *output)
{
    te_bilinear_run(p, TE_BILINEAR_U8, input, output, 0, 0);
}

void te_resize_bilinear_arg_s8(const te_resize_bilinear_params *p, int32_t arg, const int8_t *input, void *output,
                               int32_t index_size)
{
    te_bilinear_run(p, TE_BILINEAR_S8, input, output, arg, index_size);
}

void te_resize_bilinear_arg_f32(const te_resize_bilinear_params *p, int32_t arg, const float *input, void *output,
                                int32_t index_size)
{
    te_bilinear_run(p, TE_BILINEAR_F32, input, output, arg, index_size);
}

void te_resize_bilinear_arg_u8(const te_resize_bilinear_params *p, int32_t arg, const int8_t *input, void *output,
                               int32_t index_size)
{
    te_bilinear_run(p, TE_BILINEAR_U8, input, output, arg, index_size);
}
