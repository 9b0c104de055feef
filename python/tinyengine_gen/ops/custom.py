"""User-provided ops (`tinyengine-gen --custom-ops`): an op without a lowering here (a CUSTOM op, or
a builtin op or type tinyengine lacks) becomes a call of `te_custom_<name>()`, a C function the
application writes (include/tinyengine/te_custom.h has the signature and the tensor description).

Names come from an untrusted model: the function name keeps only [a-z0-9_] of the custom code (or
the builtin name), is cut to a length every C compiler keeps apart, and two kinds that would give
one name are an error; the op's name reaches the C source only through codegen.c_comment's
character set. Custom options are emitted as bytes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from ..errors import UnsupportedModelError, printable
from ..ir import Graph, Op, Tensor
from .base import ConstArray, KernelCall, require

CUSTOM_PREFIX = "CUSTOM:"  # reader: kind of a CUSTOM op is "CUSTOM:<custom code>"
BUILTIN_CUSTOM = 32  # BuiltinOperator.CUSTOM
NAME_LIMIT = 24  # te_custom_ + 24: within C99's 31 significant characters of external names
DTYPE_CODES = {"int8": 1, "uint8": 2, "int16": 3, "int32": 4, "int64": 5, "float32": 6, "bool": 7}


def op_name(op: Op) -> str:
    """The name the model gives the op: its custom code, or the builtin operator's name."""
    return op.kind[len(CUSTOM_PREFIX):] if op.kind.startswith(CUSTOM_PREFIX) else op.kind


def function_name(op: Op) -> str:
    """te_custom_<name>: [a-z0-9_] only, never empty, cut to NAME_LIMIT characters."""
    ident = re.sub(r"[^a-z0-9_]", "_", op_name(op).lower()).strip("_") or "op"
    return "te_custom_" + ident[:NAME_LIMIT]


@dataclass
class CustomFunction:
    """One function the application writes, and the ops that call it."""

    function: str
    name: str  # the op's name in the model (may hold any character: print through c_comment)
    op_indices: list[int]


def assign_functions(graph: Graph, ops: list[Op]) -> list[CustomFunction]:
    """Give each op kind in `ops` its function (op.context.custom_function); two kinds whose
    names give the same function are refused (one function would serve both)."""
    functions: dict[str, CustomFunction] = {}
    for op in ops:
        fn = function_name(op)
        name = op_name(op)
        entry = functions.setdefault(fn, CustomFunction(fn, name, []))
        if entry.name != name:
            raise UnsupportedModelError(
                f"{graph.source or graph.name}: ops '{printable(entry.name)}' and '{printable(name)}' would both "
                f"call {fn}(); tinyengine cannot tell them apart")
        entry.op_indices.append(op.index)
        op.context.custom_function = fn
    return list(functions.values())


def _tensor_info(t: Optional[Tensor], op: Op) -> dict[str, Any]:
    if t is None:
        return dict(present=False)
    require(t.dtype in DTYPE_CODES, op, f"tensor '{printable(t.name)}' has type {t.dtype}, which custom ops "
            f"cannot take (supported: {', '.join(DTYPE_CODES)})")
    info: dict[str, Any] = dict(present=True, dtype=DTYPE_CODES[t.dtype], rank=len(t.shape),
                                shape=[int(d) for d in t.shape], bytes=t.nbytes, num_scales=0,
                                scale=[], zero_point=[], axis=0)
    if t.quant is not None:
        info.update(num_scales=int(t.quant.scale.size), scale=[float(s) for s in t.quant.scale],
                    zero_point=[int(z) for z in t.quant.zero_point], axis=int(t.quant.axis))
    return info


def lower_custom(op: Op, graph: Graph) -> KernelCall:
    """A call of the op's te_custom_ function with every input and output described."""
    fn = str(op.context.custom_function)
    ins = [_tensor_info(t, op) for t in op.inputs]
    outs = [_tensor_info(t, op) for t in op.outputs]
    require(len(outs) > 0, op, "a custom op needs at least one output")
    consts: dict[str, ConstArray] = {}
    raw = op.context.custom_options
    if op.kind.startswith(CUSTOM_PREFIX) and raw:
        consts["options"] = ConstArray("uint8_t", np.frombuffer(bytes(raw), np.uint8).copy())
    builtin = dict(op.options)
    code = BUILTIN_CUSTOM if op.context.builtin_code is None else op.context.builtin_code
    params = dict(function=fn, name=op_name(op), builtin_code=code,
                  model_op_index=op.index, ins=ins, outs=outs,
                  builtin_options=", ".join(f"{k}={v}" for k, v in sorted(builtin.items())))
    return KernelCall(op=op, template="custom.c.j2", header="tinyengine/te_custom.h",
                      inputs=[t for t in op.inputs if t is not None], outputs=list(op.outputs),
                      params=params, consts=consts, note=f"your {fn}()")
