"""Reductions (MEAN, SUM, REDUCE_MAX/MIN/PROD/ANY/ALL) over any set of axes, ARG_MAX / ARG_MIN,
CUMSUM, in the types LiteRT's reference supports for each.

LiteRT (tflite/kernels/reduce.cc, kReference):
- MEAN int8/uint8/int16 and SUM int8/uint8 both run reference_ops::QuantizedMeanOrSum:
    Prepare: QuantizeMultiplier((double)input_scale / (double)output_scale) -> (multiplier, shift)
    MEAN:    s = min(floor(log2(count)), 32, 31 + shift)
             multiplier = (int32)(((int64)multiplier << s) / count); shift -= s
    both:    out = clamp(MultiplyByQuantizedMultiplier((int32)(sum - zp_in * count), multiplier, shift)
                         + zp_out)
  (SUM keeps the unfolded multiplier, which may exceed 1: a positive shift). The count-dependent
  folding is done here, once. int16 needs zero points 0. The reference SUM passes the tensor
  data as uint8 whatever its type: int8 SUM is reproduced that way (bytes as 0..255, output
  clamped to 0..255); int16 SUM reads half its input as bytes and leaves half its output
  unwritten, so it is refused.
- MEAN float32/int32/int64: reference_ops::Mean, a sum in float / int64 divided by the count.
- SUM (unquantized), REDUCE_MAX/MIN/PROD/ANY/ALL: reference_ops::ReduceGeneric, or ReduceAllDims
  when every axis is reduced (then the first element starts the reduction); 8/16-bit MAX/MIN need
  the output's scale and zero point to equal the input's (the values are copied).
- ARG_MAX / ARG_MIN (arg_min_max.cc): first index of the extreme value; float compares skip NaN.
- CUMSUM (cumsum.cc): int32, int64, float32; exclusive / reverse.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from .. import quant as q
from ..ir import DTYPE_BYTES, NUMPY_DTYPES, Graph, Op, Tensor
from .base import KernelCall, LoweringError, folder, register, require, require_quant
from .elementwise import c_array

MAX_DIMS = 6  # TE_REDUCE_MAX_DIMS
SUFFIX = {"int8": "s8", "uint8": "s8", "int16": "s16", "int32": "s32", "int64": "s64", "float32": "f32",
          "bool": "b"}


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


def _reduce_geometry(op: Op) -> tuple[Tensor, Tensor, list[int], int, dict]:
    """(input, output, resolved axes, count, walk params) with the shape checks of Prepare."""
    x, axis = op.input(0), op.input(1)
    y = op.outputs[0]
    require(y.dtype == x.dtype, op, f"output type {y.dtype} differs from the input's {x.dtype}")
    require(axis is not None and axis.is_const and axis.dtype == "int32", op,
            "the axis tensor must be a constant int32 tensor")
    assert axis is not None and axis.data is not None
    rank = len(x.shape)
    require(rank >= 1, op, "scalar input is not supported")
    require(all(int(d) > 0 for d in x.shape), op, f"empty input shape {x.shape} is not supported")
    axes = resolve_axes(op, np.asarray(axis.data), rank)
    keep_dims = bool(op.options.get("keep_dims", False))
    if keep_dims:
        want = tuple(1 if i in axes else int(d) for i, d in enumerate(x.shape))
    else:
        want = tuple(int(d) for i, d in enumerate(x.shape) if i not in axes)
    require(tuple(int(d) for d in y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    count = 1
    for a in axes:
        count *= int(x.shape[a])
    kept, red = split_dims(tuple(int(d) for d in x.shape), axes)
    require(len(kept) <= MAX_DIMS and len(red) <= MAX_DIMS, op,
            f"needs {len(kept)} kept and {len(red)} reduced loop dimensions, at most {MAX_DIMS} each")
    params = dict(
        keep_ndim=len(kept), keep_shape=c_array([k[0] for k in kept]), keep_stride=c_array([k[1] for k in kept]),
        red_ndim=len(red), red_shape=c_array([r[0] for r in red]), red_stride=c_array([r[1] for r in red]),
        count=count, first_init=int(len(axes) == rank),
    )
    return x, y, axes, count, params


def _call(op: Op, x: Tensor, y: Tensor, kernel: str, params: dict, axes: list[int], ctype: str = "") -> KernelCall:
    params = dict(params, kernel=kernel, ctype=ctype or x.ctype)
    return KernelCall(op=op, template="reduce.c.j2", header="tinyengine/te_reduce.h", inputs=[x], outputs=[y],
                      params=params, macs=x.size, note=f"axes {axes}")


QUANTIZED = ("int8", "uint8", "int16")


def _quantized_mean_or_sum(op: Op, graph: Graph, mean: bool) -> KernelCall:
    x, y, axes, count, params = _reduce_geometry(op)
    require_quant(op, x, y)
    assert x.quant is not None and y.quant is not None
    require(not x.quant.per_channel and not y.quant.per_channel, op, "input and output must be per-tensor quantized")
    if x.dtype == "int16":
        require(x.quant.zp == 0 and y.quant.zp == 0, op, "int16 needs zero points 0 (the reference requires it)")
    if mean:
        mult, shift = mean_multiplier(x.quant.s, y.quant.s, count)
    else:
        mult, shift = q.quantize_multiplier(float(np.float32(x.quant.s)) / float(np.float32(y.quant.s)))
    params.update(input_zero_point=x.quant.zp, output_zero_point=y.quant.zp, multiplier=mult, shift=shift)
    if not mean and x.dtype == "int8" and not op.context.legacy_uint8:
        # LiteRT's reference SUM hands the int8 bytes to QuantizedMeanOrSum<uint8_t>: each byte
        # counts as 0..255 (zero points as they are) and the result is clamped to 0..255.
        return _call(op, x, y, "te_mean_or_sum_u8", params, axes, ctype="uint8_t")
    return _call(op, x, y, f"te_mean_or_sum_{SUFFIX[x.dtype]}", params, axes)


@register("MEAN", dtypes=("int8", "uint8", "int16", "int32", "int64", "float32"))
def lower_mean(op: Op, graph: Graph) -> KernelCall:
    x = op.input(0)
    if x.dtype in ("int8", "int16"):
        return _quantized_mean_or_sum(op, graph, mean=True)
    x, y, axes, _, params = _reduce_geometry(op)
    return _call(op, x, y, f"te_mean_{SUFFIX[x.dtype]}", params, axes)


@register("SUM", dtypes=("int8", "uint8", "int32", "int64", "float32"), note="int8 as LiteRT's reference: bytes read as uint8")
def lower_sum(op: Op, graph: Graph) -> KernelCall:
    x = op.input(0)
    if x.dtype == "int8":
        return _quantized_mean_or_sum(op, graph, mean=False)
    x, y, axes, _, params = _reduce_geometry(op)
    return _call(op, x, y, f"te_reduce_sum_{SUFFIX[x.dtype]}", params, axes)


@register("REDUCE_MAX", "REDUCE_MIN", dtypes=("int8", "uint8", "int16", "int32", "int64", "float32", "bool"))
def lower_reduce_max_min(op: Op, graph: Graph) -> KernelCall:
    x, y, axes, _, params = _reduce_geometry(op)
    if x.dtype in ("int8", "int16") and x.quant is not None and y.quant is not None:
        require(x.quant.zp == y.quant.zp and np.float32(x.quant.s) == np.float32(y.quant.s), op,
                "the output must have the input's scale and zero point (the reference requires it)")
    which = "max" if op.kind == "REDUCE_MAX" else "min"
    return _call(op, x, y, f"te_reduce_{which}_{SUFFIX[x.dtype]}", params, axes)


@register("REDUCE_PROD", dtypes=("int32", "int64", "float32"), note="unquantized types")
def lower_reduce_prod(op: Op, graph: Graph) -> KernelCall:
    x, y, axes, _, params = _reduce_geometry(op)
    return _call(op, x, y, f"te_reduce_prod_{SUFFIX[x.dtype]}", params, axes)


@register("REDUCE_ANY", "REDUCE_ALL", dtypes=("bool",))
def lower_reduce_any_all(op: Op, graph: Graph) -> KernelCall:
    x, y, axes, _, params = _reduce_geometry(op)
    return _call(op, x, y, f"te_reduce_{'any' if op.kind == 'REDUCE_ANY' else 'all'}_b", params, axes)


REDUCERS: dict[str, Callable[..., Any]] = {"SUM": np.sum, "REDUCE_MAX": np.max, "REDUCE_MIN": np.min, "REDUCE_PROD": np.prod,
            "REDUCE_ANY": np.any, "REDUCE_ALL": np.all}


@folder(*REDUCERS)
def fold_reduce(op: Op) -> Optional[list[np.ndarray]]:
    """Integer and bool reductions of constants (shape arithmetic); float and quantized ones are
    left to the kernels (their rounding order and requantization)."""
    x, axis = op.input(0), op.input(1)
    assert x is not None and axis is not None and x.data is not None and axis.data is not None
    if x.dtype not in ("int32", "int64", "bool") or x.quant is not None:
        return None
    try:
        axes = resolve_axes(op, np.asarray(axis.data), len(x.shape))
    except LoweringError:
        return None
    with np.errstate(over="ignore"):
        out = REDUCERS[op.kind](np.asarray(x.data), axis=tuple(axes), keepdims=bool(op.options.get("keep_dims")))
    return [np.asarray(out).astype(NUMPY_DTYPES[x.dtype])]


# ------------------------------------------------------------------------------ ARG_MAX / ARG_MIN

@register("ARG_MAX", "ARG_MIN", dtypes=("int8", "uint8", "int32", "float32", "bool"), note="int32 or int64 output")
def lower_arg(op: Op, graph: Graph) -> KernelCall:
    x, axis = op.input(0), op.input(1)
    y = op.outputs[0]
    require(axis is not None and axis.is_const and axis.size == 1 and axis.dtype in ("int32", "int64"), op,
            "the axis must be a constant int32 or int64 scalar")
    assert axis is not None and axis.data is not None
    require(y.dtype in ("int32", "int64"), op, f"the output must be int32 or int64, got {y.dtype}")
    rank = len(x.shape)
    require(rank >= 1 and all(int(d) > 0 for d in x.shape), op, f"input shape {x.shape} is not supported")
    a = int(np.asarray(axis.data).reshape(-1)[0])
    a = a + rank if a < 0 else a
    require(0 <= a < rank, op, f"axis {a} is out of range for rank {rank}")
    want = tuple(int(d) for i, d in enumerate(x.shape) if i != a)
    require(tuple(int(d) for d in y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    which = "max" if op.kind == "ARG_MAX" else "min"
    params = dict(outer=int(np.prod(x.shape[:a], dtype=np.int64)), axis_size=int(x.shape[a]),
                  inner=int(np.prod(x.shape[a + 1:], dtype=np.int64)), index_size=DTYPE_BYTES[y.dtype],
                  kernel=f"te_arg_{which}_{SUFFIX[x.dtype]}")
    return KernelCall(op=op, template="arg_min_max.c.j2", header="tinyengine/te_reduce.h", inputs=[x], outputs=[y],
                      params=params, macs=x.size, note=f"axis {a}, {y.dtype}")


# ----------------------------------------------------------------------------------------- CUMSUM

@register("CUMSUM", dtypes=("int32", "int64", "float32"), note="exclusive, reverse")
def lower_cumsum(op: Op, graph: Graph) -> KernelCall:
    x, axis = op.input(0), op.input(1)
    y = op.outputs[0]
    require(axis is not None and axis.is_const and axis.size == 1 and axis.dtype == "int32", op,
            "the axis must be a constant int32 scalar")
    assert axis is not None and axis.data is not None
    require(y.dtype == x.dtype and tuple(y.shape) == tuple(x.shape), op, "the output must match the input")
    rank = len(x.shape)
    require(rank >= 1 and all(int(d) > 0 for d in x.shape), op, f"input shape {x.shape} is not supported")
    a = int(np.asarray(axis.data).reshape(-1)[0])
    a = a + rank if a < 0 else a
    require(0 <= a < rank, op, f"axis {a} is out of range for rank {rank}")
    params = dict(outer=int(np.prod(x.shape[:a], dtype=np.int64)), depth=int(x.shape[a]),
                  inner=int(np.prod(x.shape[a + 1:], dtype=np.int64)),
                  exclusive=int(bool(op.options.get("exclusive"))), reverse=int(bool(op.options.get("reverse"))),
                  kernel=f"te_cumsum_{SUFFIX[x.dtype]}")
    flags = [f for f in ("exclusive", "reverse") if op.options.get(f)]
    return KernelCall(op=op, template="cumsum.c.j2", header="tinyengine/te_reduce.h", inputs=[x], outputs=[y],
                      params=params, macs=x.size, note=", ".join([f"axis {a}"] + flags))
