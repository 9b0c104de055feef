"""FULLY_CONNECTED lowering.

Two things are decided here, at generation time, for the kernels in src/te_fully_connected.c:

- Weight layout. Symmetric (folded-bias) layers get TE_FC_LAYOUT_QUADS when every weight pair fits:
  rows in groups of four, two rows of a pair packed per tap as one int16 h = 256 * w_odd + w_even,
  so one SMLAD does four multiply-accumulates (the exact layout is documented in
  include/tinyengine/te_fully_connected.h). Same bytes as the int8 weights: flash does not grow.
  Two flags go with it when the odd rows' sums provably stay within +-2^23: no 127-step segments
  (TE_FC_QUADS_UNSEGMENTED), and the bias stored as the pair sums' starting values
  (TE_FC_QUADS_PAIR_BIAS; Helium builds keep the plain bias, the same size); else the longest
  segment that keeps them there (TE_FC_QUADS_SEGMENT).
- Requantization. LiteRT's reference rounds once in double: round((double)acc * scale). When a
  per-layer integer form (acc * mult >> 32 + add) >> shift gives the same clamped output for every
  accumulator the layer can produce (checked exhaustively here over the accumulators that are not
  saturated either way; both forms are monotonic in acc), the kernel uses it and needs no double
  scale table.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .. import quant as q
from ..ir import Graph, Op
from .base import ConstArray, KernelCall, i32, register, require, require_quant

LAYOUT_ROWS, LAYOUT_QUADS = 0, 1
QUADS_UNSEGMENTED = 2  # TE_FC_QUADS_UNSEGMENTED
QUADS_PAIR_BIAS = 4  # TE_FC_QUADS_PAIR_BIAS
QUADS_SEGMENT_SHIFT = 8  # TE_FC_QUADS_SEGMENT(steps) = steps << 8
# Exhaustive check budget (accumulator values) for the integer requantization.
_RQ_CHECK_LIMIT = 1 << 26


def quad_layout(w: np.ndarray) -> Optional[np.ndarray]:
    """The TE_FC_LAYOUT_QUADS byte image of an (out, depth) int8 weight matrix, or None when a pair
    of rows cannot be packed (256 * w_odd + w_even outside int16: w_odd == -128 with w_even < 0)."""
    out_depth, depth = w.shape
    quads, d4 = out_depth // 4, depth & ~3
    if quads == 0 or d4 == 0:
        return None
    # h[quad, pair, col] = 256 * w[4q + 2p + 1, col] + w[4q + 2p, col]
    rows = w.astype(np.int32)[:quads * 4, :d4].reshape(quads, 2, 2, d4)
    h = 256 * rows[:, :, 1, :] + rows[:, :, 0, :]
    if h.min() < -32768 or h.max() > 32767:
        return None
    # Per step s: words E(pair 0), O(pair 0), E(pair 1), O(pair 1); E = (h[4s], h[4s+2]), O = (h[4s+1], h[4s+3]).
    h = h.reshape(quads, 2, d4 // 4, 2, 2)            # quad, pair, step, t>>1, t&1  (col = 4s + 2*(t>>1) + (t&1))
    h = h.transpose(0, 2, 1, 4, 3)                     # quad, step, pair, t&1 (E/O word), t>>1 (halfword)
    body_bytes = h.astype("<i2").reshape(quads, -1).view(np.int8)  # quad, 4 * d4 bytes
    out = np.empty(out_depth * depth, np.int8)
    tail = w[:quads * 4, d4:].reshape(quads, -1)       # the last depth % 4 columns of the four rows, row-major
    out[:quads * 4 * depth] = np.concatenate([body_bytes, tail], axis=1).reshape(-1)
    out[quads * 4 * depth:] = w[quads * 4:].reshape(-1)
    return out


def _round_half_away(p: np.ndarray) -> np.ndarray:
    t = np.trunc(p)
    f = p - t  # exact
    return t + (f >= 0.5) - (f <= -0.5)


def integer_requant(eff: float, acc_lo: int, acc_hi: int, output_offset: int, act_min: int,
                    act_max: int) -> Optional[tuple[int, int, int]]:
    """(mult, add, shift) with clamp(((acc * mult >> 32) + add) >> shift) equal to
    clamp(round((double)acc * eff) + output_offset) for every acc in [acc_lo, acc_hi], or None."""
    if not (0.0 < eff < 0.25) or acc_lo < -(2**31) or acc_hi >= 2**31:
        return None
    if max(-acc_lo, acc_hi) * eff >= 2.0**30:  # keep the reference's double far from int32 overflow
        return None
    # Outside [a, b] both forms saturate (each is monotonic): check only accumulators in between.
    a = max(acc_lo, math.floor((act_min - output_offset - 1) / eff) - 2)
    b = min(acc_hi, math.ceil((act_max - output_offset + 1) / eff) + 2)
    if b < a:
        a = b = acc_lo
    if b - a + 1 > _RQ_CHECK_LIMIT:
        return None
    _, e = math.frexp(eff)  # eff in [2^(e-1), 2^e)
    s = 31 - e  # mult = eff * 2^s in [2^30, 2^31)
    base = int(round(math.ldexp(eff, s)))
    if base >= 2**31:
        s -= 1
        base = int(round(math.ldexp(eff, s)))
    shift = s - 32
    if not 1 <= shift <= 30:
        return None
    add = (1 << (shift - 1)) + (output_offset << shift)
    if not -(2**31) <= add < 2**31:
        return None
    accs = np.arange(a, b + 1, dtype=np.int64)
    ref = np.clip(_round_half_away(accs.astype(np.float64) * eff) + output_offset, act_min, act_max).astype(np.int64)
    for mult in (base, base + 1, base - 1, base + 2, base - 2):
        if not 2**29 <= mult < 2**31:
            continue
        # hi + add must stay in int32 for every accumulator the layer can produce.
        if not (-(2**31) <= ((acc_lo * mult) >> 32) + add and ((acc_hi * mult) >> 32) + add < 2**31):
            continue
        got = np.clip((((accs * mult) >> 32) + add) >> shift, act_min, act_max)
        if np.array_equal(got, ref):
            return mult, add, shift
    return None


def quads_unsegmented(w: np.ndarray) -> int:
    """QUADS_UNSEGMENTED when every odd row of the quads keeps 128 * sum(|w|) below 2^23 over the packed
    columns: its pair sums (256 * odd row + even row, int32) then never need taking out early."""
    quads, d4 = w.shape[0] // 4, w.shape[1] & ~3
    odd = np.abs(w[1:quads * 4:2, :d4].astype(np.int64)).sum(axis=1)
    return QUADS_UNSEGMENTED if quads and int(odd.max()) * 128 < (1 << 23) else 0


def quads_segment(w: np.ndarray) -> int:
    """TE_FC_QUADS_SEGMENT(m) for a layer whose odd rows need segments (no QUADS_UNSEGMENTED): the
    longest m > 127 steps such that every odd row keeps 128 * sum(|w|) below 2^23 within each
    segment of m steps from column 0; 0 when there is none (the kernel's 127)."""
    quads, d4 = w.shape[0] // 4, w.shape[1] & ~3
    steps = d4 // 4
    if quads == 0 or steps <= 128 or quads_unsegmented(w):
        return 0
    per_step = np.abs(w[1:quads * 4:2, :d4].astype(np.int64)).reshape(-1, steps, 4).sum(axis=2)
    cum = np.concatenate([np.zeros((per_step.shape[0], 1), np.int64), per_step.cumsum(axis=1)], axis=1)
    for m in range(steps - 1, 127, -1):
        starts = np.arange(0, steps, m)
        if int((cum[:, np.minimum(starts + m, steps)] - cum[:, starts]).max()) * 128 < 1 << 23:
            return m << QUADS_SEGMENT_SHIFT
    return 0


def pair_bias(w: np.ndarray, bias: np.ndarray) -> Optional[np.ndarray]:
    """The TE_FC_QUADS_PAIR_BIAS form of a quad-layout layer's int32 (folded) bias: per quad
    b0, b0 + 256 * b1, b2, b2 + 256 * b3 (int32 wrap), the raw pair sums' starting values; None unless
    every odd row keeps |b| + 128 * sum(|w|) below 2^23 over the packed columns (then the DSP kernel
    takes b1 plus the odd row's terms out of one int32 exactly)."""
    quads, d4 = w.shape[0] // 4, w.shape[1] & ~3
    b = bias.astype(np.int64)
    odd = np.arange(1, quads * 4, 2)
    if quads == 0 or int((np.abs(w[odd, :d4].astype(np.int64)).sum(axis=1) * 128 + np.abs(b[odd])).max()) >= 1 << 23:
        return None
    out = b.copy()
    out[odd] = b[odd - 1] + 256 * b[odd]
    return q.wrap_int32(out).astype(np.int32)


@register("FULLY_CONNECTED", simd=("dsp", "mve"))
def lower_fully_connected(op: Op, graph: Graph) -> KernelCall:
    x, w = op.input(0), op.input(1)
    bias = op.inputs[2] if len(op.inputs) > 2 else None
    y = op.outputs[0]
    require_quant(op, x, w, y)
    require(x.dtype == "int8" and w.dtype == "int8" and y.dtype == "int8", op,
            f"needs int8 input/weights/output, got {x.dtype}/{w.dtype}/{y.dtype}")
    require(w.is_const and len(w.shape) == 2, op, "weights must be a constant 2-D tensor")
    out_depth, accum = w.shape
    require(x.size % accum == 0, op, f"input size {x.size} is not a multiple of {accum}")
    batches = x.size // accum
    require(y.size == batches * out_depth, op, "output size does not match batches x units")
    per_channel = w.q.per_channel
    # The reference rescales in double: input_scale * filter_scale / output_scale, each widened from float32.
    effs, scales = [], []
    for s in (w.q.scale if per_channel else w.q.scale[:1]):
        eff = float(np.float32(x.q.s)) * float(np.float32(s)) / float(np.float32(y.q.s))
        mant, exp = q.fp64_scale_parts(eff)
        effs.append(eff)
        scales.append(f"{{{mant}ull, {exp}}}")
    act_min, act_max = q.activation_range(str(op.options.get("fused_activation_function", "NONE")), "int8",
                                          y.q.s, y.q.zp)
    params = dict(batches=batches, accum_depth=accum, out_depth=out_depth, input_offset=-x.q.zp,
                  filter_offset=0 if per_channel else -w.q.zp, output_offset=y.q.zp,
                  act_min=act_min, act_max=act_max, per_channel=int(per_channel))
    weights = w.const_data.reshape(out_depth, accum)
    bias_values = None
    if bias is not None:
        require(bias.is_const and bias.dtype == "int32", op, "bias must be a constant int32 tensor")
        bias_values = bias.const_data.reshape(-1).astype(np.int64)
    folded = params["filter_offset"] == 0
    consts: dict[str, ConstArray] = {}
    if folded:
        # input_offset * sum(w) joins the bias (int32 wrap, as the kernel's own sum), leaving an int8 dot product.
        wsum = weights.astype(np.int64).sum(axis=1)
        total = (bias_values if bias_values is not None else 0) + params["input_offset"] * wsum
        consts["bias"] = i32(q.wrap_int32(total).astype(np.int32))
    elif bias_values is not None:
        consts["bias"] = i32(bias_values)
    params["folded_bias"] = int(folded)

    packed = quad_layout(weights) if folded else None
    params["weight_layout"] = (LAYOUT_ROWS if packed is None else
                               LAYOUT_QUADS | quads_unsegmented(weights) | quads_segment(weights))
    paired = pair_bias(weights, consts["bias"].data) if packed is not None else None
    if paired is not None:
        # Helium builds read the rows and the plain bias (te_fully_connected.h; the same bytes).
        consts["bias"] = ConstArray("int32_t", paired, mve_data=consts["bias"].data)
        params["weight_layout"] |= QUADS_PAIR_BIAS
    # Helium builds read the rows as the model stores them (te_fully_connected.h; the same bytes).
    consts["weights"] = ConstArray("int8_t", packed if packed is not None else w.data,
                                   mve_data=w.const_data.reshape(-1) if packed is not None else None)

    # The reference accumulator bias + sum((w + filter_offset) * (x + input_offset)) over every int8 input.
    coef = weights.astype(np.int64) + params["filter_offset"]
    lo_x, hi_x = -128 + params["input_offset"], 127 + params["input_offset"]
    b = bias_values if bias_values is not None else np.zeros(out_depth, np.int64)
    acc_lo = b + np.minimum(coef * lo_x, coef * hi_x).sum(axis=1)
    acc_hi = b + np.maximum(coef * lo_x, coef * hi_x).sum(axis=1)
    rq = None
    if not per_channel:
        rq = integer_requant(effs[0], int(acc_lo.min()), int(acc_hi.max()), params["output_offset"],
                             act_min, act_max)
    if rq is not None:
        params.update(rq_mult=rq[0], rq_add=rq[1], rq_shift=rq[2])
    else:
        consts["scales"] = ConstArray("te_fp64_scale", scales, align=8)
    note = ("quads" if packed is not None else "rows") + (", int rq" if rq is not None else ", fp64 rq")
    return KernelCall(op=op, template="fully_connected.c.j2", header="tinyengine/te_fully_connected.h",
                      inputs=[x], outputs=[y], params=params, consts=consts,
                      macs=batches * out_depth * accum, note=note)
