/* tinyengine: activation and unary elementwise kernels (see te_activation.h).
 *
 * The integer kernels reproduce LiteRT's reference kernels (reference_ops::ReluX,
 * QuantizeLeakyRelu, Prelu / BroadcastPrelu4DSlow, reference_integer_ops::Tanh / Logistic
 * for int16, LUTLookup) bit for bit; requantization is te_common.h's
 * te_multiply_by_quantized_multiplier (the double-rounding MultiplyByQuantizedMultiplier).
 */
#include "tinyengine/te_activation.h"

#include <math.h>

#include "tinyengine/te_math.h"
#include "tinyengine/te_simd.h"

/* The float kernels repeat the reference's float operations one rounding at a time: no fused
 * multiply-add (GCC contracts a * b + c by default outside ISO C modes, clang within a statement). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* ---- 8-bit table lookup (every int8 / legacy uint8 unary op) ---- */

void te_lut_s8(int32_t size, const int8_t *lut, const int8_t *input, int8_t *output)
{
    int32_t i = 0;
#if defined(TE_USE_MVE)
    /* 16 lookups per gather: VLDRB.U8 Qd, [lut, Qoffsets]. */
    for (; i < size; i += 16) {
        const mve_pred16_t pred = vctp8q((uint32_t)(size - i));
        const uint8x16_t idx = vldrbq_z_u8((const uint8_t *)input + i, pred);
        const uint8x16_t v = vldrbq_gather_offset_z_u8((const uint8_t *)lut, idx, pred);
        vstrbq_p_u8((uint8_t *)output + i, v, pred);
    }
#else
#if defined(TE_USE_DSP)
    /* One word in, four lookups, one word out: the four input bytes are read before the
     * output word is written, so in place stays exact. */
    const uint8_t *t = (const uint8_t *)lut;
    for (; i + 4 <= size; i += 4) {
        const uint32_t w = te_read_u32(input + i);
        const uint32_t o = (uint32_t)t[w & 0xFFu] | ((uint32_t)t[(w >> 8) & 0xFFu] << 8) |
                           ((uint32_t)t[(w >> 16) & 0xFFu] << 16) | ((uint32_t)t[w >> 24] << 24);
        te_write_u32(output + i, o);
    }
#endif
    for (; i < size; ++i) {
        output[i] = lut[(uint8_t)input[i]]; /* LUTLookup(int8_t) */
    }
#endif
}

/* ---- int16 interpolated table (LUTPopulate<int16_t> tables) ---- */

void te_lut_s16(int32_t size, const int16_t *lut, const int16_t *input, int16_t *output)
{
    int32_t i;
    for (i = 0; i < size; ++i) {
        const int16_t value = input[i];
        const uint16_t index = (uint16_t)(256 + (value >> 7));
        const int16_t offset = (int16_t)(value & 0x7f);
        const int16_t base = lut[index];
        const int16_t slope = (int16_t)(lut[index + 1] - lut[index]);
        const int32_t delta = ((int32_t)slope * offset + 64) >> 7;
        output[i] = (int16_t)(base + delta);
    }
}

/* ---- RELU / RELU6 (int16) ---- */

#if defined(TE_USE_MVE)
/* Eight int16 lanes as two int32x4 halves (even and odd lanes), f applied to each, narrowed back
 * with saturation (VQMOVNB / VQMOVNT). */
#define TE_MVE_S16_LOOP(f)                                                          \
    for (; i + 8 <= size; i += 8) {                                               \
        const int16x8_t x = vldrhq_s16(input + i);                                \
        int16x8_t out = vdupq_n_s16(0);                                           \
        out = vqmovnbq_s32(out, f(vmovlbq_s16(x)));                               \
        out = vqmovntq_s32(out, f(vmovltq_s16(x)));                               \
        vstrhq_s16(output + i, out);                                              \
    }
#endif

void te_relu_s16(const te_relu_params *p, const int16_t *input, int16_t *output)
{
    int32_t i = 0;
#if defined(TE_USE_MVE)
    const int32_t size = p->size;
    const int32x4_t in_off = vdupq_n_s32(p->input_offset), out_off = vdupq_n_s32(p->output_offset);
    const int32x4_t mult = vdupq_n_s32(p->output_multiplier), shift = vdupq_n_s32(p->output_shift);
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
#define TE_RELU_MVE4(v) vminq_s32(hi, vmaxq_s32(lo, vaddq_s32(out_off, te_mve_requant(vsubq_s32((v), in_off), mult, shift))))
    TE_MVE_S16_LOOP(TE_RELU_MVE4)
#undef TE_RELU_MVE4
#endif
    for (; i < p->size; ++i) {
        const int32_t val = input[i];
        int32_t clamped = p->output_offset + te_multiply_by_quantized_multiplier(
                                                 val - p->input_offset, p->output_multiplier, p->output_shift);
        clamped = te_max_i32(p->act_min, clamped);
        clamped = te_min_i32(p->act_max, clamped);
        output[i] = (int16_t)clamped;
    }
}

/* ---- LEAKY_RELU (int16) ---- */

#if defined(TE_USE_MVE)
/* QuantizeLeakyRelu on four int32 lanes: both branches requantized, the sign of the input picks. */
TE_INLINE int32x4_t te_leaky_relu_mve4(int32x4_t v, int32x4_t mi, int32x4_t si, int32x4_t ma, int32x4_t sa,
                                       int alpha_negative, int32x4_t out_off)
{
    const int32x4_t pos = te_mve_requant(v, mi, si);
    int32x4_t neg = te_mve_requant(v, ma, sa);
    if (alpha_negative) {
        neg = vnegq_s32(neg);
    }
    return vaddq_s32(out_off, vpselq_s32(pos, neg, vcmpgeq_n_s32(v, 0)));
}
#endif

void te_leaky_relu_s16(const te_leaky_relu_params *p, const int16_t *input, int16_t *output)
{
    const int alpha_negative = p->multiplier_alpha < 0;
    const int32_t safe_alpha = alpha_negative ? -p->multiplier_alpha : p->multiplier_alpha;
    int32_t i = 0;
#if defined(TE_USE_MVE)
    const int32_t size = p->size;
    const int32x4_t in_off = vdupq_n_s32(p->input_offset), out_off = vdupq_n_s32(p->output_offset);
    const int32x4_t mi = vdupq_n_s32(p->multiplier_identity), si = vdupq_n_s32(p->shift_identity);
    const int32x4_t ma = vdupq_n_s32(safe_alpha), sa = vdupq_n_s32(p->shift_alpha);
#define TE_LEAKY_MVE4(v) te_leaky_relu_mve4(vsubq_s32((v), in_off), mi, si, ma, sa, alpha_negative, out_off)
    TE_MVE_S16_LOOP(TE_LEAKY_MVE4)
#undef TE_LEAKY_MVE4
#elif defined(TE_USE_DSP)
    /* Both branches rescale with SMMLAR (|v| < 2^17 and multipliers >= 0): te_rq_doubled for right
     * shifts 1..31, te_rq_left for left shifts 0..13 (a factor of exactly 1 among them); one loop
     * per pair of forms. Other shifts take the reference loop below. */
    {
        const int32_t si = p->shift_identity, sa = p->shift_alpha;
        const int32_t mi = p->multiplier_identity, in_off = p->input_offset, out_off = p->output_offset;
        const int right_i = si <= -1 && si >= -31, left_i = si >= 0 && si <= 13;
        const int right_a = sa <= -1 && sa >= -31, left_a = sa >= 0 && sa <= 13;
        const int32_t half_i = right_i ? (int32_t)1 << (-si - 1) : 0, half_a = right_a ? (int32_t)1 << (-sa - 1) : 0;
#define TE_LEAKY_DSP_LOOP(POS, NEG)                                                          \
    for (; i < p->size; ++i) {                                                               \
        const int32_t v = input[i] - in_off;                                                 \
        int32_t r;                                                                           \
        if (v >= 0) {                                                                        \
            r = POS;                                                                         \
        } else {                                                                             \
            r = NEG;                                                                         \
            r = alpha_negative ? -r : r;                                                     \
        }                                                                                    \
        output[i] = (int16_t)te_clamp_i32(out_off + r, -32768, 32767);                       \
    }
#define TE_LR_POS_R te_rq_doubled(2 * v, mi, half_i, -si)
#define TE_LR_POS_L te_rq_left(v, mi, si)
#define TE_LR_NEG_R te_rq_doubled(2 * v, safe_alpha, half_a, -sa)
#define TE_LR_NEG_L te_rq_left(v, safe_alpha, sa)
        if (in_off >= -32768 && in_off <= 32767) { /* |v| < 2^17 */
            if (right_i && right_a) {
                TE_LEAKY_DSP_LOOP(TE_LR_POS_R, TE_LR_NEG_R)
            } else if (right_i && left_a) {
                TE_LEAKY_DSP_LOOP(TE_LR_POS_R, TE_LR_NEG_L)
            } else if (left_i && right_a) {
                TE_LEAKY_DSP_LOOP(TE_LR_POS_L, TE_LR_NEG_R)
            } else if (left_i && left_a) {
                TE_LEAKY_DSP_LOOP(TE_LR_POS_L, TE_LR_NEG_L)
            }
        }
#undef TE_LR_POS_R
#undef TE_LR_POS_L
#undef TE_LR_NEG_R
#undef TE_LR_NEG_L
#undef TE_LEAKY_DSP_LOOP
    }
#endif
    for (; i < p->size; ++i) {
        const int32_t input_value = input[i] - p->input_offset;
        int32_t unclamped = p->output_offset;
        if (input_value >= 0) {
            unclamped += te_multiply_by_quantized_multiplier(input_value, p->multiplier_identity,
                                                             p->shift_identity);
        } else {
            const int32_t scaled = te_multiply_by_quantized_multiplier(input_value, safe_alpha, p->shift_alpha);
            unclamped += alpha_negative ? -scaled : scaled;
        }
        output[i] = (int16_t)te_clamp_i32(unclamped, -32768, 32767);
    }
}

/* ---- TANH / LOGISTIC (int16) ---- */

/* sigmoid(i / 24) in unsigned 0.16 fixed point, the table LiteRT's int16 TANH and LOGISTIC
 * interpolate in (tanh(x) = 2 * sigmoid(2x) - 1). No rounding formula gives these entries (they
 * are up to 1.1 units off the exact values), so they were measured from the reference's outputs:
 * tests/ops/test_sigmoid_table.py derives the table black box from LiteRT's int16 TANH and checks
 * that this copy equals it. */
static const uint16_t te_sigmoid_table_u16[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
    43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
    51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
    61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
    65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
    65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535};

/* The input rescaling both kernels share: x * multiplier, rounded right shift. */
TE_INLINE int32_t te_tanh_input(int16_t x, int32_t mult, int32_t shift)
{
    return ((int32_t)x * mult + (shift > 0 ? (int32_t)1 << (shift - 1) : 0)) >> shift;
}

void te_tanh_s16(const te_tanh_params *p, const int16_t *input, int16_t *output)
{
    int32_t mult = p->input_multiplier, shift = p->input_left_shift;
    int32_t i;
    if (mult == 0) { /* power-of-two input scale */
        mult = 3 << shift;
        shift = 0;
    }
    for (i = 0; i < p->size; ++i) {
        const int32_t x = te_tanh_input(input[i], mult, shift);
        const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
        const uint32_t uh = ax >> 8;
        int32_t result;
        if (uh >= 255) {
            result = 0xFFFF << 8;
        } else {
            const uint32_t ua = te_sigmoid_table_u16[uh];
            const uint32_t ub = te_sigmoid_table_u16[uh + 1];
            const uint32_t ut = ax & 0xFFu;
            result = (int32_t)((ua << 8) + ut * (ub - ua));
        }
        result = x >= 0 ? (result - (1 << (14 + 9)) + (1 << (9 - 2)))
                        : (-result + (1 << (14 + 9)) + (1 << (9 - 2)) - 1);
        output[i] = (int16_t)(result >> (9 - 1));
    }
}

void te_logistic_s16(const te_tanh_params *p, const int16_t *input, int16_t *output)
{
    int32_t mult = p->input_multiplier, shift = p->input_left_shift;
    int32_t i;
    if (mult == 0) {
        mult = 3 << shift;
        shift = 0;
    }
    for (i = 0; i < p->size; ++i) {
        const int32_t x = te_tanh_input(input[i], mult, shift);
        const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
        const uint32_t uh = ax >> 9;
        uint32_t result;
        if (uh >= 255) {
            result = 0x7FFFu << 10;
        } else {
            const uint32_t ua = te_sigmoid_table_u16[uh];
            const uint32_t ub = te_sigmoid_table_u16[uh + 1];
            const uint32_t ut = ax & 0x1FFu;
            result = (ua << 9) + ut * (ub - ua);
        }
        result = x >= 0 ? (result + (1u << 9)) : ((1u << (16 + 9)) - result + (1u << 9) - 1u);
        output[i] = (int16_t)(result >> 10);
    }
}

/* ---- PRELU ---- */

#define TE_PRELU_WALK(ELEM)                                                                       \
    do {                                                                                          \
        int32_t idx[TE_ELEMENTWISE_MAX_DIMS] = {0};                                               \
        const int32_t last = s->ndim - 1;                                                         \
        const int32_t n = s->shape[last];                                                         \
        const int32_t sx = s->stride1[last], sa = s->stride2[last];                               \
        size_t offx = 0, offa = 0;                                                                \
        int32_t d, j;                                                                             \
        for (;;) {                                                                                \
            for (j = 0; j < n; ++j) {                                                             \
                ELEM(input[offx + (size_t)j * (size_t)sx], alpha[offa + (size_t)j * (size_t)sa], \
                     output[offx + (size_t)j * (size_t)sx]);                                      \
            }                                                                                     \
            for (d = last - 1; d >= 0; --d) {                                                     \
                if (++idx[d] < s->shape[d]) {                                                     \
                    offx += (size_t)s->stride1[d];                                                \
                    offa += (size_t)s->stride2[d];                                                \
                    break;                                                                        \
                }                                                                                 \
                idx[d] = 0;                                                                       \
                offx -= (size_t)s->stride1[d] * (size_t)(s->shape[d] - 1);                        \
                offa -= (size_t)s->stride2[d] * (size_t)(s->shape[d] - 1);                        \
            }                                                                                     \
            if (d < 0) {                                                                          \
                break;                                                                            \
            }                                                                                     \
        }                                                                                         \
    } while (0)

TE_INLINE int32_t te_prelu_value(const te_prelu_params *p, int32_t x, int32_t a)
{
    const int32_t input_value = p->input_offset + x;
    int32_t out;
    if (input_value >= 0) {
        out = te_multiply_by_quantized_multiplier(input_value, p->output_multiplier_1, p->output_shift_1);
    } else {
        const int32_t alpha_value = p->alpha_offset + a;
        out = te_multiply_by_quantized_multiplier(input_value * alpha_value, p->output_multiplier_2,
                                                  p->output_shift_2);
    }
    return out + p->output_offset;
}

#define TE_PRELU_S8(x, a, out) (out) = (int8_t)te_clamp_i32(te_prelu_value(p, (x), (a)), -128, 127)
#define TE_PRELU_S16(x, a, out) (out) = (int16_t)te_clamp_i32(te_prelu_value(p, (x), (a)), -32768, 32767)
#define TE_PRELU_F32(x, a, out)                      \
    do {                                             \
        const float xv_ = (x);                       \
        (out) = xv_ >= 0.0f ? xv_ : xv_ * (a);       \
    } while (0)

/* The input and the output walk the same (output) layout: each output element reads only its
 * own input element, so in place is exact. */
void te_prelu_s8(const te_prelu_params *p, const te_broadcast_shape *s, const int8_t *input,
                 const int8_t *alpha, int8_t *output)
{
    TE_PRELU_WALK(TE_PRELU_S8);
}

void te_prelu_s16(const te_prelu_params *p, const te_broadcast_shape *s, const int16_t *input,
                  const int8_t *alpha, int16_t *output)
{
    TE_PRELU_WALK(TE_PRELU_S16);
}

void te_prelu_f32(const te_broadcast_shape *s, const float *input, const float *alpha, float *output)
{
    TE_PRELU_WALK(TE_PRELU_F32);
}

/* ---- float ---- */

#define TE_UNARY_F32(name, expr)                                                 \
    void name(const te_unary_f32_params *p, const float *input, float *output)  \
    {                                                                            \
        int32_t i;                                                               \
        for (i = 0; i < p->size; ++i) {                                          \
            const float x = input[i];                                            \
            output[i] = (expr);                                                  \
        }                                                                        \
    }

/* Relu: val < 0 ? 0 : val. */
TE_UNARY_F32(te_relu_f32, x < p->lo ? p->lo : x)
/* Relu6 / Relu1 / Relu0To1: val > upper ? upper : val < lower ? lower : val. */
TE_UNARY_F32(te_relu_n_f32, x > p->hi ? p->hi : (x < p->lo ? p->lo : x))
/* LeakyRelu<float>: val > 0 ? val : val * alpha. */
TE_UNARY_F32(te_leaky_relu_f32, x > 0.0f ? x : x * p->lo)
/* HardSwish<float>: in * std::min(6, std::max(0, in + 3)) / 6, in that order
 * (std::max(a, b) is a < b ? b : a, std::min(a, b) is b < a ? b : a). */
TE_INLINE float te_hard_swish_value(float x)
{
    const float relu = 0.0f < x + 3.0f ? x + 3.0f : 0.0f;
    const float relu6 = relu < 6.0f ? relu : 6.0f;
    return x * relu6 / 6.0f;
}
TE_UNARY_F32(te_hard_swish_f32, te_hard_swish_value(x))
TE_UNARY_F32(te_abs_f32, fabsf(x))
TE_UNARY_F32(te_neg_f32, -x)
TE_UNARY_F32(te_square_f32, x * x)
/* IEEE sqrt is correctly rounded: hardware VSQRT and a soft-float sqrtf give the same bits. */
TE_UNARY_F32(te_sqrt_f32, sqrtf(x))
TE_UNARY_F32(te_rsqrt_f32, 1.0f / sqrtf(x))
TE_UNARY_F32(te_floor_f32, floorf(x))
/* Ceil: ceil(x) = -floor(-x), which keeps -0.0 for -1 < x <= -0 and a NaN's sign and payload. */
TE_UNARY_F32(te_ceil_f32, -te_floorf(-x))
/* round.h RoundToNearest: floor, then up when the rest is above one half, or exactly one half
 * and the floor odd ((int)floor_val % 2; a rest of one half needs |x| < 2^23, so the cast is
 * defined there). NaN and infinities take the "+ 1" branch, as there; -0.3 gives +0.0. */
TE_INLINE float te_round_to_nearest(float x)
{
    const float floor_val = te_floorf(x);
    const float diff = x - floor_val;
    if (diff < 0.5f || (diff == 0.5f && ((int32_t)floor_val % 2) == 0)) {
        return floor_val;
    }
    return floor_val + 1.0f;
}
TE_UNARY_F32(te_round_f32, te_round_to_nearest(x))

/* ---- CAST ----
 * cast.cc CastValue: integer <-> integer and integer -> float are C conversions (integers wrap
 * modulo 2^n, floats round to nearest); float -> integer truncates toward zero and saturates
 * (NaN gives the maximum); anything -> bool is "!= 0". The legacy uint8 storage (uint8 values
 * kept as int8 = value - 128, "u8f") reads and writes through a flip of bit 7. */
#define TE_RD_s8(x) ((int32_t)(x))
#define TE_RD_u8(x) ((int32_t)(x))
#define TE_RD_u8f(x) ((int32_t)(uint8_t)((uint8_t)(x) ^ 0x80u))
#define TE_RD_s16(x) ((int32_t)(x))
#define TE_RD_s32(x) ((int32_t)(x))
#define TE_RD_s64(x) ((int64_t)(x))
#define TE_RD_f32(x) ((float)(x))
#define TE_RD_b(x) ((int32_t)((x) != 0))

/* Integer targets: wrap (two's complement truncation, as the C++ static_cast does on every
 * target we support). */
#define TE_WR_INT_s8(v) ((int8_t)(uint8_t)(uint64_t)(int64_t)(v))
#define TE_WR_INT_u8(v) ((uint8_t)(uint64_t)(int64_t)(v))
#define TE_WR_INT_u8f(v) ((int8_t)(uint8_t)((uint8_t)(uint64_t)(int64_t)(v) ^ 0x80u))
#define TE_WR_INT_s16(v) ((int16_t)(uint16_t)(uint64_t)(int64_t)(v))
#define TE_WR_INT_s32(v) ((int32_t)(uint32_t)(uint64_t)(int64_t)(v))
#define TE_WR_INT_s64(v) ((int64_t)(v))
#define TE_WR_INT_f32(v) ((float)(v))
#define TE_WR_INT_b(v) ((uint8_t)((v) != 0))

/* Float -> integer: NaN -> max, >= 2^(n-1) (or 2^n unsigned) -> max, below the minimum -> min. */
#define TE_F2I(x, lo, hi_excl, maxv, T) \
    ((x) != (x) ? (T)(maxv) : ((x) >= (hi_excl) ? (T)(maxv) : ((x) < (lo) ? (T)(lo) : (T)(x))))
#define TE_WR_F_s8(x) TE_F2I(x, -128.0f, 128.0f, 127, int8_t)
#define TE_WR_F_u8(x) TE_F2I(x, 0.0f, 256.0f, 255, uint8_t)
#define TE_WR_F_u8f(x) ((int8_t)(uint8_t)(TE_F2I(x, 0.0f, 256.0f, 255, uint8_t) ^ 0x80u))
#define TE_WR_F_s16(x) TE_F2I(x, -32768.0f, 32768.0f, 32767, int16_t)
#define TE_WR_F_s32(x) TE_F2I(x, -2147483648.0f, 2147483648.0f, INT32_MAX, int32_t)
#define TE_WR_F_s64(x) TE_F2I(x, -9223372036854775808.0f, 9223372036854775808.0f, INT64_MAX, int64_t)
#define TE_WR_F_f32(x) (x)
#define TE_WR_F_b(x) ((uint8_t)((x) != 0.0f))

#define TE_CT_s8 int8_t
#define TE_CT_u8 uint8_t
#define TE_CT_u8f int8_t
#define TE_CT_s16 int16_t
#define TE_CT_s32 int32_t
#define TE_CT_s64 int64_t
#define TE_CT_f32 float
#define TE_CT_b uint8_t

#define TE_CAST_FN(from, to, WR)                                                                      \
    void te_cast_##from##_##to(int32_t size, const TE_CT_##from *input, TE_CT_##to *output)          \
    {                                                                                                 \
        int32_t i;                                                                                    \
        for (i = 0; i < size; ++i) {                                                                  \
            output[i] = WR##to(TE_RD_##from(input[i]));                                               \
        }                                                                                             \
    }
#define TE_CAST_INT_FROM(from)                                                                        \
    TE_CAST_FN(from, s8, TE_WR_INT_) TE_CAST_FN(from, u8, TE_WR_INT_) TE_CAST_FN(from, u8f, TE_WR_INT_) \
    TE_CAST_FN(from, s16, TE_WR_INT_) TE_CAST_FN(from, s32, TE_WR_INT_) TE_CAST_FN(from, s64, TE_WR_INT_) \
    TE_CAST_FN(from, f32, TE_WR_INT_) TE_CAST_FN(from, b, TE_WR_INT_)

TE_CAST_INT_FROM(s8)
TE_CAST_INT_FROM(u8)
TE_CAST_INT_FROM(u8f)
TE_CAST_INT_FROM(s16)
TE_CAST_INT_FROM(s32)
TE_CAST_INT_FROM(s64)
TE_CAST_INT_FROM(b)
TE_CAST_FN(f32, s8, TE_WR_F_)
TE_CAST_FN(f32, u8, TE_WR_F_)
TE_CAST_FN(f32, u8f, TE_WR_F_)
TE_CAST_FN(f32, s16, TE_WR_F_)
TE_CAST_FN(f32, s32, TE_WR_F_)
TE_CAST_FN(f32, s64, TE_WR_F_)
TE_CAST_FN(f32, f32, TE_WR_F_)
TE_CAST_FN(f32, b, TE_WR_F_)

/* ---- L2_NORMALIZATION ---- */

void te_l2_normalization_s8(const te_l2norm_params *p, const int8_t *input, int8_t *output)
{
    int32_t o, c;
    for (o = 0; o < p->outer; ++o) {
        const int8_t *x = input + (size_t)o * (size_t)p->depth;
        int8_t *y = output + (size_t)o * (size_t)p->depth;
        int32_t acc = 0, mult, shift;
        for (c = 0; c < p->depth; ++c) {
            const int32_t v = x[c] - p->input_zero_point;
            acc += v * v;
        }
        te_inv_sqrt_quantized_multiplier_exp(acc, &mult, &shift);
        for (c = 0; c < p->depth; ++c) {
            const int32_t v = x[c] - p->input_zero_point;
            int32_t out;
            if (p->legacy_uint8) {
                /* reference_ops::L2Normalization<uint8_t>: 128 * diff, zero point 128, [0, 255];
                 * stored 128 lower. */
                out = 128 + te_rounding_divide_by_pot(te_sat_rounding_doubling_high_mul(128 * v, mult), -shift);
                out = te_clamp_i32(out, 0, 255) - 128;
            } else {
                out = te_clamp_i32(te_multiply_by_quantized_multiplier(v, mult, shift + 7), -128, 127);
            }
            y[c] = (int8_t)out;
        }
    }
}

void te_l2_normalization_f32(const te_l2norm_params *p, const float *input, float *output)
{
    int32_t o, c;
    for (o = 0; o < p->outer; ++o) {
        const float *x = input + (size_t)o * (size_t)p->depth;
        float *y = output + (size_t)o * (size_t)p->depth;
        float squared = 0.0f, norm;
        for (c = 0; c < p->depth; ++c) {
            squared += x[c] * x[c];
        }
        norm = sqrtf(squared);
        norm = norm < 1e-6f ? 1e-6f : norm; /* std::max(l2_norm, epsilon) */
        for (c = 0; c < p->depth; ++c) {
            y[c] = x[c] / norm;
        }
    }
}

/* ---- ABS / NEG / SQRT on int16, int32, int64 ---- */

/* AbsEvalQuantized<int16_t>: |x - zero point|, rescaled when the scales differ (the identity
 * multiplier 2^30, shift 1 otherwise), plus the output zero point, saturated. */
void te_abs_s16(const te_relu_params *p, const int16_t *input, int16_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const int32_t v = input[i] - p->input_offset;
        const int32_t out = p->output_offset + te_multiply_by_quantized_multiplier(v < 0 ? -v : v, p->output_multiplier,
                                                                                  p->output_shift);
        output[i] = (int16_t)te_clamp_i32(out, p->act_min, p->act_max);
    }
}

/* std::abs on int32 (INT32_MIN stays INT32_MIN, as on the reference's build). */
void te_abs_s32(int32_t size, const int32_t *input, int32_t *output)
{
    int32_t i;
    for (i = 0; i < size; ++i) {
        output[i] = input[i] < 0 ? (int32_t)(0u - (uint32_t)input[i]) : input[i];
    }
}

/* reference_ops::Negate: -x, wrapping at the type's minimum. */
void te_neg_s16(int32_t size, const int16_t *input, int16_t *output)
{
    int32_t i;
    for (i = 0; i < size; ++i) {
        output[i] = (int16_t)(uint16_t)(0u - (uint32_t)(uint16_t)input[i]);
    }
}

void te_neg_s32(int32_t size, const int32_t *input, int32_t *output)
{
    int32_t i;
    for (i = 0; i < size; ++i) {
        output[i] = (int32_t)(0u - (uint32_t)input[i]);
    }
}

void te_neg_s64(int32_t size, const int64_t *input, int64_t *output)
{
    int32_t i;
    for (i = 0; i < size; ++i) {
        output[i] = (int64_t)((uint64_t)0 - (uint64_t)input[i]);
    }
}

/* SqrtEvalQuantized<int16_t>: sqrtf(scale * (x - zp)) / output_scale truncated to int (an out of
 * range float gives INT32_MIN, as x86-64's CVTTSS2SI), plus the output zero point, saturated. */
void te_sqrt_s16(const te_sqrt_params *p, const int16_t *input, int16_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const float dequantized = p->input_scale * (float)(input[i] - p->input_zero_point);
        const float q = sqrtf(dequantized) / p->output_scale;
        const int32_t t = (q >= -2147483648.0f && q < 2147483648.0f) ? (int32_t)q : INT32_MIN;
        const int32_t out = (int32_t)((uint32_t)t + (uint32_t)p->output_zero_point);
        output[i] = (int16_t)te_clamp_i32(out, -32768, 32767);
    }
}
