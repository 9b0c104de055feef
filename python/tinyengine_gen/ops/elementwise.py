"""ADD lowering (int8, and legacy uint8 moved to int8 storage), with broadcasting.

The arithmetic is LiteRT's add.cc Prepare (general 8-bit path) + reference_integer_ops::AddFunc:
  left_shift = 20
  twice_max_input_scale = 2 * max(s1, s2)                    (float32, then double)
  real_input{1,2}_multiplier = s{1,2} / twice_max_input_scale  (double)
  real_output_multiplier = twice_max_input_scale / ((1 << 20) * s_out)  ((1<<20)*s_out in float32)
each through QuantizeMultiplierSmallerThanOneExp. The uint8 kernel (reference_ops::Add /
BroadcastAdd6DSlow<uint8_t>) does the same integer arithmetic on offsets, so legacy uint8
models need nothing special once their values and zero points are shifted by -128.
"""
from __future__ import annotations

import numpy as np

from .. import quant as q
from ..ir import Graph, Op
from .base import KernelCall, fused_activation, register, require, require_quant

MAX_DIMS = 6  # TE_ELEMENTWISE_MAX_DIMS
ADD_LEFT_SHIFT = 20


def broadcast_shape(op: Op, a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    rank = max(len(a), len(b))
    ea, eb = (1,) * (rank - len(a)) + tuple(a), (1,) * (rank - len(b)) + tuple(b)
    out = []
    for da, db in zip(ea, eb):
        require(da == db or da == 1 or db == 1, op, f"shapes {a} and {b} do not broadcast")
        out.append(db if da == 1 else da)
    return tuple(out)


def broadcast_walk(a: tuple[int, ...], b: tuple[int, ...], out: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """(extent, stride_a, stride_b) per dimension, outermost first, with size-1 dimensions dropped
    and adjacent dimensions merged wherever both inputs allow it."""
    rank = len(out)
    ea, eb = (1,) * (rank - len(a)) + tuple(a), (1,) * (rank - len(b)) + tuple(b)
    dims: list[tuple[int, int, int]] = []
    acc_a = acc_b = 1
    for i in reversed(range(rank)):  # innermost first
        n = int(out[i])
        sa = 0 if ea[i] == 1 else acc_a
        sb = 0 if eb[i] == 1 else acc_b
        acc_a *= int(ea[i])
        acc_b *= int(eb[i])
        if n == 1:
            continue
        if dims:
            inner_n, inner_a, inner_b = dims[-1]
            if sa == inner_a * inner_n and sb == inner_b * inner_n:
                dims[-1] = (inner_n * n, inner_a, inner_b)
                continue
        dims.append((n, sa, sb))
    if not dims:
        dims = [(1, 1, 1)]
    return list(reversed(dims))


def _dies_at(graph: Graph, op: Op, t) -> bool:
    """True when no later op reads t's buffer and it is not a graph output."""
    root = t.root
    if any(o.root is root for o in graph.outputs):
        return False
    later = graph.ops[graph.ops.index(op) + 1:] if op in graph.ops else []
    return not any(u is not None and u.root is root for o in later for u in o.inputs)


def c_array(values: list[int], length: int = MAX_DIMS) -> str:
    vals = list(values) + [0] * (length - len(values))
    return "{" + ", ".join(str(int(v)) for v in vals) + "}"


def add_multipliers(s1: float, s2: float, s_out: float, op: Op) -> dict[str, int]:
    f1, f2, fo = np.float32(s1), np.float32(s2), np.float32(s_out)
    twice_max = float(np.float32(2) * max(f1, f2))  # int * float is float in C++
    real1 = float(f1) / twice_max
    real2 = float(f2) / twice_max
    real_out = twice_max / float(np.float32(1 << ADD_LEFT_SHIFT) * fo)
    for name, real in (("input1", real1), ("input2", real2), ("output", real_out)):
        require(0.0 < real < 1.0, op,
                f"{name} rescale factor {real!r} is outside (0, 1): the reference ADD rejects these scales")
    m1, sh1 = q.quantize_multiplier(real1)
    m2, sh2 = q.quantize_multiplier(real2)
    mo, sho = q.quantize_multiplier(real_out)
    for sh in (sh1, sh2, sho):
        require(sh <= 0, op, "multiplier shift must be <= 0")
    return dict(input1_multiplier=m1, input1_shift=sh1, input2_multiplier=m2, input2_shift=sh2,
                output_multiplier=mo, output_shift=sho)


@register("ADD", simd=("mve",))
def lower_add(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) == 2 and all(t is not None for t in op.inputs), op, "needs two inputs")
    a, b = op.inputs[0], op.inputs[1]
    y = op.outputs[0]
    require(a.dtype == "int8" and b.dtype == "int8" and y.dtype == "int8", op,
            f"needs int8 inputs/output, got {a.dtype}/{b.dtype}/{y.dtype}")
    require_quant(op, a, b, y)
    for t in (a, b, y):
        require(not t.quant.per_channel, op, f"tensor '{t.name}' must be per-tensor quantized")
    out_shape = broadcast_shape(op, a.shape, b.shape)
    require(tuple(y.shape) == out_shape, op, f"output shape {y.shape} does not match broadcast shape {out_shape}")
    walk = broadcast_walk(a.shape, b.shape, out_shape)
    require(len(walk) <= MAX_DIMS, op, f"broadcast needs {len(walk)} loop dimensions, at most {MAX_DIMS} supported")
    act_min, act_max = q.activation_range(fused_activation(op), "int8", y.quant.s, y.quant.zp)
    params = dict(input1_offset=-a.quant.zp, input2_offset=-b.quant.zp, output_offset=y.quant.zp,
                  left_shift=ADD_LEFT_SHIFT)
    params.update(add_multipliers(a.quant.s, b.quant.s, y.quant.s, op))
    params.update(act_min=act_min, act_max=act_max)
    shape = dict(ndim=len(walk), shape=c_array([w[0] for w in walk]),
                 stride1=c_array([w[1] for w in walk]), stride2=c_array([w[2] for w in walk]))
    # In place: only over an input that has the output's own shape (same element at each index).
    # One candidate only, the first input whose buffer dies here: the planner (as of this
    # writing) would merge both inputs into the output's buffer if offered both.
    eligible = [i for i, t in enumerate((a, b)) if t.size == y.size and not t.root.is_const]
    dying = [i for i in eligible if _dies_at(graph, op, op.inputs[i])]
    inplace = [(0, dying[0])] if dying else []
    broadcast = a.size != y.size or b.size != y.size
    return KernelCall(op=op, template="add.c.j2", header="tinyengine/te_elementwise.h", inputs=[a, b],
                      outputs=[y], params=dict(add=params, shape=shape), inplace=inplace, macs=y.size,
                      note="broadcast" if broadcast else "")
