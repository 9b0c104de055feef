"""UNIDIRECTIONAL_SEQUENCE_LSTM lowering: LiteRT's fully integer LSTM (int8 input, weights and
hidden state, int16 cell state, the "8x8_16" kernel).

Everything LiteRT computes in Prepare is computed here, in the same float32 / double steps
(unidirectional_sequence_lstm.cc, PopulateQuantizedLstmParams8x8_16 and
PopulatePrecomputedZPTimesWeightsWithBias):

- effective gate scales: w_scale * x_scale / 2^-12 (input side) and w_scale * h_scale / 2^-12
  (recurrent side), float32 products and quotients, each through QuantizeMultiplier: the gate
  pre-activations are Q3.12 when there is no layer normalization;
- the hidden scale 2^-15 / intermediate[4].scale * 2^-15 in double, stored as float32;
- the cell state scale must be a power of two (CheckedLog2): 2^cell_scale;
- the cell clip in cell-state units, float32, truncated to int16;
- effective biases: bias - x_zp * rowsum(w_in) and -h_zp * rowsum(w_rec), in int32.

The evaluation (lstm_eval.cc, LstmStepInteger8x8_16) is src/te_lstm.c's; it needs no float.

Two things are decided here for the kernel's speed (include/tinyengine/te_lstm.h has the layouts):
- weights are stored as int16, the four gates of one cell interleaved and the columns of a group
  of four in the order SXTB16 unpacks them, so the DSP path runs two 16-bit MACs per SMLAD with
  one LDM for the four gates' weights; when every accumulator the layer can produce has
  |acc| < 2^30 and every gate scale is below 1/2, weights and biases are stored doubled and the
  double-rounding requantization becomes SMMLAR + SUB + ASR (see te_lstm.c);
- tables for the DSP path's exact sigmoid / tanh (gemmlowp's int16 fixed point, as LiteRT's
  reference ApplySigmoid / ApplyTanh evaluate it): exp_on_negative_values on [-1, 0) for each
  format the activations use (3 and 4 integer bits, and the cell state's), and one correction bit
  per half denominator that turns one division into the result of gemmlowp's three
  Newton-Raphson steps (16 KB of flash in all for the usual Q3.12 cell state). They are built with
  the int16 fixed-point arithmetic below, which replays gemmlowp's operations step by step; the
  tests check both kernel paths against it on every int16 input.

Supported: every form LiteRT's EvalInteger8x8_16 runs: CIFG, peephole connections, layer
normalization (the gate intermediates' scales, the gate biases inside ApplyLayerNorm), projection
(with its bias and clip); time-major or batch-major; any batch. The plain form runs the fast
phase B below; the optional parts run te_lstm.c's lstm_update_ext, the reference's order as
written. LiteRT has no int16 (16x8) LSTM (its Prepare wants float biases for non-int8 inputs), so
int16 inputs are refused.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

import numpy as np

from .. import quant as q
from ..errors import InternalError
from ..ir import Graph, Op, Tensor
from .base import ConstArray, KernelCall, i32, register, require, require_quant, variable_state

# Operand indices (LiteRT lstm_shared.h).
X = 0
W_IN = (1, 2, 3, 4)  # input-to-{input, forget, cell, output} weights
W_REC = (5, 6, 7, 8)  # recurrent-to-{...} weights
PEEPHOLE = (9, 10, 11)
BIAS = (12, 13, 14, 15)
PROJECTION = (16, 17)
H_STATE, C_STATE = 18, 19
LAYER_NORM = (20, 21, 22, 23)
GATE_NAMES = ("input", "forget", "cell", "output")
GATE_Q = 12  # gate pre-activations are Q3.12 without layer normalization
SIGMOID_EXP_BITS = 3  # exp_on_negative_values integer bits of the Q3.12 sigmoid
CELL_TANH_EXP_BITS = 4  # the cell gate's tanh on Q3.12 doubles its input (ExactMulByPot<1>)


# ---- gemmlowp int16 fixed point (fixedpoint.h), vectorized over int64 arrays ------------------

def _wrap16(v: np.ndarray) -> np.ndarray:
    return ((np.asarray(v, np.int64) + 32768) & 0xFFFF) - 32768


def _mul(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """SaturatingRoundingDoublingHighMul<int16>: gemmlowp's nudge-and-truncate equals a floor shift."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    return np.where((a == -32768) & (b == -32768), 32767, (a * b + (1 << 14)) >> 15)


def _rdbp(x: np.ndarray | np.integer, e: int) -> np.ndarray:
    """RoundingDivideByPOT: nearest, ties away from zero."""
    x = np.asarray(x, np.int64)
    mask = (1 << e) - 1
    return (x >> e) + ((x & mask) > ((mask >> 1) + (x < 0)))


def _sat_shl(x: np.ndarray, e: int) -> np.ndarray:
    """SaturatingRoundingMultiplyByPOT<e>, e > 0, on int16."""
    thr = (1 << (15 - e)) - 1
    x = np.asarray(x, np.int64)
    return np.where(x > thr, 32767, np.where(x < -thr, -32768, x << e))


def _constant(raw32: int) -> int:
    """RescaleConstantInitializer<int16>: gemmlowp writes constants as Q-format int32."""
    return int(_rdbp(np.int64(raw32), 16))


EXP_CONST, ONE_THIRD = _constant(1895147668), _constant(715827883)  # exp(-1/8), 1/3 (Q0.15)
NR_48_17, NR_NEG_32_17 = _constant(1515870810), _constant(-1010580540)  # Newton start, Q2.13
# exp(-2^e) for e = -2 .. 4, the barrel shifter of exp_on_negative_values.
EXP_BARREL = tuple(_constant(v) for v in (1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242))


def exp_interval(a: np.ndarray) -> np.ndarray:
    """exp_on_interval_between_negative_one_quarter_and_0_excl (Q0.15 in and out)."""
    x = _wrap16(np.asarray(a, np.int64) + 4096)  # a + 1/8
    x2 = _mul(x, x)
    x3 = _mul(x2, x)
    x4 = _mul(x2, x2)
    t = _wrap16(_mul(_wrap16(_rdbp(x4, 2) + x3), ONE_THIRD) + x2)
    t = _rdbp(t, 1)
    return np.clip(EXP_CONST + _mul(EXP_CONST, _wrap16(x + t)), -32768, 32767)


def exp_on_negative_values(a: np.ndarray, k: int) -> np.ndarray:
    """exp(a) for a <= 0 in Q(k).(15-k), result Q0.15."""
    a = np.asarray(a, np.int64)
    quarter = 1 << (13 - k)
    a_mod = (a & (quarter - 1)) - quarter
    result = exp_interval(_sat_shl(a_mod, k) if k > 0 else a_mod)
    remainder = _wrap16(a_mod - a)
    for i, m in enumerate(EXP_BARREL):
        if k > i - 2:
            result = np.where(remainder & (1 << (13 - k + i)), _mul(result, m), result)
    if k > 5:
        result = np.where(a < _constant(-(1 << (36 - k))), 0, result)
    return np.where(a == 0, 32767, result)


def newton_reciprocal(e: np.ndarray) -> np.ndarray:
    """The Q2.13 value gemmlowp's one_over_one_plus_x / one_minus_x_over_one_plus_x reach after
    their three Newton-Raphson steps on the half denominator (x + 1) / 2, x = e in Q0.15, e >= 0."""
    hd = (np.asarray(e, np.int64) + 32768) >> 1  # RoundingHalfSum(e, 32767) for e >= 0
    x = _wrap16(NR_48_17 + _mul(hd, NR_NEG_32_17))
    for _ in range(3):
        x = _wrap16(x + _sat_shl(_mul(x, _wrap16(8192 - _mul(hd, x))), 2))
    return x


def logistic_q(x: np.ndarray, k: int) -> np.ndarray:
    """gemmlowp::logistic on Q(k).(15-k) int16 values, Q0.15 result (ApplySigmoid for k = 3)."""
    x = np.asarray(x, np.int64)
    positive = x > 0
    magnitude = np.where(positive, x, _wrap16(-x))
    r = _sat_shl(newton_reciprocal(exp_on_negative_values(_wrap16(-magnitude), k)), 1)
    return np.where(x == 0, 16384, np.where(positive, r, 32767 - r))


def tanh_q(x: np.ndarray, k: int) -> np.ndarray:
    """gemmlowp::tanh on Q(k).(15-k) int16 values, Q0.15 result (ApplyTanh(k, ...))."""
    x = np.asarray(x, np.int64)
    negative = x < 0
    n = np.where(negative, x, _wrap16(-x))
    t = _sat_shl(_wrap16(newton_reciprocal(exp_on_negative_values(n, k + 1)) - 8192), 2)
    return np.where(x == 0, 0, np.where(negative, _wrap16(-t), t))


# ---- the DSP path's tables --------------------------------------------------------------------

RECIP_FIRST = 16384  # half denominators run over [2^14, 2^15)


def exp_table_quarters(k: int) -> int:
    """How many of exp_on_negative_values<k>'s barrel-shifter steps (the quarters) the kernel's
    table absorbs: two, or fewer for k < 3, so that no table exceeds 4096 values."""
    return min(2, k - 1)


def exp_table(k: int) -> np.ndarray:
    """exp_on_negative_values<k>(a) for a = -2^(13 - k + tq) .. -1 (tq = exp_table_quarters(k)), at
    index a mod 2^(13 - k + tq): the polynomial on the input's last quarter and the first tq steps of
    the barrel shifter; the kernel applies the remaining steps."""
    span = 1 << (13 - k + exp_table_quarters(k))
    return exp_on_negative_values(np.arange(span, dtype=np.int64) - span, k).astype(np.int16)


def reciprocal_fast(hd: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """The kernel's form of newton_reciprocal: every Newton step adds a multiple of 4 to the start
    x0, so the result is x0 + 4 * K with K = floor((floor(2^30 / hd) - 4 * x0) / 16) + bit."""
    hd = np.asarray(hd, np.int64)
    x0 = NR_48_17 + ((hd * NR_NEG_32_17 + (1 << 14)) >> 15)
    k = (((1 << 30) // hd) - 4 * x0) >> 4
    return x0 + 4 * (k + bits)


@lru_cache(maxsize=1)
def reciprocal_bits() -> np.ndarray:
    """One correction bit per half denominator, 32 per little-endian uint32 word."""
    hd = np.arange(RECIP_FIRST, 2 * RECIP_FIRST, dtype=np.int64)
    want = newton_reciprocal(2 * hd - 32768)
    bits = want - reciprocal_fast(hd, np.zeros_like(hd))
    assert np.all((bits == 0) | (bits == 4)), "gemmlowp's Newton steps left the two-value band"
    bits //= 4
    assert np.array_equal(reciprocal_fast(hd, bits), want)
    words = (bits.reshape(-1, 32) << np.arange(32, dtype=np.int64)).sum(axis=1)
    return words.astype(np.uint32)


# ---- lowering ---------------------------------------------------------------------------------

def _float(v: float) -> np.float32:
    return np.float32(v)


def checked_log2(x: float) -> tuple[bool, int]:
    """CheckedLog2(): float32 log, rounded; True when x is a power of two within 1e-3 in log2."""
    x_log2 = np.float32(np.log(_float(x))) * (np.float32(1.0) / np.float32(np.log(np.float32(2.0))))
    rounded = np.float32(q.tflite_round(float(x_log2)))
    return bool(abs(np.float32(x_log2 - rounded)) < np.float32(1e-3)), int(rounded)


def _present(op: Op, index: int) -> Optional[Tensor]:
    return op.inputs[index] if index < len(op.inputs) else None


def pack_gate_weights(ws: list[np.ndarray], cols: int) -> np.ndarray:
    """The te_lstm.h weight layout: per cell, per group of four columns j .. j+3, eight int16 pairs
    (w_g[j], w_g[j+2]) for g = 0..3, then (w_g[j+1], w_g[j+3]); columns past the matrix are zero."""
    n_cell, n = ws[0].shape
    w = np.zeros((4, n_cell, cols), np.int64)
    for g, m in enumerate(ws):
        w[g, :, :n] = m
    # column = 4 * group + 2 * a + b: b picks the word (0: columns j, j+2; 1: j+1, j+3), a the halfword
    w = w.reshape(4, n_cell, cols // 4, 2, 2)  # gate, cell, group, a, b
    return w.transpose(1, 2, 4, 0, 3).reshape(-1).astype(np.int16)


def _given(t: Optional[Tensor]) -> Tensor:
    """An operand lower_lstm has already required to be present (the lists keep CIFG's gaps)."""
    if t is None:
        raise InternalError("an LSTM operand checked as present is missing")
    return t


def _f32_int(v: np.float32) -> int:
    """static_cast<int32_t>(float): truncation toward zero."""
    return int(np.trunc(np.float64(v)))


def mve_gate_weights(w_in: list[np.ndarray], w_rec: list[np.ndarray], size: int) -> np.ndarray:
    """The Helium build's weights (te_lstm.h), in the int16 array of the DSP layout (size values):
    the model's int8 rows, the four gates' input blocks then their recurrent blocks, zero after."""
    rows = np.concatenate([m.reshape(-1) for m in [*w_in, *w_rec]]).astype(np.int8)
    out = np.zeros(2 * size, np.int8)
    out[:rows.size] = rows  # 4 n_cell (n_input + n_cell) bytes, never more than the 2-byte layout's
    return out.view("<i2").astype(np.int16)


@register("UNIDIRECTIONAL_SEQUENCE_LSTM", dtypes=("int8",), simd=("dsp", "mve"),
          note="integer 8x8_16; CIFG, peephole, projection and layer norm too (Helium: the plain LSTM)")
def lower_lstm(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) in (20, 24), op, f"needs the 20- or 24-input form, got {len(op.inputs)} inputs")
    x, y = op.input(X), op.outputs[0]
    require(x is not None, op, "missing input tensor")
    require(x.dtype == "int8", op,
            f"only the fully integer LSTM is supported (int8 input), got a {x.dtype} input "
            "(float and hybrid LSTMs are not; LiteRT runs no int16 LSTM)")
    w_in = [_present(op, i) for i in W_IN]
    w_rec = [_present(op, i) for i in W_REC]
    cifg = w_in[0] is None
    require((w_in[0] is None) == (w_rec[0] is None), op,
            "the input gate's input and recurrent weights must be both present or both absent (CIFG)")
    peep = [_present(op, i) for i in PEEPHOLE]
    peephole = peep[2] is not None
    require(all(t is None for t in peep) or (peep[1] is not None and peep[2] is not None
                                              and (peep[0] is not None) != cifg),
            op, "peephole weights must be all present (no input one with CIFG) or all absent")
    proj_w, proj_b = _present(op, PROJECTION[0]), _present(op, PROJECTION[1])
    projection = proj_w is not None
    require(projection or proj_b is None, op, "a projection bias without projection weights")
    ln = [_present(op, i) for i in LAYER_NORM]
    layer_norm = len(op.inputs) == 24 and ln[1] is not None
    require(all(t is None for t in ln) or (layer_norm and ln[2] is not None and ln[3] is not None
                                           and (ln[0] is not None) != cifg),
            op, "layer norm coefficients must be all present (no input one with CIFG) or all absent")
    gates = [g for g in range(4) if not (cifg and g == 0)]
    for side, ws in (("input", w_in), ("recurrent", w_rec)):
        for g in gates:
            t = ws[g]
            require(t is not None and t.is_const and t.dtype == "int8" and len(t.shape) == 2, op,
                    f"the {side}-to-{GATE_NAMES[g]} weights must be a constant 2-D int8 tensor")
    biases = [_present(op, i) for i in BIAS]
    require(not cifg or biases[0] is None, op, "an input gate bias with CIFG")
    for g in gates:
        t = biases[g]
        require(t is not None and t.is_const and t.dtype == "int32", op,
                f"the {GATE_NAMES[g]} gate bias must be a constant int32 tensor")
    for what, ts in (("peephole weights", peep if peephole else []), ("layer norm coefficients", ln if layer_norm else [])):
        for t in ts:
            require(t is None or (t.is_const and t.dtype == "int16" and t.quant is not None
                                  and not t.quant.per_channel), op,
                    f"{what} must be constant int16 tensors with one scale")
    if projection:
        assert proj_w is not None
        require(proj_w.is_const and proj_w.dtype == "int8" and len(proj_w.shape) == 2 and proj_w.quant is not None
                and not proj_w.quant.per_channel, op, "projection weights must be a constant 2-D int8 tensor")
        require(proj_b is None or (proj_b.is_const and proj_b.dtype == "int32"), op,
                "the projection bias must be a constant int32 tensor")
    h_state = variable_state(op, graph, _present(op, H_STATE), "hidden state")
    c_state = variable_state(op, graph, _present(op, C_STATE), "cell state")
    require(h_state.dtype == "int8" and c_state.dtype == "int16", op,
            f"needs an int8 hidden state and an int16 cell state, got {h_state.dtype} / {c_state.dtype}")
    require(y.dtype == "int8", op, f"needs an int8 output, got {y.dtype}")
    inter = list(op.context.intermediates)
    require(len(inter) == 5 and inter[4].quant is not None, op,
            "the integer LSTM needs its five intermediate tensors, the last one quantized (hidden scale)")
    if layer_norm:
        require(all(inter[g].quant is not None for g in gates), op,
                "a layer-normalized integer LSTM needs its gate intermediates quantized")
    w_present = [t for t in w_in + w_rec if t is not None]
    require_quant(op, x, y, h_state, c_state, *w_present)
    for t in [x, y, h_state, c_state, *w_present, inter[4]]:
        require(not t.q.per_channel, op, f"per-channel quantized tensor '{t.name}' is not supported")

    # Shapes. (EvalInteger8x8_16 would take a 2-D input as one step, but Prepare reads the third
    # dimension of any input, so LiteRT cannot run 2-D ones.)
    require(len(x.shape) == 3, op, f"input must be 3-D (time and batch), got shape {x.shape}")
    time_major = bool(op.options.get("time_major", False))
    n_steps, n_batch = (int(x.shape[0]), int(x.shape[1])) if time_major else (int(x.shape[1]), int(x.shape[0]))
    n_input = int(x.shape[-1])
    n_cell, n_output = int(_given(w_in[3]).shape[0]), int(_given(w_rec[3]).shape[1])
    if projection:
        assert proj_w is not None
        require(tuple(proj_w.shape) == (n_output, n_cell), op,
                f"projection weights of shape {proj_w.shape}, want {(n_output, n_cell)}")
        require(proj_b is None or proj_b.size == n_output, op, f"projection bias of {proj_b.size if proj_b else 0} values")
    else:
        require(n_output == n_cell, op, f"{n_output} outputs for {n_cell} cells needs a projection")
    for g in gates:
        require(tuple(_given(w_in[g]).shape) == (n_cell, n_input), op,
                f"input weights of shape {_given(w_in[g]).shape}, want {(n_cell, n_input)}")
        require(tuple(_given(w_rec[g]).shape) == (n_cell, n_output), op,
                f"recurrent weights of shape {_given(w_rec[g]).shape}, want {(n_cell, n_output)}")
        require(_given(biases[g]).size == n_cell, op, f"gate bias of {_given(biases[g]).size} values for {n_cell} cells")
    for t in (peep if peephole else []) + (ln if layer_norm else []):
        if t is not None:
            require(t.size == n_cell, op, f"'{t.name}' has {t.size} values for {n_cell} cells")
    require(h_state.size == n_batch * n_output and c_state.size == n_batch * n_cell, op,
            "state tensor sizes do not match batch x cells")
    require(tuple(y.shape) == tuple(x.shape[:-1]) + (n_output,), op,
            f"output shape {y.shape} does not match input {x.shape} with {n_output} outputs")
    require(n_steps * n_batch >= 1 and n_input >= 1 and n_cell >= 1, op, "empty tensor")

    # Cell state scale and clip (PopulateQuantizedLstmParams8x8_16).
    ok, cell_scale = checked_log2(c_state.q.s)
    require(ok, op, f"the cell state scale {c_state.q.s} must be a power of two")
    # ApplyTanh handles 0..6 integer bits (15 + cell_scale); outside it the reference writes nothing.
    require(-15 <= cell_scale <= -9, op, f"cell state scale 2^{cell_scale} outside 2^-15 .. 2^-9")
    cell_clip = float(op.options.get("cell_clip", 0.0))
    proj_clip = float(op.options.get("proj_clip", 0.0))
    require(cell_clip >= 0 and proj_clip >= 0, op, "negative clip value")
    f32 = np.float32
    quantized_clip = 0
    if cell_clip > 0:
        v = f32(f32(cell_clip) / f32(c_state.q.s))
        quantized_clip = _f32_int(min(max(v, f32(-32768.0)), f32(32767.0)))
    quantized_proj_clip = 0
    if proj_clip > 0:
        v = f32(f32(proj_clip) / f32(y.q.s))
        quantized_proj_clip = _f32_int(min(max(v, f32(-128.0)), f32(127.0)))

    # Effective scales, float32 as the reference computes them, then QuantizeMultiplier on the double.
    x_scale, h_scale = f32(x.q.s), f32(h_state.q.s)
    gate_scale = [f32(inter[g].q.s) if layer_norm and inter[g] is not None else f32(2.0 ** -GATE_Q)
                  for g in range(4)]
    mults, shifts = [], []
    for src_scale, ws in ((x_scale, w_in), (h_scale, w_rec)):
        for g, w in enumerate(ws):
            if w is None:  # CIFG: the input gate's row is computed on zero weights and not used
                mults.append(1 << 30)
                shifts.append(-1)
                continue
            eff = f32(f32(f32(w.q.s) * src_scale) / gate_scale[g])
            m, s = q.quantize_multiplier(float(eff))
            mults.append(m)
            shifts.append(s)
    hidden_eff = float(f32(2.0 ** -15 / float(f32(inter[4].q.s)) * 2.0 ** -15))
    hidden_mult, hidden_shift = q.quantize_multiplier(hidden_eff)
    hidden_zp = int(inter[4].q.zp)

    # Effective biases (int32 arithmetic, as the reference's); with layer norm the gate bias is
    # added inside the normalization instead.
    x_zp, h_zp = int(x.q.zp), int(h_state.q.zp)
    zeros_in, zeros_rec = np.zeros((n_cell, n_input), np.int64), np.zeros((n_cell, n_output), np.int64)
    w_in_m = [zeros_in if t is None else t.const_data.astype(np.int64).reshape(n_cell, n_input) for t in w_in]
    w_rec_m = [zeros_rec if t is None else t.const_data.astype(np.int64).reshape(n_cell, n_output) for t in w_rec]
    gate_bias = [np.zeros(n_cell, np.int64) if b is None else b.const_data.astype(np.int64).reshape(-1) for b in biases]
    bias_in = [q.wrap_int32((0 if layer_norm else b) - x_zp * w.sum(axis=1)) for b, w in zip(gate_bias, w_in_m)]
    bias_rec = [q.wrap_int32(-h_zp * w.sum(axis=1)) for w in w_rec_m]

    # Fast requantization: doubled accumulators must stay in int32 for every input and hidden state.
    def acc_range(bias: np.ndarray, w: np.ndarray) -> tuple[int, int]:
        lo = bias + np.minimum(w * -128, w * 127).sum(axis=1)
        hi = bias + np.maximum(w * -128, w * 127).sum(axis=1)
        return int(lo.min()), int(hi.max())

    ranges = [acc_range(b, w) for b, w in zip(bias_in + bias_rec, w_in_m + w_rec_m)]
    fast = (all(-(2**30) <= lo and hi < 2**30 for lo, hi in ranges)
            and all(s <= -1 for s in shifts) and -31 <= hidden_shift <= -1 and hidden_mult > 0
            and all(m > 0 for m in mults))
    acc_shift = 1 if fast else 0

    in_cols, rec_cols = -(-n_input // 4) * 4, -(-n_output // 4) * 4
    # per cell: the input block, then the recurrent block (te_lstm.h)
    weights = np.concatenate([pack_gate_weights(w_in_m, in_cols).reshape(n_cell, -1),
                              pack_gate_weights(w_rec_m, rec_cols).reshape(n_cell, -1)], axis=1)
    weights = weights.astype(np.int32) << acc_shift
    bias = np.stack(bias_in + bias_rec, axis=1)  # cell, (input side gates, recurrent side gates)
    bias = q.wrap_int32(bias << acc_shift)

    # exp tables for the DSP path: the gates' exps have 3 (sigmoid) and 4 (tanh) integer bits, tanh
    # of the cell state 16 + cell_scale.
    hidden_exp_bits = 16 + cell_scale
    plain = not (cifg or peephole or layer_norm or projection)  # Helium runs the plain LSTM only
    consts = {
        "weights": ConstArray("int16_t", weights.reshape(-1).astype(np.int16),
                              mve_data=mve_gate_weights(w_in_m, w_rec_m, weights.size) if plain else None),
        "bias": i32(bias.reshape(-1)),
        "exp_sigmoid": ConstArray("int16_t", exp_table(SIGMOID_EXP_BITS)),
        "exp_tanh": ConstArray("int16_t", exp_table(CELL_TANH_EXP_BITS)),
        "recip_bits": ConstArray("uint32_t", reciprocal_bits()),
    }
    hidden_table = {SIGMOID_EXP_BITS: "exp_sigmoid", CELL_TANH_EXP_BITS: "exp_tanh"}.get(hidden_exp_bits, "exp_hidden")
    if hidden_table == "exp_hidden":
        consts["exp_hidden"] = ConstArray("int16_t", exp_table(hidden_exp_bits))

    # The optional parts (te_lstm.h).
    flags = (1 if cifg else 0) | (2 if peephole else 0) | (4 if layer_norm else 0) | (8 if projection else 0)
    peep_mult, peep_shift = [0, 0, 0], [0, 0, 0]
    # The reference applies the peephole weights with v_size n_output over the step's n_batch rows
    # of n_cell gates (te_lstm.c): position i < step_batch * n_output gets weight i mod n_output.
    step_batch = n_batch if time_major else 1
    peep_rows = step_batch if peephole and projection and n_output != n_cell else 1
    if peephole:
        require(n_output <= n_cell, op, f"peephole with a projection to {n_output} outputs from {n_cell} cells: "
                "LiteRT reads past the peephole weights (more outputs than cells)")
        flat = np.arange(peep_rows * n_cell)
        index = np.where(flat < step_batch * n_output, flat % n_output, -1)
        rows = []
        for k, (t, g) in enumerate(zip(peep, (0, 1, 3))):
            if t is None:
                rows.append(np.zeros(peep_rows * n_cell, np.int64))
                continue
            wv = t.const_data.astype(np.int64).reshape(-1)
            rows.append(np.where(index >= 0, wv[np.maximum(index, 0)], 0))
            # std::pow(2, cell_scale) * float / float, in double, stored as float
            peep_eff = float(f32(2.0 ** cell_scale * float(f32(t.q.s)) / float(gate_scale[g])))
            peep_mult[k], peep_shift[k] = q.quantize_multiplier(peep_eff)
        consts["peephole"] = ConstArray("int16_t", np.concatenate(rows).astype(np.int16))
    ln_mult, ln_shift, ln_guard = [0] * 4, [0] * 4, [1] * 4
    if layer_norm:
        rows, brows = [], []
        for g in range(4):
            t = ln[g]
            if t is None:
                rows.append(np.zeros(n_cell, np.int64))
                brows.append(np.zeros(n_cell, np.int64))
                continue
            rows.append(t.const_data.astype(np.int64).reshape(-1))
            brows.append(gate_bias[g])
            ln_mult[g], ln_shift[g] = q.quantize_multiplier(float(f32(t.q.s)))
            ln_guard[g] = max(1, _f32_int(f32(f32(10000) * f32(t.q.s))))
        consts["ln_weights"] = ConstArray("int16_t", np.concatenate(rows).astype(np.int16))
        consts["ln_bias"] = i32(q.wrap_int32(np.concatenate(brows)))
    proj_mult = proj_shift = 0
    if projection:
        assert proj_w is not None
        pw = proj_w.const_data.astype(np.int64).reshape(n_output, n_cell)
        pb = np.zeros(n_output, np.int64) if proj_b is None else proj_b.const_data.astype(np.int64).reshape(-1)
        consts["proj_weights"] = ConstArray("int8_t", pw.astype(np.int8))
        consts["proj_bias"] = i32(q.wrap_int32(pb + hidden_zp * pw.sum(axis=1)))
        proj_eff = float(f32(f32(f32(proj_w.q.s) * f32(inter[4].q.s)) / h_scale))
        proj_mult, proj_shift = q.quantize_multiplier(proj_eff)

    params = dict(
        n_batch=n_batch, n_steps=n_steps, n_input=n_input, n_cell=n_cell, in_cols=in_cols, rec_cols=rec_cols,
        time_major=int(time_major), acc_shift=acc_shift, fast_rq=int(fast),
        gate_mult=mults, gate_shift=shifts,
        gate_rq=[v for m, s in zip(mults, shifts) for v in (m, (1 << (-s - 1)) if s <= -1 else 0, -s)],
        cell_scale=cell_scale, cell_clip=quantized_clip, hidden_mult=hidden_mult, hidden_shift=hidden_shift,
        hidden_half=(1 << (-hidden_shift - 1)) if hidden_shift <= -1 else 0,
        # with a projection the reference writes the hidden values with zero point -hidden_zp
        hidden_zp=-hidden_zp if projection else hidden_zp,
        hidden_table=hidden_table, n_output=n_output, flags=flags,
        peep_mult=peep_mult, peep_shift=peep_shift, peep_rows=peep_rows, ln_mult=ln_mult, ln_shift=ln_shift, ln_guard=ln_guard,
        proj_mult=proj_mult, proj_shift=proj_shift, proj_zp=h_zp, proj_clip=quantized_proj_clip,
    )
    n_rows = n_steps * n_batch
    # In place: row k of the output is written after row k of the input is read, and it ends before
    # input row k + 1 starts when a row of outputs is no longer than a row of inputs.
    inplace = [(0, 0)] if n_output <= n_input else []
    macs = n_rows * (4 * n_cell * (n_input + n_output) + (n_output * n_cell if projection else 0))
    parts = [name for bit, name in ((1, "CIFG"), (2, "peephole"), (4, "layer norm"), (8, "projection")) if flags & bit]
    note = (("doubled, fast rq" if fast else "generic rq") + f", {n_steps} steps x {n_batch} batch"
            + (", " + ", ".join(parts) if parts else ""))
    # The states keep their values between invokes (the planner's state region), as LiteRT keeps
    # variable tensors: the kernel starts from them and leaves the last step's hidden and cell state.
    return KernelCall(op=op, template="lstm.c.j2", header="tinyengine/te_lstm.h", inputs=[x, h_state, c_state],
                      outputs=[y], params=params, consts=consts,
                      scratch_bytes=lstm_scratch_bytes(n_cell, in_cols, rec_cols, projection),
                      inplace=inplace, macs=macs, note=note)


def lstm_scratch_bytes(n_cell: int, in_cols: int, rec_cols: int, projection: bool = False) -> int:
    """te_lstm_s8_scratch_bytes: the widened input and hidden rows, one row's pre-activations, the
    hidden values before a projection."""
    return 2 * (in_cols + rec_cols + 4 * n_cell) + (-(-n_cell // 4) * 4 if projection else 0)
