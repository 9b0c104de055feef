"""RESIZE_BILINEAR (int8, int16, float32, legacy uint8).

LiteRT's reference (resize_bilinear.cc, kReference) uses two arithmetics:
- int8 and int16: reference_ops::ResizeBilinearInteger (10-bit fixed-point positions, 20-bit
  weighted sums rounded half away from zero), reproduced in integers (te_resize_bilinear_s8/s16);
- float32 and uint8: reference_ops::ResizeBilinear<T>, float32 positions and weights; uint8 adds
  0.5 and truncates. The kernels evaluate the same float32 expression in the same order. For uint8,
  when every weight is a multiple of 2^-m and every product and partial sum of that expression is
  exact in float32 (e.g. deeplab's 33 -> 513 align_corners upsampling, weights k/16), the generator
  proves it here and the kernel computes the identical value in integers (frac_bits = m), which
  the DSP path does two channels per 32-bit multiply.
Same-size resizes of integer types copy their input exactly: they become views (see
layout.view_slices).
"""
from __future__ import annotations

import dataclasses
import math
from typing import Optional

import numpy as np

from ..ir import DTYPE_BYTES, Graph, Op, Tensor
from .base import KernelCall, register, require
from .layout import resize_size

MAX_FRAC_BITS = 11
POS_BYTES = 24  # sizeof(te_bilinear_pos), six 4-byte fields on every core


def bilinear_scratch_bytes(out_w: int) -> int:
    """te_resize_bilinear_scratch_bytes: one te_bilinear_pos per output column."""
    return POS_BYTES * out_w


def bilinear_positions_f32(in_size: int, out_size: int, align_corners: bool,
                           half_pixel_centers: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ComputeInterpolationValues in float32 for every output index: (lo, frac, 1 - frac)."""
    f32 = np.float32
    if align_corners and out_size > 1:
        scale = f32(in_size - 1) / f32(out_size - 1)
    else:
        scale = f32(in_size) / f32(out_size)
    lo, frac, one_minus = [], [], []
    for i in range(out_size):
        v = (f32(i) + f32(0.5)) * scale - f32(0.5) if half_pixel_centers else f32(i) * scale
        low = max(int(math.floor(float(v))), 0)
        fr = f32(v - f32(low))
        lo.append(low)
        frac.append(fr)
        one_minus.append(f32(f32(1.0) - fr))
    return np.asarray(lo), np.asarray(frac, np.float32), np.asarray(one_minus, np.float32)


def _dyadic_bits(values: np.ndarray) -> Optional[int]:
    """The smallest m with every value a multiple of 2^-m, None beyond MAX_FRAC_BITS."""
    for m in range(MAX_FRAC_BITS + 1):
        scaled = values.astype(np.float64) * (1 << m)
        if np.all(scaled == np.round(scaled)):
            return m
    return None


def exact_frac_bits(in_h: int, in_w: int, out_h: int, out_w: int, ac: bool, hpc: bool) -> int:
    """m >= 0 when the uint8 float expression is exact in float32 with weights k * 2^-m (every
    product a * w_y * w_x and every partial sum an integer multiple of 4^-m below 2^24), else -1."""
    _, fy, gy = bilinear_positions_f32(in_h, out_h, ac, hpc)
    _, fx, gx = bilinear_positions_f32(in_w, out_w, ac, hpc)
    m_y = _dyadic_bits(np.concatenate([fy, gy]))
    m_x = _dyadic_bits(np.concatenate([fx, gx]))
    if m_y is None or m_x is None:
        return -1
    m = max(m_y, m_x)
    sum_y = float(np.max(np.abs(fy.astype(np.float64)) + np.abs(gy.astype(np.float64))))
    sum_x = float(np.max(np.abs(fx.astype(np.float64)) + np.abs(gx.astype(np.float64))))
    bound = 255 * sum_y * sum_x * 4 ** m + 4 ** m
    return m if bound < 2 ** 23 else -1


def _bilinear_params(op: Op, x: Tensor, y: Tensor, out_h: int, out_w: int) -> tuple[dict, str, list[str]]:
    """(kernel params, kernel type suffix, notes) of a RESIZE_BILINEAR from x to an out_h x out_w map."""
    require(all(int(d) > 0 for d in x.shape), op, f"empty input shape {x.shape} is not supported")
    ac = bool(op.options.get("align_corners", False))
    hpc = bool(op.options.get("half_pixel_centers", False))
    require(not (ac and hpc), op, "half_pixel_centers needs align_corners false (the reference rejects both)")
    n, in_h, in_w, c = (int(d) for d in x.shape)
    frac_bits = -1
    if x.dtype == "float32":
        suffix = "f32"
    elif op.context.legacy_uint8:
        suffix = "u8"
        frac_bits = exact_frac_bits(in_h, in_w, out_h, out_w, ac, hpc)
    else:
        suffix = {"int8": "s8", "int16": "s16"}[x.dtype]
    params = dict(batches=n, in_h=in_h, in_w=in_w, depth=c, out_h=out_h, out_w=out_w, align_corners=int(ac),
                  half_pixel_centers=int(hpc), frac_bits=frac_bits)
    flags = [f for f, on in (("align_corners", ac), ("half_pixel_centers", hpc)) if on]
    if frac_bits >= 0:
        flags.append(f"exact in integers, 2^-{frac_bits} weights")
    return params, suffix, flags


@register("RESIZE_BILINEAR", dtypes=("int8", "uint8", "int16", "float32"), simd=("dsp",),
          note="align_corners, half_pixel_centers; fused with a following channel ARG_MAX/ARG_MIN")
def lower_resize_bilinear(op: Op, graph: Graph) -> KernelCall:
    x, y = op.input(0), op.outputs[0]
    require(x.dtype == y.dtype, op, f"output type {y.dtype} differs from the input's {x.dtype}")
    out_h, out_w = resize_size(op, x, y)
    params, suffix, flags = _bilinear_params(op, x, y, out_h, out_w)
    return KernelCall(op=op, template="resize_bilinear.c.j2", header="tinyengine/te_resize.h", inputs=[x],
                      outputs=[y], params=dict(params, kernel=f"te_resize_bilinear_{suffix}"), macs=4 * y.size,
                      scratch_bytes=bilinear_scratch_bytes(out_w), note=", ".join(flags))


# ------------------------------------------------------------------ RESIZE_BILINEAR + ARG_MAX

RESIZE_ARG = "TE_RESIZE_BILINEAR_ARG"  # internal op: a resize whose only reader is a channel ARG_MAX/MIN


def fuse_resize_arg(graph: Graph) -> None:
    """RESIZE_BILINEAR followed only by ARG_MAX / ARG_MIN over the channel axis becomes one op that
    resizes pixel by pixel and keeps the index: the resized map (deeplab's 513x513x21) is never
    stored. The values are the resize kernel's, so the indices are the reference's."""
    for op in list(graph.ops):
        if op.kind != "RESIZE_BILINEAR" or op.outputs[0] in graph.outputs:
            continue
        y = op.outputs[0]
        users = graph.consumers(y)
        if len(users) != 1 or users[0].kind not in ("ARG_MAX", "ARG_MIN") or users[0].inputs[0] is not y:
            continue
        arg = users[0]
        axis = arg.input(1)
        if (axis is None or not axis.is_const or axis.size != 1 or len(y.shape) != 4
                or int(np.asarray(axis.data).reshape(-1)[0]) % 4 != 3 or y.dtype not in ("int8", "float32")
                or arg.outputs[0].dtype not in ("int32", "int64") or arg.outputs[0] in graph.inputs):
            continue
        fused = Op(index=arg.index, kind=RESIZE_ARG, inputs=[op.input(0), op.input(1)], outputs=[arg.outputs[0]],
                   options=dict(op.options),
                   context=dataclasses.replace(op.context, fused_arg=arg.kind, resize_index=op.index))
        graph.ops[graph.ops.index(op)] = fused
        graph.ops.remove(arg)


@register(RESIZE_ARG, dtypes=("int8", "uint8", "float32"), simd=("dsp",))
def lower_resize_arg(op: Op, graph: Graph) -> KernelCall:
    x, out = op.input(0), op.outputs[0]
    n, _, _, c = (int(d) for d in x.shape)
    size = op.input(1)
    require(size is not None and size.is_const and size.size == 2, op, "the size input must be a constant of 2 values")
    assert size is not None and size.data is not None
    out_h, out_w = (int(v) for v in np.asarray(size.data).reshape(-1))
    require(tuple(int(d) for d in out.shape) == (n, out_h, out_w), op, f"output shape {out.shape} does not match")
    params, suffix, flags = _bilinear_params(op, x, out, out_h, out_w)
    params.update(kernel=f"te_resize_bilinear_arg_{suffix}", arg=1 if op.context.fused_arg == "ARG_MAX" else 2,
                  index_size=DTYPE_BYTES[out.dtype])
    return KernelCall(op=op, template="resize_bilinear.c.j2", header="tinyengine/te_resize.h", inputs=[x],
                      outputs=[out], params=params, macs=4 * n * out_h * out_w * c,
                      scratch_bytes=bilinear_scratch_bytes(out_w),
                      note=", ".join(flags + [f"fused with {op.context.fused_arg} (op {op.index})"]))
