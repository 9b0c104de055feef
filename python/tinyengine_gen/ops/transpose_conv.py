"""TRANSPOSE_CONV lowering (int8 per-channel, int16x8, float32).

LiteRT's reference (transpose_conv.cc, kReference): inputs [output_shape, weights OHWI, input,
bias?]; the padding comes from ComputePaddingHeightWidth run on the *output* size (stride,
dilation 1, the filter), and the size that computation gives must equal the input's. Then
- int8: reference_integer_ops::TransposeConv, per-channel (multiplier, shift) from
  PopulateConvolutionQuantizationParams, int32 sums of (x - input_zp) * w (the weight zero point
  is ignored), + bias, MultiplyByQuantizedMultiplier, + output zero point, clamp;
- int16: the same with int64 sums (or int32 ones with an int32 bias and quantized_bias_type
  INT32) and the int16x8 requantization (ops/int16x8.py);
- float32: reference_ops::TransposeConv, float sums in scatter order, + bias, clamp.
"""
from __future__ import annotations

import numpy as np

from .. import quant as q
from ..ir import Graph, Op
from .base import ConstArray, KernelCall, fused_activation, i32, out_size, register, require, require_quant, same_padding
from .int16x8 import ACT_FUSABLE, conv_s16_requant
from .quantize import c_float

MAX_TAPS = 64  # te_transpose_conv.c keeps one axis's taps on the stack
FLT_MAX = float(np.finfo(np.float32).max)


def _float_range(op: Op) -> tuple[float, float]:
    """CalculateActivationRange<float>()."""
    act = fused_activation(op)
    require(act in ACT_FUSABLE, op, f"fused activation {act} not supported")
    return {q.ACT_NONE: (-FLT_MAX, FLT_MAX), q.ACT_RELU: (0.0, FLT_MAX), q.ACT_RELU6: (0.0, 6.0),
            q.ACT_RELU_N1_TO_1: (-1.0, 1.0)}[act]


@register("TRANSPOSE_CONV", dtypes=("int8", "int16", "float32"), simd=("dsp", "mve"),
          note="int8 per-channel, int16x8, float32; SIMD: int8")
def lower_transpose_conv(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) in (3, 4) and len(op.outputs) == 1, op,
            "expects output_shape, weights, input[, bias] and one output")
    shape_t, w, x = op.input(0), op.input(1), op.input(2)
    bias = op.inputs[3] if len(op.inputs) > 3 else None
    y = op.outputs[0]
    require(shape_t is not None and shape_t.is_const, op, "output_shape must be a constant tensor")
    require(w is not None and w.is_const, op, "weights must be constant")
    require(len(x.shape) == 4 and len(w.shape) == 4 and len(y.shape) == 4, op, "expects 4-D NHWC tensors, OHWI weights")
    require(tuple(int(v) for v in shape_t.const_data.reshape(-1)) == tuple(y.shape), op,
            f"output_shape {list(shape_t.const_data.reshape(-1))} does not match the output {y.shape}")
    n, ih, iw, ic = (int(d) for d in x.shape)
    oc, kh, kw, wic = (int(d) for d in w.shape)
    on, oh, ow, yc = (int(d) for d in y.shape)
    require(wic == ic and yc == oc and on == n, op, f"weights {w.shape} do not match input {x.shape} / output {y.shape}")
    require(min(ih, iw, ic, oh, ow, oc, kh, kw) > 0, op, "empty dimension")
    require(kh <= MAX_TAPS and kw <= MAX_TAPS, op, f"filter larger than {MAX_TAPS} taps per axis")
    o = op.options
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    require(sh > 0 and sw > 0, op, "strides must be positive")
    padding = str(o.get("padding", "VALID"))
    require(padding in ("SAME", "VALID"), op, f"unknown padding {padding}")
    ch, cw = out_size(padding, oh, kh, sh), out_size(padding, ow, kw, sw)
    require((ch, cw) == (ih, iw), op, f"input {ih}x{iw} does not match the {padding} size {ch}x{cw} of the output")
    pad_top = same_padding(padding, oh, kh, sh, 1, ch)[0]
    pad_left = same_padding(padding, ow, kw, sw, 1, cw)[0]
    geometry = dict(batches=n, in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, k_h=kh, k_w=kw,
                    stride_h=sh, stride_w=sw, pad_top=pad_top, pad_left=pad_left)
    macs = n * ih * iw * ic * kh * kw * oc
    hdr = "tinyengine/te_transpose_conv.h"
    note = f"{kh}x{kw}/s{sh}"
    if x.dtype == "float32":
        require(w.dtype == "float32" and y.dtype == "float32", op,
                f"float TRANSPOSE_CONV needs float weights and output, got {w.dtype}/{y.dtype}")
        lo, hi = _float_range(op)
        consts = {"weights": ConstArray("float", w.data)}
        if bias is not None:
            require(bias.is_const and bias.dtype == "float32" and bias.size == oc, op, "bias must be a constant float "
                    f"tensor of {oc} values")
            consts["bias"] = ConstArray("float", bias.const_data.reshape(-1))
        params = dict(geometry, act_min=c_float(lo), act_max=c_float(hi))
        return KernelCall(op=op, template="transpose_conv2d.c.j2", header=hdr, inputs=[x], outputs=[y],
                          params=params, consts=consts, macs=macs, note=note + " float")
    require_quant(op, x, w, y)
    require(w.dtype == "int8" and y.dtype == x.dtype, op, f"needs int8 weights and a {x.dtype} output, got "
            f"{w.dtype}/{y.dtype}")
    if w.q.per_channel:
        require(w.q.scale.size == oc, op, f"{w.q.scale.size} filter scales for {oc} output channels")
    act = fused_activation(op)
    require(act in ACT_FUSABLE, op, f"fused activation {act} not supported")
    if x.dtype == "int16":
        for t in (x, y, w):
            require(not np.any(t.q.zero_point), op, f"int16 tensor '{t.name}' must have zero point 0")
        act_min, act_max = q.activation_range(act, "int16", y.q.s, 0)
        wsum = np.abs(w.const_data.reshape(oc, -1).astype(np.int64)).sum(axis=1)
        consts, flags = conv_s16_requant(op, w.const_data, wsum, bias, x, w, y, oc, int32_bias=True)
        consts["weights"] = ConstArray("int8_t", w.data)
        params = dict(geometry, input_offset=0, output_offset=0, act_min=act_min, act_max=act_max, **flags)
        return KernelCall(op=op, template="transpose_conv2d.c.j2", header=hdr, inputs=[x], outputs=[y],
                          params=params, consts=consts, macs=macs, note=note + " int16x8")
    require(x.dtype == "int8", op, f"unsupported input type {x.dtype}")
    declared = int(o.get("quantized_bias_type", 0) or 0)
    require(declared in (0, 2), op, "int8 TRANSPOSE_CONV takes an int32 bias")
    mults, shifts = q.conv_per_channel_multipliers(x.q.s, w.q.scale, y.q.s, oc)
    act_min, act_max = q.activation_range(act, "int8", y.q.s, y.q.zp)
    consts = {"weights": ConstArray("int8_t", w.data), "multiplier": i32(mults), "shift": i32(shifts)}
    if bias is not None:
        require(bias.is_const and bias.dtype == "int32" and bias.size == oc, op,
                f"bias must be a constant int32 tensor of {oc} values")
        consts["bias"] = i32(bias.const_data.reshape(-1))
    params = dict(geometry, input_offset=-x.q.zp, output_offset=y.q.zp, act_min=act_min, act_max=act_max)
    return KernelCall(op=op, template="transpose_conv2d.c.j2", header=hdr, inputs=[x], outputs=[y],
                      params=params, consts=consts, macs=macs, note=note)
