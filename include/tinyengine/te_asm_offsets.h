/*
 * tinyengine - the struct offsets hand-written assembly reads, checked by the compiler.
 *
 * Some kernel loops are assembly (naked functions on the Arm DSP cores, extended asm blocks on
 * Helium) that read a job or constants record at fixed byte offsets: "ldr r4, [r12, #4]" means
 * te_conv4_asm_job.w. Reordering, resizing or inserting a field would silently break them. This
 * header names every offset an assembly block reads or writes (TE_ASM_<STRUCT>_<FIELD>) and
 * asserts it with offsetof, so such a change fails the build instead.
 *
 * It is included once, on the last line of each kernel file with assembly (te_conv.c,
 * te_depthwise.c, te_lstm.c), where the records are defined; each block below is compiled only
 * where its assembly is (the guard macro the kernel file defines next to the assembly). Changing
 * a record: change the offset here and in the assembly string together (the number after '#').
 *
 * Register convention of the naked functions (AAPCS: r0-r3, r12 and lr are free; r4-r11 must be
 * preserved):
 *   - The job pointer arrives in r0. conv4_asm_* keep it at [sp] and reload it into r12 after the
 *     dot product (which uses r0-r3 as the four sums); conv4s_asm_* push the job's first nine
 *     words at entry (out replaced by out + out_c) and read them at [sp, #offset], the job's
 *     offsets; dw3x3_block_asm keeps it at [sp, #24]; dw_run_3x3_asm and dw_run_5x5_7x7_asm keep
 *     it at [sp] and in r12;
 *     lstm_pre_asm keeps it in r0 throughout.
 *   - conv4_asm_*, conv4s_asm_*, dw_run_3x3_asm, dw_run_5x5_7x7_asm and dw3x3_block_asm push
 *     {r4-r8, r10, r11, lr}
 *     and never touch r9: r9 is the platform register on some ABIs (static base, TLS), so
 *     portable loops leave it.
 *   - lstm_pre_asm pushes {r4-r11, lr} and uses r9-r12 as the four gates' sums: it saves and
 *     restores r9, so it is correct everywhere, but on a platform that reserves r9 for an
 *     interrupt-visible purpose (RWPI static base) it must not run; build with TE_NO_INLINE_ASM.
 *   - Numeric labels (1:, 2b, 7f) are local to one asm statement; the macro fragments a function
 *     is assembled from share them, and each fragment's comment names the labels it jumps to.
 *   - Extended asm blocks (Helium, and the DSP loops that are not naked) name their operands and
 *     let the compiler pick registers; only their records' offsets are listed here.
 *
 * TE_NO_INLINE_ASM turns every assembly block off (the C paths beside them are equal, tested by
 * tests/targets/test_no_inline_asm_on_cores.py on emulated M4 and M55).
 */
#ifndef TINYENGINE_TE_ASM_OFFSETS_H
#define TINYENGINE_TE_ASM_OFFSETS_H

#include <stddef.h>

#define TE_ASM_OFFSET(type, field, offset) \
    _Static_assert(offsetof(type, field) == (offset), #type "." #field " moved: the assembly reads it at " #offset)

/* ---- te_conv.c: conv4_asm_* (naked, Arm DSP cores), te_conv4_asm_job ---------------------- */
#if defined(TE_CONV_DSP_ASM)
#define TE_ASM_CONV4_COLS 0
#define TE_ASM_CONV4_W 4
#define TE_ASM_CONV4_PAIRS 8
#define TE_ASM_CONV4_ODD 12
#define TE_ASM_CONV4_TAIL 16
#define TE_ASM_CONV4_TAIL_SHIFT 20
#define TE_ASM_CONV4_BIAS 24
#define TE_ASM_CONV4_MULT 28
#define TE_ASM_CONV4_SHIFT 32
#define TE_ASM_CONV4_OUT 36
#define TE_ASM_CONV4_OUT_END 40
#define TE_ASM_CONV4_OUT_C 44
#define TE_ASM_CONV4_OUT_OFF 48
#define TE_ASM_CONV4_X 52        /* x[0..3]: two LDRDs, #52 and #60 */
#define TE_ASM_CONV4_ACT_MIN 68  /* LDRD with act_max */
#define TE_ASM_CONV4_ACT_MAX 72
#define TE_ASM_CONV4_BIAS_STEP 76
#define TE_ASM_CONV4_HAS_EXTRA 80
#define TE_ASM_CONV4_CLAMP 84
#define TE_ASM_CONV4_ACC 88      /* acc[0..3]: one STMIA */
#define TE_ASM_CONV4_OUT_BASE 112
#define TE_ASM_CONV4_IDX_END 116
TE_ASM_OFFSET(te_conv4_asm_job, cols, TE_ASM_CONV4_COLS);
TE_ASM_OFFSET(te_conv4_asm_job, w, TE_ASM_CONV4_W);
TE_ASM_OFFSET(te_conv4_asm_job, pairs, TE_ASM_CONV4_PAIRS);
TE_ASM_OFFSET(te_conv4_asm_job, odd, TE_ASM_CONV4_ODD);
TE_ASM_OFFSET(te_conv4_asm_job, tail, TE_ASM_CONV4_TAIL);
TE_ASM_OFFSET(te_conv4_asm_job, tail_shift, TE_ASM_CONV4_TAIL_SHIFT);
TE_ASM_OFFSET(te_conv4_asm_job, bias, TE_ASM_CONV4_BIAS);
TE_ASM_OFFSET(te_conv4_asm_job, mult, TE_ASM_CONV4_MULT);
TE_ASM_OFFSET(te_conv4_asm_job, shift, TE_ASM_CONV4_SHIFT);
TE_ASM_OFFSET(te_conv4_asm_job, out, TE_ASM_CONV4_OUT);
TE_ASM_OFFSET(te_conv4_asm_job, out_end, TE_ASM_CONV4_OUT_END);
TE_ASM_OFFSET(te_conv4_asm_job, out_c, TE_ASM_CONV4_OUT_C);
TE_ASM_OFFSET(te_conv4_asm_job, out_off, TE_ASM_CONV4_OUT_OFF);
TE_ASM_OFFSET(te_conv4_asm_job, x, TE_ASM_CONV4_X);
TE_ASM_OFFSET(te_conv4_asm_job, act_min, TE_ASM_CONV4_ACT_MIN);
TE_ASM_OFFSET(te_conv4_asm_job, act_max, TE_ASM_CONV4_ACT_MAX);
TE_ASM_OFFSET(te_conv4_asm_job, bias_step, TE_ASM_CONV4_BIAS_STEP);
TE_ASM_OFFSET(te_conv4_asm_job, has_extra, TE_ASM_CONV4_HAS_EXTRA);
TE_ASM_OFFSET(te_conv4_asm_job, clamp, TE_ASM_CONV4_CLAMP);
TE_ASM_OFFSET(te_conv4_asm_job, acc, TE_ASM_CONV4_ACC);
TE_ASM_OFFSET(te_conv4_asm_job, out_base, TE_ASM_CONV4_OUT_BASE);
TE_ASM_OFFSET(te_conv4_asm_job, idx_end, TE_ASM_CONV4_IDX_END);
/* conv4s_asm_* (the K = 8n loop): LDMIA of the ten words 0..36, the first nine pushed: [sp, #0..32];
 * conv4s_asm_k8n reads skip_pairs (#40) from r0 and pushes the loop entry it selects at [sp, #36]. */
#define TE_ASM_CONV4S_BIAS 0
#define TE_ASM_CONV4S_MULT 4
#define TE_ASM_CONV4S_SHIFT 8
#define TE_ASM_CONV4S_OUT 12
#define TE_ASM_CONV4S_OUT_C 16
#define TE_ASM_CONV4S_COLS 20
#define TE_ASM_CONV4S_IDX_END 24
#define TE_ASM_CONV4S_C1 28
#define TE_ASM_CONV4S_COLS_END 32
#define TE_ASM_CONV4S_W 36
#define TE_ASM_CONV4S_SKIP_PAIRS 40
TE_ASM_OFFSET(te_conv4s_job, bias, TE_ASM_CONV4S_BIAS);
TE_ASM_OFFSET(te_conv4s_job, mult, TE_ASM_CONV4S_MULT);
TE_ASM_OFFSET(te_conv4s_job, shift, TE_ASM_CONV4S_SHIFT);
TE_ASM_OFFSET(te_conv4s_job, out, TE_ASM_CONV4S_OUT);
TE_ASM_OFFSET(te_conv4s_job, out_c, TE_ASM_CONV4S_OUT_C);
TE_ASM_OFFSET(te_conv4s_job, cols, TE_ASM_CONV4S_COLS);
TE_ASM_OFFSET(te_conv4s_job, idx_end, TE_ASM_CONV4S_IDX_END);
TE_ASM_OFFSET(te_conv4s_job, c1, TE_ASM_CONV4S_C1);
TE_ASM_OFFSET(te_conv4s_job, cols_end, TE_ASM_CONV4S_COLS_END);
TE_ASM_OFFSET(te_conv4s_job, w, TE_ASM_CONV4S_W);
TE_ASM_OFFSET(te_conv4s_job, skip_pairs, TE_ASM_CONV4S_SKIP_PAIRS);
_Static_assert(sizeof(te_conv4s_job) == 44, "te_conv4s_job is the ten words conv4s_asm_* loads and skip_pairs");
_Static_assert(sizeof(((te_conv4_asm_job *)0)->x) == 16 && sizeof(((te_conv4_asm_job *)0)->acc) == 16,
               "te_conv4_asm_job.x and .acc are four words (LDRD pairs / STMIA)");
#endif

/* ---- te_conv.c: Helium K <= 16 and 4x1 loops (extended asm), conv_mve_k and conv_mve_job --- */
#if defined(TE_CONV_MVE_ASM)
#define TE_ASM_CONV_MVE_K_LO 0
#define TE_ASM_CONV_MVE_K_HI 16
#define TE_ASM_CONV_MVE_K_SO 32
#define TE_ASM_CONV_MVE_K_PRED 68
#define TE_ASM_CONV_MVE_K_N 76
#define TE_ASM_CONV_MVE_K_LAST_W 80
TE_ASM_OFFSET(conv_mve_k, lo, TE_ASM_CONV_MVE_K_LO);
TE_ASM_OFFSET(conv_mve_k, hi, TE_ASM_CONV_MVE_K_HI);
TE_ASM_OFFSET(conv_mve_k, so, TE_ASM_CONV_MVE_K_SO);
TE_ASM_OFFSET(conv_mve_k, pred, TE_ASM_CONV_MVE_K_PRED);
TE_ASM_OFFSET(conv_mve_k, n, TE_ASM_CONV_MVE_K_N);
TE_ASM_OFFSET(conv_mve_k, last_w, TE_ASM_CONV_MVE_K_LAST_W);
#define TE_ASM_CONV_MVE_JOB_STEPS_1 4
#define TE_ASM_CONV_MVE_JOB_ROW_PAD 8 /* LDRD with left */
#define TE_ASM_CONV_MVE_JOB_LEFT 12
#define TE_ASM_CONV_MVE_JOB_OUT_OFF 16 /* LDRD with pred */
#define TE_ASM_CONV_MVE_JOB_PRED 20
#define TE_ASM_CONV_MVE_JOB_LAST_W 24
TE_ASM_OFFSET(conv_mve_job, steps_1, TE_ASM_CONV_MVE_JOB_STEPS_1);
TE_ASM_OFFSET(conv_mve_job, row_pad, TE_ASM_CONV_MVE_JOB_ROW_PAD);
TE_ASM_OFFSET(conv_mve_job, left, TE_ASM_CONV_MVE_JOB_LEFT);
TE_ASM_OFFSET(conv_mve_job, out_off, TE_ASM_CONV_MVE_JOB_OUT_OFF);
TE_ASM_OFFSET(conv_mve_job, pred, TE_ASM_CONV_MVE_JOB_PRED);
TE_ASM_OFFSET(conv_mve_job, last_w, TE_ASM_CONV_MVE_JOB_LAST_W);
#endif

/* ---- te_depthwise.c: dw3x3_block_asm (naked, Arm DSP cores), te_dw3_job ------------------- */
#if defined(TE_DW3_ASM)
#define TE_ASM_DW3_X 0 /* x, a, a_end, rl, w[0..4]: one LDM of nine words */
#define TE_ASM_DW3_A 4 /* a, a_end: LDRD */
#define TE_ASM_DW3_A_END 8
#define TE_ASM_DW3_RL 12
#define TE_ASM_DW3_W 16 /* w[0..4]: #16 .. #32 */
#define TE_ASM_DW3_BIAS 36 /* LDRD with sy */
#define TE_ASM_DW3_SY 40
#define TE_ASM_DW3_OUT 44 /* out, out_row, mult, hi, shift: one LDM of five words */
#define TE_ASM_DW3_OUT_ROW 48
#define TE_ASM_DW3_MULT 52
#define TE_ASM_DW3_HI 56
#define TE_ASM_DW3_SHIFT 60
#define TE_ASM_DW3_SX 64 /* LDRD with out_step */
#define TE_ASM_DW3_OUT_STEP 68
#define TE_ASM_DW3_COLS 72
TE_ASM_OFFSET(te_dw3_job, x, TE_ASM_DW3_X);
TE_ASM_OFFSET(te_dw3_job, a, TE_ASM_DW3_A);
TE_ASM_OFFSET(te_dw3_job, a_end, TE_ASM_DW3_A_END);
TE_ASM_OFFSET(te_dw3_job, rl, TE_ASM_DW3_RL);
TE_ASM_OFFSET(te_dw3_job, w, TE_ASM_DW3_W);
TE_ASM_OFFSET(te_dw3_job, bias, TE_ASM_DW3_BIAS);
TE_ASM_OFFSET(te_dw3_job, sy, TE_ASM_DW3_SY);
TE_ASM_OFFSET(te_dw3_job, out, TE_ASM_DW3_OUT);
TE_ASM_OFFSET(te_dw3_job, out_row, TE_ASM_DW3_OUT_ROW);
TE_ASM_OFFSET(te_dw3_job, mult, TE_ASM_DW3_MULT);
TE_ASM_OFFSET(te_dw3_job, hi, TE_ASM_DW3_HI);
TE_ASM_OFFSET(te_dw3_job, shift, TE_ASM_DW3_SHIFT);
TE_ASM_OFFSET(te_dw3_job, sx, TE_ASM_DW3_SX);
TE_ASM_OFFSET(te_dw3_job, out_step, TE_ASM_DW3_OUT_STEP);
TE_ASM_OFFSET(te_dw3_job, cols, TE_ASM_DW3_COLS);
_Static_assert(sizeof(((te_dw3_job *)0)->w) == 20, "te_dw3_job.w is five words (#16 .. #32)");
#endif

/* ---- te_depthwise.c: dw_run_3x3_asm (naked, Arm DSP cores), te_dw_run_job ------------------- */
#if defined(TE_DW_DIRECT_ASM)
#define TE_ASM_DW_RUN_X 0
#define TE_ASM_DW_RUN_N 4
#define TE_ASM_DW_RUN_X_STEP 8
#define TE_ASM_DW_RUN_ROW 12
#define TE_ASM_DW_RUN_C 16
#define TE_ASM_DW_RUN_W16 20
#define TE_ASM_DW_RUN_Q 24
#define TE_ASM_DW_RUN_OUT 28
#define TE_ASM_DW_RUN_OUT_STEP 32
#define TE_ASM_DW_RUN_OUT_END 36
#define TE_ASM_DW_RUN_ROWS 40
#define TE_ASM_DW_RUN_X_ROW_STEP 44
#define TE_ASM_DW_RUN_OUT_ROW_STEP 48
#define TE_ASM_DW_RUN_X_ROW 52
#define TE_ASM_DW_RUN_OUT_ROW 56
#define TE_ASM_DW_RUN_W_END 60 /* dw_run_5x5_7x7_asm: copied to [sp, #4] */
#define TE_ASM_DW_RUN_SEVEN 64 /* dw_run_5x5_7x7_asm: copied to [sp, #8] */
TE_ASM_OFFSET(te_dw_run_job, x, TE_ASM_DW_RUN_X);
TE_ASM_OFFSET(te_dw_run_job, n, TE_ASM_DW_RUN_N);
TE_ASM_OFFSET(te_dw_run_job, x_step, TE_ASM_DW_RUN_X_STEP);
TE_ASM_OFFSET(te_dw_run_job, row, TE_ASM_DW_RUN_ROW);
TE_ASM_OFFSET(te_dw_run_job, c, TE_ASM_DW_RUN_C);
TE_ASM_OFFSET(te_dw_run_job, w16, TE_ASM_DW_RUN_W16);
TE_ASM_OFFSET(te_dw_run_job, q, TE_ASM_DW_RUN_Q);
TE_ASM_OFFSET(te_dw_run_job, out, TE_ASM_DW_RUN_OUT);
TE_ASM_OFFSET(te_dw_run_job, out_step, TE_ASM_DW_RUN_OUT_STEP);
TE_ASM_OFFSET(te_dw_run_job, out_end, TE_ASM_DW_RUN_OUT_END);
TE_ASM_OFFSET(te_dw_run_job, rows, TE_ASM_DW_RUN_ROWS);
TE_ASM_OFFSET(te_dw_run_job, x_row_step, TE_ASM_DW_RUN_X_ROW_STEP);
TE_ASM_OFFSET(te_dw_run_job, out_row_step, TE_ASM_DW_RUN_OUT_ROW_STEP);
TE_ASM_OFFSET(te_dw_run_job, x_row, TE_ASM_DW_RUN_X_ROW);
TE_ASM_OFFSET(te_dw_run_job, out_row, TE_ASM_DW_RUN_OUT_ROW);
TE_ASM_OFFSET(te_dw_run_job, w_end, TE_ASM_DW_RUN_W_END);
TE_ASM_OFFSET(te_dw_run_job, seven, TE_ASM_DW_RUN_SEVEN);
#endif

/* ---- te_depthwise.c: Helium loops (extended asm), dw_mve_k --------------------------------- */
#if defined(TE_DW_MVE_ASM)
#define TE_ASM_DW_MVE_K_BIAS 0
#define TE_ASM_DW_MVE_K_LO 16
#define TE_ASM_DW_MVE_K_HI 32
#define TE_ASM_DW_MVE_K_SO 48
#define TE_ASM_DW_MVE_K_MULT 64 /* LDRD with d */
#define TE_ASM_DW_MVE_K_D 68
#define TE_ASM_DW_MVE_K_SH 72
TE_ASM_OFFSET(dw_mve_k, bias, TE_ASM_DW_MVE_K_BIAS);
TE_ASM_OFFSET(dw_mve_k, lo, TE_ASM_DW_MVE_K_LO);
TE_ASM_OFFSET(dw_mve_k, hi, TE_ASM_DW_MVE_K_HI);
TE_ASM_OFFSET(dw_mve_k, so, TE_ASM_DW_MVE_K_SO);
TE_ASM_OFFSET(dw_mve_k, mult, TE_ASM_DW_MVE_K_MULT);
TE_ASM_OFFSET(dw_mve_k, d, TE_ASM_DW_MVE_K_D);
TE_ASM_OFFSET(dw_mve_k, sh, TE_ASM_DW_MVE_K_SH);
#endif

/* ---- te_lstm.c: lstm_pre_asm (naked, Arm DSP cores), lstm_job ------------------------------ */
#if defined(LSTM_ASM)
#define TE_ASM_LSTM_X 0 /* x, w, bias, in_groups: one LDM {r1, r2, r3, lr} */
#define TE_ASM_LSTM_W 4
#define TE_ASM_LSTM_BIAS 8
#define TE_ASM_LSTM_IN_GROUPS 12
#define TE_ASM_LSTM_H 16
#define TE_ASM_LSTM_REC_GROUPS 20
#define TE_ASM_LSTM_RQ 24 /* gate_rq: 4 gates x (mult, half, e) per side, the recurrent side at +48 */
#define TE_ASM_LSTM_PRE 28
#define TE_ASM_LSTM_PRE_END 32
#define TE_ASM_LSTM_FROM_X 36 /* from_x[0..3]: two STRDs, #36 and #44 */
TE_ASM_OFFSET(lstm_job, x, TE_ASM_LSTM_X);
TE_ASM_OFFSET(lstm_job, w, TE_ASM_LSTM_W);
TE_ASM_OFFSET(lstm_job, bias, TE_ASM_LSTM_BIAS);
TE_ASM_OFFSET(lstm_job, in_groups, TE_ASM_LSTM_IN_GROUPS);
TE_ASM_OFFSET(lstm_job, h, TE_ASM_LSTM_H);
TE_ASM_OFFSET(lstm_job, rec_groups, TE_ASM_LSTM_REC_GROUPS);
TE_ASM_OFFSET(lstm_job, rq, TE_ASM_LSTM_RQ);
TE_ASM_OFFSET(lstm_job, pre, TE_ASM_LSTM_PRE);
TE_ASM_OFFSET(lstm_job, pre_end, TE_ASM_LSTM_PRE_END);
TE_ASM_OFFSET(lstm_job, from_x, TE_ASM_LSTM_FROM_X);
_Static_assert(sizeof(((lstm_job *)0)->from_x) == 16, "lstm_job.from_x is four words (two STRDs)");
#endif

#endif /* TINYENGINE_TE_ASM_OFFSETS_H */
