"""Checks a freshly read graph against the TFLite schema's rules and LiteRT's own checks, once,
before any pass or lowering trusts it.

A model is input from outside (a model zoo, a converter, anyone with write access to the firmware
repository). The reader already refuses what is not a readable flatbuffer; this module refuses
readable graphs that LiteRT would refuse too (its verifier and the kernels' Prepare checks) or that
would make the generator or the generated C misbehave: indices, op order, who writes what, shapes
and sizes, quantization parameters, op arity and option ranges. Every refusal is one short line
naming the op index, the tensor and the rule. Later stages may then index op inputs and divide by
scales without guarding each use.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .errors import ModelFormatError, printable
from .ir import DTYPE_BYTES, Graph, Op, Tensor

# A tensor's bytes, and every offset the generated code computes, must fit the Cortex-M address
# space with room to spare: the generated offset tables are uint32 and kernels index with int32.
MAX_TENSOR_BYTES = 1 << 30  # 1 GiB
MAX_RANK = 8
ZERO_POINT_RANGE = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767),
                    "int32": (-(2**31), 2**31 - 1), "int64": (-(2**31), 2**31 - 1)}

# Input counts (min, max) and required input slots of the ops whose inputs the passes and
# lowerings index directly; other ops get the generic checks and their lowering's own.
_CONV = (2, 3, (0, 1))
ARITY: dict[str, tuple[int, int, tuple[int, ...]]] = {
    "CONV_2D": _CONV, "DEPTHWISE_CONV_2D": _CONV, "FULLY_CONNECTED": (2, 4, (0, 1)),
    "TRANSPOSE_CONV": (3, 4, (0, 1, 2)),
    "ADD": (2, 2, (0, 1)), "SUB": (2, 2, (0, 1)), "MUL": (2, 2, (0, 1)), "DIV": (2, 2, (0, 1)),
    "AVERAGE_POOL_2D": (1, 1, (0,)), "MAX_POOL_2D": (1, 1, (0,)), "L2_POOL_2D": (1, 1, (0,)),
    "MEAN": (2, 2, (0, 1)), "SUM": (2, 2, (0, 1)), "REDUCE_MAX": (2, 2, (0, 1)), "REDUCE_MIN": (2, 2, (0, 1)),
    "PAD": (2, 2, (0, 1)), "PADV2": (2, 3, (0, 1)), "MIRROR_PAD": (2, 2, (0, 1)),
    "SOFTMAX": (1, 1, (0,)), "LOG_SOFTMAX": (1, 1, (0,)), "LOGISTIC": (1, 1, (0,)), "TANH": (1, 1, (0,)),
    "QUANTIZE": (1, 1, (0,)), "DEQUANTIZE": (1, 1, (0,)),
    "RESHAPE": (1, 2, (0,)), "SQUEEZE": (1, 1, (0,)), "EXPAND_DIMS": (2, 2, (0, 1)),
    "SHAPE": (1, 1, (0,)), "STRIDED_SLICE": (4, 4, (0, 1, 2, 3)), "PACK": (1, 1 << 16, ()),
    "CONCATENATION": (1, 1 << 16, ()), "TRANSPOSE": (2, 2, (0, 1)),
    "RESIZE_NEAREST_NEIGHBOR": (2, 2, (0, 1)), "RESIZE_BILINEAR": (2, 2, (0, 1)),
    "UNIDIRECTIONAL_SEQUENCE_LSTM": (20, 24, (0, 2, 3, 4, 6, 7, 8, 13, 14, 15, 18, 19)),
    # layout, resize and reduction families (ops/layout.py, resize.py, reduce.py)
    "SLICE": (3, 3, (0, 1, 2)), "SPLIT": (2, 2, (0, 1)), "SPLIT_V": (3, 3, (0, 1, 2)), "UNPACK": (1, 1, (0,)),
    "GATHER": (2, 2, (0, 1)), "GATHER_ND": (2, 2, (0, 1)), "EMBEDDING_LOOKUP": (2, 2, (0, 1)),
    "DEPTH_TO_SPACE": (1, 1, (0,)), "SPACE_TO_DEPTH": (1, 1, (0,)),
    "BATCH_TO_SPACE_ND": (3, 3, (0, 1, 2)), "SPACE_TO_BATCH_ND": (3, 3, (0, 1, 2)),
    "BROADCAST_TO": (2, 2, (0, 1)), "BROADCAST_ARGS": (2, 2, (0, 1)), "TILE": (2, 2, (0, 1)),
    "REVERSE_V2": (2, 2, (0, 1)), "FILL": (2, 2, (0, 1)), "ZEROS_LIKE": (1, 1, (0,)),
    "DYNAMIC_UPDATE_SLICE": (3, 3, (0, 1, 2)), "REDUCE_PROD": (2, 2, (0, 1)), "REDUCE_ANY": (2, 2, (0, 1)),
    "REDUCE_ALL": (2, 2, (0, 1)), "ARG_MAX": (2, 2, (0, 1)), "ARG_MIN": (2, 2, (0, 1)), "CUMSUM": (2, 2, (0, 1)),
}
# Ops whose effect is not an output: a resource variable's assignment, the init subgraph's call.
NO_OUTPUT_OPS = ("ASSIGN_VARIABLE", "CALL_ONCE")
# Option fields that must be >= 1 where present.
POSITIVE_OPTIONS = ("stride_w", "stride_h", "dilation_w_factor", "dilation_h_factor", "filter_width",
                    "filter_height", "depth_multiplier", "block_size")

shown = printable


def _t(t: Tensor) -> str:
    return f"tensor {t.id} '{shown(t.name)}'"


class _Checker:
    def __init__(self, graph: Graph):
        self.graph = graph
        self.source = graph.source or graph.name

    def fail(self, what: str) -> None:
        raise ModelFormatError(f"{self.source}: {what}")

    # ---- tensors ----------------------------------------------------------------------------
    def tensor(self, t: Tensor) -> None:
        if t.dtype not in DTYPE_BYTES:
            self.fail(f"{_t(t)} has a type tinyengine does not know ({t.dtype.replace('unsupported-type-', 'code ')})")
        if len(t.shape) > MAX_RANK:
            self.fail(f"{_t(t)} has rank {len(t.shape)} (at most {MAX_RANK})")
        if any(d < 0 for d in t.shape):
            self.fail(f"{_t(t)} has a negative dimension {list(t.shape)}")
        nbytes = DTYPE_BYTES[t.dtype]
        for d in t.shape:
            nbytes *= d
        if nbytes > MAX_TENSOR_BYTES:
            self.fail(f"{_t(t)} needs {nbytes} bytes, more than tinyengine's limit of 1 GiB per tensor")
        if t.quant is not None:
            self.quant(t)

    def quant(self, t: Tensor) -> None:
        q = t.quant
        assert q is not None
        scales = [float(s) for s in q.scale.reshape(-1)]
        if not all(math.isfinite(s) and s > 0.0 for s in scales):
            bad = next(s for s in scales if not (math.isfinite(s) and s > 0.0))
            self.fail(f"{_t(t)} has quantization scale {bad!r} (scales must be finite and positive)")
        if q.zero_point.size != q.scale.size:
            self.fail(f"{_t(t)} has {q.zero_point.size} zero points for {q.scale.size} scales")
        if q.scale.size > 1:
            if not 0 <= q.axis < len(t.shape) or q.scale.size != t.shape[q.axis]:
                dim = t.shape[q.axis] if 0 <= q.axis < len(t.shape) else "no"
                self.fail(f"{_t(t)} has {q.scale.size} per-channel scales for {dim} channels "
                          f"(quantized dimension {q.axis})")
        lo, hi = ZERO_POINT_RANGE.get(t.dtype, (-(2**31), 2**31 - 1))
        zps = [int(z) for z in q.zero_point.reshape(-1)]
        if any(not lo <= z <= hi for z in zps):
            bad = next(z for z in zps if not lo <= z <= hi)
            self.fail(f"{_t(t)} has zero point {bad}, outside the {t.dtype} range [{lo}, {hi}]")

    # ---- graph structure --------------------------------------------------------------------
    def structure(self) -> None:
        g = self.graph
        produced: dict[int, int] = {}  # tensor id -> op index that writes it
        t: Optional[Tensor]  # an op's inputs may be absent (None), its outputs never
        inputs = {id(t) for t in g.inputs}
        for t in g.inputs:
            if t.is_const:
                self.fail(f"model input {_t(t)} is a constant")
        available = set(inputs)
        for op in g.ops:
            self.op(op)
            for t in op.outputs:
                if any(u is t for u in op.inputs):
                    self.fail(f"op {op.index} ({op.kind}): {_t(t)} is both its input and its output")
            for t in op.inputs:
                if t is None or t.is_const or id(t) in available or t.is_variable:
                    continue
                writer = next((o.index for o in g.ops if any(u is t for u in o.outputs)), None)
                if writer is None:
                    self.fail(f"op {op.index} ({op.kind}) reads {_t(t)}, which no op writes and is not "
                              "a model input or a constant")
                self.fail(f"op {op.index} ({op.kind}) reads {_t(t)} before op {writer} writes it "
                          "(ops are not in execution order)")
            for t in op.outputs:
                if t.is_const:
                    self.fail(f"op {op.index} ({op.kind}) writes constant {_t(t)}")
                if id(t) in inputs:
                    self.fail(f"op {op.index} ({op.kind}) writes model input {_t(t)}")
                if id(t) in produced:
                    self.fail(f"{_t(t)} is written by op {produced[id(t)]} and op {op.index}")
                produced[id(t)] = op.index
                available.add(id(t))
        for i, t in enumerate(g.outputs):
            if t.is_const:
                self.fail(f"model output {i} ({_t(t)}) is a constant; tinyengine needs computed outputs")
            if id(t) not in available:
                self.fail(f"model output {i} ({_t(t)}) is written by no op and is not a model input")

    def op(self, op: Op) -> None:
        where = f"op {op.index} ({shown(op.kind)})"
        if not op.outputs and op.kind not in NO_OUTPUT_OPS:
            self.fail(f"{where} has no outputs")
        arity = ARITY.get(op.kind)
        if arity is not None:
            lo, hi, required = arity
            if not lo <= len(op.inputs) <= hi:
                want = f"{lo}" if lo == hi else f"{lo} to {hi}"
                self.fail(f"{where} has {len(op.inputs)} inputs, the op takes {want}")
            for slot in required:
                if op.inputs[slot] is None:
                    self.fail(f"{where}: input {slot} is missing (it is not optional)")
        _check_shapes(self, op, where)
        for key in POSITIVE_OPTIONS:
            value = op.options.get(key)
            if isinstance(value, int) and value < 1:
                self.fail(f"{where}: option {key} = {value} (must be at least 1)")


VIEW_OPS = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")
# op kind -> (filter input slot, filter rank, filter axis of the output channels, bias slot)
WEIGHTED = {"CONV_2D": (1, 4, 0, 2), "DEPTHWISE_CONV_2D": (1, 4, 3, 2), "FULLY_CONNECTED": (1, 2, 0, 2),
            "TRANSPOSE_CONV": (1, 4, 0, 3)}


def _size(t: Tensor) -> int:
    n = 1
    for d in t.shape:
        n *= d
    return n


def _check_shapes(checker: "_Checker", op: Op, where: str) -> None:
    """Shape rules that passes and lowerings rely on before their own checks run."""
    if op.kind in VIEW_OPS and op.inputs and op.inputs[0] is not None:
        x, y = op.input(0), op.outputs[0]
        if _size(x) != _size(y) or x.dtype != y.dtype:
            checker.fail(f"{where} turns {_t(x)} ({x.dtype}{list(x.shape)}) into {_t(y)} "
                         f"({y.dtype}{list(y.shape)}): a view must keep the type and the element count")
    if op.kind in WEIGHTED:
        w_slot, rank, axis, b_slot = WEIGHTED[op.kind]
        w = op.inputs[w_slot] if len(op.inputs) > w_slot else None
        if w is None:
            return
        if len(w.shape) != rank:
            checker.fail(f"{where}: filter {_t(w)} has shape {list(w.shape)}, the op needs rank {rank}")
        channels = w.shape[axis]
        y = op.outputs[0]
        if not y.shape or y.shape[-1] != channels:
            checker.fail(f"{where}: output {_t(y)} shape {list(y.shape)} does not end in the filter's "
                         f"{channels} output channels")
        b = op.inputs[b_slot] if len(op.inputs) > b_slot else None
        if b is not None and _size(b) != channels:
            checker.fail(f"{where}: bias {_t(b)} has {_size(b)} values for {channels} output channels")
        _check_accumulator(checker, op, where, w, axis, b)


def _check_accumulator(checker: "_Checker", op: Op, where: str, w: Tensor, axis: int, b: Optional[Tensor]) -> None:
    """8-bit convolutions accumulate in int32, in the reference and in our kernels: refuse weights
    whose worst-case input could overflow it (the reference's result would be undefined)."""
    x = op.inputs[0] if op.kind != "TRANSPOSE_CONV" else op.inputs[2]
    if x is None or x.quant is None or x.dtype not in ("int8", "uint8") or w.data is None or w.quant is None:
        return
    lo, hi = ZERO_POINT_RANGE[x.dtype]
    x_span = max(abs(lo - x.quant.zp), abs(hi - x.quant.zp))
    w_zp = w.quant.zero_point.reshape(-1)
    weights = np.moveaxis(w.data.astype(np.int64), axis, 0).reshape(w.shape[axis], -1)
    w_zp = w_zp if w_zp.size == weights.shape[0] else np.full(weights.shape[0], int(w_zp[0]))
    worst = np.abs(weights - w_zp[:, None]).sum(axis=1) * x_span
    if b is not None and b.data is not None:
        worst = worst + np.abs(b.data.astype(np.int64).reshape(-1))
    if int(worst.max(initial=0)) >= 2**31:
        checker.fail(f"{where}: an input could overflow the int32 accumulator (worst case {int(worst.max())}); "
                     "the reference's result would be undefined")


def _used_tensors(graph: Graph) -> list[Tensor]:
    """Tensors the model uses (op operands, intermediates, model inputs and outputs), in id order.
    Tensors nothing refers to are ignored, as LiteRT ignores them."""
    used: dict[int, Tensor] = {}
    for op in graph.ops:
        for t in [*op.inputs, *op.outputs, *op.context.intermediates]:
            if t is not None:
                used[t.id] = t
    for t in [*graph.inputs, *graph.outputs]:
        used[t.id] = t
    return [used[k] for k in sorted(used)]


def validate(graph: Graph) -> Graph:
    """Raise ModelFormatError (one line) unless the graph is well formed; return it unchanged."""
    checker = _Checker(graph)
    for t in _used_tensors(graph):
        checker.tensor(t)
    checker.structure()
    return graph


def first_problem(graph: Graph) -> Optional[str]:
    """The refusal message for a graph, or None (for tests and reports)."""
    try:
        validate(graph)
    except ModelFormatError as exc:
        return str(exc)
    return None
