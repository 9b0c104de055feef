/* tinyengine: DEPTHWISE_CONV_2D kernels.
 *
 * Bit-exact with LiteRT's reference kernels:
 *  - int8:  reference_integer_ops::DepthwiseConvPerChannel (filter offset 0, per-channel
 *           MultiplyByQuantizedMultiplier, double rounding);
 *  - uint8: reference_ops::DepthwiseConv (DepthwiseConvBasicKernel<kAwayFromZero>::Run), which
 *           the generator feeds in int8 storage (values and zero points - 128, exact for this
 *           arithmetic) with the legacy filter offset and one multiplier broadcast to all channels.
 * Per output value: acc = sum over in-image taps of (w + filter_offset) * (x + input_offset),
 * padded taps skipped, + bias, MultiplyByQuantizedMultiplier, + output offset, clamp.
 *
 * Same sum, rearranged (exact: int32 addition wraps associatively, and every accumulation
 * here wraps explicitly, as the reference's int32 sums do on every target):
 *   acc = folded_bias + sum over ALL taps of (w + filter_offset) * x'
 * where folded_bias = bias + input_offset * sum(w + filter_offset) (computed by the generator)
 * and x' is the input value inside the image and -input_offset (the input zero point) outside:
 * a padded tap then contributes (w + fo) * (-input_offset) + input_offset * (w + fo) = 0,
 * exactly the reference's skipped tap. So no pixel needs a bounds check or an offset add.
 *
 * Planar kernel (any shape), one input channel at a time:
 *  - the weights of each of its depth_mult output channels are gathered into scratch (int16,
 *    from the model's int8 filter plus the filter offset), each filter row padded to an even
 *    length with a zero tap;
 *  - its input rows are copied, as they are first needed, into a window of buf_rows int16 rows
 *    in padded coordinates, whose padding (columns left/right, rows above/below the image)
 *    holds the input zero point. When the window is full, the rows still needed slide to its
 *    start (the generator sizes it: the whole padded channel when small, then the window is
 *    filled once and padding is never rewritten);
 *  - each block of output rows the window covers is computed by one call of a block routine,
 *    swept column by column, two output rows at a time: their accumulators go to a column
 *    buffer, then a second loop requantizes the column (so neither loop runs out of registers).
 *    The DSP routines multiply pairs of horizontally adjacent taps with one SMLAD (one 32-bit
 *    load of two int16 inputs against two int16 weights; 3x3 keeps its weights in registers and
 *    shares the input rows of the two outputs, or, in the assembly routine of GCC Arm builds, of
 *    three outputs); the portable ones use scalar multiply-adds.
 * An output element (p, c) is written only after every input row up to p's row has been
 * copied into the window (only channel c is read, and rows are never re-read from the input),
 * so when depth_mult is 1 the output may overwrite the input (in place, no extra buffer).
 *
 * Direct kernel (depth_mult 1, channels a multiple of 4, no dilation; the generator picks it
 * for strided layers and small maps): NHWC, one group of 4 channels at a time, see dw_direct
 * below; on small maps each group's input goes through a zero-point padded plane first.
 *
 * Weights stay int8 in flash, as the model stores them: each kernel expands what it is about
 * to use (a channel, a group of 4) into scratch.
 *
 * Requantization: te_requant_fast (te_common.h: one SMLAL and a shift, the proof there) with the
 * output offset folded into the channel's constant, for right shifts 2 <= e <= 23 (nearly every
 * channel of real models: "FAST"). Other shifts (scales of 1/4 and more, or below 2^-23) use
 * te_multiply_by_quantized_multiplier as written ("GENERIC").
 */
#include <string.h>

#include "tinyengine/te_depthwise.h"
#include "tinyengine/te_simd.h"

/* The DSP kernels, on cores without Helium: on Helium cores (M55) the Helium path below replaces
 * them and the portable kernels are its fallback (shapes outside its limits). */
#if defined(TE_USE_DSP) && !defined(TE_USE_MVE)
#define TE_DW_DSP 1
#endif

enum { DW_RQ_FAST = 0, DW_RQ_GENERIC = 1 };

/* One output channel's requantization, precomputed per channel. */
typedef struct {
    int32_t bias;
    int32_t mult;
    int32_t shift;   /* FAST: e - 1; GENERIC: the shift as given */
    int32_t hi;      /* FAST: high word of the rounding constant, 2^(e-2) + out_off * 2^(e-1) */
    int32_t out_off; /* GENERIC only (folded into hi otherwise) */
    int32_t act_min, act_max;
    int mode;
} te_dw_rq;

static void dw_rq_setup(te_dw_rq *r, const te_dw_params *p, const te_requant_per_channel *rq, int32_t oc)
{
    const int32_t shift = rq->shift[oc];
    r->bias = rq->bias ? rq->bias[oc] : 0;
    r->mult = rq->multiplier[oc];
    r->out_off = p->output_offset;
    r->act_min = p->act_min;
    r->act_max = p->act_max;
    if (shift >= -23 && shift <= -2) {
        const int32_t e = -shift;
        r->mode = DW_RQ_FAST;
        r->shift = e - 1;
        r->hi = te_requant_fast_hi(e, p->output_offset);
    } else {
        r->mode = DW_RQ_GENERIC;
        r->shift = shift;
        r->hi = 0;
    }
}

/* Requantize, add the output offset, clamp. `mode` and `full` (activation range is the whole
 * int8 range) are compile-time constants at every call site, so each loop gets its own copy. */
TE_INLINE int8_t dw_requant(int32_t acc, const te_dw_rq *r, const int mode, const int full)
{
    int32_t v;
    if (mode == DW_RQ_FAST) {
        v = te_requant_fast(acc, r->mult, r->hi, r->shift);
    } else {
        v = (int32_t)((uint32_t)te_multiply_by_quantized_multiplier(acc, r->mult, r->shift) + (uint32_t)r->out_off);
    }
    if (full) {
        return (int8_t)te_ssat8(v);
    }
    return (int8_t)te_clamp_i32(v, r->act_min, r->act_max);
}

#if defined(__GNUC__) && !defined(__clang__)
#define DW_NOINLINE __attribute__((noinline, noclone))
#elif defined(__clang__)
#define DW_NOINLINE __attribute__((noinline))
#else
#define DW_NOINLINE
#endif

/* acc + a * b with int32 wrap-around (no signed overflow). */
TE_INLINE int32_t dw_mac(int32_t acc, int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(a * b));
}

/* dst[i * di + j * dj] = src[i * si + j * sj] for i < ni, j < nj (int8 to int16). */
static DW_NOINLINE void dw_copy_2d(int16_t *dst, int32_t di, int32_t dj, const int8_t *src, int32_t si,
                                   int32_t sj, int32_t ni, int32_t nj)
{
    const int32_t d2 = 2 * di, d3 = 3 * di, d4 = 4 * di, s2 = 2 * si, s3 = 3 * si, s4 = 4 * si;
    for (; nj > 0; --nj, dst += dj, src += sj) {
        int16_t *d = dst;
        const int8_t *s = src;
        int32_t i = ni >> 2;
        switch (ni & 3) { /* the odd ones first, then four at a time */
        case 3: *d = *s, d += di, s += si; /* fall through */
        case 2: *d = *s, d += di, s += si; /* fall through */
        case 1: *d = *s, d += di, s += si; /* fall through */
        default: break;
        }
        for (; i > 0; --i, d += d4, s += s4) {
            d[0] = s[0];
            d[di] = s[si];
            d[d2] = s[s2];
            d[d3] = s[s3];
        }
    }
}

/* n consecutive input rows (w values each, `stride` apart) of one channel into window rows
 * `dst_row` apart; the inner loop runs along the longer side. */
static void dw_load_rows(int16_t *dst, int32_t dst_row, const int8_t *src, int32_t stride, int32_t w, int32_t n)
{
    if (w >= n) {
        dw_copy_2d(dst, 1, dst_row, src, stride, stride * w, w, n);
    } else {
        dw_copy_2d(dst, dst_row, 1, src, stride * w, stride, n, w);
    }
}

/* One output channel's weights as int16 (filter offset added), from its int8 taps `step` apart
 * in the model's filter; each filter row padded to an even length with a zero tap. */
static DW_NOINLINE void dw_weights16(int16_t *w, const int8_t *f, int32_t step, int32_t fo, int32_t k_h,
                                     int32_t k_w)
{
    int32_t ky, kx;
    for (ky = 0; ky < k_h; ++ky) {
        for (kx = 0; kx < k_w; ++kx, f += step) {
            *w++ = (int16_t)(*f + fo);
        }
        if (k_w & 1) {
            *w++ = 0;
        }
    }
}

static void dw_fill(int16_t *dst, int16_t v, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; ++i) {
        dst[i] = v;
    }
}

/* A block of output rows of one output channel, computed from the window. */
typedef struct {
    const int16_t *x;  /* window row of the block's first output row, column 0 */
    const int16_t *w;  /* the channel's int16 weights: k_h rows of w_row values */
    int32_t rows;      /* output rows in the block */
    int32_t cols;      /* out_w */
    int32_t row_len;   /* int16 values per window row */
    int32_t step_x;    /* stride_w */
    int32_t step_y;    /* stride_h * row_len */
    int8_t *out;       /* first output of the block */
    int32_t out_step;  /* out_c */
    int32_t *acc;      /* room for rows accumulators */
} te_dw_block;

/* Any kernel, any dilation: scalar multiply-adds, one pixel at a time, column by column. */
TE_INLINE void dw_block_scalar_body(const te_dw_params *p, const te_dw_block *gp, const te_dw_rq *rp,
                                    const int mode)
{
    const te_dw_block g = *gp;
    const te_dw_rq r = *rp;
    const int32_t k_h = p->k_h, k_w = p->k_w, dil_w = p->dil_w;
    const int32_t w_row = 2 * ((k_w + 1) / 2), dy = p->dil_h * g.row_len;
    const int32_t out_row = g.cols * g.out_step;
    int32_t col, row, ky, kx;
    for (col = 0; col < g.cols; ++col) {
        const int16_t *x0 = g.x + col * g.step_x;
        int8_t *out = g.out + col * g.out_step;
        for (row = 0; row < g.rows; ++row, x0 += g.step_y, out += out_row) {
            const int16_t *x = x0;
            const int16_t *w = g.w;
            int32_t acc = r.bias;
            for (ky = 0; ky < k_h; ++ky, x += dy, w += w_row) {
                for (kx = 0; kx < k_w; ++kx) {
                    acc = dw_mac(acc, w[kx], x[kx * dil_w]);
                }
            }
            *out = dw_requant(acc, &r, mode, 0);
        }
    }
}

static DW_NOINLINE void dw_block_scalar(const te_dw_params *p, const te_dw_block *g, const te_dw_rq *r)
{
    if (r->mode == DW_RQ_FAST) {
        dw_block_scalar_body(p, g, r, DW_RQ_FAST);
    } else {
        dw_block_scalar_body(p, g, r, DW_RQ_GENERIC);
    }
}

#if defined(TE_DW_DSP)

/* 3x3 filter row k against the 4 inputs at x (x0 x1 | x2 x3): acc + w0*x0 + w1*x1 + w2*x2. The
 * weights sit in five registers: wa_k = (w0, w1) of each filter row for SMLAD, and the third
 * taps as wb01 = (w02, w12), wb2 = (w22, 0) for halfword multiply-adds (x3 is not used). */
#define DW_TAP3_ROW0(acc, a, b) acc = te_smlabb((b), wb01, te_smlad(wa0, (a), (acc)))
#define DW_TAP3_ROW1(acc, a, b) acc = te_smlabt((b), wb01, te_smlad(wa1, (a), (acc)))
#define DW_TAP3_ROW2(acc, a, b) acc = te_smlabb((b), wb2, te_smlad(wa2, (a), (acc)))

/* Requantize n accumulators to out, out_step apart (all constants in registers). */
TE_INLINE void dw_requant_column_body(const int32_t *acc, int32_t n, const te_dw_rq *r, int8_t *out,
                                      int32_t out_step, const int mode, const int full)
{
    const int32_t *end = acc + (n & ~1);
    while (acc < end) {
        const int32_t a0 = acc[0], a1 = acc[1];
        acc += 2;
        out[0] = dw_requant(a0, r, mode, full);
        out[out_step] = dw_requant(a1, r, mode, full);
        out += 2 * out_step;
    }
    if (n & 1) {
        *out = dw_requant(*acc, r, mode, full);
    }
}

static DW_NOINLINE void dw_requant_column_generic(const int32_t *acc, int32_t n, const te_dw_rq *r, int8_t *out,
                                                  int32_t out_step)
{
    dw_requant_column_body(acc, n, r, out, out_step, DW_RQ_GENERIC, 0);
}

/* The FAST form inline (`full`: the activation range is the whole int8 range), else GENERIC. */
TE_INLINE void dw_requant_column(const int32_t *acc, int32_t n, const te_dw_rq *r, int8_t *out, int32_t out_step,
                                 const int full)
{
    if (r->mode == DW_RQ_FAST) {
        dw_requant_column_body(acc, n, r, out, out_step, DW_RQ_FAST, full);
    } else {
        dw_requant_column_generic(acc, n, r, out, out_step);
    }
}

#if defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP) && defined(__GNUC__) && defined(__thumb2__) && \
    !defined(TE_NO_INLINE_ASM)
#define TE_DW3_ASM 1
/* 3x3, dil_w 1, the whole int8 range, in assembly (the C routine below, on other builds, spills
 * its five weights and most of its pointers): dw3x3_block_asm computes a block column by column,
 * each column in two passes, as the C routine does: the sums of its rows into a[] (below), then
 * their requantization (FAST) into the column's outputs, two at a time. The sums:
 *  - stride 1, three output rows at a time: their windows span five window rows, so each pair of
 *    input words is loaded once for up to three outputs (10 loads and 18 multiply-adds per three
 *    outputs). When two rows are left, the last three rows are computed (one of them again);
 *  - stride 2, two output rows at a time: they share window row 2 (10 loads, 12 multiply-adds);
 *  - then (and for other strides, or fewer than three rows) one row at a time.
 * out == NULL: the sums of one column only (a GENERIC channel: the caller requantizes them).
 * A naked function: it saves and restores r4-r8, r10, r11 and never touches r9. */
typedef struct {
    const int16_t *x;  /* 0: the column's first output row's window position (advanced per column) */
    int32_t *a;        /* 4: the column's sums */
    int32_t *a_end;    /* 8: a + rows */
    int32_t rl;        /* 12: bytes per window row */
    uint32_t w[5];     /* 16: wa0, wa1, wa2, wb01, wb2 */
    int32_t bias;      /* 36 */
    int32_t sy;        /* 40: bytes between the windows of consecutive output rows */
    int8_t *out;       /* 44: the column's first output (advanced per column), or NULL */
    int32_t out_row;   /* 48: bytes between output rows */
    int32_t mult;      /* 52: FAST requantization: multiplier, */
    int32_t hi;        /* 56: rounding constant's high word, */
    int32_t shift;     /* 60: e - 1 */
    int32_t sx;        /* 64: bytes between the windows of consecutive columns */
    int32_t out_step;  /* 68: bytes between the outputs of consecutive columns */
    int32_t cols;      /* 72: columns left */
} te_dw3_job;

#define TE_DW3_LOAD "ldr     r12, [r0]\n\t" "ldr     lr, [r0, #4]\n\t"
/* one output's requantization (acc: its sum) into the byte at `dst` (t, u: scratch) */
#define TE_DW3_RQ(acc, t, u, dst)                                                                            \
    TE_ASM_REQUANT_FAST(acc, "r4", "r5", "r6", t, u)                                                         \
    "ssat    " t ", #8, " t "\n\t"                                                                           \
    "strb    " t ", " dst "\n\t"

/* Registers in the sums pass: r0 x, r1 a, r3 rl, r4-r8 the weights (one LDM of the job's first
 * nine words per column), r12 and lr the loaded input words, the sums r2, r10, r11 (stride 1: one
 * STM, ascending registers a[0], a[1], a[2]), r10, r11 (stride 2: one STRD) or r10. In the
 * requantization pass: r0 a, r1 a_end, r2 out, r3 out_row, r4 mult, r5 hi, r6 e - 1.
 * The frame (constant over the block): [sp] the bias three times (one LDM or LDRD starts the
 * sums), [sp, #12] a_end - 8 (stride 1: the last three rows start there), [sp, #16] sy - 2 rl and
 * [sp, #20] a_end (one row at a time), [sp, #24] the job, [sp, #28] the sums loop (3: triples, 17:
 * pairs, 6: rows), entered with the LDM's registers. aligned(4): the assembler fixes ADR's offsets
 * for a function starting on a word boundary (ADR adds to the word-aligned PC); in a section
 * aligned to 2 they would be 2 bytes off where the linker places it at 2 mod 4. */
__attribute__((naked, noinline, aligned(4))) static void dw3x3_block_asm(te_dw3_job *job)
{
    (void)job;
    __asm__ volatile(
        ".syntax unified\n\t"
        "push    {r4, r5, r6, r7, r8, r10, r11, lr}\n\t"
        "ldrd    r10, r11, [r0, #36]\n\t" /* bias, sy */
        "ldrd    r1, r2, [r0, #4]\n\t"    /* a, a_end */
        "ldr     r3, [r0, #12]\n\t"       /* rl */
        "sub     r7, r11, r3, lsl #1\n\t" /* sy - 2 rl: 0 for stride 2, -rl for stride 1 */
        "adr.w   lr, 6f\n\t" /* the sums loop: one row at a time, */
        "cmp     r7, #0\n\t"
        "bne     21f\n\t"
        "adr.w   lr, 17f\n\t" /* pairs (stride 2), */
        "21:\n\t"
        "cmn     r7, r3\n\t"
        "bne     22f\n\t"
        "sub     r4, r2, r1\n\t"
        "cmp     r4, #12\n\t"
        "blt     22f\n\t"
        "adr.w   lr, 3f\n\t" /* triples (stride 1, three rows or more) */
        "22:\n\t"
        "orr     lr, lr, #1\n\t" /* a Thumb address */
        "mov     r8, r2\n\t"
        "push    {r0, lr}\n\t" /* the frame, from its top */
        "push    {r7, r8}\n\t"
        "mov     r4, r10\n\t"
        "mov     r5, r10\n\t"
        "mov     r6, r10\n\t"
        "sub     r7, r2, #8\n\t"
        "push    {r4, r5, r6, r7}\n\t"
        "10:\n\t" /* column */
        "ldr     r0, [sp, #24]\n\t"
        "ldm     r0, {r0, r1, r2, r3, r4, r5, r6, r7, r8}\n\t" /* x, a, a_end, rl, w[0..4] */
        "ldr     pc, [sp, #28]\n\t"
        "3:\n\t" /* stride 1, three rows */
        "ldm     sp, {r2, r10, r11}\n\t"
        TE_DW3_LOAD /* row 0 */
        "add     r0, r0, r3\n\t"
        "smlad   r2, r4, r12, r2\n\t"
        "smlabb  r2, lr, r7, r2\n\t"
        TE_DW3_LOAD /* row 1 */
        "add     r0, r0, r3\n\t"
        "smlad   r2, r5, r12, r2\n\t"
        "smlabt  r2, lr, r7, r2\n\t"
        "smlad   r10, r4, r12, r10\n\t"
        "smlabb  r10, lr, r7, r10\n\t"
        TE_DW3_LOAD /* row 2 */
        "add     r0, r0, r3\n\t"
        "smlad   r2, r6, r12, r2\n\t"
        "smlabb  r2, lr, r8, r2\n\t"
        "smlad   r10, r5, r12, r10\n\t"
        "smlabt  r10, lr, r7, r10\n\t"
        "smlad   r11, r4, r12, r11\n\t"
        "smlabb  r11, lr, r7, r11\n\t"
        TE_DW3_LOAD /* row 3: also the next three's row 0, where x stays */
        "smlad   r10, r6, r12, r10\n\t"
        "smlabb  r10, lr, r8, r10\n\t"
        "smlad   r11, r5, r12, r11\n\t"
        "smlabt  r11, lr, r7, r11\n\t"
        "add     lr, r0, r3\n\t" /* row 4 */
        "ldr     r12, [lr]\n\t"
        "ldr     lr, [lr, #4]\n\t"
        "smlad   r11, r6, r12, r11\n\t"
        "smlabb  r11, lr, r8, r11\n\t"
        "stmia   r1!, {r2, r10, r11}\n\t"
        "ldr     r12, [sp, #12]\n\t"
        "cmp     r1, r12\n\t"
        "blo     3b\n\t"
        "bne     6f\n\t" /* no row or one row left */
        "sub     r1, r1, #4\n\t" /* two rows left: the last three, from one row back */
        "sub     r0, r0, r3\n\t"
        "b       3b\n\t"
        "17:\n\t" /* stride 2, two rows */
        "sub     r2, r2, #4\n\t"
        "b       7f\n\t"
        "1:\n\t"
        "ldrd    r10, r11, [sp]\n\t"
        TE_DW3_LOAD
        "add     r0, r0, r3\n\t"
        "smlad   r10, r4, r12, r10\n\t"
        "smlabb  r10, lr, r7, r10\n\t"
        TE_DW3_LOAD
        "add     r0, r0, r3\n\t"
        "smlad   r10, r5, r12, r10\n\t"
        "smlabt  r10, lr, r7, r10\n\t"
        TE_DW3_LOAD /* row 2: the first output's last, the second output's first */
        "add     r0, r0, r3\n\t"
        "smlad   r10, r6, r12, r10\n\t"
        "smlabb  r10, lr, r8, r10\n\t"
        "smlad   r11, r4, r12, r11\n\t"
        "smlabb  r11, lr, r7, r11\n\t"
        TE_DW3_LOAD
        "add     r0, r0, r3\n\t"
        "smlad   r11, r5, r12, r11\n\t"
        "smlabt  r11, lr, r7, r11\n\t"
        TE_DW3_LOAD /* row 4: also the next pair's row 0 */
        "smlad   r11, r6, r12, r11\n\t"
        "smlabb  r11, lr, r8, r11\n\t"
        "strd    r10, r11, [r1], #8\n\t"
        "7:\n\t"
        "cmp     r1, r2\n\t"
        "blo     1b\n\t"
        "6:\n\t" /* one row at a time: x moves 2 rl, then sy - 2 rl */
        "ldrd    r11, r2, [sp, #16]\n\t"
        "b       8f\n\t"
        "5:\n\t"
        "ldr     r10, [sp]\n\t"
        TE_DW3_LOAD
        "add     r0, r0, r3\n\t"
        "smlad   r10, r4, r12, r10\n\t"
        "smlabb  r10, lr, r7, r10\n\t"
        TE_DW3_LOAD
        "add     r0, r0, r3\n\t"
        "smlad   r10, r5, r12, r10\n\t"
        "smlabt  r10, lr, r7, r10\n\t"
        TE_DW3_LOAD
        "add     r0, r0, r11\n\t"
        "smlad   r10, r6, r12, r10\n\t"
        "smlabb  r10, lr, r8, r10\n\t"
        "str     r10, [r1], #4\n\t"
        "8:\n\t"
        "cmp     r1, r2\n\t"
        "blo     5b\n\t"
        /* the requantization pass: an odd count starts with one output (in the loop's second half) */
        "ldr     r12, [sp, #24]\n\t"
        "ldrd    r0, r1, [r12, #4]\n\t" /* a, a_end */
        "add     lr, r12, #44\n\t"
        "ldm     lr, {r2, r3, r4, r5, r6}\n\t" /* out, out_row, mult, hi, e - 1 */
        "cmp     r2, #0\n\t"
        "beq     2f\n\t"
        "sub     r7, r1, r0\n\t"
        "tst     r7, #4\n\t"
        "beq     11f\n\t"
        "ldr     r11, [r0], #4\n\t"
        "sub     r2, r2, r3\n\t"
        "b       12f\n\t"
        "11:\n\t"
        "ldrd    r7, r11, [r0], #8\n\t"
        TE_DW3_RQ("r7", "r10", "r8", "[r2]")
        "12:\n\t"
        TE_DW3_RQ("r11", "lr", "r12", "[r2, r3]")
        "add     r2, r2, r3, lsl #1\n\t"
        "cmp     r0, r1\n\t"
        "blo     11b\n\t"
        /* the next column */
        "ldr     r12, [sp, #24]\n\t"
        "ldr     r0, [r12, #0]\n\t"
        "ldrd    r1, r2, [r12, #64]\n\t" /* sx, out_step */
        "add     r0, r0, r1\n\t"
        "str     r0, [r12, #0]\n\t"
        "ldr     r0, [r12, #44]\n\t"
        "add     r0, r0, r2\n\t"
        "str     r0, [r12, #44]\n\t"
        "ldr     r0, [r12, #72]\n\t"
        "subs    r0, r0, #1\n\t"
        "str     r0, [r12, #72]\n\t"
        "bne     10b\n\t"
        "2:\n\t"
        "add     sp, sp, #32\n\t"
        "pop     {r4, r5, r6, r7, r8, r10, r11, pc}\n\t");
}

/* A block of a 3x3 layer (stride_w, stride_h any): the job for dw3x3_block_asm. A GENERIC
 * channel: the assembly sums, column by column, and the C requantization. */
static DW_NOINLINE void dw_block_3x3_asm(const te_dw_block *g, const te_dw_rq *r)
{
    const int16_t *w = g->w;
    const int32_t out_row = g->cols * g->out_step;
    te_dw3_job job;
    int32_t col;
    job.x = g->x;
    job.a = g->acc;
    job.a_end = g->acc + g->rows;
    job.rl = 2 * g->row_len;
    job.w[0] = te_read_u32(w), job.w[1] = te_read_u32(w + 4), job.w[2] = te_read_u32(w + 8);
    job.w[3] = (uint32_t)(uint16_t)w[2] | ((uint32_t)(uint16_t)w[6] << 16);
    job.w[4] = (uint32_t)(uint16_t)w[10];
    job.bias = r->bias;
    job.sy = 2 * g->step_y;
    job.out_row = out_row;
    job.mult = r->mult, job.hi = r->hi, job.shift = r->shift;
    job.sx = 2 * g->step_x;
    job.out_step = g->out_step;
    if (r->mode == DW_RQ_FAST) {
        job.out = g->out;
        job.cols = g->cols;
        dw3x3_block_asm(&job);
        return;
    }
    job.out = NULL;
    for (col = 0; col < g->cols; ++col) {
        job.x = g->x + col * g->step_x;
        dw3x3_block_asm(&job);
        dw_requant_column_generic(g->acc, g->rows, r, g->out + col * g->out_step, out_row);
    }
}
#else /* without the assembly: the 3x3 routine in C */

/* 3x3, dil_w 1. The block is swept column by column, two output rows at a time: with
 * stride_h 1 the two pixels' windows share two of their four input rows, so each input pair is
 * loaded once for both (8 loads and 12 multiply-adds per two outputs). A column's accumulators
 * go to a small buffer and are requantized in a second loop, so neither loop runs out of
 * registers. Columns are the block's rows: the per-column overhead stays small on narrow maps.
 * An odd row count ends with one row on its own (so the window needs no rows past the block's:
 * a one-row band of a patch stage costs one row's work and one row's window). */
TE_INLINE void dw_block_3x3_dsp_body(const te_dw_block *gp, const te_dw_rq *rp, const int full)
{
    const te_dw_block g = *gp;
    const te_dw_rq r = *rp;
    const uint32_t wa0 = te_read_u32(g.w), wa1 = te_read_u32(g.w + 4), wa2 = te_read_u32(g.w + 8);
    const uint32_t wb01 = (uint32_t)(uint16_t)g.w[2] | ((uint32_t)(uint16_t)g.w[6] << 16);
    const uint32_t wb2 = (uint32_t)(uint16_t)g.w[10];
    const int32_t rl = g.row_len, sy = g.step_y, bias = r.bias;
    const int32_t out_row = g.cols * g.out_step;
    int32_t *const accs = g.acc;
    int32_t *const pairs_end = accs + (g.rows & ~1);
    int32_t col;
    for (col = 0; col < g.cols; ++col) {
        const int16_t *x = g.x + col * g.step_x;
        int32_t *a = accs;
        if (sy == rl) {
            while (a < pairs_end) {
                const int16_t *y = x;
                int32_t acc0 = bias, acc1 = bias;
                uint32_t u, v;
                u = te_read_u32(y), v = te_read_u32(y + 2), y += rl;
                DW_TAP3_ROW0(acc0, u, v);
                u = te_read_u32(y), v = te_read_u32(y + 2), y += rl;
                DW_TAP3_ROW1(acc0, u, v);
                DW_TAP3_ROW0(acc1, u, v);
                u = te_read_u32(y), v = te_read_u32(y + 2), y += rl;
                DW_TAP3_ROW2(acc0, u, v);
                DW_TAP3_ROW1(acc1, u, v);
                u = te_read_u32(y), v = te_read_u32(y + 2);
                DW_TAP3_ROW2(acc1, u, v);
                x = y - rl;
                a[0] = acc0;
                a[1] = acc1;
                a += 2;
            }
        } else {
            while (a < pairs_end) {
                const int16_t *y = x, *z = x + sy;
                int32_t acc0 = bias, acc1 = bias;
                DW_TAP3_ROW0(acc0, te_read_u32(y), te_read_u32(y + 2));
                DW_TAP3_ROW0(acc1, te_read_u32(z), te_read_u32(z + 2));
                y += rl, z += rl;
                DW_TAP3_ROW1(acc0, te_read_u32(y), te_read_u32(y + 2));
                DW_TAP3_ROW1(acc1, te_read_u32(z), te_read_u32(z + 2));
                y += rl, z += rl;
                DW_TAP3_ROW2(acc0, te_read_u32(y), te_read_u32(y + 2));
                DW_TAP3_ROW2(acc1, te_read_u32(z), te_read_u32(z + 2));
                x += 2 * sy;
                a[0] = acc0;
                a[1] = acc1;
                a += 2;
            }
        }
        if (g.rows & 1) { /* the last row alone: x is its window position in both loops above */
            const int16_t *y = x;
            int32_t acc0 = bias;
            DW_TAP3_ROW0(acc0, te_read_u32(y), te_read_u32(y + 2));
            y += rl;
            DW_TAP3_ROW1(acc0, te_read_u32(y), te_read_u32(y + 2));
            y += rl;
            DW_TAP3_ROW2(acc0, te_read_u32(y), te_read_u32(y + 2));
            *a = acc0;
        }
        dw_requant_column(accs, g.rows, &r, g.out + col * g.out_step, out_row, full);
    }
}

static DW_NOINLINE void dw_block_3x3_dsp_full(const te_dw_block *g, const te_dw_rq *r) { dw_block_3x3_dsp_body(g, r, 1); }
#endif /* TE_DW3_ASM */

/* Two words (four int16 values) from a 4-byte aligned address: one LDRD. */
TE_INLINE void dw_read_2x32(const int16_t *x, uint32_t *a, uint32_t *b)
{
    uint32_t v[2];
#if defined(__GNUC__) || defined(__clang__)
    memcpy(v, __builtin_assume_aligned(x, 4), 8);
#else
    memcpy(v, x, 8);
#endif
    *a = v[0];
    *b = v[1];
}

/* dw_read_2x32 as one LDRD where GCC would split it into two loads (the 4-pair loop below). */
#if defined(__GNUC__) && defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP) && !defined(TE_NO_INLINE_ASM)
#define DW_LDRD(x, off, a, b)                                                                                \
    __asm__("ldrd %0, %1, [%2, #" #off "]" : "=r"(a), "=r"(b) : "r"(x), "m"(*(const int16_t(*)[4])((x) + (off) / 2)))
#else
#define DW_LDRD(x, off, a, b) dw_read_2x32((x) + (off) / 2, &(a), &(b))
#endif

/* Any k_h x k_w, any dil_h, dil_w 1: column by column, two output rows at a time; for each
 * filter row its kwp weight pairs are loaded once for both pixels, one SMLAD per pair of
 * horizontally adjacent taps. kwp_c: the pair count as a compile-time constant (0: p's).
 * al: every window position the routine reads is 4-byte aligned (even stride_w: the window, its
 * rows and the weights are), so two pairs come with one LDRD (kwp_c 4 only).
 * Accumulators go to the column buffer and are requantized in a second loop; an odd row count
 * ends with one row on its own, as in the 3x3 routine. */
TE_INLINE void dw_block_rows_dsp_body(const te_dw_params *p, const te_dw_block *gp, const te_dw_rq *rp,
                                      const int kwp_c, const int full, const int al)
{
    const te_dw_block g = *gp;
    const te_dw_rq r = *rp;
    const int32_t k_h = p->k_h, kwp = kwp_c ? kwp_c : (p->k_w + 1) / 2;
    const int32_t dy = p->dil_h * g.row_len, sy = g.step_y, out_row = g.cols * g.out_step;
    int32_t *const acc_end = g.acc + (g.rows & ~1);
    int32_t col;
    for (col = 0; col < g.cols; ++col) {
        const int16_t *x = g.x + col * g.step_x;
        int32_t *a = g.acc;
        for (; a < acc_end; a += 2, x += 2 * sy) {
            const int16_t *x0 = x, *w = g.w;
            int32_t acc0 = r.bias, acc1 = r.bias, ky, q;
            for (ky = 0; ky < k_h; ++ky, x0 += dy) {
                const int16_t *x1 = x0 + sy;
                if (kwp_c == 4 && al) {
                    uint32_t w0, w1, u0, u1, v0, v1;
                    DW_LDRD(w, 0, w0, w1);
                    DW_LDRD(x0, 0, u0, u1);
                    DW_LDRD(x1, 0, v0, v1);
                    acc0 = te_smlad(w0, u0, acc0);
                    acc1 = te_smlad(w0, v0, acc1);
                    acc0 = te_smlad(w1, u1, acc0);
                    acc1 = te_smlad(w1, v1, acc1);
                    DW_LDRD(w, 8, w0, w1);
                    DW_LDRD(x0, 8, u0, u1);
                    DW_LDRD(x1, 8, v0, v1);
                    acc0 = te_smlad(w0, u0, acc0);
                    acc1 = te_smlad(w0, v0, acc1);
                    acc0 = te_smlad(w1, u1, acc0);
                    acc1 = te_smlad(w1, v1, acc1);
                    w += 8;
                } else if (kwp_c) {
                    const uint32_t w0 = te_read_u32(w);
                    acc0 = te_smlad(w0, te_read_u32(x0), acc0);
                    acc1 = te_smlad(w0, te_read_u32(x1), acc1);
                    if (kwp_c > 1) {
                        const uint32_t w1 = te_read_u32(w + 2);
                        acc0 = te_smlad(w1, te_read_u32(x0 + 2), acc0);
                        acc1 = te_smlad(w1, te_read_u32(x1 + 2), acc1);
                    }
                    if (kwp_c > 2) {
                        const uint32_t w2 = te_read_u32(w + 4);
                        acc0 = te_smlad(w2, te_read_u32(x0 + 4), acc0);
                        acc1 = te_smlad(w2, te_read_u32(x1 + 4), acc1);
                    }
                    if (kwp_c > 3) {
                        const uint32_t w3 = te_read_u32(w + 6);
                        acc0 = te_smlad(w3, te_read_u32(x0 + 6), acc0);
                        acc1 = te_smlad(w3, te_read_u32(x1 + 6), acc1);
                    }
                    w += 2 * kwp_c;
                } else {
                    for (q = 0; q < 2 * kwp; q += 2, w += 2) {
                        const uint32_t wq = te_read_u32(w);
                        acc0 = te_smlad(wq, te_read_u32(x0 + q), acc0);
                        acc1 = te_smlad(wq, te_read_u32(x1 + q), acc1);
                    }
                }
            }
            a[0] = acc0;
            a[1] = acc1;
        }
        if (g.rows & 1) { /* the last row alone */
            const int16_t *x0 = x, *w = g.w;
            int32_t acc0 = r.bias, ky, q;
            for (ky = 0; ky < k_h; ++ky, x0 += dy) {
                for (q = 0; q < 2 * kwp; q += 2, w += 2) {
                    acc0 = te_smlad(te_read_u32(w), te_read_u32(x0 + q), acc0);
                }
            }
            *a = acc0;
        }
        dw_requant_column(g.acc, g.rows, &r, g.out + col * g.out_step, out_row, full);
    }
}

/* 7-8 wide filters, even stride_w, the whole int8 range: the LDRD form (its own function, so
 * the other forms compile as they did). Reached only from te_depthwise_conv2d_s8_wide, which
 * the generator calls for such layers alone: other models do not link it. */
static DW_NOINLINE void dw_block_rows_dsp_al(const te_dw_params *p, const te_dw_block *g, const te_dw_rq *r)
{
    dw_block_rows_dsp_body(p, g, r, 4, 1, 1);
}

static DW_NOINLINE void dw_block_rows_dsp(const te_dw_params *p, const te_dw_block *g, const te_dw_rq *r, int full)
{
    const int32_t kwp = (p->k_w + 1) / 2;
    if (full && kwp == 3) {
        dw_block_rows_dsp_body(p, g, r, 3, 1, 0); /* 5x5 */
    } else if (full && kwp == 4) {
        dw_block_rows_dsp_body(p, g, r, 4, 1, 0); /* 7x7 */
    } else {
        dw_block_rows_dsp_body(p, g, r, 0, 0, 0);
    }
}

/* SMLAD routines for dilation 1 along rows (any requantization: it is a separate pass), the
 * scalar routine otherwise. Specialised code (3x3, 5x5, 7x7) only for the activation range
 * real models use, the whole int8 range (SSAT); narrower ranges take the generic routine.
 * wide (a compile-time constant): te_depthwise_conv2d_s8_wide's copy, which also has the LDRD
 * form for 7-8 wide filters with an even stride_w. */
TE_INLINE void dw_block(const te_dw_params *p, const te_dw_block *g, const te_dw_rq *r, const int wide)
{
    const int full = p->act_min == -128 && p->act_max == 127;
    if (wide && full && p->dil_w == 1 && (p->k_w + 1) / 2 == 4 && (g->step_x & 1) == 0) {
        dw_block_rows_dsp_al(p, g, r); /* 7-8 wide, even stride */
    } else if (p->dil_w != 1) {
        dw_block_scalar(p, g, r);
    } else if (p->k_h == 3 && p->k_w == 3 && p->dil_h == 1 && full) {
#if defined(TE_DW3_ASM)
        dw_block_3x3_asm(g, r);
#else
        dw_block_3x3_dsp_full(g, r);
#endif
    } else {
        dw_block_rows_dsp(p, g, r, full);
    }
}

#else /* portable */

/* 3x3, any dilation: the nine weights held in locals, column by column. */
TE_INLINE void dw_block_3x3_body(const te_dw_params *p, const te_dw_block *gp, const te_dw_rq *rp, const int full)
{
    const te_dw_block g = *gp;
    const te_dw_rq r = *rp;
    const int16_t *w = g.w; /* rows of 4: w0 w1 w2 0 */
    const int32_t w00 = w[0], w01 = w[1], w02 = w[2], w10 = w[4], w11 = w[5], w12 = w[6];
    const int32_t w20 = w[8], w21 = w[9], w22 = w[10];
    const int32_t d1 = p->dil_w, d2 = 2 * p->dil_w, dy = p->dil_h * g.row_len;
    const int32_t out_row = g.cols * g.out_step;
    int32_t col, row;
    for (col = 0; col < g.cols; ++col) {
        const int16_t *x = g.x + col * g.step_x;
        int8_t *out = g.out + col * g.out_step;
        for (row = 0; row < g.rows; ++row, x += g.step_y, out += out_row) {
            const int16_t *x1 = x + dy, *x2 = x1 + dy;
            int32_t acc = r.bias;
            acc = dw_mac(acc, w00, x[0]);
            acc = dw_mac(acc, w01, x[d1]);
            acc = dw_mac(acc, w02, x[d2]);
            acc = dw_mac(acc, w10, x1[0]);
            acc = dw_mac(acc, w11, x1[d1]);
            acc = dw_mac(acc, w12, x1[d2]);
            acc = dw_mac(acc, w20, x2[0]);
            acc = dw_mac(acc, w21, x2[d1]);
            acc = dw_mac(acc, w22, x2[d2]);
            *out = dw_requant(acc, &r, DW_RQ_FAST, full);
        }
    }
}

static DW_NOINLINE void dw_block_3x3_full(const te_dw_params *p, const te_dw_block *g, const te_dw_rq *r) { dw_block_3x3_body(p, g, r, 1); }

/* 3x3 with the whole int8 activation range specialised; anything else scalar (wide: unused). */
TE_INLINE void dw_block(const te_dw_params *p, const te_dw_block *g, const te_dw_rq *r, const int wide)
{
    (void)wide;
    if (p->k_h == 3 && p->k_w == 3 && r->mode == DW_RQ_FAST && p->act_min == -128 && p->act_max == 127) {
        dw_block_3x3_full(p, g, r);
    } else {
        dw_block_scalar(p, g, r);
    }
}

#endif /* TE_DW_DSP */

/* Planar kernel: one channel at a time through the window (any shape; in place when allowed).
 * wide: see dw_block. Forced inline, so each entry has its own copy at any optimization level and
 * only te_depthwise_conv2d_s8_wide's refers to the LDRD form. */
TE_INLINE void dw_planar(const te_dw_params *p, const te_requant_per_channel *rq,
                         const int8_t *input, const int8_t *filter, int8_t *output, void *scratch, const int wide)
{
    const int32_t dm = p->depth_mult, k_h = p->k_h, k_w = p->k_w, c = p->in_c;
    const int32_t w_row = 2 * ((k_w + 1) / 2); /* int16 weights per filter row */
    const int32_t w_chan = k_h * w_row;        /* int16 weights per output channel */
    const int32_t eff_h = (k_h - 1) * p->dil_h + 1, sh = p->stride_h, in_w = p->in_w;
    const int32_t row_len = p->row_len, buf_rows = p->buf_rows;
    const int32_t rows_per_block = (buf_rows - eff_h) / sh + 1;
    const int32_t padded_rows = (p->out_h - 1) * sh + eff_h;
    const int one_block = buf_rows >= padded_rows; /* the window never slides */
    const int16_t pad = (int16_t)(-p->input_offset);
    int16_t *const wbuf = (int16_t *)scratch;
    int32_t *const accs = (int32_t *)(void *)(wbuf + w_chan);
    int16_t *const buf = (int16_t *)(void *)(accs + buf_rows);
    const size_t in_batch = (size_t)p->in_h * in_w * c;
    const size_t out_batch = (size_t)p->out_h * p->out_w * p->out_c;
    int32_t b, ic, m, oy, w_oc = -1; /* w_oc: the output channel whose weights are in wbuf */

    /* Padding: never written below, except rows entering a sliding window. */
    dw_fill(buf, pad, row_len * buf_rows);
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_batch;
        int8_t *out_b = output + (size_t)b * out_batch;
        for (ic = 0; ic < c; ++ic) {
            int32_t top = 0, have = 0; /* the window holds padded rows [top, top + have) */
            for (oy = 0; oy < p->out_h;) {
                const int32_t nr = te_min_i32(rows_per_block, p->out_h - oy);
                const int32_t first = oy * sh, end = (oy + nr - 1) * sh + eff_h;
                if (first > top) {
                    const int32_t keep = top + have - first;
                    if (keep > 0) {
                        memmove(buf, buf + (size_t)(first - top) * row_len, sizeof(int16_t) * (size_t)keep * row_len);
                    }
                    top = first;
                    have = keep > 0 ? keep : 0;
                }
                while (top + have < end) {
                    const int32_t y = top + have - p->pad_top;
                    int16_t *dst = buf + (size_t)have * row_len + p->pad_left;
                    if (y < 0 || y >= p->in_h) {
                        if (!one_block) {
                            dw_fill(dst, pad, in_w);
                        }
                        ++have;
                    } else {
                        const int32_t n = te_min_i32(end - top - have, p->in_h - y);
                        dw_load_rows(dst, row_len, in_b + (size_t)y * in_w * c + ic, c, in_w, n);
                        have += n;
                    }
                }
                for (m = 0; m < dm; ++m) {
                    const int32_t oc = ic * dm + m;
                    te_dw_rq r;
                    te_dw_block g;
                    if (oc != w_oc) { /* this output channel's weights, rows padded to even */
                        dw_weights16(wbuf, filter + oc, p->out_c, p->filter_offset, k_h, k_w);
                        w_oc = oc;
                    }
                    dw_rq_setup(&r, p, rq, oc);
                    g.x = buf;
                    g.w = wbuf;
                    g.rows = nr;
                    g.cols = p->out_w;
                    g.row_len = row_len;
                    g.step_x = p->stride_w;
                    g.step_y = sh * row_len;
                    g.out = out_b + (size_t)oy * p->out_w * p->out_c + oc;
                    g.out_step = p->out_c;
                    g.acc = accs;
                    dw_block(p, &g, &r, wide);
                }
                oy += nr;
            }
        }
    }
}

/* Direct kernel: straight from NHWC, one group of 4 channels at a time over the whole map, on
 * every build (the generator picks it or the planar kernel per layer, so both builds must run
 * the same one). The group's weights are first expanded into scratch as int16 (filter offset
 * added) in SXTB16 order, (c0, c2, c1, c3) per tap. On DSP builds one 32-bit load then gives a
 * tap's 4 input channels, SXTB16 / SXTB16-ROR8 split them into (c0, c2) and (c1, c3), one 64-bit
 * load the matching weights, and four halfword multiply-adds accumulate the 4 channels; the
 * portable build does the same sums with scalar multiply-adds. requant4 holds per group of 4 channels: the 4 folded biases, then
 * (multiplier, hi, e - 1, 0) per channel for the FAST requantization, or (multiplier, shift,
 * output zero point, 1) for a group holding another shift. Padded taps read the input zero
 * point (a row of it in scratch), which the folded bias cancels. */

/* GCC's scheduler, left alone, hoists the loads and extensions of all taps and spills them;
 * an empty asm after each tap keeps one tap's temporaries live at a time (Arm builds only). */
#if defined(__GNUC__) && defined(TE_DW_DSP) && defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP)
#define DW_FENCE4() __asm__ volatile("" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3) : : "memory")
#else
#define DW_FENCE4() ((void)0)
#endif

#if defined(TE_DW_DSP)
/* One tap, 4 channels (input channels at ptr). */
#define DW_TAP4(ptr)                                                                               \
    do {                                                                                           \
        const uint32_t xv_ = te_read_u32(ptr);                                                     \
        const uint32_t xe_ = te_sxtb16(xv_), xo_ = te_sxtb16_ror8(xv_);                            \
        uint32_t we_, wo_;                                                                         \
        dw_read_2x32(w, &we_, &wo_);                                                               \
        w += 4;                                                                                    \
        a0 = te_smlabb(xe_, we_, a0);                                                              \
        a2 = te_smlatt(xe_, we_, a2);                                                              \
        a1 = te_smlabb(xo_, wo_, a1);                                                              \
        a3 = te_smlatt(xo_, wo_, a3);                                                              \
        DW_FENCE4();                                                                               \
    } while (0)
#else
#define DW_TAP4(ptr)                                                                               \
    do {                                                                                           \
        const int8_t *xp_ = (ptr);                                                                 \
        a0 = dw_mac(a0, xp_[0], w[0]);                                                             \
        a2 = dw_mac(a2, xp_[2], w[1]);                                                             \
        a1 = dw_mac(a1, xp_[1], w[2]);                                                             \
        a3 = dw_mac(a3, xp_[3], w[3]);                                                             \
        w += 4;                                                                                    \
    } while (0)
#endif

/* FAST requantization (te_requant_fast) with q = (multiplier, hi, e - 1). */
TE_INLINE int8_t dw_direct_requant(int32_t acc, const int32_t *q, int32_t act_min, int32_t act_max, const int full)
{
    const int32_t v = te_requant_fast(acc, q[0], q[1], q[2]);
    return (int8_t)(full ? te_ssat8(v) : te_clamp_i32(v, act_min, act_max));
}

/* A group holding a shift outside -23..-2: TFLite's arithmetic as written, per channel
 * (multiplier, shift, output zero point, 1). */
static DW_NOINLINE void dw_direct_store4_generic(int8_t *out, const int32_t *q, int32_t a0, int32_t a1, int32_t a2,
                                                 int32_t a3, int32_t act_min, int32_t act_max)
{
    const int32_t acc[4] = {a0, a1, a2, a3};
    int32_t j;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 1 /* rare groups: one copy of the arithmetic (flash) */
#endif
    for (j = 0; j < 4; ++j) {
        const int32_t *r = q + 4 + 4 * j;
        const int32_t v = (int32_t)((uint32_t)te_multiply_by_quantized_multiplier(acc[j], r[0], r[1]) + (uint32_t)r[2]);
        out[j] = (int8_t)te_clamp_i32(v, act_min, act_max);
    }
}

TE_INLINE void dw_direct_store4(int8_t *out, const int32_t *q, int32_t a0, int32_t a1, int32_t a2, int32_t a3,
                                int32_t act_min, int32_t act_max, const int full)
{
    if (q[7] == 0) {
        out[0] = dw_direct_requant(a0, q + 4, act_min, act_max, full);
        out[1] = dw_direct_requant(a1, q + 8, act_min, act_max, full);
        out[2] = dw_direct_requant(a2, q + 12, act_min, act_max, full);
        out[3] = dw_direct_requant(a3, q + 16, act_min, act_max, full);
    } else {
        dw_direct_store4_generic(out, q, a0, a1, a2, a3, act_min, act_max);
    }
}

/* n interior pixels of one output row, one group, k_h x k_w filter (dilation 1; kh_c: k_h as a
 * compile-time constant, 0 for p's; kw_c: 3 for k_w 3, 5 for k_w 5 or 7, 0 for any): x points at the first pixel's top-left tap
 * (the group's channel 0), consecutive pixels x_step apart, outputs out_step apart, filter
 * rows `row` bytes apart, taps of a row c bytes apart. One moving input pointer keeps the 4
 * sums, the weight pointer and the temporaries in registers. */
TE_INLINE void dw_direct_run_body(const int8_t *x, int32_t n, int32_t x_step, int32_t row, int32_t c,
                                  int32_t k_h, int32_t k_w, const int16_t *w16, const int32_t *q, int8_t *out,
                                  int32_t out_step, int32_t act_min, int32_t act_max, const int kh_c,
                                  const int kw_c, const int full)
{
    const int32_t kh = kh_c ? kh_c : k_h, kw = kw_c == 3 ? 3 : k_w;
    for (; n > 0; --n, x += x_step, out += out_step) {
        const int8_t *xp = x;
        const int16_t *w = w16;
        int32_t a0 = q[0], a1 = q[1], a2 = q[2], a3 = q[3], ky, kx;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 1 /* rows stay a loop: the unrolled taps of a row are enough (flash) */
#endif
        for (ky = 0; ky < kh; ++ky, xp += row) {
            if (kw_c) { /* 3, or 5 and 7 (kw_c 5: 5 taps, then 2 more when k_w is 7): unrolled */
                DW_TAP4(xp);
                DW_TAP4(xp + c);
                DW_TAP4(xp + 2 * c);
                if (kw_c > 3) {
                    DW_TAP4(xp + 3 * c);
                    DW_TAP4(xp + 4 * c);
                    if (kw > 5) {
                        DW_TAP4(xp + 5 * c);
                        DW_TAP4(xp + 6 * c);
                    }
                }
            } else {
                const int8_t *xk = xp;
                for (kx = 0; kx < kw; ++kx, xk += c) {
                    DW_TAP4(xk);
                }
            }
        }
        dw_direct_store4(out, q, a0, a1, a2, a3, act_min, act_max, full);
    }
}

#if defined(TE_DW_DSP) && defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP) && defined(__GNUC__) && \
    defined(__thumb2__) && !defined(TE_NO_INLINE_ASM)
#define TE_DW_DIRECT_ASM 1
/* The 3x3 interior run in assembly, over `rows` rows of n pixels (GCC keeps the per-tap weight
 * addresses on the stack). Per pixel: 9 taps of 8 instructions (LDR of 4 input channels, LDRD of
 * their int16 weights, two SXTB16, four halfword multiply-adds), then the FAST requantization
 * of the 4 sums. Groups with a generic shift (q[7] != 0) and narrower activation ranges take
 * the C routine. A naked function: it saves and restores r4-r8, r10, r11 and never touches r9. */
typedef struct {
    const int8_t *x;       /* 0: the first pixel's top-left tap, channel 0 of the group */
    int32_t n;             /* 4: pixels per row */
    int32_t x_step;        /* 8: bytes from where the taps' pointer ends to the next pixel's x:
                              pixel step - 2 row (3x3), - k_h row (5x5, 7x7) */
    int32_t row;           /* 12: bytes between filter rows */
    int32_t c;             /* 16: bytes between taps of a filter row */
    const int16_t *w16;    /* 20 */
    const int32_t *q;      /* 24 */
    int8_t *out;           /* 28: the current pixel's output */
    int32_t out_step;      /* 32 */
    uintptr_t out_end;     /* 36: this row's end: its first pixel's out + n out_step */
    int32_t rows;          /* 40: rows left */
    int32_t x_row_step;    /* 44: bytes from a row's first pixel to the next row's */
    int32_t out_row_step;  /* 48 */
    const int8_t *x_row;   /* 52: this row's first pixel */
    int8_t *out_row;       /* 56 */
    const int16_t *w_end;  /* 60: dw_run_5x5_7x7_asm: w16 + 4 k_h k_w (the last filter row's end) */
    int32_t seven;         /* 64: dw_run_5x5_7x7_asm: k_w - 5 (0: 5x5, else 7x7) */
} te_dw_run_job;

#define TE_DW_TAP(addr)                                                                                      \
    "ldr     r8, " addr "\n\t"                                                                               \
    "ldrd    r12, lr, [r5], #8\n\t"                                                                          \
    "sxtb16  r10, r8\n\t"                                                                                    \
    "sxtb16  r11, r8, ror #8\n\t"                                                                            \
    "smlabb  r0, r10, r12, r0\n\t"                                                                           \
    "smlatt  r2, r10, r12, r2\n\t"                                                                           \
    "smlabb  r1, r11, lr, r1\n\t"                                                                            \
    "smlatt  r3, r11, lr, r3\n\t"
/* sum register acc, channel j: q + 16 + 16 j = (multiplier, hi, e - 1); r11 the output. */
#define TE_DW_RQ(acc, j)                                                                                     \
    "ldrd    r5, r6, [r8, #" #j "*16+16]\n\t"                                                                \
    "ldr     r7, [r8, #" #j "*16+24]\n\t"                                                                    \
    TE_ASM_REQUANT_FAST(acc, "r5", "r6", "r7", "r6", "r10")                                                  \
    "ssat    r6, #8, r6\n\t"                                                                                 \
    "strb    r6, [r11, #" #j "]\n\t"

/* The end of a pixel in both direct run loops: requantize r0..r3 (TE_DW_RQ) into the four
 * outputs, then the next pixel (to 5:), the next row (to 5:) or the end (to 2:); r12 = the job,
 * r4 where the last filter row ended. */
#define TE_DW_RUN_PIXEL_END                                                                                  \
    "ldr     r12, [sp]\n\t"                                                                                  \
    "ldr     r8, [r12, #24]\n\t"                                                                             \
    "ldr     r11, [r12, #28]\n\t"                                                                            \
    TE_DW_RQ("r0", 0)                                                                                        \
    TE_DW_RQ("r1", 1)                                                                                        \
    TE_DW_RQ("r2", 2)                                                                                        \
    TE_DW_RQ("r3", 3)                                                                                        \
    /* next pixel, next row */                                                                               \
    "ldr     r6, [r12, #8]\n\t"   /* r4: where the last filter row ended */                                  \
    "add     r4, r4, r6\n\t"                                                                                 \
    "ldr     r6, [r12, #32]\n\t"                                                                             \
    "add     r11, r11, r6\n\t"                                                                               \
    "str     r11, [r12, #28]\n\t"                                                                            \
    "ldr     r6, [r12, #36]\n\t"                                                                             \
    "cmp     r11, r6\n\t"                                                                                    \
    "bne     5b\n\t"                                                                                         \
    "ldr     r6, [r12, #40]\n\t"                                                                             \
    "subs    r6, r6, #1\n\t"                                                                                 \
    "beq     2f\n\t"                                                                                         \
    "str     r6, [r12, #40]\n\t"                                                                             \
    "ldr     r4, [r12, #52]\n\t"                                                                             \
    "ldr     r6, [r12, #44]\n\t"                                                                             \
    "add     r4, r4, r6\n\t"                                                                                 \
    "str     r4, [r12, #52]\n\t"                                                                             \
    "ldr     r5, [r12, #48]\n\t"                                                                             \
    "add     r6, r11, r5\n\t"                                                                                \
    "str     r6, [r12, #36]\n\t"       /* the next row's end */                                              \
    "ldr     r11, [r12, #56]\n\t"                                                                            \
    "add     r11, r11, r5\n\t"                                                                               \
    "str     r11, [r12, #56]\n\t"                                                                            \
    "str     r11, [r12, #28]\n\t"                                                                            \
    "b       5b\n\t"

__attribute__((naked, noinline)) static void dw_run_3x3_asm(te_dw_run_job *job)
{
    (void)job;
    __asm__ volatile(
        ".syntax unified\n\t"
        "push    {r4, r5, r6, r7, r8, r10, r11, lr}\n\t"
        "sub     sp, sp, #8\n\t"
        "str     r0, [sp]\n\t"
        "1:\n\t" /* pixel */
        "ldr     r12, [sp]\n\t"
        "ldr     r8, [r12, #24]\n\t"
        "ldr     r4, [r12, #0]\n\t"
        "5:\n\t" /* the next pixels: r12 job, r8 q, r4 x already */
        "ldmia   r8, {r0, r1, r2, r3}\n\t" /* the 4 folded biases */
        "ldr     r5, [r12, #20]\n\t"
        "ldr     r6, [r12, #16]\n\t"
        "ldr     r7, [r12, #12]\n\t"
        TE_DW_TAP("[r4]")
        TE_DW_TAP("[r4, r6]")
        TE_DW_TAP("[r4, r6, lsl #1]")
        "add     r4, r4, r7\n\t"
        TE_DW_TAP("[r4]")
        TE_DW_TAP("[r4, r6]")
        TE_DW_TAP("[r4, r6, lsl #1]")
        "add     r4, r4, r7\n\t"
        TE_DW_TAP("[r4]")
        TE_DW_TAP("[r4, r6]")
        TE_DW_TAP("[r4, r6, lsl #1]")
        TE_DW_RUN_PIXEL_END
        "2:\n\t"
        "add     sp, sp, #8\n\t"
        "pop     {r4, r5, r6, r7, r8, r10, r11, pc}\n\t");
}

/* The 5x5 and 7x7 interior runs (any k_h), as dw_run_3x3_asm with a loop over filter rows (one
 * for rows of 5 taps, one for 7, picked once per pixel): per row 5 or 7 taps of 8 instructions,
 * the input pointer moved 2 taps at a time (every tap at [r4], [r4, c] or [r4, c, lsl #1]);
 * job->row holds the filter row step minus (k_w - 3) c, what is left to the next row's first tap.
 * The frame keeps the job at [sp], w_end at [sp, #4], seven at [sp, #8] and the address of the
 * row loop (rows of 5 or 7 taps) at [sp, #12]. aligned(4): the assembler fixes ADR's offsets for a
 * function starting on a word boundary (ADR adds to the word-aligned PC); without -falign-functions
 * (-Os, -O0) the section is aligned to 2, and placed at 2 mod 4 both loops' addresses would be 2
 * bytes off. */
__attribute__((naked, noinline, aligned(4))) static void dw_run_5x5_7x7_asm(te_dw_run_job *job)
{
    (void)job;
    __asm__ volatile(
        ".syntax unified\n\t"
        "push    {r4, r5, r6, r7, r8, r10, r11, lr}\n\t"
        "ldrd    r1, r2, [r0, #60]\n\t" /* w_end, seven */
        "adr.w   r3, 3f\n\t"
        "cbz     r2, 6f\n\t"
        "adr.w   r3, 7f\n\t"
        "6:\n\t"
        "orr     r3, r3, #1\n\t"          /* the row loop's address, a Thumb one */
        "push    {r0, r1, r2, r3}\n\t"     /* the frame: job, w_end, seven, row loop */
        "1:\n\t" /* pixel */
        "ldr     r12, [sp]\n\t"
        "ldr     r8, [r12, #24]\n\t"
        "ldr     r4, [r12, #0]\n\t"
        "5:\n\t" /* the next pixels: r12 job, r8 q, r4 x already */
        "ldmia   r8, {r0, r1, r2, r3}\n\t" /* the 4 folded biases */
        "ldr     r5, [r12, #20]\n\t"
        "ldr     r6, [r12, #16]\n\t"
        "ldr     r7, [r12, #12]\n\t"
        "ldr     pc, [sp, #12]\n\t"       /* to 3: or 7: */
        "3:\n\t" /* filter row of 5 taps */
        TE_DW_TAP("[r4]")
        TE_DW_TAP("[r4, r6]")
        TE_DW_TAP("[r4, r6, lsl #1]")
        "add     r4, r4, r6, lsl #1\n\t"
        TE_DW_TAP("[r4, r6]")
        TE_DW_TAP("[r4, r6, lsl #1]")
        "add     r4, r4, r7\n\t"
        "ldr     r8, [sp, #4]\n\t"
        "cmp     r5, r8\n\t"
        "bne     3b\n\t"
        "b       4f\n\t"
        "7:\n\t" /* filter row of 7 taps */
        TE_DW_TAP("[r4]")
        TE_DW_TAP("[r4, r6]")
        TE_DW_TAP("[r4, r6, lsl #1]")
        "add     r4, r4, r6, lsl #1\n\t"
        TE_DW_TAP("[r4, r6]")
        TE_DW_TAP("[r4, r6, lsl #1]")
        "add     r4, r4, r6, lsl #1\n\t"
        TE_DW_TAP("[r4, r6]")
        TE_DW_TAP("[r4, r6, lsl #1]")
        "add     r4, r4, r7\n\t"
        "ldr     r8, [sp, #4]\n\t"
        "cmp     r5, r8\n\t"
        "bne     7b\n\t"
        "4:\n\t"
        TE_DW_RUN_PIXEL_END
        "2:\n\t"
        "add     sp, sp, #16\n\t"
        "pop     {r4, r5, r6, r7, r8, r10, r11, pc}\n\t");
}
#endif

#define DW_RUN_FN(name, kh_c, kw_c, full)                                                                    \
    static DW_NOINLINE void name(const int8_t *x, int32_t n, int32_t x_step, int32_t row, int32_t c,        \
                                 int32_t k_h, int32_t k_w, const int16_t *w16, const int32_t *q, int8_t *out, \
                                 int32_t out_step, int32_t act_min, int32_t act_max)                         \
    {                                                                                                        \
        dw_direct_run_body(x, n, x_step, row, c, k_h, k_w, w16, q, out, out_step, act_min, act_max, kh_c,    \
                           kw_c, full);                                                                      \
    }
#if defined(TE_DW_DIRECT_ASM)
/* the assembly loops run 3x3, 5x5 and 7x7 (dw_direct_runs); groups with a generic shift and other
 * sizes take the any-size routine, which clamps to [-128, 127] as SSAT would (one routine: flash) */
#define dw_direct_run_3x3_full dw_direct_run_any_clamp
#define dw_direct_run_5x5_7x7_full dw_direct_run_any_clamp
#define dw_direct_run_any_full dw_direct_run_any_clamp
#else
DW_RUN_FN(dw_direct_run_3x3_full, 3, 3, 1)
DW_RUN_FN(dw_direct_run_5x5_7x7_full, 0, 5, 1)
DW_RUN_FN(dw_direct_run_any_full, 0, 0, 1)
#endif
DW_RUN_FN(dw_direct_run_any_clamp, 0, 0, 0)

typedef void (*dw_run_fn)(const int8_t *, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, const int16_t *,
                          const int32_t *, int8_t *, int32_t, int32_t, int32_t);

/* `rows` rows of n interior pixels (rows x_row_step / out_row_step apart) through `run`, or the
 * assembly 3x3 loop where it applies (whole int8 range, a group with fast shifts). */
static void dw_direct_runs(dw_run_fn run, const int8_t *x, int32_t rows, int32_t n, int32_t x_step,
                           int32_t x_row_step, int32_t row, int32_t c, int32_t k_h, int32_t k_w,
                           const int16_t *w16, const int32_t *q, int8_t *out, int32_t out_step,
                           int32_t out_row_step, int32_t act_min, int32_t act_max)
{
    int32_t r;
    if (rows <= 0 || n <= 0) {
        return;
    }
#if defined(TE_DW_DIRECT_ASM)
    if (act_min == -128 && act_max == 127 && q[7] == 0 && ((k_h == 3 && k_w == 3) || k_w == 5 || k_w == 7)) {
        te_dw_run_job job;
        job.x = x, job.n = n, job.x_step = x_step, job.row = row, job.c = c, job.w16 = w16, job.q = q;
        job.out = out, job.out_step = out_step, job.out_end = (uintptr_t)out + (uintptr_t)(n * out_step);
        job.rows = rows, job.x_row_step = x_row_step, job.out_row_step = out_row_step, job.x_row = x;
        job.out_row = out;
        if (k_w == 3) {
            job.x_step = x_step - 2 * row;
            dw_run_3x3_asm(&job);
        } else { /* row: what is left to the next filter row after the taps moved 2 at a time */
            job.x_step = x_step - k_h * row;
            job.row = row - (k_w - 3) * c, job.w_end = w16 + 4 * k_h * k_w, job.seven = k_w - 5;
            dw_run_5x5_7x7_asm(&job);
        }
        return;
    }
#endif
    for (r = 0; r < rows; ++r, x += x_row_step, out += out_row_step) {
        run(x, n, x_step, row, c, k_h, k_w, w16, q, out, out_step, act_min, act_max);
    }
}

/* One tap, 4 channels, input offset added (the reference's x + input_offset, in [-255, 255]). */
#if defined(TE_DW_DSP)
#define DW_TAP4_OFF(ptr)                                                                           \
    do {                                                                                           \
        const uint32_t xv_ = te_read_u32(ptr);                                                     \
        const uint32_t xe_ = te_sadd16(te_sxtb16(xv_), off2);                                      \
        const uint32_t xo_ = te_sadd16(te_sxtb16_ror8(xv_), off2);                                 \
        uint32_t we_, wo_;                                                                         \
        dw_read_2x32(w, &we_, &wo_);                                                               \
        w += 4;                                                                                    \
        a0 = te_smlabb(xe_, we_, a0);                                                              \
        a2 = te_smlatt(xe_, we_, a2);                                                              \
        a1 = te_smlabb(xo_, wo_, a1);                                                              \
        a3 = te_smlatt(xo_, wo_, a3);                                                              \
        DW_FENCE4();                                                                               \
    } while (0)
#else
#define DW_TAP4_OFF(ptr)                                                                           \
    do {                                                                                           \
        const int8_t *xp_ = (ptr);                                                                 \
        a0 = dw_mac(a0, xp_[0] + in_off, w[0]);                                                    \
        a2 = dw_mac(a2, xp_[2] + in_off, w[1]);                                                    \
        a1 = dw_mac(a1, xp_[1] + in_off, w[2]);                                                    \
        a3 = dw_mac(a3, xp_[3] + in_off, w[3]);                                                    \
        w += 4;                                                                                    \
    } while (0)
#endif

/* One pixel whose window the image clips, one group: only its nky x nkx in-image taps, in the
 * reference's form (bias + sum of w * (x + input_offset); b4: the group's 4 biases before
 * folding), so padded taps cost nothing. x: the first in-image tap (channel 0 of the group),
 * filter rows `row` input bytes and w_row int16 weights apart, taps c bytes apart; w16: the
 * weights of that tap. */
TE_INLINE void dw_direct_clip_body(const int8_t *x, int32_t nky, int32_t nkx, int32_t row, int32_t c,
                                   const int16_t *w16, int32_t w_row, const int32_t *b4, int32_t in_off,
                                   const int32_t *q, int8_t *out, int32_t act_min, int32_t act_max, const int full)
{
#if defined(TE_DW_DSP)
    const uint32_t off2 = (uint32_t)(uint16_t)in_off * 0x00010001u;
#endif
    int32_t a0 = b4[0], a1 = b4[1], a2 = b4[2], a3 = b4[3], ky, kx;
    for (ky = 0; ky < nky; ++ky, x += row, w16 += w_row) {
        const int8_t *xk = x;
        const int16_t *w = w16;
        for (kx = 0; kx < nkx; ++kx, xk += c) {
            DW_TAP4_OFF(xk);
        }
    }
    dw_direct_store4(out, q, a0, a1, a2, a3, act_min, act_max, full);
}

#define DW_CLIP_FN(name, full)                                                                               \
    static DW_NOINLINE void name(const int8_t *x, int32_t nky, int32_t nkx, int32_t row, int32_t c,         \
                                 const int16_t *w16, int32_t w_row, const int32_t *b4, int32_t in_off,      \
                                 const int32_t *q, int8_t *out, int32_t act_min, int32_t act_max)           \
    {                                                                                                        \
        dw_direct_clip_body(x, nky, nkx, row, c, w16, w_row, b4, in_off, q, out, act_min, act_max, full);    \
    }
DW_CLIP_FN(dw_direct_clip_full, 1)
DW_CLIP_FN(dw_direct_clip_clamp, 0)

/* Group g's weights as int16 (filter offset added) in SXTB16 order: per tap c0, c2, c1, c3; and,
 * when sum4 is not NULL, each channel's sum of them (sum4[j]: channel j). */
static void dw_direct_weights(const int8_t *filter, int32_t out_c, int32_t n_taps, int32_t g, int32_t fo,
                              int16_t *w16, int32_t *sum4)
{
    int32_t t;
#if defined(TE_DW_DSP)
    const uint32_t fo2 = (uint32_t)(uint16_t)fo * 0x00010001u;
    const int8_t *f = filter + 4 * g;
    uint32_t *w = (uint32_t *)(void *)w16;
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0;
    if (sum4 == NULL) {
        for (t = 0; t < n_taps; ++t, f += out_c, w += 2) { /* one word per tap: 4 channels (out_c % 4 == 0) */
            const uint32_t v = te_read_u32(f);
            w[0] = te_sadd16(te_sxtb16(v), fo2);
            w[1] = te_sadd16(te_sxtb16_ror8(v), fo2);
        }
        return;
    }
    for (t0 = 0; t0 < n_taps; t0 += 128) {
        const int32_t n = te_min_i32(128, n_taps - t0);
        uint32_t s02 = 0, s13 = 0; /* 16-bit lane sums of at most 128 values in [-255, 255] */
        for (t = 0; t < n; ++t, f += out_c, w += 2) { /* one word per tap: 4 channels (out_c % 4 == 0) */
            const uint32_t v = te_read_u32(f);
            const uint32_t we = te_sadd16(te_sxtb16(v), fo2), wo = te_sadd16(te_sxtb16_ror8(v), fo2);
            w[0] = we;
            w[1] = wo;
            s02 = te_sadd16(s02, we);
            s13 = te_sadd16(s13, wo);
        }
        s0 += (int16_t)(s02 & 0xFFFFu), s2 += (int16_t)(s02 >> 16);
        s1 += (int16_t)(s13 & 0xFFFFu), s3 += (int16_t)(s13 >> 16);
    }
    sum4[0] = s0, sum4[1] = s1, sum4[2] = s2, sum4[3] = s3;
#else
    if (sum4 != NULL) {
        sum4[0] = sum4[1] = sum4[2] = sum4[3] = 0;
    }
    for (t = 0; t < n_taps; ++t, w16 += 4) {
        const int8_t *f = filter + (size_t)t * out_c + 4 * g;
        w16[0] = (int16_t)(f[0] + fo);
        w16[1] = (int16_t)(f[2] + fo);
        w16[2] = (int16_t)(f[1] + fo);
        w16[3] = (int16_t)(f[3] + fo);
        if (sum4 != NULL) {
            sum4[0] += f[0] + fo, sum4[1] += f[1] + fo, sum4[2] += f[2] + fo, sum4[3] += f[3] + fo;
        }
    }
#endif
}

/* Plane mode (small maps, where most pixels would be border pixels): group by group, the
 * group's input (4 channels) is copied into a plane padded with the input zero point, then
 * every output pixel is an interior pixel of the plane. The output may overwrite the input:
 * the plane holds the group's input by then, and other groups' channels are not touched. */
static void dw_direct_plane(const te_dw_params *p, const int32_t *rq4, const int8_t *input, const int8_t *filter,
                            int8_t *output, int16_t *w16, int8_t *plane, dw_run_fn run)
{
    const int32_t c = p->in_c, groups = c >> 2, k_h = p->k_h, k_w = p->k_w, n_taps = k_h * k_w;
    const int32_t in_h = p->in_h, in_w = p->in_w, pw = p->plane_w, out_w = p->out_w;
    const int32_t ph = (p->out_h - 1) * p->stride_h + k_h; /* plane rows the outputs read */
    const uint32_t zp4 = (uint32_t)(uint8_t)(-p->input_offset) * 0x01010101u;
    const size_t in_batch = (size_t)in_h * in_w * c, out_batch = (size_t)p->out_h * out_w * c;
    int32_t b, g, y, x;
    for (y = 0; y < ph * pw; ++y) { /* padding: written once, the interior is rewritten per group */
        memcpy(plane + 4 * (size_t)y, &zp4, 4);
    }
    for (g = 0; g < groups; ++g) {
        const int32_t *q = rq4 + 20 * g;
        dw_direct_weights(filter, c, n_taps, g, p->filter_offset, w16, NULL);
        for (b = 0; b < p->batches; ++b) {
            const int8_t *src = input + (size_t)b * in_batch + 4 * g;
            int8_t *out = output + (size_t)b * out_batch + 4 * g;
            const int32_t cols = te_min_i32(in_w, pw - p->pad_left);
            for (y = 0; y < in_h && p->pad_top + y < ph; ++y) {
                int8_t *dst = plane + ((size_t)(p->pad_top + y) * pw + p->pad_left) * 4;
                const int8_t *s = src + (size_t)y * in_w * c;
                for (x = 0; x < cols; ++x, dst += 4, s += c) {
                    memcpy(dst, s, 4);
                }
            }
            dw_direct_runs(run, plane, p->out_h, out_w, 4 * p->stride_w, p->stride_h * pw * 4, 4 * pw, 4, k_h, k_w,
                           w16, q, out, c, out_w * c, p->act_min, p->act_max);
        }
    }
}

/* Group by group, row by row. In place (output == input), a group's output rows go to a ring
 * of ring_rows rows of 4 channels and are copied over the input once no later output row needs
 * the input rows they land on (output row j lands on input rows <= j; output row oy + 1 needs
 * input rows from (oy + 1) * stride_h - pad_top on). Channels of other groups are neither read
 * nor written meanwhile: a depthwise output channel depends on its own input channel only.
 * Interior pixels of a row go through the run routine, border pixels one by one over their
 * in-image taps only (dw_direct_clip_*). */
static void dw_direct(const te_dw_params *p, const int32_t *rq4, const int8_t *input, const int8_t *filter,
                      int8_t *output, void *scratch)
{
    const int32_t c = p->in_c, groups = c >> 2, k_h = p->k_h, k_w = p->k_w, n_taps = k_h * k_w;
    const int32_t in_h = p->in_h, in_w = p->in_w, sh = p->stride_h, sw = p->stride_w, out_w = p->out_w;
    const int32_t act_min = p->act_min, act_max = p->act_max;
    const int full = act_min == -128 && act_max == 127;
    const dw_run_fn run = !full                    ? dw_direct_run_any_clamp
                          : k_h == 3 && k_w == 3 ? dw_direct_run_3x3_full
                          : k_w == 5 || k_w == 7 ? dw_direct_run_5x5_7x7_full
                                                 : dw_direct_run_any_full;
    const int in_place = output == input && p->ring_rows > 0;
    int16_t *const w16 = (int16_t *)scratch;
    int8_t *const ring = (int8_t *)(void *)(w16 + 4 * n_taps);
    const size_t in_batch = (size_t)in_h * in_w * c, out_batch = (size_t)p->out_h * out_w * c;
    /* interior columns: ox in [ox_lo, ox_hi) have their whole window inside the input's columns */
    const int32_t ox_lo = te_min_i32((p->pad_left + sw - 1) / sw, out_w);
    const int32_t ox_hi = te_max_i32(ox_lo, te_min_i32(out_w, (in_w - k_w + p->pad_left) / sw + 1));
    int32_t b, g, oy, ox, i;

    if (p->plane_w > 0) {
        dw_direct_plane(p, rq4, input, filter, output, w16, (int8_t *)(void *)(w16 + 4 * n_taps), run);
        return;
    }
    for (g = 0; g < groups; ++g) {
        const int32_t *q = rq4 + 20 * g;
        const int32_t goff = 4 * g;
        int32_t b4[4]; /* the group's biases before folding: q[j] - input_offset * sum of its weights */
        dw_direct_weights(filter, c, n_taps, g, p->filter_offset, w16, b4);
        for (i = 0; i < 4; ++i) {
            b4[i] = (int32_t)((uint32_t)q[i] - (uint32_t)p->input_offset * (uint32_t)b4[i]);
        }
        for (b = 0; b < p->batches; ++b) {
            const int8_t *in_b = input + (size_t)b * in_batch;
            int8_t *out_b = output + (size_t)b * out_batch;
            int32_t flushed = 0; /* in place: output rows below this are in the output */
            for (oy = 0; oy < p->out_h; ++oy) {
                const int32_t iy0 = oy * sh - p->pad_top;
                const int32_t ky0 = te_max_i32(0, -iy0), ky1 = te_min_i32(k_h, in_h - iy0);
                const int rows_in = ky0 == 0 && ky1 == k_h;
                /* where output (oy, ox) of this group goes: out_row + ox * o_step */
                int8_t *const out_row = in_place ? ring + (size_t)(oy % p->ring_rows) * out_w * 4
                                                 : out_b + (size_t)oy * out_w * c + goff;
                const int32_t o_step = in_place ? 4 : c;
                for (ox = 0; ox < out_w; ++ox) {
                    const int32_t ix0 = ox * sw - p->pad_left;
                    int8_t *o = out_row + (size_t)ox * o_step;
                    if (rows_in && ox == ox_lo && ox_hi > ox_lo) {
                        dw_direct_runs(run, in_b + ((size_t)iy0 * in_w + (size_t)ix0) * c + goff, 1, ox_hi - ox_lo,
                                       sw * c, 0, in_w * c, c, k_h, k_w, w16, q, o, o_step, 0, act_min, act_max);
                        ox = ox_hi - 1;
                        continue;
                    }
                    {
                        const int32_t kx0 = te_max_i32(0, -ix0), kx1 = te_min_i32(k_w, in_w - ix0);
                        const int8_t *x = in_b + ((size_t)(iy0 + ky0) * in_w + (size_t)(ix0 + kx0)) * c + goff;
                        (full ? dw_direct_clip_full : dw_direct_clip_clamp)(
                            x, ky1 - ky0, kx1 - kx0, in_w * c, c, w16 + 4 * (ky0 * k_w + kx0), 4 * k_w, b4,
                            p->input_offset, q, o, act_min, act_max);
                    }
                }
                if (in_place) {
                    const int32_t last = oy + 1 < p->out_h ? te_min_i32(oy, (oy + 1) * sh - p->pad_top - 1) : oy;
                    for (; flushed <= last; ++flushed) {
                        const int8_t *src = ring + (size_t)(flushed % p->ring_rows) * out_w * 4;
                        int8_t *dst = out_b + (size_t)flushed * out_w * c + goff;
                        for (ox = 0; ox < out_w; ++ox, src += 4, dst += c) {
                            memcpy(dst, src, 4);
                        }
                    }
                }
            }
        }
    }
}

#if defined(TE_USE_MVE)
/* Helium path (M55): every depthwise layer, planar or direct (both give it row_len and buf_rows;
 * the generator sizes the scratch of either for an int8 window of buf_rows rows of row_len, plus
 * 16 bytes).
 *
 * One input channel at a time, as the planar kernel: its rows are copied (gather loads, stride
 * in_c) into an int8 window padded with the input zero point, so every output of the channel is
 * an interior pixel of the window, and in-place operation follows the planar kernel's argument.
 * An output's taps are loaded with one gather per chunk of filter rows (as many as fit 16 lanes
 * with window offsets spanning at most 255 bytes: one chunk for 3x3 on rows up to 126 bytes, two
 * for 5x5, four for 7x7) and multiplied by the channel's int8 weights with VMLADAVA (lanes past
 * the chunk: weight 0, offset 0). Four sums become one vector (two VMOVs) for the
 * requantization (the lanes share the channel's constants: te_mve_requant_off_n) and one
 * scatter store. Outputs are walked along window rows (x + j * stride_w), or, when the whole
 * padded channel is in the window and has at most DW_MVE_LIST outputs, through a table of their
 * window positions, four at a time across rows. The last step of four may compute up to three
 * outputs past a row (their taps stay within 3 * stride_w bytes past the row, in the window or its
 * 16 bytes of slack) and stores only the real ones. Legacy uint8 models: w + filter_offset is
 * split into two int8 weight vectors, so two VMLADAVAs of the same taps give the sum. Filters
 * whose rows do not fit a chunk, and filter offsets above 127, take a scalar loop on the window.
 * The bias is the folded one (both layouts carry it). */

#define DW_MVE_MAX_CHUNKS 5
#define DW_MVE_LIST 128
#define DW_MVE_COPY 64

/* Chunks of `rows` filter rows: chunk c's taps start c * step window bytes below the output's
 * first tap, lane l is tap (l / k_w, l % k_w) of the chunk; all chunks share off, the last (fewer
 * rows) has off_last (lanes past it: offset 0). Also the gathers of one channel's weights.
 * n = 0: the filter does not fit (a row wider than a chunk, too many chunks, filter offset > 127
 * or more than 4369 output channels): the scalar loop. */
typedef struct {
    int32_t n, rows, step;   /* chunks, filter rows per chunk, window bytes between chunks */
    int32_t taps, taps_last; /* lanes used per chunk (the last chunk's) */
    uint8x16_t off, off_last;
    uint16x8_t w_even, w_odd; /* filter offsets of a chunk's even / odd taps */
    mve_pred16_t p_even, p_odd, p_even_last, p_odd_last;
    int32_t w_step; /* filter bytes between chunks */
} dw_mve_taps;

static void dw_mve_chunks(const te_dw_params *p, dw_mve_taps *t)
{
    const int32_t k_w = p->k_w, dy = p->dil_h * p->row_len, span = (k_w - 1) * p->dil_w;
    uint8_t lanes[16] = {0};
    int32_t l;
    t->n = 0;
    if (k_w > 16 || span > 255 || p->out_c > 4369 || p->filter_offset > 127) {
        return;
    }
    t->rows = te_min_i32(te_min_i32(16 / k_w, (255 - span) / dy + 1), p->k_h);
    t->n = (p->k_h + t->rows - 1) / t->rows;
    if (t->n > DW_MVE_MAX_CHUNKS) {
        t->n = 0;
        return;
    }
    t->step = t->rows * dy;
    t->taps = t->rows * k_w;
    t->taps_last = (p->k_h - (t->n - 1) * t->rows) * k_w;
    for (l = 0; l < t->taps; ++l) {
        lanes[l] = (uint8_t)((l / k_w) * dy + (l % k_w) * p->dil_w);
    }
    t->off = vldrbq_u8(lanes);
    for (l = t->taps_last; l < 16; ++l) {
        lanes[l] = 0;
    }
    t->off_last = vldrbq_u8(lanes);
    t->w_even = vmulq_n_u16(vidupq_n_u16(0, 2), (uint16_t)p->out_c);
    t->w_odd = vaddq_n_u16(t->w_even, (uint16_t)p->out_c);
    t->p_even = vctp16q((uint32_t)(t->taps + 1) >> 1);
    t->p_odd = vctp16q((uint32_t)t->taps >> 1);
    t->p_even_last = vctp16q((uint32_t)(t->taps_last + 1) >> 1);
    t->p_odd_last = vctp16q((uint32_t)t->taps_last >> 1);
    t->w_step = t->taps * p->out_c;
}

TE_INLINE int8x16_t dw_mve_w8(int16x8_t e, int16x8_t o)
{
    return vmovntq_s16(vmovnbq_s16(vdupq_n_s8(0), e), o);
}

/* Output channel oc's weights per chunk, f = filter + oc: two gathers of 8 (even and odd taps,
 * filter[tap][out_c] as the model stores it) narrowed into one vector (lanes past the chunk 0).
 * Legacy uint8 (fo != 0): two vectors per chunk, w[2c] + w[2c + 1] = w + fo (the halves of a
 * value in [-255, 254], each within int8). */
static DW_NOINLINE void dw_mve_weights(const int8_t *f, const dw_mve_taps *t, int32_t fo, int8x16_t *w)
{
    int32_t g;
    for (g = 0; g < t->n; ++g, f += t->w_step) {
        const int last = g + 1 == t->n;
        const mve_pred16_t pe = last ? t->p_even_last : t->p_even, po = last ? t->p_odd_last : t->p_odd;
        int16x8_t e = vldrbq_gather_offset_z_s16(f, t->w_even, pe);
        int16x8_t o = vldrbq_gather_offset_z_s16(f, t->w_odd, po);
        if (fo == 0) {
            w[g] = dw_mve_w8(e, o);
        } else {
            e = vaddq_m_n_s16(e, e, (int16_t)fo, pe); /* lanes past the chunk stay 0 */
            o = vaddq_m_n_s16(o, o, (int16_t)fo, po);
            w[2 * g] = dw_mve_w8(vshrq_n_s16(e, 1), vshrq_n_s16(o, 1));
            w[2 * g + 1] = dw_mve_w8(vsubq_s16(e, vshrq_n_s16(e, 1)), vsubq_s16(o, vshrq_n_s16(o, 1)));
        }
    }
}

/* One output channel's requantization, in memory the assembly reads (field offsets fixed: bias 0,
 * lo 16, hi 32, so 48, mult 64, d 68, sh 72). fast: 1 <= e = -shift <= 23, d =
 * te_mve_round_add(out_off, e), sh = -e (te_mve_requant_off_n). */
typedef struct {
    int32x4_t bias, lo, hi, so; /* bias in every lane; the activation range; scatter offsets */
    int32_t mult, d, sh, fast;
    int32_t out_off, fo;
} dw_mve_k;

static DW_NOINLINE void dw_mve_channel(const te_requant_per_channel *rq, const int32_t *rq4, int32_t oc,
                                       dw_mve_k *k)
{
    int32_t bias, shift;
    if (rq4 != NULL) { /* see te_depthwise.h: 4 biases, then per channel FAST or GENERIC constants */
        const int32_t *q = rq4 + 20 * (oc >> 2), *c = q + 4 + 4 * (oc & 3);
        bias = q[oc & 3];
        k->mult = c[0];
        shift = c[3] ? c[1] : -(c[2] + 1);
    } else {
        bias = rq->bias ? rq->bias[oc] : 0;
        k->mult = rq->multiplier[oc];
        shift = rq->shift[oc];
    }
    k->bias = vdupq_n_s32(bias);
    k->sh = shift;
    k->fast = shift <= -1 && shift >= -23;
    k->d = k->fast ? te_mve_round_add(k->out_off, -shift) : 0;
}

/* v (four sums) + bias, requantized, + output offset, clamped, stored (lanes in pred). */
static void dw_mve_store(int32x4_t v, const dw_mve_k *k, int8_t *out, mve_pred16_t pred)
{
    v = vaddq_s32(v, k->bias);
    if (k->fast) {
        v = te_mve_requant_off_n(v, k->mult, k->d, k->sh);
    } else {
        v = vaddq_n_s32(te_mve_requant_n(v, k->mult, k->sh), k->out_off);
    }
    v = vminq_s32(vmaxq_s32(v, k->lo), k->hi);
    vstrbq_scatter_offset_p_s32(out, vreinterpretq_u32_s32(k->so), v, pred);
}

#if defined(__GNUC__) && defined(__OPTIMIZE__) && !defined(TE_NO_INLINE_ASM)
#define TE_DW_MVE_ASM 1
/* The assembly loops, steps of four outputs: per output and chunk one gather, one VMLADAV(A) and
 * one pointer step (VMLADAV's sums sit in even registers: a, b), two VMOVs, the requantization
 * (fast form) and one scatter store, the step's store predicated (n: outputs left). GCC spills the
 * vectors of these loops when they are written with intrinsics. With one chunk the constants stay
 * in vector registers; with more they are loaded from kp (too few registers). */
#define DW_RQ_FIXED                                                                              \
    "ldrd    %[a], %[b], [%[kp], #64]\n\t"                                                       \
    "vadd.i32 %q[v], %q[v], %q[bias]\n\t"                                                        \
    "vshr.s32 %q[t], %q[v], #31\n\t"                                                             \
    "vadd.i32 %q[t], %q[t], %[b]\n\t"                                                            \
    "vqrdmlah.s32 %q[t], %q[v], %[a]\n\t"                                                        \
    "vshl.s32 %q[t], %[sh]\n\t"                                                                  \
    "vmax.s32 %q[t], %q[t], %q[lo]\n\t"                                                          \
    "vmin.s32 %q[t], %q[t], %q[hi]\n\t"                                                          \
    "vctp.32 %[n]\n\t"                                                                           \
    "vpst\n\t"                                                                                   \
    "vstrbt.32 %q[t], [%[out], %q[so]]\n\t"
#define DW_RQ_LOADED                                                                             \
    "vldrw.32 %q[t], [%[kp]]\n\t"                                                                \
    "vadd.i32 %q[v], %q[v], %q[t]\n\t"                                                           \
    "vshr.s32 %q[t], %q[v], #31\n\t"                                                             \
    "ldrd    %[a], %[b], [%[kp], #64]\n\t"                                                       \
    "vadd.i32 %q[t], %q[t], %[b]\n\t"                                                            \
    "vqrdmlah.s32 %q[t], %q[v], %[a]\n\t"                                                        \
    "ldr     %[a], [%[kp], #72]\n\t"                                                             \
    "vshl.s32 %q[t], %[a]\n\t"                                                                   \
    "vldrw.32 %q[v], [%[kp], #16]\n\t"                                                           \
    "vmax.s32 %q[t], %q[t], %q[v]\n\t"                                                           \
    "vldrw.32 %q[v], [%[kp], #32]\n\t"                                                           \
    "vmin.s32 %q[t], %q[t], %q[v]\n\t"                                                           \
    "vldrw.32 %q[v], [%[kp], #48]\n\t"                                                           \
    "vctp.32 %[n]\n\t"                                                                           \
    "vpst\n\t"                                                                                   \
    "vstrbt.32 %q[t], [%[out], %q[v]]\n\t"
/* the sum of one output into acc, its first tap at base (%[y] is free to use) */
#define DW_S1(acc, base) "vldrb.u8 %q[t], [" base ", %q[o]]\n\t" "vmladav.s8 " acc ", %q[w0], %q[t]\n\t"
#define DW_CH0(acc, base) "vldrb.u8 %q[t], [" base ", %q[o]]\n\t" "add %[y], " base ", %[step]\n\t" \
                          "vmladav.s8 " acc ", %q[w0], %q[t]\n\t"
#define DW_CHM(acc, wc) "vldrb.u8 %q[t], [%[y], %q[o]]\n\t" "add %[y], %[y], %[step]\n\t" \
                        "vmladava.s8 " acc ", %q[" wc "], %q[t]\n\t"
#define DW_CHL(acc, wc) "vldrb.u8 %q[t], [%[y], %q[ol]]\n\t" "vmladava.s8 " acc ", %q[" wc "], %q[t]\n\t"
#define DW_S2(acc, base) DW_CH0(acc, base) DW_CHL(acc, "w1")
#define DW_S3(acc, base) DW_CH0(acc, base) DW_CHM(acc, "w1") DW_CHL(acc, "w2")
#define DW_S4(acc, base) DW_CH0(acc, base) DW_CHM(acc, "w1") DW_CHM(acc, "w2") DW_CHL(acc, "w3")
/* five chunks of equal rows (the last one's offsets are off) */
#define DW_S5(acc, base) DW_CH0(acc, base) DW_CHM(acc, "w1") DW_CHM(acc, "w2") DW_CHM(acc, "w3") \
                         "vldrb.u8 %q[t], [%[y], %q[o]]\n\t" "vmladava.s8 " acc ", %q[w4], %q[t]\n\t"
/* legacy uint8: two weight vectors per chunk */
#define DW_S1L(acc, base) "vldrb.u8 %q[t], [" base ", %q[o]]\n\t" "vmladav.s8 " acc ", %q[w0], %q[t]\n\t" \
                          "vmladava.s8 " acc ", %q[w1], %q[t]\n\t"
#define DW_S2L(acc, base) "vldrb.u8 %q[t], [" base ", %q[o]]\n\t" "add %[y], " base ", %[step]\n\t" \
                          "vmladav.s8 " acc ", %q[w0], %q[t]\n\t" "vmladava.s8 " acc ", %q[w1], %q[t]\n\t" \
                          "vldrb.u8 %q[t], [%[y], %q[ol]]\n\t" "vmladava.s8 " acc ", %q[w2], %q[t]\n\t" \
                          "vmladava.s8 " acc ", %q[w3], %q[t]\n\t"
#define DW_HEAD                                                                                  \
    "add     %[a], %[n], #3\n\t"                                                                 \
    "lsrs    %[a], %[a], #2\n\t"                                                                 \
    "dls     lr, %[a]\n\t"                                                                       \
    "1:\n\t"
#define DW_STEP_END                                                                              \
    "add     %[out], %[out], %[ostep], lsl #2\n\t"                                               \
    "subs    %[n], %[n], #4\n\t"                                                                 \
    "le      lr, 1b\n\t"
/* outputs 0, 2 then 1, 3 (VMOV fills lanes 0 and 2, then 1 and 3) */
#define DW_ROW(SUM)                                                                              \
    SUM("%[a]", "%[x]")                                                                          \
    "add     %[y], %[x], %[sw], lsl #1\n\t" SUM("%[b]", "%[y]")                                  \
    "vmov    %q[v][2], %q[v][0], %[a], %[b]\n\t"                                                 \
    "add     %[y], %[x], %[sw]\n\t" SUM("%[a]", "%[y]")                                          \
    "add     %[y], %[x], %[sw]\n\t" "add %[y], %[y], %[sw], lsl #1\n\t" SUM("%[b]", "%[y]")     \
    "vmov    %q[v][3], %q[v][1], %[a], %[b]\n\t"                                                 \
    "add     %[x], %[x], %[sw], lsl #2\n\t"
/* table mode: x walks the table of window offsets (uint16), sw holds the window */
#define DW_LIST(SUM)                                                                             \
    "ldrh    %[y], [%[x], #0]\n\t" "add %[y], %[y], %[sw]\n\t" SUM("%[a]", "%[y]")               \
    "ldrh    %[y], [%[x], #4]\n\t" "add %[y], %[y], %[sw]\n\t" SUM("%[b]", "%[y]")               \
    "vmov    %q[v][2], %q[v][0], %[a], %[b]\n\t"                                                 \
    "ldrh    %[y], [%[x], #2]\n\t" "add %[y], %[y], %[sw]\n\t" SUM("%[a]", "%[y]")               \
    "ldrh    %[y], [%[x], #6]\n\t" "add %[y], %[y], %[sw]\n\t" SUM("%[b]", "%[y]")               \
    "vmov    %q[v][3], %q[v][1], %[a], %[b]\n\t"                                                 \
    "add     %[x], %[x], #8\n\t"
#define DW_ASM(BODY, RQ, ...)                                                                    \
    __asm__ volatile(DW_HEAD BODY RQ DW_STEP_END                                                 \
                     : [x] "+r"(x), [out] "+r"(out), [n] "+r"(n), [y] "=&r"(y), [a] "=&Te"(a),        \
                       [b] "=&Te"(b), [v] "=&w"(v), [t] "=&w"(t)                                     \
                     : [kp] "r"(k), [sw] "r"(sw), [ostep] "r"(out_step), [o] "w"(tp->off), __VA_ARGS__ \
                     : "lr", "memory", "p0")
#define DW_IN1                                                                                   \
    [w0] "w"(w[0]), [bias] "w"(k->bias), [lo] "w"(k->lo), [hi] "w"(k->hi), [so] "w"(k->so), [sh] "r"(k->sh)
#define DW_IN1L [w0] "w"(w[0]), [w1] "w"(w[1])
#define DW_IN2 [step] "r"(tp->step), [ol] "w"(tp->off_last), [w0] "w"(w[0]), [w1] "w"(w[1])
#define DW_IN2L DW_IN2, [w2] "w"(w[2]), [w3] "w"(w[3])
#define DW_IN3 DW_IN2, [w2] "w"(w[2])
#define DW_IN4 DW_IN3, [w3] "w"(w[3])
#define DW_IN5                                                                                   \
    [step] "r"(tp->step), [w0] "w"(w[0]), [w1] "w"(w[1]), [w2] "w"(w[2]), [w3] "w"(w[3]), [w4] "w"(w[4])
/* n >= 1 outputs: x is the first output's first tap (row mode) or the table (then sw is the
 * window's address). */
#define DW_STEPS_FN(name, SUM, RQ, IN)                                                           \
    static DW_NOINLINE void name(const int8_t *x, int table, int32_t sw, int32_t n, const dw_mve_taps *tp, \
                                 const int8x16_t *w, const dw_mve_k *k, int8_t *out, int32_t out_step)      \
    {                                                                                            \
        const int8_t *y;                                                                         \
        int32_t a, b;                                                                            \
        int32x4_t v, t;                                                                          \
        if (table) {                                                                             \
            DW_ASM(DW_LIST(SUM), RQ, IN);                                                        \
        } else {                                                                                 \
            DW_ASM(DW_ROW(SUM), RQ, IN);                                                         \
        }                                                                                        \
    }
DW_STEPS_FN(dw_mve_steps1, DW_S1, DW_RQ_FIXED, DW_IN1)
DW_STEPS_FN(dw_mve_steps2, DW_S2, DW_RQ_LOADED, DW_IN2)
DW_STEPS_FN(dw_mve_steps3, DW_S3, DW_RQ_LOADED, DW_IN3)
DW_STEPS_FN(dw_mve_steps4, DW_S4, DW_RQ_LOADED, DW_IN4)
DW_STEPS_FN(dw_mve_steps5, DW_S5, DW_RQ_LOADED, DW_IN5)
DW_STEPS_FN(dw_mve_steps1l, DW_S1L, DW_RQ_LOADED, DW_IN1L)
DW_STEPS_FN(dw_mve_steps2l, DW_S2L, DW_RQ_LOADED, DW_IN2L)

typedef void (*dw_mve_steps_fn)(const int8_t *, int, int32_t, int32_t, const dw_mve_taps *, const int8x16_t *,
                                const dw_mve_k *, int8_t *, int32_t);
#endif /* TE_DW_MVE_ASM */

/* Every output of one channel: rows runs of n outputs, output j's first tap at x + tab[j] (tab !=
 * NULL; the table holds valid positions up to a multiple of 4) or at x + j * sw in the window, its
 * result at out + j * out_step; the next run x_row and out_row on. w: the channel's weights (or,
 * n == 0 in t, f = filter + oc). */
typedef struct {
    const uint16_t *tab;
    const int8_t *x;
    int32_t sw, n, rows, x_row;
    int32_t out_step, out_row;
    const te_dw_params *p;
} dw_mve_run;

static DW_NOINLINE void dw_mve_runs(const dw_mve_run *r, const dw_mve_taps *t, const int8x16_t *w,
                                    const dw_mve_k *k, const int8_t *f, int8_t *out)
{
    const int32_t fo = k->fo;
    int32_t row, j, i, c;
#if defined(TE_DW_MVE_ASM)
    dw_mve_steps_fn fn = NULL;
    if (k->fast && r->sw <= 5 && t->n > 0) {
        static const dw_mve_steps_fn by_chunks[5] = {dw_mve_steps1, dw_mve_steps2, dw_mve_steps3, dw_mve_steps4,
                                                     dw_mve_steps5};
        if (fo == 0 && (t->n < 5 || t->taps_last == t->taps)) {
            fn = by_chunks[t->n - 1];
        } else if (fo != 0 && t->n <= 2) {
            fn = t->n == 1 ? dw_mve_steps1l : dw_mve_steps2l;
        }
    }
    if (fn != NULL) {
        if (r->tab != NULL) {
            fn((const int8_t *)r->tab, 1, (int32_t)(intptr_t)r->x, r->n, t, w, k, out, r->out_step);
            return;
        }
        for (row = 0; row < r->rows; ++row) {
            fn(r->x + (size_t)row * r->x_row, 0, r->sw, r->n, t, w, k, out + (size_t)row * r->out_row, r->out_step);
        }
        return;
    }
#endif
    for (row = 0; row < r->rows; ++row) {
        for (j = 0; j < r->n; j += 4) {
            int32_t s[4] = {0, 0, 0, 0};
            const int32_t m = te_min_i32(r->n - j, 4);
            for (i = 0; i < m; ++i) {
                const int8_t *x = r->x + (r->tab ? r->tab[j + i] : (size_t)row * r->x_row + (size_t)(j + i) * r->sw);
                uint32_t a = 0;
                if (t->n > 0) { /* the chunks: one or two (legacy) VMLADAVAs each */
                    for (c = 0; c < t->n; ++c, x += t->step) {
                        const int8x16_t xv = vldrbq_gather_offset_s8(x, c + 1 == t->n ? t->off_last : t->off);
                        a = (uint32_t)vmladavaq_s8((int32_t)a, w[fo ? 2 * c : c], xv);
                        if (fo != 0) {
                            a = (uint32_t)vmladavaq_s8((int32_t)a, w[2 * c + 1], xv);
                        }
                    }
                } else { /* tap by tap */
                    const te_dw_params *p = r->p;
                    int32_t ky, kx;
                    for (ky = 0; ky < p->k_h; ++ky) {
                        for (kx = 0; kx < p->k_w; ++kx) {
                            const int32_t wv = f[(size_t)(ky * p->k_w + kx) * p->out_c] + fo;
                            a += (uint32_t)(wv * x[(size_t)ky * p->dil_h * p->row_len + (size_t)kx * p->dil_w]);
                        }
                    }
                }
                s[i] = (int32_t)a;
            }
            dw_mve_store(te_mve_vec4(s[0], s[1], s[2], s[3]), k, out + (size_t)row * r->out_row + (size_t)j * r->out_step,
                         vctp32q((uint32_t)m));
        }
    }
}

/* rows x n values: dst[r * dst_row + i] = src[r * src_row + i * stride]: gathers of 16 (stride
 * <= 17) or 8 values, the row's last one predicated. */
static DW_NOINLINE void dw_mve_gather_rows(int8_t *dst, int32_t dst_row, const int8_t *src, int32_t src_row,
                                           int32_t stride, int32_t n, int32_t rows)
{
    const int wide = stride <= 17; /* 16 lanes (byte offsets) or 8 (halfword offsets) */
    const int32_t lanes = wide ? 16 : 8, full = n / lanes, step = lanes * stride;
    const uint8x16_t o8 = vmulq_n_u8(vidupq_n_u8(0, 1), (uint8_t)stride);
    const uint16x8_t o16 = vmulq_n_u16(vidupq_n_u16(0, 1), (uint16_t)stride);
    const mve_pred16_t pr = wide ? vctp8q((uint32_t)(n & 15)) : vctp16q((uint32_t)(n & 7));
    int32_t r;
#if defined(TE_DW_MVE_ASM)
    if (n < lanes && rows > 0) { /* one predicated gather and store per row (small maps: most layers) */
        int8x16_t v;
        if (wide) {
            __asm__ volatile("vmsr    p0, %[pr]\n\t"
                             "dls     lr, %[rows]\n\t"
                             "1:\n\t"
                             "vpstt\n\t"
                             "vldrbt.u8 %q[v], [%[src], %q[o]]\n\t"
                             "vstrbt.8 %q[v], [%[dst]]\n\t"
                             "add     %[src], %[src], %[sr]\n\t"
                             "add     %[dst], %[dst], %[dr]\n\t"
                             "le      lr, 1b\n\t"
                             : [src] "+r"(src), [dst] "+r"(dst), [v] "=&w"(v)
                             : [pr] "r"((uint32_t)pr), [rows] "r"(rows), [o] "w"(o8), [sr] "r"(src_row),
                               [dr] "r"(dst_row)
                             : "lr", "memory", "p0");
        } else {
            __asm__ volatile("vmsr    p0, %[pr]\n\t"
                             "dls     lr, %[rows]\n\t"
                             "1:\n\t"
                             "vpstt\n\t"
                             "vldrbt.u16 %q[v], [%[src], %q[o]]\n\t"
                             "vstrbt.16 %q[v], [%[dst]]\n\t"
                             "add     %[src], %[src], %[sr]\n\t"
                             "add     %[dst], %[dst], %[dr]\n\t"
                             "le      lr, 1b\n\t"
                             : [src] "+r"(src), [dst] "+r"(dst), [v] "=&w"(v)
                             : [pr] "r"((uint32_t)pr), [rows] "r"(rows), [o] "w"(o16), [sr] "r"(src_row),
                               [dr] "r"(dst_row)
                             : "lr", "memory", "p0");
        }
        return;
    }
#endif
    for (r = 0; r < rows; ++r, dst += dst_row, src += src_row) {
        int8_t *d = dst;
        const int8_t *x = src;
        int32_t i;
        for (i = full; i > 0; --i, d += lanes, x += step) {
            if (wide) {
                vstrbq_s8(d, vldrbq_gather_offset_s8(x, o8));
            } else {
                vstrbq_s16(d, vldrbq_gather_offset_s16(x, o16));
            }
        }
        if (n & (lanes - 1)) {
            if (wide) {
                vstrbq_p_s8(d, vldrbq_gather_offset_z_s8(x, o8, pr), pr);
            } else {
                vstrbq_p_s16(d, vldrbq_gather_offset_z_s16(x, o16, pr), pr);
            }
        }
    }
}

static void dw_mve_fill(int8_t *dst, int8_t v, int32_t n)
{
    for (; n > 0; n -= 16, dst += 16) {
        vstrbq_p_s8(dst, vdupq_n_s8(v), vctp8q((uint32_t)n));
    }
}

/* The planar kernel's window schedule (see dw_planar) on an int8 window. When the whole padded
 * channel fits the window, per layer a table of the outputs' window positions (at most
 * DW_MVE_LIST) and, for at most DW_MVE_COPY input pixels, of their offsets: one gather/scatter
 * pass copies a channel (the window's padding never changes). */
static void dw_mve(const te_dw_params *p, const te_requant_per_channel *rq, const int32_t *rq4,
                   const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
    const int32_t dm = p->depth_mult, c = p->in_c, out_c = p->out_c, sw = p->stride_w;
    const int32_t eff_h = (p->k_h - 1) * p->dil_h + 1, sh = p->stride_h, in_w = p->in_w, out_w = p->out_w;
    const int32_t row_len = p->row_len, buf_rows = p->buf_rows, n_out = p->out_h * out_w, n_in = p->in_h * in_w;
    const int32_t rows_per_block = (buf_rows - eff_h) / sh + 1;
    const int32_t padded_rows = (p->out_h - 1) * sh + eff_h;
    const int one_block = buf_rows >= padded_rows;
    const int list = one_block && n_out <= DW_MVE_LIST && buf_rows * row_len <= 65536;
    const int copy_tab = one_block && n_in <= DW_MVE_COPY && n_in * c <= 65536 && buf_rows * row_len <= 65536;
    const int8_t pad = (int8_t)(-p->input_offset);
    int8_t *const buf = (int8_t *)scratch;
    uint16_t tab[DW_MVE_LIST];
    uint16_t src[DW_MVE_COPY], dst[DW_MVE_COPY];
    dw_mve_taps taps;
    int8x16_t w[2 * DW_MVE_MAX_CHUNKS];
    dw_mve_k k;
    dw_mve_run r;
    int32_t b, ic, m, oy, y, x, i;

    dw_mve_chunks(p, &taps);
    dw_mve_fill(buf, pad, row_len * buf_rows + 16);
    for (y = i = 0; list && y < p->out_h; ++y) {
        for (x = 0; x < out_w; ++x) {
            tab[i++] = (uint16_t)(y * sh * row_len + x * sw);
        }
    }
    for (; list && (i & 3); ++i) {
        tab[i] = 0;
    }
    for (y = i = 0; copy_tab && y < p->in_h; ++y) {
        for (x = 0; x < in_w; ++x, ++i) {
            src[i] = (uint16_t)(i * c);
            dst[i] = (uint16_t)((y + p->pad_top) * row_len + x + p->pad_left);
        }
    }
    for (; copy_tab && (i & 7); ++i) { /* the last pixel again */
        src[i] = src[i - 1];
        dst[i] = dst[i - 1];
    }
    k.out_off = p->output_offset;
    k.fo = p->filter_offset;
    k.lo = vdupq_n_s32(p->act_min);
    k.hi = vdupq_n_s32(p->act_max);
    k.so = vreinterpretq_s32_u32(vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)out_c));
    r.tab = list ? tab : NULL;
    r.x = buf;
    r.sw = sw;
    r.x_row = sh * row_len;
    r.out_step = out_c;
    r.out_row = out_w * out_c;
    r.p = p;
#if defined(TE_DW_MVE_ASM)
    if (one_block && dm == 1 && taps.n == 1 && k.fo == 0 && sw <= 5) {
        /* The common case with the least work per channel: the whole padded channel in the window
         * (its padding, written once above, never changes), depth multiplier 1, one chunk of taps:
         * per channel the input's rows into the window, the weights, the constants, the steps. */
        int8_t *const interior = buf + (size_t)p->pad_top * row_len + p->pad_left;
        r.rows = list ? 1 : p->out_h;
        r.n = list ? n_out : out_w;
        for (b = 0; b < p->batches; ++b) {
            const int8_t *in_b = input + (size_t)b * n_in * c;
            int8_t *out_b = output + (size_t)b * n_out * out_c;
            for (ic = 0; ic < c; ++ic) {
                if (copy_tab) {
                    for (i = 0; i < n_in; i += 8) {
                        vstrbq_scatter_offset_s16(buf, vldrhq_u16(dst + i),
                                                  vldrbq_gather_offset_s16(in_b + ic, vldrhq_u16(src + i)));
                    }
                } else {
                    dw_mve_gather_rows(interior, row_len, in_b + ic, in_w * c, c, in_w, p->in_h);
                }
                w[0] = dw_mve_w8(vldrbq_gather_offset_z_s16(filter + ic, taps.w_even, taps.p_even_last),
                                 vldrbq_gather_offset_z_s16(filter + ic, taps.w_odd, taps.p_odd_last));
                dw_mve_channel(rq, rq4, ic, &k);
                if (!k.fast) {
                    dw_mve_runs(&r, &taps, w, &k, filter + ic, out_b + ic);
                } else if (list) {
                    dw_mve_steps1((const int8_t *)tab, 1, (int32_t)(intptr_t)buf, n_out, &taps, w, &k, out_b + ic,
                                  out_c);
                } else {
                    for (oy = 0; oy < p->out_h; ++oy) {
                        dw_mve_steps1(buf + (size_t)oy * r.x_row, 0, sw, out_w, &taps, w, &k,
                                      out_b + (size_t)oy * r.out_row + ic, out_c);
                    }
                }
            }
        }
        return;
    }
#endif
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * n_in * c;
        int8_t *out_b = output + (size_t)b * n_out * out_c;
        for (ic = 0; ic < c; ++ic) {
            int32_t top = 0, have = 0; /* the window holds padded rows [top, top + have) */
            if (dm == 1) { /* one output channel: its weights and constants once */
                if (taps.n > 0) {
                    dw_mve_weights(filter + ic, &taps, k.fo, w);
                }
                dw_mve_channel(rq, rq4, ic, &k);
            }
            for (oy = 0; oy < p->out_h;) {
                const int32_t nr = te_min_i32(rows_per_block, p->out_h - oy);
                const int32_t first = oy * sh, end = (oy + nr - 1) * sh + eff_h;
                if (copy_tab) {
                    for (i = 0; i < n_in; i += 8) {
                        vstrbq_scatter_offset_s16(buf, vldrhq_u16(dst + i),
                                                  vldrbq_gather_offset_s16(in_b + ic, vldrhq_u16(src + i)));
                    }
                    have = end;
                }
                if (first > top && c <= 17 &&
                    (output != input || (first - p->pad_top) * in_w >= oy * out_w)) {
                    /* 16-lane gathers: gathering the kept rows again costs less than copying them
                     * (in place: only rows no output of this channel has landed on yet) */
                    top = first;
                    have = 0;
                } else if (first > top) { /* slide: keep the rows still needed (forward copy, lower address) */
                    const int32_t keep = top + have - first;
                    int8_t *d = buf;
                    const int8_t *s = buf + (size_t)(first - top) * row_len;
                    for (i = keep * row_len; i > 0; i -= 16, d += 16, s += 16) {
                        vstrbq_p_s8(d, vldrbq_z_s8(s, vctp8q((uint32_t)i)), vctp8q((uint32_t)i));
                    }
                    top = first;
                    have = keep > 0 ? keep : 0;
                }
                while (top + have < end) {
                    int8_t *d = buf + (size_t)have * row_len + p->pad_left;
                    y = top + have - p->pad_top;
                    if (y < 0 || y >= p->in_h) {
                        if (!one_block) {
                            dw_mve_fill(d, pad, in_w);
                        }
                        ++have;
                    } else {
                        const int32_t n = te_min_i32(end - top - have, p->in_h - y);
                        dw_mve_gather_rows(d, row_len, in_b + (size_t)y * in_w * c + ic, in_w * c, c, in_w, n);
                        have += n;
                    }
                }
                r.rows = list ? 1 : nr;
                r.n = list ? n_out : out_w;
                for (m = 0; m < dm; ++m) {
                    const int32_t oc = ic * dm + m;
                    if (dm > 1) {
                        if (taps.n > 0) {
                            dw_mve_weights(filter + oc, &taps, k.fo, w);
                        }
                        dw_mve_channel(rq, rq4, oc, &k);
                    }
                    dw_mve_runs(&r, &taps, w, &k, filter + oc, out_b + (size_t)oy * out_w * out_c + oc);
                }
                oy += nr;
            }
        }
    }
}
#endif /* TE_USE_MVE */

#if defined(TE_FORCE_PORTABLE)
/* ---- Reference loop (TE_FORCE_PORTABLE builds only) ------------------------------------------
 *
 * te_depthwise_conv2d_s8 written the way TFLite Micro's reference DepthwiseConvPerChannel reads:
 * per batch, output pixel, input channel and depth multiple, the sum over the filter taps that
 * land inside the image (padded taps skipped) of (filter + filter_offset) * (input +
 * input_offset), plus the bias, MultiplyByQuantizedMultiplier, plus the output offset, clamped.
 * It reads what the generator emits, as emitted:
 *  - filter: int8 [k_h][k_w][out_c] as the model stores it (never reordered);
 *  - the bias is the folded one, bias + input_offset * sum over all taps of (w + filter_offset)
 *    (wrapped to int32): the loop takes that term back out (exact in int32 wrapping arithmetic);
 *  - requant4 == NULL: bias, multiplier and shift per channel in rq; else per group of 4 channels
 *    20 int32 (te_depthwise.h): the 4 biases, then per channel (multiplier, 2^(e-2) + ..., e - 1,
 *    0) for shift = -e, or (multiplier, shift, output_offset, 1).
 * It needs the output apart from the input: a layer the generator planned in place (output over
 * its input, see te_depthwise.h) runs the planar or direct kernel as other portable builds do
 * (generate with --no-in-place to run every layer through this loop). No scratch.
 * tests/ops/test_reference_loops.py proves it byte-equal to the default and DSP paths. */
static int32_t dw_ref_bias(const te_requant_per_channel *rq, const int32_t *rq4, int32_t oc)
{
    if (rq4 != NULL) {
        return rq4[(size_t)(oc / 4) * 20 + oc % 4];
    }
    return rq->bias ? rq->bias[oc] : 0;
}

static void dw_ref_multiplier(const te_requant_per_channel *rq, const int32_t *rq4, int32_t oc, int32_t *mult,
                              int32_t *shift)
{
    if (rq4 != NULL) {
        const int32_t *c = rq4 + (size_t)(oc / 4) * 20 + 4 + 4 * (oc % 4);
        *mult = c[0];
        *shift = c[3] ? c[1] : -(c[2] + 1);
    } else {
        *mult = rq->multiplier[oc];
        *shift = rq->shift[oc];
    }
}

static int dw_ref_overlap(const te_dw_params *p, const int8_t *input, const int8_t *output)
{
    const uintptr_t in0 = (uintptr_t)input, out0 = (uintptr_t)output;
    const uintptr_t in1 = in0 + (size_t)p->batches * p->in_h * p->in_w * p->in_c;
    const uintptr_t out1 = out0 + (size_t)p->batches * p->out_h * p->out_w * p->out_c;
    return in0 < out1 && out0 < in1;
}

static void dw_reference(const te_dw_params *p, const te_requant_per_channel *rq, const int32_t *rq4,
                         const int8_t *input, const int8_t *filter, int8_t *output)
{
    int32_t b, out_y, out_x, in_c, m, filter_y, filter_x;
    for (b = 0; b < p->batches; ++b) {
        for (out_y = 0; out_y < p->out_h; ++out_y) {
            for (out_x = 0; out_x < p->out_w; ++out_x) {
                for (in_c = 0; in_c < p->in_c; ++in_c) {
                    for (m = 0; m < p->depth_mult; ++m) {
                        const int32_t oc = m + in_c * p->depth_mult;
                        const int32_t in_x_origin = out_x * p->stride_w - p->pad_left;
                        const int32_t in_y_origin = out_y * p->stride_h - p->pad_top;
                        uint32_t acc = 0, wsum = 0;
                        int32_t mult, shift, v;
                        for (filter_y = 0; filter_y < p->k_h; ++filter_y) {
                            for (filter_x = 0; filter_x < p->k_w; ++filter_x) {
                                const int32_t in_x = in_x_origin + p->dil_w * filter_x;
                                const int32_t in_y = in_y_origin + p->dil_h * filter_y;
                                const int32_t filter_val =
                                    filter[((size_t)filter_y * p->k_w + filter_x) * p->out_c + oc] + p->filter_offset;
                                wsum += (uint32_t)filter_val;
                                if (in_x >= 0 && in_x < p->in_w && in_y >= 0 && in_y < p->in_h) {
                                    const int32_t input_val =
                                        input[(((size_t)b * p->in_h + in_y) * p->in_w + in_x) * p->in_c + in_c];
                                    acc += (uint32_t)(filter_val * (input_val + p->input_offset));
                                }
                            }
                        }
                        /* the model's bias: the folded bias without its input_offset term */
                        acc += (uint32_t)dw_ref_bias(rq, rq4, oc) - (uint32_t)p->input_offset * wsum;
                        dw_ref_multiplier(rq, rq4, oc, &mult, &shift);
                        v = te_multiply_by_quantized_multiplier((int32_t)acc, mult, shift);
                        v = (int32_t)((uint32_t)v + (uint32_t)p->output_offset);
                        output[(((size_t)b * p->out_h + out_y) * p->out_w + out_x) * p->out_c + oc] =
                            (int8_t)te_clamp_i32(v, p->act_min, p->act_max);
                    }
                }
            }
        }
    }
}
#endif /* TE_FORCE_PORTABLE */

void te_depthwise_conv2d_s8(const te_dw_params *p, const te_requant_per_channel *rq, const int32_t *requant4,
                            const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
#if defined(TE_FORCE_PORTABLE)
    if (!dw_ref_overlap(p, input, output)) {
        dw_reference(p, rq, requant4, input, filter, output);
        return;
    }
#endif
#if defined(TE_USE_MVE)
    (void)dw_direct; /* the portable kernels: what TE_FORCE_PORTABLE builds on this core */
    (void)dw_planar;
    dw_mve(p, rq, requant4, input, filter, output, scratch);
#else
    if (requant4 != NULL) {
        dw_direct(p, requant4, input, filter, output, scratch);
    } else {
        dw_planar(p, rq, input, filter, output, scratch, 0);
    }
#endif
}

#if defined(TE_DW_HAVE_WIDE)
void te_depthwise_conv2d_s8_wide(const te_dw_params *p, const te_requant_per_channel *rq, const int8_t *input,
                                 const int8_t *filter, int8_t *output, void *scratch)
{
    dw_planar(p, rq, input, filter, output, scratch, 1);
}
#endif

#if defined(TE_DW_HAVE_1D)
/* 1-D kernel (te_depthwise_conv2d_s8_1d): k_h 1 over a one-row map (in_h = out_h = 1), depth_mult 1,
 * dil_w 1, stride_w 1 or 2, any channel count; what streaming keyword spotters and activity
 * recognizers run. The planar kernel spends ~80 instructions per output on these (one output per
 * column pass) and the direct one ~40 (every tap of 4 channels costs a load, two SXTB16, a weight
 * load and four multiply-adds, and the requantization constants are reloaded per pixel).
 *
 * Here, per group of 4 channels, the input row is first turned into 4 int16 time series (one word
 * load, two SXTB16 and two PKHBT / PKHTB per 2 pixels of 2 channels) padded with the input zero
 * point on both sides (the folded bias makes a padded tap contribute nothing, as everywhere in this
 * file), then each channel runs over its series with its weights and requantization constants in
 * registers. Outputs go in steps of two: with words W[i] = (s[i], s[i + 1]) at even i, output t
 * (stride 1) is the sum over m of SMLAD(W[t + 2m], (w[2m], w[2m + 1])) and output t + 1 the sum of
 * SMLAD(W[t + 2m], (w[2m - 1], w[2m])) (taps outside the filter 0): both read the same aligned
 * words, so a step of two outputs costs k_w / 2 + 1 word loads and twice as many SMLADs. With
 * stride 2, output t + 1 reads the words one past output t's, with the same weight pairs.
 *
 * Requantization: te_rq_doubled (te_simd.h: one SMMLAR, a subtraction and a shift), on sums
 * doubled by doubling the int16 weights and the bias, for groups of channels whose sums provably
 * stay below 2^30 in magnitude (|bias| + 255 * 128 * k_w, dw_1d_fast) with right shifts 1..23
 * (every channel of real models), then SSAT and, for a narrower activation range, one clamp pass
 * over the output; a group holding any other channel takes TFLite's arithmetic as written on
 * undoubled sums. */

typedef struct {
    int32_t bias;    /* folded bias (doubled for the fast form) */
    int32_t mult;
    int32_t half;    /* fast: 2^(e-1) + output_offset * 2^e */
    int32_t e;       /* fast: the right shift; else the shift as given */
    int32_t out_off; /* generic only */
    int32_t lo, hi;
} dw_1d_rq;

/* Requantize, add the output offset: FAST (te_rq_doubled, SSAT to int8: the clamp to a narrower
 * activation range is a pass of its own over the whole output, dw_1d_clamp) or GENERIC (TFLite's
 * arithmetic as written, clamped). */
enum { DW_1D_FAST = 0, DW_1D_GENERIC = 1 };

TE_INLINE int8_t dw_1d_out(int32_t a, const dw_1d_rq *r, const int mode)
{
    if (mode == DW_1D_GENERIC) {
        const int32_t v = (int32_t)((uint32_t)te_multiply_by_quantized_multiplier(a, r->mult, r->e) + (uint32_t)r->out_off);
        return (int8_t)te_clamp_i32(v, r->lo, r->hi);
    }
    return (int8_t)te_ssat8(te_rq_doubled(a, r->mult, r->half, r->e));
}

#if defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP) && defined(__GNUC__) && defined(__thumb2__) && \
    !defined(TE_NO_INLINE_ASM)
#define DW_1D_ASM 1
#endif

TE_INLINE uint32_t dw_1d_pack(int32_t lo, int32_t hi) { return (uint32_t)(uint16_t)lo | ((uint32_t)(uint16_t)hi << 16); }

/* n (1 to 4) channels of the input row (pixels c bytes apart) into series sl int16 apart, from
 * position pad_left on. */
static void dw_1d_series(const int8_t *in, int32_t c, int32_t in_w, int32_t n, int16_t *s, int32_t sl,
                         int32_t pad_left)
{
    int16_t *const s0 = s + pad_left;
    int32_t t = 0, j;
    if (n == 4) { /* two pixels at a time: (c0, c2) and (c1, c3) of each, repacked per channel */
#if defined(DW_1D_ASM)
        /* GCC keeps the four series pointers on the stack (29 instructions per two pixels): one
         * pointer and the series' byte offsets in registers, 17. */
        const int32_t b1 = 2 * sl, b2 = 4 * sl, b3 = 6 * sl; /* bytes to series 1, 2, 3 */
        int16_t *d = s0;
        const int16_t *const d_end = s0 + (in_w & ~1);
        if (d != d_end) {
            uint32_t v0, v1, e0, e1, tmp;
            __asm__ volatile(
                "1:\n\t"
                "ldr     %[v0], [%[in]]\n\t"
                "ldr     %[v1], [%[in], %[c]]\n\t"
                "add     %[in], %[in], %[c], lsl #1\n\t"
                "sxtb16  %[e0], %[v0]\n\t"          /* (c0, c2) of pixel 0 */
                "sxtb16  %[e1], %[v1]\n\t"          /* of pixel 1 */
                "sxtb16  %[v0], %[v0], ror #8\n\t" /* (c1, c3) */
                "sxtb16  %[v1], %[v1], ror #8\n\t"
                "pkhbt   %[t], %[e0], %[e1], lsl #16\n\t" /* c0 of both pixels */
                "pkhtb   %[e1], %[e1], %[e0], asr #16\n\t" /* c2 */
                "str     %[t], [%[d]]\n\t"
                "str     %[e1], [%[d], %[o2]]\n\t"
                "pkhbt   %[t], %[v0], %[v1], lsl #16\n\t"
                "pkhtb   %[v1], %[v1], %[v0], asr #16\n\t"
                "str     %[t], [%[d], %[o1]]\n\t"
                "str     %[v1], [%[d], %[o3]]\n\t"
                "adds    %[d], %[d], #4\n\t"
                "cmp     %[d], %[end]\n\t"
                "bne     1b\n\t"
                : [in] "+r"(in), [d] "+r"(d), [v0] "=&r"(v0), [v1] "=&r"(v1), [e0] "=&r"(e0), [e1] "=&r"(e1),
                  [t] "=&r"(tmp)
                : [c] "r"(c), [o1] "r"(b1), [o2] "r"(b2), [o3] "r"(b3), [end] "r"(d_end)
                : "cc", "memory");
            t = in_w & ~1;
        }
#else
        int16_t *const s1 = s0 + sl, *const s2 = s1 + sl, *const s3 = s2 + sl;
        for (; t + 2 <= in_w; t += 2, in += 2 * c) {
            const uint32_t v0 = te_read_u32(in), v1 = te_read_u32(in + c);
            const uint32_t e0 = te_sxtb16(v0), o0 = te_sxtb16_ror8(v0);
            const uint32_t e1 = te_sxtb16(v1), o1 = te_sxtb16_ror8(v1);
            te_write_u32(s0 + t, (e0 & 0xFFFFu) | (e1 << 16));
            te_write_u32(s1 + t, (o0 & 0xFFFFu) | (o1 << 16));
            te_write_u32(s2 + t, (e0 >> 16) | (e1 & 0xFFFF0000u));
            te_write_u32(s3 + t, (o0 >> 16) | (o1 & 0xFFFF0000u));
        }
#endif
    }
    for (; t < in_w; ++t, in += c) { /* an odd last pixel; groups of fewer channels */
        for (j = 0; j < n; ++j) {
            s0[t + j * sl] = in[j];
        }
    }
}

/* Steps of two outputs over one channel's series x: out0 = sum over m < n_m of SMLAD(W[x + 2m],
 * wu + 2m), out1 = sum of SMLAD(W[x + d + 2m], wv + 2m); x moves xs int16 per step. n outputs,
 * `step` bytes apart (an odd n ends with out0 alone). k3: k_w 3, d 0, xs 2 (stride 1), the
 * weights in three registers: (w0, w1), (w2, w0) for the single taps and (w1, w2). nm_c: n_m as a
 * compile-time constant (0: n_m_rt), so that the pair loop unrolls. */
TE_INLINE void dw_1d_run_body(const int16_t *x, int32_t n, const int16_t *wu, const int16_t *wv, int32_t n_m_rt,
                              int32_t d, int32_t xs,
                              const dw_1d_rq *rp, int8_t *out, int32_t step, const int k3, const int nm_c,
                              const int mode)
{
    const dw_1d_rq r = *rp;
    const int32_t n_m = nm_c ? nm_c : n_m_rt;
    int8_t *const end = out + (size_t)(n >> 1) * 2 * (size_t)step;
    int32_t m;
    if (k3) {
        /* (0, w0) | (w2, 0) */
        const uint32_t u0 = te_read_u32(wu), pp = te_read_u32(wv) | te_read_u32(wu + 2), v1 = te_read_u32(wv + 2);
#if defined(DW_1D_ASM) && defined(__OPTIMIZE__)
        /* GCC reloads the output step from the stack and compares against an end pointer (23
         * instructions per two outputs); here 18: the pair count rides in the shift register's
         * upper bits (ASR by register reads its low byte only), the second sum reuses a word's
         * register, the requantization temporaries the dead words. */
        if (mode == DW_1D_FAST) {
            int32_t cnt = (int32_t)((((uint32_t)(n >> 1) - 1u) << 8) | (uint32_t)r.e);
            uint32_t x0, x1, a0;
            if (out != end)
            __asm__ volatile(
                "1:\n\t"
                "ldrd    %[x0], %[x1], [%[x]], #4\n\t"
                "smlad   %[a0], %[x0], %[u0], %[bias]\n\t"
                "smlabb  %[a0], %[x1], %[pp], %[a0]\n\t"
                "smlatt  %[x0], %[x0], %[pp], %[bias]\n\t"
                "smlad   %[x0], %[x1], %[v1], %[x0]\n\t"
                "smmlar  %[x1], %[a0], %[mult], %[half]\n\t"
                "sub     %[x1], %[x1], %[a0], lsr #31\n\t"
                "asr     %[x1], %[x1], %[cnt]\n\t"
                "ssat    %[x1], #8, %[x1]\n\t"
                "strb    %[x1], [%[out]]\n\t"
                "smmlar  %[a0], %[x0], %[mult], %[half]\n\t"
                "sub     %[a0], %[a0], %[x0], lsr #31\n\t"
                "asr     %[a0], %[a0], %[cnt]\n\t"
                "ssat    %[a0], #8, %[a0]\n\t"
                "strb    %[a0], [%[out], %[step]]\n\t"
                "add     %[out], %[out], %[step], lsl #1\n\t"
                "subs    %[cnt], %[cnt], #256\n\t"
                "bpl     1b\n\t"
                : [x] "+r"(x), [out] "+r"(out), [cnt] "+r"(cnt), [x0] "=&r"(x0), [x1] "=&r"(x1), [a0] "=&r"(a0)
                : [u0] "r"(u0), [pp] "r"(pp), [v1] "r"(v1), [bias] "r"(r.bias), [mult] "r"(r.mult),
                  [half] "r"(r.half), [step] "r"(step)
                : "cc", "memory");
        } else
#endif
        for (; out != end; out += 2 * step, x += 2) {
            uint32_t x0, x1;
            dw_read_2x32(x, &x0, &x1);
            out[0] = dw_1d_out(te_smlabb(x1, pp, te_smlad(x0, u0, r.bias)), &r, mode);
            out[step] = dw_1d_out(te_smlad(x1, v1, te_smlatt(x0, pp, r.bias)), &r, mode);
        }
    } else {
#if defined(DW_1D_ASM) && defined(__OPTIMIZE__)
        /* Stride 1, n_m 3 to 5 (k_w 4 to 9): GCC reloads weights and the output step and keeps an end
         * pointer (31 instructions per two outputs for n_m 3, 45 for 5); here 4 n_m + 14: per pair of
         * taps one word load, one LDRD of both outputs' weight pairs (copied into w, in step order) and
         * two SMLADs, the pair count in the shift register's upper bits as in the k_w 3 loop.
         * Stride 2, n_m 2 to 5: out1 reads the words one past out0's with the same pairs, so each step
         * loads the next word (alternately into X and B) and one weight pair: 4 n_m + 14 as well. */
        if (nm_c >= 2 && nm_c <= 5 && mode == DW_1D_FAST && ((nm_c >= 3 && d == 0 && xs == 2) || (d == 2 && xs == 4))) {
            uint32_t w[10], X, A, B, a0, a1;
            int32_t cnt = (int32_t)((((uint32_t)(n >> 1) - 1u) << 8) | (uint32_t)r.e);
            for (m = 0; m < nm_c; ++m) {
                if (d == 0) {
                    w[2 * m] = te_read_u32(wu + 2 * m);
                    w[2 * m + 1] = te_read_u32(wv + 2 * m);
                } else {
                    w[m] = te_read_u32(wu + 2 * m);
                }
            }
#define DW_1D_FIRST                                                                                            \
    "ldr     %[X], [%[x]]\n\t"                                                                                 \
    "ldrd    %[A], %[B], [%[w]]\n\t"                                                                           \
    "smlad   %[a0], %[X], %[A], %[bias]\n\t"                                                                   \
    "smlad   %[a1], %[X], %[B], %[bias]\n\t"
#define DW_1D_STEP(m)                                                                                          \
    "ldr     %[X], [%[x], #" #m "*4]\n\t"                                                                      \
    "ldrd    %[A], %[B], [%[w], #" #m "*8]\n\t"                                                                \
    "smlad   %[a0], %[X], %[A], %[a0]\n\t"                                                                     \
    "smlad   %[a1], %[X], %[B], %[a1]\n\t"
#define DW_1D_FIRST2                                                                                           \
    "ldrd    %[X], %[B], [%[x]]\n\t"                                                                           \
    "ldr     %[A], [%[w]]\n\t"                                                                                 \
    "smlad   %[a0], %[X], %[A], %[bias]\n\t"                                                                   \
    "smlad   %[a1], %[B], %[A], %[bias]\n\t"
#define DW_1D_STEP2(m, cur, next)                                                                              \
    "ldr     %[" next "], [%[x], #" #m "*4+4]\n\t"                                                             \
    "ldr     %[A], [%[w], #" #m "*4]\n\t"                                                                      \
    "smlad   %[a0], %[" cur "], %[A], %[a0]\n\t"                                                               \
    "smlad   %[a1], %[" next "], %[A], %[a1]\n\t"
#define DW_1D_LOOP(steps, xinc)                                                                                \
    __asm__ volatile("1:\n\t" steps                                                                           \
                     "smmlar  %[X], %[a0], %[mult], %[half]\n\t"                                              \
                     "sub     %[X], %[X], %[a0], lsr #31\n\t"                                                 \
                     "asr     %[X], %[X], %[cnt]\n\t"                                                         \
                     "ssat    %[X], #8, %[X]\n\t"                                                             \
                     "strb    %[X], [%[out]]\n\t"                                                             \
                     "smmlar  %[A], %[a1], %[mult], %[half]\n\t"                                              \
                     "sub     %[A], %[A], %[a1], lsr #31\n\t"                                                 \
                     "asr     %[A], %[A], %[cnt]\n\t"                                                         \
                     "ssat    %[A], #8, %[A]\n\t"                                                             \
                     "strb    %[A], [%[out], %[step]]\n\t"                                                    \
                     "add     %[out], %[out], %[step], lsl #1\n\t"                                            \
                     "add     %[x], %[x], #" xinc "\n\t"                                                      \
                     "subs    %[cnt], %[cnt], #256\n\t"                                                       \
                     "bpl     1b\n\t"                                                                         \
                     : [x] "+r"(x), [out] "+r"(out), [cnt] "+r"(cnt), [X] "=&r"(X), [A] "=&r"(A), [B] "=&r"(B), \
                       [a0] "=&r"(a0), [a1] "=&r"(a1)                                                          \
                     : [w] "r"(w), [bias] "r"(r.bias), [mult] "r"(r.mult), [half] "r"(r.half), [step] "r"(step) \
                     : "cc", "memory")
            if (out == end) {
                /* no pair */
            } else if (d == 0 && nm_c == 3) {
                DW_1D_LOOP(DW_1D_FIRST DW_1D_STEP(1) DW_1D_STEP(2), "4");
            } else if (d == 0 && nm_c == 4) {
                DW_1D_LOOP(DW_1D_FIRST DW_1D_STEP(1) DW_1D_STEP(2) DW_1D_STEP(3), "4");
            } else if (d == 0) {
                DW_1D_LOOP(DW_1D_FIRST DW_1D_STEP(1) DW_1D_STEP(2) DW_1D_STEP(3) DW_1D_STEP(4), "4");
            } else if (nm_c == 2) {
                DW_1D_LOOP(DW_1D_FIRST2 DW_1D_STEP2(1, "B", "X"), "8");
            } else if (nm_c == 3) {
                DW_1D_LOOP(DW_1D_FIRST2 DW_1D_STEP2(1, "B", "X") DW_1D_STEP2(2, "X", "B"), "8");
            } else if (nm_c == 4) {
                DW_1D_LOOP(DW_1D_FIRST2 DW_1D_STEP2(1, "B", "X") DW_1D_STEP2(2, "X", "B") DW_1D_STEP2(3, "B", "X"),
                           "8");
            } else {
                DW_1D_LOOP(DW_1D_FIRST2 DW_1D_STEP2(1, "B", "X") DW_1D_STEP2(2, "X", "B") DW_1D_STEP2(3, "B", "X")
                               DW_1D_STEP2(4, "X", "B"),
                           "8");
            }
#undef DW_1D_LOOP
#undef DW_1D_STEP2
#undef DW_1D_FIRST2
#undef DW_1D_STEP
#undef DW_1D_FIRST
        } else /* the C loop, only where the assembly does not run (flash) */
#endif
        {
            for (; out != end; out += 2 * step, x += xs) {
                int32_t a0 = r.bias, a1 = r.bias;
                for (m = 0; m < n_m; ++m) {
                    a0 = te_smlad(te_read_u32(x + 2 * m), te_read_u32(wu + 2 * m), a0);
                    a1 = te_smlad(te_read_u32(x + d + 2 * m), te_read_u32(wv + 2 * m), a1);
                }
                out[0] = dw_1d_out(a0, &r, mode);
                out[step] = dw_1d_out(a1, &r, mode);
            }
        }
    }
    if (n & 1) {
        int32_t a0 = r.bias;
        for (m = 0; m < n_m; ++m) {
            a0 = te_smlad(te_read_u32(x + 2 * m), te_read_u32(wu + 2 * m), a0);
        }
        out[0] = dw_1d_out(a0, &r, mode);
    }
}

static DW_NOINLINE void dw_1d_run_k3(const int16_t *x, int32_t n, const int16_t *wu, const int16_t *wv,
                                     const dw_1d_rq *r, int8_t *out, int32_t step)
{
    dw_1d_run_body(x, n, wu, wv, 2, 0, 2, r, out, step, 1, 2, DW_1D_FAST);
}

/* Stride 1 (d 0: both outputs of a step read the same words, loaded once) with n_m 3 (k_w 4-5), 4
 * (k_w 6-7) or 5 (k_w 8-9) unrolled, and any shape (d, xs and n_m as given). */
#define DW_1D_RUN_FN(name, nm_c, st, mode)                                                                    \
    static DW_NOINLINE void name(const int16_t *x, int32_t n, const int16_t *wu, const int16_t *wv, int32_t n_m, \
                                 int32_t d, int32_t xs, const dw_1d_rq *r, int8_t *out, int32_t step)         \
    {                                                                                                         \
        dw_1d_run_body(x, n, wu, wv, n_m, (st) ? 2 * ((st) - 1) : d, (st) ? 2 * (st) : xs, r, out, step, 0, nm_c, \
                       mode);                                                                                 \
    }
DW_1D_RUN_FN(dw_1d_run_m3, 3, 1, DW_1D_FAST)
DW_1D_RUN_FN(dw_1d_run_m4, 4, 1, DW_1D_FAST)
DW_1D_RUN_FN(dw_1d_run_m5, 5, 1, DW_1D_FAST)
DW_1D_RUN_FN(dw_1d_run_s2m2, 2, 2, DW_1D_FAST)
DW_1D_RUN_FN(dw_1d_run_s2m3, 3, 2, DW_1D_FAST)
DW_1D_RUN_FN(dw_1d_run_s2m4, 4, 2, DW_1D_FAST)
DW_1D_RUN_FN(dw_1d_run_s2m5, 5, 2, DW_1D_FAST)
DW_1D_RUN_FN(dw_1d_run_any, 0, 0, DW_1D_FAST)
DW_1D_RUN_FN(dw_1d_run_generic, 0, 0, DW_1D_GENERIC)

typedef void (*dw_1d_run_fn)(const int16_t *, int32_t, const int16_t *, const int16_t *, int32_t, int32_t, int32_t,
                             const dw_1d_rq *, int8_t *, int32_t);

/* n bytes clamped to [lo, hi] (a narrower activation range than int8's): four at a time, SSUB8
 * setting a GE flag per byte and SEL picking by them. */
static void dw_1d_clamp(int8_t *o, size_t n, int32_t lo, int32_t hi)
{
    const uint32_t lo4 = (uint32_t)(uint8_t)lo * 0x01010101u, hi4 = (uint32_t)(uint8_t)hi * 0x01010101u;
    size_t i = 0;
#if defined(__ARM_FEATURE_DSP) && !defined(TE_EMULATE_DSP)
    if (hi == 127) { /* RELU with a non-minimal zero point: the lower bound only */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 2
#endif
        for (; i + 4 <= n; i += 4) {
            const uint32_t w = te_read_u32(o + i);
            (void)__ssub8((int8x4_t)w, (int8x4_t)lo4);
            te_write_u32(o + i, (uint32_t)__sel((uint8x4_t)w, (uint8x4_t)lo4));
        }
    }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 2
#endif
    for (; i + 4 <= n; i += 4) {
        uint32_t w = te_read_u32(o + i);
        (void)__ssub8((int8x4_t)w, (int8x4_t)lo4);
        w = (uint32_t)__sel((uint8x4_t)w, (uint8x4_t)lo4);
        (void)__ssub8((int8x4_t)hi4, (int8x4_t)w);
        te_write_u32(o + i, (uint32_t)__sel((uint8x4_t)w, (uint8x4_t)hi4));
    }
#else
    (void)lo4, (void)hi4;
#endif
    for (; i < n; ++i) {
        o[i] = (int8_t)te_clamp_i32(o[i], lo, hi);
    }
}

/* The weights of n (1 to 4) channels from channel g on, each as an int16 series wl apart: one
 * zero, the k_w taps (filter offset added, doubled for the fast form), zeros (written once per
 * call). Tap pairs are then words of the series: out1's (w[2m - 1], w[2m]) at index 2m, out0's
 * (w[2m], w[2m + 1]) at 2m + 1 (read as one word, low half first, as everywhere in this file). */
static DW_NOINLINE void dw_1d_taps(const int8_t *f, int32_t step, int32_t k, int32_t fo, int32_t mul, int16_t *z)
{
    int16_t *const end = z + k;
    for (; z != end; f += step) { /* one channel: few live values, no spills */
        *++z = (int16_t)((*f + fo) * mul);
    }
}

static void dw_1d_weights(const te_dw_params *p, const int8_t *filter, int32_t g, int32_t n, int32_t dbl, int16_t *z,
                          int32_t wl)
{
    int32_t j;
    for (j = 0; j < n; ++j) {
        dw_1d_taps(filter + g + j, p->out_c, p->k_w, p->filter_offset, 1 + dbl, z + (size_t)j * wl);
    }
}

/* Channel oc's requantization. fast: the doubled form (the caller checked its range for the whole
 * group), else TFLite's arithmetic on undoubled sums. */
static void dw_1d_channel(const te_dw_params *p, const te_requant_per_channel *rq, int32_t oc, int32_t fast,
                          dw_1d_rq *r)
{
    const int32_t bias = rq->bias ? rq->bias[oc] : 0, shift = rq->shift[oc];
    r->mult = rq->multiplier[oc];
    r->out_off = p->output_offset;
    r->lo = p->act_min;
    r->hi = p->act_max;
    if (fast) {
        r->bias = (int32_t)((uint32_t)bias << 1);
        r->e = -shift;
        r->half = (int32_t)(((int64_t)1 << (r->e - 1)) + (int64_t)p->output_offset * ((int64_t)1 << r->e));
    } else {
        r->bias = bias;
        r->e = shift;
    }
}

/* The doubled form holds for channel oc when its right shift is 1..23 and every sum stays below 2^30
 * in magnitude: |bias| + 255 * 128 * k_w bounds it (|w + filter_offset| <= 255, |x| <= 128; a
 * looser bound than the weights' own, which real biases are far below). */
static int dw_1d_fast(const te_dw_params *p, const te_requant_per_channel *rq, int32_t oc)
{
    const int64_t bias = rq->bias ? rq->bias[oc] : 0, shift = rq->shift[oc];
    return shift <= -1 && shift >= -23 &&
           (bias < 0 ? -bias : bias) + (int64_t)255 * 128 * p->k_w < ((int64_t)1 << 30);
}

static void dw_1d(const te_dw_params *p, const te_requant_per_channel *rq, const int8_t *input, const int8_t *filter,
                  int8_t *output, void *scratch)
{
    const int32_t c = p->in_c, sl = te_dw_1d_series_len(p), wl = te_dw_1d_weights_len(p), sw = p->stride_w;
    const int32_t n_m = p->k_w / 2 + 1, d = 2 * (sw - 1), xs = 2 * sw;
    const int full = p->act_min == -128 && p->act_max == 127;
    static const dw_1d_run_fn runs[2][4] = {{dw_1d_run_any, dw_1d_run_m3, dw_1d_run_m4, dw_1d_run_m5},
                                            {dw_1d_run_s2m2, dw_1d_run_s2m3, dw_1d_run_s2m4, dw_1d_run_s2m5}};
    const dw_1d_run_fn run = n_m >= 2 && n_m <= 5 ? runs[sw - 1][n_m - 2] : dw_1d_run_any;
    int16_t *const wz = (int16_t *)scratch;
    int16_t *const series = wz + 4 * wl;
    const int16_t zp = (int16_t)(-p->input_offset);
    int32_t b, g, j, i;
    for (i = 0; i < 4 * wl; ++i) { /* zero taps around each channel's weights */
        wz[i] = 0;
    }
    for (i = 0; i < 4 * sl; ++i) { /* padding: only the input part is rewritten below */
        series[i] = zp;
    }
    for (g = 0; g < c; g += 4) {
        const int32_t n = te_min_i32(4, c - g);
        int32_t fast = 1;
        for (j = 0; j < n; ++j) {
            fast &= dw_1d_fast(p, rq, g + j);
        }
        dw_1d_weights(p, filter, g, n, fast, wz, wl);
        for (b = 0; b < p->batches; ++b) {
            const int8_t *in_b = input + (size_t)b * p->in_w * c;
            int8_t *out_b = output + (size_t)b * p->out_w * c;
            dw_1d_series(in_b + g, c, p->in_w, n, series, sl, p->pad_left);
            for (j = 0; j < n; ++j) {
                dw_1d_rq r;
                const int16_t *x = series + (size_t)j * sl, *wv = wz + (size_t)j * wl;
                const int16_t *wu = wv + 1; /* out0's pairs; out1's: wv (stride 1) or wu (stride 2) */
                int8_t *out = out_b + g + j;
                dw_1d_channel(p, rq, g + j, fast, &r);
                if (sw != 1) {
                    wv = wu;
                }
                if (!fast) {
                    dw_1d_run_generic(x, p->out_w, wu, wv, n_m, d, xs, &r, out, c);
                } else if (p->k_w == 3 && sw == 1) {
                    dw_1d_run_k3(x, p->out_w, wu, wv, &r, out, c);
                } else {
                    run(x, p->out_w, wu, wv, n_m, d, xs, &r, out, c);
                }
            }
        }
    }
    if (!full) { /* the activation range: clamp(ssat8(v)) = clamp(v) for a range within int8 */
        dw_1d_clamp(output, (size_t)p->batches * (size_t)p->out_w * (size_t)c, p->act_min, p->act_max);
    }
}

void te_depthwise_conv2d_s8_1d(const te_dw_params *p, const te_requant_per_channel *rq, const int8_t *input,
                               const int8_t *filter, int8_t *output, void *scratch)
{
    dw_1d(p, rq, input, filter, output, scratch);
}
#endif /* TE_DW_HAVE_1D */

/* ======================================================================================
 * int16x8 DEPTHWISE_CONV_2D: te_depthwise_conv2d_s16.
 *
 * Portable path: reference_integer_ops::DepthwiseConvPerChannel for int16 (64-bit sums).
 * DSP path (depth multiplier 1, channels a multiple of 4, sums proven to fit int32): NHWC,
 * per output pixel and group of 4 channels, per tap one 64-bit load of the 4 int16 inputs and
 * one word of the 4 int8 weights (SXTB16 / SXTB16 ROR 8 give weights (0, 2) and (1, 3)), four
 * halfword multiply-accumulates (SMLABB, SMLATB, SMLABT, SMLATT); the in-image window of each
 * pixel is computed once, so padded taps cost nothing. Requantization as te_conv2d_s16's
 * (one SMLAL and a shift per output with per-channel constants).
 * ====================================================================================== */

static void dw_s16_portable(const te_dw_params *p, const te_requant_s16 *rq, const int16_t *input,
                            const int8_t *filter, int16_t *output)
{
    int32_t b, oy, ox, ic, m, ky, kx;
    for (b = 0; b < p->batches; ++b) {
        const int16_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                for (ic = 0; ic < p->in_c; ++ic) {
                    for (m = 0; m < p->depth_mult; ++m) {
                        const int32_t oc = m + ic * p->depth_mult;
                        int64_t acc = 0;
                        for (ky = 0; ky < p->k_h; ++ky) {
                            const int32_t iy = y0 + p->dil_h * ky;
                            for (kx = 0; kx < p->k_w; ++kx) {
                                const int32_t ix = x0 + p->dil_w * kx;
                                if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w) {
                                    const int32_t x = in_b[((size_t)iy * p->in_w + ix) * p->in_c + ic];
                                    const int32_t w = filter[((size_t)ky * p->k_w + kx) * p->out_c + oc];
                                    acc += (int64_t)w * x;
                                }
                            }
                        }
                        *output++ = (int16_t)te_requant_s16_apply(rq, acc, oc, p->act_min, p->act_max);
                    }
                }
            }
        }
    }
}

#if defined(TE_USE_DSP)
/* One tap of a group of 4 channels: inputs (x0, x1), (x2, x3) against the expanded weights
 * (w0, w2), (w1, w3). */
#define TE_DW_S16_TAP(px, wq)                                                                  \
    do {                                                                                       \
        const uint32_t x01 = te_read_u32(px), x23 = te_read_u32((px) + 2);                     \
        const uint32_t w02 = (wq)[0], w13 = (wq)[1];                                           \
        a0 = te_smlabb(x01, w02, a0);                                                          \
        a1 = te_smlatb(x01, w13, a1);                                                          \
        a2 = te_smlabt(x23, w02, a2);                                                          \
        a3 = te_smlatt(x23, w13, a3);                                                          \
    } while (0)

/* Three taps of one window row (3x3 interior pixels). GCC on Thumb-2: LDRD of the 4 inputs
 * (8-byte aligned: channels a multiple of 4) and of the two expanded weight words per tap, four
 * halfword MACs; 11 registers. */
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && defined(__thumb2__) && !defined(TE_EMULATE_DSP) && \
    !defined(TE_FORCE_PORTABLE) && !defined(TE_NO_INLINE_ASM)
#define TE_DW_S16_ROW3(px, x_step, wq)                                                         \
    do {                                                                                       \
        const int16_t *p_ = (px);                                                              \
        uint32_t x01_, x23_, w02_, w13_;                                                       \
        __asm__ volatile(                                                                      \
            "ldrd    %[x01], %[x23], [%[p]]\n\t"                                               \
            "ldrd    %[w02], %[w13], [%[w]]\n\t"                                               \
            "smlabb  %[a0], %[x01], %[w02], %[a0]\n\t"                                         \
            "smlatb  %[a1], %[x01], %[w13], %[a1]\n\t"                                         \
            "smlabt  %[a2], %[x23], %[w02], %[a2]\n\t"                                         \
            "smlatt  %[a3], %[x23], %[w13], %[a3]\n\t"                                         \
            "add     %[p], %[p], %[xs]\n\t"                                                    \
            "ldrd    %[x01], %[x23], [%[p]]\n\t"                                               \
            "ldrd    %[w02], %[w13], [%[w], #8]\n\t"                                           \
            "smlabb  %[a0], %[x01], %[w02], %[a0]\n\t"                                         \
            "smlatb  %[a1], %[x01], %[w13], %[a1]\n\t"                                         \
            "smlabt  %[a2], %[x23], %[w02], %[a2]\n\t"                                         \
            "smlatt  %[a3], %[x23], %[w13], %[a3]\n\t"                                         \
            "add     %[p], %[p], %[xs]\n\t"                                                    \
            "ldrd    %[x01], %[x23], [%[p]]\n\t"                                               \
            "ldrd    %[w02], %[w13], [%[w], #16]\n\t"                                          \
            "smlabb  %[a0], %[x01], %[w02], %[a0]\n\t"                                         \
            "smlatb  %[a1], %[x01], %[w13], %[a1]\n\t"                                         \
            "smlabt  %[a2], %[x23], %[w02], %[a2]\n\t"                                         \
            "smlatt  %[a3], %[x23], %[w13], %[a3]\n\t"                                         \
            : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [p] "+r"(p_),        \
              [x01] "=&r"(x01_), [x23] "=&r"(x23_), [w02] "=&r"(w02_), [w13] "=&r"(w13_)       \
            : [xs] "r"((x_step) * 2), [w] "r"(wq)                                               \
            : "memory");                                                                       \
    } while (0)
#else
#define TE_DW_S16_ROW3(px, x_step, wq)                                                         \
    do {                                                                                       \
        TE_DW_S16_TAP(px, wq);                                                                 \
        TE_DW_S16_TAP((px) + (x_step), (wq) + 2);                                              \
        TE_DW_S16_TAP((px) + 2 * (x_step), (wq) + 4);                                          \
    } while (0)
#endif

static int dw_s16_dsp(const te_dw_params *p, const te_requant_s16 *rq, const int16_t *input,
                      const int8_t *filter, int16_t *output, void *scratch)
{
    const int32_t c_n = p->in_c, taps = p->k_h * p->k_w;
    te_requant_s16_fast *f = (te_requant_s16_fast *)scratch;
    /* Weights per group of 4 channels and tap as the words (w0, w2), (w1, w3) (SXTB16 once). */
    uint32_t *wexp = (uint32_t *)(void *)(f + p->out_c);
    int32_t b, oy, ox, c, ky, kx, t;
    if (!te_requant_s16_fast_init(rq, p->out_c, f)) {
        return 0; /* a channel outside the folded form: the portable kernel */
    }
    for (c = 0; c < c_n; c += 4) {
        for (t = 0; t < taps; ++t) {
            const uint32_t w = te_read_u32(filter + (size_t)t * c_n + c);
            wexp[((size_t)(c >> 2) * taps + t) * 2] = te_sxtb16(w);
            wexp[((size_t)(c >> 2) * taps + t) * 2 + 1] = te_sxtb16_ror8(w);
        }
    }
    for (b = 0; b < p->batches; ++b) {
        const int16_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            /* in-image taps ky in [ky0, ky1) */
            int32_t ky0 = 0, ky1 = p->k_h;
            while (ky0 < ky1 && y0 + p->dil_h * ky0 < 0) {
                ++ky0;
            }
            while (ky1 > ky0 && y0 + p->dil_h * (ky1 - 1) >= p->in_h) {
                --ky1;
            }
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int32_t kx0 = 0, kx1 = p->k_w;
                while (kx0 < kx1 && x0 + p->dil_w * kx0 < 0) {
                    ++kx0;
                }
                while (kx1 > kx0 && x0 + p->dil_w * (kx1 - 1) >= p->in_w) {
                    --kx1;
                }
                if (ky0 < ky1 && kx0 < kx1) {
                    /* The window's first in-image tap, the steps between taps and rows. */
                    const int16_t *tap0 = in_b + ((size_t)(y0 + p->dil_h * ky0) * p->in_w + (x0 + p->dil_w * kx0)) * c_n;
                    const int32_t nkx = kx1 - kx0, nky = ky1 - ky0;
                    const size_t x_step = (size_t)p->dil_w * c_n, y_step = (size_t)p->dil_h * p->in_w * c_n;
                    const uint32_t *wq0 = wexp + ((size_t)ky0 * p->k_w + kx0) * 2;
                    for (c = 0; c < c_n; c += 4) {
                        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                        const int16_t *row = tap0 + c;
                        const uint32_t *wrow = wq0 + (size_t)(c >> 2) * taps * 2;
                        for (ky = nky; ky > 0; --ky) {
                            const int16_t *px = row;
                            const uint32_t *wq = wrow;
                            if (nkx == 3) {
                                TE_DW_S16_ROW3(px, x_step, wq);
                            } else {
                                for (kx = nkx; kx > 0; --kx) {
                                    TE_DW_S16_TAP(px, wq);
                                    px += x_step;
                                    wq += 2;
                                }
                            }
                            row += y_step;
                            wrow += 2 * p->k_w;
                        }
                        output[c] = (int16_t)te_requant_s16_fast_apply(f, a0, c, p->act_min, p->act_max);
                        output[c + 1] = (int16_t)te_requant_s16_fast_apply(f, a1, c + 1, p->act_min, p->act_max);
                        output[c + 2] = (int16_t)te_requant_s16_fast_apply(f, a2, c + 2, p->act_min, p->act_max);
                        output[c + 3] = (int16_t)te_requant_s16_fast_apply(f, a3, c + 3, p->act_min, p->act_max);
                    }
                } else {
                    for (c = 0; c < c_n; ++c) {
                        output[c] = (int16_t)te_requant_s16_fast_apply(f, 0, c, p->act_min, p->act_max);
                    }
                }
                output += c_n;
            }
        }
    }
    return 1;
}
#undef TE_DW_S16_TAP
#undef TE_DW_S16_ROW3
#endif /* TE_USE_DSP */

void te_depthwise_conv2d_s16(const te_dw_params *p, const te_requant_s16 *rq, const int16_t *input,
                             const int8_t *filter, int16_t *output, void *scratch)
{
#if defined(TE_USE_DSP) /* also on M55 (the DSP extension is there; a Helium version was slower) */
    if (scratch != NULL && rq->sums_fit_32 && p->depth_mult == 1 && (p->in_c & 3) == 0) {
        if (dw_s16_dsp(p, rq, input, filter, output, scratch)) {
            return;
        }
    }
#else
    (void)scratch;
#endif
    dw_s16_portable(p, rq, input, filter, output);
}

#include "tinyengine/te_asm_offsets.h" /* checks the offsets the assembly above reads */
