"""Graph passes between reading and lowering.

- constant folding: shape arithmetic that Keras exports compute at run time
  (SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE) is evaluated here, once;
- views: RESHAPE / SQUEEZE / EXPAND_DIMS become aliases (no copy, no arena);
- legacy uint8 models are moved to the int8 domain (q - 128, zero point - 128),
  which is exact for their integer arithmetic; the ops remember it
  (`_legacy_uint8`) where the reference's uint8 arithmetic differs;
- dead ops are dropped and what is left is checked against the kernel registry.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from .errors import UnsupportedModelError, UnsupportedOpError, printable
from .ir import Graph, Op, Quant, Tensor
from .ops import PASS_HANDLED, REGISTRY, custom
from .ops.base import FOLDERS as OP_FOLDERS
from .ops.base import lowering_for, type_key
from .ops.custom import CustomFunction
from .ops.layout import view_slices
from .ops.resize import fuse_resize_arg
from .reader import variable_key

VIEW_OPS = {"RESHAPE", "SQUEEZE", "EXPAND_DIMS"}
PASS_HANDLED.update(VIEW_OPS | {"SHAPE", "STRIDED_SLICE", "PACK", "VAR_HANDLE", "CALL_ONCE"})
FLOAT_EDGE_OPS = {"QUANTIZE", "DEQUANTIZE"}
EDGE_FLIP = "TE_FLIP_SIGN"  # internal op: uint8 <-> int8 by toggling bit 7


def _pack(op: Op, *xs: np.ndarray) -> np.ndarray:
    return np.stack(xs, axis=int(op.options.get("axis", 0)))


def _concat(op: Op, *xs: np.ndarray) -> np.ndarray:
    return np.concatenate(xs, axis=int(op.options.get("axis", 0)))


FOLDERS: dict[str, Callable[..., np.ndarray]] = {
    "PACK": _pack,
    "CONCATENATION": _concat,
}


def resource_variables(graph: Graph) -> None:
    """Resource variables become variable tensors (the arena's state region), one per
    (container, shared_name): VAR_HANDLE ops go, READ_VARIABLE / ASSIGN_VARIABLE read and write the
    variable itself (ASSIGN_VARIABLE(handle, value) becomes value -> variable). CALL_ONCE goes too:
    the reader evaluated its init subgraph, whose constant assignments are the variables' initial
    (and reset) values."""
    variables: dict[tuple[str, str], Tensor] = {}
    handles: dict[int, Tensor] = {}  # id(VAR_HANDLE output) -> its variable
    for op in list(graph.ops):
        if op.kind == "CALL_ONCE":
            graph.ops.remove(op)
        elif op.kind == "VAR_HANDLE" and op.outputs:
            key = variable_key(op)
            if key not in variables:
                init = graph.variable_init.get(key)
                if init is None or init.data is None:
                    raise UnsupportedModelError(
                        f"VAR_HANDLE at op index {op.index}: resource variable '{key[1]}' has no constant "
                        "initial value (a CALL_ONCE init subgraph assigning one)")
                variables[key] = Tensor(id=len(graph.tensors), name=key[1] or "variable", shape=init.shape,
                                        dtype=init.dtype, quant=init.quant, is_variable=True, initial=init.data)
                graph.tensors.append(variables[key])
            handles[id(op.outputs[0])] = variables[key]
            graph.ops.remove(op)
    for op in graph.ops:
        if op.kind in ("READ_VARIABLE", "ASSIGN_VARIABLE"):
            h = op.inputs[0] if op.inputs else None
            if h is None or id(h) not in handles:
                raise UnsupportedModelError(f"{op.kind} at op index {op.index}: its resource comes from no VAR_HANDLE")
            if op.kind == "READ_VARIABLE":
                op.inputs[0] = handles[id(h)]
            else:  # written as what it is: the value in, the variable out
                op.inputs, op.outputs = op.inputs[1:], [handles[id(h)]]


def fold_constants(graph: Graph) -> None:
    """Evaluate ops whose result is known at generation time."""
    changed = True
    while changed:
        changed = False
        for op in list(graph.ops):
            out = op.outputs[0] if op.outputs else None
            if out is None or out in graph.outputs:
                continue
            ins = [t for t in op.inputs if t is not None]
            if (op.kind in OP_FOLDERS and ins and all(t.is_const for t in ins)
                    and not any(o in graph.outputs for o in op.outputs)):
                values = OP_FOLDERS[op.kind](op)  # the op family's own evaluation (every output)
                if values is not None:
                    for o, v in zip(op.outputs, values):
                        o.data = np.asarray(v).reshape(o.shape)
                    graph.ops.remove(op)
                    changed = True
                continue
            value: Optional[np.ndarray] = None
            if op.kind == "SHAPE":
                value = np.asarray(ins[0].shape, dtype=np.int32)
            elif op.kind in VIEW_OPS and ins[0].is_const:
                value = ins[0].const_data.reshape(out.shape)
            elif op.kind in FOLDERS and ins and all(t.is_const for t in ins):
                value = FOLDERS[op.kind](op, *[t.data for t in ins])
            if value is None:
                continue
            out.data = np.asarray(value).astype(out.data.dtype if out.data is not None else value.dtype)
            if out.shape == () or int(np.prod(out.shape)) != out.data.size:
                out.shape = tuple(out.data.shape)
            graph.ops.remove(op)
            changed = True


def alias_views(graph: Graph) -> None:
    """RESHAPE-like ops only relabel bytes: make the output a view of the input."""
    for op in list(graph.ops):
        if op.kind not in VIEW_OPS:
            continue
        x, y = op.input(0), op.outputs[0]
        if x.dtype != y.dtype or x.size != y.size:
            raise UnsupportedModelError(f"{op.kind} at op index {op.index} changes dtype or element count")
        y.alias_of = x
        graph.ops.remove(op)


PAD_FUSABLE_CONSUMERS = {"CONV_2D", "DEPTHWISE_CONV_2D"}  # lowerings honouring op.context.explicit_padding


def _pad_amounts(op: Op) -> Optional[np.ndarray]:
    pads = op.inputs[1] if len(op.inputs) > 1 else None
    if pads is None or not pads.is_const or pads.const_data.shape != (4, 2):
        return None
    return pads.const_data.astype(np.int64)


def fuse_pads(graph: Graph) -> None:
    """Fold a spatial PAD into the convolution that consumes it.

    The reference convolution skips taps outside the image, and a padded tap holding the input
    zero point contributes (zp - zp) * w = 0 as well, so padding with the zero point and then
    running VALID equals running the convolution with explicit padding: exact, and the padded
    copy (the largest buffer of many MobileNet-style graphs) disappears. A PAD whose paddings
    are all zero is a view.
    """
    for op in list(graph.ops):
        if op.kind not in ("PAD", "PADV2"):
            continue
        amounts = _pad_amounts(op)
        x, y = op.input(0), op.outputs[0]
        if amounts is None or x.quant is None or y.quant is None or y in graph.outputs:
            continue
        if not amounts.any() and x.dtype == y.dtype:
            y.alias_of = x
            graph.ops.remove(op)
            continue
        if amounts[0].any() or amounts[3].any() or (amounts < 0).any():
            continue
        if op.kind == "PADV2":
            value = op.inputs[2] if len(op.inputs) > 2 else None
            if value is None or not value.is_const or int(value.const_data.reshape(-1)[0]) != y.quant.zp:
                continue
        users = graph.consumers(y)
        if len(users) != 1 or x.quant.zp != y.quant.zp or float(x.quant.s) != float(y.quant.s):
            continue
        conv = users[0]
        if (conv.kind not in PAD_FUSABLE_CONSUMERS or conv.inputs[0] is not y
                or conv.options.get("padding") != "VALID" or conv.context.explicit_padding is not None):
            continue
        conv.inputs[0] = x
        conv.context.explicit_padding = (int(amounts[1][0]), int(amounts[1][1]),
                                            int(amounts[2][0]), int(amounts[2][1]))
        graph.ops.remove(op)


QUANTIZED_IO_TYPES = ("int8", "uint8", "int16")  # what --int8-io hands the caller at float edges


def quantized_io(graph: Graph) -> None:
    """--int8-io: a float input read only by a QUANTIZE becomes that QUANTIZE's 8-bit (or int16)
    output, a float output made by a DEQUANTIZE becomes the DEQUANTIZE's 8-bit (or int16) input. The caller then
    quantizes and dequantizes (the header gives each edge's scale and zero point), e.g. straight
    from a camera's pixels, and the arena never holds the 4-byte-per-value float copy."""
    for i, t in enumerate(list(graph.inputs)):
        users = graph.consumers(t)
        if t.dtype == "float32" and len(users) == 1 and users[0].kind == "QUANTIZE":
            q = users[0].outputs[0]
            if q.dtype in QUANTIZED_IO_TYPES and q.quant is not None and not q.quant.per_channel:
                graph.inputs[i] = q
                graph.ops.remove(users[0])
    for i, t in enumerate(list(graph.outputs)):
        op = graph.producer(t)
        if t.dtype == "float32" and op is not None and op.kind == "DEQUANTIZE":
            x = op.input(0)
            if x.dtype in QUANTIZED_IO_TYPES and x.quant is not None and not x.quant.per_channel:
                graph.outputs[i] = x
                if not graph.consumers(t):
                    graph.ops.remove(op)


def remove_dead_ops(graph: Graph) -> None:
    needed = {t.root for t in graph.outputs}
    for op in reversed(list(graph.ops)):
        # an op writing a variable (ASSIGN_VARIABLE) has an effect on later invokes
        if any(t.root in needed or t in graph.outputs or t.root.is_variable for t in op.outputs):
            for t in op.inputs:
                if t is not None:
                    needed.add(t.root)
                    needed.add(t)
        else:
            graph.ops.remove(op)


def _shift_to_int8(t: Tensor) -> None:
    t.dtype = "int8"
    if t.quant is not None:
        t.quant = Quant(scale=t.quant.scale, zero_point=t.quant.zero_point - 128, axis=t.quant.axis)
    if t.data is not None:
        t.data = (t.data.astype(np.int16) - 128).astype(np.int8)


def normalize_uint8(graph: Graph) -> None:
    """Move uint8 arithmetic ops to int8 storage; flip bit 7 at the graph's uint8 edges.

    QUANTIZE / DEQUANTIZE keep their uint8 side: their kernels read and write uint8.
    """
    legacy_ops = [op for op in graph.ops if op.kind not in FLOAT_EDGE_OPS
                  and any(t is not None and t.dtype == "uint8" for t in op.inputs + op.outputs)]
    if not legacy_ops:
        return
    shifted: set[int] = set()
    for op in legacy_ops:
        # Which positions hold uint8 (ops mixing types, e.g. CAST, need to know after the shift).
        op.context.uint8_inputs = [i for i, t in enumerate(op.inputs) if t is not None and t.dtype == "uint8"]
        op.context.uint8_outputs = [i for i, t in enumerate(op.outputs) if t.dtype == "uint8"]
    for op in legacy_ops:
        op.context.legacy_uint8 = True
        for t in op.inputs + op.outputs:
            if t is None or t.dtype != "uint8" or id(t) in shifted:
                continue
            edge_in, edge_out = t in graph.inputs, t in graph.outputs
            if edge_in or edge_out:
                # Keep the user's uint8 buffer; a flip op (in place) moves it to int8.
                inner = Tensor(id=len(graph.tensors), name=t.name + "_s8", shape=t.shape, dtype="uint8",
                               quant=t.quant)
                graph.tensors.append(inner)
                _shift_to_int8(inner)
                shifted.add(id(inner))
                for other in graph.ops:
                    if other is op or other in legacy_ops:
                        other.inputs = [inner if (u is t and edge_in) else u for u in other.inputs]
                        other.outputs = [inner if (u is t and edge_out) else u for u in other.outputs]
                if edge_in:
                    graph.ops.insert(0, Op(index=-1, kind=EDGE_FLIP, inputs=[t], outputs=[inner]))
                else:
                    graph.ops.append(Op(index=-1, kind=EDGE_FLIP, inputs=[inner], outputs=[t]))
            else:
                _shift_to_int8(t)
                shifted.add(id(t))
    # Views of shifted tensors carry the same bytes.
    for t in graph.tensors:
        if t.alias_of is not None and t.dtype == "uint8" and t.root.dtype == "int8":
            _shift_to_int8(t)


CUSTOM_OPS_HINT = "or --custom-ops calls your own C function for each (tinyengine/te_custom.h)"


def check_supported(graph: Graph, custom_ops: bool = False) -> list[CustomFunction]:
    """Every op has a lowering; with custom_ops, the ones without become calls of the application's
    te_custom_<name>() (returned: the functions to write)."""
    unsupported = [op for op in graph.ops if op.kind not in REGISTRY or lowering_for(op) is None]
    if unsupported and not custom_ops:
        raise UnsupportedOpError([(op.index, printable(op.kind), type_key(op)) for op in unsupported],
                                 source=graph.source or graph.name, hint=CUSTOM_OPS_HINT)
    return custom.assign_functions(graph, unsupported)


def run_passes(graph: Graph, int8_io: bool = False, custom_ops: bool = False) -> Graph:
    resource_variables(graph)
    fold_constants(graph)
    alias_views(graph)
    fuse_pads(graph)
    if int8_io:
        quantized_io(graph)
    remove_dead_ops(graph)
    normalize_uint8(graph)
    view_slices(graph)
    fuse_resize_arg(graph)
    graph.custom_functions = check_supported(graph, custom_ops)
    return graph
