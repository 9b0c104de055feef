"""int16x8 lowerings: int16 activations with int8 weights (TFLite's 16x8 quantization).

LiteRT's reference kernels for these (kReference) differ from the int8 ones:
- CONV_2D / DEPTHWISE_CONV_2D (reference_integer_ops::ConvPerChannel / DepthwiseConvPerChannel
  for int16): input and output zero points must be 0 (Prepare checks it), the sums of w * x
  run in 64 bits with an int64 bias and are requantized by the 64-bit
  MultiplyByQuantizedMultiplier (multiplier rounded to 16 bits, one rounding shift, result
  truncated to int32). CONV_2D also takes an int32 bias when the op's quantized_bias_type says
  INT32: then the sums are int32 and the usual 32-bit MultiplyByQuantizedMultiplier applies.
  With an int32 bias and no such option LiteRT reads the bias as int64 (past its buffer): such
  a model is refused.
- FULLY_CONNECTED: the sums (int64, or int32 with an int32 bias) are rounded once in double,
  as for int8 (round((double)acc * input_scale * filter_scale / output_scale)).
- AVERAGE_POOL_2D / MAX_POOL_2D: the int8 loops on int16 (pooling.py registers int16).
- SOFTMAX: reference_ops::SoftmaxInt16, two 513-entry interpolated tables (exp and
  1 / (1 + x)) built here exactly as SoftmaxPrepare builds them.
- QUANTIZE from int16 / int32, DEQUANTIZE from int16: reference_ops::Requantize / Dequantize.
The per-channel (multiplier, shift) come from PopulateConvolutionQuantizationParams (double
input * filter / output scale), as for int8.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional

import numpy as np

from .. import quant as q
from ..ir import Graph, Op, Tensor
from .base import (
    ConstArray,
    KernelCall,
    conv_shape,
    depthwise_shape,
    fused_activation,
    i32,
    register,
    require,
    require_quant,
)
from .conv import conv_s16_scratch_bytes
from .quantize import c_float

TFLITE_INT32, TFLITE_INT64 = 2, 4  # TensorType values of quantized_bias_type
ACT_FUSABLE = (q.ACT_NONE, q.ACT_RELU, q.ACT_RELU6, q.ACT_RELU_N1_TO_1)
INT16_MAX_ABS = 32768


def dw_s16_scratch_bytes(k_h: int, k_w: int, out_c: int) -> int:
    """te_depthwise_conv2d_s16_scratch_bytes: per channel 16 bytes of requantization constants and
    2 bytes per tap of weights expanded to int16 pairs (SIMD path only)."""
    return (16 + 2 * k_h * k_w) * out_c


def fc_s16_scratch_bytes(accum_depth: int) -> int:
    """te_fully_connected_s16_scratch_bytes: the input row as int16, rounded up to 4 values."""
    return 2 * ((accum_depth + 3) // 4 * 4)


def _symmetric(op: Op, *tensors: Tensor) -> None:
    for t in tensors:
        require(t.quant is not None and not np.any(t.quant.zero_point), op,
                f"int16 tensor '{t.name}' must have zero point 0 (16x8 quantization is symmetric)")


def _bias_form(op: Op, bias: Optional[Tensor], out_c: int, int32_allowed: bool) -> tuple[bool, Optional[np.ndarray]]:
    """(bias_is_32, bias values as int64) for the int16x8 kernels, checked as LiteRT's Prepare does."""
    declared = int(op.options.get("quantized_bias_type", 0) or 0)
    if bias is None:
        return declared == TFLITE_INT32, None
    require(bias.is_const, op, "bias must be a constant tensor")
    require(bias.size == out_c, op, f"bias has {bias.size} values for {out_c} output channels")
    if bias.dtype == "int64":
        require(declared in (0, TFLITE_INT64), op, "quantized_bias_type does not match the int64 bias")
        return False, bias.const_data.reshape(-1).astype(np.int64)
    require(bias.dtype == "int32" and int32_allowed, op,
            f"int16 {op.kind} needs an int64 bias" + (" (or int32 with quantized_bias_type INT32)" if int32_allowed else "")
            + f", got {bias.dtype}")
    require(declared == TFLITE_INT32, op, "an int32 bias needs quantized_bias_type INT32 (LiteRT reads it as "
            "int64 otherwise)")
    return True, bias.const_data.reshape(-1).astype(np.int64)


def conv_s16_requant(op: Op, w: np.ndarray, sums_axis_rows: np.ndarray, bias: Optional[Tensor], x: Tensor,
                     wt: Tensor, y: Tensor, out_c: int, int32_bias: bool) -> tuple[dict[str, ConstArray], dict[str, int]]:
    """Consts (bias64 / bias32, multiplier, shift) and the te_requant_s16 flags of a conv-like op.
    `sums_axis_rows`: per output channel, sum |w| over its taps."""
    mults, shifts = q.conv_per_channel_multipliers(x.q.s, wt.q.scale, y.q.s, out_c)
    require(bool(np.all(mults >= 0)) and bool(np.all(shifts < 8)) and bool(np.all(shifts >= -31)), op,
            "requantization scale out of the reference's range (multiplier >= 0, shift in [-31, 8))")
    bias_is_32, values = _bias_form(op, bias, out_c, int32_bias)
    consts: dict[str, ConstArray] = {"multiplier": i32(mults), "shift": i32(shifts)}
    max_sum = sums_axis_rows.astype(np.int64) * INT16_MAX_ABS
    if values is not None:
        if bias_is_32:
            consts["bias32"] = i32(values)
        else:
            # The 64-bit MultiplyByQuantizedMultiplier assumes |acc| < 2^47.
            require(bool(np.all(np.abs(values) + max_sum < 2**47)), op, "bias too large for the reference's "
                    "64-bit requantization (|acc| must stay below 2^47)")
            consts["bias64"] = ConstArray("int64_t", values, align=8)
    flags = dict(bias_is_32=int(bias_is_32), sums_fit_32=int(bias_is_32 or bool(np.all(max_sum < 2**31))))
    return consts, flags


def _act_range(op: Op, y: Tensor) -> tuple[int, int]:
    act = fused_activation(op)
    require(act in ACT_FUSABLE, op, f"fused activation {act} not supported")
    return q.activation_range(act, "int16", y.q.s, 0)


@register("CONV_2D", dtypes=("int16",), simd=("dsp", "mve"), note="int16x8: int64 or int32 bias")
def lower_conv2d_s16(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) in (2, 3) and len(op.outputs) == 1, op, "expects input, filter[, bias] and one output")
    x, w = op.input(0), op.input(1)
    bias = op.inputs[2] if len(op.inputs) > 2 else None
    y = op.outputs[0]
    require_quant(op, x, w, y)
    require(y.dtype == "int16" and w.dtype == "int8", op, f"int16 CONV_2D needs int8 weights and an int16 output, "
            f"got {w.dtype}/{y.dtype}")
    _symmetric(op, x, y, w)
    require(w.is_const, op, "weights must be constant")
    require(bias is not None, op, "CONV_2D needs a bias (LiteRT's Prepare requires it)")
    shape = conv_shape(op, x, w, y)
    n, ih, iw, ic, oc, kh, kw, fic = shape.sizes
    sh, sw, dh, dw, oh, ow, pad_top, pad_left = shape.window
    if w.q.per_channel:
        require(w.q.scale.size == oc, op, f"{w.q.scale.size} filter scales for {oc} output channels")
    act_min, act_max = _act_range(op, y)
    wsum = np.abs(w.const_data.reshape(oc, -1).astype(np.int64)).sum(axis=1)
    consts, flags = conv_s16_requant(op, w.const_data, wsum, bias, x, w, y, oc, int32_bias=True)
    consts["weights"] = ConstArray("int8_t", w.data)
    params = dict(batches=n, in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, k_h=kh, k_w=kw,
                  filter_in_c=fic, stride_h=sh, stride_w=sw, dil_h=dh, dil_w=dw, pad_top=pad_top, pad_left=pad_left,
                  input_offset=0, filter_offset=0, output_offset=0, act_min=act_min, act_max=act_max)
    k = kh * kw * fic
    simd = flags["sums_fit_32"] and fic == ic
    scratch = conv_s16_scratch_bytes(k, oc) if simd else 0
    return KernelCall(op=op, template="conv2d_s16.c.j2", header="tinyengine/te_conv.h", inputs=[x], outputs=[y],
                      params=dict(params, **flags), consts=consts, scratch_bytes=scratch,
                      macs=n * oh * ow * oc * k, note=f"{kh}x{kw}/s{sh} int16x8" + (" i32 bias" if flags["bias_is_32"] else ""))


@register("DEPTHWISE_CONV_2D", dtypes=("int16",), simd=("dsp",), note="int16x8 out of place")
def lower_depthwise_conv2d_s16(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) in (2, 3) and len(op.outputs) == 1, op, "expects input, filter[, bias] and one output")
    x, w = op.input(0), op.input(1)
    bias = op.inputs[2] if len(op.inputs) > 2 else None
    y = op.outputs[0]
    require_quant(op, x, w, y)
    require(y.dtype == "int16" and w.dtype == "int8", op, f"int16 DEPTHWISE_CONV_2D needs int8 weights and an int16 "
            f"output, got {w.dtype}/{y.dtype}")
    _symmetric(op, x, y, w)
    require(w.is_const, op, "weights must be constant")
    shape = depthwise_shape(op, x, w, y)
    n, ih, iw, ic, oc, kh, kw, _ = shape.sizes
    sh, sw, dh, dw, oh, ow, pad_top, pad_left = shape.window
    depth_mult = shape.depth_multiplier
    # The int16 reference loops over the option's depth multiplier (not the shapes' ratio).
    require(int(op.options.get("depth_multiplier", depth_mult)) == depth_mult, op,
            f"depth_multiplier option {op.options.get('depth_multiplier')} does not match {oc} / {ic}")
    if w.q.per_channel:
        require(w.q.scale.size == oc, op, f"{w.q.scale.size} filter scales for {oc} output channels")
    act_min, act_max = _act_range(op, y)
    wsum = np.abs(w.const_data.reshape(kh * kw, oc).astype(np.int64)).sum(axis=0)
    consts, flags = conv_s16_requant(op, w.const_data, wsum, bias, x, w, y, oc, int32_bias=False)
    consts["weights"] = ConstArray("int8_t", w.const_data.reshape(-1))
    params = dict(batches=n, in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, depth_mult=depth_mult,
                  k_h=kh, k_w=kw, stride_h=sh, stride_w=sw, dil_h=dh, dil_w=dw, pad_top=pad_top, pad_left=pad_left,
                  act_min=act_min, act_max=act_max)
    simd = flags["sums_fit_32"] and depth_mult == 1 and ic % 4 == 0
    return KernelCall(op=op, template="depthwise_conv2d_s16.c.j2", header="tinyengine/te_depthwise.h",
                      inputs=[x], outputs=[y], params=dict(params, **flags), consts=consts,
                      scratch_bytes=dw_s16_scratch_bytes(kh, kw, oc) if simd else 0,
                      macs=n * oh * ow * oc * kh * kw,
                      note=f"{kh}x{kw}/s{sh} int16x8" + (f" x{depth_mult}" if depth_mult > 1 else ""))


@register("FULLY_CONNECTED", dtypes=("int16",), simd=("dsp", "mve"), note="int16x8: int64 or int32 bias")
def lower_fully_connected_s16(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) in (2, 3) and len(op.outputs) == 1, op, "expects input, weights[, bias] and one output")
    x, w = op.input(0), op.input(1)
    bias = op.inputs[2] if len(op.inputs) > 2 else None
    y = op.outputs[0]
    require_quant(op, x, w, y)
    require(y.dtype == "int16" and w.dtype == "int8", op, f"int16 FULLY_CONNECTED needs int8 weights and an int16 "
            f"output, got {w.dtype}/{y.dtype}")
    _symmetric(op, x, y)
    require(w.is_const and len(w.shape) == 2, op, "weights must be a constant 2-D tensor")
    out_depth, accum = (int(d) for d in w.shape)
    require(accum > 0 and out_depth > 0 and x.size % accum == 0, op, f"input size {x.size} is not a multiple of {accum}")
    batches = x.size // accum
    require(y.size == batches * out_depth, op, "output size does not match batches x units")
    per_channel = w.q.per_channel
    if per_channel:
        require(w.q.scale.size == out_depth and w.q.axis == 0, op, "per-channel weights need one scale per unit")
        require(not np.any(w.q.zero_point), op, "per-channel weights must be symmetric")
    filter_offset = 0 if per_channel else -w.q.zp
    scales = []
    for s in (w.q.scale if per_channel else w.q.scale[:1]):
        eff = float(np.float32(x.q.s)) * float(np.float32(s)) / float(np.float32(y.q.s))
        mant, exp = q.fp64_scale_parts(eff)
        scales.append(f"{{{mant}ull, {exp}}}")
    act_min, act_max = _act_range(op, y)
    bias_is_32, values = _bias_form(op, bias, out_depth, int32_allowed=True)
    coef = np.abs(w.const_data.reshape(out_depth, accum).astype(np.int64) + filter_offset).sum(axis=1)
    max_sum = coef * INT16_MAX_ABS
    consts: dict[str, ConstArray] = {"weights": ConstArray("int8_t", w.data),
                                     "scales": ConstArray("te_fp64_scale", scales, align=8)}
    if values is not None:
        if bias_is_32:
            consts["bias32"] = i32(values)
        else:
            require(bool(np.all(np.abs(values) + max_sum < 2**53)), op, "bias too large (|acc| must stay below 2^53)")
            consts["bias64"] = ConstArray("int64_t", values, align=8)
    sums_fit_32 = int(bias_is_32 or bool(np.all(max_sum < 2**31)))
    params = dict(batches=batches, accum_depth=accum, out_depth=out_depth, filter_offset=filter_offset,
                  output_offset=0, act_min=act_min, act_max=act_max, per_channel=int(per_channel),
                  bias_is_32=int(bias_is_32), sums_fit_32=sums_fit_32)
    scratch = fc_s16_scratch_bytes(accum) if sums_fit_32 and filter_offset == 0 else 0
    return KernelCall(op=op, template="fully_connected_s16.c.j2", header="tinyengine/te_fully_connected.h",
                      inputs=[x], outputs=[y], params=params, consts=consts, scratch_bytes=scratch,
                      macs=batches * out_depth * accum, note="int16x8" + (" i32 bias" if bias_is_32 else ""))


# ---- SOFTMAX int16 ----

def lut_populate_int16(input_scale: float, input_zero_point: int, output_scale: float, output_zero_point: int,
                       transform: Callable[[float], float]) -> np.ndarray:
    """detail::LUTPopulateInt16<double>(): 512 interpolation-corrected samples and the end point."""
    rnd = q.tflite_round
    input_min = input_scale * (-32768 - input_zero_point)
    input_max = input_scale * (32767 - input_zero_point)
    output_min = output_scale * (-32768 - output_zero_point)
    output_max = output_scale * (32767 - output_zero_point)
    nb_steps = 512
    step = (input_max - input_min) / nb_steps
    half_step = step / 2
    inv = float(32767 - (-32768) + 1) / (output_max - output_min)
    lut = np.zeros(nb_steps + 1, np.int16)
    for i in range(nb_steps):
        val = transform(input_min + i * step)
        val_mid = transform(input_min + i * step + half_step)
        val_next = transform(input_min + (i + 1) * step)
        sample = rnd(val * inv)
        interp = rnd((val_next * inv + rnd(val * inv)) / 2)
        mid = rnd(val_mid * inv)
        bias = rnd((interp - mid) / 2)
        lut[i] = int(min(max(sample - bias, -32768.0), 32767.0))
    lut[nb_steps] = int(min(max(rnd(transform(input_max) * inv), -32768.0), 32767.0))
    return lut


def softmax_s16_tables() -> tuple[np.ndarray, np.ndarray]:
    """SoftmaxPrepare's exp table (inputs [-10, 0]) and 1 / (1 + x) table (inputs [0, 1])."""
    rng = 32767 - (-32768)
    exp_lut = lut_populate_int16(10.0 / rng, 32767, 2.0 / rng, 0, math.exp)
    one_over = lut_populate_int16(1.0 / rng, -32768, 2.0 / rng, 0, lambda v: 1.0 / (1.0 + v))
    return exp_lut, one_over


@register("SOFTMAX", dtypes=("int16",), note="int16: table-based")
def lower_softmax_s16(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) == 1 and len(op.outputs) == 1, op, "expects one input and one output")
    x, y = op.input(0), op.outputs[0]
    require(len(x.shape) >= 1 and tuple(x.shape) == tuple(y.shape), op, "input and output shapes differ")
    require_quant(op, x, y)
    require(y.dtype == "int16", op, f"int16 SOFTMAX needs an int16 output, got {y.dtype}")
    _symmetric(op, x, y)
    require(abs(float(np.float32(y.q.s)) - 1.0 / 32768) <= 0.001 / 32768, op,
            f"int16 softmax output scale must be 1/32768, got {y.q.s}")
    depth = int(x.shape[-1])
    require(depth >= 1 and depth < 65536, op, f"softmax axis of {depth} elements")
    beta = np.float32(op.options.get("beta", 1.0))
    rescale = float(np.float32(x.q.s) * beta) / (10.0 / 65535.0)
    mult, shift = q.quantize_multiplier(rescale)
    exp_lut, one_over = softmax_s16_tables()
    params = dict(outer=x.size // depth, depth=depth, input_multiplier=mult, input_shift=shift)
    return KernelCall(op=op, template="softmax_s16.c.j2", header="tinyengine/te_softmax.h", inputs=[x], outputs=[y],
                      params=params, consts={"exp_lut": ConstArray("int16_t", exp_lut),
                                             "one_over_lut": ConstArray("int16_t", one_over)},
                      inplace=[(0, 0)], note="int16 tables")


# ---- QUANTIZE from int16 / int32, DEQUANTIZE from int16 ----

REQUANT_PAIRS = {("int16", "int8"), ("int16", "int16"), ("int16", "int32"), ("int32", "int8"), ("int32", "int16")}


def requantize_call(op: Op, x: Tensor, y: Tensor) -> KernelCall:
    """reference_ops::Requantize between the given types (no int8/uint8 flip shortcut applies)."""
    for t in (x, y):
        require_quant(op, t)
        require(not t.q.per_channel, op, f"tensor '{t.name}' is quantized per channel")
    if x.dtype == "int16" and y.dtype == "int16":
        _symmetric(op, x, y)
    mult, shift = q.quantize_multiplier(float(x.q.s) / float(y.q.s))
    params: dict[str, Any] = dict(size=x.size, multiplier=mult, shift=shift, input_zero_point=x.q.zp,
                                  output_zero_point=y.q.zp, flip_only=0)
    return KernelCall(op=op, template="requantize.c.j2", header="tinyengine/te_quantize.h", inputs=[x], outputs=[y],
                      params=params, inplace=[(0, 0)], note=f"{x.dtype}->{y.dtype}")


@register("QUANTIZE", dtypes=("int16", "int32"))
def lower_quantize_wide(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) == 1 and len(op.outputs) == 1, op, "expects one input and one output")
    x, y = op.input(0), op.outputs[0]
    require(x.size == y.size, op, "input and output sizes differ")
    require((x.dtype, y.dtype) in REQUANT_PAIRS, op, f"{x.dtype} -> {y.dtype} is not a QUANTIZE LiteRT supports")
    return requantize_call(op, x, y)


@register("DEQUANTIZE", dtypes=("int16",))
def lower_dequantize_s16(op: Op, graph: Graph) -> KernelCall:
    x, y = op.input(0), op.outputs[0]
    require(x.size == y.size, op, "input and output sizes differ")
    require(y.dtype == "float32", op, f"needs a float32 output, got {y.dtype}")
    require_quant(op, x)
    require(not x.q.per_channel, op, f"tensor '{x.name}' is quantized per channel")
    _symmetric(op, x)  # DequantizePrepare checks it for int16
    params = dict(size=x.size, scale=c_float(x.q.s), zero_point=x.q.zp)
    return KernelCall(op=op, template="dequantize.c.j2", header="tinyengine/te_quantize.h",
                      inputs=[x], outputs=[y], params=params, inplace=[(0, 0)], note="int16->float32")
