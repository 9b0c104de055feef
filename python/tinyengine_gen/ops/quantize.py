"""QUANTIZE, DEQUANTIZE and the internal TE_FLIP_SIGN lowerings (model edges).

LiteRT reference (quantize.cc / dequantize.cc, kReference):
- QUANTIZE float32 -> int8/uint8: reference_ops::AffineQuantize;
- QUANTIZE int8/uint8 -> int8/uint8: reference_ops::Requantize with
  QuantizeMultiplier((double)input_scale / (double)output_scale);
- DEQUANTIZE int8 -> float32: reference_integer_ops::Dequantize, uint8: reference_ops::Dequantize.
Legacy uint8 tensors that passes.py moved to int8 storage (zero point - 128) give the same
values through these formulas, so one kernel per storage type covers both.
"""
from __future__ import annotations

import math

import numpy as np

from .. import quant as q
from ..ir import Graph, Op, Tensor
from .base import KernelCall, register, require, require_quant

EIGHT_BIT = ("int8", "uint8")
EDGE_FLIP = "TE_FLIP_SIGN"  # passes.EDGE_FLIP (not imported: passes imports this package)


def c_float(value: float) -> str:
    """A C float literal that parses to exactly this float32 value."""
    v = float(np.float32(value))
    if not math.isfinite(v):
        raise ValueError(f"not a finite float: {value}")
    return f"{v!r}f"


def _per_tensor(op: Op, t: Tensor) -> None:
    require_quant(op, t)
    require(not t.q.per_channel, op, f"tensor '{t.name}' is quantized per channel; only per-tensor "
            "quantization is supported at model edges")


@register("QUANTIZE", dtypes=("float32", "int8", "uint8"), simd=("mve",),
          note="SIMD: float32 -> int8 / uint8 (M4: rounding without a libm call)")
def lower_quantize(op: Op, graph: Graph) -> KernelCall:
    x, y = op.input(0), op.outputs[0]
    require(x.size == y.size, op, "input and output sizes differ")
    require(y.dtype in EIGHT_BIT + ("int16",), op, f"needs an int8, uint8 or int16 output, got {y.dtype}")
    _per_tensor(op, y)
    if x.dtype == "float32":
        params = dict(size=x.size, scale=c_float(y.q.s), zero_point=y.q.zp)
        return KernelCall(op=op, template="quantize.c.j2", header="tinyengine/te_quantize.h",
                          inputs=[x], outputs=[y], params=params, inplace=[(0, 0)],
                          note=f"float32->{y.dtype}")
    require(x.dtype in EIGHT_BIT, op, f"needs a float32, int8 or uint8 input, got {x.dtype}")
    if y.dtype == "int16":  # 8 bit -> int16 (int8x16 models); ops/int16x8.py has the wider pairs
        _per_tensor(op, x)
        _per_tensor(op, y)
        mult, shift = q.quantize_multiplier(float(x.q.s) / float(y.q.s))
        params16 = dict(size=x.size, multiplier=mult, shift=shift, input_zero_point=x.q.zp,
                        output_zero_point=y.q.zp, flip_only=0)
        return KernelCall(op=op, template="requantize.c.j2", header="tinyengine/te_quantize.h",
                          inputs=[x], outputs=[y], params=params16, inplace=[(0, 0)], note=f"{x.dtype}->int16")
    _per_tensor(op, x)
    mult, shift = q.quantize_multiplier(float(x.q.s) / float(y.q.s))
    zp_in, zp_out = x.q.zp, y.q.zp
    # reference_ops::Requantize's shortcut (same scale, int8 <-> uint8, zero points 128 apart).
    flip = mult == (1 << 30) and shift == 1 and (
        (x.dtype, y.dtype, zp_in - zp_out) in (("uint8", "int8", 128), ("int8", "uint8", -128)))
    params = dict(size=x.size, multiplier=mult, shift=shift, input_zero_point=zp_in,
                  output_zero_point=zp_out, flip_only=int(flip))
    return KernelCall(op=op, template="requantize.c.j2", header="tinyengine/te_quantize.h",
                      inputs=[x], outputs=[y], params=params, inplace=[(0, 0)],
                      note=f"{x.dtype}->{y.dtype}" + (" (bit-7 flip)" if flip else ""))


@register("DEQUANTIZE", dtypes=("int8", "uint8"))
def lower_dequantize(op: Op, graph: Graph) -> KernelCall:
    x, y = op.input(0), op.outputs[0]
    require(x.size == y.size, op, "input and output sizes differ")
    require(x.dtype in EIGHT_BIT, op, f"needs an int8 or uint8 input, got {x.dtype}")
    require(y.dtype == "float32", op, f"needs a float32 output, got {y.dtype}")
    _per_tensor(op, x)
    params = dict(size=x.size, scale=c_float(x.q.s), zero_point=x.q.zp)
    return KernelCall(op=op, template="dequantize.c.j2", header="tinyengine/te_quantize.h",
                      inputs=[x], outputs=[y], params=params, inplace=[(0, 0)],
                      note=f"{x.dtype}->float32")


@register(EDGE_FLIP)
def lower_flip_sign(op: Op, graph: Graph) -> KernelCall:
    x, y = op.input(0), op.outputs[0]
    require(x.size == y.size, op, "input and output sizes differ")
    require({x.dtype, y.dtype} == {"int8", "uint8"}, op,
            f"flips between uint8 and int8 storage, got {x.dtype} -> {y.dtype}")
    return KernelCall(op=op, template="flip_sign.c.j2", header="tinyengine/te_quantize.h",
                      inputs=[x], outputs=[y], params=dict(size=x.size), inplace=[(0, 0)],
                      note=f"{x.dtype}->{y.dtype}")
