"""DEPTHWISE_CONV_2D lowering.

Matches LiteRT's reference registration (depthwise_conv.cc, kReference):
- int8: reference_integer_ops::DepthwiseConvPerChannel. Per-channel (multiplier, shift) from
  PopulateConvolutionQuantizationParams (double input*filter/output scale, a per-tensor filter
  scale broadcast); the filter zero point is ignored (weights_offset = 0).
- uint8 (legacy, moved to int8 storage by passes.normalize_uint8): reference_ops::DepthwiseConv,
  one multiplier from GetQuantizedConvolutionMultipler (float32 product of scales) and the
  filter offset -filter_zero_point.
The depth multiplier is out_c / in_c, as the reference's ComputeDepthMultiplier takes it from
the shapes (the option is not read for 8-bit types).
"""
from __future__ import annotations

from .. import quant as q
from ..ir import Graph, Op
from .base import ConstArray, KernelCall, fused_activation, out_size, register, require, require_quant, same_padding
from .conv import requant_consts


@register("DEPTHWISE_CONV_2D")
def lower_depthwise_conv2d(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) in (2, 3) and len(op.outputs) == 1, op, "expects input, filter[, bias] and one output")
    x, w = op.inputs[0], op.inputs[1]
    bias = op.inputs[2] if len(op.inputs) > 2 else None
    y = op.outputs[0]
    legacy = bool(op.options.get("_legacy_uint8"))
    require_quant(op, x, w, y)
    require(x.dtype == "int8" and y.dtype == "int8" and w.dtype == "int8", op,
            f"needs int8 input/weights/output, got {x.dtype}/{w.dtype}/{y.dtype}")
    require(w.is_const, op, "weights must be constant")
    require(len(x.shape) == 4 and len(w.shape) == 4 and len(y.shape) == 4, op,
            "expects 4-D NHWC input/output and a [1, H, W, C] filter")
    n, ih, iw, ic = (int(d) for d in x.shape)
    one, kh, kw, oc = (int(d) for d in w.shape)
    require(one == 1, op, f"filter must be [1, H, W, C], got {w.shape}")
    require(min(ih, iw, ic, kh, kw, oc) > 0, op, "empty input or filter dimension")
    require(oc % ic == 0, op, f"filter channels {oc} are not a multiple of input channels {ic}")
    depth_mult = oc // ic
    if w.quant.per_channel:
        require(not legacy, op, "per-channel filter scales need int8 (not uint8) tensors")
        require(w.quant.scale.size == oc, op, f"{w.quant.scale.size} filter scales for {oc} output channels")
    if bias is not None:
        require(bias.size == oc, op, f"bias has {bias.size} values for {oc} output channels")
    o = op.options
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    dh, dw = int(o.get("dilation_h_factor", 1)), int(o.get("dilation_w_factor", 1))
    require(sh > 0 and sw > 0 and dh > 0 and dw > 0, op, "strides and dilations must be positive")
    padding = str(o.get("padding", "VALID"))
    require(padding in ("SAME", "VALID"), op, f"unknown padding {padding}")
    oh, ow = out_size(padding, ih, kh, sh, dh), out_size(padding, iw, kw, sw, dw)
    require(oh > 0 and ow > 0, op, f"output would be {oh}x{ow}: filter larger than the (dilated) input")
    require(tuple(y.shape) == (n, oh, ow, oc), op, f"output shape {y.shape} does not match {(n, oh, ow, oc)}")
    pad_top, _ = same_padding(padding, ih, kh, sh, dh, oh)
    pad_left, _ = same_padding(padding, iw, kw, sw, dw, ow)
    act = fused_activation(op)
    require(act in (q.ACT_NONE, q.ACT_RELU, q.ACT_RELU6, q.ACT_RELU_N1_TO_1), op, f"fused activation {act} not supported")
    act_min, act_max = q.activation_range(act, "int8", y.quant.s, y.quant.zp)
    # Worst-case |acc| must fit int32 like the reference's accumulator (it never saturates).
    in_off, f_off = -x.quant.zp, (-w.quant.zp if legacy else 0)
    require(kh * kw * 255 * 255 < 2**31 - 2**24, op, "filter window too large for an int32 accumulator")
    params = dict(
        batches=n, in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, depth_mult=depth_mult,
        k_h=kh, k_w=kw, stride_h=sh, stride_w=sw, dil_h=dh, dil_w=dw, pad_top=pad_top, pad_left=pad_left,
        input_offset=in_off, filter_offset=f_off, output_offset=y.quant.zp, act_min=act_min, act_max=act_max,
    )
    consts = {"weights": ConstArray("int8_t", w.data)}
    consts.update(requant_consts(op, oc))
    variant = f"{kh}x{kw}/s{sh}" + (f" x{depth_mult}" if depth_mult > 1 else "") + (" uint8" if legacy else "")
    return KernelCall(op=op, template="depthwise_conv2d.c.j2", header="tinyengine/te_depthwise.h",
                      inputs=[x], outputs=[y], params=params, consts=consts,
                      macs=n * oh * ow * oc * kh * kw, note=variant)
