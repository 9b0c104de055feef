/* tinyengine: float math that gives the same bits on every core.
 *
 * LiteRT's float reference kernels call the C library's expf, logf, tanhf, expm1f, sinf and cosf.
 * On the host that runs the oracle (x86-64 Linux, glibc 2.36) those are:
 *   - expf, logf, sinf, cosf: Arm optimized-routines' algorithms (double evaluation, small
 *     tables), and glibc picks their FMA build at run time on CPUs with FMA (every x86-64 CPU
 *     since 2013 and this test host). The FMA build fuses every a * b + c, so its last bits
 *     differ from the plain build on some inputs (expf: 0 of 2^32 in float, see tests).
 *   - tanhf, expm1f: fdlibm's float algorithms (single-precision arithmetic throughout).
 * The functions here repeat those operations in the same order with the same constants. Every
 * fused multiply-add of the FMA build is an exact te_fma (a hardware double FMA where the core
 * has one, M7/M55; an exact integer emulation elsewhere), every other step a plain IEEE
 * operation, so the result is the same on the host, on soft-float M0/M3 (libgcc's IEEE double
 * and float routines), on M4/M33 (single-precision FPU, double in software) and on M7/M55.
 * Nothing here calls the target's libm. tests/test_te_math.py compares them with the host
 * library over every float (slow) or a wide subset (default), and on emulated cores.
 *
 * No contraction: a compiler may fuse a * b + c into one FMA instruction (GCC does by default,
 * for float on every Cortex-M with an FPU), which changes rounding. The library's float code is
 * compiled inside TE_FLOAT_STRICT_BEGIN / TE_FLOAT_STRICT_END, which turn contraction and the
 * -ffast-math family off for that code whatever flags the user builds with (GCC: optimize
 * pragma; clang: fp contract pragma; clang with -ffast-math is refused).
 */
#ifndef TINYENGINE_TE_MATH_H
#define TINYENGINE_TE_MATH_H

#include <string.h>

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__clang__)
#if defined(__FAST_MATH__)
#error "tinyengine float kernels need IEEE arithmetic: build src/te_*.c without -ffast-math"
#endif
#define TE_FLOAT_STRICT_BEGIN _Pragma("clang fp contract(off)")
#define TE_FLOAT_STRICT_END
#elif defined(__GNUC__)
#define TE_FLOAT_STRICT_BEGIN                                                                    \
    _Pragma("GCC push_options")                                                                  \
    _Pragma("GCC optimize(\"no-fast-math\", \"no-math-errno\", \"fp-contract=off\")")
#define TE_FLOAT_STRICT_END _Pragma("GCC pop_options")
#else
#define TE_FLOAT_STRICT_BEGIN
#define TE_FLOAT_STRICT_END
#endif

/* Exact fused multiply-add: a * b + c rounded once (round to nearest even). The hardware
 * instruction where the core has a double FMA, else te_fma_soft. */
double te_fma_soft(double a, double b, double c);
#if defined(__FP_FAST_FMA) && (defined(__GNUC__) || defined(__clang__))
#define TE_FMA(a, b, c) __builtin_fma((a), (b), (c))
#else
#define TE_FMA(a, b, c) te_fma_soft((a), (b), (c))
#endif

/* The host libm's results, bit for bit (glibc 2.36 x86-64, FMA build where it has one). */
float te_expf(float x);
float te_logf(float x);
float te_expm1f(float x);
float te_tanhf(float x);
float te_sinf(float x);
float te_cosf(float x);
/* Correctly rounded square root (IEEE), 0xffc00000 (the x86 default NaN) for x < 0. */
float te_sqrtf(float x);
/* floor, exact (the sign of zero kept, as floorf and SSE4.1's ROUNDPS give it). */
float te_floorf(float x);

/* Raw bits of a float and back (memcpy: no aliasing questions). */
TE_INLINE uint32_t te_f32_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}
TE_INLINE float te_f32_from_bits(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_MATH_H */
