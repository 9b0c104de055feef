/* tinyengine: element-wise binary ops with broadcasting, every type LiteRT's reference has.
 *
 * Each op is one inline function per element that reads like the reference kernel's lambda
 * (tensorflow/lite/kernels/internal/reference/{add,sub,mul,div,...}.h), a row loop over one
 * innermost run (input strides 0 or 1), and one walker (te_walk2) over the generator's
 * simplified broadcast shape. The element order does not matter for any of these ops, so
 * walking the merged dimensions gives the reference's bytes. The hot int8 rows (ADD, MUL)
 * have Arm DSP and Helium paths beside the portable loop, proven equal by the tests.
 *
 * Float kernels: one IEEE operation per reference operation, in the reference's order; no
 * multiply-add is ever contracted into an FMA (the pragmas below, whatever the user's flags),
 * so the M4F/M55 and host builds round exactly as LiteRT's x86 build does.
 */
#include "tinyengine/te_elementwise.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "tinyengine/te_simd.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* ---- the walk ------------------------------------------------------------------------------ */

/* The two innermost dimensions: `rows` runs of n elements; within a run the inputs advance by
 * sa / sb (0 or 1), from run to run by ra / rb (in elements). Hot rows set up their constants
 * once per call, so a per-channel broadcast (many short runs) pays it once. */
typedef void (*te_row_fn)(const void *p, int32_t rows, int32_t ra, int32_t rb, int32_t n, const void *a, int32_t sa,
                          const void *b, int32_t sb, void *out);

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void te_walk2(const te_broadcast_shape *s, const void *p, te_row_fn row, const void *input1, size_t e1,
                     const void *input2, size_t e2, void *output, size_t eo)
{
    int32_t idx[TE_ELEMENTWISE_MAX_DIMS] = {0};
    const int32_t last = s->ndim - 1;
    const int32_t n = s->shape[last];
    const int32_t rows = last > 0 ? s->shape[last - 1] : 1;
    const int32_t ra = last > 0 ? s->stride1[last - 1] : 0, rb = last > 0 ? s->stride2[last - 1] : 0;
    const uint8_t *in1 = (const uint8_t *)input1;
    const uint8_t *in2 = (const uint8_t *)input2;
    uint8_t *out = (uint8_t *)output;
    size_t off1 = 0, off2 = 0;
    int32_t d;
    for (;;) {
        row(p, rows, ra, rb, n, in1 + off1 * e1, s->stride1[last], in2 + off2 * e2, s->stride2[last], out);
        out += (size_t)rows * (size_t)n * eo;
        /* Odometer over the outer dimensions. */
        for (d = last - 2; d >= 0; --d) {
            if (++idx[d] < s->shape[d]) {
                off1 += (size_t)s->stride1[d];
                off2 += (size_t)s->stride2[d];
                break;
            }
            idx[d] = 0;
            off1 -= (size_t)s->stride1[d] * (size_t)(s->shape[d] - 1);
            off2 -= (size_t)s->stride2[d] * (size_t)(s->shape[d] - 1);
        }
        if (d < 0) {
            return;
        }
    }
}

/* A portable row and its kernel from a per-element function ONE(p, x, y). */
#define TE_ROW(row, PT, TI, TO, ONE)                                                                        \
    static void row(const void *vp, int32_t rows, int32_t ra, int32_t rb, int32_t n, const void *va,       \
                    int32_t sa, const void *vb, int32_t sb, void *vo)                                      \
    {                                                                                                      \
        const PT params = *(const PT *)vp; /* a local copy: output stores cannot alias it */              \
        const PT *p = &params;                                                                             \
        const TI *a = (const TI *)va;                                                                      \
        const TI *b = (const TI *)vb;                                                                      \
        TO *o = (TO *)vo;                                                                                  \
        int32_t i, r;                                                                                      \
        (void)p;                                                                                           \
        for (r = 0; r < rows; ++r, a += ra, b += rb, o += n) {                                             \
            for (i = 0; i < n; ++i) {                                                                      \
                o[i] = ONE(p, a[(size_t)i * (size_t)sa], b[(size_t)i * (size_t)sb]);                       \
            }                                                                                              \
        }                                                                                                  \
    }

#define TE_KERNEL_WITH_ROW(name, PT, TI, TO, row)                                                          \
    void name(const PT *p, const te_broadcast_shape *s, const TI *input1, const TI *input2, TO *output)    \
    {                                                                                                      \
        te_walk2(s, p, row, input1, sizeof(TI), input2, sizeof(TI), output, sizeof(TO));                   \
    }

#define TE_KERNEL(name, PT, TI, TO, ONE)                                                                   \
    TE_ROW(name##_row, PT, TI, TO, ONE)                                                                    \
    TE_KERNEL_WITH_ROW(name, PT, TI, TO, name##_row)

/* ---- shared arithmetic ----------------------------------------------------------------------- */

/* ActivationFunctionWithMinMax: std::min(std::max(x, lo), hi), NaN passing through. */
TE_INLINE float te_act_f32(float x, const te_act_f32_params *p)
{
    const float lo = x < p->act_min ? p->act_min : x;
    return p->act_max < lo ? p->act_max : lo;
}
TE_INLINE int32_t te_act_s32(int32_t x, const te_act_s32_params *p) { return te_clamp_i32(x, p->act_min, p->act_max); }
TE_INLINE int64_t te_act_s64(int64_t x, const te_act_s64_params *p)
{
    return x < p->act_min ? p->act_min : (x > p->act_max ? p->act_max : x);
}
/* The reference's int32/int64 +, -, * wrap on every target it is built for. */
TE_INLINE int32_t te_wrap_add32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
TE_INLINE int32_t te_wrap_sub32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
TE_INLINE int32_t te_wrap_mul32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }
TE_INLINE int64_t te_wrap_add64(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
TE_INLINE int64_t te_wrap_sub64(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
TE_INLINE int64_t te_wrap_mul64(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

/* ---- ADD / SUB, quantized (general scales) ---------------------------------------------------- */

/* AddElementwise / SubElementwise / BroadcastQuantSubSlow: offset, << left_shift, rescale each
 * input, add or subtract, rescale to the output, + zero point, clamp. */
TE_INLINE int32_t te_scaled_input1(const te_add_params *p, int32_t a)
{
    const int32_t x = (a + p->input1_offset) * ((int32_t)1 << p->left_shift);
    return te_multiply_by_quantized_multiplier(x, p->input1_multiplier, p->input1_shift);
}
TE_INLINE int32_t te_scaled_input2(const te_add_params *p, int32_t b)
{
    const int32_t x = (b + p->input2_offset) * ((int32_t)1 << p->left_shift);
    return te_multiply_by_quantized_multiplier(x, p->input2_multiplier, p->input2_shift);
}
TE_INLINE int32_t te_add_output(const te_add_params *p, int32_t raw)
{
    const int32_t out = te_multiply_by_quantized_multiplier(raw, p->output_multiplier, p->output_shift) +
                        p->output_offset;
    return te_clamp_i32(out, p->act_min, p->act_max);
}
TE_INLINE int32_t te_add_q(const te_add_params *p, int32_t a, int32_t b)
{
    return te_add_output(p, te_scaled_input1(p, a) + te_scaled_input2(p, b));
}
TE_INLINE int32_t te_sub_q(const te_add_params *p, int32_t a, int32_t b)
{
    return te_add_output(p, te_scaled_input1(p, a) - te_scaled_input2(p, b));
}
#define TE_ADD_S8_ONE(p, x, y) ((int8_t)te_add_q(p, x, y))
#define TE_ADD_S16_ONE(p, x, y) ((int16_t)te_add_q(p, x, y))
#define TE_SUB_S8_ONE(p, x, y) ((int8_t)te_sub_q(p, x, y))
#define TE_SUB_S16_ONE(p, x, y) ((int16_t)te_sub_q(p, x, y))

/* ---- ADD / SUB int16, power-of-two scales ----------------------------------------------------- */

/* gemmlowp::RoundingDivideByPOT on an int16_t (0 <= exponent <= 31): from exponent 16 on, the
 * mask (1ll << exponent) - 1 is all ones in 16 bits, so every non-negative value rounds up. */
TE_INLINE int32_t te_rounding_divide_by_pot_s16(int32_t x, int exponent)
{
    if (exponent < 16) {
        return te_rounding_divide_by_pot(x, exponent);
    }
    return (x >> exponent) + (x > (x < 0 ? 0 : -1) ? 1 : 0);
}

/* reference_ops::Add(int16, pot_scale): the input with the non-zero shift is rounding-divided,
 * then gemmlowp::SaturatingAdd in 16 bits, then the clamp. */
TE_INLINE int16_t te_add_pot_one(const te_add_pot_params *p, int32_t a, int32_t b)
{
    int32_t sum;
    if (p->input1_shift == 0) {
        sum = a + te_rounding_divide_by_pot_s16(b, -p->input2_shift);
    } else {
        sum = te_rounding_divide_by_pot_s16(a, -p->input1_shift) + b;
    }
    sum = te_clamp_i32(sum, INT16_MIN, INT16_MAX);
    return (int16_t)te_clamp_i32(sum, p->act_min, p->act_max);
}
/* BroadcastSub16POTSlow: both inputs rounding-divided, subtracted in 32 bits, clamped. */
TE_INLINE int16_t te_sub_pot_one(const te_add_pot_params *p, int32_t a, int32_t b)
{
    const int32_t raw = te_rounding_divide_by_pot_s16(a, -p->input1_shift) -
                        te_rounding_divide_by_pot_s16(b, -p->input2_shift);
    return (int16_t)te_clamp_i32(raw, p->act_min, p->act_max);
}

/* ---- MUL, quantized -------------------------------------------------------------------------- */

/* MulElementwise: (a + off1) * (b + off2), MultiplyByQuantizedMultiplier, + zero point, clamp. */
TE_INLINE int32_t te_mul_q(const te_mul_params *p, int32_t a, int32_t b)
{
    const int32_t prod = (a + p->input1_offset) * (b + p->input2_offset);
    const int32_t out = te_multiply_by_quantized_multiplier(prod, p->output_multiplier, p->output_shift) +
                        p->output_offset;
    return te_clamp_i32(out, p->act_min, p->act_max);
}
#define TE_MUL_S8_ONE(p, x, y) ((int8_t)te_mul_q(p, x, y))
#define TE_MUL_S16_ONE(p, x, y) ((int16_t)te_mul_q(p, x, y))

/* ---- unquantized arithmetic ------------------------------------------------------------------- */

#define TE_ADD_S32_ONE(p, x, y) te_act_s32(te_wrap_add32(x, y), p)
#define TE_SUB_S32_ONE(p, x, y) te_act_s32(te_wrap_sub32(x, y), p)
#define TE_MUL_S32_ONE(p, x, y) te_act_s32(te_wrap_mul32(x, y), p)
#define TE_ADD_S64_ONE(p, x, y) te_act_s64(te_wrap_add64(x, y), p)
#define TE_SUB_S64_ONE(p, x, y) te_act_s64(te_wrap_sub64(x, y), p)
#define TE_MUL_S64_ONE(p, x, y) te_act_s64(te_wrap_mul64(x, y), p)
TE_INLINE float te_add_f32_one(const te_act_f32_params *p, float x, float y)
{
    const float r = x + y;
    return te_act_f32(r, p);
}
TE_INLINE float te_sub_f32_one(const te_act_f32_params *p, float x, float y)
{
    const float r = x - y;
    return te_act_f32(r, p);
}
TE_INLINE float te_mul_f32_one(const te_act_f32_params *p, float x, float y)
{
    const float r = x * y;
    return te_act_f32(r, p);
}
TE_INLINE float te_div_f32_one(const te_act_f32_params *p, float x, float y)
{
    const float r = x / y;
    return te_act_f32(r, p);
}
/* int32 DIV truncates (C and C++ alike); INT32_MIN / -1 wraps instead of trapping. */
TE_INLINE int32_t te_div_s32_one(const te_act_s32_params *p, int32_t x, int32_t y)
{
    const int32_t r = (x == INT32_MIN && y == -1) ? INT32_MIN : x / y;
    return te_act_s32(r, p);
}

/* ---- DIV, quantized -------------------------------------------------------------------------- */

/* gemmlowp::RoundingDivideByPOT for any exponent, as LiteRT's x86-64 build executes it: the
 * reference's DivElementwise reaches exponents outside [0, 31] (a zero or small numerator),
 * where the mask is (1ll << exponent) - 1 truncated to 32 bits and the 32-bit arithmetic shift
 * uses the exponent modulo 32 (64-bit shift counts modulo 64). */
TE_INLINE int32_t te_rounding_divide_by_pot_any(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)(uint32_t)((((uint64_t)1) << ((uint32_t)exponent & 63u)) - 1u);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> ((uint32_t)exponent & 31u)) + (remainder > threshold ? 1 : 0);
}

/* gemmlowp::SaturatingRoundingMultiplyByPOT<exponent> for exponent > 0. */
TE_INLINE int32_t te_sat_mul_pot(int32_t x, int exponent)
{
    const int32_t threshold = (int32_t)(((uint32_t)1 << (31 - exponent)) - 1u);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

/* gemmlowp::one_over_one_plus_x_for_x_in_0_1 on FixedPoint<int32, 0> (raw values): three
 * Newton-Raphson steps in Q2.29 from 48/17 - 32/17 * d. */
static int32_t te_one_over_one_plus_x(int32_t a)
{
    const int64_t sum = (int64_t)a + INT32_MAX;
    const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2); /* RoundingHalfSum(a, One) */
    const int32_t constant_48_over_17 = 1515870810;
    const int32_t constant_neg_32_over_17 = -1010580540;
    const int32_t f2_one = (int32_t)1 << 29;
    int32_t x = constant_48_over_17 + te_sat_rounding_doubling_high_mul(half_denominator, constant_neg_32_over_17);
    int i;
    for (i = 0; i < 3; ++i) {
        const int32_t half_denominator_times_x = te_sat_rounding_doubling_high_mul(half_denominator, x);
        const int32_t one_minus_half_denominator_times_x = f2_one - half_denominator_times_x;
        x = x + te_sat_mul_pot(te_sat_rounding_doubling_high_mul(x, one_minus_half_denominator_times_x), 2);
    }
    return te_sat_mul_pot(x, 1); /* Rescale<0>(ExactMulByPot<-1>(x)) */
}

/* CountLeadingSignBits(int32): 31 for 0 and -1. */
TE_INLINE int te_clrsb32(int32_t x)
{
    const uint32_t u = x < 0 ? ~(uint32_t)x : (uint32_t)x;
    int n = 0;
    if (u == 0) {
        return 31;
    }
#if defined(__GNUC__) || defined(__clang__)
    n = __builtin_clz(u) - 1;
#else
    while (!(u & ((uint32_t)1 << (30 - n)))) {
        ++n;
    }
#endif
    return n;
}

/* DivElementwise: the divisor's reciprocal (GetReciprocal, 31 integer digits), the numerator
 * shifted up by its headroom, one rescale by the output multiplier with the combined shift. */
TE_INLINE int32_t te_div_q(const te_div_params *p, int32_t a, int32_t b)
{
    int32_t input1_val = p->input1_offset + a;
    int32_t input2_val = p->input2_offset + b;
    int recip_shift, headroom, headroom_plus_one, total_shift;
    int32_t input2_inv, unscaled_quotient, out;
    if (input2_val < 0) {
        input1_val = -input1_val;
        input2_val = -input2_val;
    }
    headroom_plus_one = te_clz64((uint64_t)(uint32_t)input2_val) - 32;
    recip_shift = 31 - headroom_plus_one;
    input2_inv = te_one_over_one_plus_x(
        (int32_t)(((uint32_t)input2_val << headroom_plus_one) - ((uint32_t)1 << 31)));
    headroom = te_clrsb32(input1_val);
    unscaled_quotient = te_sat_rounding_doubling_high_mul((int32_t)((uint32_t)input1_val << headroom), input2_inv);
    total_shift = p->output_shift - recip_shift - headroom;
    out = p->output_offset + te_rounding_divide_by_pot_any(
                                 te_sat_rounding_doubling_high_mul(unscaled_quotient, p->output_multiplier), -total_shift);
    return te_clamp_i32(out, p->act_min, p->act_max);
}
#define TE_DIV_S8_ONE(p, x, y) ((int8_t)te_div_q(p, x, y))
#define TE_DIV_S16_ONE(p, x, y) ((int16_t)te_div_q(p, x, y))

/* ---- SQUARED_DIFFERENCE ---------------------------------------------------------------------- */

/* squared_difference.cc SquaredDifference(int8): the difference at the common scale
 * (left_shift 7), squared, rescaled, clamped to the int8 range. */
TE_INLINE int8_t te_squared_difference_s8_one(const te_add_params *p, int32_t a, int32_t b)
{
    const int32_t raw_diff = te_scaled_input1(p, a) - te_scaled_input2(p, b);
    return (int8_t)te_add_output(p, raw_diff * raw_diff);
}
#define TE_SQDIFF_S32_ONE(p, x, y) te_wrap_mul32(te_wrap_sub32(x, y), te_wrap_sub32(x, y))
TE_INLINE float te_squared_difference_f32_one(const te_no_params *p, float x, float y)
{
    const float difference = x - y;
    (void)p;
    return difference * difference;
}

/* ---- MAXIMUM / MINIMUM ----------------------------------------------------------------------- */

#define TE_MAX_ONE(p, x, y) ((x) > (y) ? (x) : (y))
#define TE_MIN_ONE(p, x, y) ((x) < (y) ? (x) : (y))

/* ---- FLOOR_DIV / FLOOR_MOD ------------------------------------------------------------------- */

/* FloorDiv<T>: std::floor((double)a / (double)b) converted back to T. Out-of-range results
 * (INT_MIN / -1) convert as x86-64's CVTTSD2SI does (the oracle's build): to INT32_MIN, then
 * truncated to the narrow type. */
TE_INLINE int32_t te_floor_div_int(int32_t a, int32_t b)
{
    const double q = floor((double)a / (double)b);
    return (q >= 2147483648.0 || q < -2147483648.0) ? INT32_MIN : (int32_t)q;
}
#define TE_FLOOR_DIV_S8_ONE(p, x, y) ((int8_t)(uint8_t)(uint32_t)te_floor_div_int(x, y))
#define TE_FLOOR_DIV_S16_ONE(p, x, y) ((int16_t)(uint16_t)(uint32_t)te_floor_div_int(x, y))
#define TE_FLOOR_DIV_S32_ONE(p, x, y) te_floor_div_int(x, y)
TE_INLINE float te_floor_div_f32_one(const te_no_params *p, float x, float y)
{
    const double q = (double)x / (double)y;
    (void)p;
    return (float)floor(q);
}

/* FloorMod<T>: the truncated remainder, moved into the divisor's sign. */
TE_INLINE int32_t te_floor_mod_int(int32_t a, int32_t b)
{
    const int32_t trunc_mod = (b == -1) ? 0 : a % b;
    return (trunc_mod != 0 && ((b < 0) != (trunc_mod < 0))) ? trunc_mod + b : trunc_mod;
}
TE_INLINE int64_t te_floor_mod_s64_one(const te_no_params *p, int64_t a, int64_t b)
{
    const int64_t trunc_mod = (b == -1) ? 0 : a % b;
    (void)p;
    return (trunc_mod != 0 && ((b < 0) != (trunc_mod < 0))) ? trunc_mod + b : trunc_mod;
}
#define TE_FLOOR_MOD_S8_ONE(p, x, y) ((int8_t)te_floor_mod_int(x, y))
#define TE_FLOOR_MOD_S16_ONE(p, x, y) ((int16_t)te_floor_mod_int(x, y))
#define TE_FLOOR_MOD_S32_ONE(p, x, y) te_floor_mod_int(x, y)
TE_INLINE float te_floor_mod_f32_one(const te_no_params *p, float x, float y)
{
    const float trunc_mod = fmodf(x, y);
    (void)p;
    return (trunc_mod != 0 && ((y < 0) != (trunc_mod < 0))) ? trunc_mod + y : trunc_mod;
}

/* ---- comparisons ----------------------------------------------------------------------------- */

/* ComparisonWithScaling: both inputs at a common scale (left_shift 8), compared as int32. */
#define TE_EQ_Q(p, x, y) ((uint8_t)(te_scaled_input1(p, x) == te_scaled_input2(p, y)))
#define TE_NE_Q(p, x, y) ((uint8_t)(te_scaled_input1(p, x) != te_scaled_input2(p, y)))
#define TE_LT_Q(p, x, y) ((uint8_t)(te_scaled_input1(p, x) < te_scaled_input2(p, y)))
#define TE_LE_Q(p, x, y) ((uint8_t)(te_scaled_input1(p, x) <= te_scaled_input2(p, y)))
#define TE_EQ(p, x, y) ((uint8_t)((x) == (y)))
#define TE_NE(p, x, y) ((uint8_t)((x) != (y)))
#define TE_LT(p, x, y) ((uint8_t)((x) < (y)))
#define TE_LE(p, x, y) ((uint8_t)((x) <= (y)))
/* bool inputs: any non-zero byte is true. */
#define TE_EQ_B(p, x, y) ((uint8_t)(((x) != 0) == ((y) != 0)))
#define TE_NE_B(p, x, y) ((uint8_t)(((x) != 0) != ((y) != 0)))
#define TE_LT_B(p, x, y) ((uint8_t)(((x) != 0) < ((y) != 0)))
#define TE_LE_B(p, x, y) ((uint8_t)(((x) != 0) <= ((y) != 0)))
#define TE_AND_B(p, x, y) ((uint8_t)(((x) != 0) && ((y) != 0)))
#define TE_OR_B(p, x, y) ((uint8_t)(((x) != 0) || ((y) != 0)))

/* ---- the hot int8 rows: ADD and MUL, with SIMD paths ------------------------------------------ */

#if defined(TE_USE_MVE)
/* MultiplyByQuantizedMultiplier(v, mult, shift) on 4 lanes for shift < 0, scalar operands only
 * (Helium has 8 vector registers; vector constants would spill): VQRDMULH is
 * SaturatingRoundingDoublingHighMul, and RoundingDivideByPOT is VRSHL (round half up) after
 * subtracting 1 from negative lanes (saturating, which only INT32_MIN reaches and the shift
 * maps to the same value), as te_mve_requant. */
TE_INLINE int32x4_t te_mve_requant_neg(int32x4_t v, int32_t mult, int32_t shift)
{
    v = vqrdmulhq_n_s32(v, mult);
    v = vqaddq_s32(v, vshrq_n_s32(v, 31));
    return vrshlq_n_s32(v, shift);
}

#if defined(__GNUC__) && defined(__OPTIMIZE__) && !defined(TE_NO_INLINE_ASM)
/* te_add_s8_row_mve's loop for one input rescaled (scale factor below 1/2) and the other exact:
 * (x + off) << 19 as one VMLAS, the output's requantization as te_mve_requant_off_n (exact before
 * the 8-bit clamp for output shifts -1 .. -23). Its own function: the loop takes nine core and
 * eight vector registers. */
static __attribute__((noinline)) void te_add_row_mixed_asm(const int8_t *pb, const int8_t *ps, int8_t *po, int32_t n,
                                                           int32_t ms, int32_t ss, int32_t mo, int32_t so,
                                                           int32_t offb19, int32_t off_small, int32_t d,
                                                           int32x4_t lo, int32x4_t hi)
{
    const int32x4_t c19 = vdupq_n_s32(1 << 19), vd = vdupq_n_s32(d), voffs = vdupq_n_s32(off_small);
    __asm__ volatile(
        "dlstp.32 lr, %[n]\n\t"
        "1:\n\t"
        "vldrb.s32 q0, [%[pb]], #4\n\t"
        "vldrb.s32 q1, [%[ps]], #4\n\t"
        "vmlas.s32 q0, %q[c19], %[offb]\n\t"
        "vadd.i32 q1, q1, %q[offs]\n\t"
        "vshl.s32 q1, q1, #20\n\t"
        "vqrdmulh.s32 q1, q1, %[ms]\n\t"
        "vshr.s32 q2, q1, #31\n\t"
        "vqadd.s32 q1, q1, q2\n\t"
        "vrshl.s32 q1, %[ss]\n\t"
        "vadd.i32 q0, q0, q1\n\t"
        "vshr.s32 q2, q0, #31\n\t"
        "vadd.i32 q2, q2, %q[d]\n\t"
        "vqrdmlah.s32 q2, q0, %[mo]\n\t"
        "vshl.s32 q2, %[so]\n\t"
        "vmax.s32 q2, q2, %q[lo]\n\t"
        "vmin.s32 q2, q2, %q[hi]\n\t"
        "vstrb.32 q2, [%[po]], #4\n\t"
        "letp lr, 1b\n\t"
        : [pb] "+l"(pb), [ps] "+l"(ps), [po] "+l"(po)
        : [n] "r"(n), [ms] "r"(ms), [ss] "r"(ss), [mo] "r"(mo), [so] "r"(so), [offb] "r"(offb19), [c19] "w"(c19),
          [offs] "w"(voffs), [d] "w"(vd), [lo] "w"(lo), [hi] "w"(hi)
        : "q0", "q1", "q2", "lr", "memory");
}
#endif

/* Eight lanes of te_mul_q: widening loads to 16 bits, offsets added in 16 bits, VMULLB/VMULLT
 * products (even and odd lanes, 32 bits), the requantization, + zero point, saturating
 * narrowing back into one 16-bit vector (the clamp bounds are within int8), clamp, narrowing
 * store; a tail-predicated last step. Returns 0 (nothing written) for output shifts >= 0. */
static int te_mul_s8_row_mve(const te_mul_params *p, int32_t rows, int32_t ra, int32_t rb, int32_t n,
                             const int8_t *a, int32_t sa, const int8_t *b, int32_t sb, int8_t *o)
{
    /* Every parameter in a local: a byte store may alias the params struct. */
    const int16_t off1 = (int16_t)p->input1_offset, off2 = (int16_t)p->input2_offset;
    const int32_t zp = p->output_offset, mult = p->output_multiplier, shift = p->output_shift;
    const int16x8_t lo = vdupq_n_s16((int16_t)p->act_min), hi = vdupq_n_s16((int16_t)p->act_max);
    int32_t i, r;
    if (shift >= 0) {
        return 0;
    }
    for (r = 0; r < rows; ++r, a += ra, b += rb, o += n) {
        const int16x8_t ca = vdupq_n_s16((int16_t)(a[0] + off1)), cb = vdupq_n_s16((int16_t)(b[0] + off2));
#if defined(__GNUC__) && defined(__OPTIMIZE__) && !defined(TE_NO_INLINE_ASM)
        i = 0;
        if (sa && sb && n >= 8) {
            /* Whole steps of 8 as a low-overhead loop (DLSTP/LETP: no VCTP/VPST); the tail goes
             * to the intrinsics loop, since tail predication by 16-bit lanes would only half
             * predicate the 32-bit lanes of the products. Widening loads and narrowing stores
             * take low base registers; the offsets ride in vector registers (an -O0 build uses
             * the intrinsics loop). */
            const int8_t *pa = a, *pb = b;
            const int32_t n8 = n & ~7;
            int8_t *po = o;
            const int16x8_t voff1 = vdupq_n_s16(off1), voff2 = vdupq_n_s16(off2);
            if (shift >= -23) {
                /* te_mve_requant_off_n's form (the zero point and the rounding in one scalar d,
                 * VQRDMLAH, a truncating shift): two instructions fewer per step. */
                const int32_t d = te_mve_round_add(zp, -shift);
                __asm__ volatile(
                    "dlstp.16 lr, %[n]\n\t"
                    "1:\n\t"
                    "vldrb.s16 q0, [%[pa]], #8\n\t"
                    "vldrb.s16 q1, [%[pb]], #8\n\t"
                    "vadd.i16 q0, q0, %q[off1]\n\t"
                    "vadd.i16 q1, q1, %q[off2]\n\t"
                    "vmullb.s16 q2, q0, q1\n\t"
                    "vmullt.s16 q3, q0, q1\n\t"
                    "vshr.s32 q0, q2, #31\n\t"
                    "vshr.s32 q1, q3, #31\n\t"
                    "vadd.i32 q0, q0, %[d]\n\t"
                    "vadd.i32 q1, q1, %[d]\n\t"
                    "vqrdmlah.s32 q0, q2, %[m]\n\t"
                    "vqrdmlah.s32 q1, q3, %[m]\n\t"
                    "vshl.s32 q0, %[sh]\n\t"
                    "vshl.s32 q1, %[sh]\n\t"
                    "vqmovnb.s32 q2, q0\n\t"
                    "vqmovnt.s32 q2, q1\n\t"
                    "vmax.s16 q2, q2, %q[lo]\n\t"
                    "vmin.s16 q2, q2, %q[hi]\n\t"
                    "vstrb.16 q2, [%[po]], #8\n\t"
                    "letp lr, 1b\n\t"
                    : [pa] "+l"(pa), [pb] "+l"(pb), [po] "+l"(po)
                    : [n] "r"(n8), [m] "r"(mult), [sh] "r"(shift), [d] "r"(d), [off1] "w"(voff1),
                      [off2] "w"(voff2), [lo] "w"(lo), [hi] "w"(hi)
                    : "q0", "q1", "q2", "q3", "lr", "memory");
            } else {
            __asm__ volatile(
                "dlstp.16 lr, %[n]\n\t"
                "1:\n\t"
                "vldrb.s16 q0, [%[pa]], #8\n\t"
                "vldrb.s16 q1, [%[pb]], #8\n\t"
                "vadd.i16 q0, q0, %q[off1]\n\t"
                "vadd.i16 q1, q1, %q[off2]\n\t"
                "vmullb.s16 q2, q0, q1\n\t"
                "vmullt.s16 q3, q0, q1\n\t"
                "vqrdmulh.s32 q2, q2, %[m]\n\t"
                "vqrdmulh.s32 q3, q3, %[m]\n\t"
                "vshr.s32 q0, q2, #31\n\t"
                "vshr.s32 q1, q3, #31\n\t"
                "vqadd.s32 q2, q2, q0\n\t"
                "vqadd.s32 q3, q3, q1\n\t"
                "vrshl.s32 q2, %[sh]\n\t"
                "vrshl.s32 q3, %[sh]\n\t"
                "vadd.i32 q2, q2, %[zp]\n\t"
                "vadd.i32 q3, q3, %[zp]\n\t"
                "vqmovnb.s32 q0, q2\n\t"
                "vqmovnt.s32 q0, q3\n\t"
                "vmax.s16 q0, q0, %q[lo]\n\t"
                "vmin.s16 q0, q0, %q[hi]\n\t"
                "vstrb.16 q0, [%[po]], #8\n\t"
                "letp lr, 1b\n\t"
                : [pa] "+l"(pa), [pb] "+l"(pb), [po] "+l"(po)
                : [n] "r"(n8), [m] "r"(mult), [sh] "r"(shift), [zp] "r"(zp), [off1] "w"(voff1), [off2] "w"(voff2),
                  [lo] "w"(lo), [hi] "w"(hi)
                : "q0", "q1", "q2", "q3", "lr", "memory");
            }
            i = n8;
        }
#endif
        for (; i < n; i += 8) {
            const mve_pred16_t pr = vctp16q((uint32_t)(n - i));
            const int16x8_t va = sa ? vaddq_n_s16(vldrbq_z_s16(a + i, pr), off1) : ca;
            const int16x8_t vb = sb ? vaddq_n_s16(vldrbq_z_s16(b + i, pr), off2) : cb;
            const int32x4_t even = vaddq_n_s32(te_mve_requant_neg(vmullbq_int_s16(va, vb), mult, shift), zp);
            const int32x4_t odd = vaddq_n_s32(te_mve_requant_neg(vmulltq_int_s16(va, vb), mult, shift), zp);
            int16x8_t res = vqmovntq_s32(vqmovnbq_s32(vdupq_n_s16(0), even), odd);
            res = vminq_s16(vmaxq_s16(res, lo), hi);
            vstrbq_p_s16(o + i, res, pr);
        }
    }
    return 1;
}

/* Four lanes of te_add_q. The input with the larger scale has multiplier 2^30 and shift 0 (a
 * real factor of exactly 0.5): its rescaled value is (x + offset) << 19, no requantization; a
 * broadcast input's rescaled value is computed once per run. Returns 0 (nothing written) for
 * parameters outside this form. */
static int te_add_s8_row_mve(const te_add_params *p, int32_t rows, int32_t ra, int32_t rb, int32_t n,
                             const int8_t *a, int32_t sa, const int8_t *b, int32_t sb, int8_t *o)
{
    const int32_t big_m = (int32_t)1 << 30;
    const int big1 = p->input1_multiplier == big_m && p->input1_shift == 0;
    const int big2 = p->input2_multiplier == big_m && p->input2_shift == 0;
    const int32_t zp = p->output_offset, mo = p->output_multiplier, so = p->output_shift;
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    const int8_t *big = big1 ? a : b, *small = big1 ? b : a;
    const int32_t sbig = big1 ? sa : sb, ssmall = big1 ? sb : sa, rbig = big1 ? ra : rb, rsmall = big1 ? rb : ra;
    const int32_t off_big = big1 ? p->input1_offset : p->input2_offset;
    const int32_t off_small = big1 ? p->input2_offset : p->input1_offset;
    const int32_t m_small = big1 ? p->input2_multiplier : p->input1_multiplier;
    const int32_t s_small = big1 ? p->input2_shift : p->input1_shift;
    const int both_big = big1 && big2;
    int32_t i, r;
    if (p->left_shift != 20 || !(big1 || big2) || so >= 0 || (!both_big && s_small >= 0)) {
        return 0;
    }
    for (r = 0; r < rows; ++r, big += rbig, small += rsmall, o += n) {
#if defined(__GNUC__) && defined(__OPTIMIZE__) && !defined(TE_NO_INLINE_ASM)
        if (sbig && ssmall) {
            /* The loop below as a tail-predicated low-overhead loop (DLSTP/LETP): no VCTP/VPST.
             * Widening loads and narrowing stores take low base registers; offsets and the zero
             * point ride in vector registers (an -O0 build uses the intrinsics loop). */
            const int8_t *pb = big, *ps = small;
            int8_t *po = o;
            if (so >= -23) {
                /* (x + off) << k as one VMLAS (x * 2^k + off * 2^k, wrapping alike); the output's
                 * requantization, zero point and rounding as te_mve_requant_off_n (exact before
                 * the 8-bit clamp for shifts -1 .. -23). */
                const int32x4_t c19 = vdupq_n_s32(1 << 19), lo_ = lo, hi_ = hi;
                const int32_t d = te_mve_round_add(zp, -so);
                if (both_big) {
                    const int32_t off19 = (int32_t)((uint32_t)(off_big + off_small) << 19);
                    __asm__ volatile(
                        "dlstp.32 lr, %[n]\n\t"
                        "1:\n\t"
                        "vldrb.s32 q0, [%[pb]], #4\n\t"
                        "vldrb.s32 q1, [%[ps]], #4\n\t"
                        "vadd.i32 q0, q0, q1\n\t"
                        "vmlas.s32 q0, %q[c19], %[off19]\n\t"
                        "vshr.s32 q2, q0, #31\n\t"
                        "vadd.i32 q2, q2, %[d]\n\t"
                        "vqrdmlah.s32 q2, q0, %[mo]\n\t"
                        "vshl.s32 q2, %[so]\n\t"
                        "vmax.s32 q2, q2, %q[lo]\n\t"
                        "vmin.s32 q2, q2, %q[hi]\n\t"
                        "vstrb.32 q2, [%[po]], #4\n\t"
                        "letp lr, 1b\n\t"
                        : [pb] "+l"(pb), [ps] "+l"(ps), [po] "+l"(po)
                        : [n] "r"(n), [mo] "r"(mo), [so] "r"(so), [d] "r"(d), [off19] "r"(off19), [c19] "w"(c19),
                          [lo] "w"(lo_), [hi] "w"(hi_)
                        : "q0", "q1", "q2", "lr", "memory");
                } else {
                    te_add_row_mixed_asm(pb, ps, po, n, m_small, s_small, mo, so, (int32_t)((uint32_t)off_big << 19),
                                         off_small, d, lo_, hi_);
                }
                continue;
            }

            const int32x4_t voffb = vdupq_n_s32(off_big), voffs = vdupq_n_s32(off_small), vzp = vdupq_n_s32(zp);
            if (both_big) {
                __asm__ volatile(
                    "dlstp.32 lr, %[n]\n\t"
                    "1:\n\t"
                    "vldrb.s32 q0, [%[pb]], #4\n\t"
                    "vldrb.s32 q1, [%[ps]], #4\n\t"
                    "vadd.i32 q0, q0, %q[offb]\n\t"
                    "vadd.i32 q1, q1, %q[offs]\n\t"
                    "vadd.i32 q0, q0, q1\n\t"
                    "vshl.s32 q0, q0, #19\n\t"
                    "vqrdmulh.s32 q0, q0, %[mo]\n\t"
                    "vshr.s32 q2, q0, #31\n\t"
                    "vqadd.s32 q0, q0, q2\n\t"
                    "vrshl.s32 q0, %[so]\n\t"
                    "vadd.i32 q0, q0, %q[zp]\n\t"
                    "vmax.s32 q0, q0, %q[lo]\n\t"
                    "vmin.s32 q0, q0, %q[hi]\n\t"
                    "vstrb.32 q0, [%[po]], #4\n\t"
                    "letp lr, 1b\n\t"
                    : [pb] "+l"(pb), [ps] "+l"(ps), [po] "+l"(po)
                    : [n] "r"(n), [mo] "r"(mo), [so] "r"(so), [offb] "w"(voffb), [offs] "w"(voffs), [zp] "w"(vzp),
                      [lo] "w"(lo), [hi] "w"(hi)
                    : "q0", "q1", "q2", "lr", "memory");
            } else {
                __asm__ volatile(
                    "dlstp.32 lr, %[n]\n\t"
                    "1:\n\t"
                    "vldrb.s32 q0, [%[pb]], #4\n\t"
                    "vldrb.s32 q1, [%[ps]], #4\n\t"
                    "vadd.i32 q0, q0, %q[offb]\n\t"
                    "vadd.i32 q1, q1, %q[offs]\n\t"
                    "vshl.s32 q0, q0, #19\n\t"
                    "vshl.s32 q1, q1, #20\n\t"
                    "vqrdmulh.s32 q1, q1, %[ms]\n\t"
                    "vshr.s32 q2, q1, #31\n\t"
                    "vqadd.s32 q1, q1, q2\n\t"
                    "vrshl.s32 q1, %[ss]\n\t"
                    "vadd.i32 q0, q0, q1\n\t"
                    "vqrdmulh.s32 q0, q0, %[mo]\n\t"
                    "vshr.s32 q2, q0, #31\n\t"
                    "vqadd.s32 q0, q0, q2\n\t"
                    "vrshl.s32 q0, %[so]\n\t"
                    "vadd.i32 q0, q0, %q[zp]\n\t"
                    "vmax.s32 q0, q0, %q[lo]\n\t"
                    "vmin.s32 q0, q0, %q[hi]\n\t"
                    "vstrb.32 q0, [%[po]], #4\n\t"
                    "letp lr, 1b\n\t"
                    : [pb] "+l"(pb), [ps] "+l"(ps), [po] "+l"(po)
                    : [n] "r"(n), [ms] "r"(m_small), [ss] "r"(s_small), [mo] "r"(mo), [so] "r"(so), [offb] "w"(voffb),
                      [offs] "w"(voffs), [zp] "w"(vzp), [lo] "w"(lo), [hi] "w"(hi)
                    : "q0", "q1", "q2", "lr", "memory");
            }
            continue;
        }
#endif
        {
        const int32x4_t cbig = vdupq_n_s32((big[0] + off_big) * (1 << 19));
        const int32x4_t csmall = vdupq_n_s32(both_big ? (small[0] + off_small) * (1 << 19)
                                                      : te_multiply_by_quantized_multiplier(
                                                            (small[0] + off_small) * (1 << 20), m_small, s_small));
        for (i = 0; i < n; i += 4) {
            const mve_pred16_t pr = vctp32q((uint32_t)(n - i));
            int32x4_t vbig = cbig, vsmall = csmall, v;
            if (sbig) {
                vbig = vshlq_n_s32(vaddq_n_s32(vldrbq_z_s32(big + i, pr), off_big), 19);
            }
            if (ssmall) {
                vsmall = vaddq_n_s32(vldrbq_z_s32(small + i, pr), off_small);
                vsmall = both_big ? vshlq_n_s32(vsmall, 19)
                                  : te_mve_requant_neg(vshlq_n_s32(vsmall, 20), m_small, s_small);
            }
            v = vaddq_n_s32(te_mve_requant_neg(vaddq_s32(vbig, vsmall), mo, so), zp);
            v = vminq_s32(vmaxq_s32(v, lo), hi);
            vstrbq_p_s32(o + i, v, pr);
        }
        }
    }
    return 1;
}
#endif /* TE_USE_MVE */

#if defined(TE_USE_DSP) && !defined(TE_USE_MVE)
/* te_multiply_by_quantized_multiplier(x, m, -e) + zp, for 1 <= e and |x| < 2^30, given x2 = 2x
 * and bias = 2^(e-1) + zp * 2^e: SaturatingRoundingDoublingHighMul(x, m) is SMMLAR(2x, m) (the
 * saturating case needs |x| = 2^31), RoundingDivideByPOT(v, e) is (v + 2^(e-1) - (v < 0)) >> e,
 * and v's sign is x's wherever it matters (v == 0 rounds to 0 either way); the rounding term and
 * the zero point ride in SMMLAR's accumulator. Three instructions. */
TE_INLINE int32_t te_dsp_requant(int32_t x2, int32_t m, int32_t bias, int32_t e)
{
    const int32_t t = te_smmlar(x2, m, bias) - (int32_t)((uint32_t)x2 >> 31);
    return t >> e;
}

TE_INLINE int8_t te_dsp_clamp8(int32_t v, int32_t lo, int32_t hi, int full)
{
    v = te_ssat8(v);
    if (!full) {
        v = v < lo ? lo : v;
        v = v > hi ? hi : v;
    }
    return (int8_t)v;
}

TE_INLINE uint32_t te_dup16(int32_t v) { return ((uint32_t)(uint16_t)v) * 0x00010001u; }

/* Four signed bytes clamped to [lo, hi] byte-wise: SSUB8 sets a GE flag per byte where the first
 * operand is >= the second, SEL picks by those flags (two instructions per bound). */
#if defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP)
TE_INLINE uint32_t te_clamp_s8x4(uint32_t w, uint32_t lo4, uint32_t hi4)
{
    (void)__ssub8((int8x4_t)w, (int8x4_t)lo4);
    w = (uint32_t)__sel((uint8x4_t)w, (uint8x4_t)lo4);
    (void)__ssub8((int8x4_t)hi4, (int8x4_t)w);
    return (uint32_t)__sel((uint8x4_t)w, (uint8x4_t)hi4);
}
#else
TE_INLINE uint32_t te_clamp_s8x4(uint32_t w, uint32_t lo4, uint32_t hi4)
{
    uint32_t out = 0;
    int k;
    for (k = 0; k < 32; k += 8) {
        const int32_t v = (int8_t)(w >> k), lo = (int8_t)(lo4 >> k), hi = (int8_t)(hi4 >> k);
        out |= (uint32_t)(uint8_t)(v < lo ? lo : (v > hi ? hi : v)) << k;
    }
    return out;
}
#endif

/* Four int8 results (already within [-128, 127]) as one little-endian word. */
TE_INLINE uint32_t te_pack_s8x4(int32_t r0, int32_t r1, int32_t r2, int32_t r3)
{
    return ((uint32_t)r0 & 0xFFu) | (((uint32_t)r1 & 0xFFu) << 8) | (((uint32_t)r2 & 0xFFu) << 16) | ((uint32_t)r3 << 24);
}

/* MUL: four elements per step from two words: SXTAB16 pairs with the offsets (the second input
 * doubled for the requantization), SMULBB/SMULTT products, then te_dsp_requant. Returns 0 (and
 * writes nothing) when the output shift is outside the fast form's range. */
TE_INLINE void te_mul_s8_dsp_body(int32_t n, const int8_t *a, int32_t sa, const int8_t *b, int32_t sb, int8_t *o,
                                  uint32_t off1, uint32_t off2, int32_t m, int32_t bias, int32_t e, int32_t lo,
                                  int32_t hi, int full)
{
    const uint32_t lo4 = (uint32_t)(uint8_t)lo * 0x01010101u, hi4 = (uint32_t)(uint8_t)hi * 0x01010101u;
    int32_t i = 0;
    if (sa && sb) {
        for (; i + 4 <= n; i += 4) {
            const uint32_t wa = te_read_u32(a + i), wb = te_read_u32(b + i);
            const uint32_t a02 = te_sxtab16(off1, wa), a13 = te_sxtab16_ror8(off1, wa);
            uint32_t b02 = te_sxtab16(off2, wb), b13 = te_sxtab16_ror8(off2, wb);
            b02 = te_sadd16(b02, b02);
            b13 = te_sadd16(b13, b13);
            if (full) {
                o[i] = (int8_t)te_ssat8(te_dsp_requant(te_smlabb(a02, b02, 0), m, bias, e));
                o[i + 1] = (int8_t)te_ssat8(te_dsp_requant(te_smlabb(a13, b13, 0), m, bias, e));
                o[i + 2] = (int8_t)te_ssat8(te_dsp_requant(te_smlatt(a02, b02, 0), m, bias, e));
                o[i + 3] = (int8_t)te_ssat8(te_dsp_requant(te_smlatt(a13, b13, 0), m, bias, e));
            } else {
                const uint32_t w = te_pack_s8x4(te_ssat8(te_dsp_requant(te_smlabb(a02, b02, 0), m, bias, e)),
                                                te_ssat8(te_dsp_requant(te_smlabb(a13, b13, 0), m, bias, e)),
                                                te_ssat8(te_dsp_requant(te_smlatt(a02, b02, 0), m, bias, e)),
                                                te_ssat8(te_dsp_requant(te_smlatt(a13, b13, 0), m, bias, e)));
                te_write_u32(o + i, te_clamp_s8x4(w, lo4, hi4));
            }
        }
    } else {
        /* One input broadcast along the row: its doubled offset value in both halfwords. */
        const int8_t *v = sa ? a : b;
        const uint32_t off = sa ? off1 : off2;
        const int32_t c = sa ? ((int32_t)b[0] + (int16_t)(off2 & 0xFFFF)) : ((int32_t)a[0] + (int16_t)(off1 & 0xFFFF));
        const uint32_t cc = te_dup16(2 * c);
        for (; i + 4 <= n; i += 4) {
            const uint32_t w = te_read_u32(v + i);
            const uint32_t v02 = te_sxtab16(off, w), v13 = te_sxtab16_ror8(off, w);
            if (full) {
                o[i] = (int8_t)te_ssat8(te_dsp_requant(te_smlabb(v02, cc, 0), m, bias, e));
                o[i + 1] = (int8_t)te_ssat8(te_dsp_requant(te_smlabb(v13, cc, 0), m, bias, e));
                o[i + 2] = (int8_t)te_ssat8(te_dsp_requant(te_smlatb(v02, cc, 0), m, bias, e));
                o[i + 3] = (int8_t)te_ssat8(te_dsp_requant(te_smlatb(v13, cc, 0), m, bias, e));
            } else {
                const uint32_t w = te_pack_s8x4(te_ssat8(te_dsp_requant(te_smlabb(v02, cc, 0), m, bias, e)),
                                                te_ssat8(te_dsp_requant(te_smlabb(v13, cc, 0), m, bias, e)),
                                                te_ssat8(te_dsp_requant(te_smlatb(v02, cc, 0), m, bias, e)),
                                                te_ssat8(te_dsp_requant(te_smlatb(v13, cc, 0), m, bias, e)));
                te_write_u32(o + i, te_clamp_s8x4(w, lo4, hi4));
            }
        }
    }
    for (; i < n; ++i) {
        const int32_t x1 = (int32_t)a[(size_t)i * (size_t)sa] + (int16_t)(off1 & 0xFFFF);
        const int32_t x2 = (int32_t)b[(size_t)i * (size_t)sb] + (int16_t)(off2 & 0xFFFF);
        o[i] = te_dsp_clamp8(te_dsp_requant(2 * x1 * x2, m, bias, e), lo, hi, full);
    }
}

static int te_mul_s8_row_dsp(const te_mul_params *p, int32_t rows, int32_t ra, int32_t rb, int32_t n, const int8_t *a,
                             int32_t sa, const int8_t *b, int32_t sb, int8_t *o)
{
    const int32_t e = -p->output_shift;
    int32_t bias, r;
    uint32_t off1, off2;
    int32_t m, lo, hi;
    if (e < 1 || e > 23) {
        return 0;
    }
    bias = (int32_t)((1u << (e - 1)) + (uint32_t)p->output_offset * (1u << e));
    off1 = te_dup16(p->input1_offset);
    off2 = te_dup16(p->input2_offset);
    m = p->output_multiplier;
    lo = p->act_min;
    hi = p->act_max;
    if (lo == -128 && hi == 127) {
        for (r = 0; r < rows; ++r, a += ra, b += rb, o += n) {
            te_mul_s8_dsp_body(n, a, sa, b, sb, o, off1, off2, m, bias, e, -128, 127, 1);
        }
    } else {
        for (r = 0; r < rows; ++r, a += ra, b += rb, o += n) {
            te_mul_s8_dsp_body(n, a, sa, b, sb, o, off1, off2, m, bias, e, lo, hi, 0);
        }
    }
    return 1;
}

/* ADD: the input with the larger scale has multiplier 2^30 and shift 0 (its real factor is
 * exactly 0.5), so its rescaled value is (x + offset) << 19 with no rounding; only the other
 * input and the output go through te_dsp_requant. Works on doubled values (2 * (s1 + s2)).
 * Returns 0 when the parameters are outside this form. */
/* One run: R2(i) is 2 * (s1 + s2) of element i; with a narrowed activation range, four results
 * are packed and clamped byte-wise (all four read before the word is written: in place is safe). */
#define TE_ADD_DSP_LOOP(R2)                                                                                 \
    do {                                                                                                    \
        i = 0;                                                                                              \
        if (!full) {                                                                                        \
            for (; i + 4 <= n; i += 4) {                                                                    \
                const uint32_t w = te_pack_s8x4(te_ssat8(te_dsp_requant(R2(i), mo, bias_o, eo)),           \
                                                te_ssat8(te_dsp_requant(R2(i + 1), mo, bias_o, eo)),       \
                                                te_ssat8(te_dsp_requant(R2(i + 2), mo, bias_o, eo)),       \
                                                te_ssat8(te_dsp_requant(R2(i + 3), mo, bias_o, eo)));      \
                te_write_u32(o + i, te_clamp_s8x4(w, lo4, hi4));                                            \
            }                                                                                               \
        }                                                                                                   \
        for (; i < n; ++i) {                                                                                \
            o[i] = te_dsp_clamp8(te_dsp_requant(R2(i), mo, bias_o, eo), lo, hi, full);                      \
        }                                                                                                   \
    } while (0)

TE_INLINE void te_add_s8_dsp_body(int32_t n, const int8_t *big, int32_t sbig, const int8_t *small, int32_t ssmall,
                                  int8_t *o, int32_t off_big, int32_t off_small, int32_t m_small, int32_t bias_small,
                                  int32_t e_small, int32_t small_is_big, int32_t mo, int32_t bias_o, int32_t eo,
                                  int32_t lo, int32_t hi, int full)
{
    const uint32_t lo4 = (uint32_t)(uint8_t)lo * 0x01010101u, hi4 = (uint32_t)(uint8_t)hi * 0x01010101u;
    int32_t i;
    /* The big input: (x + offset) << 19, doubled. The other: te_dsp_requant of its doubled
     * (x + offset) << 20, doubled again (or the same as the big one when the scales are equal). */
#define TE_BIG2(j) (((int32_t)big[j] + off_big) * (1 << 20))
#define TE_SMALL2(j) (2 * te_dsp_requant(((int32_t)small[j] + off_small) * (1 << 21), m_small, bias_small, e_small))
#define TE_SMALL2_EQ(j) (((int32_t)small[j] + off_small) * (1 << 20))
#define TE_R2_SMALL_ROW(j) (TE_BIG2(j) + c)
#define TE_R2_BIG_ROW_EQ(j) (c + TE_SMALL2_EQ(j))
#define TE_R2_BIG_ROW(j) (c + TE_SMALL2(j))
#define TE_R2_EQ(j) ((((int32_t)big[j] + off_big) + ((int32_t)small[j] + off_small)) * (1 << 20))
#define TE_R2(j) (TE_BIG2(j) + TE_SMALL2(j))
    if (ssmall == 0) {
        const int32_t c = small_is_big ? TE_SMALL2_EQ(0) : TE_SMALL2(0);
        TE_ADD_DSP_LOOP(TE_R2_SMALL_ROW);
    } else if (sbig == 0) {
        const int32_t c = TE_BIG2(0);
        if (small_is_big) {
            TE_ADD_DSP_LOOP(TE_R2_BIG_ROW_EQ);
        } else {
            TE_ADD_DSP_LOOP(TE_R2_BIG_ROW);
        }
    } else if (small_is_big) {
        TE_ADD_DSP_LOOP(TE_R2_EQ);
    } else {
        TE_ADD_DSP_LOOP(TE_R2);
    }
#undef TE_BIG2
#undef TE_SMALL2
#undef TE_SMALL2_EQ
#undef TE_R2_SMALL_ROW
#undef TE_R2_BIG_ROW_EQ
#undef TE_R2_BIG_ROW
#undef TE_R2_EQ
#undef TE_R2
}

static int te_add_s8_row_dsp(const te_add_params *p, int32_t rows, int32_t ra, int32_t rb, int32_t n, const int8_t *a,
                             int32_t sa, const int8_t *b, int32_t sb, int8_t *o)
{
    const int32_t big_m = (int32_t)1 << 30;
    const int big1 = p->input1_multiplier == big_m && p->input1_shift == 0;
    const int big2 = p->input2_multiplier == big_m && p->input2_shift == 0;
    const int32_t eo = -p->output_shift;
    const int32_t e_small = big1 ? -p->input2_shift : -p->input1_shift;
    const int full = p->act_min == -128 && p->act_max == 127;
    if (p->left_shift != 20 || !(big1 || big2) || eo < 1 || eo > 23 || (!(big1 && big2) && (e_small < 1 || e_small > 30))) {
        return 0;
    }
    {
        const int32_t bias_o = (int32_t)((1u << (eo - 1)) + (uint32_t)p->output_offset * (1u << eo));
        /* Addition commutes: the big input first. */
        const int8_t *pb = big1 ? a : b, *ps = big1 ? b : a;
        const int32_t sbig = big1 ? sa : sb, ssmall = big1 ? sb : sa;
        const int32_t rbig = big1 ? ra : rb, rsmall = big1 ? rb : ra;
        const int32_t mo = p->output_multiplier, lo = p->act_min, hi = p->act_max;
        int32_t r;
        const int32_t off_big = big1 ? p->input1_offset : p->input2_offset;
        const int32_t off_small = big1 ? p->input2_offset : p->input1_offset;
        const int32_t m_small = big1 ? p->input2_multiplier : p->input1_multiplier;
        const int32_t bias_small = (big1 && big2) ? 0 : (int32_t)(1u << (e_small - 1));
        if (full) {
            for (r = 0; r < rows; ++r, pb += rbig, ps += rsmall, o += n) {
                te_add_s8_dsp_body(n, pb, sbig, ps, ssmall, o, off_big, off_small, m_small, bias_small, e_small,
                                   big1 && big2, mo, bias_o, eo, -128, 127, 1);
            }
        } else {
            for (r = 0; r < rows; ++r, pb += rbig, ps += rsmall, o += n) {
                te_add_s8_dsp_body(n, pb, sbig, ps, ssmall, o, off_big, off_small, m_small, bias_small, e_small,
                                   big1 && big2, mo, bias_o, eo, lo, hi, 0);
            }
        }
    }
    return 1;
}
#endif /* TE_USE_DSP && !TE_USE_MVE */

static void te_mul_s8_row(const void *vp, int32_t rows, int32_t ra, int32_t rb, int32_t n, const void *va, int32_t sa,
                          const void *vb, int32_t sb, void *vo)
{
    const te_mul_params params = *(const te_mul_params *)vp; /* a local copy: output stores cannot alias it */
    const te_mul_params *p = &params;
    const int8_t *a = (const int8_t *)va;
    const int8_t *b = (const int8_t *)vb;
    int8_t *o = (int8_t *)vo;
    int32_t i, r;
#if defined(TE_USE_MVE)
    if (te_mul_s8_row_mve(p, rows, ra, rb, n, a, sa, b, sb, o)) {
        return;
    }
#elif defined(TE_USE_DSP)
    if (te_mul_s8_row_dsp(p, rows, ra, rb, n, a, sa, b, sb, o)) {
        return;
    }
#endif
    for (r = 0; r < rows; ++r, a += ra, b += rb, o += n) {
        for (i = 0; i < n; ++i) {
            o[i] = TE_MUL_S8_ONE(p, a[(size_t)i * (size_t)sa], b[(size_t)i * (size_t)sb]);
        }
    }
}

static void te_add_s8_row(const void *vp, int32_t rows, int32_t ra, int32_t rb, int32_t n, const void *va, int32_t sa,
                          const void *vb, int32_t sb, void *vo)
{
    const te_add_params params = *(const te_add_params *)vp; /* a local copy: output stores cannot alias it */
    const te_add_params *p = &params;
    const int8_t *a = (const int8_t *)va;
    const int8_t *b = (const int8_t *)vb;
    int8_t *o = (int8_t *)vo;
    int32_t i, r;
#if defined(TE_USE_MVE)
    if (te_add_s8_row_mve(p, rows, ra, rb, n, a, sa, b, sb, o)) {
        return;
    }
#elif defined(TE_USE_DSP)
    if (te_add_s8_row_dsp(p, rows, ra, rb, n, a, sa, b, sb, o)) {
        return;
    }
#endif
    for (r = 0; r < rows; ++r, a += ra, b += rb, o += n) {
    if (sa == 0) {
        /* A broadcast input's rescaled value is the same for the whole row. */
        const int32_t s1 = te_scaled_input1(p, a[0]);
        for (i = 0; i < n; ++i) {
            o[i] = (int8_t)te_add_output(p, s1 + te_scaled_input2(p, b[(size_t)i * (size_t)sb]));
        }
    } else if (sb == 0) {
        const int32_t s2 = te_scaled_input2(p, b[0]);
        for (i = 0; i < n; ++i) {
            o[i] = (int8_t)te_add_output(p, te_scaled_input1(p, a[i]) + s2);
        }
    } else {
        for (i = 0; i < n; ++i) {
            o[i] = TE_ADD_S8_ONE(p, a[i], b[i]);
        }
    }
    }
}

/* ---- the kernels ----------------------------------------------------------------------------- */

TE_KERNEL_WITH_ROW(te_add_s8, te_add_params, int8_t, int8_t, te_add_s8_row)
TE_KERNEL(te_add_s16, te_add_params, int16_t, int16_t, TE_ADD_S16_ONE)
TE_KERNEL(te_add_pot_s16, te_add_pot_params, int16_t, int16_t, te_add_pot_one)
TE_KERNEL(te_add_s32, te_act_s32_params, int32_t, int32_t, TE_ADD_S32_ONE)
TE_KERNEL(te_add_s64, te_act_s64_params, int64_t, int64_t, TE_ADD_S64_ONE)
TE_KERNEL(te_add_f32, te_act_f32_params, float, float, te_add_f32_one)

TE_KERNEL(te_sub_s8, te_sub_params, int8_t, int8_t, TE_SUB_S8_ONE)
TE_KERNEL(te_sub_s16, te_sub_params, int16_t, int16_t, TE_SUB_S16_ONE)
TE_KERNEL(te_sub_pot_s16, te_add_pot_params, int16_t, int16_t, te_sub_pot_one)
TE_KERNEL(te_sub_s32, te_act_s32_params, int32_t, int32_t, TE_SUB_S32_ONE)
TE_KERNEL(te_sub_s64, te_act_s64_params, int64_t, int64_t, TE_SUB_S64_ONE)
TE_KERNEL(te_sub_f32, te_act_f32_params, float, float, te_sub_f32_one)

TE_KERNEL_WITH_ROW(te_mul_s8, te_mul_params, int8_t, int8_t, te_mul_s8_row)
TE_KERNEL(te_mul_s16, te_mul_params, int16_t, int16_t, TE_MUL_S16_ONE)
TE_KERNEL(te_mul_s32, te_act_s32_params, int32_t, int32_t, TE_MUL_S32_ONE)
TE_KERNEL(te_mul_s64, te_act_s64_params, int64_t, int64_t, TE_MUL_S64_ONE)
TE_KERNEL(te_mul_f32, te_act_f32_params, float, float, te_mul_f32_one)

TE_KERNEL(te_div_f32, te_act_f32_params, float, float, te_div_f32_one)

TE_KERNEL(te_squared_difference_s8, te_squared_difference_params, int8_t, int8_t, te_squared_difference_s8_one)
TE_KERNEL(te_squared_difference_s32, te_no_params, int32_t, int32_t, TE_SQDIFF_S32_ONE)
TE_KERNEL(te_squared_difference_f32, te_no_params, float, float, te_squared_difference_f32_one)

TE_KERNEL(te_maximum_s8, te_no_params, int8_t, int8_t, TE_MAX_ONE)
TE_KERNEL(te_maximum_s16, te_no_params, int16_t, int16_t, TE_MAX_ONE)
TE_KERNEL(te_maximum_s32, te_no_params, int32_t, int32_t, TE_MAX_ONE)
TE_KERNEL(te_maximum_s64, te_no_params, int64_t, int64_t, TE_MAX_ONE)
TE_KERNEL(te_maximum_f32, te_no_params, float, float, TE_MAX_ONE)
TE_KERNEL(te_minimum_s8, te_no_params, int8_t, int8_t, TE_MIN_ONE)
TE_KERNEL(te_minimum_s16, te_no_params, int16_t, int16_t, TE_MIN_ONE)
TE_KERNEL(te_minimum_s32, te_no_params, int32_t, int32_t, TE_MIN_ONE)
TE_KERNEL(te_minimum_s64, te_no_params, int64_t, int64_t, TE_MIN_ONE)
TE_KERNEL(te_minimum_f32, te_no_params, float, float, TE_MIN_ONE)

#define TE_COMPARE_KERNELS(op, Q, RAW, B)                                            \
    TE_KERNEL(te_##op##_q8, te_compare_params, int8_t, uint8_t, Q)                   \
    TE_KERNEL(te_##op##_q16, te_compare_params, int16_t, uint8_t, Q)                 \
    TE_KERNEL(te_##op##_s16, te_no_params, int16_t, uint8_t, RAW)                    \
    TE_KERNEL(te_##op##_s32, te_no_params, int32_t, uint8_t, RAW)                    \
    TE_KERNEL(te_##op##_s64, te_no_params, int64_t, uint8_t, RAW)                    \
    TE_KERNEL(te_##op##_f32, te_no_params, float, uint8_t, RAW)                      \
    TE_KERNEL(te_##op##_b, te_no_params, uint8_t, uint8_t, B)
TE_COMPARE_KERNELS(equal, TE_EQ_Q, TE_EQ, TE_EQ_B)
TE_COMPARE_KERNELS(not_equal, TE_NE_Q, TE_NE, TE_NE_B)
TE_COMPARE_KERNELS(less, TE_LT_Q, TE_LT, TE_LT_B)
TE_COMPARE_KERNELS(less_equal, TE_LE_Q, TE_LE, TE_LE_B)

TE_KERNEL(te_logical_and_b, te_no_params, uint8_t, uint8_t, TE_AND_B)
TE_KERNEL(te_logical_or_b, te_no_params, uint8_t, uint8_t, TE_OR_B)

void te_logical_not_b(const uint8_t *input, uint8_t *output, int32_t count)
{
    int32_t i;
    for (i = 0; i < count; ++i) {
        output[i] = (uint8_t)(input[i] == 0);
    }
}

/* ---- kernels that can fail: a zero divisor ----------------------------------------------------- */

/* The reference checks every divisor before computing anything (CheckNonZero / EvalImpl). */
#define TE_CHECKED_KERNEL(name, PT, T, ONE, ZERO)                                                         \
    TE_ROW(name##_row, PT, T, T, ONE)                                                                     \
    int name(const PT *p, const te_broadcast_shape *s, const T *input1, const T *input2, T *output,      \
             int32_t input2_count)                                                                        \
    {                                                                                                     \
        int32_t i;                                                                                        \
        for (i = 0; i < input2_count; ++i) {                                                              \
            if (input2[i] == (ZERO)) {                                                                    \
                return 1;                                                                                 \
            }                                                                                             \
        }                                                                                                 \
        te_walk2(s, p, name##_row, input1, sizeof(T), input2, sizeof(T), output, sizeof(T));              \
        return 0;                                                                                         \
    }

TE_CHECKED_KERNEL(te_div_s8, te_div_params, int8_t, TE_DIV_S8_ONE, -p->input2_offset)
TE_CHECKED_KERNEL(te_div_s16, te_div_params, int16_t, TE_DIV_S16_ONE, -p->input2_offset)
TE_CHECKED_KERNEL(te_div_s32, te_act_s32_params, int32_t, te_div_s32_one, 0)

TE_CHECKED_KERNEL(te_floor_div_s8, te_no_params, int8_t, TE_FLOOR_DIV_S8_ONE, 0)
TE_CHECKED_KERNEL(te_floor_div_s16, te_no_params, int16_t, TE_FLOOR_DIV_S16_ONE, 0)
TE_CHECKED_KERNEL(te_floor_div_s32, te_no_params, int32_t, TE_FLOOR_DIV_S32_ONE, 0)
TE_CHECKED_KERNEL(te_floor_div_f32, te_no_params, float, te_floor_div_f32_one, 0.0f)
TE_CHECKED_KERNEL(te_floor_mod_s8, te_no_params, int8_t, TE_FLOOR_MOD_S8_ONE, 0)
TE_CHECKED_KERNEL(te_floor_mod_s16, te_no_params, int16_t, TE_FLOOR_MOD_S16_ONE, 0)
TE_CHECKED_KERNEL(te_floor_mod_s32, te_no_params, int32_t, TE_FLOOR_MOD_S32_ONE, 0)
TE_CHECKED_KERNEL(te_floor_mod_s64, te_no_params, int64_t, te_floor_mod_s64_one, 0)
/* FLOOR_MOD f32 checks no divisor (fmod by zero is NaN in the reference too). */
TE_ROW(te_floor_mod_f32_row, te_no_params, float, float, te_floor_mod_f32_one)
int te_floor_mod_f32(const te_no_params *p, const te_broadcast_shape *s, const float *input1, const float *input2,
                     float *output, int32_t input2_count)
{
    (void)input2_count;
    te_walk2(s, p, te_floor_mod_f32_row, input1, sizeof(float), input2, sizeof(float), output, sizeof(float));
    return 0;
}

/* ---- ADD_N ------------------------------------------------------------------------------------ */

void te_add_n_s32(const int32_t *const *inputs, int32_t num_inputs, int32_t *output, int32_t count)
{
    int32_t i, j;
    for (i = 0; i < count; ++i) {
        int32_t acc = inputs[0][i];
        for (j = 1; j < num_inputs; ++j) {
            acc = te_wrap_add32(acc, inputs[j][i]);
        }
        output[i] = acc;
    }
}

void te_add_n_f32(const float *const *inputs, int32_t num_inputs, float *output, int32_t count)
{
    static const te_act_f32_params full = {-FLT_MAX, FLT_MAX};
    int32_t i, j;
    for (i = 0; i < count; ++i) {
        float acc = inputs[0][i];
        for (j = 1; j < num_inputs; ++j) {
            acc = te_add_f32_one(&full, acc, inputs[j][i]);
        }
        output[i] = acc;
    }
}

/* ---- SELECT ----------------------------------------------------------------------------------- */

void te_select(const te_select_shape *s, int32_t elem, const uint8_t *condition, const void *x, const void *y,
               void *output)
{
    int32_t idx[TE_ELEMENTWISE_MAX_DIMS] = {0};
    const int32_t last = s->ndim - 1;
    const int32_t n = s->shape[last];
    const size_t e = (size_t)elem;
    const uint8_t *xb = (const uint8_t *)x;
    const uint8_t *yb = (const uint8_t *)y;
    uint8_t *out = (uint8_t *)output;
    size_t oc = 0, ox = 0, oy = 0;
    int32_t d, i;
    for (;;) {
        const size_t sc = (size_t)s->stride_c[last], sx = (size_t)s->stride_x[last], sy = (size_t)s->stride_y[last];
        for (i = 0; i < n; ++i) {
            const uint8_t *src = condition[oc + (size_t)i * sc] ? xb + (ox + (size_t)i * sx) * e
                                                                : yb + (oy + (size_t)i * sy) * e;
            memmove(out, src, e);
            out += e;
        }
        for (d = last - 1; d >= 0; --d) {
            if (++idx[d] < s->shape[d]) {
                oc += (size_t)s->stride_c[d];
                ox += (size_t)s->stride_x[d];
                oy += (size_t)s->stride_y[d];
                break;
            }
            idx[d] = 0;
            oc -= (size_t)s->stride_c[d] * (size_t)(s->shape[d] - 1);
            ox -= (size_t)s->stride_x[d] * (size_t)(s->shape[d] - 1);
            oy -= (size_t)s->stride_y[d] * (size_t)(s->shape[d] - 1);
        }
        if (d < 0) {
            return;
        }
    }
}
