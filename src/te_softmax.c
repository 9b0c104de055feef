/* tinyengine: SOFTMAX, LOG_SOFTMAX and LOGISTIC kernels.
 *
 * The 8-bit softmax paths are LiteRT's reference fixed-point algorithm (gemmlowp
 * FixedPoint<int32>): each input difference to the row maximum is rescaled to Q5.26,
 * exponentiated with exp_on_negative_values into Q0.31, summed in Q12.19, and the sum
 * inverted with one_over_one_plus_x_for_x_in_0_1 (Newton-Raphson). The helpers below
 * name the gemmlowp / TFLite function each one reproduces. Additions that gemmlowp
 * leaves unsaturated are done modulo 2^32 (what the reference does in practice, and
 * defined behaviour in C).
 */
#include "tinyengine/te_softmax.h"

#include "tinyengine/te_activation.h"

#include <float.h>

#include "tinyengine/te_math.h"

/* ---- gemmlowp fixed-point primitives (int32 raw values) ---- */

TE_INLINE int32_t fp_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
TE_INLINE int32_t fp_sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
#define fp_mul te_sat_rounding_doubling_high_mul /* FixedPoint operator* */

/* SaturatingRoundingMultiplyByPOT<e> for 0 < e < 31 (also TFLite's ...POTParam for such e). */
#define fp_sat_shl te_sat_shl_pot

/* TFLite SaturatingRoundingMultiplyByPOTParam(x, e) for 0 <= e <= 31. */
TE_INLINE int32_t fp_sat_shl_param(int32_t x, int e)
{
    if (e == 0) {
        return x;
    }
    if (e == 31) { /* threshold 0: any non-zero value saturates */
        return x > 0 ? INT32_MAX : (x < 0 ? INT32_MIN : 0);
    }
    return fp_sat_shl(x, e);
}

/* gemmlowp RoundingHalfSum: (a + b) / 2 rounded half away from zero. */
TE_INLINE int32_t fp_rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    const int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

/* Saturating int32 add / sub (TFLite SaturatingAddNonGemmlowp / SaturatingSub). */
TE_INLINE int32_t fp_sat_add(int32_t a, int32_t b)
{
    const int64_t s = (int64_t)a + (int64_t)b;
    return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}
TE_INLINE int32_t fp_sat_sub(int32_t a, int32_t b)
{
    const int64_t s = (int64_t)a - (int64_t)b;
    return s > INT32_MAX ? INT32_MAX : (s < INT32_MIN ? INT32_MIN : (int32_t)s);
}

TE_INLINE int fp_clz32(uint32_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return v ? __builtin_clz(v) : 32;
#else
    int n = 0;
    if (v == 0) return 32;
    while (!(v & 0x80000000u)) { v <<= 1; n++; }
    return n;
#endif
}

/* exp_on_interval_between_negative_one_quarter_and_0_excl, Q0.31 in and out. */
static int32_t fp_exp_quarter(int32_t a)
{
    const int32_t constant_term = 1895147668;   /* exp(-1/8) */
    const int32_t constant_1_over_3 = 715827883;
    const int32_t x = fp_add(a, (int32_t)1 << 28); /* a + 1/8 */
    const int32_t x2 = fp_mul(x, x);
    const int32_t x3 = fp_mul(x2, x);
    const int32_t x4 = fp_mul(x2, x2);
    const int32_t x4_over_4 = te_rounding_divide_by_pot(x4, 2);
    const int32_t poly = te_rounding_divide_by_pot(
        fp_add(fp_mul(fp_add(x4_over_4, x3), constant_1_over_3), x2), 1);
    return fp_add(constant_term, fp_mul(constant_term, fp_add(x, poly)));
}

/* exp_on_negative_values for a Q5.26 input (a <= 0), result in Q0.31. */
static int32_t fp_exp_on_negative_values_q5(int32_t a)
{
    const int32_t one_quarter = (int32_t)1 << 24; /* 1/4 in Q5.26 */
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = fp_sub(a & mask, one_quarter);
    int32_t result = fp_exp_quarter(fp_sat_shl(a_mod_quarter_minus_one_quarter, 5)); /* Rescale<0> */
    const int32_t remainder = fp_sub(a_mod_quarter_minus_one_quarter, a);
    /* Barrel shifter: multiply by exp(-2^k) for every set bit of the remainder (k = -2..4). */
    if (remainder & ((int32_t)1 << 24)) result = fp_mul(result, 1672461947);
    if (remainder & ((int32_t)1 << 25)) result = fp_mul(result, 1302514674);
    if (remainder & ((int32_t)1 << 26)) result = fp_mul(result, 790015084);
    if (remainder & ((int32_t)1 << 27)) result = fp_mul(result, 290630308);
    if (remainder & ((int32_t)1 << 28)) result = fp_mul(result, 39332535);
    if (remainder & ((int32_t)1 << 29)) result = fp_mul(result, 720401);
    if (remainder & ((int32_t)1 << 30)) result = fp_mul(result, 242);
    /* (5 integer bits: no clamp below -32.) */
    if (a == 0) {
        result = INT32_MAX; /* FixedPoint<int32, 0>::One() */
    }
    return result;
}

/* one_over_one_plus_x_for_x_in_0_1: Q0.31 in, Q0.31 out (1 / (1 + a)). */
static int32_t fp_one_over_one_plus_x(int32_t a)
{
    const int32_t half_denominator = fp_rounding_half_sum(a, INT32_MAX);
    const int32_t constant_48_over_17 = 1515870810;    /* Q2.29 */
    const int32_t constant_neg_32_over_17 = -1010580540;
    const int32_t one_q2 = (int32_t)1 << 29;
    int32_t x = fp_add(constant_48_over_17, fp_mul(half_denominator, constant_neg_32_over_17));
    int i;
    for (i = 0; i < 3; i++) {
        const int32_t half_denominator_times_x = fp_mul(half_denominator, x);
        const int32_t one_minus_half_denominator_times_x = fp_sub(one_q2, half_denominator_times_x);
        x = fp_add(x, fp_sat_shl(fp_mul(x, one_minus_half_denominator_times_x), 2)); /* Rescale<2> of Q4 */
    }
    return fp_sat_shl(x, 1); /* Rescale<0>(ExactMulByPot<-1>(x)) */
}

/* TFLite GetReciprocal(x, 12, &num_bits_over_unit) for a positive Q12.19 sum. */
static int32_t fp_reciprocal_q12(int32_t x, int *num_bits_over_unit)
{
    const int headroom_plus_one = fp_clz32((uint32_t)x);
    const int32_t shifted_sum_minus_one =
        (int32_t)(((uint32_t)x << headroom_plus_one) - ((uint32_t)1 << 31));
    *num_bits_over_unit = 12 - headroom_plus_one;
    return fp_one_over_one_plus_x(shifted_sum_minus_one);
}

/* MultiplyByQuantizedMultiplierGreaterThanOne (double-rounding build): the int32 product
 * x * 2^shift wraps as the reference's does. */
TE_INLINE int32_t mqm_greater_than_one(int32_t x, int32_t multiplier, int32_t left_shift)
{
    return fp_mul((int32_t)((uint32_t)x * ((uint32_t)1 << left_shift)), multiplier);
}

/* RoundingDivideByPOT for 0 <= exponent <= 62. The reference requires exponent <= 31
 * (TFLITE_CHECK); beyond that it aborts, here the value is rounded the same way. */
TE_INLINE int32_t rounding_divide_by_pot_wide(int32_t x, int exponent)
{
    if (exponent <= 31) {
        return te_rounding_divide_by_pot(x, exponent);
    }
    {
        const int64_t mask = ((int64_t)1 << exponent) - 1;
        const int64_t remainder = (int64_t)x & mask;
        const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (int32_t)(((int64_t)x >> exponent) + (remainder > threshold ? 1 : 0));
    }
}

/* ---- SOFTMAX ---- */

/* reference_ops::Softmax<int8_t, OutputT>: out_bits is 8 * sizeof(OutputT). */
static void softmax_row_s8(const te_softmax_params *p, const int8_t *x, int out_bits,
                           int8_t *out8, int16_t *out16)
{
    const int32_t out_min = out_bits == 8 ? -128 : -32768;
    const int32_t out_max = out_bits == 8 ? 127 : 32767;
    int32_t max_in_row = -128;
    int32_t sum_of_exps = 0; /* Q12.19 */
    int32_t shifted_scale;
    int num_bits_over_unit, exponent;
    int32_t c;
    for (c = 0; c < p->depth; ++c) {
        max_in_row = x[c] > max_in_row ? x[c] : max_in_row;
    }
    for (c = 0; c < p->depth; ++c) {
        const int32_t input_diff = (int32_t)x[c] - max_in_row;
        if (input_diff >= p->diff_min) {
            const int32_t scaled = mqm_greater_than_one(input_diff, p->input_multiplier, p->input_left_shift);
            sum_of_exps = fp_add(sum_of_exps,
                                 te_rounding_divide_by_pot(fp_exp_on_negative_values_q5(scaled), 12));
        }
    }
    shifted_scale = fp_reciprocal_q12(sum_of_exps, &num_bits_over_unit);
    exponent = num_bits_over_unit + 31 - out_bits;
    for (c = 0; c < p->depth; ++c) {
        const int32_t input_diff = (int32_t)x[c] - max_in_row;
        int32_t v = out_min;
        if (input_diff >= p->diff_min) {
            const int32_t scaled = mqm_greater_than_one(input_diff, p->input_multiplier, p->input_left_shift);
            const int32_t exp_in_0 = fp_exp_on_negative_values_q5(scaled);
            const int32_t unsat = rounding_divide_by_pot_wide(fp_mul(shifted_scale, exp_in_0), exponent);
            v = te_clamp_i32(fp_add(unsat, out_min), out_min, out_max);
        }
        /* x[c] has been read for the last time: writing out[c] is safe in place. */
        if (out8) {
            out8[c] = (int8_t)v;
        } else {
            out16[c] = (int16_t)v;
        }
    }
}

void te_softmax_s8(const te_softmax_params *p, const int8_t *input, int8_t *output)
{
    int32_t i;
    for (i = 0; i < p->outer; ++i) {
        softmax_row_s8(p, input + (size_t)i * (size_t)p->depth, 8, output + (size_t)i * (size_t)p->depth, NULL);
    }
}

void te_softmax_s8_s16(const te_softmax_params *p, const int8_t *input, int16_t *output)
{
    int32_t i;
    for (i = 0; i < p->outer; ++i) {
        softmax_row_s8(p, input + (size_t)i * (size_t)p->depth, 16, NULL, output + (size_t)i * (size_t)p->depth);
    }
}

TE_FLOAT_STRICT_BEGIN
void te_softmax_f32(const te_softmax_f32_params *p, const float *input, float *output)
{
    int32_t i, c;
    for (i = 0; i < p->outer; ++i) {
        const float *x = input + (size_t)i * (size_t)p->depth;
        float *y = output + (size_t)i * (size_t)p->depth;
        float max = -FLT_MAX; /* std::numeric_limits<float>::lowest() */
        float sum = 0.f;
        for (c = 0; c < p->depth; ++c) {
            max = (max < x[c]) ? x[c] : max; /* std::max(max, x) */
        }
        for (c = 0; c < p->depth; ++c) {
            const float exp_c = te_expf((x[c] - max) * p->beta);
            y[c] = exp_c;
            sum += exp_c;
        }
        for (c = 0; c < p->depth; ++c) {
            y[c] = y[c] / sum;
        }
    }
}
TE_FLOAT_STRICT_END

/* ---- LOG_SOFTMAX ---- */

/* TFLite log_x_for_x_greater_than_or_equal_to_1_impl<5, 12>: log of a Q12.19 value >= 1, in Q5.26. */
static int32_t fp_log_q12_to_q5(int32_t input_raw)
{
    const int32_t log_2 = 1488522236;
    const int32_t sqrt_sqrt_half = 1805811301;
    const int32_t sqrt_half = 1518500250;
    const int32_t one_quarter = 536870912;
    const int32_t alpha_n = 117049297;
    const int32_t alpha_d = 127690142;
    const int32_t alpha_i = 1057819769;
    const int32_t alpha_f = 638450708;
    /* Accumulation in Q6.25 (OutputIntegerBits + 1). */
    const int32_t shifted_quarter = te_rounding_divide_by_pot(one_quarter, 6);
    const int32_t z_a = input_raw;
    const int z_a_headroom_plus_1 = fp_clz32((uint32_t)z_a);
    const int32_t r_a_tmp = fp_sat_shl_param(z_a, z_a_headroom_plus_1 - 1);
    const int32_t r_a_raw = fp_sat_shl_param(fp_mul(r_a_tmp, sqrt_half), 1);
    const int32_t z_a_pow_2_adj =
        fp_sat_add(fp_sat_shl_param((int32_t)(12 - z_a_headroom_plus_1), 25), shifted_quarter);
    const int32_t z_b = fp_mul(z_a, sqrt_half);
    const int z_b_headroom = fp_clz32((uint32_t)z_b) - 1;
    const int32_t r_b_raw = fp_sat_shl_param(z_a, z_b_headroom);
    const int32_t z_b_pow_2_adj =
        fp_sat_sub(fp_sat_shl_param((int32_t)(12 - z_b_headroom), 25), shifted_quarter);
    const int32_t r = r_a_raw < r_b_raw ? r_a_raw : r_b_raw;
    const int32_t z_pow_2_adj = z_a_pow_2_adj > z_b_pow_2_adj ? z_a_pow_2_adj : z_b_pow_2_adj;
    const int32_t p = fp_rounding_half_sum(r, sqrt_sqrt_half);
    int32_t q = fp_sub(r, sqrt_sqrt_half);
    int32_t common_sq, num, denom_minus_one_0, recip_denom, num_scaled;
    q = fp_add(q, q);
    common_sq = fp_mul(q, q);
    num = fp_add(fp_mul(q, r), fp_mul(fp_mul(q, common_sq), alpha_n));
    denom_minus_one_0 = fp_add(fp_mul(p, fp_add(fp_add(alpha_i, q), fp_mul(alpha_d, common_sq))),
                               fp_mul(alpha_f, q));
    recip_denom = fp_one_over_one_plus_x(denom_minus_one_0);
    num_scaled = te_rounding_divide_by_pot(num, 6); /* Rescale<6> of Q0 */
    /* Rescale<5> of the Q6.25 sum: saturating doubling. */
    return fp_sat_shl(fp_add(fp_mul(z_pow_2_adj, log_2), fp_mul(num_scaled, recip_denom)), 1);
}

void te_log_softmax_s8(const te_log_softmax_params *p, const int8_t *input, int8_t *output)
{
    int32_t i, c;
    for (i = 0; i < p->outer; ++i) {
        const int8_t *x = input + (size_t)i * (size_t)p->depth;
        int8_t *y = output + (size_t)i * (size_t)p->depth;
        int32_t max_in_row = -128;
        int32_t sum_of_exps = 0; /* Q12.19 */
        int32_t log_sum_of_exps, adjusted_diff_min, reverse;
        for (c = 0; c < p->depth; ++c) {
            max_in_row = x[c] > max_in_row ? x[c] : max_in_row;
        }
        for (c = 0; c < p->depth; ++c) {
            const int32_t input_diff = (int32_t)x[c] - max_in_row;
            if (input_diff >= p->diff_min) {
                const int32_t q5 = te_multiply_by_quantized_multiplier(input_diff, p->input_multiplier,
                                                                       p->input_left_shift);
                sum_of_exps = fp_add(sum_of_exps,
                                     te_rounding_divide_by_pot(fp_exp_on_negative_values_q5(q5), 12));
            }
        }
        log_sum_of_exps = fp_log_q12_to_q5(sum_of_exps);
        reverse = te_multiply_by_quantized_multiplier(fp_add(log_sum_of_exps, INT32_MIN), p->reverse_multiplier,
                                                      -p->reverse_shift);
        adjusted_diff_min = te_max_i32(p->diff_min - 1, reverse);
        for (c = 0; c < p->depth; ++c) {
            const int32_t input_diff = (int32_t)x[c] - max_in_row;
            int32_t v = -128;
            if (input_diff > adjusted_diff_min) {
                const int32_t q5 = te_multiply_by_quantized_multiplier(input_diff, p->input_multiplier,
                                                                       p->input_left_shift);
                v = te_rounding_divide_by_pot(fp_sub(q5, log_sum_of_exps), 31 - 5 - 4) + 127;
                v = te_clamp_i32(v, -128, 127);
            }
            y[c] = (int8_t)v;
        }
    }
}

TE_FLOAT_STRICT_BEGIN
void te_log_softmax_f32(const te_log_softmax_f32_params *p, const float *input, float *output)
{
    int32_t i, c;
    for (i = 0; i < p->outer; ++i) {
        const float *x = input + (size_t)i * (size_t)p->depth;
        float *y = output + (size_t)i * (size_t)p->depth;
        float max = -FLT_MAX;
        float sum = 0.f;
        float log_sum;
        for (c = 0; c < p->depth; ++c) {
            max = (max < x[c]) ? x[c] : max;
        }
        for (c = 0; c < p->depth; ++c) {
            sum += te_expf(x[c] - max);
        }
        log_sum = te_logf(sum);
        for (c = 0; c < p->depth; ++c) {
            y[c] = x[c] - max - log_sum;
        }
    }
}
TE_FLOAT_STRICT_END

/* ---- LOGISTIC ---- */

void te_logistic_s8(const te_logistic_params *p, const int8_t *lut, const int8_t *input, int8_t *output)
{
    te_lut_s8(p->size, lut, input, output); /* the table kernel every 8-bit unary op shares */
}

TE_FLOAT_STRICT_BEGIN
void te_logistic_f32(const te_logistic_params *p, const float *input, float *output)
{
    const float cutoff_upper = 16.619047164916992188f;
    const float cutoff_lower = -9.f;
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const float val = input[i];
        float result;
        if (val > cutoff_upper) {
            result = 1.0f;
        } else if (val < cutoff_lower) {
            result = te_expf(val);
        } else {
            result = 1.f / (1.f + te_expf(-val));
        }
        output[i] = result;
    }
}
TE_FLOAT_STRICT_END

/* ======================================================================================
 * int16 SOFTMAX: reference_ops::SoftmaxInt16 (SoftMaxCalculateExp, LUTLookup with 513-entry
 * tables and linear interpolation, CountLeadingZeros reciprocal scaling).
 * ====================================================================================== */

/* LUTLookup(int16_t, const int16_t *): 9 index bits, 7 interpolation bits. */
TE_INLINE int16_t te_lut16_lookup(int16_t value, const int16_t *lut)
{
    const uint16_t index = (uint16_t)(256 + (value >> 7));
    const int16_t offset = (int16_t)(value & 0x7f);
    const int16_t base = lut[index];
    const int16_t slope = (int16_t)(lut[index + 1] - lut[index]);
    const int32_t delta = ((int32_t)slope * offset + 64) >> 7;
    return (int16_t)(base + delta);
}

TE_INLINE int32_t te_clz32(uint32_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return v ? __builtin_clz(v) : 32;
#else
    int32_t n = 0;
    if (v == 0) return 32;
    while (!(v & 0x80000000u)) { v <<= 1; n++; }
    return n;
#endif
}

void te_softmax_s16(const te_softmax_s16_params *p, const int16_t *exp_lut, const int16_t *one_over_one_plus_x_lut,
                    const int16_t *input, int16_t *output)
{
    int32_t i, c;
    for (i = 0; i < p->outer; ++i) {
        const int16_t *x = input + (size_t)i * p->depth;
        int16_t *y = output + (size_t)i * p->depth;
        int32_t max_in_row = -32768, sum_of_exps = 0, headroom_plus_one, shifted_sum, sym, right_shift;
        int16_t reciprocal;
        for (c = 0; c < p->depth; ++c) {
            max_in_row = te_max_i32(max_in_row, x[c]);
        }
        /* The exps (Q0.15) go to the output row first, as in the reference. */
        for (c = 0; c < p->depth; ++c) {
            const int32_t diff = (int32_t)x[c] - max_in_row;
            const int32_t scaled = te_multiply_by_quantized_multiplier(diff, p->input_multiplier, p->input_shift);
            const int32_t sym_scaled = te_clamp_i32(scaled + 32767, -32768, 32767);
            y[c] = te_lut16_lookup((int16_t)sym_scaled, exp_lut);
            sum_of_exps += y[c];
        }
        headroom_plus_one = te_clz32((uint32_t)sum_of_exps);
        shifted_sum = (int32_t)((((int64_t)sum_of_exps << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
        sym = te_clamp_i32(shifted_sum - ((1 << 15) + (1 << 16)), -32768, 32767);
        reciprocal = te_lut16_lookup((int16_t)sym, one_over_one_plus_x_lut);
        right_shift = 31 - headroom_plus_one;
        for (c = 0; c < p->depth; ++c) {
            const int64_t round = (int64_t)1 << (right_shift - 1);
            const int32_t result = (int32_t)(((int64_t)y[c] * reciprocal + round) >> right_shift);
            y[c] = (int16_t)te_clamp_i32(result, 0, 32767);
        }
    }
}
