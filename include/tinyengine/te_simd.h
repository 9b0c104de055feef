/* tinyengine: the few Arm DSP (SIMD32) operations the kernels use, as inline functions.
 *
 * On cores with the DSP extension (__ARM_FEATURE_DSP: M4, M7, M33, M55) they compile to
 * single instructions through ACLE. TE_EMULATE_DSP builds the same SIMD kernel paths on
 * any host with exact C equivalents, so the fast host tests check the DSP algorithms
 * (loop structure, data layout, tails) byte for byte, not only the portable path.
 */
#ifndef TINYENGINE_TE_SIMD_H
#define TINYENGINE_TE_SIMD_H

#include <string.h>

#include "tinyengine/te_common.h"

#if defined(TE_EMULATE_DSP) && !defined(TE_USE_DSP)
#define TE_USE_DSP 1
#endif

#if defined(TE_USE_DSP)

#if defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP)
#include <arm_acle.h>
/* Signed-extend bytes 0 and 2 into two halfwords. */
TE_INLINE uint32_t te_sxtb16(uint32_t x) { return (uint32_t)__sxtb16((int32_t)x); }
/* Signed-extend bytes 1 and 3 (SXTB16 with ROR #8: one instruction; GCC's intrinsic cannot fold the rotate). */
#if defined(__GNUC__)
TE_INLINE uint32_t te_sxtb16_ror8(uint32_t x)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
#else
TE_INLINE uint32_t te_sxtb16_ror8(uint32_t x) { return (uint32_t)__sxtb16((int32_t)((x >> 8) | (x << 24))); }
#endif
/* acc + lo(a)*lo(b) + hi(a)*hi(b), halfwords signed. */
TE_INLINE int32_t te_smlad(uint32_t a, uint32_t b, int32_t acc) { return __smlad((int32_t)a, (int32_t)b, acc); }
/* Add the signed halfwords of b to those of a (no saturation). */
TE_INLINE uint32_t te_sadd16(uint32_t a, uint32_t b) { return (uint32_t)__sadd16((int32_t)a, (int32_t)b); }
/* a + te_sxtb16(x) and a + te_sxtb16_ror8(x), halfword by halfword (SXTAB16: one instruction). */
TE_INLINE uint32_t te_sxtab16(uint32_t a, uint32_t x) { return (uint32_t)__sxtab16((int32_t)a, (int32_t)x); }
#if defined(__GNUC__)
TE_INLINE uint32_t te_sxtab16_ror8(uint32_t a, uint32_t x)
{
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
    return r;
}
#else
TE_INLINE uint32_t te_sxtab16_ror8(uint32_t a, uint32_t x)
{
    return (uint32_t)__sxtab16((int32_t)a, (int32_t)((x >> 8) | (x << 24)));
}
#endif
/* Zero-extend bytes 0 and 2 (UXTB16), bytes 1 and 3 (UXTB16 ROR #8), into two halfwords. */
TE_INLINE uint32_t te_uxtb16(uint32_t x) { return __uxtb16(x); }
#if defined(__GNUC__)
TE_INLINE uint32_t te_uxtb16_ror8(uint32_t x)
{
    uint32_t r;
    __asm__("uxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
#else
TE_INLINE uint32_t te_uxtb16_ror8(uint32_t x) { return __uxtb16((x >> 8) | (x << 24)); }
#endif
/* Per unsigned byte lane: keep `keep` where keep >= cand (ties keep it), else take cand; the
 * lanes of *idx follow the same choice between *idx and idx_cand (USUB8, then SEL twice on its
 * GE flags). te_keep_min_u8x4: keep where keep <= cand. */
#if defined(__GNUC__)
TE_INLINE uint32_t te_keep_max_u8x4(uint32_t keep, uint32_t cand, uint32_t *idx, uint32_t idx_cand)
{
    uint32_t r, i;
    __asm__("usub8 %0, %2, %3\n\tsel %0, %2, %3\n\tsel %1, %4, %5"
            : "=&r"(r), "=r"(i) : "r"(keep), "r"(cand), "r"(*idx), "r"(idx_cand) : "cc");
    *idx = i;
    return r;
}
TE_INLINE uint32_t te_keep_min_u8x4(uint32_t keep, uint32_t cand, uint32_t *idx, uint32_t idx_cand)
{
    uint32_t r, i;
    __asm__("usub8 %0, %3, %2\n\tsel %0, %2, %3\n\tsel %1, %4, %5"
            : "=&r"(r), "=r"(i) : "r"(keep), "r"(cand), "r"(*idx), "r"(idx_cand) : "cc");
    *idx = i;
    return r;
}
#else
TE_INLINE uint32_t te_keep_max_u8x4(uint32_t keep, uint32_t cand, uint32_t *idx, uint32_t idx_cand)
{
    (void)__usub8(keep, cand);
    *idx = __sel(*idx, idx_cand);
    return __sel(keep, cand);
}
TE_INLINE uint32_t te_keep_min_u8x4(uint32_t keep, uint32_t cand, uint32_t *idx, uint32_t idx_cand)
{
    (void)__usub8(cand, keep);
    *idx = __sel(*idx, idx_cand);
    return __sel(keep, cand);
}
#endif
/* Per signed byte lane, the larger (te_max_s8x4) or the smaller (te_min_s8x4) of a and b: SSUB8
 * sets the GE flags where a >= b, SEL picks on them. */
#if defined(__GNUC__)
TE_INLINE uint32_t te_max_s8x4(uint32_t a, uint32_t b)
{
    uint32_t r;
    __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
    return r;
}
TE_INLINE uint32_t te_min_s8x4(uint32_t a, uint32_t b)
{
    uint32_t r;
    __asm__("ssub8 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(r) : "r"(a), "r"(b) : "cc");
    return r;
}
#else
TE_INLINE uint32_t te_max_s8x4(uint32_t a, uint32_t b)
{
    (void)__ssub8((int32_t)a, (int32_t)b);
    return __sel(a, b);
}
TE_INLINE uint32_t te_min_s8x4(uint32_t a, uint32_t b)
{
    (void)__ssub8((int32_t)a, (int32_t)b);
    return __sel(b, a);
}
#endif
#else
TE_INLINE uint32_t te_pack16(int32_t lo, int32_t hi) { return ((uint32_t)(uint16_t)lo) | ((uint32_t)(uint16_t)hi << 16); }
TE_INLINE uint32_t te_sxtb16(uint32_t x)
{
    return te_pack16((int8_t)(x & 0xFF), (int8_t)((x >> 16) & 0xFF));
}
TE_INLINE uint32_t te_sxtb16_ror8(uint32_t x)
{
    return te_pack16((int8_t)((x >> 8) & 0xFF), (int8_t)((x >> 24) & 0xFF));
}
TE_INLINE int32_t te_smlad(uint32_t a, uint32_t b, int32_t acc)
{
    const int32_t lo = (int32_t)(int16_t)(a & 0xFFFF) * (int32_t)(int16_t)(b & 0xFFFF);
    const int32_t hi = (int32_t)(int16_t)(a >> 16) * (int32_t)(int16_t)(b >> 16);
    return (int32_t)((uint32_t)acc + (uint32_t)lo + (uint32_t)hi);
}
TE_INLINE uint32_t te_sadd16(uint32_t a, uint32_t b)
{
    return te_pack16((int16_t)(a & 0xFFFF) + (int16_t)(b & 0xFFFF), (int16_t)(a >> 16) + (int16_t)(b >> 16));
}
TE_INLINE uint32_t te_sxtab16(uint32_t a, uint32_t x) { return te_sadd16(a, te_sxtb16(x)); }
TE_INLINE uint32_t te_sxtab16_ror8(uint32_t a, uint32_t x) { return te_sadd16(a, te_sxtb16_ror8(x)); }
TE_INLINE uint32_t te_uxtb16(uint32_t x) { return x & 0x00FF00FFu; }
TE_INLINE uint32_t te_uxtb16_ror8(uint32_t x) { return (x >> 8) & 0x00FF00FFu; }
TE_INLINE uint32_t te_keep_u8x4_(uint32_t keep, uint32_t cand, uint32_t *idx, uint32_t idx_cand, int want_max)
{
    uint32_t r = 0, i = 0;
    int k;
    for (k = 0; k < 32; k += 8) {
        const uint32_t a = (keep >> k) & 0xFFu, b = (cand >> k) & 0xFFu;
        const int keep_it = want_max ? a >= b : a <= b;
        r |= (keep_it ? a : b) << k;
        i |= ((keep_it ? *idx : idx_cand) >> k & 0xFFu) << k;
    }
    *idx = i;
    return r;
}
TE_INLINE uint32_t te_s8x4_pick_(uint32_t a, uint32_t b, int want_max)
{
    uint32_t r = 0;
    int k;
    for (k = 0; k < 32; k += 8) {
        const int32_t x = (int8_t)(a >> k), y = (int8_t)(b >> k);
        r |= (uint32_t)(uint8_t)((want_max ? x >= y : x <= y) ? x : y) << k;
    }
    return r;
}
TE_INLINE uint32_t te_max_s8x4(uint32_t a, uint32_t b) { return te_s8x4_pick_(a, b, 1); }
TE_INLINE uint32_t te_min_s8x4(uint32_t a, uint32_t b) { return te_s8x4_pick_(a, b, 0); }
TE_INLINE uint32_t te_keep_max_u8x4(uint32_t keep, uint32_t cand, uint32_t *idx, uint32_t idx_cand)
{
    return te_keep_u8x4_(keep, cand, idx, idx_cand, 1);
}
TE_INLINE uint32_t te_keep_min_u8x4(uint32_t keep, uint32_t cand, uint32_t *idx, uint32_t idx_cand)
{
    return te_keep_u8x4_(keep, cand, idx, idx_cand, 0);
}
#endif

#endif /* TE_USE_DSP */

/* Unaligned 32-bit loads and stores without undefined behaviour (one LDR/STR on cores with
 * unaligned access: M3 and up; byte by byte on M0+). */
TE_INLINE uint32_t te_read_u32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
TE_INLINE void te_write_u32(void *p, uint32_t v) { memcpy(p, &v, 4); }

/* Halfword multiply-accumulates and saturation (appended for the depthwise kernels).
 * te_smlaXY(a, b, acc) = acc + a.X * b.Y, X/Y = b(ottom) or t(op) signed halfword. */
#if defined(TE_USE_DSP)
#if defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP)
TE_INLINE int32_t te_smlabb(uint32_t a, uint32_t b, int32_t acc) { return __smlabb((int32_t)a, (int32_t)b, acc); }
TE_INLINE int32_t te_smlabt(uint32_t a, uint32_t b, int32_t acc) { return __smlabt((int32_t)a, (int32_t)b, acc); }
TE_INLINE int32_t te_smlatb(uint32_t a, uint32_t b, int32_t acc) { return __smlatb((int32_t)a, (int32_t)b, acc); }
TE_INLINE int32_t te_smlatt(uint32_t a, uint32_t b, int32_t acc) { return __smlatt((int32_t)a, (int32_t)b, acc); }
#else
TE_INLINE int32_t te_smla_hh_(int32_t x, int32_t y, int32_t acc) { return (int32_t)((uint32_t)acc + (uint32_t)(x * y)); }
TE_INLINE int32_t te_smlabb(uint32_t a, uint32_t b, int32_t acc) { return te_smla_hh_((int16_t)(a & 0xFFFF), (int16_t)(b & 0xFFFF), acc); }
TE_INLINE int32_t te_smlabt(uint32_t a, uint32_t b, int32_t acc) { return te_smla_hh_((int16_t)(a & 0xFFFF), (int16_t)(b >> 16), acc); }
TE_INLINE int32_t te_smlatb(uint32_t a, uint32_t b, int32_t acc) { return te_smla_hh_((int16_t)(a >> 16), (int16_t)(b & 0xFFFF), acc); }
TE_INLINE int32_t te_smlatt(uint32_t a, uint32_t b, int32_t acc) { return te_smla_hh_((int16_t)(a >> 16), (int16_t)(b >> 16), acc); }
#endif
#endif /* TE_USE_DSP */

/* Saturate to int8: SSAT #8 on DSP cores, a clamp in every other build (the one int8 saturation
 * of the kernels). */
#if defined(TE_USE_DSP) && defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP)
TE_INLINE int32_t te_ssat8(int32_t x) { return __ssat(x, 8); }
#else
TE_INLINE int32_t te_ssat8(int32_t x) { return x < -128 ? -128 : (x > 127 ? 127 : x); }
#endif

/* Most significant word multiply-accumulate, on every build (one instruction on DSP cores):
 * te_smmla  = acc + ((int64)a * b >> 32),
 * te_smmlar = acc + (((int64)a * b + 2^31) >> 32) (rounded); both wrap like the instructions. */
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(TE_EMULATE_DSP) && !defined(TE_FORCE_PORTABLE) && \
    !defined(TE_NO_INLINE_ASM)
TE_INLINE int32_t te_smmla(int32_t a, int32_t b, int32_t acc)
{
    int32_t r;
    __asm__("smmla %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}
TE_INLINE int32_t te_smmlar(int32_t a, int32_t b, int32_t acc)
{
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}
#else
TE_INLINE int32_t te_smmla(int32_t a, int32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(int32_t)(((int64_t)a * b) >> 32));
}
TE_INLINE int32_t te_smmlar(int32_t a, int32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(int32_t)(((int64_t)a * b + ((int64_t)1 << 31)) >> 32));
}
#endif

/* MultiplyByQuantizedMultiplier(v, mult, -e) for mult > 0, e >= 1 and |v| < 2^30, from v2 = 2 * v:
 * SaturatingRoundingDoublingHighMul(v, mult) = floor((v * mult + 2^30) / 2^31) is SMMLAR's
 * floor((v2 * mult + 2^31) / 2^32), which also adds RoundingDivideByPOT's 2^(e - 1) (half); that
 * rounds half up, and the reference rounds half away from zero, which subtracting 1 from negative
 * values (the sign of v2: mult is positive, a zero product rounds to 0 either way) fixes. The
 * generator checks the ranges. */
TE_INLINE int32_t te_rq_doubled(int32_t v2, int32_t mult, int32_t half, int32_t e)
{
    return (te_smmlar(v2, mult, half) - (int32_t)((uint32_t)v2 >> 31)) >> e;
}

/* MultiplyByQuantizedMultiplier(v, mult, s) for 0 <= s and |v| * 2^(s + 1) < 2^31: no rounding
 * shift, and SaturatingRoundingDoublingHighMul(v * 2^s, mult) = floor((v * 2^s * mult + 2^30) / 2^31)
 * is SMMLAR's floor((v * 2^(s + 1) * mult + 2^31) / 2^32) (the saturating case needs v * 2^s =
 * INT32_MIN, outside the range). The caller checks the range. */
TE_INLINE int32_t te_rq_left(int32_t v, int32_t mult, int32_t s)
{
    return te_smmlar((int32_t)((uint32_t)v << (s + 1)), mult, 0);
}

/* ---- int16x8 helpers (int16 activations x int8 weights on the DSP extension) ---- */
#if defined(TE_USE_DSP)
/* Full groups of 4 values (x0, x1, x2, x3) become (x0, x2, x1, x3). */
TE_INLINE void te_s16_reorder4(int16_t *col, int32_t n)
{
    int32_t i;
    for (i = 0; i + 4 <= n; i += 4) {
        const uint32_t a = te_read_u32(col + i), b = te_read_u32(col + i + 2);
        te_write_u32(col + i, (a & 0xFFFFu) | (b << 16));
        te_write_u32(col + i + 2, (a >> 16) | (b & 0xFFFF0000u));
    }
}

/* Two int16 columns (natural order) interleaved per full group of 4 taps as the words
 * a(0,2), a(1,3), b(0,2), b(1,3): te_s16_dot2x2_il then loads one group of both with one LDM. */
TE_INLINE void te_s16_interleave(const int16_t *ca, const int16_t *cb, int32_t n4, int16_t *il)
{
    int32_t i;
    for (i = 0; i < n4; i += 4) {
        const uint32_t a01 = te_read_u32(ca + i), a23 = te_read_u32(ca + i + 2);
        const uint32_t b01 = te_read_u32(cb + i), b23 = te_read_u32(cb + i + 2);
        te_write_u32(il + 2 * i, (a01 & 0xFFFFu) | (a23 << 16));
        te_write_u32(il + 2 * i + 2, (a01 >> 16) | (a23 & 0xFFFF0000u));
        te_write_u32(il + 2 * i + 4, (b01 & 0xFFFFu) | (b23 << 16));
        te_write_u32(il + 2 * i + 6, (b01 >> 16) | (b23 & 0xFFFF0000u));
    }
}

/* One weight row against an interleaved pair of columns, full groups of 4 taps:
 * acc[0] += w.a, acc[1] += w.b. Per group one weight word (SXTB16, SXTB16 ROR 8), two LDRD of
 * the columns, four SMLAD; an assembly loop of two groups per iteration on GCC (11 registers:
 * it also builds at -O0 with a frame pointer). */
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && defined(__thumb2__) && !defined(TE_EMULATE_DSP) && \
    !defined(TE_FORCE_PORTABLE) && !defined(TE_NO_INLINE_ASM)
TE_INLINE void te_s16_dot1x2_il(const int8_t *w, const int16_t *il, int32_t n4, int32_t acc[2])
{
    int32_t a0 = acc[0], a1 = acc[1], n = n4 >> 3;
    uint32_t x0, x1, x2, x3, wv, t;
    if (n > 0) {
        __asm__ volatile(
            "1:\n\t"
            "ldr     %[wv], [%[w]], #4\n\t"
            "ldrd    %[x2], %[x3], [%[il], #8]\n\t"
            "ldrd    %[x0], %[x1], [%[il]], #16\n\t"
            "sxtb16  %[t], %[wv]\n\t"
            "smlad   %[a0], %[t], %[x0], %[a0]\n\t"
            "smlad   %[a1], %[t], %[x2], %[a1]\n\t"
            "sxtb16  %[t], %[wv], ror #8\n\t"
            "smlad   %[a0], %[t], %[x1], %[a0]\n\t"
            "smlad   %[a1], %[t], %[x3], %[a1]\n\t"
            "ldr     %[wv], [%[w]], #4\n\t"
            "ldrd    %[x2], %[x3], [%[il], #8]\n\t"
            "ldrd    %[x0], %[x1], [%[il]], #16\n\t"
            "sxtb16  %[t], %[wv]\n\t"
            "smlad   %[a0], %[t], %[x0], %[a0]\n\t"
            "smlad   %[a1], %[t], %[x2], %[a1]\n\t"
            "sxtb16  %[t], %[wv], ror #8\n\t"
            "smlad   %[a0], %[t], %[x1], %[a0]\n\t"
            "smlad   %[a1], %[t], %[x3], %[a1]\n\t"
            "subs    %[n], %[n], #1\n\t"
            "bne     1b\n\t"
            : [a0] "+r"(a0), [a1] "+r"(a1), [w] "+r"(w), [il] "+r"(il), [n] "+r"(n), [x0] "=&r"(x0),
              [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3), [wv] "=&r"(wv), [t] "=&r"(t)
            :
            : "cc", "memory");
    }
    if (n4 & 4) {
        const uint32_t *x = (const uint32_t *)(const void *)il;
        wv = te_read_u32(w);
        t = te_sxtb16(wv);
        a0 = te_smlad(t, x[0], a0);
        a1 = te_smlad(t, x[2], a1);
        t = te_sxtb16_ror8(wv);
        a0 = te_smlad(t, x[1], a0);
        a1 = te_smlad(t, x[3], a1);
    }
    acc[0] = a0;
    acc[1] = a1;
}
#else
TE_INLINE void te_s16_dot1x2_il(const int8_t *w, const int16_t *il, int32_t n4, int32_t acc[2])
{
    int32_t a0 = acc[0], a1 = acc[1], n;
    const uint32_t *x = (const uint32_t *)(const void *)il;
    for (n = n4 >> 2; n > 0; --n) {
        const uint32_t wv = te_read_u32(w);
        uint32_t t = te_sxtb16(wv);
        a0 = te_smlad(t, x[0], a0);
        a1 = te_smlad(t, x[2], a1);
        t = te_sxtb16_ror8(wv);
        a0 = te_smlad(t, x[1], a0);
        a1 = te_smlad(t, x[3], a1);
        x += 4;
        w += 4;
    }
    acc[0] = a0;
    acc[1] = a1;
}
#endif

/* Two weight rows against one reordered int16 column, full groups of 4 taps (added to acc). */
TE_INLINE void te_s16_dot2x1(const int8_t *w0, const int8_t *w1, const int16_t *col, int32_t n4, int32_t acc[2])
{
    int32_t a0 = acc[0], a1 = acc[1], i;
    for (i = 0; i < n4; i += 4) {
        const uint32_t wa = te_read_u32(w0 + i), wb = te_read_u32(w1 + i);
        const uint32_t x02 = te_read_u32(col + i), x13 = te_read_u32(col + i + 2);
        a0 = te_smlad(te_sxtb16(wa), x02, a0);
        a1 = te_smlad(te_sxtb16(wb), x02, a1);
        a0 = te_smlad(te_sxtb16_ror8(wa), x13, a0);
        a1 = te_smlad(te_sxtb16_ror8(wb), x13, a1);
    }
    acc[0] = a0;
    acc[1] = a1;
}
#endif /* TE_USE_DSP */

/* The high word of acc + (int64)a * b (SMLAL; GCC does not always see the widening multiply). */
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(TE_EMULATE_DSP) && !defined(TE_FORCE_PORTABLE) && \
    !defined(TE_NO_INLINE_ASM)
TE_INLINE int32_t te_smlal_hi(int32_t a, int32_t b, int64_t acc)
{
    uint32_t lo = (uint32_t)(uint64_t)acc;
    int32_t hi = (int32_t)(acc >> 32);
    __asm__("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(a), "r"(b));
    return hi;
}
#else
TE_INLINE int32_t te_smlal_hi(int32_t a, int32_t b, int64_t acc)
{
    return (int32_t)((uint64_t)((int64_t)a * b + acc) >> 32);
}
#endif

/* The 64-bit form folded for a sum known to fit int32 (the SIMD paths), with X the reference's
 * (sum + bias) * reduced + round and total = 15 - shift:
 *   X = sum * reduced + bias_term, bias_term = bias * reduced + 2^(total - 1) (the product distributes);
 *   total >= 32: X >> total = (X >> 32) >> (total - 32);
 *   16 <= total < 32: with s = 32 - total, reduced << s still fits int32 and, when bias_term << s
 *   fits in 62 bits (checked here), X >> total = (X * 2^s) >> 32 exactly; the high word keeps
 *   the reference's truncation to int32.
 * So one SMLAL into a per-channel 64-bit constant, its high word, one arithmetic shift.
 * te_requant_s16_fast_init returns 0 when a channel fits neither form, or for the int32-bias form:
 * the SIMD paths then keep the portable kernel. */
typedef struct {
    int64_t bias_term;
    int32_t reduced;
    int32_t rshift;  /* (hi word) >> rshift */
} te_requant_s16_fast;

TE_INLINE int32_t te_requant_s16_fast_init(const te_requant_s16 *rq, int32_t n, te_requant_s16_fast *f)
{
    int32_t oc;
    if (rq->bias_is_32) {
        return 0;
    }
    for (oc = 0; oc < n; ++oc) {
        const int32_t m = rq->multiplier[oc];
        const int32_t reduced = m < 0x7FFF0000 ? (m + (1 << 15)) >> 16 : 0x7FFF;
        const int32_t total = 15 - rq->shift[oc];
        const int64_t bias_term = (rq->bias64 ? rq->bias64[oc] : 0) * reduced + ((int64_t)1 << (total - 1));
        f[oc].reduced = reduced;
        f[oc].bias_term = bias_term;
        f[oc].rshift = -1;
        if (total >= 32) {
            f[oc].rshift = total - 32;
        } else if (total >= 16) {
            const int32_t sh = 32 - total;
            const int64_t limit = (int64_t)1 << (62 - sh);
            if (bias_term < limit && bias_term > -limit) {
                f[oc].reduced = reduced << sh;
                f[oc].bias_term = (int64_t)((uint64_t)bias_term << sh);
                f[oc].rshift = 0;
            }
        }
        if (f[oc].rshift < 0) {
            return 0;
        }
    }
    return 1;
}

TE_INLINE int32_t te_requant_s16_fast_apply(const te_requant_s16_fast *f, int32_t sum, int32_t oc, int32_t act_min,
                                            int32_t act_max)
{
    return te_clamp_i32(te_smlal_hi(sum, f[oc].reduced, f[oc].bias_term) >> f[oc].rshift, act_min, act_max);
}

#if defined(TE_USE_MVE)
#include <arm_mve.h>

/* MultiplyByQuantizedMultiplier on 4 lanes with per-lane (multiplier, shift), exactly:
 * VSHL wraps like the reference's int32 product, VQRDMULH is SaturatingRoundingDoublingHighMul,
 * and RoundingDivideByPOT is VRSHL (round half up) after subtracting 1 from negative values
 * where the shift is non-zero (round half away from zero); that subtraction saturates only at
 * INT32_MIN, which the shift then maps to the same value. */
TE_INLINE int32x4_t te_mve_requant(int32x4_t v, int32x4_t mult, int32x4_t shift)
{
    const int32x4_t zero = vdupq_n_s32(0);
    const int32x4_t right = vminq_s32(shift, zero); /* -(right shift) */
    v = vshlq_s32(v, vmaxq_s32(shift, zero));
    v = vqrdmulhq_s32(v, mult);
    v = vqaddq_s32(v, vshrq_n_s32(vandq_s32(v, right), 31));
    return vrshlq_s32(v, right);
}

/* te_mve_requant with one (multiplier, shift) for every lane: the lanes hold one channel (the
 * shift's sign is known outside the caller's loop, so the branches fold there). */
TE_INLINE int32x4_t te_mve_requant_n(int32x4_t v, int32_t mult, int32_t shift)
{
    if (shift > 0) {
        v = vshlq_r_s32(v, shift);
    }
    v = vqrdmulhq_n_s32(v, mult);
    if (shift < 0) {
        v = vqaddq_s32(v, vshrq_n_s32(v, 31));
        v = vrshlq_n_s32(v, shift);
    }
    return v;
}

/* MultiplyByQuantizedMultiplier(v, mult, -e) + out_off per lane, for 1 <= e <= 23 and results
 * that are then clamped to 8 bits, in three steps: d = out_off * 2^e + 2^(e-1) (te_mve_round_add),
 * neg_e = -e. The rounding right shift and the offset become one truncating shift of
 * d - [v < 0] + SaturatingRoundingDoublingHighMul(v, mult) (VQRDMLAH): exact, since [v < 0] may
 * stand for the sign of the product (they differ only where the product rounds to 0, and both
 * then give out_off), and where VQRDMLAH saturates the result is at least 2^(31-e) >= 256 away
 * from 0, so the clamp gives what the reference's does. */
TE_INLINE int32x4_t te_mve_requant_off_n(int32x4_t v, int32_t mult, int32_t d, int32_t neg_e)
{
    int32x4_t t = vaddq_n_s32(vshrq_n_s32(v, 31), d);
    t = vqrdmlahq_n_s32(t, v, mult);
    return vshlq_r_s32(t, neg_e);
}

TE_INLINE int32_t te_mve_round_add(int32_t out_off, int32_t e)
{
    return (int32_t)((uint32_t)out_off * ((uint32_t)1 << e) + ((uint32_t)1 << (e - 1)));
}

/* (a, b, c, d) from four scalars: two VMOVs of two lanes each (GCC builds it lane by lane). */
TE_INLINE int32x4_t te_mve_vec4(int32_t a, int32_t b, int32_t c, int32_t d)
{
#if defined(__GNUC__) && !defined(TE_NO_INLINE_ASM)
    int32x4_t v;
    __asm__("vmov %q0[2], %q0[0], %1, %3\n\t"
            "vmov %q0[3], %q0[1], %2, %4"
            : "=&w"(v)
            : "r"(a), "r"(b), "r"(c), "r"(d));
    return v;
#else
    int32x4_t v = vdupq_n_s32(a);
    v = vsetq_lane_s32(b, v, 1);
    v = vsetq_lane_s32(c, v, 2);
    return vsetq_lane_s32(d, v, 3);
#endif
}

/* Four int8 dot products, rows w0..w3 with x over `depth` taps, as one vector (lane r: row r):
 * 16 taps per step (VMLADAVA), the last step tail-predicated (lanes past the row are neither read
 * nor counted). Shared by the Helium fully-connected paths. */
TE_INLINE int32x4_t te_mve_dot4q_s8(const int8_t *w0, const int8_t *w1, const int8_t *w2, const int8_t *w3,
                                    const int8_t *x, int32_t depth)
{
#if defined(__GNUC__) && !defined(TE_NO_INLINE_ASM)
    int32x4_t v;
    /* VMLADAVA accumulates into even registers only: r4, r8, r10, r12 are clobbered (a set that
     * also compiles at -O0, with a frame pointer or a reserved r9), lr runs the low-overhead loop
     * (WLSTP/LETP: the last pass predicated to the row's end). */
    __asm__ volatile(
        "movs    r4, #0\n\t"
        "mov     r8, r4\n\t"
        "mov     r10, r4\n\t"
        "mov     r12, r4\n\t"
        "wlstp.8 lr, %[n], 2f\n\t"
        "1:\n\t"
        "vldrb.8 q0, [%[x]], #16\n\t"
        "vldrb.8 q1, [%[w0]], #16\n\t"
        "vmladava.s8 r4, q1, q0\n\t"
        "vldrb.8 q1, [%[w1]], #16\n\t"
        "vmladava.s8 r8, q1, q0\n\t"
        "vldrb.8 q1, [%[w2]], #16\n\t"
        "vmladava.s8 r10, q1, q0\n\t"
        "vldrb.8 q1, [%[w3]], #16\n\t"
        "vmladava.s8 r12, q1, q0\n\t"
        "letp    lr, 1b\n\t"
        "2:\n\t"
        /* (lanes 0, 2 then 1, 3) */
        "vmov    %q[v][2], %q[v][0], r4, r10\n\t"
        "vmov    %q[v][3], %q[v][1], r8, r12\n\t"
        : [v] "=w"(v), [x] "+r"(x), [w0] "+r"(w0), [w1] "+r"(w1), [w2] "+r"(w2), [w3] "+r"(w3)
        : [n] "r"(depth)
        : "r4", "r8", "r10", "r12", "lr", "q0", "q1", "cc", "memory");
    return v;
#else
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, n;
    for (n = depth; n > 0; n -= 16) {
        /* lanes past the row are neither read nor counted */
        const mve_pred16_t pr = vctp8q((uint32_t)n);
        const int8x16_t xv = vldrbq_z_s8(x, pr);
        a0 = vmladavaq_p_s8(a0, vldrbq_z_s8(w0, pr), xv, pr);
        a1 = vmladavaq_p_s8(a1, vldrbq_z_s8(w1, pr), xv, pr);
        a2 = vmladavaq_p_s8(a2, vldrbq_z_s8(w2, pr), xv, pr);
        a3 = vmladavaq_p_s8(a3, vldrbq_z_s8(w3, pr), xv, pr);
        x += 16;
        w0 += 16;
        w1 += 16;
        w2 += 16;
        w3 += 16;
    }
    return te_mve_vec4(a0, a1, a2, a3);
#endif
}

/* Four int16 x int8 dot products, rows w0..w3 (int8, widened by VLDRB.S16) with the int16 x over
 * `depth` taps: 8 per step (VMLADAVA.S16), then a tail-predicated step. */
TE_INLINE void te_mve_dot4_s16(const int8_t *w0, const int8_t *w1, const int8_t *w2, const int8_t *w3,
                               const int16_t *x, int32_t depth, int32_t out[4])
{
#if defined(__GNUC__) && !defined(TE_NO_INLINE_ASM)
    __asm__ volatile(
        "movs    r4, #0\n\t"
        "mov     r8, r4\n\t"
        "mov     r10, r4\n\t"
        "mov     r12, r4\n\t"
        "wls     lr, %[n], 2f\n\t"
        "1:\n\t"
        "vldrh.16 q0, [%[x]], #16\n\t"
        "vldrb.s16 q1, [%[w0]], #8\n\t"
        "vmladava.s16 r4, q1, q0\n\t"
        "vldrb.s16 q1, [%[w1]], #8\n\t"
        "vmladava.s16 r8, q1, q0\n\t"
        "vldrb.s16 q1, [%[w2]], #8\n\t"
        "vmladava.s16 r10, q1, q0\n\t"
        "vldrb.s16 q1, [%[w3]], #8\n\t"
        "vmladava.s16 r12, q1, q0\n\t"
        "le      lr, 1b\n\t"
        "2:\n\t"
        "strd    r4, r8, [%[s]]\n\t"
        "strd    r10, r12, [%[s], #8]\n\t"
        : [x] "+r"(x), [w0] "+r"(w0), [w1] "+r"(w1), [w2] "+r"(w2), [w3] "+r"(w3)
        : [n] "r"(depth >> 3), [s] "r"(out)
        : "r4", "r8", "r10", "r12", "lr", "d0", "d1", "d2", "d3", "cc", "memory");
#else
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, n;
    for (n = depth >> 3; n > 0; --n) {
        const int16x8_t xv = vldrhq_s16(x);
        a0 = vmladavaq_s16(a0, vldrbq_s16(w0), xv);
        a1 = vmladavaq_s16(a1, vldrbq_s16(w1), xv);
        a2 = vmladavaq_s16(a2, vldrbq_s16(w2), xv);
        a3 = vmladavaq_s16(a3, vldrbq_s16(w3), xv);
        x += 8;
        w0 += 8;
        w1 += 8;
        w2 += 8;
        w3 += 8;
    }
    out[0] = a0;
    out[1] = a1;
    out[2] = a2;
    out[3] = a3;
#endif
    if (depth & 7) {
        const mve_pred16_t pr = vctp16q((uint32_t)(depth & 7));
        const int16x8_t xv = vldrhq_z_s16(x, pr);
        out[0] = vmladavaq_s16(out[0], vldrbq_z_s16(w0, pr), xv);
        out[1] = vmladavaq_s16(out[1], vldrbq_z_s16(w1, pr), xv);
        out[2] = vmladavaq_s16(out[2], vldrbq_z_s16(w2, pr), xv);
        out[3] = vmladavaq_s16(out[3], vldrbq_z_s16(w3, pr), xv);
    }
}

#endif /* TE_USE_MVE */

#endif /* TINYENGINE_TE_SIMD_H */
