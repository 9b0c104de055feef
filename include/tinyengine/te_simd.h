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

#endif /* TINYENGINE_TE_SIMD_H */
