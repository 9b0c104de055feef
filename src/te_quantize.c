/* tinyengine: QUANTIZE, DEQUANTIZE, requantize and flip-sign kernels.
 *
 * Exactness notes (LiteRT reference):
 * - AffineQuantize computes static_cast<int32_t>(std::round(x / (float)scale)) + zero_point.
 *   The division is a float32 division (never a multiplication by 1/scale) and roundf rounds
 *   half away from zero; both are exact IEEE operations. The float -> int32 conversion of an
 *   out-of-range value (or NaN) is undefined in C++; the x86-64 build of the reference yields
 *   INT32_MIN (cvttss2si) and then adds the zero point with wrap-around. That is reproduced here
 *   with defined C, so huge or non-finite inputs give the reference's bytes on every target.
 * - Dequantize computes (float)((double)scale * (q - zero_point)). The double product of a
 *   float32 scale (24-bit significand) and an integer of at most 10 bits is exact, so rounding
 *   it to float equals the correctly rounded float32 product: one float multiplication gives
 *   identical bits without double arithmetic (assuming no flush-to-zero of subnormals).
 */
#include "tinyengine/te_quantize.h"
#include "tinyengine/te_simd.h"

#include <math.h>

/* static_cast<int32_t>(roundf(x / scale)) + zero_point as the x86-64 reference computes it. */
TE_INLINE int32_t quantize_value(float x, float scale, int32_t zero_point)
{
    const float r = roundf(x / scale);
    int32_t q;
    if (r >= -2147483648.0f && r < 2147483648.0f) {
        q = (int32_t)r;
    } else {
        q = INT32_MIN; /* out of range or NaN: the "integer indefinite" value */
    }
    return (int32_t)((uint32_t)q + (uint32_t)zero_point);
}

/* The trunc-based rounding below pays where roundf is a library call but the FPU converts and
 * subtracts in one instruction each: ARMv7-M with single-precision FPv4 (Cortex-M4F). FPv5 cores
 * (M7's double FPU, ARMv8-M) round with VRINTA; soft-float cores pay more for the extra float
 * operations than for roundf. TE_EMULATE_DSP builds it on the host, so the host tests check it. */
#if !defined(TE_FORCE_PORTABLE) && \
    ((defined(__ARM_FP) && !(__ARM_FP & 8) && defined(__ARM_ARCH) && __ARM_ARCH == 7 && \
      !defined(__ARM_FEATURE_DIRECTED_ROUNDING)) || defined(TE_EMULATE_DSP))
#define TE_QUANTIZE_TRUNC 1
#endif

/* Cortex-M4F with GCC-style inline assembly: the fixed-point loop (TE_QUANTIZE_FIX_ASM) takes
 * passes of 4 values; the last 1-3 and any pass it refuses go through quantize_clamped. */
#if defined(TE_QUANTIZE_TRUNC) && !defined(TE_EMULATE_DSP) && !defined(TE_NO_INLINE_ASM) && defined(__GNUC__) && \
    defined(__thumb2__) && defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_UNALIGNED)
#define TE_QUANTIZE_FIX 1
#endif

/* Cores with a double-precision FPU (FPv5: Cortex-M7, ARMv8-M) have VCVTA, which rounds half away
 * from zero and converts in one instruction. */
#if !defined(TE_FORCE_PORTABLE) && !defined(TE_NO_INLINE_ASM) && !defined(TE_QUANTIZE_TRUNC) && \
    !defined(TE_USE_MVE) && defined(__GNUC__) && defined(__ARM_FP) && (__ARM_FP & 8) && defined(__thumb2__) && \
    defined(__ARM_FEATURE_SAT)
#define TE_QUANTIZE_VCVTA 1
#include <arm_acle.h>
#endif

/* quantize_value clamped to [lo, hi]. TE_QUANTIZE_VCVTA: with y = x / scale and |y| < 2^31 (so
 * never NaN), VCVTA gives static_cast<int32_t>(roundf(y)) exactly (the largest float below 2^31 is
 * an integer); the int8 and uint8 ranges clamp with SSAT / USAT.
 * TE_QUANTIZE_TRUNC: for |y| < 2^31 (so never NaN) with
 * y = x / scale, t = trunc(y) and f = y - t are exact (the fraction of a float is a float), so is
 * f + f, and |f + f| < 2 truncates to sign(y) exactly when |f| >= 1/2: t + trunc(f + f) is roundf(y)
 * (half away from zero); the zero point is added with wrap-around as in quantize_value. Infinities
 * and NaN give quantize_value's INT32_MIN + zero_point without calling roundf. Checked over every
 * float bit pattern. */
TE_INLINE int32_t quantize_clamped(float x, float scale, int32_t zero_point, int32_t lo, int32_t hi)
{
#if defined(TE_QUANTIZE_VCVTA)
    const float y = x / scale;
    int32_t t = INT32_MIN; /* out of range or NaN, as quantize_value */
    if (fabsf(y) < 2147483648.0f) {
        float r;
        __asm__("vcvta.s32.f32 %[r], %[y]\n\t"
                "vmov   %[t], %[r]"
                : [t] "=r"(t), [r] "=&t"(r)
                : [y] "t"(y));
    }
    t = (int32_t)((uint32_t)t + (uint32_t)zero_point);
    if (lo == -128 && hi == 127) {
        return te_ssat8(t);
    }
    if (lo == 0 && hi == 255) {
        return (int32_t)__usat(t, 8);
    }
    return te_clamp_i32(t, lo, hi);
#else
    int32_t q;
#if defined(TE_QUANTIZE_TRUNC)
    const float y = x / scale;
    if (fabsf(y) < 2147483648.0f) {
        const int32_t t = (int32_t)y;
        const float f = y - (float)t;
        q = (int32_t)((uint32_t)t + (uint32_t)(int32_t)(f + f) + (uint32_t)zero_point);
    } else {
        q = (int32_t)((uint32_t)INT32_MIN + (uint32_t)zero_point); /* as quantize_value */
    }
#else
    q = quantize_value(x, scale, zero_point);
#endif
    /* The int8 range is one SSAT on DSP cores (lo and hi are constants where this inlines). */
    return (lo == -128 && hi == 127) ? te_ssat8(q) : te_clamp_i32(q, lo, hi);
#endif
}

#if defined(TE_QUANTIZE_FIX)
/* Cortex-M4F, four values per pass. y = x / scale (VDIV: the reference's quotient), then VCVT to
 * signed 16-bit fixed point with one fraction bit: u = trunc(2y), exact unless it leaves int16.
 * Half away from zero, roundf(y) = floor((u + 1) / 2) for y >= 0 and floor(u / 2) for y < 0 (u is 0
 * or has y's sign), i.e. floor((u + [u >= 0]) / 2), done two values per register: PKHBT packs
 * u0|u2 and u1|u3, BIC takes [u >= 0] from the sign bits, SHADD16 halves without overflow, SADD16
 * adds the zero point (+128 for int8), USAT16 clamps to 0..255, ORR interleaves the four bytes and
 * one STR (unaligned is fine on ARMv7-M) stores them; for int8, EOR 0x80 per byte undoes the +128.
 * NaN, infinities and 2y outside int16 make the conversion set FPSCR.IOC (sticky; cleared on
 * entry), read once per pass before its store: such a pass leaves the loop with x back at its
 * first value, and quantize_clamped converts it and the rest of the tensor (the reference's
 * INT32_MIN + zero_point for NaN and |y| >= 2^31; such inputs are not worth a second loop's
 * flash). On leaving, IOC is the caller's again, or set (an invalid value was
 * met). A pass reads floats 4k..4k+3 before writing bytes 4k..4k+3, so in place is safe. */
#define TE_QUANTIZE_FIX_ASM(flip)                                      \
    "vmrs    %[f], fpscr\n\t"                                          \
    "bic     %[t], %[f], #1\n\t"                                        \
    "vmsr    fpscr, %[t]\n\t"                                           \
    "1:\n\t"                                                            \
    "vldmia  %[x]!, {s0-s3}\n\t"                                        \
    "vdiv.f32 s0, s0, %[s]\n\t"                                         \
    "vdiv.f32 s1, s1, %[s]\n\t"                                         \
    "vdiv.f32 s2, s2, %[s]\n\t"                                         \
    "vdiv.f32 s3, s3, %[s]\n\t"                                         \
    "vcvt.s16.f32 s0, s0, #1\n\t"                                       \
    "vcvt.s16.f32 s1, s1, #1\n\t"                                       \
    "vcvt.s16.f32 s2, s2, #1\n\t"                                       \
    "vcvt.s16.f32 s3, s3, #1\n\t"                                       \
    "vmrs    %[t], fpscr\n\t"                                           \
    "lsls    %[t], %[t], #31\n\t"                                       \
    "bne     2f\n\t"                                                    \
    "vmov    %[a], %[b], s0, s1\n\t"                                    \
    "vmov    %[t], %[d], s2, s3\n\t"                                    \
    "pkhbt   %[a], %[a], %[t], lsl #16\n\t"                             \
    "pkhbt   %[b], %[b], %[d], lsl #16\n\t"                             \
    "bic     %[t], %[one], %[a], lsr #15\n\t"                           \
    "bic     %[d], %[one], %[b], lsr #15\n\t"                           \
    "shadd16 %[a], %[a], %[t]\n\t"                                      \
    "shadd16 %[b], %[b], %[d]\n\t"                                      \
    "sadd16  %[a], %[a], %[z]\n\t"                                      \
    "sadd16  %[b], %[b], %[z]\n\t"                                      \
    "usat16  %[a], #8, %[a]\n\t"                                        \
    "usat16  %[b], #8, %[b]\n\t"                                        \
    "orr     %[a], %[a], %[b], lsl #8\n\t"                              \
    flip                                                                \
    "str     %[a], [%[o]], #4\n\t"                                      \
    "subs    %[n], %[n], #1\n\t"                                        \
    "bne     1b\n\t"                                                    \
    "vmrs    %[t], fpscr\n\t"                                           \
    "orr     %[t], %[t], %[f]\n\t"                                      \
    "vmsr    fpscr, %[t]\n\t"                                           \
    "b       3f\n\t"                                                    \
    "2:\n\t"                                                            \
    "sub     %[x], %[x], #16\n\t"                                       \
    "3:\n\t"
#define TE_QUANTIZE_FIX_BODY(flip, bias, out_t, lo, hi)                                              \
    do {                                                                                              \
        const float *x = input, *const end = input + p->size;                                         \
        out_t *o = output;                                                                            \
        const float scale = p->scale;                                                                 \
        const int32_t zp = p->zero_point;                                                             \
        const uint32_t z = (uint32_t)(zp + (bias)) * 0x10001u, one = 0x10001u;                        \
        int32_t passes = (int32_t)(end - x) >> 2; /* (zero points are in range: validate.py) */       \
        uint32_t f, t, a, b, d;                                                                       \
        if (passes > 0) {                                                                             \
            __asm__ volatile(TE_QUANTIZE_FIX_ASM(flip)                                                \
                             : [x] "+r"(x), [o] "+r"(o), [n] "+r"(passes), [f] "=&r"(f), [t] "=&r"(t), \
                               [a] "=&r"(a), [b] "=&r"(b), [d] "=&r"(d)                               \
                             : [s] "t"(scale), [z] "r"(z), [one] "r"(one)                             \
                             : "s0", "s1", "s2", "s3", "cc", "memory");                               \
        }                                                                                             \
        /* the last 1-3 values, or all from a refused pass on (NaN, infinities, large values) */     \
        while (x != end) {                                                                            \
            *o++ = (out_t)quantize_clamped(*x++, scale, zp, (lo), (hi));                              \
        }                                                                                             \
    } while (0)
#endif

#if defined(TE_USE_MVE) && (__ARM_FEATURE_MVE & 2) && defined(__GNUC__) && !defined(TE_NO_INLINE_ASM)
#define TE_QUANTIZE_MVE 1
#include <arm_mve.h>
/* Helium (M55 with MVE-F), four values per pass: the four float32 divisions stay scalar (VDIV: the
 * reference's exact quotient; Helium has no vector division) and go through a 16-byte buffer into
 * one vector, which is rounded half away from zero (VRINTA), converted (exact: already integral),
 * replaced by INT32_MIN where out of range or NaN (VPT: both comparisons are false for NaN), offset
 * by the zero point (wrapping, as quantize_value), clamped and stored. Returns the values done (a
 * multiple of 4); forward, so in place is safe as in the portable loop. */
static int32_t quantize_mve(const float *input, int32_t n, float scale, int32_t zero_point, int32_t lo,
                            int32_t hi, int8_t *output)
{
    const int32x4_t vlo = vdupq_n_s32(lo), vhi = vdupq_n_s32(hi), imin = vdupq_n_s32(INT32_MIN);
    const uint32_t fmin = 0xcf000000u, fmax = 0x4f000000u; /* -2^31, 2^31 as float32 bits */
    float buf[4] __attribute__((aligned(8)));
    float f;
    float32x4_t v;
    int32x4_t q;
    const int32_t blocks = n >> 2;
    if (blocks > 0) {
        __asm__ volatile("dls     lr, %[nb]\n\t"
                         "1:\n\t"
                         "vldmia  %[x]!, {%[f]}\n\t"
                         "vdiv.f32 %[f], %[f], %[s]\n\t"
                         "vstr    %[f], [%[b]]\n\t"
                         "vldmia  %[x]!, {%[f]}\n\t"
                         "vdiv.f32 %[f], %[f], %[s]\n\t"
                         "vstr    %[f], [%[b], #4]\n\t"
                         "vldmia  %[x]!, {%[f]}\n\t"
                         "vdiv.f32 %[f], %[f], %[s]\n\t"
                         "vstr    %[f], [%[b], #8]\n\t"
                         "vldmia  %[x]!, {%[f]}\n\t"
                         "vdiv.f32 %[f], %[f], %[s]\n\t"
                         "vstr    %[f], [%[b], #12]\n\t"
                         "vldrw.32 %q[v], [%[b]]\n\t"
                         "vrinta.f32 %q[v], %q[v]\n\t"
                         "vcvt.s32.f32 %q[q], %q[v]\n\t"
                         "vpt.f32 ge, %q[v], %[fmin]\n\t"
                         "vcmpt.f32 lt, %q[v], %[fmax]\n\t"
                         "vpsel   %q[q], %q[q], %q[imin]\n\t"
                         "vadd.i32 %q[q], %q[q], %[zp]\n\t"
                         "vmax.s32 %q[q], %q[q], %q[lo]\n\t"
                         "vmin.s32 %q[q], %q[q], %q[hi]\n\t"
                         "vstrb.32 %q[q], [%[o]], #4\n\t"
                         "le      lr, 1b\n\t"
                         : [x] "+r"(input), [o] "+l"(output), [f] "=&t"(f), [v] "=&w"(v), [q] "=&w"(q)
                         : [nb] "r"(blocks), [s] "t"(scale), [b] "r"(buf), [fmin] "r"(fmin), [fmax] "r"(fmax),
                           [zp] "r"(zero_point), [lo] "w"(vlo), [hi] "w"(vhi), [imin] "w"(imin)
                         : "lr", "memory", "p0");
    }
    return blocks << 2;
}
#endif

void te_quantize_f32_s8(const te_quantize_params *p, const float *input, int8_t *output)
{
#if defined(TE_QUANTIZE_FIX)
    TE_QUANTIZE_FIX_BODY("eor     %[a], %[a], #0x80808080\n\t", 128, int8_t, -128, 127);
#else
    const int32_t n = p->size, zp = p->zero_point;
    const float scale = p->scale;
    int32_t i = 0;
#if defined(TE_QUANTIZE_MVE)
    i = quantize_mve(input, n, scale, zp, -128, 127, output);
#endif
    /* Forward loop: output byte i never overlaps a float not yet read (in place). */
    for (; i < n; ++i) {
        output[i] = (int8_t)quantize_clamped(input[i], scale, zp, -128, 127);
    }
#endif
}

void te_quantize_f32_u8(const te_quantize_params *p, const float *input, uint8_t *output)
{
#if defined(TE_QUANTIZE_FIX)
    TE_QUANTIZE_FIX_BODY("", 0, uint8_t, 0, 255);
#else
    const int32_t n = p->size, zp = p->zero_point;
    const float scale = p->scale;
    int32_t i = 0;
#if defined(TE_QUANTIZE_MVE)
    i = quantize_mve(input, n, scale, zp, 0, 255, (int8_t *)output);
#endif
    for (; i < n; ++i) {
        output[i] = (uint8_t)quantize_clamped(input[i], scale, zp, 0, 255);
    }
#endif
}

void te_dequantize_s8_f32(const te_dequantize_params *p, const int8_t *input, float *output)
{
    const int32_t zp = p->zero_point; /* (read once: the stores could alias *p for the compiler) */
    const float scale = p->scale;
    int32_t i;
    /* Backward loop: output element i (bytes 4i..4i+3) only covers inputs already read (in place). */
    for (i = p->size - 1; i >= 0; --i) {
        output[i] = scale * (float)((int32_t)input[i] - zp);
    }
}

void te_dequantize_u8_f32(const te_dequantize_params *p, const uint8_t *input, float *output)
{
    const int32_t zp = p->zero_point;
    const float scale = p->scale;
    int32_t i;
    for (i = p->size - 1; i >= 0; --i) {
        output[i] = scale * (float)((int32_t)input[i] - zp);
    }
}

/* Bytes with bit 7 toggled, which is x + 128 or x - 128 modulo 256 (uint8 <-> int8 storage of the
 * same values), four per word; forward, so in place is safe. */
#if defined(__GNUC__)
__attribute__((noinline)) /* one copy for the four callers */
#endif
#if defined(__GNUC__) && !defined(__clang__) && !defined(TE_USE_MVE)
/* One word per step is the point: GCC's vectorizer would add alias checks and a two-word copy. */
__attribute__((optimize("no-tree-vectorize")))
#endif
static void te_toggle_bit7(const uint8_t *input, uint8_t *output, int32_t size)
{
    int32_t i = 0;
#if defined(TE_USE_MVE) && defined(__GNUC__) && !defined(TE_NO_INLINE_ASM)
    /* Helium: 16 bytes per step in a tail-predicated loop (the last step takes what is left). */
    if (size > 0) {
        uint8_t *out = output;
        const uint8_t *in = input;
        __asm__ volatile("vmov.i8  q1, #0x80\n\t"
                         "dlstp.8  lr, %[n]\n\t"
                         "1:\n\t"
                         "vldrb.u8 q0, [%[in]], #16\n\t"
                         "veor     q0, q0, q1\n\t"
                         "vstrb.8  q0, [%[out]], #16\n\t"
                         "letp     lr, 1b\n\t"
                         : [in] "+r"(in), [out] "+r"(out)
                         : [n] "r"(size)
                         : "q0", "q1", "lr", "memory");
    }
    (void)i;
#elif !defined(TE_USE_MVE) && (defined(__ARM_FEATURE_UNALIGNED) || !defined(__arm__))
    for (; i < (size & ~3); i += 4) {
        te_write_u32(output + i, te_read_u32(input + i) ^ 0x80808080u);
    }
    if (size & 2) { /* the last 1-3 bytes, straight-line */
        output[i] = (uint8_t)(input[i] ^ 0x80u);
        output[i + 1] = (uint8_t)(input[i + 1] ^ 0x80u);
        i += 2;
    }
    if (size & 1) {
        output[i] = (uint8_t)(input[i] ^ 0x80u);
    }
#else
    for (; i < size; ++i) {
        output[i] = (uint8_t)(input[i] ^ 0x80u);
    }
#endif
}

/* reference_ops::Requantize: MultiplyByQuantizedMultiplier(q - zp_in) + zp_out, clamped. When the
 * scales are equal (multiplier 2^30, shift 1 is the identity) and the zero points differ by 128
 * between int8 and uint8, the reference toggles bit 7 instead: the same values. */
#define TE_REQUANTIZE_BODY(lo, hi, out_t)                                                        \
    do {                                                                                         \
        int32_t i;                                                                               \
        if (p->flip_only) { /* zero points 128 apart: always in range, a bit-7 toggle */         \
            te_toggle_bit7((const uint8_t *)input, (uint8_t *)output, p->size);                  \
            return;                                                                              \
        }                                                                                        \
        for (i = 0; i < p->size; ++i) {                                                          \
            const int32_t x = (int32_t)input[i] - p->input_zero_point;                           \
            const int32_t y = te_multiply_by_quantized_multiplier(x, p->multiplier, p->shift)    \
                              + p->output_zero_point;                                            \
            output[i] = (out_t)te_clamp_i32(y, (lo), (hi));                                      \
        }                                                                                        \
    } while (0)

void te_requantize_s8_s8(const te_requantize_params *p, const int8_t *input, int8_t *output)
{
    TE_REQUANTIZE_BODY(-128, 127, int8_t);
}

void te_requantize_s8_u8(const te_requantize_params *p, const int8_t *input, uint8_t *output)
{
    TE_REQUANTIZE_BODY(0, 255, uint8_t);
}

void te_requantize_u8_s8(const te_requantize_params *p, const uint8_t *input, int8_t *output)
{
    TE_REQUANTIZE_BODY(-128, 127, int8_t);
}

void te_requantize_u8_u8(const te_requantize_params *p, const uint8_t *input, uint8_t *output)
{
    TE_REQUANTIZE_BODY(0, 255, uint8_t);
}

#undef TE_REQUANTIZE_BODY

void te_flip_sign_u8_s8(int32_t size, const uint8_t *input, int8_t *output)
{
    te_toggle_bit7(input, (uint8_t *)output, size); /* input - 128 */
}

void te_flip_sign_s8_u8(int32_t size, const int8_t *input, uint8_t *output)
{
    te_toggle_bit7((const uint8_t *)input, output, size); /* input + 128 */
}

/* ======================================================================================
 * 16-bit (and int32) edges. AffineQuantize to int16 and Dequantize from int16 are the 8-bit
 * arithmetic on wider types (the double product of a float32 scale and an int of at most 17
 * bits is still exact, so one float multiplication gives the reference's bits). Requantize
 * between int8 / uint8 / int16 / int32: MultiplyByQuantizedMultiplier(q - zp_in) + zp_out,
 * clamped to the output type (int32: not clamped; int32 arithmetic wraps as the reference's).
 * Widening conversions run backwards so that they are safe in place.
 * ====================================================================================== */

void te_quantize_f32_s16(const te_quantize_params *p, const float *input, int16_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        output[i] = (int16_t)te_clamp_i32(quantize_value(input[i], p->scale, p->zero_point), -32768, 32767);
    }
}

void te_dequantize_s16_f32(const te_dequantize_params *p, const int16_t *input, float *output)
{
    int32_t i;
    for (i = p->size - 1; i >= 0; --i) {
        const int32_t v = (int32_t)input[i] - p->zero_point;
        output[i] = p->scale * (float)v;
    }
}

TE_INLINE int32_t te_requantize_value(const te_requantize_params *p, int32_t q)
{
    const int32_t x = (int32_t)((uint32_t)q - (uint32_t)p->input_zero_point);
    const int32_t y = te_multiply_by_quantized_multiplier(x, p->multiplier, p->shift);
    return (int32_t)((uint32_t)y + (uint32_t)p->output_zero_point);
}

#define TE_REQUANTIZE_FORWARD(lo, hi, out_t)                                                     \
    do {                                                                                         \
        int32_t i;                                                                               \
        for (i = 0; i < p->size; ++i) {                                                          \
            output[i] = (out_t)te_clamp_i32(te_requantize_value(p, (int32_t)input[i]), (lo), (hi)); \
        }                                                                                        \
    } while (0)
#define TE_REQUANTIZE_BACKWARD(lo, hi, out_t)                                                    \
    do {                                                                                         \
        int32_t i;                                                                               \
        for (i = p->size - 1; i >= 0; --i) {                                                     \
            output[i] = (out_t)te_clamp_i32(te_requantize_value(p, (int32_t)input[i]), (lo), (hi)); \
        }                                                                                        \
    } while (0)

void te_requantize_s8_s16(const te_requantize_params *p, const int8_t *input, int16_t *output)
{
    TE_REQUANTIZE_BACKWARD(-32768, 32767, int16_t);
}

void te_requantize_u8_s16(const te_requantize_params *p, const uint8_t *input, int16_t *output)
{
    TE_REQUANTIZE_BACKWARD(-32768, 32767, int16_t);
}

void te_requantize_s16_s8(const te_requantize_params *p, const int16_t *input, int8_t *output)
{
    TE_REQUANTIZE_FORWARD(-128, 127, int8_t);
}

void te_requantize_s16_s16(const te_requantize_params *p, const int16_t *input, int16_t *output)
{
    TE_REQUANTIZE_FORWARD(-32768, 32767, int16_t);
}

void te_requantize_s16_s32(const te_requantize_params *p, const int16_t *input, int32_t *output)
{
    TE_REQUANTIZE_BACKWARD(INT32_MIN, INT32_MAX, int32_t);
}

void te_requantize_s32_s8(const te_requantize_params *p, const int32_t *input, int8_t *output)
{
    TE_REQUANTIZE_FORWARD(-128, 127, int8_t);
}

void te_requantize_s32_s16(const te_requantize_params *p, const int32_t *input, int16_t *output)
{
    TE_REQUANTIZE_FORWARD(-32768, 32767, int16_t);
}

#undef TE_REQUANTIZE_FORWARD
#undef TE_REQUANTIZE_BACKWARD
