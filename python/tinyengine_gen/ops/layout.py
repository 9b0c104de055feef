"""Data-movement lowerings: PAD / PADV2, CONCATENATION, RESIZE_NEAREST_NEIGHBOR, TRANSPOSE.

All of them move bytes unchanged, with two exceptions worked out here at generation time:
- RESIZE_NEAREST_NEIGHBOR picks its source rows/columns with float32 arithmetic
  (reference_ops::GetNearestNeighbor); the generator replays it with numpy float32 and emits
  the two index maps, so the kernel needs no float.
- CONCATENATION of legacy uint8 tensors requantizes inputs whose scale or zero point differ
  from the output's (reference_ops::ConcatenationWithScaling, float32 arithmetic); with 256
  possible input values that becomes one 256-byte table per such input. int8 CONCATENATION has
  no rescaling: LiteRT's Prepare rejects int8 inputs whose quantization differs from the output.
"""
from __future__ import annotations

import math

import numpy as np

from ..ir import Graph, Op, Tensor
from .base import ConstArray, KernelCall, i32, register, require
from .elementwise import c_array

MAX_DIMS = 6  # TE_LAYOUT_MAX_DIMS
PAD_MAX_RANK = 5  # reference_ops::PadKernelMaxDimensionCount()


def _require_8bit(op: Op, *tensors: Tensor) -> None:
    for t in tensors:
        require(t.dtype == "int8", op, f"tensor '{t.name}' is {t.dtype}; this kernel handles int8 (and legacy uint8)")


def _dims_ok(op: Op, t: Tensor) -> None:
    require(len(t.shape) >= 1 and all(int(d) > 0 for d in t.shape), op,
            f"tensor '{t.name}' has shape {t.shape}; empty or scalar tensors are not supported")


# ----------------------------------------------------------------------------------------- PAD

def pad_dims(shape: tuple[int, ...], pads: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(input extent, before, after) per dimension, outermost first; a dimension without padding is
    merged into its outer neighbour, size-1 dimensions without padding are dropped."""
    dims: list[tuple[int, int, int]] = []
    for n, (b, a) in zip(shape, pads):
        n = int(n)
        if b == 0 and a == 0:
            if n == 1:
                continue
            if dims:
                pn, pb, pa = dims[-1]
                dims[-1] = (pn * n, pb * n, pa * n)
                continue
        dims.append((n, b, a))
    return dims or [(1, 0, 0)]


def pad_value(op: Op, y: Tensor) -> int:
    """EvalInt: the output zero point, or PADV2's constant, which must share the output's quantization."""
    const = op.inputs[2] if op.kind == "PADV2" and len(op.inputs) > 2 else None
    if const is None:
        return y.quant.zp if y.quant is not None else 0
    require(const.is_const and const.size == 1, op, "the padding value must be a constant scalar")
    require(const.dtype == y.dtype, op, f"padding value type {const.dtype} differs from the output's {y.dtype}")
    if y.quant is not None:
        require(const.quant is not None and const.quant.zp == y.quant.zp
                and np.float32(const.quant.s) == np.float32(y.quant.s), op,
                "the padding value must have the output's scale and zero point (the reference requires it)")
    return int(const.data.reshape(-1)[0])


@register("PAD", "PADV2")
def lower_pad(op: Op, graph: Graph) -> KernelCall:
    x, paddings = op.inputs[0], op.inputs[1]
    y = op.outputs[0]
    _require_8bit(op, x, y)
    _dims_ok(op, x)
    rank = len(x.shape)
    require(rank <= PAD_MAX_RANK, op, f"rank {rank} input; the reference pads at most {PAD_MAX_RANK} dimensions")
    require(paddings is not None and paddings.is_const, op, "paddings must be a constant tensor")
    pv = np.asarray(paddings.data).astype(np.int64)
    require(pv.shape == (rank, 2), op, f"paddings shape {pv.shape} should be ({rank}, 2)")
    require(bool(np.all(pv >= 0)), op, "negative paddings are not supported (the reference rejects them)")
    pads = [(int(pv[i, 0]), int(pv[i, 1])) for i in range(rank)]
    want = tuple(int(d) + b + a for d, (b, a) in zip(x.shape, pads))
    require(tuple(y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    if x.quant is not None and y.quant is not None:
        require(x.quant.zp == y.quant.zp and np.float32(x.quant.s) == np.float32(y.quant.s), op,
                "input and output quantization differ: PAD copies bytes, so the converter never emits this")
    value = pad_value(op, y)
    require(-128 <= value <= 127, op, f"padding value {value} is outside int8")
    dims = pad_dims(tuple(int(d) for d in x.shape), pads)
    params = dict(ndim=len(dims), in_shape=c_array([d[0] for d in dims]),
                  pad_before=c_array([d[1] for d in dims]), pad_after=c_array([d[2] for d in dims]),
                  pad_value=value)
    no_padding = all(b == 0 and a == 0 for b, a in pads)
    return KernelCall(op=op, template="pad.c.j2", header="tinyengine/te_layout.h", inputs=[x], outputs=[y],
                      params=params, inplace=[(0, 0)] if no_padding else [],
                      note="copy" if no_padding else "")


# ------------------------------------------------------------------------------- CONCATENATION

def concat_lut(in_scale: float, in_zp: int, out_scale: float, out_zp: int) -> np.ndarray:
    """ConcatenationWithScaling for one uint8 input, for each of the 256 values, in float32:
    round(q * (s_in * (1 / s_out)) + (-zp_in * scale)) + zp_out, clamped to [0, 255].

    Values and zero points here are the int8-storage ones (uint8 - 128); the table is indexed
    by storage value + 128 (= the uint8 value) and holds the int8-storage result."""
    f32 = np.float32
    inverse = f32(1.0) / f32(out_scale)
    scale = f32(in_scale) * inverse
    zp_u, out_zp_u = in_zp + 128, out_zp + 128
    bias = f32(-zp_u) * scale
    u = np.arange(256, dtype=np.float32)
    v = (u * scale).astype(np.float32) + bias  # two float32 roundings (no fused multiply-add)
    v = v.astype(np.float32)
    r = np.where(v >= 0, np.floor(v.astype(np.float64) + 0.5), -np.floor(-v.astype(np.float64) + 0.5))
    out = np.clip(r.astype(np.int64) + out_zp_u, 0, 255) - 128
    return out.astype(np.int8)


@register("CONCATENATION")
def lower_concatenation(op: Op, graph: Graph) -> KernelCall:
    ins = list(op.inputs)
    y = op.outputs[0]
    require(len(ins) >= 1 and all(t is not None for t in ins), op, "needs at least one input")
    _require_8bit(op, y, *ins)
    for t in ins:
        _dims_ok(op, t)
    require(str(op.options.get("fused_activation_function", "NONE")) == "NONE", op,
            "a fused activation is not supported (the reference rejects it)")
    rank = len(y.shape)
    axis = int(op.options.get("axis", 0))
    axis = axis + rank if axis < 0 else axis
    require(0 <= axis < rank, op, f"axis {op.options.get('axis')} is out of range for rank {rank}")
    for t in ins:
        require(len(t.shape) == rank and all(int(t.shape[d]) == int(y.shape[d]) for d in range(rank) if d != axis),
                op, f"input shape {t.shape} does not match output {y.shape} outside axis {axis}")
    require(sum(int(t.shape[axis]) for t in ins) == int(y.shape[axis]), op, "input extents do not sum to the output's")
    outer = int(np.prod([int(d) for d in y.shape[:axis]], dtype=np.int64))
    inner = int(np.prod([int(d) for d in y.shape[axis + 1:]], dtype=np.int64))
    legacy = bool(op.options.get("_legacy_uint8"))
    luts: list[np.ndarray] = []
    lut_index: list[int] = []
    for t in ins:
        same = (t.quant is None and y.quant is None) or (
            t.quant is not None and y.quant is not None and t.quant.zp == y.quant.zp
            and np.float32(t.quant.s) == np.float32(y.quant.s))
        if same:
            lut_index.append(-1)
            continue
        require(legacy and t.quant is not None and y.quant is not None, op,
                f"input '{t.name}' is quantized differently from the output; LiteRT's int8 CONCATENATION "
                "rejects that (only uint8 models rescale)")
        lut_index.append(256 * len(luts))
        luts.append(concat_lut(t.quant.s, t.quant.zp, y.quant.s, y.quant.zp))
    consts = {"copy_size": i32(np.array([int(t.shape[axis]) * inner for t in ins], np.int64))}
    if luts:
        consts["luts"] = ConstArray("int8_t", np.concatenate(luts))
        consts["lut_index"] = i32(np.array(lut_index, np.int64))
    params = dict(outer=outer, num_inputs=len(ins))
    return KernelCall(op=op, template="concatenation.c.j2", header="tinyengine/te_layout.h", inputs=ins,
                      outputs=[y], params=params, consts=consts,
                      note=f"axis {axis}" + (", rescaled" if luts else ""))


# --------------------------------------------------------------------- RESIZE_NEAREST_NEIGHBOR

def _round_half_away(v: float) -> int:
    return int(math.floor(v + 0.5)) if v >= 0 else -int(math.floor(-v + 0.5))


def nearest_map(in_size: int, out_size: int, align_corners: bool, half_pixel_centers: bool) -> np.ndarray:
    """reference_ops::GetNearestNeighbor for every output index, in float32 as the reference does."""
    f32 = np.float32
    if align_corners and out_size > 1:
        scale = f32(in_size - 1) / f32(out_size - 1)
    else:
        scale = f32(in_size) / f32(out_size)
    offset = f32(0.5) if half_pixel_centers else f32(0.0)
    out = []
    for i in range(out_size):
        v = float((f32(i) + offset) * scale)
        src = _round_half_away(v) if align_corners else int(math.floor(v))
        src = min(src, in_size - 1)
        if half_pixel_centers:
            src = max(0, src)
        out.append(src)
    return np.asarray(out, np.int64)


@register("RESIZE_NEAREST_NEIGHBOR")
def lower_resize_nearest(op: Op, graph: Graph) -> KernelCall:
    x, size = op.inputs[0], op.inputs[1]
    y = op.outputs[0]
    _require_8bit(op, x, y)
    require(len(x.shape) == 4, op, f"expects a 4-D NHWC input, got shape {x.shape}")
    _dims_ok(op, x)
    require(size is not None and size.is_const and size.size == 2, op, "the size input must be a constant of 2 values")
    out_h, out_w = (int(v) for v in np.asarray(size.data).reshape(-1))
    require(out_h > 0 and out_w > 0, op, f"output size {out_h}x{out_w} must be positive")
    n, in_h, in_w, c = (int(d) for d in x.shape)
    require(tuple(y.shape) == (n, out_h, out_w, c), op, f"output shape {y.shape} does not match {(n, out_h, out_w, c)}")
    ac = bool(op.options.get("align_corners", False))
    hpc = bool(op.options.get("half_pixel_centers", False))
    y_map = nearest_map(in_h, out_h, ac, hpc)  # rows from heights, columns from widths
    x_map = nearest_map(in_w, out_w, ac, hpc)
    require(bool(np.all((y_map >= 0) & (y_map < in_h)) and np.all((x_map >= 0) & (x_map < in_w))), op,
            "source index out of range")
    params = dict(batches=n, in_h=in_h, in_w=in_w, depth=c, out_h=out_h, out_w=out_w)
    consts = {"y_map": i32(y_map), "x_map": i32(x_map)}
    flags = [f for f, on in (("align_corners", ac), ("half_pixel_centers", hpc)) if on]
    return KernelCall(op=op, template="resize_nearest_neighbor.c.j2", header="tinyengine/te_layout.h",
                      inputs=[x], outputs=[y], params=params, consts=consts, note=", ".join(flags))


# ---------------------------------------------------------------------------------- TRANSPOSE

def transpose_walk(shape: tuple[int, ...], perm: list[int]) -> list[tuple[int, int]]:
    """(extent, input stride) per output dimension, outermost first, size-1 dimensions dropped and
    output neighbours that are also input neighbours merged."""
    strides = [1] * len(shape)
    for i in reversed(range(len(shape) - 1)):
        strides[i] = strides[i + 1] * int(shape[i + 1])
    dims: list[tuple[int, int]] = []
    for p in perm:
        n, s = int(shape[p]), strides[p]
        if n == 1:
            continue
        if dims and dims[-1][1] == s * n:
            dims[-1] = (dims[-1][0] * n, s)
            continue
        dims.append((n, s))
    return dims or [(1, 1)]


@register("TRANSPOSE")
def lower_transpose(op: Op, graph: Graph) -> KernelCall:
    x, perm_t = op.inputs[0], op.inputs[1]
    y = op.outputs[0]
    _require_8bit(op, x, y)
    _dims_ok(op, x)
    rank = len(x.shape)
    require(perm_t is not None and perm_t.is_const, op, "the permutation must be a constant tensor")
    perm = [int(v) for v in np.asarray(perm_t.data).reshape(-1)]
    require(len(perm) == rank, op, f"permutation {perm} does not match rank {rank}")
    perm = [p + rank if p < 0 else p for p in perm]
    require(sorted(perm) == list(range(rank)), op, f"{perm} is not a permutation of {rank} dimensions")
    want = tuple(int(x.shape[p]) for p in perm)
    require(tuple(y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    walk = transpose_walk(tuple(int(d) for d in x.shape), perm)
    require(len(walk) <= MAX_DIMS, op, f"needs {len(walk)} loop dimensions, at most {MAX_DIMS} supported")
    params = dict(ndim=len(walk), shape=c_array([w[0] for w in walk]), in_stride=c_array([w[1] for w in walk]))
    return KernelCall(op=op, template="transpose.c.j2", header="tinyengine/te_layout.h", inputs=[x], outputs=[y],
                      params=params, note="perm " + ",".join(map(str, perm)))
