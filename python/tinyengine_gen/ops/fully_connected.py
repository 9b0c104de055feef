"""FULLY_CONNECTED lowering."""
from __future__ import annotations

import numpy as np

from .. import quant as q
from ..ir import Graph, Op
from .base import ConstArray, KernelCall, i32, register, require, require_quant


@register("FULLY_CONNECTED")
def lower_fully_connected(op: Op, graph: Graph) -> KernelCall:
    x, w = op.inputs[0], op.inputs[1]
    bias = op.inputs[2] if len(op.inputs) > 2 else None
    y = op.outputs[0]
    require_quant(op, x, w, y)
    require(x.dtype == "int8" and w.dtype == "int8" and y.dtype == "int8", op,
            f"needs int8 input/weights/output, got {x.dtype}/{w.dtype}/{y.dtype}")
    require(w.is_const and len(w.shape) == 2, op, "weights must be a constant 2-D tensor")
    out_depth, accum = w.shape
    require(x.size % accum == 0, op, f"input size {x.size} is not a multiple of {accum}")
    batches = x.size // accum
    require(y.size == batches * out_depth, op, "output size does not match batches x units")
    per_channel = w.quant.per_channel
    # The reference rescales in double: input_scale * filter_scale / output_scale, each widened from float32.
    scales = []
    for s in (w.quant.scale if per_channel else w.quant.scale[:1]):
        eff = float(np.float32(x.quant.s)) * float(np.float32(s)) / float(np.float32(y.quant.s))
        mant, exp = q.fp64_scale_parts(eff)
        scales.append(f"{{{mant}ull, {exp}}}")
    act_min, act_max = q.activation_range(str(op.options.get("fused_activation_function", "NONE")), "int8",
                                          y.quant.s, y.quant.zp)
    params = dict(batches=batches, accum_depth=accum, out_depth=out_depth, input_offset=-x.quant.zp,
                  filter_offset=0 if per_channel else -w.quant.zp, output_offset=y.quant.zp,
                  act_min=act_min, act_max=act_max, per_channel=int(per_channel))
    consts = {"weights": ConstArray("int8_t", w.data), "scales": ConstArray("te_fp64_scale", scales, align=8)}
    bias_values = None
    if bias is not None:
        require(bias.is_const and bias.dtype == "int32", op, "bias must be a constant int32 tensor")
        bias_values = bias.data.reshape(-1).astype(np.int64)
    folded = params["filter_offset"] == 0
    if folded:
        # input_offset * sum(w) joins the bias (int32 wrap, as the kernel's own sum), leaving an int8 dot product.
        wsum = w.data.astype(np.int64).sum(axis=1)
        total = (bias_values if bias_values is not None else 0) + params["input_offset"] * wsum
        consts["bias"] = i32(((total + 2**31) % 2**32 - 2**31).astype(np.int32))
    elif bias_values is not None:
        consts["bias"] = i32(bias_values)
    params["folded_bias"] = int(folded)
    return KernelCall(op=op, template="fully_connected.c.j2", header="tinyengine/te_fully_connected.h",
                      inputs=[x], outputs=[y], params=params, consts=consts,
                      macs=batches * out_depth * accum)
