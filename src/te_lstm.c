/* tinyengine: UNIDIRECTIONAL_SEQUENCE_LSTM kernels (see include/tinyengine/te_lstm.h).
 *
 * The arithmetic is LiteRT's reference integer LSTM (lstm_eval.cc LstmStepInteger8x8_16 and the
 * portable tensor utils it calls): int32 gate accumulators requantized with the double-rounding
 * MultiplyByQuantizedMultiplier to Q3.12 int16, gemmlowp's int16 fixed-point logistic / tanh,
 * then the cell and hidden updates. A row (one step of one sequence) runs in two phases:
 *  A. the four gates' pre-activations of every cell (int16, scratch): the weights of a cell's
 *     four gates are interleaved, so one pass over the inputs feeds all four;
 *  B. per cell: the activations, the cell state and the hidden output.
 *
 * Portable path: the reference's operations as written, the activations replaying gemmlowp's int16
 * fixed point (exp by a polynomial and a barrel shifter, 1 / (1 + x) by three Newton-Raphson steps).
 *
 * DSP path (same bytes):
 *  - phase A on int16 weights and inputs widened once per row (SXTB16 order): per group of four
 *    columns one LDRD of the two input words, two LDM of the four gates' words and eight SMLAD,
 *    16 multiply-accumulates in 11 instructions (hand-written on Arm, the same operations in C
 *    elsewhere);
 *  - with fast_rq the weights and biases are doubled, so the accumulator holds 2 * acc and
 *    SaturatingRoundingDoublingHighMul(acc, m) = floor((acc * m + 2^30) / 2^31) is one SMMLAR
 *    (floor((2 * acc * m + 2^31) / 2^32)), which also adds the rounding constant 2^(e-1) of the
 *    right shift by e; RoundingDivideByPOT then subtracts 1 for negative values, whose sign is the
 *    accumulator's (the multiplier is positive, and a zero product rounds to 0 either way);
 *  - exp_on_negative_values comes from a table of its values on [-1, 0) (generator-built with
 *    gemmlowp's arithmetic: the polynomial and the barrel shifter's steps for 1/4 and 1/2), the
 *    shifter's remaining steps (exp(-1), exp(-2), ...) follow;
 *  - gemmlowp's reciprocal: the three Newton steps add multiples of 4 to the start
 *    x0 = 48/17 - 32/17 * hd (they end with a saturating x4), so the result is
 *    x0 + 4 * (floor((floor(2^30 / hd) - 4 * x0) / 16) + bit(hd)) with one generator-checked
 *    correction bit per half denominator hd (one UDIV: every DSP core has it).
 */
#include <stddef.h>
#include <string.h>

#include "tinyengine/te_lstm.h"
#include "tinyengine/te_simd.h"

/* Phase A in hand-written Thumb-2 (the Arm DSP cores; fast_rq models). */
#if defined(TE_USE_DSP) && defined(__GNUC__) && defined(__ARM_FEATURE_DSP) && defined(__thumb2__) && \
    !defined(TE_EMULATE_DSP) && !defined(TE_NO_INLINE_ASM)
#define LSTM_ASM 1
#endif

/* gemmlowp constants as int16 raw values (RescaleConstantInitializer of its int32 constants). */
#define FX_EXP_MINUS_1_8 28918   /* exp(-1/8), Q0.15 */
#define FX_ONE_THIRD 10923       /* 1/3, Q0.15 */
#define FX_48_17 23130           /* 48/17, Q2.13 */
#define FX_MINUS_32_17 (-15420)  /* -32/17, Q2.13 */
#define FX_ONE_Q2_13 8192

/* exp(-2^e), e = -2 .. 4 (Q0.15): the barrel shifter's multipliers. */
#define FX_EXP_M0 25520
#define FX_EXP_M1 19875
#define FX_EXP_M2 12055
#define FX_EXP_M3 4435
#define FX_EXP_M4 600
#define FX_EXP_M5 11
#define FX_EXP_M6 0

/* ---- int16 helpers ---------------------------------------------------------------------------- */

/* Two's complement wrap to int16 (gemmlowp's int16 additions), without implementation-defined casts. */
TE_INLINE int32_t lstm_wrap16(int32_t v)
{
    return (int32_t)(((uint32_t)v & 0xFFFFu) ^ 0x8000u) - 0x8000;
}

TE_INLINE int32_t lstm_sat16(int32_t v)
{
#if defined(TE_USE_DSP) && defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP)
    return __ssat(v, 16);
#else
    return te_clamp_i32(v, -32768, 32767);
#endif
}

/* SaturatingRoundingDoublingHighMul on int16 values: gemmlowp's nudge-and-truncate is a floor shift. */
TE_INLINE int32_t fx_mul(int32_t a, int32_t b)
{
    if (a == -32768 && b == -32768) {
        return 32767;
    }
    return (a * b + (1 << 14)) >> 15;
}

/* ---- gemmlowp's exp and reciprocal, as the reference computes them (portable path) --------- */

#if !defined(TE_USE_DSP)

/* SaturatingRoundingMultiplyByPOT<e>, e > 0, on int16. */
static int32_t fx_sat_shl(int32_t x, int32_t e)
{
    const int32_t thr = (1 << (15 - e)) - 1;
    return x > thr ? 32767 : (x < -thr ? -32768 : x * (1 << e));
}

/* exp(a) for a in [-1/4, 0) (Q0.15): Taylor expansion around -1/8. */
static int32_t fx_exp_interval(int32_t a)
{
    const int32_t x = lstm_wrap16(a + 4096);
    const int32_t x2 = fx_mul(x, x);
    const int32_t x3 = fx_mul(x2, x);
    const int32_t x4 = fx_mul(x2, x2);
    int32_t t = lstm_wrap16(fx_mul(lstm_wrap16(te_rounding_divide_by_pot(x4, 2) + x3), FX_ONE_THIRD) + x2);
    t = te_rounding_divide_by_pot(t, 1);
    return lstm_sat16(FX_EXP_MINUS_1_8 + fx_mul(FX_EXP_MINUS_1_8, lstm_wrap16(x + t)));
}

/* exp_on_negative_values<k>(a), a <= 0 in Q(k).(15-k), 1 <= k <= 7; Q0.15 result. */
static int32_t fx_exp_negative(int32_t a, int32_t k)
{
    static const int16_t barrel[7] = {FX_EXP_M0, FX_EXP_M1, FX_EXP_M2, FX_EXP_M3, FX_EXP_M4, FX_EXP_M5, FX_EXP_M6};
    const int32_t qbits = 13 - k; /* a quarter is 2^qbits */
    const int32_t a_mod = (a & ((1 << qbits) - 1)) - (1 << qbits);
    const int32_t remainder = a_mod - a;
    const int32_t steps = k < 5 ? k + 2 : 7; /* exp(-2^e) for e = -2 .. min(k - 1, 4) */
    int32_t result = fx_exp_interval(fx_sat_shl(a_mod, k)), i;
    for (i = 0; i < steps; ++i) {
        if (remainder & (1 << (qbits + i))) {
            result = fx_mul(result, barrel[i]);
        }
    }
    if (k > 5 && a < -(1 << (20 - k))) {
        result = 0; /* below -32 */
    }
    return a == 0 ? 32767 : result;
}

/* The Q2.13 value after the three Newton-Raphson steps of one_over_one_plus_x_for_x_in_0_1 and
 * one_minus_x_over_one_plus_x_for_x_in_0_1 (they share them) for x = e in Q0.15, e >= 0. */
static int32_t fx_reciprocal(int32_t e)
{
    const int32_t hd = (e + 32768) >> 1; /* RoundingHalfSum(e, 1) for e >= 0 */
    int32_t x = lstm_wrap16(FX_48_17 + fx_mul(hd, FX_MINUS_32_17));
    int32_t i;
    for (i = 0; i < 3; ++i) {
        const int32_t one_minus = lstm_wrap16(FX_ONE_Q2_13 - fx_mul(hd, x));
        x = lstm_wrap16(x + fx_sat_shl(fx_mul(x, one_minus), 2));
    }
    return x;
}

/* gemmlowp::logistic on Q3.12. */
static int32_t lstm_sigmoid(int32_t x, const te_lstm_weights *w, const te_lstm_params *p)
{
    const int32_t magnitude = x > 0 ? x : lstm_wrap16(-x);
    const int32_t r = fx_reciprocal(fx_exp_negative(lstm_wrap16(-magnitude), 3));
    const int32_t positive = r > 16383 ? 32767 : 2 * r; /* Rescale<0> of r / 2 (Q1.14) */
    (void)w;
    (void)p;
    return x == 0 ? 16384 : (x > 0 ? positive : 32767 - positive);
}

/* gemmlowp::tanh on Q(bits).(15-bits), 0 <= bits <= 6: (1 - exp(-2|x|)) / (1 + exp(-2|x|)), the
 * exp taken on the same raw value with one more integer bit. */
static int32_t lstm_tanh(int32_t x, int32_t bits, const te_lstm_weights *w, const te_lstm_params *p)
{
    const int32_t n = x < 0 ? x : lstm_wrap16(-x);
    const int32_t v = fx_reciprocal(fx_exp_negative(n, bits + 1)) - FX_ONE_Q2_13;
    const int32_t t = v > 8191 ? 32767 : (v < -8191 ? -32768 : 4 * v);
    (void)w;
    (void)p;
    return x == 0 ? 0 : (x < 0 ? lstm_wrap16(-t) : t);
}

#else /* TE_USE_DSP */

/* ---- the same functions from the tables ------------------------------------------------------ */

/* Barrel-shifter step i (multiplier exp(-2^(i - 2))) when bit i - tq of q is set. */
#define LSTM_BARREL(i, m)                                                     \
    if ((i) >= tq && (i) < steps && (q & (1 << ((i) - tq)))) {                \
        result = te_smlabb((uint32_t)result, (uint32_t)(m), 1 << 14) >> 15;   \
    }

/* exp_on_negative_values<k>(a), a < 0 (a == 0 is the callers' business), from a table of its
 * values on the last 2^tq quarters (te_lstm.h) and the remaining barrel-shifter steps; k and tq
 * are constants after inlining on the gates' paths. */
TE_INLINE int32_t lstm_exp(int32_t a, int32_t k, int32_t tq, const int16_t *table)
{
    const int32_t span = 13 - k + tq; /* the table covers [-2^span, 0) */
    const int32_t steps = k < 5 ? k + 2 : 7; /* multipliers exp(-2^e) for e = -2 .. min(k - 1, 4) */
    /* The quarters below the table's span, >> tq: a = j - 2^span * (q + 1), 0 <= j < 2^span, so
     * q = floor((-a - 1) / 2^span) = ~(a >> span). */
    const int32_t q = ~(a >> span);
    int32_t result = table[a & ((1 << span) - 1)];
    LSTM_BARREL(0, FX_EXP_M0)
    LSTM_BARREL(1, FX_EXP_M1)
    LSTM_BARREL(2, FX_EXP_M2)
    LSTM_BARREL(3, FX_EXP_M3)
    LSTM_BARREL(4, FX_EXP_M4)
    LSTM_BARREL(5, FX_EXP_M5)
    if (k > 4 && q & (1 << (6 - tq))) {
        result = 0; /* exp(-16) is 0 in Q0.15 */
    }
    if (k > 5 && a < -(1 << (20 - k))) {
        result = 0;
    }
    return result;
}

/* Rotate right by n mod 32 (ROR by register: the shift is the low byte, the rotation mod 32). */
TE_INLINE uint32_t lstm_ror(uint32_t v, uint32_t n)
{
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(TE_EMULATE_DSP) && !defined(TE_NO_INLINE_ASM)
    uint32_t r;
    __asm__("ror %0, %1, %2" : "=r"(r) : "r"(v), "r"(n));
    return r;
#else
    n &= 31u;
    return n ? (v >> n) | (v << (32u - n)) : v;
#endif
}

/* fx_reciprocal with one division and one table bit (see the top of the file): bit hd - 2^14 of
 * the table, i.e. bit hd mod 32 of word e / 64. */
TE_INLINE int32_t lstm_reciprocal(int32_t e, const uint32_t *bits)
{
    const uint32_t hd = (uint32_t)(e + 32768) >> 1;
    const int32_t x0 = FX_48_17 + (((int32_t)hd * FX_MINUS_32_17 + (1 << 14)) >> 15);
    const int32_t bit = (int32_t)(lstm_ror(bits[(uint32_t)e >> 6], hd) & 1u);
    return x0 + 4 * ((((int32_t)((1u << 30) / hd) - 4 * x0) >> 4) + bit);
}

/* gemmlowp::logistic on Q3.12 (exp with 3 integer bits). */
TE_INLINE int32_t lstm_sigmoid_t(int32_t x, const int16_t *table, const uint32_t *bits)
{
    int32_t r;
    if (x == 0) {
        return 16384;
    }
    /* exp(-|x|); |-32768| wraps to -32768 in the reference, i.e. exp(-8) as well */
    r = lstm_sat16(2 * lstm_reciprocal(lstm_exp(x > 0 ? -x : x, 3, 2, table), bits));
    return x > 0 ? r : 32767 - r;
}

/* gemmlowp::tanh on Q(k - 1).(16 - k): exp with k integer bits. */
TE_INLINE int32_t lstm_tanh_t(int32_t x, int32_t k, const int16_t *table, const uint32_t *bits)
{
    int32_t t;
    if (x == 0) {
        return 0;
    }
    t = lstm_reciprocal(lstm_exp(x < 0 ? x : -x, k, k > 2 ? 2 : k - 1, table), bits);
    t = lstm_sat16(4 * (t - FX_ONE_Q2_13));
    return x < 0 ? -t : t;
}

static int32_t lstm_sigmoid(int32_t x, const te_lstm_weights *w, const te_lstm_params *p)
{
    (void)p;
    return lstm_sigmoid_t(x, w->exp_sigmoid, w->recip_bits);
}

static int32_t lstm_tanh(int32_t x, int32_t bits, const te_lstm_weights *w, const te_lstm_params *p)
{
    const int16_t *table = bits == 3 ? w->exp_tanh : (bits == 15 + p->cell_scale ? w->exp_hidden : NULL);
    if (table == NULL) {
        return 0; /* no table for this format: callers (the tests) ask for the model's formats only */
    }
    return lstm_tanh_t(x, bits + 1, table, w->recip_bits);
}

#endif /* TE_USE_DSP */

/* ---- phase A: pre-activations --------------------------------------------------------------- */

/* The state of phase A across cells (the assembly reads it at fixed offsets). */
typedef struct {
    const int16_t *x;      /* 0: widened input row */
    const int16_t *w;      /* 4: next cell's weights (input block, then recurrent block) */
    const int32_t *bias;   /* 8: next biases (the input side's four, then the recurrent side's) */
    int32_t in_groups;     /* 12 */
    const int16_t *h;      /* 16: widened hidden state */
    int32_t rec_groups;    /* 20 */
    const int32_t *rq;     /* 24: gate_rq */
    int16_t *pre;          /* 28: next cell's four pre-activations */
    int16_t *pre_end;      /* 32 */
    int32_t from_x[4];     /* 36: the input side's requantized gates */
} lstm_job;

#if defined(LSTM_ASM)

/* The offsets above hold where pointers are 32-bit (every target of the assembly). */
typedef char lstm_job_layout_check[(offsetof(lstm_job, rq) == 24 && offsetof(lstm_job, from_x) == 36) ? 1 : -1];

/* One group of four columns: r1 vector, r2 weights, r9-r12 the four gates' sums; r3 / r7 the
 * vector words (columns 4j, 4j+2 / 4j+1, 4j+3), r4-r6, r8 the weight words. */
#define LSTM_GROUP                        \
    "ldrd   r3, r7, [r1], #8\n\t"         \
    "ldmia  r2!, {r4, r5, r6, r8}\n\t"    \
    "smlad  r9, r4, r3, r9\n\t"           \
    "smlad  r10, r5, r3, r10\n\t"         \
    "smlad  r11, r6, r3, r11\n\t"         \
    "smlad  r12, r8, r3, r12\n\t"         \
    "ldmia  r2!, {r4, r5, r6, r8}\n\t"    \
    "smlad  r9, r4, r7, r9\n\t"           \
    "smlad  r10, r5, r7, r10\n\t"         \
    "smlad  r11, r6, r7, r11\n\t"         \
    "smlad  r12, r8, r7, r12\n\t"

/* lr groups, two per pass, an odd count entering at the second. */
#define LSTM_GROUPS(top, mid)             \
    "adds   lr, lr, #1\n\t"               \
    "lsrs   lr, lr, #1\n\t"               \
    "bcc    " mid "f\n\t"                 \
    top ":\n\t"                           \
    LSTM_GROUP                            \
    mid ":\n\t"                           \
    LSTM_GROUP                            \
    "subs   lr, lr, #1\n\t"               \
    "bne    " top "b\n\t"

/* Requantize sum `acc` with the next (mult, half, e) at r1: r8 = (SMMLAR - sign) >> e. */
#define LSTM_RQ(acc)                            \
    "ldmia  r1!, {r4, r5, r6}\n\t"              \
    "smmlar r8, " acc ", r4, r5\n\t"            \
    "sub    r8, r8, " acc ", lsr #31\n\t"       \
    "asr    r8, r8, r6\n\t"

#define LSTM_RQ_X(acc) LSTM_RQ(acc) "ssat   " acc ", #16, r8\n\t"
#define LSTM_RQ_H(acc) LSTM_RQ(acc) "ldr    r3, [r7], #4\n\t" "add    r8, r8, r3\n\t" "ssat   " acc ", #16, r8\n\t"

/* Phase A for the cells up to job->pre_end (at least one) with fast_rq. */
__attribute__((naked, noinline)) static void lstm_pre_asm(lstm_job *job __attribute__((unused)))
{
    __asm__ volatile(
        "push   {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n\t"
        "7:\n\t"
        /* input side: sums from the biases, requantized to from_x */
        "ldm    r0, {r1, r2, r3, lr}\n\t"
        "ldmia  r3!, {r9, r10, r11, r12}\n\t"
        "str    r3, [r0, #8]\n\t"
        LSTM_GROUPS("3", "4")
        "ldr    r1, [r0, #24]\n\t"
        LSTM_RQ_X("r9")
        LSTM_RQ_X("r10")
        LSTM_RQ_X("r11")
        LSTM_RQ_X("r12")
        "strd   r9, r10, [r0, #36]\n\t"
        "strd   r11, r12, [r0, #44]\n\t"
        /* recurrent side (r2 is at the cell's recurrent block), plus from_x, saturated */
        "ldr    r3, [r0, #8]\n\t"
        "ldr    r1, [r0, #16]\n\t"
        "ldr    lr, [r0, #20]\n\t"
        "ldmia  r3!, {r9, r10, r11, r12}\n\t"
        "str    r3, [r0, #8]\n\t"
        LSTM_GROUPS("5", "6")
        "str    r2, [r0, #4]\n\t"
        "ldr    r1, [r0, #24]\n\t"
        "add    r1, r1, #48\n\t"
        "add    r7, r0, #36\n\t"
        LSTM_RQ_H("r9")
        LSTM_RQ_H("r10")
        LSTM_RQ_H("r11")
        LSTM_RQ_H("r12")
        "pkhbt  r9, r9, r10, lsl #16\n\t"
        "pkhbt  r11, r11, r12, lsl #16\n\t"
        "ldr    r2, [r0, #28]\n\t"
        "strd   r9, r11, [r2], #8\n\t"
        "str    r2, [r0, #28]\n\t"
        "ldr    r1, [r0, #32]\n\t"
        "cmp    r2, r1\n\t"
        "bne    7b\n\t"
        "pop    {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n\t");
}

#endif /* LSTM_ASM */

/* acc[g] += row g of one cell's packed weights . the widened vector, over `groups` groups. */
TE_INLINE void lstm_dot4(const int16_t *x, const int16_t *w, int32_t groups, int32_t acc[4])
{
#if defined(TE_USE_DSP)
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    for (; groups > 0; --groups, x += 4, w += 16) {
        const uint32_t xe = te_read_u32(x), xo = te_read_u32(x + 2);
        a0 = te_smlad(te_read_u32(w + 8), xo, te_smlad(te_read_u32(w), xe, a0));
        a1 = te_smlad(te_read_u32(w + 10), xo, te_smlad(te_read_u32(w + 2), xe, a1));
        a2 = te_smlad(te_read_u32(w + 12), xo, te_smlad(te_read_u32(w + 4), xe, a2));
        a3 = te_smlad(te_read_u32(w + 14), xo, te_smlad(te_read_u32(w + 6), xe, a3));
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
#else
    /* Halfword 8 * b + 2 * g + a of a group is gate g's weight of column 2 * a + b; the widened
     * vector holds that column at 2 * b + a. int32 sums wrap like the reference's. */
    int32_t g, i;
    uint32_t s[4];
    for (g = 0; g < 4; ++g) {
        s[g] = (uint32_t)acc[g];
    }
    for (; groups > 0; --groups, x += 4, w += 16) {
        for (i = 0; i < 4; ++i) {
            const int32_t xv = x[i]; /* i = 2 * b + a */
            const int16_t *wi = w + 8 * (i >> 1) + (i & 1);
            for (g = 0; g < 4; ++g) {
                s[g] += (uint32_t)(wi[2 * g] * xv);
            }
        }
    }
    for (g = 0; g < 4; ++g) {
        acc[g] = (int32_t)s[g];
    }
#endif
}

/* Phase A in C: the same sums and the same requantization. */
static void lstm_pre(const te_lstm_params *p, lstm_job *j)
{
    for (; j->pre != j->pre_end; j->pre += 4) {
        int32_t ax[4], ah[4], g;
        for (g = 0; g < 4; ++g) {
            ax[g] = j->bias[g];
            ah[g] = j->bias[4 + g];
        }
        lstm_dot4(j->x, j->w, j->in_groups, ax);
        j->w += 16 * j->in_groups;
        lstm_dot4(j->h, j->w, j->rec_groups, ah);
        j->w += 16 * j->rec_groups;
        j->bias += 8;
        for (g = 0; g < 4; ++g) {
            int32_t from_x, from_h;
#if defined(TE_USE_DSP)
            if (p->fast_rq) {
                const int32_t *rx = p->gate_rq + 3 * g, *rh = p->gate_rq + 12 + 3 * g;
                from_x = te_rq_doubled(ax[g], rx[0], rx[1], rx[2]);
                from_h = te_rq_doubled(ah[g], rh[0], rh[1], rh[2]);
            } else
#endif
            {
                /* acc_shift: sums of doubled weights are even and never wrapped */
                from_x = te_multiply_by_quantized_multiplier(ax[g] >> p->acc_shift, p->gate_mult[g], p->gate_shift[g]);
                from_h = te_multiply_by_quantized_multiplier(ah[g] >> p->acc_shift, p->gate_mult[4 + g],
                                                             p->gate_shift[4 + g]);
            }
            j->pre[g] = (int16_t)lstm_sat16(from_h + lstm_sat16(from_x));
        }
    }
}

/* ---- phase B: activations and state --------------------------------------------------------- */

#if defined(TE_USE_DSP)

/* RoundingDivideByPOT(v, e), e >= 1: round half away from zero. */
TE_INLINE int32_t lstm_rdbp(int32_t v, int32_t e)
{
    return (v + (1 << (e - 1)) - (int32_t)((uint32_t)v >> 31)) >> e;
}

static void lstm_update(const te_lstm_params *p, const te_lstm_weights *w, const int16_t *pre, int16_t *cell,
                        int8_t *out)
{
    const int16_t *sig = w->exp_sigmoid, *tnh = w->exp_tanh, *hid = w->exp_hidden;
    const uint32_t *bits = w->recip_bits;
    const int32_t n_cell = p->n_cell, cell_shift = 30 + p->cell_scale, hk = 16 + p->cell_scale;
    const int32_t clip = p->cell_clip, zp = p->hidden_zp;
    int32_t c;
    for (c = 0; c < n_cell; ++c, pre += 4) {
        const int32_t ig = lstm_sigmoid_t(pre[0], sig, bits);
        const int32_t fg = lstm_sigmoid_t(pre[1], sig, bits);
        const int32_t zg = lstm_tanh_t(pre[2], 4, tnh, bits);
        const int32_t og = lstm_sigmoid_t(pre[3], sig, bits);
        int32_t cs = lstm_sat16(lstm_rdbp(fg * cell[c], 15) + lstm_rdbp(ig * zg, cell_shift)), h;
        if (clip > 0) {
            cs = te_clamp_i32(cs, -clip, clip);
        }
        cell[c] = (int16_t)cs;
        /* tanh of the cell state; Q3.12 cell states (scale 2^-12) share the cell gate's table */
        h = og * (hk == 4 ? lstm_tanh_t(cs, 4, tnh, bits) : lstm_tanh_t(cs, hk, hid, bits));
        if (p->fast_rq) {
            h = te_rq_doubled(2 * h, p->hidden_mult, p->hidden_half, -p->hidden_shift);
        } else {
            h = te_multiply_by_quantized_multiplier(h, p->hidden_mult, p->hidden_shift);
        }
        out[c] = (int8_t)te_ssat8(h + zp);
    }
}

#else

static void lstm_update(const te_lstm_params *p, const te_lstm_weights *w, const int16_t *pre, int16_t *cell,
                        int8_t *out)
{
    const int32_t n_cell = p->n_cell, cell_shift = 30 + p->cell_scale, tanh_bits = 15 + p->cell_scale;
    int32_t c;
    for (c = 0; c < n_cell; ++c, pre += 4) {
        const int32_t ig = lstm_sigmoid(pre[0], w, p);
        const int32_t fg = lstm_sigmoid(pre[1], w, p);
        const int32_t zg = lstm_tanh(pre[2], 3, w, p);
        const int32_t og = lstm_sigmoid(pre[3], w, p);
        /* UpdateLstmCellInteger: both products fit int16 after their shifts (shift >= 15). */
        int32_t cs = te_rounding_divide_by_pot(fg * cell[c], 15) + te_rounding_divide_by_pot(ig * zg, cell_shift);
        cs = lstm_sat16(cs);
        if (p->cell_clip > 0) {
            cs = te_clamp_i32(cs, -p->cell_clip, p->cell_clip);
        }
        cell[c] = (int16_t)cs;
        /* CalculateLstmOutputInteger8x8_16 without projection. */
        out[c] = (int8_t)te_ssat8(te_multiply_by_quantized_multiplier(og * lstm_tanh(cs, tanh_bits, w, p),
                                                                      p->hidden_mult, p->hidden_shift) + p->hidden_zp);
    }
}

#endif

/* ---- phase B with the optional parts (CIFG, peephole, layer norm, projection) -------------- */

/* pre_g[c] += rq(w[c] * cell[c]), saturating (VectorBatchVectorCwiseProductAccumulate). */
static void lstm_peephole(int16_t *pre, const int16_t *w, const int16_t *cell, int32_t n_cell, int32_t mult,
                          int32_t shift)
{
    int32_t c;
    for (c = 0; c < n_cell; ++c) {
        const int32_t prod = te_multiply_by_quantized_multiplier(w[c] * cell[c], mult, shift);
        pre[4 * c] = (int16_t)lstm_sat16(pre[4 * c] + prod);
    }
}

/* ApplyLayerNorm on one gate's n_cell pre-activations (stride 4), as the reference writes it. */
static void lstm_layer_norm(int16_t *pre, int32_t n_cell, const int16_t *weights, const int32_t *bias, int32_t mult,
                            int32_t shift, int32_t guard)
{
    int64_t sum = 0, sum_sq = 0, variance;
    int32_t mean, variance2, inv_a, inv_b, c;
    for (c = 0; c < n_cell; ++c) {
        const int32_t v = pre[4 * c];
        sum += v;
        sum_sq += v * v;
    }
    mean = (int32_t)(sum * 1024 / n_cell);
    variance = sum_sq * (int64_t)((1 << 20) / n_cell) - (int64_t)mean * (int64_t)mean;
    variance2 = (int32_t)(variance / (1 << 20));
    if (variance2 < 1) {
        variance2 = guard;
    }
    te_inv_sqrt_quantized_multiplier_exp(variance2, &inv_a, &inv_b);
    for (c = 0; c < n_cell; ++c) {
        const int32_t rescaled = te_multiply_by_quantized_multiplier(1024 * pre[4 * c] - mean, inv_a, inv_b);
        /* int32 arithmetic (wrapping as x86 does), then widened */
        const int64_t v3 = (int32_t)((uint32_t)rescaled * (uint32_t)(int32_t)weights[c] + (uint32_t)bias[c]);
        const int32_t v4 = (int32_t)((v3 > 0 ? v3 + 512 : v3 - 512) / 1024);
        pre[4 * c] = (int16_t)lstm_sat16(te_multiply_by_quantized_multiplier(v4, mult, shift + 12));
    }
}

/* Row b of a step (the batch index when time-major, else 0). The reference's peephole term
 * (VectorBatchVectorCwiseProductAccumulate with v_size n_output over the step's n_batch x n_cell
 * gates) adds w[i mod n_output] * cell[i] at flat positions i < n_batch * n_output only: with a
 * projection to fewer outputs than cells it skips some cells and shifts the weights from the second
 * batch on. The generator lays the weights out per position (zero where none applies), peep_rows
 * rows of n_cell per gate. */
static void lstm_update_ext(const te_lstm_params *p, const te_lstm_weights *w, int16_t *pre, int16_t *cell,
                            int8_t *out, int8_t *hidden, int32_t b)
{
    const int32_t n_cell = p->n_cell, cell_shift = 30 + p->cell_scale, tanh_bits = 15 + p->cell_scale;
    const int32_t cifg = p->flags & TE_LSTM_CIFG, ln = p->flags & TE_LSTM_LAYER_NORM;
    const int32_t peep_stride = p->peep_rows * n_cell;
    const int16_t *peep = (p->flags & TE_LSTM_PEEPHOLE) ? w->peephole + (p->peep_rows > 1 ? b : 0) * n_cell : NULL;
    int32_t c, g, r;
    /* input and forget gates: peephole on the cell state before the step; then layer norm (cell gate too) */
    if (peep != NULL) {
        for (g = cifg ? 1 : 0; g < 2; ++g) {
            lstm_peephole(pre + g, peep + g * peep_stride, cell, n_cell, p->peep_mult[g], p->peep_shift[g]);
        }
    }
    if (ln) {
        for (g = cifg ? 1 : 0; g < 3; ++g) {
            lstm_layer_norm(pre + g, n_cell, w->ln_weights + g * n_cell, w->ln_bias + g * n_cell, p->ln_mult[g],
                            p->ln_shift[g], p->ln_guard[g]);
        }
    }
    /* UpdateLstmCellInteger */
    for (c = 0; c < n_cell; ++c) {
        const int32_t fg = lstm_sigmoid(pre[4 * c + 1], w, p);
        const int32_t zg = lstm_tanh(pre[4 * c + 2], 3, w, p);
        const int32_t ig = cifg ? 32767 - fg : lstm_sigmoid(pre[4 * c], w, p);
        int32_t cs = lstm_sat16(te_rounding_divide_by_pot(fg * cell[c], 15) + te_rounding_divide_by_pot(ig * zg, cell_shift));
        if (p->cell_clip > 0) {
            cs = te_clamp_i32(cs, -p->cell_clip, p->cell_clip);
        }
        cell[c] = (int16_t)cs;
    }
    /* output gate: peephole on the updated cell state, layer norm */
    if (peep != NULL) {
        lstm_peephole(pre + 3, peep + 2 * peep_stride, cell, n_cell, p->peep_mult[2], p->peep_shift[2]);
    }
    if (ln) {
        lstm_layer_norm(pre + 3, n_cell, w->ln_weights + 3 * n_cell, w->ln_bias + 3 * n_cell, p->ln_mult[3],
                        p->ln_shift[3], p->ln_guard[3]);
    }
    /* CalculateLstmOutputInteger8x8_16 */
    if (!(p->flags & TE_LSTM_PROJECTION)) {
        hidden = out;
    }
    for (c = 0; c < n_cell; ++c) {
        const int32_t og = lstm_sigmoid(pre[4 * c + 3], w, p);
        const int32_t h = te_multiply_by_quantized_multiplier(og * lstm_tanh(cell[c], tanh_bits, w, p), p->hidden_mult,
                                                              p->hidden_shift);
        hidden[c] = (int8_t)te_ssat8(h + p->hidden_zp);
    }
    if (p->flags & TE_LSTM_PROJECTION) {
        /* MatrixBatchVectorMultiplyAccumulate into a zeroed int8 output, then CwiseClipping */
        const int8_t *pw = w->proj_weights;
        for (r = 0; r < p->n_output; ++r, pw += n_cell) {
            uint32_t acc = (uint32_t)w->proj_bias[r];
            int32_t v;
            c = 0;
#if defined(TE_USE_DSP)
            for (; c + 4 <= n_cell; c += 4) { /* two SMLAD per four columns (sums wrap as the reference's) */
                const uint32_t wv = te_read_u32(pw + c), hv = te_read_u32(hidden + c);
                acc = (uint32_t)te_smlad(te_sxtb16(wv), te_sxtb16(hv), (int32_t)acc);
                acc = (uint32_t)te_smlad(te_sxtb16_ror8(wv), te_sxtb16_ror8(hv), (int32_t)acc);
            }
#endif
            for (; c < n_cell; ++c) {
                acc += (uint32_t)(pw[c] * hidden[c]);
            }
            v = te_ssat8(te_multiply_by_quantized_multiplier((int32_t)acc, p->proj_mult, p->proj_shift) + p->proj_zp);
            if (p->proj_clip > 0) {
                v = te_clamp_i32(v, -p->proj_clip, p->proj_clip);
            }
            out[r] = (int8_t)v;
        }
    }
}

/* ---- Helium: both phases as vectors ------------------------------------------------------------ */

#if defined(TE_USE_MVE)

/* gemmlowp's int16 fixed point on eight lanes: SaturatingRoundingDoublingHighMul is VQRDMULH
 * (its one saturating case included), int16 additions wrap as VADD, saturating ones are VQADD,
 * SaturatingRoundingMultiplyByPOT is VQSHL. The exps come from the DSP build's tables. */

/* lstm_exp on eight lanes: exp_on_negative_values<k>(a), a < 0 (a == 0: the callers' select),
 * from the table of its values on the last 2^tq quarters (one gather) and the barrel shifter's
 * remaining steps (predicated multiplies). */
static int16x8_t lv_exp(int16x8_t a, int32_t k, int32_t tq, const int16_t *table)
{
    static const int16_t barrel[7] = {FX_EXP_M0, FX_EXP_M1, FX_EXP_M2, FX_EXP_M3, FX_EXP_M4, FX_EXP_M5, FX_EXP_M6};
    const int32_t span = 13 - k + tq, steps = k < 5 ? k + 2 : 7;
    const int16x8_t q = vmvnq_s16(vshlq_r_s16(a, -span)); /* the quarters below the table, >> tq */
    int16x8_t result = vldrhq_gather_shifted_offset_s16(
        table, vreinterpretq_u16_s16(vandq_s16(a, vdupq_n_s16((int16_t)((1 << span) - 1)))));
    int32_t i;
    for (i = tq; i < steps; ++i) {
        const mve_pred16_t set = vcmpneq_n_s16(vandq_s16(q, vdupq_n_s16((int16_t)(1 << (i - tq)))), 0);
        result = vqrdmulhq_m_n_s16(result, result, barrel[i], set);
    }
    if (k > 4) { /* exp(-16) is 0 in Q0.15 */
        result = vpselq_s16(vdupq_n_s16(0), result,
                            vcmpneq_n_s16(vandq_s16(q, vdupq_n_s16((int16_t)(1 << (6 - tq)))), 0));
    }
    if (k > 5) {
        result = vpselq_s16(vdupq_n_s16(0), result, vcmpltq_n_s16(a, (int16_t)-(1 << (20 - k))));
    }
    return result;
}

/* fx_reciprocal: three Newton-Raphson steps, e >= 0. */
TE_INLINE int16x8_t lv_reciprocal(int16x8_t e)
{
    const int16x8_t hd = vaddq_n_s16(vshrq_n_s16(e, 1), 16384);
    int16x8_t x = vaddq_n_s16(vqrdmulhq_n_s16(hd, FX_MINUS_32_17), FX_48_17);
    int32_t i;
    for (i = 0; i < 3; ++i) {
        const int16x8_t one_minus = vsubq_s16(vdupq_n_s16(FX_ONE_Q2_13), vqrdmulhq_s16(hd, x));
        x = vaddq_s16(x, vqshlq_n_s16(vqrdmulhq_s16(x, one_minus), 2));
    }
    return x;
}

/* gemmlowp::logistic on Q3.12 (lstm_sigmoid_t; exp(-|x|), -32768 wrapping to itself). */
static int16x8_t lv_sigmoid(int16x8_t x, const int16_t *table)
{
    const int16x8_t r = lv_reciprocal(lv_exp(vminq_s16(x, vnegq_s16(x)), 3, 2, table));
    const int16x8_t pos = vqaddq_s16(r, r);
    const int16x8_t v = vpselq_s16(pos, vsubq_s16(vdupq_n_s16(32767), pos), vcmpgtq_n_s16(x, 0));
    return vpselq_s16(vdupq_n_s16(16384), v, vcmpeqq_n_s16(x, 0));
}

/* gemmlowp::tanh on Q(k - 1).(16 - k) (lstm_tanh_t: exp with k integer bits). */
static int16x8_t lv_tanh(int16x8_t x, int32_t k, const int16_t *table)
{
    const int16x8_t r = lv_reciprocal(lv_exp(vminq_s16(x, vnegq_s16(x)), k, k > 2 ? 2 : k - 1, table));
    const int16x8_t t = vqshlq_n_s16(vsubq_n_s16(r, FX_ONE_Q2_13), 2);
    const int16x8_t v = vpselq_s16(vnegq_s16(t), t, vcmpltq_n_s16(x, 0));
    return vpselq_s16(vdupq_n_s16(0), v, vcmpeqq_n_s16(x, 0));
}

/* RoundingDivideByPOT of int32 lanes by e (a negative shift -e in neg_e). */
TE_INLINE int32x4_t lv_rdbp32(int32x4_t v, int32_t neg_e)
{
    return vrshlq_n_s32(vqaddq_s32(v, vshrq_n_s32(v, 31)), neg_e);
}

/* Phase A: the pre-activations gate by gate, four cells per vector (pre[g * n_cell + c]). The
 * Helium weights (te_lstm.h) are the model's int8 rows: gate g's input rows (n_input each) from
 * w8 + g * n_cell * n_input, then its recurrent rows (n_cell each) after all four input blocks. */
static void lstm_pre_mve(const te_lstm_params *p, const te_lstm_weights *w, const int8_t *x, const int8_t *h,
                         int16_t *pre)
{
    const int32_t n_cell = p->n_cell, n_in = p->n_input, last = n_cell - 1;
    const int8_t *const w8 = (const int8_t *)(const void *)w->weights;
    const int8_t *const r8 = w8 + (size_t)4 * n_cell * n_in;
    const int32x4_t lo = vdupq_n_s32(-32768), hi = vdupq_n_s32(32767);
    int32_t g, c;
    for (g = 0; g < 4; ++g) {
        const int8_t *wi = w8 + (size_t)g * n_cell * n_in, *wr = r8 + (size_t)g * n_cell * n_cell;
        for (c = 0; c < n_cell; c += 4) {
            /* cells c .. c + 3, the last ones repeated past n_cell (their lanes are not stored) */
            const int32_t c1 = te_min_i32(c + 1, last), c2 = te_min_i32(c + 2, last), c3 = te_min_i32(c + 3, last);
            const uint32x4_t bo = vshlq_n_u32(vminq_u32(vidupq_n_u32((uint32_t)c, 1), vdupq_n_u32((uint32_t)last)), 3);
            int32x4_t ax = te_mve_dot4q_s8(wi + (size_t)c * n_in, wi + (size_t)c1 * n_in, wi + (size_t)c2 * n_in,
                                           wi + (size_t)c3 * n_in, x, n_in);
            int32x4_t ah = te_mve_dot4q_s8(wr + (size_t)c * n_cell, wr + (size_t)c1 * n_cell, wr + (size_t)c2 * n_cell,
                                           wr + (size_t)c3 * n_cell, h, n_cell);
            /* the biases are stored << acc_shift (exact: they are below 2^30 then) */
            ax = vaddq_s32(ax, vshlq_r_s32(vldrwq_gather_shifted_offset_s32(w->bias + g, bo), -p->acc_shift));
            ah = vaddq_s32(ah, vshlq_r_s32(vldrwq_gather_shifted_offset_s32(w->bias + 4 + g, bo), -p->acc_shift));
            ax = vminq_s32(vmaxq_s32(te_mve_requant_n(ax, p->gate_mult[g], p->gate_shift[g]), lo), hi);
            ah = te_mve_requant_n(ah, p->gate_mult[4 + g], p->gate_shift[4 + g]);
            ah = vminq_s32(vmaxq_s32(vqaddq_s32(ah, ax), lo), hi);
            vstrhq_p_s32(pre + (size_t)g * n_cell + c, ah, vctp32q((uint32_t)(n_cell - c)));
        }
    }
}

/* Phase B: eight cells per vector. */
static void lstm_update_mve(const te_lstm_params *p, const te_lstm_weights *w, const int16_t *pre, int16_t *cell,
                            int8_t *out)
{
    const int32_t n_cell = p->n_cell, neg_cs = -(30 + p->cell_scale), hk = 16 + p->cell_scale;
    const int16_t *sig = w->exp_sigmoid, *tnh = w->exp_tanh, *hid = hk == 4 ? w->exp_tanh : w->exp_hidden;
    const int32_t clip = p->cell_clip;
    const int32x4_t o_lo = vdupq_n_s32(-128), o_hi = vdupq_n_s32(127);
    int32_t c;
    for (c = 0; c < n_cell; c += 8) {
        const mve_pred16_t pr = vctp16q((uint32_t)(n_cell - c));
        const int16x8_t ig = lv_sigmoid(vldrhq_z_s16(pre + c, pr), sig);
        const int16x8_t fg = lv_sigmoid(vldrhq_z_s16(pre + n_cell + c, pr), sig);
        const int16x8_t zg = lv_tanh(vldrhq_z_s16(pre + 2 * n_cell + c, pr), 4, tnh);
        const int16x8_t og = lv_sigmoid(vldrhq_z_s16(pre + 3 * n_cell + c, pr), sig);
        const int16x8_t cv = vldrhq_z_s16(cell + c, pr);
        /* cell = sat16(rdbp(f * cell, 15) + rdbp(i * z, 30 + cell_scale)), even and odd lanes */
        const int32x4_t sb = vaddq_s32(lv_rdbp32(vmullbq_int_s16(fg, cv), -15), lv_rdbp32(vmullbq_int_s16(ig, zg), neg_cs));
        const int32x4_t st = vaddq_s32(lv_rdbp32(vmulltq_int_s16(fg, cv), -15), lv_rdbp32(vmulltq_int_s16(ig, zg), neg_cs));
        int16x8_t cs = vqmovntq_s32(vqmovnbq_s32(vdupq_n_s16(0), sb), st);
        int16x8_t th;
        int32x4_t hb, ht;
        if (clip > 0) {
            cs = vmaxq_s16(vminq_s16(cs, vdupq_n_s16((int16_t)clip)), vdupq_n_s16((int16_t)-clip));
        }
        vstrhq_p_s16(cell + c, cs, pr);
        th = lv_tanh(cs, hk, hid);
        hb = te_mve_requant_n(vmullbq_int_s16(og, th), p->hidden_mult, p->hidden_shift);
        ht = te_mve_requant_n(vmulltq_int_s16(og, th), p->hidden_mult, p->hidden_shift);
        hb = vminq_s32(vmaxq_s32(vaddq_n_s32(hb, p->hidden_zp), o_lo), o_hi);
        ht = vminq_s32(vmaxq_s32(vaddq_n_s32(ht, p->hidden_zp), o_lo), o_hi);
        vstrbq_p_s16(out + c, vmovntq_s32(vmovnbq_s32(vdupq_n_s16(0), hb), ht), pr);
    }
}

#endif /* TE_USE_MVE */

/* The Helium build answers with its vector functions (lane 0), the kernel's own. */
int32_t te_lstm_sigmoid_q3_12(const te_lstm_params *p, const te_lstm_weights *w, int32_t x)
{
#if defined(TE_USE_MVE)
    (void)p;
    (void)lstm_sigmoid;
    return vgetq_lane_s16(lv_sigmoid(vdupq_n_s16((int16_t)x), w->exp_sigmoid), 0);
#else
    return lstm_sigmoid(x, w, p);
#endif
}

int32_t te_lstm_tanh(const te_lstm_params *p, const te_lstm_weights *w, int32_t x, int32_t integer_bits)
{
#if defined(TE_USE_MVE)
    const int32_t k = integer_bits + 1;
    const int16_t *table = integer_bits == 3 ? w->exp_tanh
                                             : (integer_bits == 15 + p->cell_scale ? w->exp_hidden : NULL);
    (void)lstm_tanh;
    if (table == NULL) {
        return 0; /* no table for this format: callers (the tests) ask for the model's formats only */
    }
    return vgetq_lane_s16(lv_tanh(vdupq_n_s16((int16_t)x), k, table), 0);
#else
    return lstm_tanh(x, integer_bits, w, p);
#endif
}

/* n int8 values to int16 in the weights' column order (see te_lstm.h), zero up to cols. */
static void lstm_widen(const int8_t *src, int32_t n, int32_t cols, int16_t *dst)
{
    int32_t j = 0, t;
#if defined(TE_USE_DSP)
    for (; j + 4 <= n; j += 4) {
        const uint32_t v = te_read_u32(src + j);
        te_write_u32(dst + j, te_sxtb16(v));
        te_write_u32(dst + j + 2, te_sxtb16_ror8(v));
    }
#else
    for (; j + 4 <= n; j += 4) { /* columns j, j+2, j+1, j+3 */
        dst[j] = src[j];
        dst[j + 1] = src[j + 2];
        dst[j + 2] = src[j + 1];
        dst[j + 3] = src[j + 3];
    }
#endif
    for (; j < cols; j += 4) {
        for (t = 0; t < 4; ++t) {
            dst[j + 2 * (t & 1) + (t >> 1)] = (int16_t)(j + t < n ? src[j + t] : 0);
        }
    }
}

size_t te_lstm_s8_scratch_bytes(const te_lstm_params *p)
{
    /* widened input and hidden rows, the pre-activations, the hidden values before a projection */
    const size_t projected = (p->flags & TE_LSTM_PROJECTION) ? (size_t)((p->n_cell + 3) & ~3) : 0u;
    return (size_t)2 * (size_t)(p->in_cols + p->rec_cols + 4 * p->n_cell) + projected;
}

void te_lstm_s8(const te_lstm_params *p, const te_lstm_weights *w, const int8_t *input, int8_t *output,
                int8_t *hidden_state, int16_t *cell_state, void *scratch)
{
    const int32_t n_batch = p->n_batch, n_steps = p->n_steps, n_cell = p->n_cell, n_input = p->n_input;
    const int32_t n_output = p->n_output;
    /* Rows in memory order: outer x inner = steps x batch (time-major) or batch x steps. */
    const int32_t n_outer = p->time_major ? n_steps : n_batch, n_inner = p->time_major ? n_batch : n_steps;
    const int32_t back = p->time_major ? n_batch : 1; /* row k's previous step is row k - back */
    int16_t *xw = (int16_t *)scratch;
    int16_t *hw = xw + p->in_cols;
    int16_t *pre = hw + p->rec_cols;
    int8_t *hidden = (int8_t *)(pre + 4 * n_cell); /* with a projection */
    int32_t o, i, k = 0;
    for (o = 0; o < n_outer; ++o) {
        for (i = 0; i < n_inner; ++i, ++k) {
            const int32_t b = p->time_major ? i : o;
            lstm_job job;
#if defined(TE_USE_MVE)
            /* The plain LSTM (no optional part; the generator gives Helium builds its int8 rows);
             * the variants take the loops below. */
            if (p->flags == 0) {
                lstm_pre_mve(p, w, input + (size_t)k * n_input,
                             (p->time_major ? o : i) == 0 ? hidden_state + (size_t)b * n_cell
                                                           : output + (size_t)(k - back) * n_cell, pre);
                lstm_update_mve(p, w, pre, cell_state + (size_t)b * n_cell, output + (size_t)k * n_cell);
                continue;
            }
#endif
            lstm_widen(input + (size_t)k * n_input, n_input, p->in_cols, xw);
            /* the first step of a sequence continues from the state the last call left */
            lstm_widen((p->time_major ? o : i) == 0 ? hidden_state + (size_t)b * n_output
                                                    : output + (size_t)(k - back) * n_output, n_output, p->rec_cols, hw);
            job.x = xw;
            job.w = w->weights;
            job.bias = w->bias;
            job.in_groups = p->in_cols >> 2;
            job.h = hw;
            job.rec_groups = p->rec_cols >> 2;
            job.rq = p->gate_rq;
            job.pre = pre;
            job.pre_end = pre + 4 * n_cell;
#if defined(LSTM_ASM)
            if (p->fast_rq) {
                lstm_pre_asm(&job);
            } else
#endif
            {
                lstm_pre(p, &job);
            }
            if (p->flags != 0) {
                lstm_update_ext(p, w, pre, cell_state + (size_t)b * n_cell, output + (size_t)k * n_output, hidden,
                                p->time_major ? b : 0);
            } else {
                lstm_update(p, w, pre, cell_state + (size_t)b * n_cell, output + (size_t)k * n_output);
            }
        }
    }
    /* The hidden state the next call starts from: each sequence's last output row. */
    for (i = 0; i < n_batch; ++i) {
        const int32_t last = p->time_major ? (n_steps - 1) * n_batch + i : i * n_steps + n_steps - 1;
        memcpy(hidden_state + (size_t)i * n_output, output + (size_t)last * n_output, (size_t)n_output);
    }
}

#include "tinyengine/te_asm_offsets.h" /* checks the offsets the assembly above reads */
