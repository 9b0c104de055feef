/* tinyengine: TRANSPOSE_CONV kernels (see include/tinyengine/te_transpose_conv.h).
 *
 * Output pixel (oy, ox) receives input pixel (iy, ix) through tap (ky, kx) when
 * oy = iy * stride_h - pad_top + ky (and likewise for x). For each output row the taps with
 * (oy + pad_top - ky) divisible by stride_h and the input row in range are listed once, in
 * ascending input-row order (descending ky); the same for columns. The sums are then formed in
 * the reference scatter's order (iy, ix, ic ascending). Integer sums wrap alike in any order;
 * the float ones need this order.
 */
#include "tinyengine/te_transpose_conv.h"

#include "tinyengine/te_simd.h"

/* The (input index, tap) pairs reaching output coordinate o along one axis, input ascending. */
TE_INLINE int32_t tc_taps(int32_t o, int32_t pad, int32_t stride, int32_t k, int32_t in_size, int32_t *in_idx,
                          int32_t *tap)
{
    int32_t n = 0, t;
    /* i = (o + pad - t) / stride grows as t falls: walk the taps downwards. */
    for (t = k - 1; t >= 0; --t) {
        const int32_t num = o + pad - t;
        if (num < 0 || num % stride != 0) {
            continue;
        }
        if (num / stride >= in_size) {
            continue;
        }
        in_idx[n] = num / stride;
        tap[n] = t;
        ++n;
    }
    return n;
}

/* Taps of one axis are at most k (the stack arrays below bound k at 64 per axis: the generator checks). */
#define TE_TC_MAX_K 64

#define TE_TC_LOOP(ACC_T, ACC_INIT, ADD_TERM, STORE)                                                      \
    do {                                                                                                 \
        int32_t b, oy, ox, oc, a, c, ic;                                                                 \
        int32_t iys[TE_TC_MAX_K], kys[TE_TC_MAX_K], ixs[TE_TC_MAX_K], kxs[TE_TC_MAX_K];                   \
        for (b = 0; b < p->batches; ++b) {                                                               \
            const size_t in_b = (size_t)b * p->in_h * p->in_w * p->in_c;                                 \
            for (oy = 0; oy < p->out_h; ++oy) {                                                          \
                const int32_t ny = tc_taps(oy, p->pad_top, p->stride_h, p->k_h, p->in_h, iys, kys);      \
                for (ox = 0; ox < p->out_w; ++ox) {                                                      \
                    const int32_t nx = tc_taps(ox, p->pad_left, p->stride_w, p->k_w, p->in_w, ixs, kxs); \
                    for (oc = 0; oc < p->out_c; ++oc) {                                                  \
                        ACC_T acc = ACC_INIT;                                                            \
                        for (a = 0; a < ny; ++a) {                                                       \
                            for (c = 0; c < nx; ++c) {                                                   \
                                const size_t px = in_b + ((size_t)iys[a] * p->in_w + ixs[c]) * p->in_c;   \
                                const size_t wo = (((size_t)oc * p->k_h + kys[a]) * p->k_w + kxs[c]) * p->in_c; \
                                for (ic = 0; ic < p->in_c; ++ic) {                                       \
                                    ADD_TERM(input[px + ic], filter[wo + ic]);                           \
                                }                                                                        \
                            }                                                                            \
                        }                                                                                \
                        STORE;                                                                           \
                    }                                                                                    \
                }                                                                                        \
            }                                                                                            \
        }                                                                                                \
    } while (0)

#define TE_TC_S8_TERM(x, w) acc = (int32_t)((uint32_t)acc + (uint32_t)(((int32_t)(x) + p->input_offset) * (int32_t)(w)))
#define TE_TC_S8_STORE                                                                                   \
    do {                                                                                                 \
        int32_t v = rq->bias ? (int32_t)((uint32_t)acc + (uint32_t)rq->bias[oc]) : acc;                  \
        v = te_multiply_by_quantized_multiplier(v, rq->multiplier[oc], rq->shift[oc]) + p->output_offset; \
        *output++ = (int8_t)te_clamp_i32(v, p->act_min, p->act_max);                                      \
    } while (0)

#if defined(TE_USE_MVE) || defined(TE_USE_DSP)

/* The SIMD paths: each output pixel's taps (ty, tx) are listed as above; four output channels at
 * a time, each tap adds the dot products of the input pixel's in_c values (+ input_offset, in 16
 * bits) with the four channels' filter rows (ws bytes apart), then bias, requantization and clamp
 * per channel (the int32 sums wrap alike in any order). */

#if defined(TE_USE_MVE)
/* The input offset in both forms tc_dot4 uses. */
typedef struct {
    int16x8_t v16;
    int8x16_t v8;
    int fits8; /* -128 <= offset <= 127 (every input zero point but -128) */
} tc_off;

/* acc[r] += sum_i (x[i] + off) * w_r[i], w_r = w + r * ws, in a tail-predicated low-overhead loop.
 * An offset that fits in 8 bits: 16 values per step, each row's VMLADAVA.S8 of w * x plus one of
 * w * off into the same sum (three instructions per row). Otherwise 8 values per step: VLDRB.S16
 * widening loads, the offset added in 16 bits, VMLADAVA.S16. */
TE_INLINE void tc_dot4(const int8_t *x, const int8_t *w, int32_t ws, int32_t n, const tc_off *off, int32_t acc[4])
{
    const int8_t *w0 = w, *w1 = w + ws, *w2 = w + 2 * ws, *w3 = w + 3 * ws;
#if defined(__GNUC__) && defined(__OPTIMIZE__) && !defined(TE_NO_INLINE_ASM)
    /* (an -O0 build, short of low registers, takes the intrinsics loop) VMLADAVA accumulates into
     * even registers: the sums live in r4, r8, r10, r12 (local register variables); widening loads
     * take low base registers. */
    register int32_t a0 __asm__("r4") = acc[0];
    register int32_t a1 __asm__("r8") = acc[1];
    register int32_t a2 __asm__("r10") = acc[2];
    register int32_t a3 __asm__("r12") = acc[3];
    if (off->fits8) {
        __asm__ volatile(
            "wlstp.8 lr, %[n], 2f\n\t"
            "1:\n\t"
            "vldrb.8 q0, [%[x]], #16\n\t"
            "vldrb.8 q1, [%[w0]], #16\n\t"
            "vmladava.s8 %[a0], q1, q0\n\t"
            "vmladava.s8 %[a0], q1, %q[off]\n\t"
            "vldrb.8 q1, [%[w1]], #16\n\t"
            "vmladava.s8 %[a1], q1, q0\n\t"
            "vmladava.s8 %[a1], q1, %q[off]\n\t"
            "vldrb.8 q1, [%[w2]], #16\n\t"
            "vmladava.s8 %[a2], q1, q0\n\t"
            "vmladava.s8 %[a2], q1, %q[off]\n\t"
            "vldrb.8 q1, [%[w3]], #16\n\t"
            "vmladava.s8 %[a3], q1, q0\n\t"
            "vmladava.s8 %[a3], q1, %q[off]\n\t"
            "letp    lr, 1b\n\t"
            "2:\n\t"
            : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "+l"(x), [w0] "+l"(w0),
              [w1] "+l"(w1), [w2] "+l"(w2), [w3] "+l"(w3)
            : [n] "r"(n), [off] "w"(off->v8)
            : "lr", "q0", "q1", "cc", "memory");
    } else {
        __asm__ volatile(
            "wlstp.16 lr, %[n], 2f\n\t"
            "1:\n\t"
            "vldrb.s16 q0, [%[x]], #8\n\t"
            "vadd.i16 q0, q0, %q[off]\n\t"
            "vldrb.s16 q1, [%[w0]], #8\n\t"
            "vmladava.s16 %[a0], q1, q0\n\t"
            "vldrb.s16 q1, [%[w1]], #8\n\t"
            "vmladava.s16 %[a1], q1, q0\n\t"
            "vldrb.s16 q1, [%[w2]], #8\n\t"
            "vmladava.s16 %[a2], q1, q0\n\t"
            "vldrb.s16 q1, [%[w3]], #8\n\t"
            "vmladava.s16 %[a3], q1, q0\n\t"
            "letp    lr, 1b\n\t"
            "2:\n\t"
            : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "+l"(x), [w0] "+l"(w0),
              [w1] "+l"(w1), [w2] "+l"(w2), [w3] "+l"(w3)
            : [n] "r"(n), [off] "w"(off->v16)
            : "lr", "q0", "q1", "cc", "memory");
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
#else
    int32_t i;
    if (off->fits8) {
        for (i = 0; i < n; i += 16) {
            const mve_pred16_t pr = vctp8q((uint32_t)(n - i));
            const int8x16_t xv = vldrbq_z_s8(x + i, pr);
            int8x16_t wv = vldrbq_z_s8(w0 + i, pr);
            acc[0] = vmladavaq_p_s8(vmladavaq_p_s8(acc[0], wv, xv, pr), wv, off->v8, pr);
            wv = vldrbq_z_s8(w1 + i, pr);
            acc[1] = vmladavaq_p_s8(vmladavaq_p_s8(acc[1], wv, xv, pr), wv, off->v8, pr);
            wv = vldrbq_z_s8(w2 + i, pr);
            acc[2] = vmladavaq_p_s8(vmladavaq_p_s8(acc[2], wv, xv, pr), wv, off->v8, pr);
            wv = vldrbq_z_s8(w3 + i, pr);
            acc[3] = vmladavaq_p_s8(vmladavaq_p_s8(acc[3], wv, xv, pr), wv, off->v8, pr);
        }
        return;
    }
    for (i = 0; i < n; i += 8) {
        const mve_pred16_t pr = vctp16q((uint32_t)(n - i));
        const int16x8_t xv = vaddq_s16(vldrbq_z_s16(x + i, pr), off->v16);
        acc[0] = vmladavaq_p_s16(acc[0], vldrbq_z_s16(w0 + i, pr), xv, pr);
        acc[1] = vmladavaq_p_s16(acc[1], vldrbq_z_s16(w1 + i, pr), xv, pr);
        acc[2] = vmladavaq_p_s16(acc[2], vldrbq_z_s16(w2 + i, pr), xv, pr);
        acc[3] = vmladavaq_p_s16(acc[3], vldrbq_z_s16(w3 + i, pr), xv, pr);
    }
#endif
}
#else
/* acc[r] += sum_i (x[i] + off) * w_r[i], w_r = w + r * ws: 4 values per step, the input's
 * halfword pairs with the offset (SXTAB16), each row's (SXTB16) into two SMLADs; int32 sums wrap
 * as the reference's. */
TE_INLINE void tc_dot4(const int8_t *x, const int8_t *w, int32_t ws, int32_t n, int32_t off, int32_t acc[4])
{
    /* rows 0 and 2 by pointer, 1 and 3 at the register offset ws from them (fewer registers) */
    const int8_t *wa = w, *wb = w + 2 * ws;
    const uint32_t off2 = ((uint32_t)(uint16_t)off) * 0x00010001u;
    const int8_t *const end = x + (n & ~3);
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], i;
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && defined(__thumb2__) && defined(__OPTIMIZE__) && \
    !defined(TE_EMULATE_DSP) && !defined(TE_NO_INLINE_ASM)
    /* The loop below in 27 instructions per 16 MACs (GCC spills it): twelve registers, the offset
     * pair and the end read from memory once per step; SXTB16 ROR #8 in place. */
    if (x != end) {
        uint32_t x02, x13, wv, t;
        __asm__ volatile(
            "1:\n\t"
            "ldr     %[t], %[offm]\n\t"
            "ldr     %[wv], [%[x]], #4\n\t"
            "sxtab16 %[x02], %[t], %[wv]\n\t"
            "sxtab16 %[x13], %[t], %[wv], ror #8\n\t"
            "ldr     %[wv], [%[wa], %[ws]]\n\t"
            "sxtb16  %[t], %[wv]\n\t"
            "smlad   %[a1], %[t], %[x02], %[a1]\n\t"
            "sxtb16  %[wv], %[wv], ror #8\n\t"
            "smlad   %[a1], %[wv], %[x13], %[a1]\n\t"
            "ldr     %[wv], [%[wa]], #4\n\t"
            "sxtb16  %[t], %[wv]\n\t"
            "smlad   %[a0], %[t], %[x02], %[a0]\n\t"
            "sxtb16  %[wv], %[wv], ror #8\n\t"
            "smlad   %[a0], %[wv], %[x13], %[a0]\n\t"
            "ldr     %[wv], [%[wb], %[ws]]\n\t"
            "sxtb16  %[t], %[wv]\n\t"
            "smlad   %[a3], %[t], %[x02], %[a3]\n\t"
            "sxtb16  %[wv], %[wv], ror #8\n\t"
            "smlad   %[a3], %[wv], %[x13], %[a3]\n\t"
            "ldr     %[wv], [%[wb]], #4\n\t"
            "sxtb16  %[t], %[wv]\n\t"
            "smlad   %[a2], %[t], %[x02], %[a2]\n\t"
            "sxtb16  %[wv], %[wv], ror #8\n\t"
            "smlad   %[a2], %[wv], %[x13], %[a2]\n\t"
            "ldr     %[t], %[endm]\n\t"
            "cmp     %[x], %[t]\n\t"
            "bne     1b\n\t"
            /* (early clobbers: written before the loop's next reads of ws and the memory operands) */
            : [a0] "+&r"(a0), [a1] "+&r"(a1), [a2] "+&r"(a2), [a3] "+&r"(a3), [x] "+&r"(x), [wa] "+&r"(wa),
              [wb] "+&r"(wb),
              [x02] "=&r"(x02), [x13] "=&r"(x13), [wv] "=&r"(wv), [t] "=&r"(t)
            : [ws] "r"(ws), [offm] "m"(off2), [endm] "m"(end)
            : "cc", "memory");
    }
#endif
    while (x != end) {
        const uint32_t xv = te_read_u32(x);
        const uint32_t x02 = te_sxtab16(off2, xv), x13 = te_sxtab16_ror8(off2, xv);
        uint32_t wv = te_read_u32(wa);
        a0 = te_smlad(te_sxtb16(wv), x02, a0);
        a0 = te_smlad(te_sxtb16_ror8(wv), x13, a0);
        wv = te_read_u32(wa + ws);
        a1 = te_smlad(te_sxtb16(wv), x02, a1);
        a1 = te_smlad(te_sxtb16_ror8(wv), x13, a1);
        wv = te_read_u32(wb);
        a2 = te_smlad(te_sxtb16(wv), x02, a2);
        a2 = te_smlad(te_sxtb16_ror8(wv), x13, a2);
        wv = te_read_u32(wb + ws);
        a3 = te_smlad(te_sxtb16(wv), x02, a3);
        a3 = te_smlad(te_sxtb16_ror8(wv), x13, a3);
        x += 4;
        wa += 4;
        wb += 4;
    }
    for (i = 0; i < (n & 3); ++i) {
        const int32_t xi = (int32_t)x[i] + off;
        a0 = (int32_t)((uint32_t)a0 + (uint32_t)(xi * wa[i]));
        a1 = (int32_t)((uint32_t)a1 + (uint32_t)(xi * wa[ws + i]));
        a2 = (int32_t)((uint32_t)a2 + (uint32_t)(xi * wb[i]));
        a3 = (int32_t)((uint32_t)a3 + (uint32_t)(xi * wb[ws + i]));
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}
#endif

/* Output channels per pass: their int32 sums stay on the stack while each tap adds to all of them
 * (the tap's addresses computed once per pass, not once per block of four). A multiple of 4. */
#define TE_TC_OC_CHUNK 64

#if defined(__GNUC__) && !defined(__clang__)
/* GCC would otherwise call memset to clear the few sums of each pixel, and on Helium gather
 * tc_dot4's four sums through a stack copy into one vector store. */
__attribute__((optimize("no-tree-loop-distribute-patterns", "no-tree-slp-vectorize")))
#endif
static void tc_s8_simd(const te_transpose_conv_params *p, const te_requant_per_channel *rq, const int8_t *input,
                       const int8_t *filter, int8_t *output)
{
    const int32_t in_c = p->in_c, out_c = p->out_c, k_w = p->k_w;
    const int32_t ws = p->k_h * k_w * in_c; /* one output channel's filter */
    int32_t iys[TE_TC_MAX_K], kys[TE_TC_MAX_K], ixs[TE_TC_MAX_K], kxs[TE_TC_MAX_K];
    int32_t acc[TE_TC_OC_CHUNK];
    const int32_t *const bias = rq->bias, *const mult = rq->multiplier, *const shift = rq->shift;
    int32_t b, oy, ox, oc0, o, a, c, j;
#if defined(TE_USE_MVE)
    tc_off off_v;
    const tc_off *const off = &off_v;
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max), zp = vdupq_n_s32(p->output_offset);
    off_v.v16 = vdupq_n_s16((int16_t)p->input_offset);
    off_v.fits8 = p->input_offset >= -128 && p->input_offset <= 127;
    off_v.v8 = vdupq_n_s8((int8_t)(off_v.fits8 ? p->input_offset : 0));
#else
    const int32_t off = p->input_offset, zp = p->output_offset, act_min = p->act_min, act_max = p->act_max;
#endif
    /* One pass per 64 output channels (one for most layers), each over every output pixel. */
    for (oc0 = 0; oc0 < out_c; oc0 += TE_TC_OC_CHUNK) {
        const int32_t nc = out_c - oc0 < TE_TC_OC_CHUNK ? out_c - oc0 : TE_TC_OC_CHUNK;
        /* Blocks of four channels from oc0; a last block of 1-3 channels is computed as the last
         * four channels (from out_c - 4: the first ones again), or, with fewer than four in all,
         * one channel at a time. */
        const int32_t last = (nc & 3) && out_c >= 4 ? out_c - 4 : oc0 + (nc & ~3);
        int8_t *out = output + oc0;
        for (b = 0; b < p->batches; ++b) {
            const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * in_c;
            for (oy = 0; oy < p->out_h; ++oy) {
                const int32_t ny = tc_taps(oy, p->pad_top, p->stride_h, p->k_h, p->in_h, iys, kys);
                for (ox = 0; ox < p->out_w; ++ox, out += out_c) {
                    const int32_t nx = tc_taps(ox, p->pad_left, p->stride_w, k_w, p->in_w, ixs, kxs);
                    int8_t *op = out;
#if defined(TE_USE_MVE)
                    for (o = 0; o < nc; o += 4) {
                        vstrwq_s32(acc + o, vdupq_n_s32(0));
                    }
#else
                    for (o = 0; o < ((nc + 3) & ~3); ++o) {
                        acc[o] = 0;
                    }
#endif
                    for (a = 0; a < ny; ++a) {
                        for (c = 0; c < nx; ++c) {
                            const int8_t *x = in_b + ((size_t)iys[a] * p->in_w + ixs[c]) * in_c;
                            const int8_t *wt = filter + ((size_t)kys[a] * k_w + kxs[c]) * in_c;
                            const int8_t *wo = wt + (size_t)oc0 * ws;
                            int32_t *ao = acc;
                            for (o = 0; o + 4 <= nc; o += 4, wo += 4 * (size_t)ws, ao += 4) {
                                tc_dot4(x, wo, ws, in_c, off, ao);
                            }
                            if (o < nc) {
                                if (out_c >= 4) {
                                    tc_dot4(x, wt + (size_t)last * ws, ws, in_c, off, acc + o);
                                } else {
                                    for (j = 0; j < nc - o; ++j) {
                                        int32_t one[4] = {0, 0, 0, 0};
                                        tc_dot4(x, wt + (size_t)(oc0 + o + j) * ws, 0, in_c, off, one);
                                        acc[o + j] = (int32_t)((uint32_t)acc[o + j] + (uint32_t)one[0]);
                                    }
                                }
                            }
                        }
                    }
#if defined(TE_USE_MVE)
                    for (o = 0; o + 4 <= nc; o += 4) {
                        int32x4_t v = vldrwq_s32(acc + o);
                        if (bias) {
                            v = vaddq_s32(v, vldrwq_s32(bias + oc0 + o));
                        }
                        v = te_mve_requant(v, vldrwq_s32(mult + oc0 + o), vldrwq_s32(shift + oc0 + o));
                        v = vminq_s32(vmaxq_s32(vaddq_s32(v, zp), lo), hi);
                        vstrbq_s32(op, v);
                        op += 4;
                    }
                    if (o < nc) {
                        /* lanes skip .. 3 are stored; last + lane < out_c for every lane read */
                        const int32_t rows = nc - o, skip = oc0 + o - last;
                        const mve_pred16_t in = vctp32q((uint32_t)(skip + rows));
                        const mve_pred16_t pr = (mve_pred16_t)(in & ~vctp32q((uint32_t)skip));
                        int32x4_t v = vldrwq_s32(acc + o);
                        if (bias) {
                            v = vaddq_s32(v, vldrwq_z_s32(bias + last, in));
                        }
                        v = te_mve_requant(v, vldrwq_z_s32(mult + last, in), vldrwq_z_s32(shift + last, in));
                        v = vminq_s32(vmaxq_s32(vaddq_s32(v, zp), lo), hi);
                        vstrbq_p_s32(op - skip, v, pr);
                    }
#else
                    for (o = 0; o < nc; o += 4) {
                        const int32_t rows = nc - o < 4 ? nc - o : 4;
                        const int32_t ob = rows == 4 ? oc0 + o : last, skip = oc0 + o - ob;
                        for (j = skip; j < skip + rows; ++j) {
                            const int32_t ch = ob + j, e = -shift[ch];
                            int32_t v = acc[o + j];
                            if (bias) {
                                v = (int32_t)((uint32_t)v + (uint32_t)bias[ch]);
                            }
                            /* te_rq_doubled where its conditions hold (a right shift, |v| < 2^30) */
                            if (e > 0 && (uint32_t)v + 0x3FFFFFFFu < 0x7FFFFFFFu) {
                                v = te_rq_doubled(2 * v, mult[ch], (int32_t)1 << (e - 1), e);
                            } else {
                                v = te_multiply_by_quantized_multiplier(v, mult[ch], -e);
                            }
                            *op++ = (int8_t)te_clamp_i32(v + zp, act_min, act_max);
                        }
                    }
#endif
                }
            }
        }
    }
}
#endif /* TE_USE_MVE || TE_USE_DSP */

void te_transpose_conv2d_s8(const te_transpose_conv_params *p, const te_requant_per_channel *rq,
                            const int8_t *input, const int8_t *filter, int8_t *output)
{
#if defined(TE_USE_MVE) || defined(TE_USE_DSP)
    tc_s8_simd(p, rq, input, filter, output);
#else
    TE_TC_LOOP(int32_t, 0, TE_TC_S8_TERM, TE_TC_S8_STORE);
#endif
}

#define TE_TC_S16_TERM(x, w) acc += (int32_t)(x) * (int32_t)(w)
#define TE_TC_S16_STORE *output++ = (int16_t)te_requant_s16_apply(rq, acc, oc, p->act_min, p->act_max)

void te_transpose_conv2d_s16(const te_transpose_conv_params *p, const te_requant_s16 *rq,
                             const int16_t *input, const int8_t *filter, int16_t *output)
{
    TE_TC_LOOP(int64_t, 0, TE_TC_S16_TERM, TE_TC_S16_STORE);
}

#define TE_TC_F32_TERM(x, w)                                                                             \
    do {                                                                                                 \
        const float prod = (x) * (w);                                                                    \
        acc += prod;                                                                                     \
    } while (0)
#define TE_TC_F32_STORE                                                                                  \
    do {                                                                                                 \
        float v = acc;                                                                                   \
        if (bias) {                                                                                      \
            v += bias[oc];                                                                               \
        }                                                                                                \
        v = v < p->act_min ? p->act_min : v;                                                             \
        *output++ = v > p->act_max ? p->act_max : v;                                                     \
    } while (0)

/* The reference multiplies, then adds (no fused multiply-add): keep compilers from contracting. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("fp-contract=off")))
#endif
void te_transpose_conv2d_f32(const te_transpose_conv_f32_params *p, const float *bias, const float *input,
                             const float *filter, float *output)
{
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
    TE_TC_LOOP(float, 0.0f, TE_TC_F32_TERM, TE_TC_F32_STORE);
}
