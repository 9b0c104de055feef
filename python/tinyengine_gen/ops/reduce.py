"""MEAN lowering (int8, and legacy uint8 moved to int8 storage), over any set of axes.

LiteRT's kReference MEAN for int8/uint8 is reduce.cc EvalMean -> EvalQuantizedMean ->
reference_ops::QuantizedMeanOrSum(compute_sum=false) for every axis set (the special 4-D
H,W path exists only in the optimized kernel). Its arithmetic:
  Prepare: QuantizeMultiplier((double)input_scale / (double)output_scale) -> (multiplier, shift)
  Eval:    s = min(floor(log2(count)), 32, 31 + shift)
           multiplier = (int32)(((int64)multiplier << s) / count); shift -= s
           out = clamp(MultiplyByQuantizedMultiplier((int32)(sum - zp_in * count), multiplier, shift)
                       + zp_out, -128, 127)
The count-dependent folding is done here, once. The uint8 instantiation is the same template,
so shifting values and zero points by -128 changes nothing.
"""
from __future__ import annotations

import numpy as np

from .. import quant as q
from ..ir import Graph, Op
from .base import KernelCall, register, require, require_quant
from .elementwise import c_array

MAX_DIMS = 6  # TE_REDUCE_MAX_DIMS


def resolve_axes(op: Op, axis_values: np.ndarray, rank: int) -> list[int]:
    """reference_ops::ResolveAxis: negative axes count from the end, duplicates dropped."""
    out: list[int] = []
    for a in axis_values.reshape(-1).tolist():
        a = int(a)
        cur = a + rank if a < 0 else a
        require(0 <= cur < rank, op, f"axis {a} is out of range for a rank-{rank} input")
        if cur not in out:
            out.append(cur)
    return out


def split_dims(shape: tuple[int, ...], axes: list[int]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(kept, reduced) dimensions as (extent, input stride), outermost first, size-1 dims dropped
    and neighbours of the same kind merged."""
    strides = [1] * len(shape)
    for i in reversed(range(len(shape) - 1)):
        strides[i] = strides[i + 1] * int(shape[i + 1])
    groups: list[list] = []  # [kind, extent, stride]
    for i, n in enumerate(shape):
        if int(n) == 1:
            continue
        kind = "r" if i in axes else "k"
        if groups and groups[-1][0] == kind and groups[-1][2] == strides[i] * int(n):
            groups[-1][1] *= int(n)
            groups[-1][2] = strides[i]
        else:
            groups.append([kind, int(n), strides[i]])
    kept = [(g[1], g[2]) for g in groups if g[0] == "k"]
    red = [(g[1], g[2]) for g in groups if g[0] == "r"] or [(1, 1)]
    return kept, red


def mean_multiplier(input_scale: float, output_scale: float, count: int) -> tuple[int, int]:
    real = float(np.float32(input_scale)) / float(np.float32(output_scale))
    mult, shift = q.quantize_multiplier(real)
    s = min(count.bit_length() - 1, 32, 31 + shift)
    mult = int((mult << s) // count)  # both positive: floor == C++ truncation
    return mult, shift - s


@register("MEAN")
def lower_mean(op: Op, graph: Graph) -> KernelCall:
    x, axis = op.inputs[0], op.inputs[1]
    y = op.outputs[0]
    require(x.dtype == "int8" and y.dtype == "int8", op, f"needs int8 input/output, got {x.dtype}/{y.dtype}")
    require_quant(op, x, y)
    require(not x.quant.per_channel and not y.quant.per_channel, op, "input and output must be per-tensor quantized")
    require(axis is not None and axis.is_const and axis.dtype == "int32", op,
            "the axis tensor must be a constant int32 tensor")
    rank = len(x.shape)
    require(rank >= 1, op, "scalar input is not supported")
    require(all(int(d) > 0 for d in x.shape), op, f"empty input shape {x.shape} is not supported")
    axes = resolve_axes(op, axis.data, rank)
    keep_dims = bool(op.options.get("keep_dims", False))
    if keep_dims:
        want = tuple(1 if i in axes else int(d) for i, d in enumerate(x.shape))
    else:
        want = tuple(int(d) for i, d in enumerate(x.shape) if i not in axes)
    require(int(np.prod(want, dtype=np.int64)) == y.size and tuple(y.shape) == want, op,
            f"output shape {y.shape} does not match {want}")
    count = 1
    for a in axes:
        count *= int(x.shape[a])
    require(count < (1 << 23), op, f"{count} elements per output would overflow the int32 sum")
    kept, red = split_dims(tuple(int(d) for d in x.shape), axes)
    require(len(kept) <= MAX_DIMS and len(red) <= MAX_DIMS, op,
            f"needs {len(kept)} kept and {len(red)} reduced loop dimensions, at most {MAX_DIMS} each")
    mult, shift = mean_multiplier(x.quant.s, y.quant.s, count)
    params = dict(
        keep_ndim=len(kept), keep_shape=c_array([k[0] for k in kept]), keep_stride=c_array([k[1] for k in kept]),
        red_ndim=len(red), red_shape=c_array([r[0] for r in red]), red_stride=c_array([r[1] for r in red]),
        count=count, input_zero_point=x.quant.zp, output_zero_point=y.quant.zp, multiplier=mult, shift=shift,
    )
    return KernelCall(op=op, template="mean.c.j2", header="tinyengine/te_reduce.h", inputs=[x], outputs=[y],
                      params=params, macs=x.size, note=f"axes {axes}")
