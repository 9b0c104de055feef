"""float32 lowerings: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, the pools and the element-wise
transcendental ops (kernels in src/te_float.c, te_float.h).

LiteRT's float reference kernels take their parameters straight from the options: strides,
dilations, SAME/VALID padding as for the integer ops, and the fused activation as
CalculateActivationRange<float> (NONE: [lowest, max] of float, so infinities clamp to the
largest finite values). Hybrid models (float activations with int8 weights) take other kernels
and are refused.
"""
from __future__ import annotations

import numpy as np

from .. import quant as q
from ..ir import Graph, Op, Tensor
from .base import ConstArray, KernelCall, conv_shape, depthwise_shape, fused_activation, register, require
from .pooling import pool_geometry
from .quantize import c_float

FLT_MAX = float(np.finfo(np.float32).max)
_ACTIVATIONS = {q.ACT_NONE: (-FLT_MAX, FLT_MAX), q.ACT_RELU: (0.0, FLT_MAX), q.ACT_RELU6: (0.0, 6.0),
                q.ACT_RELU_N1_TO_1: (-1.0, 1.0)}


def float_activation(op: Op) -> dict[str, str]:
    """act_min / act_max C literals of the op's fused activation (CalculateActivationRange<float>)."""
    act = fused_activation(op)
    require(act in _ACTIVATIONS, op, f"fused activation {act} not supported")
    lo, hi = _ACTIVATIONS[act]
    return dict(act_min=c_float(lo), act_max=c_float(hi))


def require_float(op: Op, *tensors: Tensor) -> None:
    for t in tensors:
        require(t.dtype == "float32", op, f"tensor '{t.name}' is {t.dtype}; a float32 op needs float32 tensors "
                "(hybrid float/int8 models are not supported)")


def _weights(op: Op, w: Tensor, what: str = "weights") -> ConstArray:
    require(w.is_const, op, f"{what} must be constant")
    require_float(op, w)
    return ConstArray("float", np.asarray(w.data, np.float32).reshape(-1))


def _bias(op: Op, bias: Tensor | None, channels: int, consts: dict[str, ConstArray]) -> None:
    if bias is None:
        return
    require(bias.is_const, op, "bias must be constant")
    require_float(op, bias)
    require(bias.size == channels, op, f"bias has {bias.size} values for {channels} output channels")
    consts["bias"] = ConstArray("float", np.asarray(bias.data, np.float32).reshape(-1))


def _optional(op: Op, i: int) -> Tensor | None:
    return op.inputs[i] if len(op.inputs) > i else None


@register("CONV_2D", dtypes=("float32",))
def lower_conv2d_f32(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) in (2, 3) and len(op.outputs) == 1, op, "expects input, filter[, bias] and one output")
    x, w, y = op.input(0), op.input(1), op.outputs[0]
    require_float(op, x, y)
    shape = conv_shape(op, x, w, y)
    n, ih, iw, ic, oc, kh, kw, fic = shape.sizes
    sh, sw, dh, dw, oh, ow, pad_top, pad_left = shape.window
    consts = {"weights": _weights(op, w)}
    _bias(op, _optional(op, 2), oc, consts)
    params = dict(batches=n, in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, k_h=kh, k_w=kw,
                  filter_in_c=fic, stride_h=sh, stride_w=sw, dil_h=dh, dil_w=dw, pad_top=pad_top,
                  pad_left=pad_left, **float_activation(op))
    return KernelCall(op=op, template="conv2d_f32.c.j2", header="tinyengine/te_float.h", inputs=[x], outputs=[y],
                      params=params, consts=consts, macs=n * oh * ow * oc * kh * kw * fic,
                      note=f"float {kh}x{kw}/s{sh}")


@register("DEPTHWISE_CONV_2D", dtypes=("float32",))
def lower_depthwise_conv2d_f32(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) in (2, 3) and len(op.outputs) == 1, op, "expects input, filter[, bias] and one output")
    x, w, y = op.input(0), op.input(1), op.outputs[0]
    require_float(op, x, y)
    shape = depthwise_shape(op, x, w, y)
    n, ih, iw, ic, oc, kh, kw, _ = shape.sizes
    sh, sw, dh, dw, oh, ow, pad_top, pad_left = shape.window
    consts = {"weights": _weights(op, w)}
    _bias(op, _optional(op, 2), oc, consts)
    params = dict(batches=n, in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, depth_multiplier=oc // ic,
                  k_h=kh, k_w=kw, stride_h=sh, stride_w=sw, dil_h=dh, dil_w=dw, pad_top=pad_top,
                  pad_left=pad_left, **float_activation(op))
    return KernelCall(op=op, template="depthwise_conv2d_f32.c.j2", header="tinyengine/te_float.h",
                      inputs=[x], outputs=[y], params=params, consts=consts, macs=n * oh * ow * oc * kh * kw,
                      note=f"float {kh}x{kw}/s{sh}")


@register("FULLY_CONNECTED", dtypes=("float32",))
def lower_fully_connected_f32(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) in (2, 3) and len(op.outputs) == 1, op, "expects input, weights[, bias] and one output")
    x, w, y = op.input(0), op.input(1), op.outputs[0]
    require_float(op, x, y)
    require(len(w.shape) == 2, op, "weights must be a 2-D tensor")
    out_c, accum = (int(d) for d in w.shape)
    require(accum > 0 and out_c > 0, op, "empty weights")
    require(x.size % accum == 0, op, f"input size {x.size} is not a multiple of {accum}")
    batches = x.size // accum
    require(y.size == batches * out_c and int(y.shape[-1]) == out_c, op,
            f"output shape {y.shape} does not match {batches} x {out_c}")
    consts = {"weights": _weights(op, w)}
    _bias(op, _optional(op, 2), out_c, consts)
    params = dict(batches=batches, accum_depth=accum, out_c=out_c, **float_activation(op))
    return KernelCall(op=op, template="fully_connected_f32.c.j2", header="tinyengine/te_float.h",
                      inputs=[x], outputs=[y], params=params, consts=consts, macs=batches * out_c * accum,
                      note="float")


def _lower_pool_f32(op: Op, kernel: str, average: bool) -> KernelCall:
    require(len(op.inputs) == 1 and len(op.outputs) == 1, op, "expects one input and one output")
    x, y = op.input(0), op.outputs[0]
    require_float(op, x, y)
    g = pool_geometry(op, x, y, average)
    params = dict(g, **float_activation(op))
    return KernelCall(op=op, template="pool2d_f32.c.j2", header="tinyengine/te_float.h", inputs=[x], outputs=[y],
                      params=dict(params, kernel=kernel),
                      macs=g["batches"] * g["out_h"] * g["out_w"] * g["channels"] * g["k_h"] * g["k_w"],
                      note=f"float {g['k_h']}x{g['k_w']}/s{g['stride_h']}")


@register("AVERAGE_POOL_2D", dtypes=("float32",))
def lower_avg_pool2d_f32(op: Op, graph: Graph) -> KernelCall:
    return _lower_pool_f32(op, "te_avg_pool2d_f32", average=True)


@register("MAX_POOL_2D", dtypes=("float32",))
def lower_max_pool2d_f32(op: Op, graph: Graph) -> KernelCall:
    return _lower_pool_f32(op, "te_max_pool2d_f32", average=False)


@register("L2_POOL_2D", dtypes=("float32",))
def lower_l2_pool2d_f32(op: Op, graph: Graph) -> KernelCall:
    return _lower_pool_f32(op, "te_l2_pool2d_f32", average=False)


UNARY_KERNELS = {"EXP": "te_exp_f32", "LOG": "te_log_f32", "TANH": "te_tanh_f32", "SIN": "te_sin_f32",
                 "COS": "te_cos_f32", "ELU": "te_elu_f32"}


@register(*UNARY_KERNELS, dtypes=("float32",))
def lower_unary_f32(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) == 1 and len(op.outputs) == 1, op, "expects one input and one output")
    x, y = op.input(0), op.outputs[0]
    require_float(op, x, y)
    require(tuple(x.shape) == tuple(y.shape), op, f"input shape {x.shape} differs from output shape {y.shape}")
    return KernelCall(op=op, template="unary_f32.c.j2", header="tinyengine/te_float.h", inputs=[x], outputs=[y],
                      params=dict(fn=UNARY_KERNELS[op.kind], args=dict(size=x.size)), inplace=[(0, 0)], note="float")


@register("GELU", dtypes=("float32",))
def lower_gelu_f32(op: Op, graph: Graph) -> KernelCall:
    """reference_ops::Gelu: an Eigen array expression, so Eigen's erfc / tanh (te_gelu_f32)."""
    require(len(op.inputs) == 1 and len(op.outputs) == 1, op, "expects one input and one output")
    x, y = op.input(0), op.outputs[0]
    require_float(op, x, y)
    require(tuple(x.shape) == tuple(y.shape), op, f"input shape {x.shape} differs from output shape {y.shape}")
    approximate = bool(op.options.get("approximate", False))
    return KernelCall(op=op, template="gelu_f32.c.j2", header="tinyengine/te_float.h", inputs=[x], outputs=[y],
                      params=dict(size=x.size, approximate=int(approximate)), inplace=[(0, 0)],
                      note="float, tanh approximation" if approximate else "float")
