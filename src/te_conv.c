/* tinyengine: CONV_2D kernels.
 *
 * Portable path: TFLite's reference ConvPerChannel loop and arithmetic (accumulate
 * (x + input_offset) * (w + filter_offset) over the window, skip padded taps, add
 * bias, MultiplyByQuantizedMultiplier, add the output zero point, clamp). Its bytes
 * are the contract; every SIMD path computes the same int32 sums in another order
 * (exact: int32 addition wraps associatively) and the same requantization.
 *
 * DSP path (Armv7E-M / Armv8-M DSP: M4, M7, M33; TE_EMULATE_DSP on a host): blocks of four
 * output pixels are expanded to int16 columns (x + input_offset, padded taps 0), interleaved
 * per group of 4 taps as [c0 even, c0 odd, c1 even, c1 odd, ...] (SXTB16 order: "even" holds
 * taps 0 and 2, "odd" taps 1 and 3). Each output channel is then one weight row against the
 * four columns: per 4 taps one weight load, two SXTB16, two LDM of the columns and eight
 * SMLAD (inline assembly on GCC, two groups per iteration). A block's last 1-3 pixels go
 * one column at a time. Layers whose channel count is a multiple of 4 expand straight from
 * the input; the others gather the window as int8 first (padded taps = the input zero point,
 * which becomes 0 with the offset). Legacy uint8 models (filter_offset != 0) add
 * filter_offset * (column sum) per pixel. Requantization: for channels whose shift is a
 * right shift of 2..31 bits (nearly every real layer) MultiplyByQuantizedMultiplier and both
 * roundings collapse into one SMLAL with a per-channel 64-bit constant and a shift
 * (te_requant_fast); other channels use the generic helper.
 *
 * Helium path (Armv8.1-M MVE: M55): four output channels of one pixel at a time, VMLADAVA
 * over 16 taps per step (inline assembly: the accumulators must be even registers) with a
 * tail-predicated last step; the 1x1 kernel reads the input pixel directly (in place: from a
 * copy in the scratch, see te_conv2d_1x1_s8_inplace), the generic one
 * gathers the window as int8 (padded taps = input zero point) and folds input_offset *
 * sum(w) (and the filter_offset terms) into a per-channel bias computed once per call. The
 * four outputs are requantized as one vector: VSHL wraps like the reference, VQRDMULH is
 * SaturatingRoundingDoublingHighMul exactly, and RoundingDivideByPOT is VRSHL after a -1
 * fix-up of negative values.
 *
 * TE_NO_INLINE_ASM builds the same algorithms from C and ACLE intrinsics only (slower; for
 * toolchains or flags, such as a frame pointer together with a reserved r9, that leave the
 * assembly loops too few registers).
 */
#include "tinyengine/te_conv.h"
#include "tinyengine/te_simd.h"

#if defined(TE_USE_MVE)
#include <arm_mve.h>
#endif

TE_INLINE int8_t te_conv_requantize(const te_conv_params *p, const te_requant_per_channel *rq,
                                    int32_t acc, int32_t oc)
{
    acc = te_multiply_by_quantized_multiplier(acc, rq->multiplier[oc], rq->shift[oc]);
    acc += p->output_offset;
    return (int8_t)te_clamp_i32(acc, p->act_min, p->act_max);
}

static void conv_portable(const te_conv_params *p, const te_requant_per_channel *rq,
                          const int8_t *input, const int8_t *filter, int8_t *output)
{
    const int32_t groups = p->in_c / p->filter_in_c;
    const int32_t filters_per_group = p->out_c / groups;
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t in_y0 = oy * p->stride_h - p->pad_top;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t in_x0 = ox * p->stride_w - p->pad_left;
                for (oc = 0; oc < p->out_c; ++oc) {
                    const int32_t group = oc / filters_per_group;
                    const int8_t *w_oc = filter + (size_t)oc * p->k_h * p->k_w * p->filter_in_c;
                    int32_t acc = 0;
                    for (ky = 0; ky < p->k_h; ++ky) {
                        const int32_t in_y = in_y0 + p->dil_h * ky;
                        if (in_y < 0 || in_y >= p->in_h) {
                            continue;
                        }
                        for (kx = 0; kx < p->k_w; ++kx) {
                            const int32_t in_x = in_x0 + p->dil_w * kx;
                            const int8_t *x;
                            const int8_t *w;
                            if (in_x < 0 || in_x >= p->in_w) {
                                continue;
                            }
                            x = in_b + ((size_t)in_y * p->in_w + in_x) * p->in_c + group * p->filter_in_c;
                            w = w_oc + ((size_t)ky * p->k_w + kx) * p->filter_in_c;
                            for (ic = 0; ic < p->filter_in_c; ++ic) {
                                acc += ((int32_t)w[ic] + p->filter_offset) * ((int32_t)x[ic] + p->input_offset);
                            }
                        }
                    }
                    if (rq->bias) {
                        acc += rq->bias[oc];
                    }
                    *output++ = te_conv_requantize(p, rq, acc, oc);
                }
            }
        }
    }
}

/* `pixel`: NULL, or in_c bytes where each input pixel is copied before its outputs are written
 * (in place: the first output channels may overwrite the pixel's own bytes). */
static void conv_1x1_portable(const te_conv_params *p, const te_requant_per_channel *rq,
                              const int8_t *input, const int8_t *filter, int8_t *output, int8_t *pixel)
{
    const int32_t c_in = p->in_c;
    int32_t b, oy, ox, oc, k;
    for (b = 0; b < p->batches; ++b) {
        for (oy = 0; oy < p->out_h; ++oy) {
            const int8_t *row = input + ((size_t)b * p->in_h + (size_t)oy * p->stride_h) * p->in_w * c_in;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int8_t *x = row + (size_t)ox * p->stride_w * c_in;
                if (pixel) {
                    for (k = 0; k < c_in; ++k) {
                        pixel[k] = x[k];
                    }
                    x = pixel;
                }
                int32_t extra = 0;
                if (p->filter_offset != 0) { /* legacy uint8: filter_offset * sum(x) per pixel */
                    uint32_t xs = 0;
                    for (k = 0; k < c_in; ++k) {
                        xs += (uint32_t)(int32_t)x[k];
                    }
                    extra = (int32_t)(xs * (uint32_t)p->filter_offset);
                }
                for (oc = 0; oc < p->out_c; ++oc) {
                    const int8_t *w = filter + (size_t)oc * c_in;
                    uint32_t acc = (uint32_t)rq->bias[oc] + (uint32_t)extra;
                    for (k = 0; k < c_in; ++k) {
                        acc += (uint32_t)((int32_t)w[k] * x[k]);
                    }
                    *output++ = te_conv_requantize(p, rq, (int32_t)acc, oc);
                }
            }
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Shared by the SIMD paths: pixel addressing and the int8 window gather.                       */

#if defined(TE_USE_DSP) || defined(TE_USE_MVE)

/* Input pixel (row, column) of output pixel `px` of a 1x1 convolution (any stride). */
TE_INLINE const int8_t *conv_1x1_pixel(const te_conv_params *p, const int8_t *in_b, int32_t px)
{
    const int32_t oy = px / p->out_w, ox = px - oy * p->out_w;
    return in_b + ((size_t)oy * p->stride_h * p->in_w + (size_t)ox * p->stride_w) * p->in_c;
}

TE_INLINE void conv_fill_s8(int8_t *dst, int8_t v, int32_t n)
{
#if defined(TE_USE_MVE)
    for (; n > 0; n -= 16, dst += 16) {
        vstrbq_p_s8(dst, vdupq_n_s8(v), vctp8q((uint32_t)n));
    }
#else
    const uint32_t v4 = (uint32_t)(uint8_t)v * 0x01010101u;
    for (; n >= 4; n -= 4, dst += 4) {
        te_write_u32(dst, v4);
    }
    for (; n > 0; --n) {
        *dst++ = v;
    }
#endif
}

TE_INLINE void conv_copy_s8(int8_t *dst, const int8_t *src, int32_t n)
{
#if defined(TE_USE_MVE)
    for (; n > 0; n -= 16, dst += 16, src += 16) {
        const mve_pred16_t pr = vctp8q((uint32_t)n);
        vstrbq_p_s8(dst, vldrbq_z_s8(src, pr), pr);
    }
#else
    for (; n >= 4; n -= 4, dst += 4, src += 4) {
        te_write_u32(dst, te_read_u32(src));
    }
    for (; n > 0; --n) {
        *dst++ = *src++;
    }
#endif
}

/* Per-call geometry of the window gather (locals, so the byte stores cannot alias them). */
typedef struct {
    int32_t fic, in_h, in_w, k_h, k_w, dil_h, dil_w, stride_h, stride_w, pad_top, pad_left;
    int32_t row_bytes;   /* k_w * in_c: one kernel row of the window */
    int32_t in_row;      /* in_w * in_c: one input row */
    int8_t pad;          /* value of taps outside the input */
} te_conv_geom;

TE_INLINE te_conv_geom conv_geom(const te_conv_params *p, int8_t pad)
{
    te_conv_geom g;
    g.fic = p->in_c;
    g.in_h = p->in_h;
    g.in_w = p->in_w;
    g.k_h = p->k_h;
    g.k_w = p->k_w;
    g.dil_h = p->dil_h;
    g.dil_w = p->dil_w;
    g.stride_h = p->stride_h;
    g.stride_w = p->stride_w;
    g.pad_top = p->pad_top;
    g.pad_left = p->pad_left;
    g.row_bytes = p->k_w * p->in_c;
    g.in_row = p->in_w * p->in_c;
    g.pad = pad;
    return g;
}

/* GCC's loop vectorizer turns the short copy loops below into long alias-checked code on cores
 * without vector units; plain loops are faster for these few bytes. */
#if defined(__GNUC__) && !defined(__clang__) && !defined(TE_USE_MVE)
#define TE_CONV_SCALAR_LOOPS __attribute__((optimize("no-tree-loop-vectorize")))
#else
#define TE_CONV_SCALAR_LOOPS
#endif

/* The receptive field of output pixel (oy, ox) as K = k_h * k_w * in_c int8 values in OHWI
 * tap order; taps outside the input get g->pad. */
TE_CONV_SCALAR_LOOPS static void conv_gather_s8(const te_conv_geom *g, const int8_t *in_b, int32_t oy, int32_t ox,
                                                int8_t *dst)
{
    const int32_t fic = g->fic, k_w = g->k_w, row_bytes = g->row_bytes, in_row = g->in_row;
    const int8_t pad = g->pad;
    const int32_t in_y0 = oy * g->stride_h - g->pad_top;
    const int32_t in_x0 = ox * g->stride_w - g->pad_left;
    int32_t ky, kx;
    if (g->dil_w == 1 && in_x0 >= 0 && in_x0 + k_w <= g->in_w && in_y0 >= 0 &&
        in_y0 + (g->k_h - 1) * g->dil_h < g->in_h) {
        /* Interior pixel (nearly all of them): k_h straight copies, nothing else to work out. */
        const int8_t *src = in_b + (size_t)in_y0 * in_row + (size_t)in_x0 * fic;
        const int32_t dil_row = g->dil_h * in_row;
        for (ky = 0; ky < g->k_h; ++ky, dst += row_bytes, src += dil_row) {
            conv_copy_s8(dst, src, row_bytes);
        }
        return;
    }
    if (g->dil_w == 1) {
        /* Taps kx in [lo, hi) are inside the row: one contiguous run of the input. */
        const int32_t lo = te_min_i32(in_x0 < 0 ? -in_x0 : 0, k_w);
        const int32_t hi = te_max_i32(te_min_i32(g->in_w - in_x0, k_w), lo);
        const int32_t pre = lo * fic, run = (hi - lo) * fic, post = (k_w - hi) * fic;
        const size_t x_off = run ? (size_t)(in_x0 + lo) * fic : 0; /* in_x0 + lo in [0, in_w) if run */
        const int32_t dil_row = g->dil_h * in_row;
        int32_t in_y = in_y0;
        if (pre == 0 && post == 0 && in_y0 >= 0 && in_y0 + (g->k_h - 1) * g->dil_h < g->in_h) {
            /* Interior pixel: k_h straight copies. */
            const int8_t *src = in_b + (size_t)in_y0 * in_row + x_off;
            for (ky = 0; ky < g->k_h; ++ky, dst += row_bytes, src += dil_row) {
                conv_copy_s8(dst, src, run);
            }
            return;
        }
        for (ky = 0; ky < g->k_h; ++ky, dst += row_bytes, in_y += g->dil_h) {
            if (in_y < 0 || in_y >= g->in_h) {
                conv_fill_s8(dst, pad, row_bytes);
                continue;
            }
            conv_fill_s8(dst, pad, pre);
            conv_copy_s8(dst + pre, in_b + (size_t)in_y * in_row + x_off, run);
            conv_fill_s8(dst + pre + run, pad, post);
        }
        return;
    }
    for (ky = 0; ky < g->k_h; ++ky, dst += row_bytes) {
        const int32_t in_y = in_y0 + g->dil_h * ky;
        const int8_t *row;
        if (in_y < 0 || in_y >= g->in_h) {
            conv_fill_s8(dst, pad, row_bytes);
            continue;
        }
        row = in_b + (size_t)in_y * in_row;
        for (kx = 0; kx < k_w; ++kx) {
            const int32_t in_x = in_x0 + g->dil_w * kx;
            if (in_x < 0 || in_x >= g->in_w) {
                conv_fill_s8(dst + kx * fic, pad, fic);
            } else {
                conv_copy_s8(dst + kx * fic, row + (size_t)in_x * fic, fic);
            }
        }
    }
}

#endif /* TE_USE_DSP || TE_USE_MVE */

/* ------------------------------------------------------------------------------------------ */
/* Helium (MVE) path                                                                            */

#if defined(__GNUC__)
#define TE_CONV_NOINLINE __attribute__((noinline))
#define TE_CONV_NOCLONE __attribute__((noinline, noclone))
#else
#define TE_CONV_NOINLINE
#define TE_CONV_NOCLONE
#endif

#if defined(TE_USE_MVE)

/* Per-call constants (offsets fixed for the assembly: lo 0, hi 16, so 32). so: the scatter
 * offsets of a step's four outputs. */
typedef struct {
    int32x4_t lo, hi, so;
    int32x4_t sx;         /* filter_offset * the pixels' tap sums (legacy uint8; else 0) */
    int32_t out_off;      /* output zero point */
    uint32_t pred;        /* the pixels present (a VPR value) */
    int32_t fo;           /* filter offset (legacy uint8) */
    int32_t n;            /* K <= 16: channels read from the filter */
    const int8_t *last_w; /* K <= 16: then one from this padded row (NULL: none) */
} conv_mve_k;

#if defined(__GNUC__) && defined(__OPTIMIZE__) && !defined(TE_NO_INLINE_ASM)
#define TE_CONV_MVE_ASM 1
/* K <= 16, four pixels (x0..x3, zero past K; absent pixels zero), every output channel: per
 * channel one 16-byte weight load at its row (lanes past K meet the zeros), four VMLADAVs, two
 * VMOVs, the requantization with the channel's scalars (lanes = pixels; every shift negative,
 * checked by the caller), filter_offset * (the pixels' tap sums) for legacy models (sx), and one
 * scatter store of the pixels present (pred). kp->n channels from w, K bytes apart, then (when
 * kp->last_w is set) one more from last_w (the last row zero-padded: rows are read 16 bytes at a
 * time). */
/* MultiplyByQuantizedMultiplier of v with the next multiplier (pm) and shift (ps): every shift
 * negative (FAST), or any (GEN: the left shift, and the -1 fix-up only where the shift is
 * negative, as te_mve_requant; wv is free to use). */
#define CONV_RQ_FAST                                                                             \
    "ldr     %[a], [%[pm]], #4\n\t"                                                              \
    "vqrdmulh.s32 %q[v], %q[v], %[a]\n\t"                                                        \
    "ldr     %[a], [%[ps]], #4\n\t"                                                              \
    "vshr.s32 %q[t], %q[v], #31\n\t"                                                             \
    "vqadd.s32 %q[v], %q[v], %q[t]\n\t"                                                          \
    "vrshl.s32 %q[v], %[a]\n\t"
#define CONV_RQ_GEN                                                                              \
    "ldr     %[a], [%[ps]], #4\n\t"                                                              \
    "usat    %[b], #5, %[a]\n\t"                                                                 \
    "vshl.s32 %q[v], %[b]\n\t"                                                                   \
    "subs    %[a], %[a], %[b]\n\t"                                                               \
    "ldr     %[b], [%[pm]], #4\n\t"                                                              \
    "vqrdmulh.s32 %q[v], %q[v], %[b]\n\t"                                                        \
    "vdup.32 %q[wv], %[a]\n\t"                                                                   \
    "vand    %q[t], %q[v], %q[wv]\n\t"                                                           \
    "vshr.s32 %q[t], %q[t], #31\n\t"                                                             \
    "vqadd.s32 %q[v], %q[v], %q[t]\n\t"                                                          \
    "vrshl.s32 %q[v], %[a]\n\t"
#define CONV_K16_BODY(SX, SO, RQ)                                                                \
    "vldrb.u8 %q[wv], [%[w]]\n\t"                                                                \
    "add     %[w], %[w], %[k]\n\t"                                                               \
    "vmladav.s8 %[a], %q[wv], %q[x0]\n\t"                                                        \
    "vmladav.s8 %[b], %q[wv], %q[x2]\n\t"                                                        \
    "vmov    %q[v][2], %q[v][0], %[a], %[b]\n\t"                                                 \
    "vmladav.s8 %[a], %q[wv], %q[x1]\n\t"                                                        \
    "vmladav.s8 %[b], %q[wv], %q[x3]\n\t"                                                        \
    "vmov    %q[v][3], %q[v][1], %[a], %[b]\n\t"                                                 \
    "ldr     %[a], [%[pb]], #4\n\t"                                                              \
    "vadd.i32 %q[v], %q[v], %[a]\n\t" SX RQ                                                       \
    "vadd.i32 %q[v], %q[v], %[off]\n\t"                                                          \
    "vldrw.32 %q[t], [%[kp]]\n\t"                                                                \
    "vmax.s32 %q[v], %q[v], %q[t]\n\t"                                                           \
    "vldrw.32 %q[t], [%[kp], #16]\n\t"                                                           \
    "vmin.s32 %q[v], %q[v], %q[t]\n\t" SO                                                         \
    "vpst\n\t"
#define CONV_K16_ASM(SX, SO, STORE, RQ, ...)                                                     \
    __asm__ volatile("ldr     %[a], [%[kp], #68]\n\t"                                            \
                     "vmsr    p0, %[a]\n\t"                                                      \
                     "ldr     %[a], [%[kp], #76]\n\t"                                            \
                     "wls     lr, %[a], 2f\n\t"                                                  \
                     "1:\n\t" CONV_K16_BODY(SX, SO, RQ) STORE "adds %[out], %[out], #1\n\t" "le lr, 1b\n\t"                         \
                     "2:\n\t"                                                                    \
                     "ldr     %[a], [%[kp], #80]\n\t"                                            \
                     "cmp     %[a], #0\n\t"                                                      \
                     "beq     3f\n\t"                                                            \
                     "mov     %[w], %[a]\n\t" CONV_K16_BODY(SX, SO, RQ) STORE                        \
                     "3:\n\t"                                                                    \
                     : [w] "+r"(w), [pb] "+r"(bias), [pm] "+r"(mult), [ps] "+r"(shift), [out] "+r"(out),      \
                       [a] "=&Te"(a), [b] "=&Te"(b), [v] "=&w"(v), [t] "=&w"(t), [wv] "=&w"(wv)               \
                     : [x0] "w"(x0), [x1] "w"(x1), [x2] "w"(x2), [x3] "w"(x3), [k] "r"(k), [kp] "r"(kp),     \
                       [off] "r"(kp->out_off), __VA_ARGS__                                         \
                     : "lr", "memory", "p0", "cc")
static TE_CONV_NOINLINE void conv_mve_k16_asm(int8x16_t x0, int8x16_t x1, int8x16_t x2, int8x16_t x3,
                                              const int8_t *w, int32_t k, const int32_t *bias, const int32_t *mult,
                                              const int32_t *shift, const conv_mve_k *kp, int8_t *out, int neg)
{
    int32_t a, b;
    int32x4_t v, t, wv;
    if (kp->fo != 0) {
        CONV_K16_ASM("vadd.i32 %q[v], %q[v], %q[sx]\n\t", "vldrw.32 %q[t], [%[kp], #32]\n\t",
                     "vstrbt.32 %q[v], [%[out], %q[t]]\n\t", CONV_RQ_FAST, [sx] "w"(kp->sx));
    } else if (neg) { /* the scatter offsets stay in a register */
        CONV_K16_ASM("", "", "vstrbt.32 %q[v], [%[out], %q[so]]\n\t", CONV_RQ_FAST, [so] "w"(kp->so));
    } else {
        CONV_K16_ASM("", "vldrw.32 %q[t], [%[kp], #32]\n\t", "vstrbt.32 %q[v], [%[out], %q[t]]\n\t", CONV_RQ_GEN,
                     [sx] "w"(kp->sx));
    }
}

/* K > 16, n_oc >= 1 output channels (rows from w, row_pad bytes between a row's last 16-byte step
 * and the next row: ceil(K / 16) * 16 - K), four pixels interleaved in 16-byte chunks (chunk j of
 * pixel p at blk + 64 j + 16 p, zero past K): per step one weight load, four input loads and four
 * VMLADAV(A)s; per channel two VMOVs, the requantization with the channel's scalars (every shift
 * negative, checked by the caller; bias, multiplier and shift read on from pb, pm, ps), the legacy
 * term (sx), the output offset and clamp, one scatter store of the pixels present. The loop state
 * that does not fit the registers (block, steps, padding, channel count) is in the job. */
typedef struct {
    const int8_t *blk;    /* 0 */
    int32_t steps_1;      /* 4: ceil(K / 16) - 1 >= 1 */
    int32_t row_pad;      /* 8 */
    int32_t left;         /* 12: channels left */
    int32_t out_off;      /* 16 */
    uint32_t pred;        /* 20 */
    const int8_t *last_w; /* 24: then one more channel from this row (NULL: none) */
} conv_mve_job;

#define CONV_4X1_FN(name, RQ)                                                                    \
    static TE_CONV_NOINLINE void name(conv_mve_job *job, const int8_t *w, const int32_t *pb, const int32_t *pm, \
                                      const int32_t *ps, const conv_mve_k *kp, int8_t *out)      \
    {                                                                                                \
    const int8_t *x;                                                                                 \
    int32_t a, b, c, d;                                                                              \
    int32x4_t v, t, wv;                                                                              \
    __asm__ volatile(                                                                                \
        "1:\n\t"                                                                                     \
        "ldr     %[x], [%[job]]\n\t"                                                                 \
        "vldrb.u8 %q[wv], [%[w]], #16\n\t"                                                           \
        "vldrb.u8 %q[t], [%[x], #16]\n\t"                                                            \
        "vmladav.s8 %[b], %q[wv], %q[t]\n\t"                                                         \
        "vldrb.u8 %q[t], [%[x], #32]\n\t"                                                            \
        "vmladav.s8 %[c], %q[wv], %q[t]\n\t"                                                         \
        "vldrb.u8 %q[t], [%[x], #48]\n\t"                                                            \
        "vmladav.s8 %[d], %q[wv], %q[t]\n\t"                                                         \
        "vldrb.u8 %q[t], [%[x]], #64\n\t"                                                            \
        "vmladav.s8 %[a], %q[wv], %q[t]\n\t"                                                         \
        "ldr     lr, [%[job], #4]\n\t"                                                               \
        "dls     lr, lr\n\t"                                                                         \
        "2:\n\t"                                                                                     \
        "vldrb.u8 %q[wv], [%[w]], #16\n\t"                                                           \
        "vldrb.u8 %q[t], [%[x], #16]\n\t"                                                            \
        "vmladava.s8 %[b], %q[wv], %q[t]\n\t"                                                        \
        "vldrb.u8 %q[t], [%[x], #32]\n\t"                                                            \
        "vmladava.s8 %[c], %q[wv], %q[t]\n\t"                                                        \
        "vldrb.u8 %q[t], [%[x], #48]\n\t"                                                            \
        "vmladava.s8 %[d], %q[wv], %q[t]\n\t"                                                        \
        "vldrb.u8 %q[t], [%[x]], #64\n\t"                                                            \
        "vmladava.s8 %[a], %q[wv], %q[t]\n\t"                                                        \
        "le      lr, 2b\n\t"                                                                         \
        "vmov    %q[v][2], %q[v][0], %[a], %[c]\n\t"                                                 \
        "vmov    %q[v][3], %q[v][1], %[b], %[d]\n\t"                                                 \
        "ldr     %[a], [%[pb]], #4\n\t"                                                              \
        "vadd.i32 %q[v], %q[v], %q[sx]\n\t"                                                          \
        "vadd.i32 %q[v], %q[v], %[a]\n\t" RQ                                                         \
        "ldrd    %[a], %[b], [%[job], #16]\n\t"                                                      \
        "vadd.i32 %q[v], %q[v], %[a]\n\t"                                                            \
        "vmsr    p0, %[b]\n\t"                                                                       \
        "vmax.s32 %q[v], %q[v], %q[lo]\n\t"                                                          \
        "vmin.s32 %q[v], %q[v], %q[hi]\n\t"                                                          \
        "vpst\n\t"                                                                                   \
        "vstrbt.32 %q[v], [%[out], %q[so]]\n\t"                                                      \
        "adds    %[out], %[out], #1\n\t"                                                             \
        "ldrd    %[a], %[b], [%[job], #8]\n\t"                                                       \
        "sub     %[w], %[w], %[a]\n\t"                                                               \
        "subs    %[b], %[b], #1\n\t"                                                                 \
        "str     %[b], [%[job], #12]\n\t"                                                            \
        "bne     1b\n\t"                                                                             \
        "ldr     %[a], [%[job], #24]\n\t" /* the padded last row */                                  \
        "cmp     %[a], #0\n\t"                                                                       \
        "beq     3f\n\t"                                                                             \
        "mov     %[w], %[a]\n\t"                                                                     \
        "movs    %[a], #0\n\t"                                                                       \
        "str     %[a], [%[job], #24]\n\t"                                                            \
        "movs    %[a], #1\n\t"                                                                       \
        "str     %[a], [%[job], #12]\n\t"                                                            \
        "b       1b\n\t"                                                                             \
        "3:\n\t"                                                                                     \
        : [w] "+r"(w), [pb] "+r"(pb), [pm] "+r"(pm), [ps] "+r"(ps), [out] "+r"(out), [x] "=&r"(x), [a] "=&Te"(a), \
          [b] "=&Te"(b), [c] "=&Te"(c), [d] "=&Te"(d), [v] "=&w"(v), [t] "=&w"(t), [wv] "=&w"(wv)    \
        : [job] "r"(job), [lo] "w"(kp->lo), [hi] "w"(kp->hi), [so] "w"(kp->so), [sx] "w"(kp->sx)     \
        : "lr", "memory", "p0", "cc");                                                               \
    }
CONV_4X1_FN(conv_mve_4x1_asm, CONV_RQ_FAST)
CONV_4X1_FN(conv_mve_4x1_gen_asm, CONV_RQ_GEN)

/* conv_mve_4x1_asm for the common layer (every shift negative, no legacy term): n >= 1 channels
 * from w, the channel count in a register, the output offset in a vector and the store's
 * predicate set once (nothing in the loop writes P0); the job's fields are read at offsetof. */
static TE_CONV_NOINLINE void conv_mve_4x1_lean_asm(const conv_mve_job *job, const int8_t *w, const int32_t *pb,
                                                   const int32_t *pm, const int32_t *ps, int32_t n,
                                                   const conv_mve_k *kp, int8_t *out)
{
    const int8_t *x;
    int32_t a, b, c, d;
    int32x4_t v, t, wv;
    const int32x4_t off = vdupq_n_s32(job->out_off);
    __asm__ volatile(
        "ldr     %[a], [%[job], %[o_pred]]\n\t"
        "vmsr    p0, %[a]\n\t"
        "1:\n\t"
        "ldr     %[x], [%[job], %[o_blk]]\n\t"
        "vldrb.u8 %q[wv], [%[w]], #16\n\t"
        "vldrb.u8 %q[t], [%[x], #16]\n\t"
        "vmladav.s8 %[b], %q[wv], %q[t]\n\t"
        "vldrb.u8 %q[t], [%[x], #32]\n\t"
        "vmladav.s8 %[c], %q[wv], %q[t]\n\t"
        "vldrb.u8 %q[t], [%[x], #48]\n\t"
        "vmladav.s8 %[d], %q[wv], %q[t]\n\t"
        "vldrb.u8 %q[t], [%[x]], #64\n\t"
        "vmladav.s8 %[a], %q[wv], %q[t]\n\t"
        "ldr     lr, [%[job], %[o_steps]]\n\t"
        "dls     lr, lr\n\t"
        "2:\n\t"
        "vldrb.u8 %q[wv], [%[w]], #16\n\t"
        "vldrb.u8 %q[t], [%[x], #16]\n\t"
        "vmladava.s8 %[b], %q[wv], %q[t]\n\t"
        "vldrb.u8 %q[t], [%[x], #32]\n\t"
        "vmladava.s8 %[c], %q[wv], %q[t]\n\t"
        "vldrb.u8 %q[t], [%[x], #48]\n\t"
        "vmladava.s8 %[d], %q[wv], %q[t]\n\t"
        "vldrb.u8 %q[t], [%[x]], #64\n\t"
        "vmladava.s8 %[a], %q[wv], %q[t]\n\t"
        "le      lr, 2b\n\t"
        "vmov    %q[v][2], %q[v][0], %[a], %[c]\n\t"
        "vmov    %q[v][3], %q[v][1], %[b], %[d]\n\t"
        "ldr     %[a], [%[pb]], #4\n\t"
        "vadd.i32 %q[v], %q[v], %[a]\n\t" CONV_RQ_FAST
        "vadd.i32 %q[v], %q[v], %q[off]\n\t"
        "vmax.s32 %q[v], %q[v], %q[lo]\n\t"
        "vmin.s32 %q[v], %q[v], %q[hi]\n\t"
        "vpst\n\t"
        "vstrbt.32 %q[v], [%[out], %q[so]]\n\t"
        "adds    %[out], %[out], #1\n\t"
        "ldr     %[a], [%[job], %[o_pad]]\n\t"
        "sub     %[w], %[w], %[a]\n\t"
        "subs    %[n], %[n], #1\n\t"
        "bne     1b\n\t"
        : [w] "+r"(w), [pb] "+r"(pb), [pm] "+r"(pm), [ps] "+r"(ps), [out] "+r"(out), [n] "+r"(n), [x] "=&r"(x),
          [a] "=&Te"(a), [b] "=&Te"(b), [c] "=&Te"(c), [d] "=&Te"(d), [v] "=&w"(v), [t] "=&w"(t), [wv] "=&w"(wv)
        : [job] "r"(job), [off] "w"(off), [lo] "w"(kp->lo), [hi] "w"(kp->hi), [so] "w"(kp->so),
          [o_pred] "i"(offsetof(conv_mve_job, pred)), [o_blk] "i"(offsetof(conv_mve_job, blk)),
          [o_steps] "i"(offsetof(conv_mve_job, steps_1)), [o_pad] "i"(offsetof(conv_mve_job, row_pad))
        : "lr", "memory", "p0", "cc");
}

/* Two output channels per pass of four pixels (the common layer: every shift negative, no legacy
 * term, K > 16): per 16-byte step two weight loads (rows w0, w1 = w0 + K), four input loads and
 * eight VMLADAVAs into r0-r12 and lr, 128 multiply-accumulates in 16 instructions where
 * conv_mve_4x1_lean_asm needs 20; then each channel's requantization, clamp and scatter store as
 * there. pairs >= 1 pairs of channels, rows read whole 16-byte steps (so never the last row of a
 * layer whose K is not a multiple of 16). A naked function (operands at the fixed offsets below):
 * it saves r4-r8, r10, r11, lr and q4-q7, never touches r9, keeps the job pointer at [sp]. */
typedef struct {
    const int8_t *blk;     /* 0 */
    int32_t steps_1;       /* 4: ceil(K / 16) - 1 >= 1 */
    int32_t row_pad;       /* 8: 16 * ceil(K / 16) - K */
    int32_t k;             /* 12 */
    const int32_t *pb;     /* 16: bias, advanced */
    const int32_t *pm;     /* 20: multipliers */
    const int32_t *ps;     /* 24: shifts */
    int8_t *out;           /* 28 */
    int32_t pairs;         /* 32 */
    int32_t out_off;       /* 36 */
    uint32_t pred;         /* 40: the pixels present */
    const int8_t *w0;      /* 44 */
    const conv_mve_k *kp;  /* 48: lo, hi, so at 0, 16, 32 */
} conv_mve_job2;
typedef char conv_mve_job2_layout[(offsetof(conv_mve_job2, kp) == 48 && offsetof(conv_mve_k, so) == 32) ? 1 : -1];

#define CONV_4X2_STEP(OP)                     \
    "vldrb.u8 q0, [r1], #16\n\t"              \
    "vldrb.u8 q1, [r3], #16\n\t"              \
    "vldrb.u8 q2, [r5, #16]\n\t"              \
    OP " r2, q0, q2\n\t"                      \
    OP " r6, q1, q2\n\t"                      \
    "vldrb.u8 q2, [r5, #32]\n\t"              \
    OP " r4, q0, q2\n\t"                      \
    OP " r10, q1, q2\n\t"                     \
    "vldrb.u8 q2, [r5, #48]\n\t"              \
    OP " r8, q0, q2\n\t"                      \
    OP " lr, q1, q2\n\t"                      \
    "vldrb.u8 q2, [r5], #64\n\t"              \
    OP " r0, q0, q2\n\t"                      \
    OP " r12, q1, q2\n\t"
/* Requantize, offset, clamp and store channel vector Q (bias, multiplier, shift from r2, r4, r6;
 * out at r8). */
#define CONV_4X2_RQ(Q)                        \
    "ldr     r10, [r2], #4\n\t"               \
    "vadd.i32 " Q ", " Q ", r10\n\t"          \
    "ldr     r10, [r4], #4\n\t"               \
    "vqrdmulh.s32 " Q ", " Q ", r10\n\t"      \
    "ldr     r10, [r6], #4\n\t"               \
    "vshr.s32 q2, " Q ", #31\n\t"             \
    "vqadd.s32 " Q ", " Q ", q2\n\t"          \
    "vrshl.s32 " Q ", r10\n\t"                \
    "vadd.i32 " Q ", " Q ", q7\n\t"           \
    "vmax.s32 " Q ", " Q ", q4\n\t"           \
    "vmin.s32 " Q ", " Q ", q5\n\t"           \
    "vpst\n\t"                                \
    "vstrbt.32 " Q ", [r8, q6]\n\t"           \
    "adds    r8, r8, #1\n\t"

__attribute__((naked, noinline)) static void conv_mve_4x2_asm(conv_mve_job2 *job __attribute__((unused)))
{
    __asm__ volatile(
        "push    {r4, r5, r6, r7, r8, r10, r11, lr}\n\t"
        "vpush   {d8-d15}\n\t"
        "sub     sp, sp, #8\n\t"
        "str     r0, [sp]\n\t"
        "ldr     r1, [r0, #48]\n\t"
        "vldrw.32 q4, [r1]\n\t"
        "vldrw.32 q5, [r1, #16]\n\t"
        "vldrw.32 q6, [r1, #32]\n\t"
        "ldr     r1, [r0, #36]\n\t"
        "vdup.32 q7, r1\n\t"
        "ldr     r1, [r0, #40]\n\t"
        "vmsr    p0, r1\n\t"
        "ldr     r11, [r0, #32]\n\t"
        "ldr     r1, [r0, #44]\n\t"
        "ldr     r2, [r0, #12]\n\t"
        "add     r3, r1, r2\n\t"
        "1:\n\t"
        "ldr     r0, [sp]\n\t"
        "ldr     r5, [r0]\n\t"
        "ldr     r7, [r0, #4]\n\t"
        CONV_4X2_STEP("vmladav.s8")
        /* steps_1 more steps, two per pass (an odd one first; the steps leave the flags) */
        "lsrs    r7, r7, #1\n\t"
        "bcc     2f\n\t"
        CONV_4X2_STEP("vmladava.s8")
        "beq     3f\n\t"
        "2:\n\t"
        CONV_4X2_STEP("vmladava.s8")
        CONV_4X2_STEP("vmladava.s8")
        "subs    r7, r7, #1\n\t"
        "bne     2b\n\t"
        "3:\n\t"
        "vmov    q0[2], q0[0], r0, r4\n\t"
        "vmov    q0[3], q0[1], r2, r8\n\t"
        "vmov    q1[2], q1[0], r12, r10\n\t"
        "vmov    q1[3], q1[1], r6, lr\n\t"
        "ldr     r0, [sp]\n\t"
        "ldrd    r2, r4, [r0, #16]\n\t"
        "ldrd    r6, r8, [r0, #24]\n\t"
        CONV_4X2_RQ("q0")
        CONV_4X2_RQ("q1")
        "strd    r2, r4, [r0, #16]\n\t"
        "strd    r6, r8, [r0, #24]\n\t"
        "ldrd    r10, r12, [r0, #8]\n\t"
        "sub     r1, r3, r10\n\t"
        "add     r3, r1, r12\n\t"
        "subs    r11, r11, #1\n\t"
        "bne     1b\n\t"
        "add     sp, sp, #8\n\t"
        "vpop    {d8-d15}\n\t"
        "pop     {r4, r5, r6, r7, r8, r10, r11, pc}\n\t");
}
#endif /* TE_CONV_MVE_ASM */

/* The sum of k taps (the legacy filter-offset term). */
TE_INLINE int32_t conv_mve_sum(const int8_t *x, int32_t k)
{
    int32_t s = 0, i;
    for (i = 0; i < k; i += 16) {
        s = vaddvaq_s8(s, vldrbq_z_s8(x + i, vctp8q((uint32_t)(k - i))));
    }
    return s;
}

/* One output channel of the (up to 4) pixels whose k taps are 16 per chunk at x[p] + cs * i (chunk
 * i), requantized with any shift, stored at out (pixels out_c apart; pred: the pixels present). */
static void conv_mve_channel(const int8_t *const x[4], int32_t cs, int32_t k, const int8_t *w, int32_t bias,
                             int32_t mult, int32_t shift, const conv_mve_k *kc, int8_t *out, mve_pred16_t pred)
{
    int32_t s[4] = {0, 0, 0, 0}, i, j;
    int32x4_t v;
    for (i = 0; i < k; i += 16) {
        const mve_pred16_t pr = vctp8q((uint32_t)(k - i));
        const int8x16_t wv = vldrbq_z_s8(w + i, pr);
        for (j = 0; j < 4; ++j) {
            s[j] = vmladavaq_s8(s[j], wv, vldrbq_z_s8(x[j] + (i >> 4) * cs, pr));
        }
    }
    v = vaddq_n_s32(vaddq_s32(vldrwq_s32(s), kc->sx), bias);
    v = vaddq_n_s32(te_mve_requant_n(v, mult, shift), kc->out_off);
    vstrbq_scatter_offset_p_s32(out, vreinterpretq_u32_s32(kc->so), vminq_s32(vmaxq_s32(v, kc->lo), kc->hi), pred);
}

/* Every output channel of n (1..4) pixels; bias: folded. Their taps are read before any output is
 * stored (so in place needs no other copy): for K <= 16 into registers from x[0..3] (x[j] valid
 * for every j; conv_mve_k16_asm), else from blk, the block built by the caller (4 pixels
 * interleaved in 16-byte chunks, chunk i of pixel j at blk + 64 i + 16 j, zero past k;
 * conv_mve_4x1_asm). The assembly reads whole 16-byte steps of each row: when k is not a multiple
 * of 16 the last channel's row is read from last_w, a copy zero-padded to 16-byte steps. neg: every
 * shift is negative (the shorter requantization). Without the assembly (or a legacy layer with
 * K <= 16 and a non-negative shift): intrinsics (conv_mve_channel). */
static TE_CONV_NOINLINE void conv_mve_pixels(const te_conv_params *p, const te_requant_per_channel *rq,
                                             const int32_t *bias, const int8_t *filter, const int8_t *const x[4],
                                             int32_t n, int32_t k, const int8_t *blk, const int8_t *last_w,
                                             conv_mve_k *kc, int8_t *out, int neg)
{
    const int32_t out_c = p->out_c, n16 = (k + 15) >> 4, padded = (k & 15) != 0;
    const mve_pred16_t pred = vctp32q((uint32_t)n);
    int32_t oc = 0, j;
    kc->pred = pred;
    kc->sx = vdupq_n_s32(0);
    if (kc->fo != 0) {
        int32_t sx[4];
        for (j = 0; j < 4; ++j) {
            if (k <= 16) {
                sx[j] = conv_mve_sum(x[j], k);
            } else {
                int32_t i;
                sx[j] = 0;
                for (i = 0; i < n16; ++i) {
                    sx[j] = vaddvaq_s8(sx[j], vldrbq_s8(blk + 64 * i + 16 * j));
                }
            }
        }
        kc->sx = vmulq_n_s32(vldrwq_s32(sx), kc->fo);
    }
    if (k <= 16) { /* the pixels in registers */
        const mve_pred16_t pk = vctp8q((uint32_t)k);
        const int8x16_t x0 = vldrbq_z_s8(x[0], pk), x1 = vldrbq_z_s8(x[1], pk);
        const int8x16_t x2 = vldrbq_z_s8(x[2], pk), x3 = vldrbq_z_s8(x[3], pk);
#if defined(TE_CONV_MVE_ASM)
        if (neg || kc->fo == 0) {
            kc->n = out_c - padded;
            kc->last_w = padded ? last_w : NULL;
            conv_mve_k16_asm(x0, x1, x2, x3, filter, k, bias, rq->multiplier, rq->shift, kc, out, neg);
            return;
        }
#else
        (void)neg;
        (void)last_w;
        (void)padded;
#endif
        for (; oc < out_c; ++oc) {
            const int8x16_t wv = vldrbq_z_s8(filter + (size_t)oc * k, pk);
            int32x4_t v = te_mve_vec4(vmladavq_s8(wv, x0), vmladavq_s8(wv, x1), vmladavq_s8(wv, x2),
                                      vmladavq_s8(wv, x3));
            v = vaddq_n_s32(vaddq_s32(v, kc->sx), bias[oc]);
            v = vaddq_n_s32(te_mve_requant_n(v, rq->multiplier[oc], rq->shift[oc]), kc->out_off);
            vstrbq_scatter_offset_p_s32(out + oc, vreinterpretq_u32_s32(kc->so), vminq_s32(vmaxq_s32(v, kc->lo), kc->hi),
                                        pred);
        }
        return;
    }
#if defined(TE_CONV_MVE_ASM)
    {
        conv_mve_job job;
        job.blk = blk;
        job.steps_1 = n16 - 1;
        job.row_pad = 16 * n16 - k;
        job.left = out_c - padded;
        job.out_off = kc->out_off;
        job.pred = pred;
        job.last_w = padded ? last_w : NULL;
        if (job.left == 0) { /* one channel, padded */
            job.left = 1;
            job.last_w = NULL;
            filter = last_w;
        }
        if (neg && kc->fo == 0) {
            int32_t done = 0;
            if (job.left >= 2 && job.last_w != filter) { /* pairs of the rows read in place */
                conv_mve_job2 j2;
                j2.blk = blk;
                j2.steps_1 = n16 - 1;
                j2.row_pad = 16 * n16 - k;
                j2.k = k;
                j2.pb = bias;
                j2.pm = rq->multiplier;
                j2.ps = rq->shift;
                j2.out = out;
                j2.pairs = job.left >> 1;
                j2.out_off = kc->out_off;
                j2.pred = pred;
                j2.w0 = filter;
                j2.kp = kc;
                conv_mve_4x2_asm(&j2);
                done = 2 * j2.pairs;
            }
            if (job.left > done) {
                conv_mve_4x1_lean_asm(&job, filter + (size_t)done * k, bias + done, rq->multiplier + done,
                                      rq->shift + done, job.left - done, kc, out + done);
            }
            if (job.last_w != NULL) {
                conv_mve_4x1_lean_asm(&job, job.last_w, bias + job.left, rq->multiplier + job.left,
                                      rq->shift + job.left, 1, kc, out + job.left);
            }
            return;
        }
        (neg ? conv_mve_4x1_asm : conv_mve_4x1_gen_asm)(&job, filter, bias, rq->multiplier, rq->shift, kc, out);
        return;
    }
#endif
    {
        const int8_t *const xb[4] = {blk, blk + 16, blk + 32, blk + 48};
        for (; oc < out_c; ++oc) {
            conv_mve_channel(xb, 64, k, filter + (size_t)oc * k, bias[oc], rq->multiplier[oc], rq->shift[oc], kc,
                             out + oc, pred);
        }
    }
}

static void conv_mve_consts(const te_conv_params *p, conv_mve_k *k)
{
    k->lo = vdupq_n_s32(p->act_min);
    k->hi = vdupq_n_s32(p->act_max);
    k->so = vreinterpretq_s32_u32(vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)p->out_c));
    k->out_off = p->output_offset;
    k->fo = p->filter_offset;
}

/* The last output channel's row (k taps) zero-padded to whole 16-byte steps. */
static void conv_mve_last_row(const te_conv_params *p, const int8_t *filter, int32_t k, int8_t *dst)
{
    const int8_t *w = filter + (size_t)(p->out_c - 1) * k;
    int32_t i;
    for (i = 0; i < k; i += 16) {
        vstrbq_s8(dst + i, vldrbq_z_s8(w + i, vctp8q((uint32_t)(k - i))));
    }
}

/* k taps of pixel j (k contiguous bytes at x, or none: zeros) into the block. */
static void conv_mve_to_block(int8_t *blk, int32_t j, const int8_t *x, int32_t k)
{
    int32_t i;
    for (i = 0; i < k; i += 16) {
        vstrbq_s8(blk + 4 * i + 16 * j, vldrbq_z_s8(x + i, x ? vctp8q((uint32_t)(k - i)) : 0));
    }
}

/* Every shift negative (the assembly's requantization). */
static int conv_mve_neg_shifts(const int32_t *shift, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; ++i) {
        if (shift[i] >= 0) {
            return 0;
        }
    }
    return 1;
}

/* Pointwise, four pixels at a time: their taps go to registers (K <= 16) or the block before any
 * of their outputs is stored, which in place needs no other copy. Scratch: the block (4 pixels of
 * K rounded up to 16) and the last row's padded copy (te_conv2d_1x1_s8_scratch_bytes; K <= 16
 * uses only the latter). */
static void conv_1x1_mve(const te_conv_params *p, const te_requant_per_channel *rq,
                         const int8_t *input, const int8_t *filter, int8_t *output, int8_t *scratch)
{
    const int32_t pixels = p->out_h * p->out_w, k = p->in_c, k16 = (k + 15) & ~15;
    const int neg = conv_mve_neg_shifts(rq->shift, p->out_c);
    const int contiguous = p->stride_h == 1 && p->stride_w == 1;
    int8_t *const last_w = scratch + (k > 16 ? 4 * k16 : 0);
    conv_mve_k kc;
    int32_t b, px, j;
    conv_mve_consts(p, &kc);
    conv_mve_last_row(p, filter, k, last_w);
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        int8_t *out = output + (size_t)b * pixels * p->out_c;
        for (px = 0; px < pixels; px += 4, out += 4 * p->out_c) {
            const int32_t n = te_min_i32(pixels - px, 4);
            const int8_t *x[4];
            for (j = 0; j < 4; ++j) {
                const int32_t q = px + te_min_i32(j, n - 1);
                x[j] = contiguous ? in_b + (size_t)q * k : conv_1x1_pixel(p, in_b, q);
                if (k > 16) {
                    conv_mve_to_block(scratch, j, j < n ? x[j] : NULL, k);
                }
            }
            conv_mve_pixels(p, rq, rq->bias, filter, x, n, k, scratch, last_w, &kc, out, neg);
        }
    }
}

/* k taps of one window into the block (chunk i at dst + 64 i) with halfword-offset gathers from x0:
 * offs holds per 16 taps the offsets of the even ones, then of the odd ones; the last k & 15 taps
 * with predicated gathers (lanes past k are not read and become 0). */
static TE_CONV_NOINLINE void conv_mve_gather(const int8_t *x0, const uint16_t *offs, int32_t k, int8_t *dst)
{
    const int32_t rem = k & 15;
#if defined(TE_CONV_MVE_ASM)
    int16x8_t e, o;
    int8x16_t q;
    if (k >= 16) {
        __asm__ volatile(
            "dls     lr, %[n]\n\t"
            "1:\n\t"
            "vldrh.u16 %q[q], [%[offs]], #16\n\t"
            "vldrb.s16 %q[e], [%[x0], %q[q]]\n\t"
            "vldrh.u16 %q[q], [%[offs]], #16\n\t"
            "vldrb.s16 %q[o], [%[x0], %q[q]]\n\t"
            "vmovnb.i16 %q[q], %q[e]\n\t"
            "vmovnt.i16 %q[q], %q[o]\n\t"
            "vstrb.8 %q[q], [%[dst]], #64\n\t"
            "le      lr, 1b\n\t"
            : [offs] "+r"(offs), [dst] "+r"(dst), [e] "=&w"(e), [o] "=&w"(o), [q] "=&w"(q)
            : [x0] "r"(x0), [n] "r"(k >> 4)
            : "lr", "memory");
    }
#else
    for (; k >= 16; k -= 16, offs += 16, dst += 64) {
        vstrbq_s8(dst, vmovntq_s16(vmovnbq_s16(vdupq_n_s8(0), vldrbq_gather_offset_s16(x0, vldrhq_u16(offs))),
                                   vldrbq_gather_offset_s16(x0, vldrhq_u16(offs + 8))));
    }
#endif
    if (rem) {
        const int16x8_t ev = vldrbq_gather_offset_z_s16(x0, vldrhq_u16(offs), vctp16q((uint32_t)(rem + 1) >> 1));
        const int16x8_t od = vldrbq_gather_offset_z_s16(x0, vldrhq_u16(offs + 8), vctp16q((uint32_t)rem >> 1));
        vstrbq_s8(dst, vmovntq_s16(vmovnbq_s16(vdupq_n_s8(0), ev), od));
    }
}

/* An interior window whose kernel rows are rc whole 16-byte chunks (dilation 1 along x) straight
 * into a pixel of the block: k_h rows from src, dil_row bytes apart, chunk i of the window at
 * dst + 64 i. */
static TE_CONV_NOINLINE void conv_mve_rows(const int8_t *src, int32_t dil_row, int32_t k_h, int32_t rc, int8_t *dst)
{
    for (; k_h > 0; --k_h, src += dil_row) {
        const int8_t *s = src;
        int32_t i;
        for (i = rc; i > 0; --i, s += 16, dst += 64) {
            vstrbq_s8(dst, vldrbq_s8(s));
        }
    }
}

/* The window of output pixel (oy, ox) (dilation 1 along x) with whole-vector copies: kernel row ky
 * to dst + ky * row_step, its 16-byte chunk i at + i * chunk_step (the last one predicated to the
 * row's end); taps left or right of the input row (a border pixel) are g->pad by predicated loads
 * (lanes off are never read) and a select, rows above or below all g->pad. row_step = row_bytes,
 * chunk_step = 16: the window as conv_gather_s8 writes it; row_bytes a multiple of 16, row_step
 * 64 * row_bytes / 16, chunk_step 64: straight into a pixel of the block. */
static TE_CONV_NOINLINE void conv_mve_window(const te_conv_geom *g, const int8_t *in_b, int32_t oy, int32_t ox,
                                             int8_t *dst, int32_t row_step, int32_t chunk_step)
{
    const int32_t c = g->fic, rb = g->row_bytes;
    const int32_t iy0 = oy * g->stride_h - g->pad_top, ix0 = ox * g->stride_w - g->pad_left;
    /* the row's bytes [pre, end) are inside the input */
    const int32_t pre = te_min_i32(ix0 < 0 ? -ix0 * c : 0, rb);
    const int32_t end = te_max_i32(te_min_i32((g->in_w - ix0) * c, rb), pre);
    const int8x16_t padv = vdupq_n_s8(g->pad);
    int32_t ky, i;
    if (rb <= 16) { /* one chunk per row: its predicates once */
        const mve_pred16_t st = vctp8q((uint32_t)rb);
        const mve_pred16_t in = (mve_pred16_t)(vctp8q((uint32_t)end) & ~vctp8q((uint32_t)pre));
        const intptr_t x_off = (intptr_t)ix0 * c;
        for (ky = 0; ky < g->k_h; ++ky, dst += row_step) {
            const int32_t iy = iy0 + ky * g->dil_h;
            int8x16_t v = padv;
            if (iy >= 0 && iy < g->in_h) {
                const uintptr_t src = (uintptr_t)(in_b + (size_t)iy * g->in_row) + (uintptr_t)x_off;
                v = vpselq_s8(vldrbq_z_s8((const int8_t *)src, in), padv, in);
            }
            vstrbq_p_s8(dst, v, st);
        }
        return;
    }
    for (ky = 0; ky < g->k_h; ++ky, dst += row_step) {
        const int32_t iy = iy0 + ky * g->dil_h;
        int8_t *d = dst;
        uintptr_t src;
        if (iy < 0 || iy >= g->in_h || pre == end) {
            for (i = 0; i < rb; i += 16, d += chunk_step) {
                vstrbq_p_s8(d, padv, vctp8q((uint32_t)(rb - i)));
            }
            continue;
        }
        /* as an integer: left of the row (ix0 < 0) is outside the input object */
        src = (uintptr_t)(in_b + (size_t)iy * g->in_row) + (uintptr_t)((intptr_t)ix0 * c);
        if (pre == 0 && end == rb) {
            for (i = 0; i < rb; i += 16, d += chunk_step) {
                const mve_pred16_t pr = vctp8q((uint32_t)(rb - i));
                vstrbq_p_s8(d, vldrbq_z_s8((const int8_t *)(src + (uint32_t)i), pr), pr);
            }
        } else {
            for (i = 0; i < rb; i += 16, d += chunk_step) {
                const mve_pred16_t in = (mve_pred16_t)(vctp8q((uint32_t)te_max_i32(end - i, 0)) &
                                                       ~vctp8q((uint32_t)te_max_i32(pre - i, 0)));
                const int8x16_t v = vldrbq_z_s8((const int8_t *)(src + (uint32_t)i), in);
                vstrbq_p_s8(d, vpselq_s8(v, padv, in), vctp8q((uint32_t)(rb - i)));
            }
        }
    }
}

/* Any kernel (one group): four output pixels' windows gathered as int8 (padded taps = the input
 * zero point) into the block, then conv_mve_pixels. Interior pixels of windows up to 64 taps are
 * gathered straight from the input (halfword-offset gathers of 8 taps, two narrowed into a
 * 16-byte chunk); the others by conv_mve_window (straight into the block when a kernel row is
 * whole chunks; dilation along x: the shared window gather). The window holds raw x, so over
 * all K taps
 *   sum (w + fo)(x + io) = sum w x + [io sum w + fo io K] + fo sum x:
 * the bracket joins the bias (folded once per call into the scratch), fo sum x (legacy uint8
 * models only) is added per pixel. Scratch (te_conv2d_s8_scratch_bytes): out_c biases, the block (4
 * pixels), one window (then the last row's padded copy); each of K rounded up to 16. */
#define CONV_MVE_GATHER_TAPS 64
static void conv_mve(const te_conv_params *p, const te_requant_per_channel *rq,
                     const int8_t *input, const int8_t *filter, int8_t *output, int8_t *scratch)
{
    const int32_t k = p->k_h * p->k_w * p->in_c, k16 = (k + 15) & ~15, c = p->in_c;
    const int32_t pixels = p->out_h * p->out_w, eff_h = (p->k_h - 1) * p->dil_h + 1;
    const int32_t eff_w = (p->k_w - 1) * p->dil_w + 1, in_row = p->in_w * c;
    int32_t *const bias = (int32_t *)(void *)scratch;
    int8_t *const blk = scratch + 4 * p->out_c, *const win = blk + 4 * k16, *const last_w = win;
    const te_conv_geom geom = conv_geom(p, (int8_t)(-p->input_offset));
    const uint32_t io = (uint32_t)p->input_offset, fo = (uint32_t)p->filter_offset;
    const int neg = conv_mve_neg_shifts(rq->shift, p->out_c);
    const int8_t *const xb[4] = {blk, blk + 16, blk + 32, blk + 48}; /* K <= 16: the block's pixels */
    /* the direct gather: tap t's offset from the window's first tap, in even / odd halves */
    const int direct = k <= CONV_MVE_GATHER_TAPS && (eff_h - 1) * in_row + eff_w * c <= 65536;
    const int rows16 = p->dil_w == 1 && (geom.row_bytes & 15) == 0; /* kernel rows of whole chunks */
    uint16_t offs[CONV_MVE_GATHER_TAPS];
    conv_mve_k kc;
    int32_t b, px, oc, j, t;
    conv_mve_consts(p, &kc);
    for (oc = 0; oc < p->out_c; ++oc) {
        const uint32_t s = (uint32_t)conv_mve_sum(filter + (size_t)oc * k, k);
        bias[oc] = (int32_t)((uint32_t)(rq->bias ? rq->bias[oc] : 0) + s * io + fo * io * (uint32_t)k);
    }
    for (t = 0; direct && t < k16; ++t) { /* chunk by chunk: the even taps, then the odd ones */
        const int32_t tap = (t & ~15) + 2 * (t & 7) + ((t >> 3) & 1);
        const int32_t ci = tap % c, kx = (tap / c) % p->k_w, ky = tap / (c * p->k_w);
        offs[t] = (uint16_t)(tap < k ? ky * p->dil_h * in_row + kx * p->dil_w * c + ci : 0);
    }
    if (k & 15) { /* the padded last row in the window's space, copied again after each use */
        conv_mve_last_row(p, filter, k, last_w);
    }
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * in_row;
        int8_t *out = output + (size_t)b * pixels * p->out_c;
        for (px = 0; px < pixels; px += 4, out += 4 * p->out_c) {
            const int32_t n = te_min_i32(pixels - px, 4);
            for (j = 0; j < 4; ++j) {
                const int32_t q = px + j, oy = q / p->out_w, ox = q - oy * p->out_w;
                const int32_t iy = oy * p->stride_h - p->pad_top, ix = ox * p->stride_w - p->pad_left;
                if (j >= n) {
                    conv_mve_to_block(blk, j, NULL, k);
                } else if (direct && iy >= 0 && ix >= 0 && iy + eff_h <= p->in_h && ix + eff_w <= p->in_w) {
                    conv_mve_gather(in_b + (size_t)iy * in_row + (size_t)ix * c, offs, k, blk + 16 * j);
                } else if (rows16 && iy >= 0 && ix >= 0 && iy + eff_h <= p->in_h && ix + eff_w <= p->in_w) {
                    conv_mve_rows(in_b + (size_t)iy * in_row + (size_t)ix * c, p->dil_h * in_row, p->k_h,
                                  geom.row_bytes >> 4, blk + 16 * j);
                } else if (p->dil_w != 1) {
                    conv_gather_s8(&geom, in_b, oy, ox, win);
                    conv_mve_to_block(blk, j, win, k);
                    if (k & 15) { /* the window's space, free again */
                        conv_mve_last_row(p, filter, k, last_w);
                    }
                } else if (rows16) { /* rows of whole chunks: straight in */
                    conv_mve_window(&geom, in_b, oy, ox, blk + 16 * j, 4 * geom.row_bytes, 64);
                } else {
                    conv_mve_window(&geom, in_b, oy, ox, win, geom.row_bytes, 16);
                    conv_mve_to_block(blk, j, win, k);
                    if (k & 15) {
                        conv_mve_last_row(p, filter, k, last_w);
                    }
                }
            }
            conv_mve_pixels(p, rq, bias, filter, xb, n, k, blk, last_w, &kc, out, neg);
        }
    }
}

#endif /* TE_USE_MVE */

/* ------------------------------------------------------------------------------------------ */
/* DSP path                                                                                     */

#if defined(TE_USE_DSP) && !defined(TE_USE_MVE)

#if defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP)
#include <arm_acle.h>
#if defined(__GNUC__) && defined(__thumb2__) && !defined(TE_NO_INLINE_ASM)
#define TE_CONV_DSP_ASM 1
#endif
#endif

/* Requantization of the DSP kernels: CONV_RQ_FAST_FULL when the activation range is the whole
 * int8 range (then one SSAT clamps), CONV_RQ_FAST otherwise; chosen once per call. */
enum { CONV_RQ_FAST = 0, CONV_RQ_FAST_FULL = 1 };

/* The DSP kernels' requantization is te_requant_fast (te_common.h: the proof) with o = 0 and
 * hi0 = 2^(e-2), for a right shift e = -shift in [2, 31]; the output offset is added after the
 * shift. Other shifts (e <= 1: scales of 1/2 and more) use the generic helper: a channel is fast
 * when (uint32)(e - 2) <= conv_fast_limit(...). */

/* 29 (e in [2, 31]) when every multiplier is >= 0 (always, from QuantizeMultiplier), else 0
 * (the generic helper for every channel: UINT32 e - 2 is never below 0). */
static uint32_t conv_fast_limit(const te_conv_params *p, const te_requant_per_channel *rq)
{
    uint32_t sign = 0; /* the OR of the multipliers: its top bit says whether one is negative */
    int32_t oc;
    for (oc = 0; oc < p->out_c; ++oc) {
        sign |= (uint32_t)rq->multiplier[oc];
    }
    return (sign >> 31) ? 0u : 29u;
}

/* Requantized (fast form), offset and clamped: in [-128, 127]. */
TE_INLINE int32_t conv_finish_fast(int32_t acc, int32_t mult, uint32_t hi0, int32_t sh, int32_t out_off,
                                   int32_t act_min, int32_t act_max, const int mode)
{
    const int32_t v = te_requant_fast(acc, mult, (int32_t)hi0, sh) + out_off;
    if (mode == CONV_RQ_FAST_FULL) {
        return te_ssat8(v);
    }
    return te_clamp_i32(v, act_min, act_max);
}

/* Columns. A block of 4 pixels is stored interleaved per group of 4 taps: words
 * [c0 even, c0 odd, c1 even, c1 odd, c2 even, c2 odd, c3 even, c3 odd] (stride 8 words);
 * a single pixel as [even, odd] per group (stride 2). "even" = taps 0 and 2 as int16,
 * "odd" = taps 1 and 3 (SXTB16 order), so weights are expanded with SXTB16 / SXTB16 ROR 8. */

/* n int8 values (+ input_offset) into a column starting at dst, groups `stride` words apart;
 * a last partial group (only the 1x1 kernel has one: its offset is 0) is zero padded. */
static void conv_expand_dsp(const int8_t *src, int32_t n, int32_t input_offset, uint32_t *dst, int32_t stride)
{
    const uint32_t off2 = ((uint32_t)(uint16_t)input_offset) | ((uint32_t)(uint16_t)input_offset << 16);
    int32_t k;
    if (input_offset == 0) {
        for (k = 0; k + 4 <= n; k += 4, dst += stride) {
            const uint32_t v = te_read_u32(src + k);
            dst[0] = te_sxtb16(v);
            dst[1] = te_sxtb16_ror8(v);
        }
    } else {
        for (k = 0; k + 4 <= n; k += 4, dst += stride) {
            const uint32_t v = te_read_u32(src + k);
            dst[0] = te_sadd16(te_sxtb16(v), off2);
            dst[1] = te_sadd16(te_sxtb16_ror8(v), off2);
        }
    }
    if (k < n) {
        uint32_t v = (uint8_t)src[k];
        if (k + 1 < n) v |= (uint32_t)(uint8_t)src[k + 1] << 8;
        if (k + 2 < n) v |= (uint32_t)(uint8_t)src[k + 2] << 16;
        dst[0] = te_sxtb16(v);
        dst[1] = te_sxtb16_ror8(v);
    }
}

/* im2col of output pixel (oy, ox) straight from the input when the channel count is a
 * multiple of 4: (x + offset) per tap, padded taps 0. */
static void conv_im2col_dsp(const te_conv_params *p, const int8_t *in_b, int32_t oy, int32_t ox,
                            uint32_t *dst, int32_t stride)
{
    const int32_t fic = p->in_c;
    const int32_t in_y0 = oy * p->stride_h - p->pad_top;
    const int32_t in_x0 = ox * p->stride_w - p->pad_left;
    int32_t ky, kx, k;
    for (ky = 0; ky < p->k_h; ++ky) {
        const int32_t in_y = in_y0 + p->dil_h * ky;
        const int row_ok = in_y >= 0 && in_y < p->in_h;
        for (kx = 0; kx < p->k_w; ++kx) {
            const int32_t in_x = in_x0 + p->dil_w * kx;
            if (row_ok && in_x >= 0 && in_x < p->in_w) {
                conv_expand_dsp(in_b + ((size_t)in_y * p->in_w + in_x) * fic, fic, p->input_offset, dst, stride);
                dst += (fic >> 2) * stride;
            } else {
                for (k = 0; k < fic; k += 4, dst += stride) {
                    dst[0] = 0;
                    dst[1] = 0;
                }
            }
        }
    }
}

#if defined(TE_CONV_HAVE_ROWS)
/* conv_expand_dsp for n a multiple of 4, two groups per pass (adding a zero offset is exact). */
static void conv_expand_rows_dsp(const int8_t *src, int32_t n, uint32_t off2, uint32_t *dst, int32_t stride)
{
    const int8_t *const end = src + n;
    if (n & 4) {
        const uint32_t v = te_read_u32(src);
        dst[0] = te_sadd16(te_sxtb16(v), off2);
        dst[1] = te_sadd16(te_sxtb16_ror8(v), off2);
        src += 4, dst += stride;
    }
    for (; src < end; src += 8, dst += 2 * stride) {
        const uint32_t v = te_read_u32(src), w = te_read_u32(src + 4);
        dst[0] = te_sadd16(te_sxtb16(v), off2);
        dst[1] = te_sadd16(te_sxtb16_ror8(v), off2);
        dst[stride] = te_sadd16(te_sxtb16(w), off2);
        dst[stride + 1] = te_sadd16(te_sxtb16_ror8(w), off2);
    }
}

/* conv_im2col_dsp with dil_w 1: the in-image taps of a filter row are contiguous in NHWC (and
 * their groups consecutive in the column), so one expansion covers all of them. */
static void conv_im2col_rows_dsp(const te_conv_params *p, const int8_t *in_b, int32_t oy, int32_t ox,
                                 uint32_t *dst, int32_t stride)
{
    const int32_t fic = p->in_c, k_w = p->k_w, tap = (fic >> 2) * stride;
    const int32_t in_y0 = oy * p->stride_h - p->pad_top;
    const int32_t in_x0 = ox * p->stride_w - p->pad_left;
    const int32_t kx0 = te_max_i32(0, -in_x0);                               /* first in-image column */
    const int32_t kx1 = te_max_i32(kx0, te_min_i32(k_w, p->in_w - in_x0)); /* past the last one */
    const uint32_t off2 = (uint32_t)(uint16_t)p->input_offset * 0x00010001u;
    int32_t ky, k;
    for (ky = 0; ky < p->k_h; ++ky) {
        const int32_t in_y = in_y0 + p->dil_h * ky;
        int32_t lo = 0, hi = 0; /* the row's taps [lo, hi) are in the image, the others padding */
        if (in_y >= 0 && in_y < p->in_h) {
            lo = kx0, hi = kx1;
        }
        for (k = 0; k < lo * fic; k += 4, dst += stride) {
            dst[0] = 0;
            dst[1] = 0;
        }
        if (hi > lo) {
            conv_expand_rows_dsp(in_b + ((size_t)in_y * p->in_w + in_x0 + lo) * fic, (hi - lo) * fic, off2, dst,
                                 stride);
            dst += (hi - lo) * tap;
        }
        for (k = hi * fic; k < k_w * fic; k += 4, dst += stride) {
            dst[0] = 0;
            dst[1] = 0;
        }
    }
}
#endif

/* The last partial group of a weight row (n = 1..3 bytes), zero padded. */
TE_INLINE uint32_t conv_tail_word(const int8_t *w, int32_t n)
{
    uint32_t v = (uint8_t)w[0];
    if (n > 1) v |= (uint32_t)(uint8_t)w[1] << 8;
    if (n > 2) v |= (uint32_t)(uint8_t)w[2] << 16;
    return v;
}

/* a[j] += dot(weight row, column j) over `groups` groups of 4 taps, 4 interleaved columns. */
#if defined(TE_CONV_DSP_ASM)
/* One group: weight word -> SXTB16 even/odd, 8 column words (two LDM), 8 SMLAD. */
#define TE_CONV_DOT4_GROUP                                       \
        "ldr     %[we], [%[w]], #4\n\t"                           \
        "ldmia   %[c]!, {%[x0], %[x1], %[x2], %[x3]}\n\t"         \
        "sxtb16  %[wo], %[we], ror #8\n\t"                        \
        "sxtb16  %[we], %[we]\n\t"                                \
        "smlad   %[a0], %[we], %[x0], %[a0]\n\t"                  \
        "smlad   %[a0], %[wo], %[x1], %[a0]\n\t"                  \
        "smlad   %[a1], %[we], %[x2], %[a1]\n\t"                  \
        "smlad   %[a1], %[wo], %[x3], %[a1]\n\t"                  \
        "ldmia   %[c]!, {%[x0], %[x1], %[x2], %[x3]}\n\t"         \
        "smlad   %[a2], %[we], %[x0], %[a2]\n\t"                  \
        "smlad   %[a2], %[wo], %[x1], %[a2]\n\t"                  \
        "smlad   %[a3], %[we], %[x2], %[a3]\n\t"                  \
        "smlad   %[a3], %[wo], %[x3], %[a3]\n\t"

TE_INLINE void conv_dot4_groups(const int8_t **pw, const uint32_t **pc, int32_t groups, int32_t a[4])
{
    /* LDM needs its registers in ascending order: pin the four column words (not r7, a frame
     * pointer, nor r9, reserved on some platforms). */
    register uint32_t x0 __asm__("r8");
    register uint32_t x1 __asm__("r10");
    register uint32_t x2 __asm__("r11");
    register uint32_t x3 __asm__("r12");
    const int8_t *w = *pw;
    const uint32_t *c = *pc;
    int32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    uint32_t we, wo;
    if (groups <= 0) {
        return;
    }
    /* Two groups per iteration; an odd count starts with a single one. */
    __asm__ volatile(
        "lsrs    %[n], %[n], #1\n\t"
        "bcc     2f\n\t"
        TE_CONV_DOT4_GROUP
        "cmp     %[n], #0\n\t"
        "beq     3f\n\t"
        "2:\n\t"
        TE_CONV_DOT4_GROUP
        TE_CONV_DOT4_GROUP
        "subs    %[n], %[n], #1\n\t"
        "bne     2b\n\t"
        "3:\n\t"
        : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [w] "+r"(w), [c] "+r"(c),
          [n] "+r"(groups), [we] "=&r"(we), [wo] "=&r"(wo), [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2),
          [x3] "=&r"(x3)
        :
        : "cc", "memory");
    a[0] = a0; a[1] = a1; a[2] = a2; a[3] = a3;
    *pw = w;
    *pc = c;
}

#else
TE_INLINE void conv_dot4_groups(const int8_t **pw, const uint32_t **pc, int32_t groups, int32_t a[4])
{
    const int8_t *w = *pw;
    const uint32_t *c = *pc;
    int32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    for (; groups > 0; --groups) {
        const uint32_t wv = te_read_u32(w);
        const uint32_t we = te_sxtb16(wv), wo = te_sxtb16_ror8(wv);
        w += 4;
        a0 = te_smlad(we, c[0], a0);
        a0 = te_smlad(wo, c[1], a0);
        a1 = te_smlad(we, c[2], a1);
        a1 = te_smlad(wo, c[3], a1);
        a2 = te_smlad(we, c[4], a2);
        a2 = te_smlad(wo, c[5], a2);
        a3 = te_smlad(we, c[6], a3);
        a3 = te_smlad(wo, c[7], a3);
        c += 8;
    }
    a[0] = a0; a[1] = a1; a[2] = a2; a[3] = a3;
    *pw = w;
    *pc = c;
}
#endif

/* Every output channel against the 4 interleaved columns of a block of 4 pixels; the result
 * for pixel j goes to out[j * out_c + oc]. `mode` is a constant at each call site.
 * Register pressure: the dot product's assembly holds 13 registers, so everything a channel
 * needs besides its 4 sums lives in a small job record in memory, read once per channel (the
 * compiler would otherwise spill and reload more of it around the assembly). */
typedef struct {
    const int32_t *bias, *mult, *shift; /* this channel's entries (advance per channel) */
    int8_t *out;                        /* this channel's output for pixel 0 */
    const int8_t *w;                    /* this channel's weight row */
    int32_t x[4];                       /* per pixel: filter_offset * column sum (legacy), else 0 */
} te_conv4_job;

TE_INLINE void conv_channels4_body(const te_conv_params *p, const te_requant_per_channel *rq,
                                   const int8_t *filter, int32_t k_total, const uint32_t *cols, int8_t *out,
                                   const int32_t *extra, uint32_t fast_limit, const int mode)
{
    const int32_t out_c = p->out_c;
    const int32_t groups = k_total >> 2;
    const int32_t tail = k_total & 3;
    const int32_t out_off = p->output_offset, act_min = p->act_min, act_max = p->act_max;
    int8_t *const out_end = out + out_c;
    static const int32_t zeros[1] = {0};
    te_conv4_job job;
    const int bias_step = rq->bias ? 1 : 0;
    job.bias = rq->bias ? rq->bias : zeros;
    job.mult = rq->multiplier;
    job.shift = rq->shift;
    job.out = out;
    job.w = filter;
    job.x[0] = extra ? extra[0] : 0;
    job.x[1] = extra ? extra[1] : 0;
    job.x[2] = extra ? extra[2] : 0;
    job.x[3] = extra ? extra[3] : 0;
    for (; job.out < out_end; ++job.out, ++job.mult, ++job.shift, job.bias += bias_step) {
        const uint32_t *c = cols;
        const int32_t b0 = *job.bias;
        int32_t a[4];
        int32_t e2, m;
        /* filter_offset * (column sum) for legacy uint8 models: the same for every channel. */
        a[0] = (int32_t)((uint32_t)b0 + (uint32_t)job.x[0]);
        a[1] = (int32_t)((uint32_t)b0 + (uint32_t)job.x[1]);
        a[2] = (int32_t)((uint32_t)b0 + (uint32_t)job.x[2]);
        a[3] = (int32_t)((uint32_t)b0 + (uint32_t)job.x[3]);
        conv_dot4_groups(&job.w, &c, groups, a);
        if (tail) {
            const uint32_t wv = conv_tail_word(job.w, tail);
            const uint32_t we = te_sxtb16(wv), wo = te_sxtb16_ror8(wv);
            a[0] = te_smlad(wo, c[1], te_smlad(we, c[0], a[0]));
            a[1] = te_smlad(wo, c[3], te_smlad(we, c[2], a[1]));
            a[2] = te_smlad(wo, c[5], te_smlad(we, c[4], a[2]));
            a[3] = te_smlad(wo, c[7], te_smlad(we, c[6], a[3]));
            job.w += tail;
        }
        e2 = -*job.shift - 2;
        m = *job.mult;
        if ((uint32_t)e2 <= fast_limit) {
            const uint32_t hi0 = 1u << e2;
            const int32_t sh = e2 + 1;
            int8_t *o = job.out;
            *o = (int8_t)conv_finish_fast(a[0], m, hi0, sh, out_off, act_min, act_max, mode);
            o += out_c;
            *o = (int8_t)conv_finish_fast(a[1], m, hi0, sh, out_off, act_min, act_max, mode);
            o += out_c;
            *o = (int8_t)conv_finish_fast(a[2], m, hi0, sh, out_off, act_min, act_max, mode);
            o += out_c;
            *o = (int8_t)conv_finish_fast(a[3], m, hi0, sh, out_off, act_min, act_max, mode);
        } else {
            const int32_t oc = (int32_t)(job.out - (out_end - out_c));
            job.out[0] = te_conv_requantize(p, rq, a[0], oc);
            job.out[out_c] = te_conv_requantize(p, rq, a[1], oc);
            job.out[2 * out_c] = te_conv_requantize(p, rq, a[2], oc);
            job.out[3 * out_c] = te_conv_requantize(p, rq, a[3], oc);
        }
    }
}

#if defined(TE_CONV_DSP_ASM)
/* Fallback of the assembly loop (k_total < 4, negative multipliers): one copy, mode at run time. */
__attribute__((noinline)) static void conv_channels4_generic(const te_conv_params *p, const te_requant_per_channel *rq,
                                                             const int8_t *filter, int32_t k_total,
                                                             const uint32_t *cols, int8_t *out, const int32_t *extra,
                                                             uint32_t fast_limit, const int mode)
{
    conv_channels4_body(p, rq, filter, k_total, cols, out, extra, fast_limit, mode);
}
#endif

/* The same for one pixel (a contiguous column). */
TE_INLINE void conv_channels1_body(const te_conv_params *p, const te_requant_per_channel *rq,
                                   const int8_t *filter, int32_t k_total, const uint32_t *col, int8_t *out,
                                   const int32_t *extra, uint32_t fast_limit, const int mode)
{
    const int32_t groups = k_total >> 2;
    const int32_t tail = k_total & 3;
    const int32_t out_off = p->output_offset, act_min = p->act_min, act_max = p->act_max;
    const int8_t *w = filter;
    int32_t oc, g;
    for (oc = 0; oc < p->out_c; ++oc) {
        const uint32_t *c = col;
        int32_t a0 = rq->bias ? rq->bias[oc] : 0, a1 = extra ? extra[0] : 0;
        const int32_t e2 = -rq->shift[oc] - 2;
        for (g = 0; g + 2 <= groups; g += 2) { /* two groups per iteration: half the loop overhead */
            const uint32_t wv = te_read_u32(w), wv1 = te_read_u32(w + 4);
            w += 8;
            a0 = te_smlad(te_sxtb16(wv), c[0], a0);
            a1 = te_smlad(te_sxtb16_ror8(wv), c[1], a1);
            a0 = te_smlad(te_sxtb16(wv1), c[2], a0);
            a1 = te_smlad(te_sxtb16_ror8(wv1), c[3], a1);
            c += 4;
        }
        if (g < groups) {
            const uint32_t wv = te_read_u32(w);
            w += 4;
            a0 = te_smlad(te_sxtb16(wv), c[0], a0);
            a1 = te_smlad(te_sxtb16_ror8(wv), c[1], a1);
            c += 2;
        }
        if (tail) {
            const uint32_t wv = conv_tail_word(w, tail);
            a0 = te_smlad(te_sxtb16(wv), c[0], a0);
            a1 = te_smlad(te_sxtb16_ror8(wv), c[1], a1);
            w += tail;
        }
        a0 = (int32_t)((uint32_t)a0 + (uint32_t)a1);
        if ((uint32_t)e2 <= fast_limit) {
            out[oc] = (int8_t)conv_finish_fast(a0, rq->multiplier[oc], 1u << e2, e2 + 1, out_off, act_min, act_max,
                                               mode);
        } else {
            out[oc] = te_conv_requantize(p, rq, a0, oc);
        }
    }
}

#if defined(TE_CONV_DSP_ASM)
/* The 4-pixel channel loop in assembly. With 13 registers busy in the dot product, GCC spills
 * and reloads most of the loop's bookkeeping around it; here each channel reads what it needs
 * from a job record once, and the four outputs are requantized in the freed registers (8
 * instructions each: 2 for the 64-bit rounding constant, SMLAL, shift, offset, SSAT, store).
 * Shift 0 has its own single-rounding sequence; the rare other shifts (left shifts, a right
 * shift of 1) hand the four sums to te_conv4_generic_store_ (C, TFLite's arithmetic as
 * written). A narrower activation range is applied to the four stored values afterwards
 * (clamping after SSAT is the same clamp). Preconditions: k_total >= 4 (a 1-3 tap tail is read
 * as the last word of the row, shifted down; its column entries are zero). r9 (a platform
 * register on some targets) is not touched; r4-r8, r10, r11 are saved and restored. */
typedef struct {
    const uint32_t *cols;              /* 0 */
    const int8_t *w;                   /* 4: the current channel's weight row */
    int32_t pairs;                     /* 8: full groups of 4 taps / 2 */
    int32_t odd;                       /* 12: full groups % 2 */
    int32_t tail;                      /* 16: k_total % 4 */
    int32_t tail_shift;                /* 20: 8 * (4 - tail) */
    const int32_t *bias;               /* 24: the current channel's bias (advances by bias_step) */
    const int32_t *mult;               /* 28 */
    const int32_t *shift;              /* 32 */
    int8_t *out;                       /* 36: the current channel's output for pixel 0 */
    int8_t *out_end;                   /* 40 */
    int32_t out_c;                     /* 44 */
    int32_t out_off;                   /* 48 */
    int32_t x[4];                      /* 52: legacy uint8 models: filter_offset * column sum */
    int32_t act_min;                   /* 68 */
    int32_t act_max;                   /* 72 */
    int32_t bias_step;                 /* 76: 4, or 0 for no bias (bias -> one zero) */
    int32_t has_extra;                 /* 80 */
    int32_t clamp;                     /* 84: the activation range is narrower than int8 */
    int32_t acc[4];                    /* 88: sums handed to te_conv4_generic_store_ */
    const te_conv_params *p;           /* 104 */
    const te_requant_per_channel *rq;  /* 108 */
    int8_t *out_base;                  /* 112 */
    int32_t idx_end;                   /* 116: 4 * out_c (the small-K loop's channel index bound) */
} te_conv4_asm_job;

/* Called from the assembly for a channel with a generic shift (not static: the assembly names it). */
void te_conv4_generic_store_(te_conv4_asm_job *job);
void te_conv4_generic_store_(te_conv4_asm_job *job)
{
    const int32_t oc = (int32_t)(job->out - job->out_base), out_c = job->out_c;
    int32_t j;
    /* Rare channels: one copy of the arithmetic is enough (unrolled, it is four times the code). */
#pragma GCC unroll 1
    for (j = 0; j < 4; ++j) {
        job->out[(size_t)j * out_c] = te_conv_requantize(job->p, job->rq, job->acc[j], oc);
    }
}

/* One group of 4 taps: the weight word (r7) against the 4 interleaved columns at r5. */
#define TE_CONV4_GROUP "ldr     r7, [r4], #4\n\t" TE_CONV4_GROUP_MAC
#define TE_CONV4_GROUP_MAC                                                                                   \
    "ldmia   r5!, {r8, r10, r11, r12}\n\t"                                                                   \
    "sxtb16  lr, r7, ror #8\n\t"                                                                             \
    "sxtb16  r7, r7\n\t"                                                                                     \
    "smlad   r0, r7, r8, r0\n\t"                                                                             \
    "smlad   r0, lr, r10, r0\n\t"                                                                            \
    "smlad   r1, r7, r11, r1\n\t"                                                                            \
    "smlad   r1, lr, r12, r1\n\t"                                                                            \
    "ldmia   r5!, {r8, r10, r11, r12}\n\t"                                                                   \
    "smlad   r2, r7, r8, r2\n\t"                                                                             \
    "smlad   r2, lr, r10, r2\n\t"                                                                            \
    "smlad   r3, r7, r11, r3\n\t"                                                                            \
    "smlad   r3, lr, r12, r3\n\t"

/* acc (a register) -> r8 = requantized + output offset, saturated to int8 (r6 multiplier,
 * r10 2^(e-2), r7 e-1, r4 output offset; lr is scratch). */
#define TE_CONV4_RQ(acc)                                                                                     \
    TE_ASM_REQUANT_FAST(acc, "r6", "r10", "r7", "r8", "lr")                                                  \
    "add     r8, r8, r4\n\t"                                                                                 \
    "ssat    r8, #8, r8\n\t"
/* The naked channel loops' frame: r4-r8, r10, r11 saved (r9 untouched), the job pointer at [sp]. */
#define TE_CONV4_ENTER                                                                                       \
    ".syntax unified\n\t"                                                                                    \
    "push    {r4, r5, r6, r7, r8, r10, r11, lr}\n\t"                                                         \
    "sub     sp, sp, #8\n\t"                                                                                 \
    "str     r0, [sp]\n\t"
#define TE_CONV4_LEAVE                                                                                       \
    "add     sp, sp, #8\n\t"                                                                                 \
    "pop     {r4, r5, r6, r7, r8, r10, r11, pc}\n\t"
/* The four sums (r0-r3) of a channel with a generic shift to te_conv4_generic_store_ (r12 = job,
 * job->out its pixel-0 output); the caller reloads r12. */
#define TE_CONV4_CALL_GENERIC                                                                                \
    "add     r5, r12, #88\n\t"                                                                               \
    "stmia   r5, {r0, r1, r2, r3}\n\t"                                                                       \
    "mov     r0, r12\n\t"                                                                                    \
    "bl      te_conv4_generic_store_\n\t"

/* r7 = the channel's shift -> r7 = e - 1, r8 = e - 2, r10 = 2^(e-2); to 7f unless e - 2 <= limit. */
#define TE_CONV4_SHIFT(limit)                                                                                \
    "mvn     r7, r7\n\t"                                                                                     \
    "sub     r8, r7, #1\n\t"                                                                                 \
    "cmp     r8, #" limit "\n\t"                                                                             \
    "bhi     7f\n\t"                                                                                         \
    "mov     r10, #1\n\t"                                                                                    \
    "lsl     r10, r10, r8\n\t"
/* The same for shift 0: SaturatingRoundingDoublingHighMul alone. */
#define TE_CONV4_RQ0(acc)                                                                                    \
    "mov     lr, #0x40000000\n\t"                                                                            \
    "mov     r8, #0\n\t"                                                                                     \
    "smlal   lr, r8, " acc ", r6\n\t"                                                                        \
    "lsr     lr, lr, #31\n\t"                                                                                \
    "orr     r8, lr, r8, lsl #1\n\t"                                                                         \
    "add     r8, r8, r4\n\t"                                                                                 \
    "ssat    r8, #8, r8\n\t"
/* The four outputs of a channel (r11 its pixel-0 output, r5 out_c). */
#define TE_CONV4_STORE4(RQ)                                                                                  \
    "ldr     r11, [r12, #36]\n\t"                                                                            \
    "ldr     r5, [r12, #44]\n\t"                                                                             \
    "ldr     r4, [r12, #48]\n\t"                                                                             \
    RQ("r0")                                                                                                 \
    "strb    r8, [r11]\n\t"                                                                                  \
    RQ("r1")                                                                                                 \
    "strb    r8, [r11, r5]\n\t"                                                                              \
    "add     r11, r11, r5, lsl #1\n\t"                                                                       \
    RQ("r2")                                                                                                 \
    "strb    r8, [r11]\n\t"                                                                                  \
    RQ("r3")                                                                                                 \
    "strb    r8, [r11, r5]\n\t"

/* r0-r3 = the bias in r7 + the legacy per-pixel terms job->x[0..3] (r12 = job). */
#define TE_CONV4_ADD_X                                                                                       \
    "ldrd    r0, r1, [r12, #52]\n\t"                                                                         \
    "ldrd    r2, r3, [r12, #60]\n\t"                                                                         \
    "add     r0, r0, r7\n\t"                                                                                 \
    "add     r1, r1, r7\n\t"                                                                                 \
    "add     r2, r2, r7\n\t"                                                                                 \
    "add     r3, r3, r7\n\t"
/* Channel loop head: the four sums start at the bias (+ the legacy per-pixel terms). */
#define TE_CONV4_HEAD_ANY                                                                                    \
    "ldr     r8, [r12, #24]\n\t"                                                                             \
    "ldr     r6, [r12, #76]\n\t"                                                                             \
    "ldr     r7, [r8]\n\t"                                                                                   \
    "add     r8, r8, r6\n\t"                                                                                 \
    "str     r8, [r12, #24]\n\t"                                                                             \
    "ldr     r6, [r12, #80]\n\t"                                                                             \
    "cmp     r6, #0\n\t"                                                                                     \
    "bne     9f\n\t"                                                                                         \
    "mov     r0, r7\n\t"                                                                                     \
    "mov     r1, r7\n\t"                                                                                     \
    "mov     r2, r7\n\t"                                                                                     \
    "mov     r3, r7\n\t"                                                                                     \
    "10:\n\t"
/* ... or at the bias alone (bias present, no legacy terms). */
#define TE_CONV4_HEAD_PLAIN                                                                                  \
    "ldr     r8, [r12, #24]\n\t"                                                                             \
    "ldr     r0, [r8], #4\n\t"                                                                               \
    "str     r8, [r12, #24]\n\t"                                                                             \
    "mov     r1, r0\n\t"                                                                                     \
    "mov     r2, r0\n\t"                                                                                     \
    "mov     r3, r0\n\t"
/* After the four stores: a narrower activation range clamps the four stored values. */
#define TE_CONV4_POST_ANY                                                                                    \
    "ldr     r12, [sp]\n\t"                                                                                  \
    "ldr     r6, [r12, #84]\n\t"                                                                             \
    "cbz     r6, 12f\n\t"                                                                                    \
    "ldr     r11, [r12, #36]\n\t"                                                                            \
    "ldr     r5, [r12, #44]\n\t"                                                                             \
    "ldrd    r6, r7, [r12, #68]\n\t"                                                                         \
    "mov     r4, #4\n\t"                                                                                     \
    "11:\n\t"                                                                                                \
    "ldrsb   r8, [r11]\n\t"                                                                                  \
    "cmp     r8, r6\n\t"                                                                                     \
    "it      lt\n\t"                                                                                         \
    "movlt   r8, r6\n\t"                                                                                     \
    "cmp     r8, r7\n\t"                                                                                     \
    "it      gt\n\t"                                                                                         \
    "movgt   r8, r7\n\t"                                                                                     \
    "strb    r8, [r11]\n\t"                                                                                  \
    "add     r11, r11, r5\n\t"                                                                               \
    "subs    r4, r4, #1\n\t"                                                                                 \
    "bne     11b\n\t"
/* ... or at the bias plus the legacy per-pixel terms (bias present). */
#define TE_CONV4_HEAD_PLAIN_X                                                                                \
    "ldr     r8, [r12, #24]\n\t"                                                                             \
    "ldr     r7, [r8], #4\n\t"                                                                               \
    "str     r8, [r12, #24]\n\t"                                                                             \
    TE_CONV4_ADD_X
#define TE_CONV4_POST_PLAIN "ldr     r12, [sp]\n\t"
#define TE_CONV4_TAIL_ANY                                                                                    \
    "9:\n\t" /* legacy uint8: sums = bias + the per-pixel filter_offset terms */                            \
    TE_CONV4_ADD_X                                                                                           \
    "b       10b\n\t"
#define TE_CONV4_TAIL_PLAIN ""

#define TE_CONV4_ASM_FN(name, HEAD, POST, TAIL)                                                              \
    __attribute__((naked, noinline)) static void name(te_conv4_asm_job *job)                                 \
    {                                                                                                        \
        (void)job;                                                                                           \
        __asm__ volatile(                                                                                    \
            TE_CONV4_ENTER                                                                                   \
            "1:\n\t" /* channel loop */                                                                      \
            "ldr     r12, [sp]\n\t"                                                                          \
            HEAD                                                                                             \
            "ldr     r4, [r12, #4]\n\t"                                                                      \
            "ldr     r5, [r12, #0]\n\t"                                                                      \
            "ldr     r6, [r12, #8]\n\t"                                                                      \
            "ldr     r7, [r12, #12]\n\t"                                                                     \
            "cbz     r7, 2f\n\t"                                                                             \
            TE_CONV4_GROUP                                                                                   \
            "2:\n\t"                                                                                         \
            "cmp     r6, #0\n\t"                                                                             \
            "beq     4f\n\t"                                                                                 \
            "3:\n\t"                                                                                         \
            TE_CONV4_GROUP                                                                                   \
            TE_CONV4_GROUP                                                                                   \
            "subs    r6, r6, #1\n\t"                                                                         \
            "bne     3b\n\t"                                                                                 \
            "4:\n\t"                                                                                         \
            "ldr     r12, [sp]\n\t"                                                                          \
            "ldr     r6, [r12, #16]\n\t"                                                                     \
            "cbz     r6, 5f\n\t"                                                                             \
            /* tail: the row's last 1-3 bytes, from the word that ends there */                             \
            "ldr     r8, [r12, #20]\n\t"                                                                     \
            "add     r4, r4, r6\n\t"                                                                         \
            "ldr     r7, [r4, #-4]\n\t"                                                                      \
            "lsr     r7, r7, r8\n\t"                                                                         \
            TE_CONV4_GROUP_MAC                                                                               \
            "ldr     r12, [sp]\n\t"                                                                          \
            "5:\n\t" /* this channel's multiplier and shift */                                              \
            "str     r4, [r12, #4]\n\t"                                                                      \
            "ldr     r8, [r12, #28]\n\t"                                                                     \
            "ldr     r6, [r8], #4\n\t"                                                                       \
            "str     r8, [r12, #28]\n\t"                                                                     \
            "ldr     r8, [r12, #32]\n\t"                                                                     \
            "ldr     r7, [r8], #4\n\t"                                                                       \
            "str     r8, [r12, #32]\n\t"                                                                     \
            TE_CONV4_SHIFT("29")                                                                             \
            TE_CONV4_STORE4(TE_CONV4_RQ)                                                                     \
            "6:\n\t"                                                                                         \
            POST                                                                                             \
            "12:\n\t" /* next channel */                                                                     \
            "ldr     r11, [r12, #36]\n\t"                                                                    \
            "ldr     r5, [r12, #40]\n\t"                                                                     \
            "add     r11, r11, #1\n\t"                                                                       \
            "str     r11, [r12, #36]\n\t"                                                                    \
            "cmp     r11, r5\n\t"                                                                            \
            "blo     1b\n\t"                                                                                 \
            TE_CONV4_LEAVE                                                                                   \
            "7:\n\t" /* shift 0 (e = 0): one rounding, floor((acc * m + 2^30) / 2^31) */                    \
            "cmn     r8, #2\n\t"                                                                             \
            "bne     8f\n\t"                                                                                 \
            TE_CONV4_STORE4(TE_CONV4_RQ0)                                                                    \
            "b       6b\n\t"                                                                                 \
            "8:\n\t" /* left shifts and e = 1: TFLite's arithmetic in C */                                  \
            TE_CONV4_CALL_GENERIC                                                                            \
            "ldr     r12, [sp]\n\t"                                                                          \
            "b       12b\n\t"                                                                                \
            TAIL);                                                                                           \
    }
/* Legacy uint8 pointwise layers with K = 8 or 16 taps (the per-pixel filter-offset terms; plain
 * layers take conv4s_asm_* below): the dot product fully unrolled, which leaves r6 free to hold
 * the channel index across it, so bias, multiplier and shift are read by index and the output
 * offset is folded into the rounding constant (right shifts 2..24); other shifts take the C
 * helper. Bias present and the whole int8 range only. TE_CONV4_RQF is conv4s_asm_*'s too. */
#define TE_CONV4_RQF(acc)                                                                                    \
    TE_ASM_REQUANT_FAST(acc, "r5", "r10", "r7", "r8", "lr")                                                  \
    "ssat    r8, #8, r8\n\t"
/* The four sums r0..r3 of one channel requantized and stored one output row apart (r11: the
 * first output, r12: the row stride in bytes; r11 ends two rows on). */
#define TE_CONV4_RQF_STORE4                                                                                  \
    TE_CONV4_RQF("r0")                                                                                       \
    "strb    r8, [r11]\n\t"                                                                                  \
    TE_CONV4_RQF("r1")                                                                                       \
    "strb    r8, [r11, r12]\n\t"                                                                             \
    "add     r11, r11, r12, lsl #1\n\t"                                                                      \
    TE_CONV4_RQF("r2")                                                                                       \
    "strb    r8, [r11]\n\t"                                                                                  \
    TE_CONV4_RQF("r3")                                                                                       \
    "strb    r8, [r11, r12]\n\t"
/* Sums start at the bias (r0 = bias[channel], r8 its base, r6 the index): plain, or + x[j]. */
#define TE_CONV4_SMALL_INIT_PLAIN                                                                            \
    "mov     r1, r0\n\t"                                                                                     \
    "mov     r2, r0\n\t"                                                                                     \
    "mov     r3, r0\n\t"
#define TE_CONV4_SMALL_INIT_X                                                                                \
    "mov     r7, r0\n\t"                                                                                     \
    TE_CONV4_ADD_X
#define TE_CONV4_SMALL_FN(name, GROUPS, INIT)                                                                \
    __attribute__((naked, noinline)) static void name(te_conv4_asm_job *job)                                 \
    {                                                                                                        \
        (void)job;                                                                                           \
        __asm__ volatile(                                                                                    \
            TE_CONV4_ENTER                                                                                   \
            "ldr     r4, [r0, #4]\n\t" /* w: advances through the rows */                                 \
            "mov     r6, #0\n\t"       /* 4 * channel */                                                    \
            "1:\n\t"                                                                                         \
            "ldr     r12, [sp]\n\t"                                                                          \
            "ldr     r8, [r12, #24]\n\t"                                                                     \
            "ldr     r0, [r8, r6]\n\t"                                                                       \
            INIT                                                                                             \
            "ldr     r5, [r12, #0]\n\t"                                                                      \
            GROUPS                                                                                           \
            "ldr     r12, [sp]\n\t"                                                                          \
            "ldr     r8, [r12, #32]\n\t"                                                                     \
            "ldr     r7, [r8, r6]\n\t"                                                                       \
            TE_CONV4_SHIFT("22")                                                                             \
            "ldr     r8, [r12, #48]\n\t"                                                                     \
            "lsl     r8, r8, r7\n\t"                                                                         \
            "add     r10, r10, r8\n\t" /* 2^(e-2) + output_offset * 2^(e-1) */                             \
            "ldr     r8, [r12, #28]\n\t"                                                                     \
            "ldr     r5, [r8, r6]\n\t"                                                                       \
            "ldr     r11, [r12, #112]\n\t" /* out_base + channel */                                         \
            "add     r11, r11, r6, lsr #2\n\t"                                                               \
            "ldr     r12, [r12, #44]\n\t"                                                                    \
            TE_CONV4_RQF_STORE4                                                                              \
            "6:\n\t"                                                                                         \
            "add     r6, r6, #4\n\t"                                                                         \
            "ldr     r12, [sp]\n\t"                                                                          \
            "ldr     r8, [r12, #116]\n\t"                                                                    \
            "cmp     r6, r8\n\t"                                                                             \
            "blo     1b\n\t"                                                                                 \
            TE_CONV4_LEAVE                                                                                   \
            "7:\n\t" /* other shifts: TFLite's arithmetic in C */                                           \
            "ldr     r8, [r12, #112]\n\t"                                                                    \
            "add     r8, r8, r6, lsr #2\n\t"                                                                 \
            "str     r8, [r12, #36]\n\t"                                                                     \
            TE_CONV4_CALL_GENERIC                                                                            \
            "b       6b\n\t");                                                                               \
    }
#define TE_CONV4_G8 TE_CONV4_GROUP TE_CONV4_GROUP
#define TE_CONV4_G16 TE_CONV4_GROUP TE_CONV4_GROUP TE_CONV4_GROUP TE_CONV4_GROUP
TE_CONV4_SMALL_FN(conv4_asm_k8_x, TE_CONV4_G8, TE_CONV4_SMALL_INIT_X)
TE_CONV4_SMALL_FN(conv4_asm_k16_x, TE_CONV4_G16, TE_CONV4_SMALL_INIT_X)

/* Plain layers (bias present, symmetric weights, the whole int8 range) with K a multiple of 8 and
 * every channel's shift a right shift e = -shift in [2, 24] (conv4s_setup checks both): nearly
 * every pointwise layer of real models. Nothing per channel is left to test, so the job's ten
 * words go onto the stack once per call (each field one load away) and the loop keeps the weight
 * row (r4) and the channel index (r6 = 4 * (channel - out_c), counting up to 0 from the ends of
 * the per-channel arrays and of the block's pixel-0 outputs) in registers; the first group adds the bias,
 * read into r2, as its accumulate operand. Per channel: e - 1 = ~shift, and the rounding
 * constant's high word 2^(e-2) + output_offset * 2^(e-1) is c1 << (e - 2), c1 = 1 + 2 *
 * output_offset. Two groups, then pairs of groups, four per pass, until the column pointer (r5)
 * reaches cols_end (TE_CONV4S_MORE). */
typedef struct {
    const int32_t *bias;      /* 0: one past the last channel's (so are mult and shift) */
    const int32_t *mult;      /* 4 */
    const int32_t *shift;     /* 8 */
    int8_t *out;              /* 12: channel 0 of the block's pixel 0 */
    int32_t out_c;            /* 16 */
    const uint32_t *cols;     /* 20 */
    int32_t idx_end;          /* 24: -4 * out_c, the first channel's index */
    int32_t c1;               /* 28: 1 + 2 * output_offset */
    const uint32_t *cols_end; /* 32: cols + 2 * K words */
    const int8_t *w;          /* 36 */
    int32_t skip_pairs;       /* 40: where K > 8 enters its four-pair loop (TE_CONV4S_MORE) */
} te_conv4s_job;

/* The first group: the four sums start at the bias in r2. */
#define TE_CONV4S_GROUP0                                                                                     \
    "ldr     r7, [r4], #4\n\t"                                                                               \
    "ldmia   r5!, {r8, r10, r11, r12}\n\t"                                                                   \
    "sxtb16  lr, r7, ror #8\n\t"                                                                             \
    "sxtb16  r7, r7\n\t"                                                                                     \
    "smlad   r0, r7, r8, r2\n\t"                                                                             \
    "smlad   r0, lr, r10, r0\n\t"                                                                            \
    "smlad   r1, r7, r11, r2\n\t"                                                                            \
    "smlad   r1, lr, r12, r1\n\t"                                                                            \
    "ldmia   r5!, {r8, r10, r11, r12}\n\t"                                                                   \
    "smlad   r3, r7, r11, r2\n\t"                                                                            \
    "smlad   r3, lr, r12, r3\n\t"                                                                            \
    "smlad   r2, r7, r8, r2\n\t"                                                                             \
    "smlad   r2, lr, r10, r2\n\t"
/* After the first 8 taps: the remaining pairs of groups, four per pass until the columns end (r7
 * is free between groups). The first pass enters the loop at the pair that leaves a multiple of
 * four, K = 8 past the loop: the entry's address (with the Thumb bit) is at [sp, #36], from the
 * table at 40: that the prologue indexes by job->skip_pairs (0-3, 4 for K = 8; offsets from the
 * table: no relocation, position-independent). Against a test every pair, K = 64 saves 15
 * instructions per channel and block of four pixels; K = 8 pays one (the LDR PC) for sharing the
 * function. */
#define TE_CONV4_PAIR TE_CONV4_GROUP TE_CONV4_GROUP
#define TE_CONV4S_MORE                                                                                       \
    "ldr     pc, [sp, #36]\n\t"                                                                              \
    "20:\n\t" TE_CONV4_PAIR                                                                                   \
    "21:\n\t" TE_CONV4_PAIR                                                                                   \
    "22:\n\t" TE_CONV4_PAIR                                                                                   \
    "23:\n\t" TE_CONV4_PAIR                                                                                   \
    "ldr     r7, [sp, #32]\n\t"                                                                              \
    "cmp     r5, r7\n\t"                                                                                     \
    "bne     20b\n\t"                                                                                        \
    "24:\n\t"
#define TE_CONV4S_MORE_TABLE                                                                                 \
    ".p2align 2\n\t"                                                                                         \
    "40:\n\t"                                                                                                \
    ".word   20b + 1 - 40b, 21b + 1 - 40b, 22b + 1 - 40b, 23b + 1 - 40b, 24b + 1 - 40b\n\t"
/* The loop's entry for job->skip_pairs -> r12. */
#define TE_CONV4S_ENTRY                                                                                      \
    "ldr     r12, [r0, #40]\n\t"                                                                              \
    "adr     lr, 40f\n\t"                                                                                     \
    "ldr     r12, [lr, r12, lsl #2]\n\t"                                                                     \
    "add     r12, r12, lr\n\t"
#define TE_CONV4S_FN(name, ENTRY, MORE, TABLE)                                                               \
    __attribute__((naked, noinline)) static void name(const te_conv4s_job *job)                              \
    {                                                                                                        \
        (void)job;                                                                                           \
        __asm__ volatile(                                                                                    \
            ".syntax unified\n\t"                                                                            \
            "push    {r4, r5, r6, r7, r8, r10, r11, lr}\n\t"                                                 \
            ENTRY                                                                                            \
            "ldmia   r0, {r1, r2, r3, r4, r5, r6, r7, r8, r10, r11}\n\t"                                     \
            "add     r4, r4, r5\n\t"                            /* out + out_c */                         \
            "push    {r12}\n\t"                                 /* [sp, #36]: the loop's entry */         \
            "push    {r1, r2, r3, r4, r5, r6, r7, r8, r10}\n\t" /* [sp, #0..32]: bias .. cols_end */        \
            "mov     r4, r11\n\t"                               /* w: advances through the rows */        \
            "mov     r6, r7\n\t"                                /* 4 * (channel - out_c) */               \
            "1:\n\t"                                                                                         \
            "ldr     r12, [sp, #0]\n\t"                                                                      \
            "ldr     r2, [r12, r6]\n\t"                                                                      \
            "ldr     r5, [sp, #20]\n\t"                                                                      \
            TE_CONV4S_GROUP0                                                                                 \
            TE_CONV4_GROUP                                                                                   \
            MORE                                                                                             \
            "ldr     r12, [sp, #8]\n\t"                                                                      \
            "ldr     r7, [r12, r6]\n\t"                                                                      \
            "ldr     r12, [sp, #4]\n\t"                                                                      \
            "ldr     r5, [r12, r6]\n\t"                                                                      \
            "mvn     r7, r7\n\t"                                /* e - 1 */                               \
            "sub     r8, r7, #1\n\t"                                                                         \
            "ldr     r10, [sp, #28]\n\t"                                                                     \
            "lsl     r10, r10, r8\n\t"                          /* 2^(e-2) + output_offset * 2^(e-1) */   \
            "ldr     r11, [sp, #12]\n\t"                                                                     \
            "add     r11, r11, r6, asr #2\n\t"                                                               \
            "ldr     r12, [sp, #16]\n\t"                                                                     \
            TE_CONV4_RQF_STORE4                                                                              \
            "adds    r6, r6, #4\n\t"                                                                         \
            "bne     1b\n\t"                                                                                 \
            "add     sp, sp, #40\n\t"                                                                        \
            "pop     {r4, r5, r6, r7, r8, r10, r11, pc}\n\t"                                                 \
            TABLE);                                                                                          \
    }
TE_CONV4S_FN(conv4s_asm_k8n, TE_CONV4S_ENTRY, TE_CONV4S_MORE, TE_CONV4S_MORE_TABLE)
#if defined(TE_CONV_HAVE_RGB3X3)
/* The RGB stem's K = 27 (te_conv2d_s8_rgb3x3 only, so other models do not link it): fully
 * unrolled, the last group from the word that ends the row (taps 23..26) shifted down, so it
 * reads nothing past the weights; the column's tap 27 is 0. */
#define TE_CONV4S_K27_REST                                                                                   \
    TE_CONV4_PAIR                                                                                            \
    TE_CONV4_PAIR                                                                                            \
    "ldr     r7, [r4, #-1]\n\t"                                                                              \
    "add     r4, r4, #3\n\t"                                                                                 \
    "lsr     r7, r7, #8\n\t"                                                                                 \
    TE_CONV4_GROUP_MAC
TE_CONV4S_FN(conv4s_asm_k27, "", TE_CONV4S_K27_REST, "")
#endif

/* Nearly every layer of real models: bias present, symmetric weights, the whole int8 range. */
TE_CONV4_ASM_FN(conv4_asm_plain, TE_CONV4_HEAD_PLAIN, TE_CONV4_POST_PLAIN, TE_CONV4_TAIL_PLAIN)
/* The same with the legacy uint8 per-pixel terms (Coral-style models). */
TE_CONV4_ASM_FN(conv4_asm_plain_x, TE_CONV4_HEAD_PLAIN_X, TE_CONV4_POST_PLAIN, TE_CONV4_TAIL_PLAIN)
/* Everything else (no bias, legacy uint8 terms, narrower activation ranges), flags at run time. */
TE_CONV4_ASM_FN(conv4_asm_any, TE_CONV4_HEAD_ANY, TE_CONV4_POST_ANY, TE_CONV4_TAIL_ANY)

typedef void (*conv4s_fn)(const te_conv4s_job *);

/* The K = 8n loop for this call with its job set (every block changes only job->out), or NULL.
 * The caller checked TE_CONV4S_CANDIDATE: K a multiple of 8 (the loop tests the column pointer
 * in 3 instructions per four pairs of groups, fewer than conv4_asm_plain's 2 per pair, so it
 * pays at any K) and a plain layer (bias, no legacy per-pixel terms, the whole int8 range). Here: every multiplier >= 0 (fast_limit != 0) and every shift in the
 * folded-offset range e in [2, 24]. */
__attribute__((noinline)) static conv4s_fn conv4s_setup(te_conv4s_job *job, const te_conv_params *p,
                                                        const te_requant_per_channel *rq, const int8_t *filter,
                                                        int32_t k_total, const uint32_t *cols,
                                                        uint32_t fast_limit)
{
    int32_t oc;
    if (fast_limit == 0) {
        return NULL;
    }
    for (oc = 0; oc < p->out_c; ++oc) {
        if ((uint32_t)(-rq->shift[oc] - 2) > 22u) {
            return NULL;
        }
    }
    job->bias = rq->bias + p->out_c;
    job->mult = rq->multiplier + p->out_c;
    job->shift = rq->shift + p->out_c;
    job->out_c = p->out_c;
    job->cols = cols;
    job->idx_end = -4 * p->out_c;
    job->c1 = 1 + 2 * p->output_offset;
    job->cols_end = cols + 2 * k_total;
    job->w = filter;
    job->skip_pairs = k_total == 8 ? 4 : (4 - (k_total / 8 - 1) % 4) % 4; /* the pairs after the first 8 taps */
    return conv4s_asm_k8n;
}

/* The K = 8n loop as a 4-column kernel (conv_channels_fn): the caller passes the job in place of
 * the weights (`filter`; the job has them), the other arguments are the job's already. */
#define TE_CONV4S_CHANNELS(name, loop)                                                                       \
    static void name(const te_conv_params *p, const te_requant_per_channel *rq, const int8_t *f, int32_t k,  \
                     const uint32_t *c, int8_t *o, const int32_t *x, uint32_t lim)                           \
    {                                                                                                        \
        te_conv4s_job *const job = (te_conv4s_job *)(uintptr_t)f;                                            \
        (void)p, (void)rq, (void)k, (void)c, (void)x, (void)lim;                                             \
        job->out = o;                                                                                        \
        loop(job);                                                                                           \
    }
TE_CONV4S_CHANNELS(conv4s_channels_k8n, conv4s_asm_k8n)
#if defined(TE_CONV_HAVE_RGB3X3)
TE_CONV4S_CHANNELS(conv4s_channels_k27, conv4s_asm_k27)
#endif

/* In the callers' block loops (conv_dsp_rows, conv_1x1_dsp): among the declarations (after lim,
 * mode and cols), the 4-column kernel of the call (fn4) and its weights argument (f4): the
 * K = 8n loop with its job when it applies, else conv_fn4[mode] with the weights. */
#define TE_CONV4S_SETUP(k)                                                                                   \
    te_conv4s_job sj;                                                                                        \
    const conv4s_fn small = TE_CONV4S_CANDIDATE(k) ? conv4s_setup(&sj, p, rq, filter, (k), cols, lim) : NULL; \
    const conv_channels_fn fn4 = small == NULL ? conv_fn4[mode] : conv4s_channels_k8n;                       \
    const int8_t *const f4 = small == NULL ? filter : (const int8_t *)&sj;
/* The per-call conditions but the shifts (tested inline: other layers skip the call). */
#define TE_CONV4S_CANDIDATE(k) (((k) & 7) == 0 && TE_CONV4S_PLAIN)
#define TE_CONV4S_PLAIN (mode == CONV_RQ_FAST_FULL && rq->bias != NULL && p->filter_offset == 0)
#if defined(TE_CONV_HAVE_RGB3X3)
/* TE_CONV4S_SETUP for conv_dsp_rgb3x3: its K = 27 loop where conv4s_setup accepts the layer. */
#define TE_CONV4S_SETUP_K27                                                                                  \
    te_conv4s_job sj;                                                                                        \
    const int k27 = TE_CONV4S_PLAIN && conv4s_setup(&sj, p, rq, filter, 27, cols, lim) != NULL;              \
    const conv_channels_fn fn4 = k27 ? conv4s_channels_k27 : conv_fn4[mode];                                 \
    const int8_t *const f4 = k27 ? (const int8_t *)&sj : filter;
#endif

static void conv_channels4_asm(const te_conv_params *p, const te_requant_per_channel *rq, const int8_t *filter,
                               int32_t k_total, const uint32_t *cols, int8_t *out, const int32_t *extra,
                               uint32_t fast_limit, const int mode)
{
    static const int32_t zero = 0;
    te_conv4_asm_job job;
    const int32_t groups = k_total >> 2;
    if (groups == 0 || fast_limit == 0) {
        conv_channels4_generic(p, rq, filter, k_total, cols, out, extra, fast_limit, mode);
        return;
    }
    job.cols = cols;
    job.w = filter;
    job.pairs = groups >> 1;
    job.odd = groups & 1;
    job.tail = k_total & 3;
    job.tail_shift = 8 * (4 - job.tail);
    job.bias = rq->bias ? rq->bias : &zero;
    job.bias_step = rq->bias ? 4 : 0;
    job.mult = rq->multiplier;
    job.shift = rq->shift;
    job.out = out;
    job.out_base = out;
    job.out_end = out + p->out_c;
    job.out_c = p->out_c;
    job.out_off = p->output_offset;
    job.act_min = p->act_min;
    job.act_max = p->act_max;
    job.clamp = mode != CONV_RQ_FAST_FULL;
    job.has_extra = extra != NULL;
    if (extra) {
        job.x[0] = extra[0], job.x[1] = extra[1], job.x[2] = extra[2], job.x[3] = extra[3];
    }
    job.p = p;
    job.rq = rq;
    job.idx_end = 4 * p->out_c;
    if (rq->bias != NULL && mode == CONV_RQ_FAST_FULL) {
        if (k_total == 8) {
            (extra ? conv4_asm_k8_x : conv4_asm_plain)(&job);
        } else if (k_total == 16) {
            (extra ? conv4_asm_k16_x : conv4_asm_plain)(&job);
        } else {
            (extra ? conv4_asm_plain_x : conv4_asm_plain)(&job);
        }
    } else {
        conv4_asm_any(&job);
    }
}

/* The 4-pixel channel loop: the assembly where it builds, the C body otherwise. */
#define TE_CONV_CHANNELS4_BODY conv_channels4_asm
#else
#define TE_CONV_CHANNELS4_BODY conv_channels4_body
#endif

#define TE_CONV_CHANNELS_FN(name, body, mode)                                                                \
    static void name(const te_conv_params *p, const te_requant_per_channel *rq, const int8_t *f, int32_t k,  \
                     const uint32_t *c, int8_t *o, const int32_t *x, uint32_t lim)                           \
    {                                                                                                        \
        body(p, rq, f, k, c, o, x, lim, mode);                                                               \
    }
TE_CONV_CHANNELS_FN(conv_channels4_fast, TE_CONV_CHANNELS4_BODY, CONV_RQ_FAST)
TE_CONV_CHANNELS_FN(conv_channels4_full, TE_CONV_CHANNELS4_BODY, CONV_RQ_FAST_FULL)
TE_CONV_CHANNELS_FN(conv_channels1_fast, conv_channels1_body, CONV_RQ_FAST)
TE_CONV_CHANNELS_FN(conv_channels1_full, conv_channels1_body, CONV_RQ_FAST_FULL)

typedef void (*conv_channels_fn)(const te_conv_params *, const te_requant_per_channel *, const int8_t *, int32_t,
                                 const uint32_t *, int8_t *, const int32_t *, uint32_t);
static const conv_channels_fn conv_fn4[2] = {conv_channels4_fast, conv_channels4_full};
static const conv_channels_fn conv_fn1[2] = {conv_channels1_fast, conv_channels1_full};

/* The 4-column kernel of a call and its weights argument, as TE_CONV_DSP_BLOCK calls them. */
#define TE_CONV4_PLAIN_SETUP                                                                                 \
    const conv_channels_fn fn4 = conv_fn4[mode];                                                             \
    const int8_t *const f4 = filter;
#if !defined(TE_CONV_DSP_ASM)
#define TE_CONV4S_SETUP(k) TE_CONV4_PLAIN_SETUP
#define TE_CONV4S_SETUP_K27 TE_CONV4_PLAIN_SETUP
#endif

/* Legacy uint8 models (filter_offset != 0): sum (w + fo)(x + io) = sum w (x + io) + fo * sum (x + io),
 * the last term one value per pixel: fo times the sum of its column (padded taps are 0 there).
 * Returns `extra` filled for the nc columns, or NULL when fo is 0. */
static const int32_t *conv_extra_dsp(int32_t fo, const uint32_t *cols, int32_t k_pad, int32_t nc, int32_t *extra)
{
    int32_t j, g;
    if (fo == 0) {
        return NULL;
    }
    for (j = 0; j < nc; ++j) {
        const uint32_t *c = cols + 2 * j;
        int32_t sum = 0;
        for (g = 0; g < k_pad; g += 4, c += 2 * nc) {
            sum = te_smlad(c[0], 0x00010001u, sum);
            sum = te_smlad(c[1], 0x00010001u, sum);
        }
        extra[j] = (int32_t)((uint32_t)sum * (uint32_t)fo);
    }
    return extra;
}

/* A block of n (1..4) output pixels: `fill(j, dst, stride)` writes pixel j's column. 4 pixels
 * are interleaved and go through the 4-column kernel (fn4 with f4, see TE_CONV4S_SETUP), fewer
 * one column at a time. */
#define TE_CONV_DSP_BLOCK(FILL)                                                                                 \
    do {                                                                                                     \
        if (n == 4) {                                                                                        \
            for (j = 0; j < 4; ++j) {                                                                        \
                FILL(j, cols + 2 * j, 8);                                                                    \
            }                                                                                                \
            fn4(p, rq, f4, k_total, cols, out_px, conv_extra_dsp(fo, cols, k_pad, 4, extra), lim);          \
        } else {                                                                                             \
            for (j = 0; j < n; ++j) {                                                                        \
                FILL(j, cols, 2);                                                                            \
                conv_fn1[mode](p, rq, filter, k_total, cols, out_px + (size_t)j * p->out_c,                  \
                               conv_extra_dsp(fo, cols, k_pad, 1, extra), lim);                              \
            }                                                                                                \
        }                                                                                                    \
    } while (0)

/* The column of an interior pixel of a 3x3 convolution over 3 input channels (the RGB stem of
 * nearly every vision model: K = 27, one pad tap), straight from its three 9-byte input rows:
 * the 7 groups of 4 taps are put together from whole-word loads with shifts (the groups
 * straddle the rows), then expanded like conv_expand_dsp. The pad tap holds the zero point,
 * which is 0 after the offset. */
TE_INLINE void conv_rgb3x3_column_dsp(const int8_t *x, int32_t in_row, int32_t dil_row, uint32_t zp, uint32_t off2,
                                      uint32_t *dst, int32_t stride)
{
    const int8_t *r1 = x + dil_row, *r2 = r1 + dil_row;
    const uint32_t a0 = te_read_u32(x), a1 = te_read_u32(x + 4), a2 = (uint8_t)x[8];
    const uint32_t b0 = te_read_u32(r1), b1 = te_read_u32(r1 + 4), b2 = (uint8_t)r1[8];
    const uint32_t c0 = te_read_u32(r2), c1 = te_read_u32(r2 + 4), c2 = (uint8_t)r2[8];
    uint32_t g[7];
    int32_t k;
    (void)in_row;
    g[0] = a0;
    g[1] = a1;
    g[2] = a2 | (b0 << 8);
    g[3] = (b0 >> 24) | (b1 << 8);
    g[4] = (b1 >> 24) | (b2 << 8) | (c0 << 16);
    g[5] = (c0 >> 16) | (c1 << 16);
    g[6] = (c1 >> 16) | (c2 << 16) | ((zp & 0xFFu) << 24);
    for (k = 0; k < 7; ++k, dst += stride) {
        dst[0] = te_sadd16(te_sxtb16(g[k]), off2);
        dst[1] = te_sadd16(te_sxtb16_ror8(g[k]), off2);
    }
}

/* Scratch: 4 interleaved int16 columns (8 * k_pad bytes), then one int8 window (k_pad). */
static void conv_dsp(const te_conv_params *p, const te_requant_per_channel *rq,
                     const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
    const int32_t k_total = p->k_h * p->k_w * p->in_c;
    const int32_t k_pad = (k_total + 3) & ~3;
    const int32_t pixels = p->out_h * p->out_w;
    const int mode = (p->act_min <= -128 && p->act_max >= 127) ? CONV_RQ_FAST_FULL : CONV_RQ_FAST;
    const uint32_t lim = conv_fast_limit(p, rq);
    const int direct = (p->in_c & 3) == 0;
    uint32_t *cols = (uint32_t *)scratch;
    int8_t *win = (int8_t *)(cols + 2 * k_pad);
    const int8_t pad = (int8_t)(-p->input_offset);
    const te_conv_geom geom = conv_geom(p, pad);
    const int32_t fo = p->filter_offset;
    /* (the RGB stem of a model that links this function for its other layers: ops/conv.py) */
    const int rgb3x3 = p->in_c == 3 && p->k_h == 3 && p->k_w == 3 && p->dil_w == 1;
    const uint32_t off2 = (uint32_t)(uint16_t)p->input_offset * 0x00010001u;
    int32_t extra[4];
    int32_t b, px, j;
    TE_CONV4S_SETUP(k_total)
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (px = 0; px < pixels; px += 4) {
            const int32_t n = te_min_i32(4, pixels - px);
            int8_t *out_px = output + ((size_t)b * pixels + px) * p->out_c;
            /* Channels a multiple of 4: straight from the input; otherwise gather as int8
             * (padded taps and the pad to a whole group = zero point, 0 after the offset). */
#define TE_CONV_FILL(jj, dst, stride)                                                                        \
            do {                                                                                             \
                const int32_t oy = (px + (jj)) / p->out_w, ox = (px + (jj)) - oy * p->out_w;                 \
                const int32_t iy = oy * p->stride_h - p->pad_top, ix = ox * p->stride_w - p->pad_left;       \
                if (direct) {                                                                                \
                    conv_im2col_dsp(p, in_b, oy, ox, (dst), (stride));                                       \
                } else if (rgb3x3 && iy >= 0 && ix >= 0 && ix + 3 <= p->in_w &&                              \
                           iy + 2 * p->dil_h < p->in_h) {                                                    \
                    conv_rgb3x3_column_dsp(in_b + ((size_t)iy * p->in_w + ix) * 3, p->in_w * 3,              \
                                           p->dil_h * p->in_w * 3, (uint32_t)(uint8_t)pad, off2, (dst),      \
                                           (stride));                                                        \
                } else {                                                                                     \
                    conv_gather_s8(&geom, in_b, oy, ox, win);                                                \
                    conv_fill_s8(win + k_total, pad, k_pad - k_total);                                       \
                    conv_expand_dsp(win, k_pad, p->input_offset, (dst), (stride));                           \
                }                                                                                            \
            } while (0)
            TE_CONV_DSP_BLOCK(TE_CONV_FILL);
#undef TE_CONV_FILL
        }
    }
}

#if defined(TE_CONV_HAVE_RGB3X3)
/* The column of pixel px of a 3x3 convolution over 3 channels with dil_w 1 (conv_dsp_rgb3x3's
 * FILL, one copy for its 4-pixel blocks and the leftover pixels): interior pixels from
 * conv_rgb3x3_column_dsp, the others gathered into win (k_pad bytes) and expanded. Not cloned
 * per stride either: its two callers' instructions are few next to the channel loops'. */
static TE_CONV_NOCLONE void conv_rgb3x3_fill_dsp(const te_conv_params *p, const te_conv_geom *g, const int8_t *in_b,
                                                  int32_t px, int8_t *win, uint32_t *dst, int32_t stride)
{
    const int32_t oy = px / p->out_w, ox = px - oy * p->out_w, in_row = p->in_w * 3;
    const int32_t iy = oy * p->stride_h - p->pad_top, ix = ox * p->stride_w - p->pad_left;
    const int8_t pad = (int8_t)(-p->input_offset);
    if (iy >= 0 && ix >= 0 && ix + 3 <= p->in_w && iy + 2 * p->dil_h < p->in_h) {
        conv_rgb3x3_column_dsp(in_b + (size_t)iy * in_row + ix * 3, in_row, p->dil_h * in_row, (uint32_t)(uint8_t)pad,
                               (uint32_t)(uint16_t)p->input_offset * 0x00010001u, dst, stride);
    } else {
        conv_gather_s8(g, in_b, oy, ox, win);
        conv_fill_s8(win + 27, pad, 1);
        conv_expand_dsp(win, 28, p->input_offset, dst, stride);
    }
}

/* conv_dsp for te_conv2d_s8_rgb3x3: 3x3 over 3 channels, dil_w 1, one group (the RGB stem);
 * plain layers take the K = 27 loop. Scratch as conv_dsp's. */
static void conv_dsp_rgb3x3(const te_conv_params *p, const te_requant_per_channel *rq,
                            const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
    const int32_t k_total = 27, k_pad = 28;
    const int32_t pixels = p->out_h * p->out_w;
    const int mode = (p->act_min <= -128 && p->act_max >= 127) ? CONV_RQ_FAST_FULL : CONV_RQ_FAST;
    const uint32_t lim = conv_fast_limit(p, rq);
    uint32_t *cols = (uint32_t *)scratch;
    int8_t *win = (int8_t *)(cols + 2 * k_pad);
    const te_conv_geom geom = conv_geom(p, (int8_t)(-p->input_offset));
    const int32_t fo = p->filter_offset;
    int32_t extra[4];
    int32_t b, px, j;
    TE_CONV4S_SETUP_K27
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * 3;
        for (px = 0; px < pixels; px += 4) {
            const int32_t n = te_min_i32(4, pixels - px);
            int8_t *out_px = output + ((size_t)b * pixels + px) * p->out_c;
#define TE_CONV_FILL(jj, dst, stride) conv_rgb3x3_fill_dsp(p, &geom, in_b, px + (jj), win, (dst), (stride))
            TE_CONV_DSP_BLOCK(TE_CONV_FILL);
#undef TE_CONV_FILL
        }
    }
}
#endif

#if defined(TE_CONV_HAVE_ROWS)
/* conv_dsp for te_conv2d_s8_rows: channel counts a multiple of 4, dil_w 1, one group (ResNet-
 * style layers): columns straight from the input, one expansion per filter row. */
static void conv_dsp_rows(const te_conv_params *p, const te_requant_per_channel *rq,
                          const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
    const int32_t k_total = p->k_h * p->k_w * p->in_c;
    const int32_t k_pad = k_total; /* in_c % 4 == 0 */
    const int32_t pixels = p->out_h * p->out_w;
    const int mode = (p->act_min <= -128 && p->act_max >= 127) ? CONV_RQ_FAST_FULL : CONV_RQ_FAST;
    const uint32_t lim = conv_fast_limit(p, rq);
    uint32_t *cols = (uint32_t *)scratch;
    const int32_t fo = p->filter_offset;
    int32_t extra[4];
    int32_t b, px, j;
    TE_CONV4S_SETUP(k_total)
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (px = 0; px < pixels; px += 4) {
            const int32_t n = te_min_i32(4, pixels - px);
            int8_t *out_px = output + ((size_t)b * pixels + px) * p->out_c;
#define TE_CONV_FILL(jj, dst, stride)                                                                        \
            do {                                                                                             \
                const int32_t oy = (px + (jj)) / p->out_w, ox = (px + (jj)) - oy * p->out_w;                 \
                conv_im2col_rows_dsp(p, in_b, oy, ox, (dst), (stride));                                      \
            } while (0)
            TE_CONV_DSP_BLOCK(TE_CONV_FILL);
#undef TE_CONV_FILL
        }
    }
}
#endif

/* The 4 interleaved columns of 4 consecutive pixels of a stride-1 pointwise convolution (their
 * inputs are contiguous, k % 4 == 0, no offset): one pass over the groups. */
static void conv_expand4_dense_dsp(const int8_t *src, int32_t k, uint32_t *dst)
{
    const int8_t *const end = src + k;
    for (; src < end; src += 4, dst += 8) {
        const uint32_t v0 = te_read_u32(src), v1 = te_read_u32(src + k);
        const uint32_t v2 = te_read_u32(src + 2 * k), v3 = te_read_u32(src + 3 * k);
        dst[0] = te_sxtb16(v0);
        dst[1] = te_sxtb16_ror8(v0);
        dst[2] = te_sxtb16(v1);
        dst[3] = te_sxtb16_ror8(v1);
        dst[4] = te_sxtb16(v2);
        dst[5] = te_sxtb16_ror8(v2);
        dst[6] = te_sxtb16(v3);
        dst[7] = te_sxtb16_ror8(v3);
    }
}

/* Scratch: 4 interleaved int16 columns (8 * k_pad bytes). */
static void conv_1x1_dsp(const te_conv_params *p, const te_requant_per_channel *rq,
                         const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
    const int32_t k_total = p->in_c;
    const int32_t pixels = p->out_h * p->out_w;
    const int mode = (p->act_min <= -128 && p->act_max >= 127) ? CONV_RQ_FAST_FULL : CONV_RQ_FAST;
    const uint32_t lim = conv_fast_limit(p, rq);
    uint32_t *cols = (uint32_t *)scratch;
    const int32_t k_pad = (k_total + 3) & ~3;
    const int32_t fo = p->filter_offset; /* legacy uint8: + fo * sum(x) per pixel */
    const int dense = p->stride_h == 1 && p->stride_w == 1; /* pixel px at px * in_c: no division */
    int32_t extra[4];
    int32_t b, px, j;
    TE_CONV4S_SETUP(k_total)
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * k_total;
        for (px = 0; px < pixels; px += 4) {
            const int32_t n = te_min_i32(4, pixels - px);
            int8_t *out_px = output + ((size_t)b * pixels + px) * p->out_c;
            if (n == 4 && dense && (k_total & 3) == 0) {
                conv_expand4_dense_dsp(in_b + (size_t)px * k_total, k_total, cols);
                fn4(p, rq, f4, k_total, cols, out_px, conv_extra_dsp(fo, cols, k_pad, 4, extra), lim);
                continue;
            }
#define TE_CONV_FILL(jj, dst, stride)                                                                        \
    conv_expand_dsp(dense ? in_b + (size_t)(px + (jj)) * k_total : conv_1x1_pixel(p, in_b, px + (jj)), k_total, 0, \
                    (dst), (stride))
            TE_CONV_DSP_BLOCK(TE_CONV_FILL);
#undef TE_CONV_FILL
        }
    }
}

#endif /* TE_USE_DSP && !TE_USE_MVE */

void te_conv2d_s8(const te_conv_params *p, const te_requant_per_channel *rq,
                  const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
#if defined(TE_USE_MVE)
    if (p->filter_in_c == p->in_c && scratch != NULL) {
        conv_mve(p, rq, input, filter, output, (int8_t *)scratch);
        return;
    }
#elif defined(TE_USE_DSP)
    if (p->filter_in_c == p->in_c && scratch != NULL) {
        conv_dsp(p, rq, input, filter, output, scratch);
        return;
    }
#endif
    (void)scratch;
    conv_portable(p, rq, input, filter, output);
}

#if defined(TE_CONV_HAVE_ROWS) /* (so TE_USE_DSP and not TE_USE_MVE) */
void te_conv2d_s8_rows(const te_conv_params *p, const te_requant_per_channel *rq,
                       const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
    if (p->filter_in_c == p->in_c && (p->in_c & 3) == 0 && p->dil_w == 1 && scratch != NULL) {
        conv_dsp_rows(p, rq, input, filter, output, scratch);
        return;
    }
    /* (not te_conv2d_s8: a model without a generic convolution then links no conv_dsp) */
    conv_portable(p, rq, input, filter, output);
}
#endif

#if defined(TE_CONV_HAVE_RGB3X3) /* (so TE_USE_DSP and not TE_USE_MVE) */
void te_conv2d_s8_rgb3x3(const te_conv_params *p, const te_requant_per_channel *rq,
                         const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
    if (p->filter_in_c == 3 && p->in_c == 3 && p->k_h == 3 && p->k_w == 3 && p->dil_w == 1 && scratch != NULL) {
        conv_dsp_rgb3x3(p, rq, input, filter, output, scratch);
        return;
    }
    conv_portable(p, rq, input, filter, output); /* (as te_conv2d_s8_rows) */
}
#endif

void te_conv2d_1x1_s8(const te_conv_params *p, const te_requant_per_channel *rq,
                      const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
#if defined(TE_USE_MVE)
    if (scratch != NULL) {
        conv_1x1_mve(p, rq, input, filter, output, (int8_t *)scratch);
        return;
    }
#elif defined(TE_USE_DSP)
    if (scratch != NULL) {
        conv_1x1_dsp(p, rq, input, filter, output, scratch);
        return;
    }
#endif
    (void)scratch;
    conv_1x1_portable(p, rq, input, filter, output, NULL);
}

/* In place (see te_conv.h for the two placements). Flatten the batches: input pixel i (i =
 * (b * in_h + y) * in_w + x) holds bytes [i * in_c, (i + 1) * in_c) from the input's start and
 * output pixel q bytes [q * out_c, (q + 1) * out_c) from the output's start. Every path handles
 * the output pixels in increasing order and reads the input pixel(s) of a pixel (or of a block
 * of pixels) completely before it writes any of their outputs, so it is enough that
 *   (*) writing output pixel q touches no byte of an input pixel read for a later output pixel.
 *
 * Start-aligned, out_c <= in_c, any stride: output pixel q reads input pixel
 * I(q) = (b * in_h + oy * stride_h) * in_w + ox * stride_w (q = (b * out_h + oy) * out_w + ox),
 * increasing in q and I(q) >= q (in_h >= out_h, in_w >= out_w, strides >= 1). Output pixel q
 * ends at (q + 1) * out_c <= (q + 1) * in_c <= I(q') * in_c for every q' > q: (*) holds.
 *
 * End-aligned, out_c > in_c, stride 1 (so I(q) = q, P pixels each side): the planner puts the
 * output's start D' = round_up(P * (out_c - in_c), 16) >= P * (out_c - in_c) bytes below the
 * input's (the rounding only moves it further down; the output then ends up to 15 bytes before
 * the input does). Output pixel q ends, relative to the input's start, at
 *   (q + 1) * out_c - D' <= (q + 1) * in_c - (P - q - 1) * (out_c - in_c) <= (q + 1) * in_c,
 * the start of input pixel q + 1: (*) holds. Its bytes below the input's start are free during
 * the call (the planner's contract for a wider output).
 *
 * The paths: DSP expands a block of 4 pixels (or, for the last 1-3 pixels of each batch, one
 * pixel at a time) into int16 columns in the scratch before writing that block's (that pixel's)
 * outputs: a block q..q+3 writes only output pixels q..q+3, which by (*) leaves input pixels
 * q+4.. intact; no read goes past a pixel's in_c bytes. It is unchanged. The portable and
 * Helium kernels read the pixel once per output channel (per 4 channels), interleaved with the
 * stores of that pixel's outputs, which may overwrite the pixel itself (e.g. pixel 0 when both
 * start together): they copy each input pixel into the scratch (in_c bytes) first. */
void te_conv2d_1x1_s8_inplace(const te_conv_params *p, const te_requant_per_channel *rq,
                              const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
#if defined(TE_USE_MVE)
    conv_1x1_mve(p, rq, input, filter, output, (int8_t *)scratch);
    return;
#elif defined(TE_USE_DSP)
    conv_1x1_dsp(p, rq, input, filter, output, scratch);
    return;
#else
    conv_1x1_portable(p, rq, input, filter, output, (int8_t *)scratch);
#endif
}

/* ======================================================================================
 * int16x8 CONV_2D: te_conv2d_s16 (int16 activations, int8 weights, int64 or int32 bias).
 *
 * Portable path: reference_integer_ops::ConvPerChannel for int16 as LiteRT writes it (64-bit
 * sums, or int32 ones with an int32 bias; te_requant_s16_apply).
 * SIMD paths, when the generator proved every channel's sums fit int32 (sums_fit_32) and the
 * convolution has one group: each output pixel's window is gathered once as an int16 column
 * (padded taps 0, the zero point), then
 *  - DSP: per full group of 4 taps the column holds (x0, x2, x1, x3), so one weight word
 *    gives both SMLAD operands through SXTB16 / SXTB16 ROR 8; two pixels x two channels per
 *    loop (4 weight bytes and 4 column words feed 8 SMLAD). The 64-bit requantization
 *    collapses into one 64-bit multiply-add and shift with a per-channel constant
 *    bias * reduced_multiplier + rounding (exact: the reference's product distributes);
 *  - Helium: VMLADAVA over 8 int16 lanes, the int8 weights widened by VLDRB.S16, four
 *    channels per column load, tail-predicated.
 * ====================================================================================== */

static void conv_s16_portable(const te_conv_params *p, const te_requant_s16 *rq, const int16_t *input,
                              const int8_t *filter, int16_t *output)
{
    const int32_t groups = p->in_c / p->filter_in_c;
    const int32_t filters_per_group = p->out_c / groups;
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < p->batches; ++b) {
        const int16_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                for (oc = 0; oc < p->out_c; ++oc) {
                    const int32_t group = oc / filters_per_group;
                    int64_t acc = 0;
                    for (ky = 0; ky < p->k_h; ++ky) {
                        const int32_t iy = y0 + p->dil_h * ky;
                        if (iy < 0 || iy >= p->in_h) {
                            continue;
                        }
                        for (kx = 0; kx < p->k_w; ++kx) {
                            const int32_t ix = x0 + p->dil_w * kx;
                            const int16_t *px;
                            const int8_t *w;
                            if (ix < 0 || ix >= p->in_w) {
                                continue;
                            }
                            px = in_b + ((size_t)iy * p->in_w + ix) * p->in_c + group * p->filter_in_c;
                            w = filter + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * p->filter_in_c;
                            for (ic = 0; ic < p->filter_in_c; ++ic) {
                                acc += (int32_t)w[ic] * (int32_t)px[ic];
                            }
                        }
                    }
                    *output++ = (int16_t)te_requant_s16_apply(rq, acc, oc, p->act_min, p->act_max);
                }
            }
        }
    }
}

#if defined(TE_USE_DSP) || defined(TE_USE_MVE)
/* One output pixel's window as an int16 column in the filter's (ky, kx, ic) order, padded taps 0. */
static void conv_s16_gather(const te_conv_params *p, const int16_t *in_b, int32_t oy, int32_t ox, int16_t *col)
{
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    const int32_t row = p->k_w * p->in_c;
    int32_t ky, kx;
    for (ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = y0 + p->dil_h * ky;
        int16_t *dst = col + (size_t)ky * row;
        if (iy < 0 || iy >= p->in_h) {
            memset(dst, 0, (size_t)row * 2);
            continue;
        }
        if (p->dil_w == 1 && x0 >= 0 && x0 + p->k_w <= p->in_w) {
            memcpy(dst, in_b + ((size_t)iy * p->in_w + x0) * p->in_c, (size_t)row * 2);
            continue;
        }
        for (kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = x0 + p->dil_w * kx;
            if (ix < 0 || ix >= p->in_w) {
                memset(dst + kx * p->in_c, 0, (size_t)p->in_c * 2);
            } else {
                memcpy(dst + kx * p->in_c, in_b + ((size_t)iy * p->in_w + ix) * p->in_c, (size_t)p->in_c * 2);
            }
        }
    }
}
#endif

#if defined(TE_USE_MVE)
static int conv_s16_mve(const te_conv_params *p, const te_requant_s16 *rq, const int16_t *input,
                        const int8_t *filter, int16_t *output, void *scratch)
{
    const int32_t k = p->k_h * p->k_w * p->in_c;
    te_requant_s16_fast *f = (te_requant_s16_fast *)scratch;
    int16_t *col = (int16_t *)(f + p->out_c);
    int32_t b, oy, ox, oc, j;
    if (!te_requant_s16_fast_init(rq, p->out_c, f)) {
        return 0; /* a channel outside the folded form: the portable kernel */
    }
    for (b = 0; b < p->batches; ++b) {
        const int16_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            for (ox = 0; ox < p->out_w; ++ox) {
                conv_s16_gather(p, in_b, oy, ox, col);
                for (oc = 0; oc < p->out_c; oc += 4) {
                    int32_t acc[4];
                    const int32_t n = te_min_i32(4, p->out_c - oc);
                    /* Past the last channel the rows repeat the group's first row (not stored). */
                    const int8_t *w0 = filter + (size_t)oc * k;
                    te_mve_dot4_s16(w0, n > 1 ? w0 + k : w0, n > 2 ? w0 + 2 * k : w0, n > 3 ? w0 + 3 * k : w0,
                                    col, k, acc);
                    for (j = 0; j < n; ++j) {
                        output[oc + j] = (int16_t)te_requant_s16_fast_apply(f, acc[j], oc + j, p->act_min, p->act_max);
                    }
                }
                output += p->out_c;
            }
        }
    }
    return 1;
}
#endif /* TE_USE_MVE */

#if defined(TE_USE_DSP) && !defined(TE_USE_MVE)
static int conv_s16_dsp(const te_conv_params *p, const te_requant_s16 *rq, const int16_t *input,
                        const int8_t *filter, int16_t *output, void *scratch)
{
    const int32_t k = p->k_h * p->k_w * p->in_c;
    const int32_t k4 = (k + 3) & ~3, kf = k & ~3;
    const int32_t npix = p->out_h * p->out_w;
    te_requant_s16_fast *f = (te_requant_s16_fast *)scratch;
    int16_t *ca = (int16_t *)(f + p->out_c);
    int16_t *cb = ca + k4;
    int16_t *il = cb + k4; /* 2 * kf values */
    int32_t b, q, oc, i;
    if (!te_requant_s16_fast_init(rq, p->out_c, f)) {
        return 0; /* a channel outside the folded form: the portable kernel */
    }
    for (b = 0; b < p->batches; ++b) {
        const int16_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        int16_t *out_b = output + (size_t)b * npix * p->out_c;
        for (q = 0; q < npix; q += 2) {
            const int32_t two = q + 1 < npix;
            int16_t *o0 = out_b + (size_t)q * p->out_c;
            int16_t *o1 = o0 + p->out_c;
            conv_s16_gather(p, in_b, q / p->out_w, q % p->out_w, ca);
            if (two) {
                conv_s16_gather(p, in_b, (q + 1) / p->out_w, (q + 1) % p->out_w, cb);
            }
            if (!two) {
                memcpy(cb, ca, (size_t)k * 2); /* the last odd pixel: computed twice, stored once */
            }
            te_s16_interleave(ca, cb, kf, il);
            for (oc = 0; oc < p->out_c; ++oc) {
                const int8_t *w = filter + (size_t)oc * k;
                int32_t acc[2] = {0, 0};
                te_s16_dot1x2_il(w, il, kf, acc);
                for (i = kf; i < k; ++i) {
                    acc[0] += (int32_t)w[i] * ca[i];
                    acc[1] += (int32_t)w[i] * cb[i];
                }
                o0[oc] = (int16_t)te_requant_s16_fast_apply(f, acc[0], oc, p->act_min, p->act_max);
                if (two) {
                    o1[oc] = (int16_t)te_requant_s16_fast_apply(f, acc[1], oc, p->act_min, p->act_max);
                }
            }
        }
    }
    return 1;
}
#endif /* TE_USE_DSP && !TE_USE_MVE */

void te_conv2d_s16(const te_conv_params *p, const te_requant_s16 *rq, const int16_t *input, const int8_t *filter,
                   int16_t *output, void *scratch)
{
#if defined(TE_USE_MVE)
    if (scratch != NULL && rq->sums_fit_32 && p->filter_in_c == p->in_c) {
        if (conv_s16_mve(p, rq, input, filter, output, scratch)) {
            return;
        }
    }
#elif defined(TE_USE_DSP)
    if (scratch != NULL && rq->sums_fit_32 && p->filter_in_c == p->in_c) {
        if (conv_s16_dsp(p, rq, input, filter, output, scratch)) {
            return;
        }
    }
#else
    (void)scratch;
#endif
    conv_s16_portable(p, rq, input, filter, output);
}

#include "tinyengine/te_asm_offsets.h" /* checks the offsets the assembly above reads */
