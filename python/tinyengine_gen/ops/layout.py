"""Data-movement lowerings, for every element type.

These ops copy elements without arithmetic, so the kernels (src/te_layout.c) work in bytes with
the element size a parameter, and the generator does all the index arithmetic once:

- most ops become a *walk* (te_walk): the output in row-major order, each output dimension
  stepping through the input by a byte stride (negative for REVERSE_V2, 0 for BROADCAST_TO) or by
  a table of byte offsets (padding marked), after dropping size-1 dimensions and merging
  neighbours. The same description evaluates the op in numpy when its inputs are constants
  (`fold`), and, where the output is one contiguous, aligned run of the input (a slice of the
  outermost non-trivial axis, e.g. SPLIT of a batch), turns the op into a view: no copy, no arena;
- PAD / PADV2 copy rows (te_pad), CONCATENATION and PACK copy runs (te_concat), FILL and
  ZEROS_LIKE fill (te_fill), GATHER and GATHER_ND read their indices at run time (te_gather*),
  SLICE and STRIDED_SLICE (offset) with a begin tensor computed at run time resolve it in C
  (te_dynamic_slice).

Two ops do more than move bytes, worked out here:
- RESIZE_NEAREST_NEIGHBOR picks its source rows/columns with float32 arithmetic
  (reference_ops::GetNearestNeighbor); the generator replays it with numpy float32 and emits the
  index maps as walk tables, so the kernel needs no float.
- CONCATENATION of legacy uint8 tensors requantizes inputs whose scale or zero point differ from
  the output's (reference_ops::ConcatenationWithScaling, float32 arithmetic); with 256 possible
  input values that becomes one 256-byte table per such input. int8 CONCATENATION has no
  rescaling (LiteRT's Prepare rejects int8 inputs quantized differently from the output); int16
  copies whatever the scales (Prepare checks the zero points only).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..ir import DTYPE_BYTES, NUMPY_DTYPES, Graph, Op, Tensor
from .base import PASS_HANDLED, ConstArray, KernelCall, LoweringError, all_present, folder, i32, register, require
from .elementwise import c_array

MAX_DIMS = 6  # TE_LAYOUT_MAX_DIMS
PAD_MAX_RANK = 5  # reference_ops::PadKernelMaxDimensionCount()
WALK_PAD = -(2**31)  # TE_WALK_PAD
VIEW_ALIGN = 16  # planner.ALIGN: every buffer (and so every view) keeps this alignment

ALL_TYPES = ("int8", "uint8", "int16", "int32", "int64", "float32", "bool")
NUMERIC = ("int8", "uint8", "int16", "int32", "int64", "float32")


def _dims_ok(op: Op, t: Tensor) -> None:
    require(all(int(d) > 0 for d in t.shape), op,
            f"tensor '{t.name}' has shape {t.shape}; empty tensors are not supported")


def _same_type(op: Op, x: Tensor, *others: Tensor) -> None:
    for t in others:
        require(t.dtype == x.dtype, op, f"tensor '{t.name}' is {t.dtype}, the input is {x.dtype}")


def _const_ints(op: Op, t: Optional[Tensor], what: str) -> list[int]:
    require(t is not None and t.is_const, op, f"{what} must be a constant tensor")
    assert t is not None and t.data is not None
    require(t.dtype in ("int32", "int64", "int16"), op, f"{what} must be an integer tensor, got {t.dtype}")
    return [int(v) for v in np.asarray(t.data).reshape(-1)]


def _strides(shape: tuple[int, ...], es: int) -> list[int]:
    out = [es] * len(shape)
    for i in reversed(range(len(shape) - 1)):
        out[i] = out[i + 1] * int(shape[i + 1])
    return out


def _axis(op: Op, axis: int, rank: int) -> int:
    a = axis + rank if axis < 0 else axis
    require(0 <= a < rank, op, f"axis {axis} is out of range for rank {rank}")
    return a


def _fill_bytes(dtype: str, value: float | int) -> np.ndarray:
    return np.asarray([value]).astype(NUMPY_DTYPES[dtype]).view(np.uint8)


# ---------------------------------------------------------------------------------------- walk

@dataclass
class WalkDim:
    extent: int
    stride: int = 0  # input bytes per step (affine)
    table: Optional[list[int]] = None  # byte offsets per index, WALK_PAD for padding


@dataclass
class Walk:
    """output[i...] = input[base + sum_d offset_d(i_d)] over the output in row-major order."""

    dims: list[WalkDim]
    base: int
    elem_size: int
    fill: Optional[np.ndarray] = None  # the fill element's bytes (walks with padding)

    def simplified(self) -> "Walk":
        """Size-1 dimensions dropped (their offset moved into base), affine neighbours merged."""
        base, dims = self.base, []
        for d in self.dims:
            if d.extent == 1:
                off = d.table[0] if d.table is not None else 0
                if off == WALK_PAD:  # the whole output is padding: keep the dimension
                    dims.append(d)
                    continue
                base += off
                continue
            if dims and d.table is None and dims[-1].table is None and dims[-1].stride == d.stride * d.extent:
                dims[-1] = WalkDim(dims[-1].extent * d.extent, d.stride)
                continue
            dims.append(d)
        if not dims:
            dims = [WalkDim(1, self.elem_size)]
        return Walk(dims, base, self.elem_size, self.fill)

    def offsets(self) -> np.ndarray:
        """The input byte offset of every output element (WALK_PAD-marked where padding)."""
        total = np.full([1] * len(self.dims), self.base, np.int64)
        pad = np.zeros([1] * len(self.dims), bool)
        for i, d in enumerate(self.dims):
            shape = [1] * len(self.dims)
            shape[i] = d.extent
            offs = (np.asarray(d.table, np.int64) if d.table is not None
                    else np.arange(d.extent, dtype=np.int64) * d.stride).reshape(shape)
            pad = pad | (offs == WALK_PAD)
            total = total + np.where(offs == WALK_PAD, 0, offs)
        return np.where(pad, WALK_PAD, total).reshape(-1)

    def apply(self, data: np.ndarray) -> np.ndarray:
        """The walk in numpy on a constant input (constant folding); flat output."""
        es = self.elem_size
        raw = np.ascontiguousarray(data).reshape(-1).view(np.uint8)
        offs = self.offsets()
        out = np.empty((offs.size, es), np.uint8)
        pad = offs == WALK_PAD
        src = np.where(pad, 0, offs)[:, None] + np.arange(es)[None, :]
        out[:] = raw[src] if raw.size else 0
        if pad.any():
            assert self.fill is not None
            out[pad] = self.fill
        return out.reshape(-1).view(data.dtype)

    def contiguous_offset(self) -> Optional[int]:
        """The input byte offset when the output is one contiguous run of the input, else None."""
        w = self.simplified()
        if len(w.dims) == 1 and w.dims[0].table is None and (w.dims[0].stride == w.elem_size or w.dims[0].extent == 1):
            return w.base
        return None


def walk_call(op: Op, inputs: list[Tensor], outputs: list[Tensor], walks: list[list[Walk]], note: str = "",
              extra_params: Optional[dict] = None) -> KernelCall:
    """te_walk calls from inputs[0]: walks[k] fills outputs[k], its segments one after another."""
    consts: dict[str, ConstArray] = {}
    tables: list[int] = []
    rendered = []
    fill = None
    for k, segments in enumerate(walks):
        at = 0
        for w in segments:
            w = w.simplified()
            require(len(w.dims) <= MAX_DIMS, op, f"needs {len(w.dims)} loop dimensions, at most {MAX_DIMS} supported")
            table_at = []
            for d in w.dims:
                if d.table is None:
                    table_at.append(-1)
                else:
                    table_at.append(len(tables))
                    tables += d.table
            rendered.append(dict(out=k, out_offset=at, ndim=len(w.dims), elem_size=w.elem_size, base=w.base,
                                 shape=c_array([d.extent for d in w.dims]),
                                 stride=c_array([d.stride if d.table is None else 0 for d in w.dims]),
                                 table=c_array(table_at)))
            at += int(np.prod([d.extent for d in w.dims], dtype=np.int64)) * w.elem_size
            if w.fill is not None:
                fill = w.fill
    if tables:
        consts["tables"] = i32(np.asarray(tables, np.int64))
    if fill is not None:
        consts["fill"] = ConstArray("uint8_t", np.asarray(fill, np.uint8), align=8)
    params = dict(walks=rendered, **(extra_params or {}))
    return KernelCall(op=op, template="walk.c.j2", header="tinyengine/te_layout.h", inputs=inputs,
                      outputs=outputs, params=params, consts=consts, note=note)


def plan_walks(op: Op) -> list[list[Walk]]:
    """WALK_PLANS[op.kind](op); parameters no valid model has (fuzzed masks, stray indices) end in
    a LoweringError, never another exception."""
    try:
        return WALK_PLANS[op.kind](op)  # type: ignore[operator]
    except (IndexError, ValueError, ZeroDivisionError, OverflowError) as exc:
        raise LoweringError(f"{op.kind} at op index {op.index}: invalid parameters ({exc})") from None


# Per op kind: (op) -> per output of op.context.all_outputs or op.outputs, the walks (usually
# one) that fill it one after another from the op's data input. Shapes and parameters come from
# the op; constant inputs are read here.
WALK_PLANS: dict[str, object] = {}


def _plan(*kinds: str):
    def deco(fn):
        for k in kinds:
            WALK_PLANS[k] = fn
        return fn
    return deco


def all_outputs(op: Op) -> list[Tensor]:
    """The op's outputs as the model has them (some may have become views since)."""
    return list(op.context.all_outputs or op.outputs)


# ------------------------------------------------------------------------------------ TRANSPOSE

@_plan("TRANSPOSE")
def plan_transpose(op: Op) -> list[list[Walk]]:
    x, y = op.input(0), op.outputs[0]
    rank = len(x.shape)
    perm = _const_ints(op, op.input(1), "the permutation")
    require(len(perm) == rank, op, f"permutation {perm} does not match rank {rank}")
    perm = [p + rank if p < 0 else p for p in perm]
    require(sorted(perm) == list(range(rank)), op, f"{perm} is not a permutation of {rank} dimensions")
    want = tuple(int(x.shape[p]) for p in perm)
    require(tuple(y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    es = DTYPE_BYTES[x.dtype]
    st = _strides(x.shape, es)
    return [[Walk([WalkDim(int(x.shape[p]), st[p]) for p in perm], 0, es)]]


# ------------------------------------------------------------------------- SLICE, STRIDED_SLICE

@dataclass
class SliceDim:
    """One effective dimension of a strided slice (reference BuildStridedSliceParams)."""

    size: int  # effective input extent
    begin: int = 0
    end: int = 0
    stride: int = 1
    begin_mask: bool = False
    end_mask: bool = False
    shrink: bool = False
    begin_index: int = -1  # which begin value the dimension reads (-1: new axis / ellipsis)
    in_stride: int = 0  # input bytes per element step


def strided_slice_dims(op: Op, in_shape: tuple[int, ...], n: int, begin: Optional[list[int]],
                       end: list[int], strides: list[int], es: int) -> list[SliceDim]:
    """tflite/kernels/strided_slice.cc BuildStridedSliceParams: the effective dimensions, with
    ellipsis expanded and new axes inserted. `begin` None: read at run time."""
    o = op.options
    ellipsis, new_axis = int(o.get("ellipsis_mask", 0)), int(o.get("new_axis_mask", 0))
    begin_mask, end_mask = int(o.get("begin_mask", 0)), int(o.get("end_mask", 0))
    shrink_mask = int(o.get("shrink_axis_mask", 0))
    rank = len(in_shape)
    num_add = sum(1 for i in range(n) if not (ellipsis >> i) & 1 and (new_axis >> i) & 1)
    eff = rank + num_add
    eff_ellipsis = eff_new = 0
    ellipsis_start, expanded = eff, 0
    i = 0
    while i < eff:
        if (ellipsis >> i) & 1:
            ellipsis_start = i
            ellipsis_end = max(i + 1, min(i + 1 + num_add + rank - n, eff))
            expanded = ellipsis_end - ellipsis_start - 1
            while i < ellipsis_end:
                eff_ellipsis |= 1 << i
                i += 1
            continue
        if (new_axis >> (i - expanded)) & 1:
            eff_new |= 1 << i
        i += 1
    added_ellipsis = added_axes = 0
    dims: list[SliceDim] = []
    in_st = _strides(in_shape, es)
    for i in range(eff):
        if (eff_ellipsis >> i) & 1:
            added_ellipsis = max(0, i - ellipsis_start)
            k = i - added_axes
            dims.append(SliceDim(int(in_shape[k]), begin_mask=True, end_mask=True, in_stride=in_st[k]))
        elif (eff_new >> i) & 1:
            dims.append(SliceDim(1, 0, 1, 1))
            added_axes += 1
        elif i >= n + expanded:
            k = i - added_axes
            dims.append(SliceDim(int(in_shape[k]), begin_mask=True, end_mask=True, in_stride=in_st[k]))
        else:
            orig = i - added_ellipsis
            k = i - added_axes
            require(0 <= k < rank, op, "the slice has more dimensions than the input")
            require(strides[orig] != 0, op, "stride value has to be non-zero")
            dims.append(SliceDim(int(in_shape[k]), begin[orig] if begin is not None else 0, end[orig], strides[orig],
                                 bool((begin_mask >> orig) & 1), bool((end_mask >> orig) & 1),
                                 bool((shrink_mask >> orig) & 1), orig, in_st[k]))
    return dims


def _clamp_axis(v: int, stride: int, size: int) -> int:
    return min(max(v, 0), size) if stride > 0 else min(max(v, -1), size - 1)


def slice_start_end(d: SliceDim, offset: bool) -> tuple[int, int]:
    """reference_ops StartForAxis / EndForAxis (DynamicStridedSliceParams)."""
    start = d.begin + d.size if d.begin < 0 else d.begin
    start = _clamp_axis(start, d.stride, d.size)
    if d.begin_mask:
        start = 0 if d.stride > 0 else d.size - 1
    if d.shrink:
        return start, (start if start >= d.size else start + 1)
    end = d.end + start if offset else d.end
    end = end + d.size if end < 0 else end
    end = _clamp_axis(end, d.stride, d.size)
    if d.end_mask:
        end = d.size if d.stride > 0 else -1
    return start, end


def _loop_count(start: int, end: int, stride: int) -> int:
    if stride > 0:
        return max(0, (end - start + stride - 1) // stride)
    return max(0, (start - end + (-stride) - 1) // (-stride))


def strided_slice_shape(op: Op, dims: list[SliceDim]) -> list[int]:
    """ResizeOutputTensor: the output shape (shrunk dimensions left out)."""
    out = []
    for d in dims:
        if d.shrink:
            continue
        if op.options.get("offset"):
            n = d.end
        else:
            s, e = slice_start_end(d, False)
            n = e - s
        if (n < 0) != (d.stride < 0):
            n = 0
        elif d.stride < 0:
            n = _trunc_div(n + 1, d.stride) + 1
        else:
            n = 0 if n == 0 else (n - 1) // d.stride + 1
        out.append(n)
    return out


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _strided_slice_inputs(op: Op) -> tuple[Tensor, Optional[list[int]], list[int], list[int]]:
    x, b, e, s = op.input(0), op.input(1), op.input(2), op.input(3)
    require(len(op.inputs) == 4 and b is not None and e is not None and s is not None, op,
            "needs input, begin, end and strides")
    for t in (b, e, s):
        require(t.dtype == "int32" and len(t.shape) == 1, op, "begin, end and strides must be 1-D int32 tensors")
    require(b.size == e.size == s.size, op, "begin, end and strides differ in length")
    require(b.size <= 31, op, "at most 31 slice indices")
    begin = _const_ints(op, b, "begin") if b.is_const else None
    return x, begin, _const_ints(op, e, "end"), _const_ints(op, s, "strides")


@_plan("STRIDED_SLICE")
def plan_strided_slice(op: Op) -> list[list[Walk]]:
    x, begin, end, strides = _strided_slice_inputs(op)
    y = op.outputs[0]
    require(begin is not None, op, "begin must be a constant tensor unless the slice is an offset slice")
    es = DTYPE_BYTES[x.dtype]
    dims = strided_slice_dims(op, tuple(int(d) for d in x.shape), len(end), begin, end, strides, es)
    offset = bool(op.options.get("offset"))
    want = strided_slice_shape(op, dims)
    require(tuple(want) == tuple(int(d) for d in y.shape), op, f"output shape {y.shape} does not match {tuple(want)}")
    walk, base = [], 0
    for d in dims:
        s, e = slice_start_end(d, offset)
        n = _loop_count(s, e, d.stride)
        base += s * d.in_stride if n > 0 else 0
        walk.append(WalkDim(n, d.stride * d.in_stride))
    require(all(w.extent > 0 for w in walk), op,
            "the slice reads nothing along an axis (e.g. a shrunk axis with a negative stride: LiteRT then "
            "leaves its output unwritten); not supported")
    got = [w.extent for w, d in zip(walk, dims) if not d.shrink]
    require(got == want, op, f"the slice reads {got} elements per dimension for an output of {want}")
    return [[Walk(walk, base, es)]]


def _slice_inputs(op: Op) -> tuple[Tensor, Tensor, list[int]]:
    x, b, size = op.input(0), op.input(1), op.input(2)
    require(len(op.inputs) == 3 and b is not None and size is not None, op, "needs input, begin and size")
    require(b.dtype in ("int32", "int64") and size.dtype in ("int32", "int64"), op,
            "begin and size must be int32 or int64")
    require(len(b.shape) == 1 and b.size == size.size == len(x.shape), op, "begin and size must have one value per dimension")
    return x, b, _const_ints(op, size, "size")


@_plan("SLICE")
def plan_slice(op: Op) -> list[list[Walk]]:
    x, b, size = _slice_inputs(op)
    begin = _const_ints(op, b, "begin")
    es = DTYPE_BYTES[x.dtype]
    st = _strides(x.shape, es)
    dims, base = [], 0
    for i, (n, bi, si) in enumerate(zip(x.shape, begin, size)):
        n = int(n)
        require(si >= -1, op, f"invalid size {si}")
        si = n - bi if si == -1 else si
        require(0 <= bi and bi + si <= n, op, f"begin {bi} and size {si} do not fit dimension {i} of {n}")
        dims.append(WalkDim(si, st[i]))
        base += bi * st[i]
    want = tuple(d.extent for d in dims)
    require(tuple(op.outputs[0].shape) == want, op, f"output shape {op.outputs[0].shape} does not match {want}")
    return [[Walk(dims, base, es)]]


# ------------------------------------------------------------------------ SPLIT, SPLIT_V, UNPACK

def _split_walks(x: Tensor, axis: int, sizes: list[int]) -> list[list[Walk]]:
    es = DTYPE_BYTES[x.dtype]
    st = _strides(x.shape, es)
    walks, start = [], 0
    for n in sizes:
        dims = [WalkDim(int(d), st[i]) if i != axis else WalkDim(n, st[i]) for i, d in enumerate(x.shape)]
        walks.append([Walk(dims, start * st[axis], es)])
        start += n
    return walks


@_plan("SPLIT")
def plan_split(op: Op) -> list[list[Walk]]:
    axis_t, x = op.input(0), op.input(1)
    outs = all_outputs(op)
    axis = _axis(op, _const_ints(op, axis_t, "the axis")[0], len(x.shape))
    num = int(op.options.get("num_splits", len(outs)))
    require(num == len(outs) and num > 0 and int(x.shape[axis]) % num == 0, op,
            f"cannot split {x.shape[axis]} into {num} equal parts")
    part = int(x.shape[axis]) // num
    want = tuple(part if i == axis else int(d) for i, d in enumerate(x.shape))
    for t in outs:
        _same_type(op, x, t)
        require(tuple(t.shape) == want, op, f"output '{t.name}' shape {t.shape} does not match {want}")
    return _split_walks(x, axis, [part] * num)


@_plan("SPLIT_V")
def plan_split_v(op: Op) -> list[list[Walk]]:
    x, sizes_t, axis_t = op.input(0), op.input(1), op.input(2)
    outs = all_outputs(op)
    axis = _axis(op, _const_ints(op, axis_t, "the axis")[0], len(x.shape))
    sizes = _const_ints(op, sizes_t, "size_splits")
    require(len(sizes) == len(outs), op, f"{len(sizes)} sizes for {len(outs)} outputs")
    unknown = [i for i, s in enumerate(sizes) if s == -1]
    require(len(unknown) <= 1 and all(s >= -1 for s in sizes), op, f"invalid size_splits {sizes}")
    if unknown:
        sizes[unknown[0]] = int(x.shape[axis]) - (sum(sizes) + 1)
    require(sum(sizes) == int(x.shape[axis]) and all(s > 0 for s in sizes), op,
            f"size_splits {sizes} do not add up to {x.shape[axis]} (empty outputs are not supported)")
    for t, n in zip(outs, sizes):
        _same_type(op, x, t)
        want = tuple(n if i == axis else int(d) for i, d in enumerate(x.shape))
        require(tuple(t.shape) == want, op, f"output '{t.name}' shape {t.shape} does not match {want}")
    return _split_walks(x, axis, sizes)


@_plan("UNPACK")
def plan_unpack(op: Op) -> list[list[Walk]]:
    x = op.input(0)
    outs = all_outputs(op)
    axis = _axis(op, int(op.options.get("axis", 0)), len(x.shape))
    require(int(x.shape[axis]) == len(outs), op, f"{len(outs)} outputs for an axis of {x.shape[axis]}")
    for t in outs:
        _same_type(op, x, t)
        want = tuple(int(d) for i, d in enumerate(x.shape) if i != axis)
        require(tuple(t.shape) == want, op, f"output '{t.name}' shape {t.shape} does not match {want}")
    return _split_walks(x, axis, [1] * len(outs))


# ------------------------------------------------------------ DEPTH_TO_SPACE, SPACE_TO_DEPTH

@_plan("DEPTH_TO_SPACE", "SPACE_TO_DEPTH")
def plan_depth_space(op: Op) -> list[list[Walk]]:
    x, y = op.input(0), op.outputs[0]
    require(len(x.shape) == 4 and len(y.shape) == 4, op, "expects 4-D NHWC tensors")
    bs = int(op.options.get("block_size", 0))
    require(bs > 0, op, f"block size {bs} must be positive")
    es = DTYPE_BYTES[x.dtype]
    n, h, w, c = (int(d) for d in x.shape)
    if op.kind == "DEPTH_TO_SPACE":
        require(c % (bs * bs) == 0, op, f"depth {c} is not a multiple of {bs * bs}")
        co = c // (bs * bs)
        want = (n, h * bs, w * bs, co)
        # out[n, h*bs + i, w*bs + j, k] = in[n, h, w, (i*bs + j)*co + k]
        dims = [WalkDim(n, h * w * c * es), WalkDim(h, w * c * es), WalkDim(bs, bs * co * es),
                WalkDim(w, c * es), WalkDim(bs, co * es), WalkDim(co, es)]
    else:
        require(h % bs == 0 and w % bs == 0, op, f"height and width {h}x{w} are not multiples of {bs}")
        want = (n, h // bs, w // bs, c * bs * bs)
        # out[n, h, w, (i*bs + j)*c + k] = in[n, h*bs + i, w*bs + j, k]
        dims = [WalkDim(n, h * w * c * es), WalkDim(h // bs, bs * w * c * es), WalkDim(w // bs, bs * c * es),
                WalkDim(bs, w * c * es), WalkDim(bs, c * es), WalkDim(c, es)]
    require(tuple(y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    return [[Walk(dims, 0, es)]]


# ---------------------------------------------------------- BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND

def _nhwc3(op: Op, t: Tensor) -> tuple[int, int, int, int]:
    require(len(t.shape) in (3, 4), op, f"expects a 3-D or 4-D input, got shape {t.shape}")
    if len(t.shape) == 3:
        return int(t.shape[0]), int(t.shape[1]), 1, int(t.shape[2])
    n, h, w, c = (int(d) for d in t.shape)
    return n, h, w, c


def _block_and_pads(op: Op, rank: int) -> tuple[int, int, int, int, int, int]:
    block = _const_ints(op, op.input(1), "the block shape")
    pads = _const_ints(op, op.input(2), "crops/paddings")
    spatial = rank - 2
    require(len(block) == spatial and len(pads) == 2 * spatial, op,
            f"block shape {block} and crops/paddings {pads} do not match a rank-{rank} input")
    require(all(b > 0 for b in block) and all(p >= 0 for p in pads), op, "block sizes must be positive, pads >= 0")
    if spatial == 1:
        return block[0], 1, pads[0], pads[1], 0, 0
    return block[0], block[1], pads[0], pads[1], pads[2], pads[3]


@_plan("BATCH_TO_SPACE_ND")
def plan_batch_to_space(op: Op) -> list[list[Walk]]:
    x, y = op.input(0), op.outputs[0]
    es = DTYPE_BYTES[x.dtype]
    ib, ih, iw, c = _nhwc3(op, x)
    bh, bw, top, bottom, left, right = _block_and_pads(op, len(x.shape))
    require(ib % (bh * bw) == 0, op, f"batch {ib} is not a multiple of the block {bh}x{bw}")
    ob, oh, ow = ib // (bh * bw), ih * bh - top - bottom, iw * bw - left - right
    require(oh > 0 and ow > 0, op, "the crops leave an empty output")
    want = (ob, oh, ow, c) if len(x.shape) == 4 else (ob, oh, c)
    require(tuple(y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    batch = ih * iw * c * es
    # in_batch = (off_h * bw + off_w) * ob + out_batch, with (in_h, off_h) = divmod(out_h + top, bh)
    rows = [((r + top) // bh) * iw * c * es + ((r + top) % bh) * bw * ob * batch for r in range(oh)]
    cols = [((q + left) // bw) * c * es + ((q + left) % bw) * ob * batch for q in range(ow)]
    return [[Walk([WalkDim(ob, batch), WalkDim(oh, table=rows), WalkDim(ow, table=cols), WalkDim(c, es)], 0, es)]]


@_plan("SPACE_TO_BATCH_ND")
def plan_space_to_batch(op: Op) -> list[list[Walk]]:
    x, y = op.input(0), op.outputs[0]
    es = DTYPE_BYTES[x.dtype]
    ib, ih, iw, c = _nhwc3(op, x)
    bh, bw, top, bottom, left, right = _block_and_pads(op, len(x.shape))
    ph, pw = ih + top + bottom, iw + left + right
    require(ph % bh == 0 and pw % bw == 0, op, f"padded size {ph}x{pw} is not a multiple of the block {bh}x{bw}")
    ob, oh, ow = ib * bh * bw, ph // bh, pw // bw
    want = (ob, oh, ow, c) if len(x.shape) == 4 else (ob, oh, c)
    require(tuple(y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    batch = ih * iw * c * es
    # out_batch = (shift_h * bw + shift_w) * ib + in_batch; padding holds the output zero point
    # (memset with it in the reference: 8-bit zero point, 0 for wider types).
    fill = np.zeros(es, np.uint8)
    if es == 1 and y.quant is not None:
        fill = _fill_bytes("int8", y.quant.zp)
    tables_h = []
    for sh in range(bh):
        t = []
        for r in range(oh):
            ir = r * bh + sh - top
            t.append(ir * iw * c * es if 0 <= ir < ih else WALK_PAD)
        tables_h.append(t)
    tables_w = []
    for sw in range(bw):
        t = []
        for q in range(ow):
            iq = q * bw + sw - left
            t.append(iq * c * es if 0 <= iq < iw else WALK_PAD)
        tables_w.append(t)
    # The row/column tables depend on the output batch's shift: one walk per shift, each
    # writing ib consecutive batches (the output batch is shift * ib + input batch).
    walks = []
    for sh in range(bh):
        for sw in range(bw):
            walks.append(Walk([WalkDim(ib, batch), WalkDim(oh, table=tables_h[sh]), WalkDim(ow, table=tables_w[sw]),
                               WalkDim(c, es)], 0, es, fill))
    return [walks]


# ------------------------------------------------------------------------------------ MIRROR_PAD

def mirror_index(i: int, left: int, size: int, offset: int) -> int:
    """mirror_pad.cc GetInputDimension."""
    if i < left:
        original = left + offset - 1
        return original - min(i, original - offset)
    i -= left
    if i >= size:
        i -= size
        original = size - (1 + offset)
        return original - min(i, original)
    return i


@_plan("MIRROR_PAD")
def plan_mirror_pad(op: Op) -> list[list[Walk]]:
    x, y = op.input(0), op.outputs[0]
    rank = len(x.shape)
    pads = _const_ints(op, op.input(1), "paddings")
    require(len(pads) == 2 * rank, op, f"paddings should be ({rank}, 2)")
    mode = op.options.get("mode", 0)
    offset = 1 if mode in (0, "REFLECT") else 0
    es = DTYPE_BYTES[x.dtype]
    st = _strides(x.shape, es)
    dims, want = [], []
    for i, n in enumerate(x.shape):
        n, left, right = int(n), pads[2 * i], pads[2 * i + 1]
        require(left >= 0 and right >= 0, op, "negative paddings")
        require(left <= n - offset and right <= n - offset, op,
                f"padding {left},{right} is too large for dimension {i} of {n} in {'REFLECT' if offset else 'SYMMETRIC'} mode")
        want.append(n + left + right)
        if left == 0 and right == 0:
            dims.append(WalkDim(n, st[i]))
        else:
            dims.append(WalkDim(n + left + right, table=[mirror_index(k, left, n, offset) * st[i]
                                                          for k in range(n + left + right)]))
    require(tuple(y.shape) == tuple(want), op, f"output shape {y.shape} does not match {tuple(want)}")
    return [[Walk(dims, 0, es)]]


# ------------------------------------------------------------- BROADCAST_TO, TILE, REVERSE_V2

@_plan("BROADCAST_TO")
def plan_broadcast_to(op: Op) -> list[list[Walk]]:
    x, y = op.input(0), op.outputs[0]
    shape = _const_ints(op, op.input(1), "the shape")
    require(tuple(shape) == tuple(int(d) for d in y.shape), op, f"output shape {y.shape} does not match {shape}")
    require(len(shape) >= len(x.shape), op, f"cannot broadcast rank {len(x.shape)} to rank {len(shape)}")
    es = DTYPE_BYTES[x.dtype]
    ext = (1,) * (len(shape) - len(x.shape)) + tuple(int(d) for d in x.shape)
    st = _strides(ext, es)
    dims = []
    for i, (a, b) in enumerate(zip(ext, shape)):
        require(a == b or a == 1, op, f"cannot broadcast {x.shape} to {shape}")
        dims.append(WalkDim(b, 0 if a == 1 else st[i]))
    return [[Walk(dims, 0, es)]]


@_plan("TILE")
def plan_tile(op: Op) -> list[list[Walk]]:
    x, y = op.input(0), op.outputs[0]
    mult = _const_ints(op, op.input(1), "the multiples")
    require(len(mult) == len(x.shape) and all(m > 0 for m in mult), op, f"invalid multiples {mult}")
    es = DTYPE_BYTES[x.dtype]
    st = _strides(x.shape, es)
    want = tuple(int(d) * m for d, m in zip(x.shape, mult))
    require(tuple(y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    dims = [WalkDim(int(n), st[i]) if m == 1 else WalkDim(int(n) * m, table=[(k % int(n)) * st[i] for k in range(int(n) * m)])
            for i, (n, m) in enumerate(zip(x.shape, mult))]
    return [[Walk(dims, 0, es)]]


@_plan("REVERSE_V2")
def plan_reverse(op: Op) -> list[list[Walk]]:
    x = op.input(0)
    rank = len(x.shape)
    require(op.inputs[1] is not None and op.inputs[1].dtype == "int32", op, "the axes must be int32")
    listed = sorted(_axis(op, a, rank) for a in _const_ints(op, op.input(1), "the axes"))
    require(all(b == a + 1 for a, b in zip(listed, listed[1:])), op,
            f"axes {listed} are not contiguous (the reference rejects them)")
    axes = set(listed)
    es = DTYPE_BYTES[x.dtype]
    st = _strides(x.shape, es)
    dims, base = [], 0
    for i, n in enumerate(x.shape):
        if i in axes:
            dims.append(WalkDim(int(n), -st[i]))
            base += (int(n) - 1) * st[i]
        else:
            dims.append(WalkDim(int(n), st[i]))
    return [[Walk(dims, base, es)]]


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


def resize_size(op: Op, x: Tensor, y: Tensor) -> tuple[int, int]:
    require(len(x.shape) == 4, op, f"expects a 4-D NHWC input, got shape {x.shape}")
    size = op.input(1)
    require(size is not None and size.is_const and size.size == 2 and size.dtype == "int32", op,
            "the size input must be a constant of 2 int32 values")
    out_h, out_w = _const_ints(op, size, "the size")
    require(out_h > 0 and out_w > 0, op, f"output size {out_h}x{out_w} must be positive")
    n, _, _, c = (int(d) for d in x.shape)
    require(tuple(y.shape) == (n, out_h, out_w, c), op, f"output shape {y.shape} does not match {(n, out_h, out_w, c)}")
    return out_h, out_w


@_plan("RESIZE_NEAREST_NEIGHBOR")
def plan_resize_nearest(op: Op) -> list[list[Walk]]:
    x, y = op.input(0), op.outputs[0]
    out_h, out_w = resize_size(op, x, y)
    n, in_h, in_w, c = (int(d) for d in x.shape)
    ac = bool(op.options.get("align_corners", False))
    hpc = bool(op.options.get("half_pixel_centers", False))
    es = DTYPE_BYTES[x.dtype]
    y_map = nearest_map(in_h, out_h, ac, hpc)  # rows from heights, columns from widths
    x_map = nearest_map(in_w, out_w, ac, hpc)
    require(bool(np.all((y_map >= 0) & (y_map < in_h)) and np.all((x_map >= 0) & (x_map < in_w))), op,
            "source index out of range")
    dims = [WalkDim(n, in_h * in_w * c * es), WalkDim(out_h, table=[int(v) * in_w * c * es for v in y_map]),
            WalkDim(out_w, table=[int(v) * c * es for v in x_map]), WalkDim(c, es)]
    return [[Walk(dims, 0, es)]]


# -------------------------------------------------------------------- lowering of walk-type ops

WALK_TYPES = {
    "TRANSPOSE": ALL_TYPES, "STRIDED_SLICE": ALL_TYPES, "SLICE": ALL_TYPES,
    "SPLIT": NUMERIC, "SPLIT_V": NUMERIC, "UNPACK": ("int8", "uint8", "int16", "int32", "float32", "bool"),
    "DEPTH_TO_SPACE": ("int8", "uint8", "int32", "int64", "float32"),
    "SPACE_TO_DEPTH": ("int8", "uint8", "int32", "int64", "float32"),
    "BATCH_TO_SPACE_ND": ALL_TYPES, "SPACE_TO_BATCH_ND": ALL_TYPES, "MIRROR_PAD": ALL_TYPES,
    "BROADCAST_TO": ALL_TYPES, "TILE": ALL_TYPES, "REVERSE_V2": ALL_TYPES,
    "RESIZE_NEAREST_NEIGHBOR": ("int8", "uint8", "int16", "int32", "float32", "bool"),
}
VIEW_NOTE = "contiguous aligned outputs are views (no copy)"
WALK_NOTES = {"STRIDED_SLICE": "all masks; run-time begin (offset); " + VIEW_NOTE,
              "SLICE": "run-time begin; " + VIEW_NOTE, "SPLIT": VIEW_NOTE, "SPLIT_V": VIEW_NOTE, "UNPACK": VIEW_NOTE,
              "MIRROR_PAD": "REFLECT, SYMMETRIC"}


def lower_walk(op: Op, graph: Graph) -> KernelCall:
    x = op.input(1) if op.kind == "SPLIT" else op.input(0)
    assert x is not None
    _dims_ok(op, x)
    outs = all_outputs(op)
    for t in outs:
        _same_type(op, x, t)
        _dims_ok(op, t)
    walks = plan_walks(op)
    keep = [(t, w) for t, w in zip(outs, walks) if any(t is o for o in op.outputs)]
    note = ""
    if op.kind == "TRANSPOSE":
        note = "perm " + ",".join(str(p) for p in _const_ints(op, op.input(1), "the permutation"))
    return walk_call(op, [x], [t for t, _ in keep], [w for _, w in keep], note=note)


def _register_walks() -> None:
    for kind, types in WALK_TYPES.items():
        if kind in ("STRIDED_SLICE", "SLICE"):
            continue  # they also have a run-time-begin form: registered below
        register(kind, dtypes=types, note=WALK_NOTES.get(kind, ""),
                 type_input=1 if kind == "SPLIT" else 0)(lower_walk)


_register_walks()


@folder(*WALK_PLANS)
def fold_walk(op: Op) -> Optional[list[np.ndarray]]:
    x = op.input(1) if op.kind == "SPLIT" else op.input(0)
    assert x is not None and x.data is not None
    if any(t.data is not None for t in op.outputs) or x.dtype not in NUMPY_DTYPES:
        return None
    try:
        walks = plan_walks(op)
    except LoweringError:
        return None  # left to lowering, which reports it
    data = np.asarray(x.data)
    return [np.concatenate([w.apply(data) for w in segs]).reshape(t.shape) for t, segs in zip(op.outputs, walks)]


# ---------------------------------------------------------- SLICE / STRIDED_SLICE (any begin)

def _dynamic_slice_call(op: Op, x: Tensor, begin_t: Tensor, y: Tensor, dims: list[SliceDim], offset_mode: int,
                        sizes: list[int]) -> KernelCall:
    require(len(dims) <= MAX_DIMS, op, f"{len(dims)} dimensions, at most {MAX_DIMS} supported with a run-time begin")
    es = DTYPE_BYTES[x.dtype]
    params = dict(ndim=len(dims), elem_size=es, index_size=DTYPE_BYTES[begin_t.dtype], offset_mode=offset_mode,
                  begin_index=c_array([d.begin_index for d in dims]),
                  in_shape=c_array([d.size for d in dims]), in_stride=c_array([d.in_stride for d in dims]),
                  size=c_array(sizes), step=c_array([d.stride for d in dims]),
                  masks=c_array([int(d.begin_mask) | 2 * int(d.end_mask) | 4 * int(d.shrink) for d in dims]),
                  out_bytes=y.nbytes)
    return KernelCall(op=op, template="dynamic_slice.c.j2", header="tinyengine/te_layout.h", inputs=[x, begin_t],
                      outputs=[y], params=params, note="run-time begin")


@register("STRIDED_SLICE", dtypes=ALL_TYPES, note=WALK_NOTES["STRIDED_SLICE"])
def lower_strided_slice(op: Op, graph: Graph) -> KernelCall:
    x, begin, end, strides = _strided_slice_inputs(op)
    y = op.outputs[0]
    _same_type(op, x, y)
    _dims_ok(op, x)
    _dims_ok(op, y)
    if begin is not None:
        return lower_walk(op, graph)
    require(bool(op.options.get("offset")), op,
            "begin must be a constant tensor unless the slice is an offset slice (its output shape is dynamic)")
    try:
        dims = strided_slice_dims(op, tuple(int(d) for d in x.shape), len(end), None, end, strides,
                                  DTYPE_BYTES[x.dtype])
    except IndexError:
        raise LoweringError(f"STRIDED_SLICE at op index {op.index}: invalid masks") from None
    want = strided_slice_shape(op, dims)
    require(tuple(want) == tuple(int(d) for d in y.shape), op, f"output shape {y.shape} does not match {tuple(want)}")
    return _dynamic_slice_call(op, x, op.input(1), y, dims, 1, [d.end for d in dims])


@register("SLICE", dtypes=ALL_TYPES, note=WALK_NOTES["SLICE"])
def lower_slice(op: Op, graph: Graph) -> KernelCall:
    x, b, size = _slice_inputs(op)
    y = op.outputs[0]
    _same_type(op, x, y)
    _dims_ok(op, x)
    _dims_ok(op, y)
    if b.is_const:
        return lower_walk(op, graph)
    es = DTYPE_BYTES[x.dtype]
    st = _strides(x.shape, es)
    require(len(x.shape) == len(y.shape), op, "output rank differs from the input's")
    for i, (n, s, o) in enumerate(zip(x.shape, size, y.shape)):
        require(s == -1 or s == int(o), op, f"size {s} does not match output dimension {i} of {o}")
        require(int(o) <= int(n), op, f"output dimension {i} ({o}) is larger than the input's ({n})")
    dims = [SliceDim(int(n), stride=1, begin_index=i, in_stride=st[i]) for i, n in enumerate(x.shape)]
    return _dynamic_slice_call(op, x, b, y, dims, 0, [int(o) for o in y.shape])


# -------------------------------------------------------------------------------- slice views

VIEWABLE = ("STRIDED_SLICE", "SLICE", "SPLIT", "SPLIT_V", "UNPACK", "RESIZE_NEAREST_NEIGHBOR")


def _identity_resize(op: Op, graph: Graph) -> bool:
    """A same-size integer RESIZE_BILINEAR: every position is exact, every output its input."""
    x, y = op.input(0), op.outputs[0]
    return (op.kind == "RESIZE_BILINEAR" and x is not None and not x.root.is_const and x.dtype == y.dtype
            and x.dtype in ("int8", "int16") and tuple(x.shape) == tuple(y.shape) and len(x.shape) == 4
            and y not in graph.outputs and not (op.options.get("align_corners") and op.options.get("half_pixel_centers")))


def view_slices(graph: Graph) -> None:
    """Outputs that are one contiguous, aligned run of their input become views of it: no copy,
    no arena. Multi-output ops keep their other outputs (op.context.all_outputs remembers all)."""
    for op in list(graph.ops):
        if _identity_resize(op, graph):
            op.outputs[0].alias_of = op.input(0)
            graph.ops.remove(op)
            continue
        if op.kind not in VIEWABLE:
            continue
        x = op.input(1) if op.kind == "SPLIT" else op.input(0)
        if x is None or x.is_const or x.root.is_const:
            continue
        if any(t is None or not t.is_const for t in op.inputs if t is not x):
            continue  # run-time begin
        try:
            walks = plan_walks(op)
        except LoweringError:
            continue  # lowering reports it
        outs = all_outputs(op)
        kept = []
        for t, segs in zip(outs, walks):
            at = segs[0].contiguous_offset() if len(segs) == 1 else None
            if (at is None or at % VIEW_ALIGN or t in graph.outputs or t.dtype != x.dtype
                    or any(t is o for o in graph.inputs)):
                kept.append(t)
                continue
            t.alias_of, t.alias_offset = x, at
        if len(kept) != len(op.outputs):
            op.context.all_outputs = outs
            op.outputs = kept
            if not kept:
                graph.ops.remove(op)


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


def pad_value(op: Op, y: Tensor) -> tuple[Optional[Tensor], float | int]:
    """EvalInt / Eval: (PADV2's value tensor or None, the constant value). PAD pads with the output
    zero point (0 for unquantized and wider-than-8-bit... as the reference's pad_value)."""
    const = op.inputs[2] if op.kind == "PADV2" and len(op.inputs) > 2 else None
    if const is None:
        return None, (y.quant.zp if y.quant is not None else 0)
    require(const.size == 1, op, "the padding value must be a scalar")
    require(const.dtype == y.dtype, op, f"padding value type {const.dtype} differs from the output's {y.dtype}")
    if y.quant is not None and y.dtype in ("int8", "int16") and const.quant is not None:
        require(const.quant.zp == y.quant.zp and np.float32(const.quant.s) == np.float32(y.quant.s), op,
                "the padding value must have the output's scale and zero point (the reference requires it)")
    if const.is_const:
        assert const.data is not None
        return None, np.asarray(const.data).reshape(-1)[0].item()
    return const, 0


@register("PAD", "PADV2", dtypes=ALL_TYPES)
def lower_pad(op: Op, graph: Graph) -> KernelCall:
    x, paddings = op.input(0), op.input(1)
    y = op.outputs[0]
    _same_type(op, x, y)
    _dims_ok(op, x)
    rank = len(x.shape)
    require(rank <= PAD_MAX_RANK, op, f"rank {rank} input; the reference pads at most {PAD_MAX_RANK} dimensions")
    pv = _const_ints(op, paddings, "paddings")
    require(len(pv) == 2 * rank, op, f"paddings should be ({rank}, 2)")
    require(all(v >= 0 for v in pv), op, "negative paddings are not supported (the reference rejects them)")
    pads = [(pv[2 * i], pv[2 * i + 1]) for i in range(rank)]
    want = tuple(int(d) + b + a for d, (b, a) in zip(x.shape, pads))
    require(tuple(y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    if x.quant is not None and y.quant is not None and x.dtype in ("int8", "int16"):
        require(x.quant.zp == y.quant.zp and np.float32(x.quant.s) == np.float32(y.quant.s), op,
                "input and output quantization differ: PAD copies bytes, so the converter never emits this")
    value_t, value = pad_value(op, y)
    es = DTYPE_BYTES[x.dtype]
    dims = pad_dims(tuple(int(d) for d in x.shape), pads)
    params = dict(ndim=len(dims), elem_size=es, in_shape=c_array([d[0] for d in dims]),
                  pad_before=c_array([d[1] for d in dims]), pad_after=c_array([d[2] for d in dims]))
    consts: dict[str, ConstArray] = {}
    inputs = [x]
    if value_t is None:
        require(y.dtype in ("float32", "bool") or _fits(y.dtype, value), op, f"padding value {value} is outside {y.dtype}")
        consts["value"] = ConstArray("uint8_t", _fill_bytes(y.dtype, value), align=8)
    else:
        inputs.append(value_t)
    no_padding = all(b == 0 and a == 0 for b, a in pads)
    return KernelCall(op=op, template="pad.c.j2", header="tinyengine/te_layout.h", inputs=inputs, outputs=[y],
                      params=params, consts=consts, inplace=[(0, 0)] if no_padding else [],
                      note="copy" if no_padding else "")


def _fits(dtype: str, value: float | int) -> bool:
    info = np.iinfo(np.dtype(NUMPY_DTYPES[dtype]))
    return float(value) == int(value) and info.min <= int(value) <= info.max


# ------------------------------------------------------------------------ CONCATENATION, PACK

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


def _same_quant(a: Tensor, b: Tensor) -> bool:
    return (a.quant is None and b.quant is None) or (
        a.quant is not None and b.quant is not None and a.quant.zp == b.quant.zp
        and np.float32(a.quant.s) == np.float32(b.quant.s))


def _concat_parts(op: Op) -> tuple[list[Tensor], Tensor, int]:
    y = op.outputs[0]
    require(len(op.inputs) >= 1 and all(t is not None for t in op.inputs), op, "needs at least one input")
    ins = all_present(op, op.inputs)
    for t in ins:
        _same_type(op, y, t)
        _dims_ok(op, t)
    rank = len(y.shape)
    if op.kind == "PACK":
        require(all(tuple(t.shape) == tuple(ins[0].shape) for t in ins), op, "PACK inputs differ in shape")
        axis = int(op.options.get("axis", 0))
        axis = axis + rank if axis < 0 else axis
        require(0 <= axis < rank, op, f"axis {op.options.get('axis')} is out of range for rank {rank}")
        want = tuple(ins[0].shape[:axis]) + (len(ins),) + tuple(ins[0].shape[axis:])
        require(tuple(y.shape) == tuple(int(d) for d in want), op, f"output shape {y.shape} does not match {want}")
        return ins, y, axis
    require(str(op.options.get("fused_activation_function", "NONE")) == "NONE", op,
            "a fused activation is not supported (the reference rejects it)")
    axis = int(op.options.get("axis", 0))
    axis = axis + rank if axis < 0 else axis
    require(0 <= axis < rank, op, f"axis {op.options.get('axis')} is out of range for rank {rank}")
    for t in ins:
        require(len(t.shape) == rank and all(int(t.shape[d]) == int(y.shape[d]) for d in range(rank) if d != axis),
                op, f"input shape {t.shape} does not match output {y.shape} outside axis {axis}")
    require(sum(int(t.shape[axis]) for t in ins) == int(y.shape[axis]), op, "input extents do not sum to the output's")
    return ins, y, axis


@register("PACK", dtypes=NUMERIC)
@register("CONCATENATION", dtypes=ALL_TYPES)
def lower_concatenation(op: Op, graph: Graph) -> KernelCall:
    ins, y, axis = _concat_parts(op)
    es = DTYPE_BYTES[y.dtype]
    outer = int(np.prod([int(d) for d in y.shape[:axis]], dtype=np.int64))
    legacy = op.context.legacy_uint8
    luts: list[np.ndarray] = []
    lut_index: list[int] = []
    for t in ins:
        if _same_quant(t, y) or y.dtype not in ("int8", "uint8") or not legacy:
            if y.dtype == "int8" and not legacy:
                require(_same_quant(t, y), op, f"input '{t.name}' is quantized differently from the output; LiteRT's "
                        "int8 CONCATENATION rejects that (only uint8 models rescale)")
            lut_index.append(-1)
            continue
        require(t.quant is not None and y.quant is not None, op, f"input '{t.name}' has no quantization")
        assert t.quant is not None and y.quant is not None
        lut_index.append(256 * len(luts))
        luts.append(concat_lut(t.quant.s, t.quant.zp, y.quant.s, y.quant.zp))
    sizes = [t.size // outer * es for t in ins]
    consts = {"copy_bytes": i32(np.array(sizes, np.int64))}
    if luts:
        consts["luts"] = ConstArray("int8_t", np.concatenate(luts))
        consts["lut_index"] = i32(np.array(lut_index, np.int64))
    params = dict(outer=outer, num_inputs=len(ins))
    return KernelCall(op=op, template="concatenation.c.j2", header="tinyengine/te_layout.h", inputs=ins,
                      outputs=[y], params=params, consts=consts,
                      note=f"axis {axis}" + (", rescaled" if luts else ""))


@folder("CONCATENATION", "PACK")
def fold_concatenation(op: Op) -> Optional[list[np.ndarray]]:
    try:
        ins, y, axis = _concat_parts(op)
    except LoweringError:
        return None
    if op.kind == "CONCATENATION" and not all(_same_quant(t, y) for t in ins):
        return None  # legacy uint8 rescaling: left to the kernel
    datas = [np.asarray(t.data) for t in ins]
    if op.kind == "PACK":
        return [np.stack(datas, axis=axis)]
    return [np.concatenate(datas, axis=axis)]


# ------------------------------------------------------------------------ FILL, ZEROS_LIKE

@register("FILL", dtypes=("int32", "int64"), note="the dims type; any value type", type_input=0)
def lower_fill(op: Op, graph: Graph) -> KernelCall:
    dims_t, value = op.input(0), op.input(1)
    y = op.outputs[0]
    require(value is not None and value.size == 1 and len(value.shape) == 0, op, "the value must be a scalar")
    assert value is not None
    require(value.dtype == y.dtype and y.dtype in ALL_TYPES, op, f"value type {value.dtype}, output {y.dtype}")
    dims = _const_ints(op, dims_t, "the dims")
    require(tuple(dims) == tuple(int(d) for d in y.shape), op, f"output shape {y.shape} does not match {dims}")
    _dims_ok(op, y)
    return KernelCall(op=op, template="fill.c.j2", header="tinyengine/te_layout.h", inputs=[value], outputs=[y],
                      params=dict(count=y.size, elem_size=DTYPE_BYTES[y.dtype]))


@register("ZEROS_LIKE", dtypes=("int32", "int64", "float32"))
def lower_zeros_like(op: Op, graph: Graph) -> KernelCall:
    x, y = op.input(0), op.outputs[0]
    _same_type(op, x, y)
    _dims_ok(op, y)
    consts = {"value": ConstArray("uint8_t", np.zeros(DTYPE_BYTES[y.dtype], np.uint8), align=8)}
    return KernelCall(op=op, template="fill.c.j2", header="tinyengine/te_layout.h", inputs=[], outputs=[y],
                      params=dict(count=y.size, elem_size=DTYPE_BYTES[y.dtype]), consts=consts)


@folder("FILL")
def fold_fill(op: Op) -> Optional[list[np.ndarray]]:
    y, value = op.outputs[0], op.input(1)
    assert value is not None and value.data is not None
    if y.size > 64:
        return None  # a kernel call is cheaper than a large constant in flash
    return [np.full(y.shape, np.asarray(value.data).reshape(-1)[0], dtype=NUMPY_DTYPES[y.dtype])]


@folder("ZEROS_LIKE")
def fold_zeros_like(op: Op) -> Optional[list[np.ndarray]]:
    y = op.outputs[0]
    return [np.zeros(y.shape, NUMPY_DTYPES[y.dtype])] if y.size <= 64 else None


# ------------------------------------------------------------------------- GATHER, GATHER_ND

INDEX_TYPES = ("int16", "int32", "int64")


def _check_const_indices(op: Op, idx: Tensor, limits: list[int]) -> None:
    """Constant indices are checked here: LiteRT fails the invoke on one out of range."""
    if not idx.is_const:
        return
    assert idx.data is not None
    v = np.asarray(idx.data).astype(np.int64).reshape(-1, len(limits))
    for k, n in enumerate(limits):
        require(bool(np.all((v[:, k] >= 0) & (v[:, k] < n))), op, f"an index is outside [0, {n})")


@register("GATHER", dtypes=ALL_TYPES, note="axis, batch_dims; int16/int32/int64 indices")
def lower_gather(op: Op, graph: Graph) -> KernelCall:
    x, idx = op.input(0), op.input(1)
    y = op.outputs[0]
    require(idx is not None and idx.dtype in INDEX_TYPES, op, "indices must be int16, int32 or int64")
    assert idx is not None
    _same_type(op, x, y)
    _dims_ok(op, x)
    _dims_ok(op, y)
    rank, irank = len(x.shape), len(idx.shape)
    axis = _axis(op, int(op.options.get("axis", 0)), rank)
    bd = int(op.options.get("batch_dims", 0))
    bd = bd + irank if bd < 0 else bd
    require(0 <= bd <= axis and bd < rank and bd <= irank, op, f"invalid batch_dims {op.options.get('batch_dims')}")
    require(all(int(x.shape[i]) == int(idx.shape[i]) for i in range(bd)), op, "batch dimensions differ")
    want = tuple(int(d) for d in x.shape[:axis]) + tuple(int(d) for d in idx.shape[bd:]) + \
        tuple(int(d) for d in x.shape[axis + 1:])
    require(tuple(int(d) for d in y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    _check_const_indices(op, idx, [int(x.shape[axis])])
    es = DTYPE_BYTES[x.dtype]
    params = dict(batch=int(np.prod(x.shape[:bd], dtype=np.int64)), outer=int(np.prod(x.shape[bd:axis], dtype=np.int64)),
                  coords=int(np.prod(idx.shape[bd:], dtype=np.int64)), axis_size=int(x.shape[axis]),
                  inner_bytes=int(np.prod(x.shape[axis + 1:], dtype=np.int64)) * es,
                  index_size=DTYPE_BYTES[idx.dtype])
    return KernelCall(op=op, template="gather.c.j2", header="tinyengine/te_layout.h", inputs=[x, idx], outputs=[y],
                      params=params, note=f"axis {axis}" + (f", batch_dims {bd}" if bd else ""))


@register("GATHER_ND", dtypes=ALL_TYPES, note="int16/int32/int64 indices")
def lower_gather_nd(op: Op, graph: Graph) -> KernelCall:
    x, idx = op.input(0), op.input(1)
    y = op.outputs[0]
    require(idx is not None and idx.dtype in INDEX_TYPES, op, "indices must be int16, int32 or int64")
    assert idx is not None
    _same_type(op, x, y)
    _dims_ok(op, x)
    _dims_ok(op, y)
    rank, irank = len(x.shape), len(idx.shape)
    require(irank >= 1 and rank >= 1, op, "params and indices must be at least vectors")
    nd = int(idx.shape[-1])
    require(0 <= nd <= rank and nd <= MAX_DIMS, op, f"index depth {nd} does not fit params of rank {rank}")
    want = tuple(int(d) for d in idx.shape[:-1]) + tuple(int(d) for d in x.shape[nd:])
    require(tuple(int(d) for d in y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    if nd:
        _check_const_indices(op, idx, [int(d) for d in x.shape[:nd]])
    es = DTYPE_BYTES[x.dtype]
    st = _strides(x.shape, es)
    params = dict(n_slices=int(np.prod(idx.shape[:-1], dtype=np.int64)), nd=nd,
                  slice_bytes=int(np.prod(x.shape[nd:], dtype=np.int64)) * es, index_size=DTYPE_BYTES[idx.dtype],
                  dims=c_array([int(d) for d in x.shape[:nd]]), dim_bytes=c_array(st[:nd]))
    return KernelCall(op=op, template="gather_nd.c.j2", header="tinyengine/te_layout.h", inputs=[x, idx],
                      outputs=[y], params=params, note=f"depth {nd}")


@folder("GATHER", "GATHER_ND")
def fold_gather(op: Op) -> Optional[list[np.ndarray]]:
    x, idx = op.input(0), op.input(1)
    assert x is not None and idx is not None and x.data is not None and idx.data is not None
    data, ind = np.asarray(x.data), np.asarray(idx.data).astype(np.int64)
    if (ind < 0).any():
        return None  # LiteRT fails the invoke: the lowering reports it
    try:
        if op.kind == "GATHER":
            axis = int(op.options.get("axis", 0)) % len(x.shape)
            bd = int(op.options.get("batch_dims", 0)) % max(len(idx.shape), 1) if op.options.get("batch_dims") else 0
            if bd:
                return None
            return [np.take(data, ind, axis=axis)]
        nd = ind.shape[-1]
        flat = ind.reshape(-1, nd)
        return [np.stack([data[tuple(r)] for r in flat]).reshape(op.outputs[0].shape)]
    except IndexError:
        return None


@register("EMBEDDING_LOOKUP", dtypes=ALL_TYPES, type_input=1, note="int32 lookup; int8 table to float (hybrid)")
def lower_embedding_lookup(op: Op, graph: Graph) -> KernelCall:
    """EvalSimple: rows of the value table picked by the int32 lookup (a GATHER on axis 0)."""
    lookup, value = op.input(0), op.input(1)
    y = op.outputs[0]
    require(lookup is not None and value is not None and lookup.dtype == "int32" and len(lookup.shape) == 1, op,
            "the lookup must be a 1-D int32 tensor")
    assert lookup is not None and value is not None
    if value.dtype == "int8" and y.dtype == "float32" and not op.context.legacy_uint8:
        from .embedding import lower_embedding_hybrid  # EvalHybrid: int8 rows dequantized to float
        return lower_embedding_hybrid(op, lookup, value, y)
    require(value.dtype == y.dtype and y.dtype in ALL_TYPES, op,
            f"value type {value.dtype} and output type {y.dtype} differ (hybrid dequantization is not supported)")
    require(len(value.shape) >= 2 and all(int(d) > 0 for d in value.shape), op, "the value table must be at least 2-D")
    want = (int(lookup.shape[0]),) + tuple(int(d) for d in value.shape[1:])
    require(tuple(int(d) for d in y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    _check_const_indices(op, lookup, [int(value.shape[0])])
    es = DTYPE_BYTES[value.dtype]
    params = dict(batch=1, outer=1, coords=int(lookup.shape[0]), axis_size=int(value.shape[0]),
                  inner_bytes=int(np.prod(value.shape[1:], dtype=np.int64)) * es, index_size=4)
    return KernelCall(op=op, template="gather.c.j2", header="tinyengine/te_layout.h", inputs=[value, lookup],
                      outputs=[y], params=params, note="rows")


@register("DYNAMIC_UPDATE_SLICE", dtypes=ALL_TYPES, note="run-time start indices; in place")
def lower_dynamic_update_slice(op: Op, graph: Graph) -> KernelCall:
    x, update, start = op.input(0), op.input(1), op.input(2)
    y = op.outputs[0]
    require(update is not None and start is not None and len(op.inputs) == 3, op, "needs operand, update and start")
    assert update is not None and start is not None
    _same_type(op, x, update, y)
    _dims_ok(op, x)
    _dims_ok(op, update)
    rank = len(x.shape)
    require(len(update.shape) == rank and tuple(y.shape) == tuple(x.shape), op,
            "update and output must match the operand's rank")
    require(all(int(u) <= int(d) for u, d in zip(update.shape, x.shape)), op, "the update is larger than the operand")
    require(start.dtype in ("int32", "int64") and tuple(start.shape) == (rank,), op,
            f"start indices must be {rank} int32 or int64 values")
    require(rank <= MAX_DIMS, op, f"rank {rank}, at most {MAX_DIMS} supported")
    params = dict(ndim=rank, elem_size=DTYPE_BYTES[x.dtype], index_size=DTYPE_BYTES[start.dtype],
                  in_shape=c_array([int(d) for d in x.shape]), up_shape=c_array([int(d) for d in update.shape]),
                  out_bytes=y.nbytes)
    return KernelCall(op=op, template="update_slice.c.j2", header="tinyengine/te_layout.h",
                      inputs=[x, update, start], outputs=[y], params=params, inplace=[(0, 0)])


# BROADCAST_ARGS only computes a shape: always constant in a static graph, folded here.
PASS_HANDLED.add("BROADCAST_ARGS")


@folder("BROADCAST_ARGS")
def fold_broadcast_args(op: Op) -> Optional[list[np.ndarray]]:
    a, b = (np.asarray(t.data).reshape(-1).tolist() for t in op.inputs if t is not None and t.data is not None)
    rank = max(len(a), len(b))
    a, b = [1] * (rank - len(a)) + a, [1] * (rank - len(b)) + b
    if any(x != y and x != 1 and y != 1 for x, y in zip(a, b)):
        return None
    out = [y if x == 1 else x for x, y in zip(a, b)]
    return [np.asarray(out, NUMPY_DTYPES[op.outputs[0].dtype])]
