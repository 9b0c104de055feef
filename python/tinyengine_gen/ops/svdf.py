"""SVDF lowering: LiteRT's fully integer SVDF (svdf.cc Prepare and EvalIntegerSVDF), the core of
streaming keyword spotters.

Operands: input [batch, n_input] int8, weights_feature [n_filter, n_input] int8, weights_time
[n_filter, n_memory] int16, bias [n_filter / rank] int32 (optional), activation state [batch,
n_filter * n_memory] int16 (a variable tensor: it keeps its value between invokes in the arena's
state region). Output [batch, n_filter / rank] int8.

As LiteRT's Prepare computes them: effective_scale_1 = input_scale * feature_scale / state_scale and
effective_scale_2 = state_scale * time_scale / output_scale, each a float32 expression widened to
double, then QuantizeMultiplier. LiteRT reads only the first scale of each tensor and ignores the
weights' and the state's zero points; so does this lowering. Its Eval refuses any fused activation
but RELU and then applies none; the generated code does the same and rejects the rest.

The kernel is src/te_svdf.c. Its feature matmul is FULLY_CONNECTED's accumulation, with the input
zero point folded into a per-filter constant and the weights in that kernel's quad layout when they
pack (same bytes).

The float SVDF (svdf.cc EvalFloat) is lower_svdf_f32 below, kernel src/te_svdf_f32.c.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import quant as q
from ..ir import Graph, Op, Tensor
from .base import ConstArray, KernelCall, fused_activation, i32, register, require, require_quant, variable_state
from .fully_connected import LAYOUT_QUADS, LAYOUT_ROWS, quad_layout

X, W_FEATURE, W_TIME, BIAS, STATE = range(5)


def svdf_scratch_bytes(n_filter: int) -> int:
    """te_svdf_s8_scratch_bytes: one batch's int32 feature sums and their int16 values."""
    return 6 * n_filter


def _svdf_operands(op: Op) -> tuple[Tensor, Tensor, Tensor, Optional[Tensor], Tensor]:
    """(input, weights_feature, weights_time, bias or None, output) of an SVDF op of any type (a
    missing input, weight or state is refused by op.input / variable_state in one line)."""
    require(len(op.inputs) == 5 and len(op.outputs) == 1, op,
            f"needs 5 inputs and 1 output, got {len(op.inputs)} and {len(op.outputs)}")
    return op.input(X), op.input(W_FEATURE), op.input(W_TIME), op.inputs[BIAS], op.outputs[0]


def _svdf_sizes(op: Op, x: Tensor, wf: Tensor, wt: Tensor, bias: Optional[Tensor], state: Tensor,
                y: Tensor) -> tuple[int, int, int, int, int, int]:
    """(batches, inputs, filters, memory, rank, units) of an SVDF, its operands' shapes checked
    against them (the same checks for every type)."""
    n_batch, n_input = int(x.shape[0]), int(x.shape[1])
    n_filter, n_memory = int(wf.shape[0]), int(wt.shape[1])
    rank = int(op.options.get("rank", 0))
    require(rank >= 1, op, f"rank must be at least 1, got {rank}")
    require(n_filter % rank == 0, op, f"{n_filter} filters are not a multiple of rank {rank}")
    n_unit = n_filter // rank
    require(int(wf.shape[1]) == n_input, op, f"weights_feature has {wf.shape[1]} columns for {n_input} inputs")
    require(int(wt.shape[0]) == n_filter, op, f"weights_time has {wt.shape[0]} rows for {n_filter} filters")
    require(bias is None or bias.size == n_unit, op, f"bias of {bias.size if bias else 0} values for {n_unit} units")
    require(tuple(state.shape) == (n_batch, n_memory * n_filter), op,
            f"activation state of shape {state.shape}, want {(n_batch, n_memory * n_filter)}")
    require(tuple(y.shape) == (n_batch, n_unit), op, f"output shape {y.shape}, want {(n_batch, n_unit)}")
    require(n_batch >= 1 and n_input >= 1 and n_memory >= 1, op, "empty tensor")
    return n_batch, n_input, n_filter, n_memory, rank, n_unit


@register("SVDF", dtypes=("int8",), simd=("dsp", "mve"),
          note="SIMD: int8; integer, state kept; needs RELU, which LiteRT does not apply")
def lower_svdf(op: Op, graph: Graph) -> KernelCall:
    x, wf, wt, bias, y = _svdf_operands(op)
    require(wf.is_const and wf.dtype == "int8" and len(wf.shape) == 2, op,
            "weights_feature must be a constant 2-D int8 tensor (hybrid float SVDF is not supported)")
    require(wt.is_const and wt.dtype == "int16" and len(wt.shape) == 2, op,
            f"weights_time must be a constant 2-D int16 tensor (LiteRT's integer SVDF reads int16), got {wt.dtype}")
    require(bias is None or (bias.is_const and bias.dtype == "int32"), op, "bias must be a constant int32 tensor")
    state = variable_state(op, graph, op.inputs[STATE], "activation state")
    require(state.dtype == "int16", op, f"needs an int16 activation state, got {state.dtype}")
    require(y.dtype == "int8", op, f"needs an int8 output, got {y.dtype}")
    activation = fused_activation(op)
    require(activation == "RELU", op,
            f"LiteRT's integer SVDF runs only with a fused RELU (which it does not apply), got {activation}")
    require(len(x.shape) == 2, op, f"input must be 2-D (batch, features), got shape {x.shape}")
    require_quant(op, x, wf, wt, state, y)
    assert x.quant is not None and wf.quant is not None and wt.quant is not None
    assert state.quant is not None and y.quant is not None

    n_batch, n_input, n_filter, n_memory, rank, n_unit = _svdf_sizes(op, x, wf, wt, bias, state, y)

    f32 = np.float32
    eff1 = float(f32(f32(x.quant.scale[0]) * f32(wf.quant.scale[0])) / f32(state.quant.scale[0]))
    eff2 = float(f32(f32(state.quant.scale[0]) * f32(wt.quant.scale[0])) / f32(y.quant.scale[0]))
    mult1, shift1 = q.quantize_multiplier(eff1)
    mult2, shift2 = q.quantize_multiplier(eff2)

    feature = wf.const_data.astype(np.int64).reshape(n_filter, n_input)
    x_zp = int(x.quant.zp)
    feature_bias = q.wrap_int32(-x_zp * feature.sum(axis=1))
    packed = quad_layout(np.asarray(wf.data, np.int8).reshape(n_filter, n_input))
    consts = {
        "feature": ConstArray("int8_t", packed if packed is not None else np.asarray(wf.data, np.int8).reshape(-1)),
        "feature_bias": i32(feature_bias),
        "time": ConstArray("int16_t", np.asarray(wt.data, np.int16).reshape(-1)),
    }
    if bias is not None:
        consts["bias"] = i32(bias.const_data.reshape(-1))
    # te_rq_doubled for the feature sums: |sum| < 2^30 for every input (bias + sum |w| * 128), a right shift
    bound = int((np.abs(feature_bias) + np.abs(feature).sum(axis=1) * 128).max())
    fast1 = bound < 2**30 and shift1 <= -1 and mult1 > 0
    params = dict(n_batch=n_batch, n_input=n_input, n_filter=n_filter, n_memory=n_memory, rank=rank,
                  input_zp=x_zp, output_zp=int(y.quant.zp), mult1=mult1, shift1=shift1, mult2=mult2, shift2=shift2,
                  fast1=int(fast1), half1=(1 << (-shift1 - 1)) if fast1 else 0)
    # The feature matmul runs as FULLY_CONNECTED's sums (te_fully_connected_s8_sums); only the
    # fields it reads matter: folded zero point, layout.
    fc = dict(batches=1, accum_depth=n_input, out_depth=n_filter, input_offset=-x_zp, filter_offset=0,
              output_offset=0, act_min=-128, act_max=127, per_channel=0, folded_bias=1,
              weight_layout=LAYOUT_QUADS if packed is not None else LAYOUT_ROWS)
    macs = n_batch * n_filter * (n_input + n_memory)
    inplace = [(0, 0)] if n_unit <= n_input else []
    return KernelCall(op=op, template="svdf.c.j2", header="tinyengine/te_svdf.h", inputs=[x, state], outputs=[y],
                      params=dict(params, fc=fc), consts=consts, scratch_bytes=svdf_scratch_bytes(n_filter),
                      inplace=inplace, macs=macs,
                      note=f"rank {rank}, memory {n_memory}, {n_batch} batch, feature "
                           + ("quads" if packed is not None else "rows"))



SVDF_F32_ACTIVATIONS = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3}  # TfLiteFusedActivation values


@register("SVDF", dtypes=("float32",), note="float32: NONE, RELU, RELU_N1_TO_1 or RELU6")
def lower_svdf_f32(op: Op, graph: Graph) -> KernelCall:
    """LiteRT's float SVDF (svdf.cc EvalFloat, reference_ops::EvalFloatSVDF), kernel in
    src/te_svdf_f32.c: float weights, bias and activation state. Hybrid SVDF (int8 weights with a
    float input) and the activations LiteRT computes with Eigen (TANH, SIGMOID) are refused."""
    x, wf, wt, bias, y = _svdf_operands(op)
    require(x.dtype == "float32", op, f"needs a float32 input, got {x.dtype}")
    require(wf.is_const and wf.dtype == "float32" and len(wf.shape) == 2, op,
            "weights_feature must be a constant 2-D float32 tensor (hybrid float SVDF is not supported)")
    require(wt.is_const and wt.dtype == "float32" and len(wt.shape) == 2, op,
            f"weights_time must be a constant 2-D float32 tensor, got {wt.dtype}")
    require(bias is None or (bias.is_const and bias.dtype == "float32"), op, "bias must be a constant float32 tensor")
    state = variable_state(op, graph, op.inputs[STATE], "activation state")
    require(state.dtype == "float32", op, f"needs a float32 activation state, got {state.dtype}")
    require(y.dtype == "float32", op, f"needs a float32 output, got {y.dtype}")
    activation = fused_activation(op)
    require(activation in SVDF_F32_ACTIVATIONS, op,
            f"activation {activation} is not supported (NONE, RELU, RELU_N1_TO_1 and RELU6 are)")
    require(len(x.shape) == 2, op, f"input must be 2-D (batch, features), got shape {x.shape}")

    n_batch, n_input, n_filter, n_memory, rank, n_unit = _svdf_sizes(op, x, wf, wt, bias, state, y)

    consts = {
        "feature": ConstArray("float", wf.const_data.astype(np.float32).reshape(-1)),
        "time": ConstArray("float", wt.const_data.astype(np.float32).reshape(-1)),
    }
    if bias is not None:
        consts["bias"] = ConstArray("float", bias.const_data.astype(np.float32).reshape(-1))
    params = dict(n_batch=n_batch, n_input=n_input, n_filter=n_filter, n_memory=n_memory, rank=rank,
                  activation=SVDF_F32_ACTIVATIONS[activation])
    inplace = [(0, 0)] if n_unit <= n_input else []
    return KernelCall(op=op, template="svdf_f32.c.j2", header="tinyengine/te_svdf.h", inputs=[x, state], outputs=[y],
                      params=params, consts=consts, inplace=inplace,
                      macs=n_batch * n_filter * (n_input + n_memory),
                      note=f"float, rank {rank}, memory {n_memory}, {n_batch} batch")
