"""READ_VARIABLE / ASSIGN_VARIABLE: resource variables, which passes.resource_variables turned
into variable tensors (kept between invokes in the arena's state region, initialised from the
model's CALL_ONCE init subgraph). A read copies the variable's bytes out (a later assignment must
not change a value already read), an assignment copies bytes in; LiteRT copies the same bytes
(its ResourceVariable keeps the assigned tensor's data as is)."""
from __future__ import annotations

from ..ir import Graph, Op
from .base import KernelCall, register, require

VARIABLE_TYPES = ("int8", "int16", "int32", "int64", "float32", "bool")


@register("READ_VARIABLE", dtypes=VARIABLE_TYPES, note="copy out of the state region")
def lower_read_variable(op: Op, graph: Graph) -> KernelCall:
    var, y = op.inputs[0], op.outputs[0] if op.outputs else None
    require(var is not None and var.is_variable and y is not None, op, "needs a resource variable and an output")
    assert var is not None and y is not None
    require(y.dtype == var.dtype and y.nbytes == var.nbytes, op,
            f"reads {y.dtype}{list(y.shape)} from a {var.dtype}{list(var.shape)} variable")
    return KernelCall(op=op, template="copy.c.j2", header="", inputs=[var], outputs=[y],
                      params=dict(nbytes=var.nbytes), note="variable read")


@register("ASSIGN_VARIABLE", dtypes=VARIABLE_TYPES, note="copy into the state region")
def lower_assign_variable(op: Op, graph: Graph) -> KernelCall:
    # passes.resource_variables wrote it as value -> variable
    value = op.inputs[0] if op.inputs else None
    var = op.outputs[0] if op.outputs else None
    require(var is not None and var.is_variable and value is not None, op, "needs a resource variable and a value")
    assert var is not None and value is not None
    require(value.dtype == var.dtype and value.nbytes == var.nbytes, op,
            f"assigns {value.dtype}{list(value.shape)} to a {var.dtype}{list(var.shape)} variable "
            "(resource variables keep one shape)")
    return KernelCall(op=op, template="copy.c.j2", header="", inputs=[value], outputs=[var],
                      params=dict(nbytes=var.nbytes), note="variable assignment")
