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
#endif

/* Unaligned 32-bit loads and stores without undefined behaviour (one LDR/STR on Cortex-M4+). */
TE_INLINE uint32_t te_read_u32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
TE_INLINE void te_write_u32(void *p, uint32_t v) { memcpy(p, &v, 4); }

#endif /* TE_USE_DSP */

/* Halfword multiply-accumulates and saturation (appended for the depthwise kernels).
 * te_smlaXY(a, b, acc) = acc + a.X * b.Y, X/Y = b(ottom) or t(op) signed halfword. */
#if defined(TE_USE_DSP)
#if defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP)
TE_INLINE int32_t te_smlabb(uint32_t a, uint32_t b, int32_t acc) { return __smlabb((int32_t)a, (int32_t)b, acc); }
TE_INLINE int32_t te_smlabt(uint32_t a, uint32_t b, int32_t acc) { return __smlabt((int32_t)a, (int32_t)b, acc); }
TE_INLINE int32_t te_smlatb(uint32_t a, uint32_t b, int32_t acc) { return __smlatb((int32_t)a, (int32_t)b, acc); }
TE_INLINE int32_t te_smlatt(uint32_t a, uint32_t b, int32_t acc) { return __smlatt((int32_t)a, (int32_t)b, acc); }
/* Saturate to int8 (SSAT #8). */
TE_INLINE int32_t te_ssat8(int32_t x) { return __ssat(x, 8); }
#else
TE_INLINE int32_t te_smla_hh_(int32_t x, int32_t y, int32_t acc) { return (int32_t)((uint32_t)acc + (uint32_t)(x * y)); }
TE_INLINE int32_t te_smlabb(uint32_t a, uint32_t b, int32_t acc) { return te_smla_hh_((int16_t)(a & 0xFFFF), (int16_t)(b & 0xFFFF), acc); }
TE_INLINE int32_t te_smlabt(uint32_t a, uint32_t b, int32_t acc) { return te_smla_hh_((int16_t)(a & 0xFFFF), (int16_t)(b >> 16), acc); }
TE_INLINE int32_t te_smlatb(uint32_t a, uint32_t b, int32_t acc) { return te_smla_hh_((int16_t)(a >> 16), (int16_t)(b & 0xFFFF), acc); }
TE_INLINE int32_t te_smlatt(uint32_t a, uint32_t b, int32_t acc) { return te_smla_hh_((int16_t)(a >> 16), (int16_t)(b >> 16), acc); }
TE_INLINE int32_t te_ssat8(int32_t x) { return x < -128 ? -128 : (x > 127 ? 127 : x); }
#endif
#endif /* TE_USE_DSP */

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

/* te_mve_requant_n for a shift <= 0 without a branch: right = vdupq_n_s32(shift), hoisted by the
 * caller (the -1 fix-up applies only where the shift is negative, as in te_mve_requant). */
TE_INLINE int32x4_t te_mve_requant_r(int32x4_t v, int32_t mult, int32x4_t right)
{
    v = vqrdmulhq_n_s32(v, mult);
    v = vqaddq_s32(v, vshrq_n_s32(vandq_s32(v, right), 31));
    return vrshlq_s32(v, right);
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

#endif /* TE_USE_MVE */

#endif /* TINYENGINE_TE_SIMD_H */
