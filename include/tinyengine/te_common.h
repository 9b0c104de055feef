/* tinyengine: shared types and the requantization arithmetic of the TFLite reference.
 *
 * Every kernel rescales its int32 accumulators with one of the helpers below;
 * each reproduces one TFLite rounding recipe bit for bit (see
 * python/tinyengine_gen/quant.py for how the constants are computed).
 */
#ifndef TINYENGINE_TE_COMMON_H
#define TINYENGINE_TE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define TE_ALIGNED(n) __attribute__((aligned(n)))
#define TE_INLINE static inline __attribute__((always_inline))
#else
#define TE_ALIGNED(n)
#define TE_INLINE static inline
#endif

/* Kernel selection: the SIMD paths are chosen from the compiler's own feature macros.
 * Define TE_FORCE_PORTABLE to build the portable C path everywhere (the reference). */
#if !defined(TE_FORCE_PORTABLE) && defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define TE_USE_MVE 1
#endif
#if !defined(TE_FORCE_PORTABLE) && defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
#define TE_USE_DSP 1
#endif

TE_INLINE int32_t te_min_i32(int32_t a, int32_t b) { return a < b ? a : b; }
TE_INLINE int32_t te_max_i32(int32_t a, int32_t b) { return a > b ? a : b; }
TE_INLINE int32_t te_clamp_i32(int32_t x, int32_t lo, int32_t hi) { return x < lo ? lo : (x > hi ? hi : x); }

/* gemmlowp SaturatingRoundingDoublingHighMul: (a * b + 2^30) / 2^31 with the division
 * truncating toward zero after a sign-dependent nudge. Both signs reduce to one floor
 * shift: for ab < 0, trunc((ab + 1 - 2^30) / 2^31) == floor((ab + 2^30) / 2^31). So it is
 * SMULL + a 64-bit add + shift on Arm, with no branch. The only saturating case is
 * INT32_MIN * INT32_MIN. */
TE_INLINE int32_t te_sat_rounding_doubling_high_mul(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

/* gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero
 * (0 <= exponent <= 31). */
TE_INLINE int32_t te_rounding_divide_by_pot(int32_t x, int exponent)
{
    const int32_t mask = (int32_t)((1u << exponent) - 1u);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* gemmlowp SaturatingRoundingMultiplyByPOT<e> for 0 < e < 31: x * 2^e, saturating. */
TE_INLINE int32_t te_sat_shl_pot(int32_t x, int e)
{
    const int32_t threshold = (int32_t)(((uint32_t)1 << (31 - e)) - 1u);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << e);
}

/* TFLite MultiplyByQuantizedMultiplier (double-rounding form, the one CONV_2D,
 * DEPTHWISE_CONV_2D and most integer ops use): shift > 0 multiplies by 2^shift first. */
TE_INLINE int32_t te_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift)
{
    const int left_shift = shift > 0 ? shift : 0;
    const int right_shift = shift > 0 ? 0 : -shift;
    /* Wrap-around multiply, as the reference's int32 product does on every target. */
    const int32_t shifted = (int32_t)((uint32_t)x * ((uint32_t)1 << left_shift));
    return te_rounding_divide_by_pot(te_sat_rounding_doubling_high_mul(shifted, multiplier), right_shift);
}

/* The fast exact form of te_multiply_by_quantized_multiplier(acc, m, -e) + o for a right shift
 * of e >= 2 bits and m >= 0 (QuantizeMultiplier never gives a negative or INT32_MIN multiplier):
 * one SMLAL into a per-channel constant and one arithmetic shift. The proof, once:
 *   SaturatingRoundingDoublingHighMul(acc, m) = v = floor((P + 2^30) / 2^31), P = acc * m (the
 *   reference's nudge truncates toward zero, which is this floor for either sign of P; it
 *   saturates only for m = INT32_MIN). RoundingDivideByPOT(v, e) = floor((v + 2^(e-1) - [v < 0])
 *   / 2^e), and [v < 0] may be replaced by [acc < 0]: they differ only where v = 0, which rounds
 *   to 0 either way. The two floors compose, and o * 2^(31+e) added inside is exact:
 *     result = floor((P + 2^30 + (2^(e-1) - [acc < 0]) * 2^31 + o * 2^(31+e)) / 2^(31+e))
 *   As 64 bits (hi:lo) = (2^(e-2) + o * 2^(e-1) - [acc < 0]) : (2^30 + [acc < 0] * 2^31), plus
 *   P (one SMLAL), the high word shifted right by e - 1 is the result.
 * hi = 2^(e-2) + o * 2^(e-1) is the channel's constant (te_requant_fast_hi), sh = e - 1. Valid
 * while hi fits int32 and |hi * 2^32| + |P| < 2^63: every e in [2, 31] with o = 0, every e in
 * [2, 24] with |o| <= 128 (kernels that fold the output offset use [2, 23] or [2, 24]). The
 * assembly kernels use the same five instructions (TE_ASM_REQUANT_FAST below). The other fast
 * form, for |x| < 2^30 (SMMLAR on 2x: te_elementwise.c te_dsp_requant, the LSTM loops), is
 * proved at te_dsp_requant. */
TE_INLINE int32_t te_requant_fast(int32_t acc, int32_t mult, int32_t hi, int32_t sh)
{
    const uint32_t lo = ((uint32_t)acc & 0x80000000u) ^ 0x40000000u;
    const uint32_t h = (uint32_t)hi + (uint32_t)(acc >> 31);
    const uint64_t q = (((uint64_t)h << 32) | lo) + (uint64_t)((int64_t)acc * mult);
    return (int32_t)(uint32_t)(q >> 32) >> sh;
}

/* te_requant_fast as assembly text for the naked and extended-asm kernels (register names as
 * strings): dst = the result, from acc, mult, hi (may be dst itself) and sh = e - 1; tmp is
 * scratch. Five instructions: the rounding word, the high word with acc's sign, SMLAL, shift. */
#define TE_ASM_REQUANT_FAST(acc, mult, hi, sh, dst, tmp)                                                     \
    "and     " tmp ", " acc ", #0x80000000\n\t"                                                              \
    "eor     " tmp ", " tmp ", #0x40000000\n\t"                                                              \
    "add     " dst ", " hi ", " acc ", asr #31\n\t"                                                          \
    "smlal   " tmp ", " dst ", " acc ", " mult "\n\t"                                                        \
    "asr     " dst ", " dst ", " sh "\n\t"

/* The constant of te_requant_fast for a right shift e and output offset o. */
TE_INLINE int32_t te_requant_fast_hi(int32_t e, int32_t o)
{
    return (int32_t)(((int64_t)1 << (e - 2)) + (int64_t)o * ((int64_t)1 << (e - 1)));
}

/* GetInvSqrtQuantizedMultiplierExp(input, kReverseShift = -1): 1 / sqrt(input) as a quantized
 * multiplier and a (left) shift, by five Newton-Raphson steps in gemmlowp Q3.28 (L2_NORMALIZATION,
 * the integer LSTM's layer norm). */
TE_INLINE void te_inv_sqrt_quantized_multiplier_exp(int32_t input, int32_t *multiplier, int32_t *shift)
{
    int32_t sh = 11;
    int32_t half_input, x;
    int i, pairs;
    if (input <= 1) {
        *multiplier = INT32_MAX;
        *shift = 0;
        return;
    }
    while (input >= ((int32_t)1 << 29)) {
        input /= 4;
        ++sh;
    }
    {
        int clz = 0;
        uint32_t v = (uint32_t)input;
        while (!(v & 0x80000000u)) {
            v <<= 1;
            ++clz;
        }
        pairs = (clz - 1) / 2 - 1;
    }
    sh -= pairs;
    input = (int32_t)((uint32_t)input << (2 * pairs));
    half_input = te_rounding_divide_by_pot(input >> 1, 1); /* SaturatingRoundingMultiplyByPOT<-1> */
    x = (int32_t)1 << 28;                                    /* F3::One() */
    for (i = 0; i < 5; i++) {
        const int32_t x3 = te_sat_shl_pot(
            te_sat_rounding_doubling_high_mul(te_sat_rounding_doubling_high_mul(x, x), x), 6); /* Rescale<3> of Q9 */
        const int32_t half_three = ((int32_t)1 << 28) + ((int32_t)1 << 27);                   /* 1.5 in Q3 */
        const int32_t d = (int32_t)((uint32_t)te_sat_rounding_doubling_high_mul(half_three, x) -
                                    (uint32_t)te_sat_rounding_doubling_high_mul(half_input, x3));
        x = te_sat_shl_pot(d, 3); /* Rescale<3> of Q6 */
    }
    x = te_sat_rounding_doubling_high_mul(x, 1518500250); /* * sqrt(2) / 2 */
    if (sh < 0) {
        x = (int32_t)((uint32_t)x << -sh);
        sh = 0;
    }
    *multiplier = x;
    *shift = -sh;
}

TE_INLINE int te_clz64(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return v ? __builtin_clzll(v) : 64;
#else
    int n = 0;
    if (v == 0) return 64;
    while (!(v & ((uint64_t)1 << 63))) { v <<= 1; n++; }
    return n;
#endif
}

/* A positive double scale as mantissa * 2^-exponent, mantissa with exactly 53 bits. */
typedef struct {
    uint64_t mantissa;
    int32_t exponent;
} te_fp64_scale;

/* (int32)round((double)acc * scale) in integer arithmetic, bit-exact with IEEE-754
 * double multiplication (round to nearest even) followed by round-half-away-from-zero.
 * LiteRT's reference FULLY_CONNECTED requantizes this way; replaying it in integers
 * keeps it exact on cores without a double-precision FPU, and cheaper than soft-float. */
TE_INLINE int32_t te_requantize_fp64(int32_t acc, te_fp64_scale scale)
{
    uint32_t a;
    uint64_t lo, mid, p_lo, p_hi, q, r;
    int nbits, drop, sh;
    if (acc == 0) {
        return 0;
    }
    a = acc < 0 ? (uint32_t)0 - (uint32_t)acc : (uint32_t)acc;
    /* Exact product P = a * mantissa (at most 85 bits) as p_hi:p_lo. */
    lo = (uint64_t)a * (uint32_t)scale.mantissa;
    mid = (uint64_t)a * (uint32_t)(scale.mantissa >> 32) + (lo >> 32);
    p_lo = (mid << 32) | (lo & 0xFFFFFFFFu);
    p_hi = mid >> 32;
    nbits = p_hi ? 128 - te_clz64(p_hi) : 64 - te_clz64(p_lo);
    drop = nbits - 53;
    if (drop > 0) {
        /* Keep the top 53 bits, rounding to nearest, ties to even (the double product). */
        const uint64_t rem = p_lo & ((((uint64_t)1) << drop) - 1);
        const uint64_t half = ((uint64_t)1) << (drop - 1);
        q = (p_lo >> drop) | (p_hi << (64 - drop));
        if (rem > half || (rem == half && (q & 1))) {
            q += 1;
        }
    } else {
        q = p_lo;
        drop = 0;
    }
    /* value = q * 2^(drop - exponent); round half away from zero. */
    sh = scale.exponent - drop;
    if (sh <= 0) {
        r = sh < -10 ? (uint64_t)INT32_MAX + 1 : q << -sh;
    } else if (sh >= 64) {
        r = 0;
    } else {
        r = ((q >> (sh - 1)) + 1) >> 1;
    }
    if (r > (uint64_t)INT32_MAX) {
        /* Out of int32 range the reference's static_cast<int32_t>(double) is undefined in C++;
         * the x86-64 build (our oracle) converts with CVTTSD2SI, which yields INT32_MIN. */
        return INT32_MIN;
    }
    return acc < 0 ? -(int32_t)r : (int32_t)r;
}


/* ---- int16x8 arithmetic (int16 activations, int8 weights, 64-bit accumulators) ---- */

/* TFLite MultiplyByQuantizedMultiplier(int64_t x, ...) (double-rounding build), the form the
 * int16x8 CONV_2D / DEPTHWISE_CONV_2D use with an int64 bias: the multiplier rounded to 16 bits,
 * one rounding right shift by 15 - shift (8..46), the result truncated to int32 as the reference's
 * conversion does. Needs |x| < 2^47 and a multiplier >= 0 (the generator checks both). */
TE_INLINE int32_t te_multiply_by_quantized_multiplier_s64(int64_t x, int32_t multiplier, int32_t shift)
{
    const int64_t reduced = multiplier < 0x7FFF0000 ? (int64_t)((multiplier + (1 << 15)) >> 16) : 0x7FFF;
    const int32_t total = 15 - shift;
    const int64_t r = x * reduced + ((int64_t)1 << (total - 1));
    return (int32_t)(uint32_t)(uint64_t)(r >> total);
}

/* (int32)round((double)acc * scale) for a 64-bit accumulator with |acc| < 2^53 (so the
 * conversion to double is exact; the generator checks the bound), bit-exact like
 * te_requantize_fp64: LiteRT's reference int16 FULLY_CONNECTED rounds once in double. */
TE_INLINE int32_t te_requantize_fp64_s64(int64_t acc, te_fp64_scale scale)
{
    uint64_t a, al, ah, ml, mh, ll, lh, hl, hh, mid, p_lo, p_hi, q, r;
    int nbits, drop, sh;
    if (acc == 0) {
        return 0;
    }
    a = acc < 0 ? (uint64_t)0 - (uint64_t)acc : (uint64_t)acc;
    al = a & 0xFFFFFFFFu;
    ah = a >> 32;
    ml = scale.mantissa & 0xFFFFFFFFu;
    mh = scale.mantissa >> 32;
    /* Exact product P = a * mantissa (at most 106 bits) as p_hi:p_lo. */
    ll = al * ml;
    lh = al * mh;
    hl = ah * ml;
    hh = ah * mh;
    mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
    p_lo = (mid << 32) | (ll & 0xFFFFFFFFu);
    p_hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    nbits = p_hi ? 128 - te_clz64(p_hi) : 64 - te_clz64(p_lo);
    drop = nbits - 53;
    if (drop > 0) {
        const uint64_t rem = p_lo & ((((uint64_t)1) << drop) - 1);
        const uint64_t half = ((uint64_t)1) << (drop - 1);
        q = (p_lo >> drop) | (p_hi << (64 - drop));
        if (rem > half || (rem == half && (q & 1))) {
            q += 1;
        }
    } else {
        q = p_lo;
        drop = 0;
    }
    sh = scale.exponent - drop;
    if (sh <= 0) {
        r = sh < -10 ? (uint64_t)INT32_MAX + 1 : q << -sh;
    } else if (sh >= 64) {
        r = 0;
    } else {
        r = ((q >> (sh - 1)) + 1) >> 1;
    }
    if (r > (uint64_t)INT32_MAX) {
        return INT32_MIN; /* as the x86-64 reference converts an out-of-range double */
    }
    return acc < 0 ? -(int32_t)r : (int32_t)r;
}

/* Per-output-channel requantization of the int16x8 kernels. Exactly one of bias64 / bias32 is
 * used: an int64 bias (LiteRT's default for 16x8) means 64-bit sums and
 * te_multiply_by_quantized_multiplier_s64; an int32 bias (quantized_bias_type INT32) means int32
 * sums (wrapping) and te_multiply_by_quantized_multiplier. Both NULL: no bias, 64-bit form. */
typedef struct {
    const int64_t *bias64;
    const int32_t *bias32;
    const int32_t *multiplier;
    const int32_t *shift;
    int32_t bias_is_32;   /* 1: the int32 form (bias32 may still be NULL) */
    int32_t sums_fit_32;  /* 1: every sum of products of a channel fits int32 (checked by the generator
                           * from the weights), so SIMD paths may accumulate in 32 bits */
} te_requant_s16;

/* The int16x8 requantization of one channel's sum (without bias) and clamp. */
TE_INLINE int32_t te_requant_s16_apply(const te_requant_s16 *rq, int64_t sum, int32_t oc, int32_t act_min,
                                       int32_t act_max)
{
    int32_t v;
    if (rq->bias_is_32) {
        int32_t acc = (int32_t)(uint32_t)(uint64_t)sum;
        if (rq->bias32) {
            acc = (int32_t)((uint32_t)acc + (uint32_t)rq->bias32[oc]);
        }
        v = te_multiply_by_quantized_multiplier(acc, rq->multiplier[oc], rq->shift[oc]);
    } else {
        if (rq->bias64) {
            sum += rq->bias64[oc];
        }
        v = te_multiply_by_quantized_multiplier_s64(sum, rq->multiplier[oc], rq->shift[oc]);
    }
    return te_clamp_i32(v, act_min, act_max);
}


#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_COMMON_H */
