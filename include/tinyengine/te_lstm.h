/* tinyengine: UNIDIRECTIONAL_SEQUENCE_LSTM, LiteRT's fully integer LSTM (int8 input, weights and
 * hidden state, int16 cell state; lstm_eval.cc EvalInteger8x8_16), with its optional parts: CIFG,
 * peephole connections, layer normalization and projection.
 *
 * Per row (one time step of one sequence), for each cell c and gate g in (input, forget, cell,
 * output):
 *   pre_g = sat16(rq(bias_in[c][g] + w_in[g][c] . x, g) + sat16(rq(bias_rec[c][g] + w_rec[g][c] . h, 4 + g)))
 * with rq the double-rounding MultiplyByQuantizedMultiplier of gate_mult / gate_shift (Q3.12
 * results); i, f, o = sigmoid(pre) and z = tanh(pre) in gemmlowp's int16 fixed point (Q0.15);
 *   cell = sat16(rdbp(f * cell, 15) + rdbp(i * z, 30 + cell_scale)), clipped to +-cell_clip if > 0;
 *   h = sat8(rq(o * tanh_(15 + cell_scale)(cell), hidden) + hidden_zp)
 * written to the output row, which is the next step's hidden state. The state persists between
 * calls, as LiteRT's variable tensors: each sequence starts from hidden_state / cell_state
 * ([n_batch][n_output] and [n_batch][n_cell]), and the call leaves its last step's hidden and cell
 * state there.
 *
 * The optional parts (flags), in the reference's order (LstmStepInteger8x8_16):
 *  - peephole: pre_g += rq(w_peep_g[c] * cell[c]) (saturating) for the input and forget gates with
 *    the cell state before the step, for the output gate with the updated one;
 *  - layer normalization (after the peephole term): each gate's n_cell pre-activations, whose
 *    scale is then the model's gate intermediate's, are normalized (ApplyLayerNorm: integer mean
 *    and variance, GetInvSqrtQuantizedMultiplierExp), times the coefficients plus the gate bias
 *    (which is then not in bias_in), requantized to Q3.12;
 *  - CIFG: no input gate, i = 1 - f (32767 - f); its weights are zero and its row is not used;
 *  - projection: the hidden values h (zero point -hidden_zp, as the reference has it) are
 *    projected to n_output values: sat8(rq(proj_bias[r] + proj_w[r] . h, proj) + out_zp),
 *    clipped to +-proj_clip if > 0.
 *
 * Rows are processed in memory order (time-major: step by step, batch-major: sequence by
 * sequence), so the output may overwrite the input in place when n_output <= n_input.
 */
#ifndef TINYENGINE_TE_LSTM_H
#define TINYENGINE_TE_LSTM_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Weight layout: int16 values w << acc_shift, cell after cell; per cell an input block (the input
 * weights, cols = in_cols) then a recurrent block (cols = rec_cols), the columns past n_input /
 * n_cell zero. A block is cols / 4 groups of four columns 4j .. 4j+3, 16 halfwords each:
 *   w_0[4j], w_0[4j+2], w_1[4j], w_1[4j+2], w_2[4j], w_2[4j+2], w_3[4j], w_3[4j+2],
 *   w_0[4j+1], w_0[4j+3], ..., w_3[4j+1], w_3[4j+3]
 * (w_g the cell's row of gate g): the first four words pair with SXTB16 of the four inputs, the
 * last four with SXTB16 ROR 8, so one LDM brings one word of all four gates.
 * Helium (TE_USE_MVE) builds read the same array as int8 bytes: the model's rows, gate by gate
 * the input weights [4][n_cell][n_input], then the recurrent weights [4][n_cell][n_cell].
 * bias: int32 [n_cell][8], the four input-side then the four recurrent-side effective biases
 * (zero points folded in), << acc_shift. */
typedef struct {
    const int16_t *weights;
    const int32_t *bias;
    /* Read by the DSP and Helium builds (the portable build computes the activations as gemmlowp does):
     * exp_on_negative_values<k>(a) (Q0.15) for a = -S .. -1 at index a + S, S = 2^(13 - k + min(2, k - 1)),
     * k = 3 for the sigmoids (4096 values), 4 for the cell gate's tanh (2048), 16 + cell_scale for tanh
     * of the cell state (one of the first two when it is 3 or 4). */
    const int16_t *exp_sigmoid;
    const int16_t *exp_tanh;
    const int16_t *exp_hidden;
    const uint32_t *recip_bits;  /* 16384 Newton-Raphson correction bits, see te_lstm.c */
    /* The optional parts (NULL when absent): */
    const int16_t *peephole;     /* [3][peep_rows][n_cell]: cell-to-input (zero with CIFG), -forget, -output
                                  * weights, laid out per position as the reference applies them (below) */
    const int16_t *ln_weights;   /* [4][n_cell]: layer norm coefficients per gate (gate 0 unused with CIFG) */
    const int32_t *ln_bias;      /* [4][n_cell]: the gate biases, added inside the layer norm */
    const int8_t *proj_weights;  /* [n_output][n_cell] */
    const int32_t *proj_bias;    /* [n_output]: projection bias + hidden_zp * row sums */
} te_lstm_weights;

#define TE_LSTM_CIFG 1
#define TE_LSTM_PEEPHOLE 2
#define TE_LSTM_LAYER_NORM 4
#define TE_LSTM_PROJECTION 8

typedef struct {
    int32_t n_batch, n_steps, n_input, n_cell;
    int32_t in_cols, rec_cols;   /* n_input, n_cell rounded up to multiples of 4 */
    int32_t time_major;          /* 1: input [steps][batch][n_input], 0: [batch][steps][n_input] */
    int32_t acc_shift;           /* 1: weights and biases doubled (fast_rq), 0: as in the model */
    int32_t fast_rq;             /* 1: every shift below is <= -1 and |accumulator| < 2^30 (generator-checked) */
    int32_t gate_mult[8];        /* [side * 4 + gate], side 0: input x, 1: hidden h */
    int32_t gate_shift[8];
    int32_t gate_rq[24];         /* fast_rq: per gate as above, mult, 2^(e - 1), e = -shift >= 1 */
    int32_t cell_scale;          /* log2 of the cell state scale, -15 .. -9 */
    int32_t cell_clip;           /* in cell state units, 0: none */
    int32_t hidden_mult, hidden_shift, hidden_half, hidden_zp;
    int32_t n_output;            /* hidden state / output width: n_cell, or the projection's rows */
    int32_t flags;               /* TE_LSTM_CIFG | TE_LSTM_PEEPHOLE | TE_LSTM_LAYER_NORM | TE_LSTM_PROJECTION */
    int32_t peep_mult[3], peep_shift[3];             /* cell-to-{input, forget, output} */
    int32_t peep_rows;           /* rows of peephole weights: n_batch time-major, else 1 (see te_lstm.c) */
    int32_t ln_mult[4], ln_shift[4], ln_guard[4];    /* layer norm scale (shift without the + 12) and variance guard */
    int32_t proj_mult, proj_shift, proj_zp, proj_clip; /* proj_zp: the output state's zero point */
} te_lstm_params;

/* Scratch: te_lstm_s8_scratch_bytes(p) bytes, 4-byte aligned. */
size_t te_lstm_s8_scratch_bytes(const te_lstm_params *p);

/* hidden_state (int8, [n_batch][n_output]) and cell_state (int16, [n_batch][n_cell]) are read and updated. */
void te_lstm_s8(const te_lstm_params *p, const te_lstm_weights *w, const int8_t *input, int8_t *output,
                int8_t *hidden_state, int16_t *cell_state, void *scratch);

/* The activations, exposed for tests: gemmlowp's logistic on Q3.12 and tanh on Q(bits).(15 - bits),
 * int16 in, Q0.15 out, as this build of the kernel computes them (the DSP and Helium builds use the
 * tables of w, so tanh only for integer_bits 3 and 15 + p->cell_scale, else 0; the Helium build
 * through its vector functions; the portable build replays gemmlowp's arithmetic, any
 * 0 <= integer_bits <= 6, and ignores w). */
int32_t te_lstm_sigmoid_q3_12(const te_lstm_params *p, const te_lstm_weights *w, int32_t x);
int32_t te_lstm_tanh(const te_lstm_params *p, const te_lstm_weights *w, int32_t x, int32_t integer_bits);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_LSTM_H */
