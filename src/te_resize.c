/* tinyengine: RESIZE_BILINEAR, bit-exact with LiteRT's reference_ops::ResizeBilinear (float32,
 * uint8) and ResizeBilinearInteger (int8, int16), alone or fused with the ARG_MAX / ARG_MIN over
 * channels that follows it in segmentation heads (the resized map is then never stored).
 *
 * Positions are computed as the reference computes them, once per output row and once per output
 * column (a table in scratch), and reused for every pixel and channel: the values are the same.
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

enum { TE_BILINEAR_S8, TE_BILINEAR_S16, TE_BILINEAR_F32, TE_BILINEAR_U8 };

/* ----------------------------------------------------------------------------- positions */

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

/* One output row / column index `value` of `out` from an input extent `size`. */
static te_bilinear_pos te_bilinear_position(const te_resize_bilinear_params *p, int32_t kind, int32_t value,
                                            int32_t size, int32_t out)
{
    te_bilinear_pos r;
    const int32_t align = p->align_corners && out > 1;
    if (kind == TE_BILINEAR_S8 || kind == TE_BILINEAR_S16) {
        /* ResizeBilinearInteger: the scale and the position in 1/1024. */
        const int32_t scale_10 = align ? ((1 << 10) * (size - 1) + (out - 1) / 2) / (out - 1)
                                       : ((1 << 10) * size + out / 2) / out;
        const int32_t scaled = p->half_pixel_centers ? value * scale_10 + scale_10 / 2 - (1 << 9) : value * scale_10;
        r.lo = te_max_i32(scaled / (1 << 10), 0);
        r.hi = te_min_i32((scaled + (1 << 10) - 1) / (1 << 10), size - 1);
        r.ifrac = scaled - (1 << 10) * r.lo;
        r.ione_minus = (1 << 10) - r.ifrac;
        r.frac = r.one_minus = 0.0f;
    } else {
        /* ComputeInterpolationValues, with the reference's float32 roundings. */
        const float scale = align ? (float)(size - 1) / (float)(out - 1) : (float)size / (float)out;
        const float v = p->half_pixel_centers ? ((float)value + 0.5f) * scale - 0.5f : (float)value * scale;
        r.lo = te_max_i32(te_floor_to_i32(v), 0);
        r.hi = te_min_i32(te_ceil_to_i32(v), size - 1);
        r.frac = v - (float)r.lo;
        r.one_minus = 1.0f - r.frac;
        /* uint8 exact form: the weights times 2^frac_bits are integers (proved by the generator). */
        r.ifrac = r.ione_minus = 0;
        if (kind == TE_BILINEAR_U8 && p->frac_bits >= 0) {
            const float one = (float)(1 << p->frac_bits);
            r.ifrac = (int32_t)(r.frac * one);
            r.ione_minus = (int32_t)(r.one_minus * one);
        }
    }
    return r;
}

/* ---------------------------------------------------------------------- one output pixel */

/* The four neighbours of one output pixel (channel 0 of each) and its row / column weights. */
typedef struct {
    const uint8_t *p00, *p10, *p01, *p11;  /* (y0, x0), (y1, x0), (y0, x1), (y1, x1) */
    const te_bilinear_pos *y, *x;
} te_bilinear_pixel;

/* ResizeBilinearInteger's 20-bit weighted sum per channel, rounded half away from zero. */
#define TE_PIXEL_INTEGER(name, T)                                                               \
    TE_INLINE void name(const te_bilinear_pixel *q, int32_t c0, int32_t n, T *out)                \
    {                                                                                           \
        const T *p00 = (const T *)q->p00 + c0, *p10 = (const T *)q->p10 + c0;                   \
        const T *p01 = (const T *)q->p01 + c0, *p11 = (const T *)q->p11 + c0;                   \
        const int64_t dy = q->y->ifrac, dx = q->x->ifrac;                                       \
        int32_t c;                                                                              \
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

TE_INLINE void te_pixel_f32(const te_bilinear_pixel *q, int32_t c0, int32_t n, float *out)
{
    const float *p00 = (const float *)q->p00 + c0, *p10 = (const float *)q->p10 + c0;
    const float *p01 = (const float *)q->p01 + c0, *p11 = (const float *)q->p11 + c0;
    const float fy = q->y->frac, gy = q->y->one_minus, fx = q->x->frac, gx = q->x->one_minus;
    int32_t c;
    for (c = 0; c < n; ++c) {
        /* rounding_offset 0.0f: kept, it turns -0.0 into +0.0 as in the reference. */
        out[c] = p00[c] * gy * gx + p10[c] * fy * gx + p01[c] * gy * fx + p11[c] * fy * fx + 0.0f;
    }
}

/* The exact integer form of the uint8 expression: integer weights (the generator proved every
 * product and partial sum of the float expression exact), floor(sum / 4^frac_bits + 0.5). */
typedef struct {
    int32_t w00, w10, w01, w11;
    int32_t shift, half;
} te_u8_weights;

TE_INLINE te_u8_weights te_u8_exact_weights(const te_bilinear_pixel *q, int32_t frac_bits)
{
    te_u8_weights w;
    w.w00 = q->y->ione_minus * q->x->ione_minus;
    w.w10 = q->y->ifrac * q->x->ione_minus;
    w.w01 = q->y->ione_minus * q->x->ifrac;
    w.w11 = q->y->ifrac * q->x->ifrac;
    w.shift = 2 * frac_bits;
    w.half = (1 << w.shift) >> 1;
    return w;
}

/* Channel c (a uint8 value). */
TE_INLINE int32_t te_u8_exact(const te_bilinear_pixel *q, const te_u8_weights *w, int32_t c)
{
    const int32_t v = ((int32_t)((const int8_t *)q->p00)[c] + 128) * w->w00
                      + ((int32_t)((const int8_t *)q->p10)[c] + 128) * w->w10
                      + ((int32_t)((const int8_t *)q->p01)[c] + 128) * w->w01
                      + ((int32_t)((const int8_t *)q->p11)[c] + 128) * w->w11;
    return (v + w->half) >> w->shift;
}

#if defined(TE_USE_DSP)
/* The packed form needs every weighted sum below 2^16: at most 255 * 2^shift, weights >= 0. */
TE_INLINE int te_u8_packed_ok(const te_u8_weights *w)
{
    return w->shift <= 8 && w->w00 >= 0 && w->w10 >= 0 && w->w01 >= 0 && w->w11 >= 0;
}

/* Channels c..c+3 as four uint8 values in one word: two channels per 32-bit multiply (bytes 0 and
 * 2, then 1 and 3, zero-extended to halfwords that never carry into each other). uint8 is the
 * storage with bit 7 flipped. */
TE_INLINE uint32_t te_u8_exact_x4(const te_bilinear_pixel *q, const te_u8_weights *w, int32_t c)
{
    const uint32_t halves = (uint32_t)w->half * 0x00010001u;
    const uint32_t a = te_read_u32((const int8_t *)q->p00 + c) ^ 0x80808080u;
    const uint32_t b = te_read_u32((const int8_t *)q->p10 + c) ^ 0x80808080u;
    const uint32_t d = te_read_u32((const int8_t *)q->p01 + c) ^ 0x80808080u;
    const uint32_t e = te_read_u32((const int8_t *)q->p11 + c) ^ 0x80808080u;
    const uint32_t even = te_uxtb16(a) * (uint32_t)w->w00 + te_uxtb16(b) * (uint32_t)w->w10
                          + te_uxtb16(d) * (uint32_t)w->w01 + te_uxtb16(e) * (uint32_t)w->w11 + halves;
    const uint32_t odd = te_uxtb16_ror8(a) * (uint32_t)w->w00 + te_uxtb16_ror8(b) * (uint32_t)w->w10
                         + te_uxtb16_ror8(d) * (uint32_t)w->w01 + te_uxtb16_ror8(e) * (uint32_t)w->w11 + halves;
    return ((even >> w->shift) & 0x00FF00FFu) | (((odd >> w->shift) & 0x00FF00FFu) << 8);
}
#endif

/* Legacy uint8 in int8 storage (value - 128): the float expression, or its exact integer form. */
TE_INLINE void te_pixel_u8(const te_bilinear_pixel *q, int32_t frac_bits, int32_t c0, int32_t n, int8_t *out)
{
    int32_t c = c0;
    if (frac_bits < 0) {
        const int8_t *p00 = (const int8_t *)q->p00, *p10 = (const int8_t *)q->p10;
        const int8_t *p01 = (const int8_t *)q->p01, *p11 = (const int8_t *)q->p11;
        const float fy = q->y->frac, gy = q->y->one_minus, fx = q->x->frac, gx = q->x->one_minus;
        for (; c < c0 + n; ++c) {
            const float v = (float)(p00[c] + 128) * gy * gx + (float)(p10[c] + 128) * fy * gx
                            + (float)(p01[c] + 128) * gy * fx + (float)(p11[c] + 128) * fy * fx + 0.5f;
            out[c - c0] = (int8_t)((int32_t)(uint8_t)v - 128);
        }
        return;
    }
    {
        const te_u8_weights w = te_u8_exact_weights(q, frac_bits);
#if defined(TE_USE_DSP)
        if (te_u8_packed_ok(&w)) {
            for (; c + 4 <= c0 + n; c += 4) {
                te_write_u32(out + (c - c0), te_u8_exact_x4(q, &w, c) ^ 0x80808080u);
            }
        }
#endif
        for (; c < c0 + n; ++c) {
            out[c - c0] = (int8_t)(te_u8_exact(q, &w, c) - 128);
        }
    }
}

#if defined(TE_USE_DSP)
/* ARG_MAX (arg 1) / ARG_MIN (2) of the exact uint8 form over depth (4..256) channels, four lanes
 * at a time: per lane the extreme value and its first index (USUB8 / SEL keep the old lane on
 * ties), then the lanes (the smallest index among equal extremes is the first occurrence), then
 * the last depth % 4 channels. Returns -1 when the packed form does not apply. */
static int32_t te_u8_exact_arg(const te_resize_bilinear_params *p, int32_t arg, const te_bilinear_pixel *q)
{
    const te_u8_weights w = te_u8_exact_weights(q, p->frac_bits);
    uint32_t best, idx = 0x03020100u, cur = 0x03020100u;
    int32_t bv, bi, c, k;
    if (!te_u8_packed_ok(&w) || p->depth < 4 || p->depth > 256) {
        return -1;
    }
    best = te_u8_exact_x4(q, &w, 0);
    for (c = 4; c + 4 <= p->depth; c += 4) {
        cur += 0x04040404u;
        best = arg == 1 ? te_keep_max_u8x4(best, te_u8_exact_x4(q, &w, c), &idx, cur)
                        : te_keep_min_u8x4(best, te_u8_exact_x4(q, &w, c), &idx, cur);
    }
    bv = (int32_t)(best & 0xFFu);
    bi = (int32_t)(idx & 0xFFu);
    for (k = 8; k < 32; k += 8) {
        const int32_t v = (int32_t)((best >> k) & 0xFFu), i = (int32_t)((idx >> k) & 0xFFu);
        if ((arg == 1 ? v > bv : v < bv) || (v == bv && i < bi)) {
            bv = v;
            bi = i;
        }
    }
    for (; c < p->depth; ++c) {
        const int32_t v = te_u8_exact(q, &w, c);
        if (arg == 1 ? v > bv : v < bv) {
            bv = v;
            bi = c;
        }
    }
    return bi;
}
#endif

/* ---------------------------------------------------------------------------------- driver */

#define TE_ARG_CHUNK 32

typedef union {
    int8_t s8[TE_ARG_CHUNK];
    int16_t s16[TE_ARG_CHUNK];
    float f32[TE_ARG_CHUNK];
} te_arg_chunk;

/* Channels [c0, c0 + n) of one pixel into `dst` (elements of the kernel's type). */
TE_INLINE void te_bilinear_channels(const te_resize_bilinear_params *p, int32_t kind, const te_bilinear_pixel *q,
                                 int32_t c0, int32_t n, void *dst)
{
    switch (kind) {
    case TE_BILINEAR_S8: te_pixel_s8(q, c0, n, (int8_t *)dst); break;
    case TE_BILINEAR_S16: te_pixel_s16(q, c0, n, (int16_t *)dst); break;
    case TE_BILINEAR_F32: te_pixel_f32(q, c0, n, (float *)dst); break;
    default: te_pixel_u8(q, p->frac_bits, c0, n, (int8_t *)dst); break;
    }
}

/* The reference's ARG_MAX / ARG_MIN over one pixel's channels: strict compares (the first index
 * wins ties); floats skip NaN. uint8 compares in int8 storage (the same order). */
TE_INLINE int32_t te_bilinear_arg(const te_resize_bilinear_params *p, int32_t kind, int32_t arg,
                               const te_bilinear_pixel *q)
{
    te_arg_chunk v;
    int32_t best_index = 0, best = 0, c0, k;
    float best_f = 0.0f;
#if defined(TE_USE_DSP)
    if (kind == TE_BILINEAR_U8 && p->frac_bits >= 0) {
        const int32_t i = te_u8_exact_arg(p, arg, q);
        if (i >= 0) {
            return i;
        }
    }
#endif
    for (c0 = 0; c0 < p->depth; c0 += TE_ARG_CHUNK) {
        const int32_t n = te_min_i32(TE_ARG_CHUNK, p->depth - c0);
        te_bilinear_channels(p, kind, q, c0, n, &v);
        k = 0;
        if (c0 == 0) {  /* the first channel starts the search */
            best_f = kind == TE_BILINEAR_F32 ? v.f32[0] : 0.0f;
            best = kind == TE_BILINEAR_S16 ? v.s16[0] : v.s8[0];
            k = 1;
        }
        if (kind == TE_BILINEAR_F32) {
            for (; k < n; ++k) {
                const float x = v.f32[k];
                if (x == x && (best_f != best_f || (arg == 1 ? x > best_f : x < best_f))) {
                    best_f = x;
                    best_index = c0 + k;
                }
            }
        } else if (kind == TE_BILINEAR_S16) {
            for (; k < n; ++k) {
                if (arg == 1 ? v.s16[k] > best : v.s16[k] < best) {
                    best = v.s16[k];
                    best_index = c0 + k;
                }
            }
        } else if (arg == 1) {
            for (; k < n; ++k) {
                if (v.s8[k] > best) {
                    best = v.s8[k];
                    best_index = c0 + k;
                }
            }
        } else {
            for (; k < n; ++k) {
                if (v.s8[k] < best) {
                    best = v.s8[k];
                    best_index = c0 + k;
                }
            }
        }
    }
    return best_index;
}

/* Walks the output pixels; arg 0 writes every channel to `output`, arg 1 / 2 one ARG_MAX /
 * ARG_MIN index per pixel (index_size 4 or 8 bytes). */
static void te_bilinear_run(const te_resize_bilinear_params *p, int32_t kind, const void *input, void *output,
                            int32_t arg, int32_t index_size, void *scratch)
{
    static const int32_t sizes[] = {1, 2, 4, 1};
    te_bilinear_pos *cols = (te_bilinear_pos *)scratch;
    const int32_t es = sizes[kind];
    const size_t pixel_bytes = (size_t)p->depth * es;
    const size_t row = (size_t)p->in_w * pixel_bytes;
    uint8_t *out = (uint8_t *)output;
    size_t pixel = 0;
    te_bilinear_pixel q;
    int32_t b, y, x;
    for (x = 0; x < p->out_w; ++x) {
        cols[x] = te_bilinear_position(p, kind, x, p->in_w, p->out_w);
    }
    for (b = 0; b < p->batches; ++b) {
        const uint8_t *in_b = (const uint8_t *)input + (size_t)b * p->in_h * row;
        for (y = 0; y < p->out_h; ++y) {
            const te_bilinear_pos py = te_bilinear_position(p, kind, y, p->in_h, p->out_h);
            const uint8_t *r0 = in_b + (size_t)py.lo * row;
            const uint8_t *r1 = in_b + (size_t)py.hi * row;
            q.y = &py;
            for (x = 0; x < p->out_w; ++x) {
                const te_bilinear_pos *px = &cols[x];
                q.x = px;
                q.p00 = r0 + (size_t)px->lo * pixel_bytes;
                q.p10 = r1 + (size_t)px->lo * pixel_bytes;
                q.p01 = r0 + (size_t)px->hi * pixel_bytes;
                q.p11 = r1 + (size_t)px->hi * pixel_bytes;
                if (arg == 0) {
                    te_bilinear_channels(p, kind, &q, 0, p->depth, out);
                    out += pixel_bytes;
                } else if (index_size == 8) {
                    ((int64_t *)output)[pixel++] = te_bilinear_arg(p, kind, arg, &q);
                } else {
                    ((int32_t *)output)[pixel++] = te_bilinear_arg(p, kind, arg, &q);
                }
            }
        }
    }
}

void te_resize_bilinear_s8(const te_resize_bilinear_params *p, const int8_t *input, int8_t *output, void *scratch)
{
    te_bilinear_run(p, TE_BILINEAR_S8, input, output, 0, 0, scratch);
}

void te_resize_bilinear_s16(const te_resize_bilinear_params *p, const int16_t *input, int16_t *output,
                            void *scratch)
{
    te_bilinear_run(p, TE_BILINEAR_S16, input, output, 0, 0, scratch);
}

void te_resize_bilinear_f32(const te_resize_bilinear_params *p, const float *input, float *output, void *scratch)
{
    te_bilinear_run(p, TE_BILINEAR_F32, input, output, 0, 0, scratch);
}

void te_resize_bilinear_u8(const te_resize_bilinear_params *p, const int8_t *input, int8_t *output, void *scratch)
{
    te_bilinear_run(p, TE_BILINEAR_U8, input, output, 0, 0, scratch);
}

void te_resize_bilinear_arg_s8(const te_resize_bilinear_params *p, int32_t arg, const int8_t *input, void *output,
                               int32_t index_size, void *scratch)
{
    te_bilinear_run(p, TE_BILINEAR_S8, input, output, arg, index_size, scratch);
}

void te_resize_bilinear_arg_f32(const te_resize_bilinear_params *p, int32_t arg, const float *input, void *output,
                                int32_t index_size, void *scratch)
{
    te_bilinear_run(p, TE_BILINEAR_F32, input, output, arg, index_size, scratch);
}

void te_resize_bilinear_arg_u8(const te_resize_bilinear_params *p, int32_t arg, const int8_t *input, void *output,
                               int32_t index_size, void *scratch)
{
    te_bilinear_run(p, TE_BILINEAR_U8, input, output, arg, index_size, scratch);
}
