"""AVERAGE_POOL_2D and MAX_POOL_2D lowerings.

Matches LiteRT's reference registration (pooling.cc, kReference):
- int8: reference_integer_ops::AveragePool / MaxPool;
- int16: reference_integer_ops::AveragePool / MaxPool for int16 (the same loops; te_*_pool2d_s16);
- uint8 (legacy, moved to int8 storage): reference_ops::AveragePool / MaxPool on uint8. Max is
  order-preserving under the shift; the uint8 average rounds (sum + n/2) / n on a non-negative
  sum, which the kernel reproduces with `legacy_uint8`.
Neither op rescales: the reference only DCHECKs that input and output share scale and zero point
(a no-op in release builds) and moves integer values through unchanged, so neither do we.
The fused activation clamps to CalculateActivationRangeQuantized of the output tensor.
"""
from __future__ import annotations

from .. import quant as q
from ..ir import Graph, Op, Tensor
from .base import KernelCall, fused_activation, register, require, require_quant, window_geometry


def pool_geometry(op: Op, x: Tensor, y: Tensor, average: bool) -> dict[str, int]:
    """The window parameters of a 2-D pool of any type (te_pool_params / te_pool_f32_params names),
    checked: 4-D NHWC shapes, positive filter and strides, SAME/VALID as TFLite computes them or
    the explicit padding of a band (patches.py; padded taps are skipped either way: max ignores
    them, average does not count them), the output shape, and for an average a pixel in every
    window (the reference returns an error for an empty one; the kernels rely on it)."""
    require(len(x.shape) == 4 and len(y.shape) == 4, op, "expects 4-D NHWC input and output")
    n, ih, iw, ch = (int(d) for d in x.shape)
    o = op.options
    kh, kw = int(o.get("filter_height", 1)), int(o.get("filter_width", 1))
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    require(kh > 0 and kw > 0 and sh > 0 and sw > 0, op, "filter size and strides must be positive")
    require(min(ih, iw, ch) > 0, op, "empty input dimension")
    padding = str(o.get("padding", "VALID"))
    require(padding in ("SAME", "VALID"), op, f"unknown padding {padding}")
    oh, ow, pad_top, pad_left = window_geometry(op, ih, iw, kh, kw, sh, sw)
    require(oh > 0 and ow > 0, op, f"output would be {oh}x{ow}: filter larger than the input")
    require(tuple(y.shape) == (n, oh, ow, ch), op, f"output shape {y.shape} does not match {(n, oh, ow, ch)}")
    if average:
        # The reference returns an error for a window with no input pixel; the kernel relies on it.
        for axis, (o_n, s, pad, k, size) in {"rows": (oh, sh, pad_top, kh, ih), "columns": (ow, sw, pad_left, kw, iw)}.items():
            for i in range(o_n):
                origin = i * s - pad
                require(min(k, size - origin) > max(0, -origin), op,
                        f"pooling window {i} along {axis} covers no input pixel")
    return dict(batches=n, in_h=ih, in_w=iw, channels=ch, out_h=oh, out_w=ow, k_h=kh, k_w=kw,
                stride_h=sh, stride_w=sw, pad_top=pad_top, pad_left=pad_left)


def _lower_pool(op: Op, template: str, average: bool) -> KernelCall:
    require(len(op.inputs) == 1 and len(op.outputs) == 1, op, "expects one input and one output")
    x, y = op.input(0), op.outputs[0]
    legacy = op.context.legacy_uint8
    require_quant(op, x, y)
    require(x.dtype == y.dtype and x.dtype in ("int8", "int16"), op,
            f"needs int8 or int16 input and output of one type, got {x.dtype}/{y.dtype}")
    g = pool_geometry(op, x, y, average)
    kh, kw, sh = g["k_h"], g["k_w"], g["stride_h"]
    if average:
        require(kh * kw * 65536 < 2**31, op, "pooling window too large for an int32 sum")
    act = fused_activation(op)
    require(act in (q.ACT_NONE, q.ACT_RELU, q.ACT_RELU6, q.ACT_RELU_N1_TO_1), op, f"fused activation {act} not supported")
    act_min, act_max = q.activation_range(act, y.dtype, y.q.s, y.q.zp)
    params = dict(g, act_min=act_min, act_max=act_max, legacy_uint8=int(legacy and average))
    note = f"{kh}x{kw}/s{sh}" + (" uint8" if legacy else "")
    return KernelCall(op=op, template=template, header="tinyengine/te_pooling.h", inputs=[x], outputs=[y],
                      params=params, macs=g["batches"] * g["out_h"] * g["out_w"] * g["channels"] * kh * kw, note=note)


@register("AVERAGE_POOL_2D", dtypes=("int8", "uint8", "int16"), simd=("dsp", "mve"), note="SIMD: int8 / uint8")
def lower_avg_pool2d(op: Op, graph: Graph) -> KernelCall:
    return _lower_pool(op, "avg_pool2d.c.j2", average=True)


@register("MAX_POOL_2D", dtypes=("int8", "uint8", "int16"), simd=("dsp", "mve"), note="SIMD: int8 / uint8")
def lower_max_pool2d(op: Op, graph: Graph) -> KernelCall:
    return _lower_pool(op, "max_pool2d.c.j2", average=False)
