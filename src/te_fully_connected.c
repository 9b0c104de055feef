/* tinyengine: FULLY_CONNECTED kernels.
 *
 * LiteRT's reference sums (w + filter_offset) * (x + input_offset), adds the bias and
 * rescales once in double precision. With symmetric weights (filter_offset 0) the generator
 * folds input_offset * sum(w) into the bias, so the loop is a plain int8 dot product; int32
 * sums wrap associatively, so the result is the same in any order and any split.
 *
 * Requantization, all giving the reference's result:
 *  - p->rq_mult != 0: a per-layer integer form (SMMUL, add, shift) that the generator checked
 *    against the reference for every accumulator the layer can produce;
 *  - else te_requantize_fp64 (portable path) or, on the SIMD paths, cheaper exact equivalents:
 *    with a double-precision FPU (M7, M55) the reference's own arithmetic, round((double)acc *
 *    scale) with VMUL.F64 + VRINTA (both exact IEEE operations); otherwise a 32x32-bit product
 *    with the top 32 bits of the mantissa brackets the exact value; when the bracket (widened by
 *    the double rounding's error) holds no rounding boundary, its rounding is the answer, else
 *    te_requantize_fp64 decides; both fall back to it for results that are not small integers.
 *
 * TE_FC_LAYOUT_QUADS (see te_fully_connected.h), four output features per pass:
 *  - DSP: per 4 columns one input word (two SXTB16) and one LDM of four pair words; per word one
 *    SMLAD of the raw word (256 * odd row + even row) and one of its SXTB16 (even row): 16
 *    instructions per 16 multiply-accumulates, four steps per loop pass. The odd rows' sums are
 *    taken out every <= 127 steps, or once when the generator checked they cannot overflow
 *    (TE_FC_QUADS_UNSEGMENTED). With inline assembly (fc_quads_asm) the whole layer is one block:
 *    loop, bias, requantization and one 4-byte store per quad, about 30 instructions per quad
 *    besides the multiply-accumulates; other cases (no bias, double-precision scales, depth % 4,
 *    long segmented depths) take its RAW sums through fc_out.
 *  - portable: the same sums column by column.
 * TE_FC_LAYOUT_ROWS: DSP two rows per pass (SXTB16 + SMLAD), Helium four (te_mve_dot4q_s8: one
 * VMLADAVA per row and 16 columns). Helium builds read every filter row-major, whatever
 * weight_layout says (the generated model holds the rows for them, see te_fully_connected.h).
 */
#include <string.h>

#include "tinyengine/te_fully_connected.h"
#include "tinyengine/te_simd.h"

#if defined(TE_USE_MVE)
#include <arm_mve.h>
#endif

#if (defined(TE_USE_DSP) || defined(TE_USE_MVE)) && defined(__ARM_FP) && (__ARM_FP & 8) && \
    !defined(TE_EMULATE_DSP)
#define TE_FC_HW_DOUBLE 1
#endif

/* Most steps of the quad layout whose odd-row sums stay within +-2^23 (4 * 2^14 per step). */
#define FC_QUAD_SEGMENT 127
/* The steps of one segment of a layer's whole depth (segments from column 0 on): the generator's
 * longer bound when weight_layout holds one (TE_FC_QUADS_SEGMENT), else FC_QUAD_SEGMENT. */
#define FC_SEG_STEPS(p) (((p)->weight_layout >> 8) ? ((p)->weight_layout >> 8) : FC_QUAD_SEGMENT)

/* ---- Requantization -------------------------------------------------------------------------- */

TE_INLINE int8_t fc_int_rq(const te_fc_params *p, int32_t acc)
{
    const int32_t hi = (int32_t)(((int64_t)acc * p->rq_mult) >> 32);
    return (int8_t)te_clamp_i32((hi + p->rq_add) >> p->rq_shift, p->act_min, p->act_max);
}

#if defined(TE_USE_DSP) || defined(TE_USE_MVE)

/* The rare exact fallback, kept out of line. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int32_t fc_rq_slow(int32_t acc, te_fp64_scale s)
{
    return te_requantize_fp64(acc, s);
}

#if defined(TE_FC_HW_DOUBLE)
#include <math.h>

/* The scale as the double the reference multiplies by; 0 when it is not a normal double
 * (then every output takes te_requantize_fp64). */
typedef double te_fc_rq;

TE_INLINE te_fc_rq fc_rq_setup(te_fp64_scale s)
{
    const int32_t biased = 1075 - s.exponent; /* mantissa in [2^52, 2^53): value = m * 2^-e */
    uint64_t bits;
    double d;
    if (biased < 1 || biased > 2046 || (s.mantissa >> 52) != 1) {
        return 0.0;
    }
    bits = ((uint64_t)biased << 52) | (s.mantissa & (((uint64_t)1 << 52) - 1));
    memcpy(&d, &bits, sizeof d);
    return d;
}

TE_INLINE int32_t fc_rq_apply(int32_t acc, te_fc_rq d, te_fp64_scale s)
{
    const double r = round((double)acc * d);
    if (r < 1073741824.0 && r > -1073741824.0 && d != 0.0) {
        return (int32_t)r;
    }
    return fc_rq_slow(acc, s);
}

#else

/* value = |acc| * m * 2^-e with m in [2^52, 2^53). t = |acc| * (m >> 21) brackets
 * |acc| * m / 2^21 in [t, t + |acc|); the reference's double product adds a relative error
 * of at most 2^-53, i.e. less than 2^11 units of t. With sh = e - 21 in [32, 63], if
 * t - 2^11 and t + |acc| + 2^11 round (half up, at 2^sh) to the same integer, so does the
 * reference. */
typedef struct {
    uint32_t m_hi;  /* mantissa >> 21; 0: not eligible */
    uint32_t half;  /* 2^(sh-1) as the high word (sh >= 33) ... */
    uint32_t half_lo; /* ... or the low word (sh == 32) */
    int32_t s2;     /* sh - 32 */
} te_fc_rq;

TE_INLINE te_fc_rq fc_rq_setup(te_fp64_scale s)
{
    te_fc_rq r;
    const int32_t sh = s.exponent - 21;
    r.m_hi = 0;
    r.half = 0;
    r.half_lo = 0;
    r.s2 = 0;
    if (sh >= 32 && sh <= 63 && (s.mantissa >> 52) == 1) {
        r.m_hi = (uint32_t)(s.mantissa >> 21);
        r.s2 = sh - 32;
        if (sh == 32) {
            r.half_lo = 0x80000000u;
        } else {
            r.half = (uint32_t)1 << (sh - 33);
        }
    }
    return r;
}

TE_INLINE int32_t fc_rq_apply(int32_t acc, te_fc_rq r, te_fp64_scale s)
{
    const uint32_t a = acc < 0 ? (uint32_t)0 - (uint32_t)acc : (uint32_t)acc;
    const uint64_t u = (uint64_t)a * r.m_hi + (((uint64_t)r.half << 32) | r.half_lo);
    const uint32_t q = (uint32_t)(u >> 32) >> r.s2;
    const uint32_t lo = (uint32_t)((u - 2048u) >> 32) >> r.s2;
    const uint32_t hi = (uint32_t)((u + a + 2048u) >> 32) >> r.s2;
    if (q == lo && q == hi && q < 0x40000000u && r.m_hi != 0) {
        return acc < 0 ? -(int32_t)q : (int32_t)q;
    }
    return fc_rq_slow(acc, s);
}

#endif /* TE_FC_HW_DOUBLE */

#else /* portable */

typedef int te_fc_rq;
TE_INLINE te_fc_rq fc_rq_setup(te_fp64_scale s)
{
    (void)s;
    return 0;
}
TE_INLINE int32_t fc_rq_apply(int32_t acc, te_fc_rq r, te_fp64_scale s)
{
    (void)r;
    return te_requantize_fp64(acc, s);
}

#endif /* TE_USE_DSP || TE_USE_MVE */

/* Requantize, offset and clamp output feature oc (out of line: the hot loops inline the integer form). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int8_t fc_out(const te_fc_params *p, const te_fp64_scale *scales, int32_t acc, int32_t oc)
{
    te_fp64_scale s;
    if (p->rq_mult != 0) {
        return fc_int_rq(p, acc);
    }
    s = scales[p->per_channel ? oc : 0];
    return (int8_t)te_clamp_i32(fc_rq_apply(acc, fc_rq_setup(s), s) + p->output_offset, p->act_min, p->act_max);
}

/* ---- TE_FC_LAYOUT_QUADS: full steps of four columns ------------------------------------------- */

#if defined(TE_USE_DSP) && defined(__GNUC__) && defined(__OPTIMIZE__) && !defined(TE_EMULATE_DSP) && \
    !defined(TE_NO_INLINE_ASM) && !defined(TE_USE_MVE)
#define FC_QUADS_ASM 1

/* One step of four columns: the four pair words land in r4, r5, r6, r8 (LDM takes its registers in
 * order; a set that leaves r7 and r9 to the compiler). XV, XE: the operands that hold the input word
 * and its even columns. */
#define FC_QUAD_STEP(XV, XE)                          \
    "ldr    %[" XV "], [%[x]], #4\n\t"                \
    "ldmia  %[w]!, {r4, r5, r6, r8}\n\t"              \
    "sxtb16 %[" XE "], %[" XV "]\n\t"                 \
    "sxtb16 %[" XV "], %[" XV "], ror #8\n\t"         \
    "smlad  %[p], r4, %[" XE "], %[p]\n\t"            \
    "sxtb16 r4, r4\n\t"                               \
    "smlad  %[p0], r4, %[" XE "], %[p0]\n\t"          \
    "smlad  %[p], r5, %[" XV "], %[p]\n\t"            \
    "sxtb16 r5, r5\n\t"                               \
    "smlad  %[p0], r5, %[" XV "], %[p0]\n\t"          \
    "smlad  %[q], r6, %[" XE "], %[q]\n\t"            \
    "sxtb16 r6, r6\n\t"                               \
    "smlad  %[q0], r6, %[" XE "], %[q0]\n\t"          \
    "smlad  %[q], r8, %[" XV "], %[q]\n\t"            \
    "sxtb16 r8, r8\n\t"                               \
    "smlad  %[q0], r8, %[" XV "], %[q0]\n\t"

/* The four sums a0 (p0), a1 (r5), a2 (q0), a3 (r8) requantized (SMMLA, ASR, SSAT) and packed into p0. */
#define FC_QUAD_RQ                                    \
    "ldrd   %[p], %[q], [sp, #16]\n\t"                \
    "ldr    r4, [sp, #24]\n\t"                        \
    "smmla  %[p0], %[p0], %[p], %[q]\n\t"             \
    "smmla  r5, r5, %[p], %[q]\n\t"                   \
    "smmla  %[q0], %[q0], %[p], %[q]\n\t"             \
    "smmla  r8, r8, %[p], %[q]\n\t"                   \
    "asr    %[p0], %[p0], r4\n\t"                     \
    "asr    r5, r5, r4\n\t"                           \
    "asr    %[q0], %[q0], r4\n\t"                     \
    "asr    r8, r8, r4\n\t"                           \
    "ssat   %[p0], #8, %[p0]\n\t"                     \
    "ssat   r5, #8, r5\n\t"                           \
    "ssat   %[q0], #8, %[q0]\n\t"                     \
    "ssat   r8, #8, r8\n\t"                           \
    "bfi    %[p0], r5, #8, #8\n\t"                    \
    "bfi    %[p0], %[q0], #16, #8\n\t"                \
    "bfi    %[p0], r8, #24, #8\n\t"

/* fc_quads_asm's constants (ctx[]), and what it does with each quad's four sums. */
enum { FC_X, FC_PASSES, FC_MULT, FC_ADD, FC_SHIFT, FC_LO4, FC_HI4, FC_END, FC_MODE, FC_SKIP, FC_NCTX };
enum { FC_MODE_PLAIN, FC_MODE_CLAMP, FC_MODE_RAW };

/* Consecutive quads, one block of assembly: per quad the dot product over the same steps of x (four
 * steps per pass, entered part-way for steps % 4: the entry is computed once) started from the
 * bias's next four words in the TE_FC_QUADS_PAIR_BIAS form (the even rows' sums from b0 and b2, the
 * raw pair sums from b0 + 256 * b1 and b2 + 256 * b3, so (p - p0) >> 8 is b1 plus the odd row's
 * terms), then by mode: PLAIN SMMLA + ASR + SSAT per output, the four bytes packed (BFI) and stored
 * with one STR; CLAMP the same clamped to the activation range at once (SSUB8 + SEL); RAW the four
 * int32 sums stored. Quads run until the output reaches ctx[FC_END]. The odd rows' sums plus their
 * bias must stay within +-2^23 (the generator's check for TE_FC_QUADS_PAIR_BIAS; or a zero bias and
 * one segment). The loop needs 13 registers: the bias and output pointers wait on the stack
 * meanwhile, in a 56-byte frame that also holds the constants: [0] bias, [4] out, [8 + 4 * i]
 * ctx[i], with ctx[FC_MODE] turned into the code after the loop and ctx[FC_SKIP] into the loop
 * entry, and [48] the code after the requantization (all taken with LDR PC). Returns w past the
 * last quad. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static const int8_t *fc_quads_asm(const uint32_t *ctx, const int32_t *bias, const int8_t *w, int8_t *out)
{
    uint32_t xr, p, p0, q, q0;
    __asm__ volatile(
        "sub    sp, sp, #56\n\t"
        "add    %[x], sp, #8\n\t"
        "ldmia  %[cp]!, {r4, r5, r6, r8}\n\t"
        "stmia  %[x]!, {r4, r5, r6, r8}\n\t"
        "ldmia  %[cp]!, {r4, r5, r6, r8}\n\t"
        "stmia  %[x]!, {r4, r5, r6, r8}\n\t"
        "ldrd   r4, r5, [%[cp]]\n\t"
        /* r4 = ctx[FC_MODE], r5 = ctx[FC_SKIP]. The loop entry: step FC_SKIP, 64 bytes a step (16
         * 32-bit instructions; checked below), + 1: Thumb, for LDR PC */
        "adr.w  r6, 10f + 1\n\t"
        "add    r5, r6, r5, lsl #6\n\t"
        /* where the sums go by mode: [40] after the loop (4 requantize, 6 RAW), [48] after the
         * requantization (5 store, 20 CLAMP) */
        "adr.w  r6, 4f + 1\n\t"
        "adr.w  r8, 5f + 1\n\t"
        "cbz    r4, 3f\n\t"
        "adr.w  r8, 20f + 1\n\t"
        "cmp    r4, #1\n\t"
        "beq    3f\n\t"
        "adr.w  r6, 6f + 1\n\t"
        "3:\n\t"
        "strd   r6, r5, [sp, #40]\n\t"
        "str    r8, [sp, #48]\n\t"
        "1:\n\t"
        "ldrd   %[p0], %[p], [%[bp]], #8\n\t"
        "ldrd   %[q0], %[q], [%[bp]], #8\n\t"
        "strd   %[bp], %[op], [sp]\n\t"
        "ldrd   %[x], %[bp], [sp, #8]\n\t"
        "ldr    pc, [sp, #44]\n\t"
        "10:\n\t"
        FC_QUAD_STEP("op", "cp")
        "11:\n\t"
        FC_QUAD_STEP("op", "cp")
        FC_QUAD_STEP("op", "cp")
        FC_QUAD_STEP("op", "cp")
        "subs   %[bp], %[bp], #1\n\t"
        "bne    10b\n\t"
        "ldrd   %[bp], %[op], [sp]\n\t"
        "sub    %[p], %[p], %[p0]\n\t"
        "asr    r5, %[p], #8\n\t"
        "sub    %[q], %[q], %[q0]\n\t"
        "asr    r8, %[q], #8\n\t"
        "ldr    pc, [sp, #40]\n\t"
        "6:\n\t" /* RAW */
        "str    %[p0], [%[op]], #4\n\t"
        "str    r5, [%[op]], #4\n\t"
        "str    %[q0], [%[op]], #4\n\t"
        "str    r8, [%[op]], #4\n\t"
        "b      7f\n\t"
        "4:\n\t"
        FC_QUAD_RQ
        "ldr    pc, [sp, #48]\n\t"
        "20:\n\t"
        "ldrd   r4, r5, [sp, #28]\n\t"
        "ssub8  r6, %[p0], r4\n\t"
        "sel    %[p0], %[p0], r4\n\t"
        "ssub8  r6, r5, %[p0]\n\t"
        "sel    %[p0], %[p0], r5\n\t"
        "5:\n\t"
        "str    %[p0], [%[op]], #4\n\t"
        "7:\n\t"
        "ldr    r4, [sp, #36]\n\t"
        "cmp    %[op], r4\n\t"
        "bne    1b\n\t"
        ".if (11b - 10b) != 64\n\t"
        ".error \"fc_quads_asm: a step is not 64 bytes\"\n\t"
        ".endif\n\t"
        "add    sp, sp, #56\n\t"
        : [bp] "+r"(bias), [op] "+r"(out), [cp] "+r"(ctx), [w] "+r"(w), [x] "=&r"(xr), [p] "=&r"(p),
          [p0] "=&r"(p0), [q] "=&r"(q), [q0] "=&r"(q0)
        :
        : "r4", "r5", "r6", "r8", "cc", "memory");
    return w;
}

/* ctx for fc_quads_asm: 1 <= steps of x per quad, quads until `end`. The caller adds the
 * requantization and the activation range (FC_MULT .. FC_HI4) unless mode is RAW, which never reads them. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((noinline, noclone))
#endif
static void fc_quads_ctx(uint32_t ctx[FC_NCTX], const int8_t *x, int32_t steps, uint32_t mode, const void *end)
{
    ctx[FC_X] = (uint32_t)(uintptr_t)x;
    ctx[FC_PASSES] = (uint32_t)(steps + 3) >> 2;
    ctx[FC_SKIP] = (uint32_t)(-steps) & 3u;
    ctx[FC_MODE] = mode;
    ctx[FC_END] = (uint32_t)(uintptr_t)end;
}

/* a[r] += row r of the quad over n >= 1 full steps (4n columns from x; w at the first step's 16 bytes),
 * in segments of at most seg steps (their odd rows' sums within +-2^23): RAW from a zero bias. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void fc_quad_dot(const int8_t *x, const int8_t *w, int32_t n, int32_t seg, uint32_t a[4])
{
    uint32_t ctx[FC_NCTX], t[4];
    int32_t r;
    do {
        const int32_t m = te_min_i32(n, seg);
        memset(t, 0, sizeof t); /* a zero bias, then the segment's sums */
        fc_quads_ctx(ctx, x, m, FC_MODE_RAW, t + 4);
        w = fc_quads_asm(ctx, (const int32_t *)t, w, (int8_t *)t);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 1 /* (flash) */
#endif
        for (r = 0; r < 4; ++r) {
            a[r] += t[r];
        }
        x += 4 * m;
        n -= m;
    } while (n > 0);
}

#elif defined(TE_USE_DSP)

/* The same sums with the DSP intrinsics (builds without inline assembly), segment by segment. */
static void fc_quad_dot(const int8_t *x, const int8_t *w, int32_t n, int32_t seg, uint32_t a[4])
{
    uint32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    do {
        int32_t m = te_min_i32(n, seg);
        uint32_t p = a0, q = a2;
        n -= m;
        for (; m > 0; --m) {
            const uint32_t v = te_read_u32(x);
            const uint32_t xe = te_sxtb16(v), xo = te_sxtb16_ror8(v);
            const uint32_t e0 = te_read_u32(w), o0 = te_read_u32(w + 4);
            const uint32_t e1 = te_read_u32(w + 8), o1 = te_read_u32(w + 12);
            p = (uint32_t)te_smlad(o0, xo, te_smlad(e0, xe, (int32_t)p));
            a0 = (uint32_t)te_smlad(te_sxtb16(o0), xo, te_smlad(te_sxtb16(e0), xe, (int32_t)a0));
            q = (uint32_t)te_smlad(o1, xo, te_smlad(e1, xe, (int32_t)q));
            a2 = (uint32_t)te_smlad(te_sxtb16(o1), xo, te_smlad(te_sxtb16(e1), xe, (int32_t)a2));
            x += 4;
            w += 16;
        }
        a1 += (uint32_t)((int32_t)(p - a0) >> 8);
        a3 += (uint32_t)((int32_t)(q - a2) >> 8);
    } while (n > 0);
    a[0] = a0;
    a[1] = a1;
    a[2] = a2;
    a[3] = a3;
}

#else /* portable */

static void fc_quad_dot(const int8_t *x, const int8_t *w, int32_t n, int32_t seg, uint32_t a[4])
{
    uint32_t s0 = a[0], s1 = a[1], s2 = a[2], s3 = a[3];
    int32_t t;
    (void)seg;
    for (; n > 0; --n, x += 4, w += 16) {
        for (t = 0; t < 4; ++t) {
            /* column t: word E (t even) or O (t odd) of each pair, halfword t >> 1 */
            const int32_t xv = x[t], off = 4 * (t & 1) + 2 * (t >> 1);
            const int32_t l0 = w[off], l1 = w[off + 8];
            s0 += (uint32_t)(l0 * xv);
            s1 += (uint32_t)((w[off + 1] + (l0 < 0)) * xv);
            s2 += (uint32_t)(l1 * xv);
            s3 += (uint32_t)((w[off + 9] + (l1 < 0)) * xv);
        }
    }
    a[0] = s0;
    a[1] = s1;
    a[2] = s2;
    a[3] = s3;
}

#endif

#if !defined(TE_USE_MVE) /* (Helium builds read every filter row-major) */

/* Weight (4q + r, i) of the quad whose bytes start at wq. */
static int32_t fc_quad_weight(const int8_t *wq, int32_t depth, int32_t r, int32_t i)
{
    const int32_t d4 = depth & ~3;
    if (i < d4) {
        const int32_t off = 16 * (i >> 2) + 4 * ((r & 2) + (i & 1)) + 2 * ((i >> 1) & 1);
        const int32_t lo = wq[off];
        return (r & 1) ? wq[off + 1] + (lo < 0) : lo;
    }
    return wq[4 * d4 + r * (depth - d4) + (i - d4)];
}

/* a[r] += the quad's row r over columns [first, first + count) (x[k] is column first + k). */
TE_INLINE void fc_quad_cols(const int8_t *wq, int32_t depth, const int8_t *x, int32_t first, int32_t count,
                            uint32_t a[4])
{
    const int32_t end = first + count, body_end = te_min_i32(end, depth & ~3) & ~3;
    int32_t i = first, r;
    for (; i < end && (i & 3) != 0 && i < body_end; ++i) {
        for (r = 0; r < 4; ++r) {
            a[r] += (uint32_t)(fc_quad_weight(wq, depth, r, i) * x[i - first]);
        }
    }
    if (i < body_end) {
        fc_quad_dot(x + (i - first), wq + 4 * i, (body_end - i) >> 2, FC_QUAD_SEGMENT, a);
        i = body_end;
    }
    for (; i < end; ++i) {
        for (r = 0; r < 4; ++r) {
            a[r] += (uint32_t)(fc_quad_weight(wq, depth, r, i) * x[i - first]);
        }
    }
}

#endif /* !TE_USE_MVE */

/* ---- TE_FC_LAYOUT_ROWS: a[r] += row r (r < n <= 4, rows `stride` apart) over `count` columns ---- */

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((noinline, noclone))
#endif
static void fc_rows_dot(const int8_t *w, int32_t stride, int32_t n, const int8_t *x, int32_t count, uint32_t a[4])
{
#if defined(TE_USE_MVE)
    const int8_t *w1 = n > 1 ? w + stride : w;
    const int8_t *w2 = n > 2 ? w1 + stride : w1;
    const int8_t *w3 = n > 3 ? w2 + stride : w2;
    int32_t s[4], r;
    vstrwq_s32(s, te_mve_dot4q_s8(w, w1, w2, w3, x, count));
    for (r = 0; r < n; ++r) {
        a[r] += (uint32_t)s[r];
    }
#elif defined(TE_USE_DSP)
    /* Two rows per pass: per 4 taps one input word and two weight words, six SXTB16 and four SMLAD. */
    int32_t r, d;
    for (r = 0; r + 2 <= n; r += 2) {
        const int8_t *w0 = w + (size_t)r * stride, *w1 = w0 + stride;
        int32_t a0 = 0, a1 = 0;
        for (d = 0; d + 4 <= count; d += 4) {
            const uint32_t v = te_read_u32(x + d);
            const uint32_t xe = te_sxtb16(v), xo = te_sxtb16_ror8(v);
            const uint32_t wa = te_read_u32(w0 + d), wb = te_read_u32(w1 + d);
            a0 = te_smlad(te_sxtb16(wa), xe, te_smlad(te_sxtb16_ror8(wa), xo, a0));
            a1 = te_smlad(te_sxtb16(wb), xe, te_smlad(te_sxtb16_ror8(wb), xo, a1));
        }
        for (; d < count; ++d) {
            a0 += (int32_t)w0[d] * x[d];
            a1 += (int32_t)w1[d] * x[d];
        }
        a[r] += (uint32_t)a0;
        a[r + 1] += (uint32_t)a1;
    }
    if (r < n) {
        const int8_t *w0 = w + (size_t)r * stride;
        uint32_t acc = 0;
        for (d = 0; d < count; ++d) {
            acc += (uint32_t)((int32_t)w0[d] * x[d]);
        }
        a[r] += acc;
    }
#else
    int32_t r, d;
    for (r = 0; r < n; ++r) {
        const int8_t *wr = w + (size_t)r * stride;
        uint32_t acc = 0;
        for (d = 0; d < count; ++d) {
            acc += (uint32_t)((int32_t)wr[d] * x[d]);
        }
        a[r] += acc;
    }
#endif
}

/* ---- Whole op ------------------------------------------------------------------------------- */

/* a = the bias of a quad's four rows from b (NULL: zeros), TE_FC_QUADS_PAIR_BIAS undone. */
TE_INLINE void fc_quad_bias(const te_fc_params *p, const int32_t *b, uint32_t a[4])
{
    memset(a, 0, 16);
    if (b) {
        memcpy(a, b, 16);
#if !defined(TE_USE_MVE) /* (Helium builds get the plain bias) */
        if (p->weight_layout & TE_FC_QUADS_PAIR_BIAS) {
            a[1] = (uint32_t)((int32_t)(a[1] - a[0]) >> 8);
            a[3] = (uint32_t)((int32_t)(a[3] - a[2]) >> 8);
        }
#else
        (void)p;
#endif
    }
}


static void fc_with_offsets(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales,
                            const int8_t *input, const int8_t *filter, int8_t *output)
{
    int32_t b, oc, d;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + (size_t)b * p->accum_depth;
        for (oc = 0; oc < p->out_depth; ++oc) {
            const int8_t *w = filter + (size_t)oc * p->accum_depth;
#if !defined(TE_USE_MVE) /* (the bias first: one copy of the loop on these builds, fewer bytes) */
            int32_t acc = bias ? bias[oc] : 0;
#else
            int32_t acc = 0;
#endif
            for (d = 0; d < p->accum_depth; ++d) {
                acc += ((int32_t)w[d] + p->filter_offset) * ((int32_t)x[d] + p->input_offset);
            }
#if defined(TE_USE_MVE)
            acc += bias ? bias[oc] : 0;
#endif
            output[(size_t)b * p->out_depth + oc] = fc_out(p, scales, acc, oc);
        }
    }
}

#if !defined(TE_USE_MVE)

/* The whole op's quads, any case (fc_quads_asm takes the common one where it is built): four
 * outputs per pass, fc_quad_dot from the bias, the tail columns, fc_out. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void fc_quads(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales, const int8_t *x,
                     const int8_t *w, int8_t *out, int32_t nq)
{
    const int32_t depth = p->accum_depth, steps = depth >> 2, tail = depth & 3;
    int32_t q, r;
#if defined(FC_QUADS_ASM)
    if (nq > 0 && bias && p->rq_mult != 0 && tail == 0 && (p->weight_layout & TE_FC_QUADS_PAIR_BIAS)) {
        uint32_t ctx[FC_NCTX];
        fc_quads_ctx(ctx, x, steps, p->act_min != -128 || p->act_max != 127 ? FC_MODE_CLAMP : FC_MODE_PLAIN,
                     out + 4 * nq);
        ctx[FC_MULT] = (uint32_t)p->rq_mult;
        ctx[FC_ADD] = (uint32_t)p->rq_add;
        ctx[FC_SHIFT] = (uint32_t)p->rq_shift;
        ctx[FC_LO4] = (uint32_t)(uint8_t)p->act_min * 0x01010101u;
        ctx[FC_HI4] = (uint32_t)(uint8_t)p->act_max * 0x01010101u;
        (void)fc_quads_asm(ctx, bias, w, out);
        return;
    }
#endif
    for (q = 0; q < nq; ++q, out += 4) {
        uint32_t a[4];
        fc_quad_bias(p, bias ? bias + 4 * q : NULL, a);
        if (steps > 0) {
            fc_quad_dot(x, w, steps, FC_SEG_STEPS(p), a);
        }
        w += 16 * steps;
        if (tail) { /* the quad's last columns, row by row */
            fc_rows_dot(w, tail, 4, x + 4 * steps, tail, a);
            w += 4 * tail;
        }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 1 /* one call site (flash) */
#endif
        for (r = 0; r < 4; ++r) {
            out[r] = fc_out(p, scales, (int32_t)a[r], 4 * q + r);
        }
    }
}


/* The whole op's row-major rows from `first` on, up to four per pass. The integer
 * requantization of the whole int8 range is inline (SMMLA, SSAT), as in fc_quads; the rest goes
 * through fc_out. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void fc_rows(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales, const int8_t *x,
                    const int8_t *filter, int8_t *out, int32_t first)
{
    const int32_t depth = p->accum_depth, out_depth = p->out_depth;
    const int32_t mult = p->rq_mult, add = p->rq_add, sh = p->rq_shift;
    const int fast = mult != 0 && p->act_min == -128 && p->act_max == 127;
    int32_t oc, r;
    for (oc = first; oc < out_depth; oc += 4) {
        const int32_t n = te_min_i32(4, out_depth - oc);
        uint32_t a[4] = {0, 0, 0, 0};
        if (bias) {
            for (r = 0; r < n; ++r) {
                a[r] = (uint32_t)bias[oc + r];
            }
        }
        fc_rows_dot(filter + (size_t)oc * depth, depth, n, x, depth, a);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 1 /* one copy of each requantization (flash) */
#endif
        for (r = 0; r < n; ++r) {
            out[oc + r] = fast ? (int8_t)te_ssat8(te_smmla((int32_t)a[r], mult, add) >> sh)
                               : fc_out(p, scales, (int32_t)a[r], oc + r);
        }
    }
}

#else /* TE_USE_MVE */

/* The whole op, row-major weights: four rows per pass (te_mve_dot4q_s8), the four sums biased and
 * requantized as one vector (fc_int_rq lane by lane: VMULH gives the product's high word), the
 * last 1-3 rows predicated. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void fc_rows_mve(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales, const int8_t *x,
                        const int8_t *filter, int8_t *out)
{
    const int32_t depth = p->accum_depth, out_depth = p->out_depth, mult = p->rq_mult, add = p->rq_add;
    const int32_t neg_sh = -p->rq_shift, lo = p->act_min, hi = p->act_max;
    const int8_t *w0 = filter;
    int32_t oc, r;
    for (oc = 0; oc < out_depth; oc += 4, out += 4) {
        const int32_t n = out_depth - oc;
        const mve_pred16_t pr = vctp32q((uint32_t)n);
        const int8_t *w1 = n > 1 ? w0 + depth : w0;
        const int8_t *w2 = n > 2 ? w1 + depth : w1;
        const int8_t *w3 = n > 3 ? w2 + depth : w2;
        int32x4_t acc = te_mve_dot4q_s8(w0, w1, w2, w3, x, depth);
        w0 = w3 + depth;
        if (bias) {
            acc = vaddq_s32(acc, vldrwq_z_s32(bias + oc, pr));
        }
        if (mult != 0) {
            acc = vshlq_r_s32(vaddq_n_s32(vmulhq_s32(acc, vdupq_n_s32(mult)), add), neg_sh);
            vstrbq_p_s32(out, vminq_s32(vmaxq_s32(acc, vdupq_n_s32(lo)), vdupq_n_s32(hi)), pr);
        } else {
            int32_t s[4];
            vstrwq_s32(s, acc);
            for (r = 0; r < te_min_i32(n, 4); ++r) {
                out[r] = fc_out(p, scales, s[r], oc + r);
            }
        }
    }
}
#endif /* TE_USE_MVE */

#if defined(TE_FORCE_PORTABLE)
/* ---- Reference loop (TE_FORCE_PORTABLE builds only) ------------------------------------------
 *
 * te_fully_connected_s8 written the way TFLite Micro's reference FullyConnected reads: per batch
 * and output feature, the sum over the input features of (filter + filter_offset) * (input +
 * input_offset), plus the bias, requantized, plus the output offset, clamped. It reads what the
 * generator emits, as emitted:
 *  - bias: as given, or for TE_FC_QUADS_PAIR_BIAS layers the odd rows' values taken back out of
 *    the pair form;
 *  - weight (o, i) through fc_ref_weight: row-major, or decoded from TE_FC_LAYOUT_QUADS (rows
 *    4 * (out_depth / 4) on, and every row when accum_depth < 4, are row-major in that layout too);
 *  - folded_bias: `bias` holds bias + input_offset * sum(w) (filter_offset 0); the loop takes the
 *    input_offset term back out (int32 wrap, exact) and then adds input_offset per term, as the
 *    reference does;
 *  - requantization: with p->rq_mult != 0 the generator's integer form (checked equal to the
 *    reference's for every accumulator the layer can produce; `scales` is then NULL), else the
 *    reference's double rounding round((double)acc * scale) replayed by te_requantize_fp64.
 * Sums use uint32 arithmetic: int32 wrapping without undefined behaviour (the generator checks
 * that the reference's own int32 sums do not overflow). tests/ops/test_reference_loops.py proves
 * it byte-equal to the default and DSP paths. */
static int32_t fc_ref_weight(const te_fc_params *p, const int8_t *filter, int32_t o, int32_t i)
{
    const int32_t depth = p->accum_depth;
    if ((p->weight_layout & TE_FC_LAYOUT_QUADS) && o < (p->out_depth & ~3)) {
        return fc_quad_weight(filter + (size_t)(o & ~3) * depth, depth, o & 3, i);
    }
    return filter[(size_t)o * depth + i];
}

static void fc_reference(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales,
                         const int8_t *input, const int8_t *filter, int8_t *output)
{
    const int32_t depth = p->accum_depth, out_depth = p->out_depth;
    int32_t b, o, i;
    for (b = 0; b < p->batches; ++b) {
        for (o = 0; o < out_depth; ++o) {
            uint32_t acc = 0, model_bias = bias ? (uint32_t)bias[o] : 0u;
            int32_t v;
            if (bias && (p->weight_layout & TE_FC_QUADS_PAIR_BIAS) && (o & 1) && o < (out_depth & ~3)) {
                /* the pair form: bias[o] = b[o - 1] + 256 * b[o] (exact: the generator checked it) */
                model_bias = (uint32_t)((int32_t)((uint32_t)bias[o] - (uint32_t)bias[o - 1]) >> 8);
            }
            if (p->folded_bias) {
                uint32_t wsum = 0;
                for (i = 0; i < depth; ++i) {
                    wsum += (uint32_t)fc_ref_weight(p, filter, o, i);
                }
                model_bias -= (uint32_t)p->input_offset * wsum;
            }
            for (i = 0; i < depth; ++i) {
                const int32_t input_val = input[(size_t)b * depth + i];
                const int32_t filter_val = fc_ref_weight(p, filter, o, i);
                acc += (uint32_t)((filter_val + p->filter_offset) * (input_val + p->input_offset));
            }
            acc += model_bias;
            if (p->rq_mult != 0) {
                output[(size_t)b * out_depth + o] = fc_int_rq(p, (int32_t)acc);
                continue;
            }
            v = te_requantize_fp64((int32_t)acc, scales[p->per_channel ? o : 0]);
            v += p->output_offset;
            output[(size_t)b * out_depth + o] = (int8_t)te_clamp_i32(v, p->act_min, p->act_max);
        }
    }
}
#endif /* TE_FORCE_PORTABLE */

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-unswitch-loops"))) /* one copy of the batch loop (flash) */
#endif
void te_fully_connected_s8(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales,
                           const int8_t *input, const int8_t *filter, int8_t *output)
{
    const int32_t depth = p->accum_depth, out_depth = p->out_depth;
#if !defined(TE_USE_MVE)
    /* (with fewer than 4 columns the quad layout is the row-major one: fc_quads takes them as tails) */
    const int32_t quad_rows = (p->weight_layout & TE_FC_LAYOUT_QUADS) ? out_depth & ~3 : 0;
#endif
    int32_t b;
#if defined(TE_FORCE_PORTABLE)
    fc_reference(p, bias, scales, input, filter, output);
    return;
#endif
    if (!p->folded_bias) {
        fc_with_offsets(p, bias, scales, input, filter, output);
        return;
    }
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + (size_t)b * depth;
        int8_t *out = output + (size_t)b * out_depth;
#if defined(TE_USE_MVE)
        fc_rows_mve(p, bias, scales, x, filter, out);
#else
        if (quad_rows) {
            fc_quads(p, bias, scales, x, filter, out, quad_rows >> 2);
        }
        if (quad_rows < out_depth) {
            fc_rows(p, bias, scales, x, filter, out, quad_rows);
        }
#endif
    }
}

/* ---- Split API ------------------------------------------------------------------------------ */

void te_fully_connected_s8_begin(const te_fc_params *p, const int32_t *bias, int32_t *acc)
{
    int32_t oc;
    for (oc = 0; oc < p->out_depth; ++oc) {
        acc[oc] = bias ? bias[oc] : 0;
    }
#if !defined(TE_USE_MVE) /* (Helium builds get the plain bias) */
    if (p->weight_layout & TE_FC_QUADS_PAIR_BIAS) {
        for (oc = 1; oc < (p->out_depth & ~3); oc += 2) {
            acc[oc] = (int32_t)((uint32_t)acc[oc] - (uint32_t)acc[oc - 1]) >> 8;
        }
    }
#endif
}

void te_fully_connected_s8_accumulate(const te_fc_params *p, const int8_t *input, int32_t first, int32_t count,
                                      const int8_t *filter, int32_t *acc)
{
    const int32_t depth = p->accum_depth, out_depth = p->out_depth;
#if !defined(TE_USE_MVE) /* (Helium builds read every filter row-major) */
    const int32_t quad_rows = (p->weight_layout & TE_FC_LAYOUT_QUADS) ? out_depth & ~3 : 0;
#endif
    int32_t oc, r, d;
    if (count <= 0) {
        return;
    }
    if (!p->folded_bias) {
        for (oc = 0; oc < out_depth; ++oc) {
            const int8_t *w = filter + (size_t)oc * depth + first;
            uint32_t s = 0;
            for (d = 0; d < count; ++d) {
                s += (uint32_t)(((int32_t)w[d] + p->filter_offset) * ((int32_t)input[d] + p->input_offset));
            }
            acc[oc] = (int32_t)((uint32_t)acc[oc] + s);
        }
        return;
    }
    for (oc = 0; oc < out_depth; oc += 4) {
        const int32_t n = te_min_i32(4, out_depth - oc);
        const int8_t *w = filter + (size_t)oc * depth;
        uint32_t a[4] = {0, 0, 0, 0};
        for (r = 0; r < n; ++r) {
            a[r] = (uint32_t)acc[oc + r];
        }
#if !defined(TE_USE_MVE)
        if (oc < quad_rows) {
            fc_quad_cols(w, depth, input, first, count, a);
        } else
#endif
        {
            fc_rows_dot(w + first, depth, n, input, count, a);
        }
        for (r = 0; r < n; ++r) {
            acc[oc + r] = (int32_t)a[r];
        }
    }
}

void te_fully_connected_s8_sums(const te_fc_params *p, const int32_t *bias, const int8_t *input,
                                const int8_t *filter, int32_t *acc)
{
    const int32_t depth = p->accum_depth, out_depth = p->out_depth;
    const int32_t quad_rows = p->folded_bias && (p->weight_layout & TE_FC_LAYOUT_QUADS) ? out_depth & ~3 : 0;
    int32_t oc, r, t;
    if (!p->folded_bias) {
        te_fully_connected_s8_begin(p, bias, acc);
        te_fully_connected_s8_accumulate(p, input, 0, depth, filter, acc);
        return;
    }
    /* as fc_quads: the quads' sums in one pass each (tail columns row by row), no round trip */
    for (oc = 0; oc < quad_rows; oc += 4) {
        const int32_t steps = depth >> 2, tail = depth & 3;
        const int8_t *w = filter + (size_t)oc * depth + 16 * steps;
        uint32_t a[4];
        fc_quad_bias(p, bias ? bias + oc : NULL, a);
        fc_quad_dot(input, filter + (size_t)oc * depth, steps, FC_SEG_STEPS(p), a);
        for (t = 0; t < tail; ++t) {
            const int32_t xv = input[4 * steps + t];
            for (r = 0; r < 4; ++r) {
                a[r] += (uint32_t)(w[r * tail + t] * xv);
            }
        }
        for (r = 0; r < 4; ++r) {
            acc[oc + r] = (int32_t)a[r];
        }
    }
    for (oc = quad_rows; oc < out_depth; oc += 4) {
        const int32_t n = te_min_i32(4, out_depth - oc);
        uint32_t a[4] = {0, 0, 0, 0};
        for (r = 0; r < n; ++r) {
            a[r] = (uint32_t)(bias ? bias[oc + r] : 0);
        }
        fc_rows_dot(filter + (size_t)oc * depth, depth, n, input, depth, a);
        for (r = 0; r < n; ++r) {
            acc[oc + r] = (int32_t)a[r];
        }
    }
}

void te_fully_connected_s8_finish(const te_fc_params *p, const te_fp64_scale *scales, const int32_t *acc,
                                  int8_t *output)
{
    int32_t oc;
    for (oc = 0; oc < p->out_depth; ++oc) {
        output[oc] = fc_out(p, scales, acc[oc], oc);
    }
}

/* ======================================================================================
 * int16x8 FULLY_CONNECTED: te_fully_connected_s16.
 *
 * Portable path: the reference loop (sums in int64, or int32 with an int32 bias) and its double
 * rounding replayed in integers (te_requantize_fp64_s64 / te_requantize_fp64).
 * DSP path (symmetric weights, sums proven to fit int32): the input row is copied once per
 * batch into the scratch with each group of 4 values as (x0, x2, x1, x3), then two weight rows
 * at a time: one word of 4 int8 weights per row gives both SMLAD operands (SXTB16, ROR 8).
 * Helium path: VMLADAVA over 8 int16 lanes with the weights widened by VLDRB.S16.
 * ====================================================================================== */

TE_INLINE int16_t fc_s16_out(const te_fc_s16_params *p, const int64_t *bias64, const int32_t *bias32,
                             const te_fp64_scale *scales, int64_t sum, int32_t o)
{
    const te_fp64_scale s = scales[p->per_channel ? o : 0];
    int32_t v;
    if (p->bias_is_32) {
        int32_t acc = (int32_t)(uint32_t)(uint64_t)sum;
        if (bias32) {
            acc = (int32_t)((uint32_t)acc + (uint32_t)bias32[o]);
        }
        v = te_requantize_fp64(acc, s);
    } else {
        v = te_requantize_fp64_s64(sum + (bias64 ? bias64[o] : 0), s);
    }
    v = (int32_t)((uint32_t)v + (uint32_t)p->output_offset);
    return (int16_t)te_clamp_i32(v, p->act_min, p->act_max);
}

static void fc_s16_portable(const te_fc_s16_params *p, const int64_t *bias64, const int32_t *bias32,
                            const te_fp64_scale *scales, const int16_t *input, const int8_t *filter, int16_t *output)
{
    int32_t b, o, d;
    for (b = 0; b < p->batches; ++b) {
        const int16_t *x = input + (size_t)b * p->accum_depth;
        for (o = 0; o < p->out_depth; ++o) {
            const int8_t *w = filter + (size_t)o * p->accum_depth;
            int64_t acc = 0;
            for (d = 0; d < p->accum_depth; ++d) {
                acc += ((int32_t)w[d] + p->filter_offset) * (int32_t)x[d];
            }
            *output++ = fc_s16_out(p, bias64, bias32, scales, acc, o);
        }
    }
}

#if defined(TE_USE_MVE)
static void fc_s16_mve(const te_fc_s16_params *p, const int64_t *bias64, const int32_t *bias32,
                       const te_fp64_scale *scales, const int16_t *input, const int8_t *filter, int16_t *output)
{
    const int32_t k = p->accum_depth;
    int32_t b, o, j;
    for (b = 0; b < p->batches; ++b) {
        const int16_t *x = input + (size_t)b * k;
        for (o = 0; o < p->out_depth; o += 4) {
            const int32_t n = te_min_i32(4, p->out_depth - o);
            const int8_t *w0 = filter + (size_t)o * k;
            int32_t acc[4];
            te_mve_dot4_s16(w0, n > 1 ? w0 + k : w0, n > 2 ? w0 + 2 * k : w0, n > 3 ? w0 + 3 * k : w0, x, k, acc);
            for (j = 0; j < n; ++j) {
                output[o + j] = fc_s16_out(p, bias64, bias32, scales, acc[j], o + j);
            }
        }
        output += p->out_depth;
    }
}
#endif

#if defined(TE_USE_DSP) && !defined(TE_USE_MVE)
static void fc_s16_dsp(const te_fc_s16_params *p, const int64_t *bias64, const int32_t *bias32,
                       const te_fp64_scale *scales, const int16_t *input, const int8_t *filter, int16_t *output,
                       int16_t *col)
{
    const int32_t k = p->accum_depth, kf = k & ~3;
    int32_t b, o, i;
    for (b = 0; b < p->batches; ++b) {
        const int16_t *x = input + (size_t)b * k;
        memcpy(col, x, (size_t)k * 2);
        te_s16_reorder4(col, k);
        for (o = 0; o < p->out_depth; o += 2) {
            const int8_t *w0 = filter + (size_t)o * k;
            const int32_t pair = o + 1 < p->out_depth;
            const int8_t *w1 = pair ? w0 + k : w0;
            int32_t acc[2] = {0, 0};
            te_s16_dot2x1(w0, w1, col, kf, acc);
            for (i = kf; i < k; ++i) {
                acc[0] += (int32_t)w0[i] * x[i];
                acc[1] += (int32_t)w1[i] * x[i];
            }
            output[o] = fc_s16_out(p, bias64, bias32, scales, acc[0], o);
            if (pair) {
                output[o + 1] = fc_s16_out(p, bias64, bias32, scales, acc[1], o + 1);
            }
        }
        output += p->out_depth;
    }
}
#endif

void te_fully_connected_s16(const te_fc_s16_params *p, const int64_t *bias64, const int32_t *bias32,
                            const te_fp64_scale *scales, const int16_t *input, const int8_t *filter,
                            int16_t *output, void *scratch)
{
#if defined(TE_USE_MVE)
    if (p->sums_fit_32 && p->filter_offset == 0) {
        fc_s16_mve(p, bias64, bias32, scales, input, filter, output);
        return;
    }
    (void)scratch;
#elif defined(TE_USE_DSP)
    if (scratch != NULL && p->sums_fit_32 && p->filter_offset == 0) {
        fc_s16_dsp(p, bias64, bias32, scales, input, filter, output, (int16_t *)scratch);
        return;
    }
#else
    (void)scratch;
#endif
    fc_s16_portable(p, bias64, bias32, scales, input, filter, output);
}
