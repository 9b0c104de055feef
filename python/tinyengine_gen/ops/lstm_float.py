"""UNIDIRECTIONAL_SEQUENCE_LSTM, float32: LiteRT's float LSTM (lstm_eval.cc EvalFloat), kernel in
src/te_lstm_f32.c. The variants, operand checks and state handling follow the integer lowering
(ops/lstm.py), whose operand indices it shares."""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ..ir import Graph, Op, Tensor
from .base import ConstArray, KernelCall, all_present, register, require, variable_state
from .lstm import BIAS, C_STATE, GATE_NAMES, H_STATE, LAYER_NORM, PEEPHOLE, PROJECTION, W_IN, W_REC, X, _present

FLOAT_LSTM_ACTIVATIONS = {"TANH": 4}  # TfLiteFusedActivation values (te_float.h); the schema has no sigmoid


def lstm_f32_scratch_bytes(n_cell: int) -> int:
    """te_lstm_f32_scratch_bytes: the four gates of one row and the accumulator row (floats)."""
    return 4 * 5 * n_cell


@register("UNIDIRECTIONAL_SEQUENCE_LSTM", dtypes=("float32",))
def lower_lstm_f32(op: Op, graph: Graph) -> KernelCall:
    """LiteRT's float LSTM (lstm_eval.cc EvalFloat, its only float kernel: Eigen products and
    activations, which src/te_lstm_f32.c repeats). The same variants and checks as the integer
    lowering: no CIFG, peephole, projection or layer normalization."""
    require(len(op.inputs) in (20, 24), op, f"needs the 20- or 24-input form, got {len(op.inputs)} inputs")
    x, y = op.input(X), op.outputs[0]
    require(x is not None and x.dtype == "float32", op, "needs a float32 input")
    w_in: Sequence[Optional[Tensor]] = [_present(op, i) for i in W_IN]
    w_rec: Sequence[Optional[Tensor]] = [_present(op, i) for i in W_REC]
    require(w_in[0] is not None and w_rec[0] is not None, op,
            "CIFG (coupled input and forget gate, no input gate weights) is not supported")
    require(all(_present(op, i) is None for i in PEEPHOLE), op, "peephole connections are not supported")
    require(all(_present(op, i) is None for i in PROJECTION), op, "projection is not supported")
    require(all(_present(op, i) is None for i in LAYER_NORM), op, "layer normalization is not supported")
    for side, ws in (("input", w_in), ("recurrent", w_rec)):
        for name, t in zip(GATE_NAMES, ws):
            require(t is not None and t.is_const and t.dtype == "float32" and len(t.shape) == 2, op,
                    f"the {side}-to-{name} weights must be a constant 2-D float32 tensor "
                    "(hybrid float/int8 LSTMs are not supported)")
    require(y.dtype == "float32", op, f"needs a float32 output, got {y.dtype}")
    biases: Sequence[Optional[Tensor]] = [_present(op, i) for i in BIAS]
    for name, t in zip(GATE_NAMES, biases):
        require(t is not None and t.is_const and t.dtype == "float32", op,
                f"the {name} gate bias must be a constant float32 tensor")
    w_in, w_rec, biases = all_present(op, w_in), all_present(op, w_rec), all_present(op, biases)
    h_state = variable_state(op, graph, _present(op, H_STATE), "hidden state")
    c_state = variable_state(op, graph, _present(op, C_STATE), "cell state")
    require(h_state.dtype == "float32" and c_state.dtype == "float32", op, "needs float32 state tensors")
    require(len(x.shape) == 3, op, f"input must be 3-D (time and batch), got shape {x.shape}")
    time_major = bool(op.options.get("time_major", False))
    n_steps, n_batch = (int(x.shape[0]), int(x.shape[1])) if time_major else (int(x.shape[1]), int(x.shape[0]))
    # Time-major steps over several batches multiply matrices (Eigen's blocked GEMM), not vectors.
    require(not time_major or n_batch == 1, op, "time-major float LSTMs with more than one batch are not supported")
    n_input = int(x.shape[-1])
    n_cell, n_output = int(w_in[3].shape[0]), int(w_rec[3].shape[1])
    require(n_output == n_cell, op, f"{n_output} outputs for {n_cell} cells needs a projection")
    for t in w_in:
        require(tuple(t.shape) == (n_cell, n_input), op, f"input weights of shape {t.shape}, want {(n_cell, n_input)}")
    for t in w_rec:
        require(tuple(t.shape) == (n_cell, n_cell), op, f"recurrent weights of shape {t.shape}, want {(n_cell, n_cell)}")
    for t in biases:
        require(t.size == n_cell, op, f"gate bias of {t.size} values for {n_cell} cells")
    require(h_state.size == n_batch * n_cell and c_state.size == n_batch * n_cell, op,
            "state tensor sizes do not match batch x cells")
    require(tuple(y.shape) == tuple(x.shape[:-1]) + (n_cell,), op,
            f"output shape {y.shape} does not match input {x.shape} with {n_cell} cells")
    require(n_steps * n_batch >= 1 and n_input >= 1 and n_cell >= 1, op, "empty tensor")
    act = str(op.options.get("fused_activation_function", "TANH"))
    require(act in FLOAT_LSTM_ACTIVATIONS, op, f"activation {act} is not supported (TANH is)")
    cell_clip = float(np.float32(op.options.get("cell_clip", 0.0)))
    require(cell_clip >= 0 and float(op.options.get("proj_clip", 0.0)) >= 0, op, "negative clip value")

    consts: dict[str, ConstArray] = {}
    for g in range(4):
        consts[f"w_in{g}"] = ConstArray("float", w_in[g].const_data.astype(np.float32).reshape(-1))
        consts[f"w_rec{g}"] = ConstArray("float", w_rec[g].const_data.astype(np.float32).reshape(-1))
        consts[f"bias{g}"] = ConstArray("float", biases[g].const_data.astype(np.float32).reshape(-1))
    # The states keep their values between invokes (the planner's state region), as LiteRT keeps
    # variable tensors: the kernel starts from them and leaves the last step's hidden and cell state.
    params = dict(n_batch=n_batch, n_steps=n_steps, n_input=n_input, n_cell=n_cell, time_major=int(time_major),
                  activation=FLOAT_LSTM_ACTIVATIONS[act], cell_clip=f"{cell_clip!r}f")
    rows = n_steps * n_batch
    return KernelCall(op=op, template="lstm_f32.c.j2", header="tinyengine/te_float.h",
                      inputs=[x, h_state, c_state], outputs=[y], params=params,
                      consts=consts, scratch_bytes=lstm_f32_scratch_bytes(n_cell),
                      macs=rows * 4 * n_cell * (n_input + n_cell),
                      note=f"float, {n_steps} steps x {n_batch} batch")
