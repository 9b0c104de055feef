"""IF and WHILE: control flow over subgraphs (tflite/kernels/if.cc, while.cc).

Each subgraph an IF or WHILE runs is read with the model (reader: op.context.subgraphs),
validated, put through the graph passes, lowered and planned on its own: its tensors live in a
sub-arena, which is the control-flow op's scratch in the enclosing arena (the branches of an IF,
or a WHILE's condition and body, share it: they never run at once). The generated code copies the
op's inputs into the subgraph's inputs, runs the subgraph's calls, and copies its outputs out, as
LiteRT copies tensors between subgraphs. Nesting works the same way, one sub-arena inside another.

WHILE keeps its loop variables in its own outputs. LiteRT loops until the condition is false,
however long that takes; the generated loop stops after TE_WHILE_MAX_ITERATIONS iterations
(te_control.h, a firmware build option, default 1,000,000) and the invoke returns non-zero, so a
condition that never turns false cannot hang the device.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..ir import Graph, Op, Tensor
from ..validate import validate
from .base import TYPE_NAMES, KernelCall, register, require

HEADER = "tinyengine/te_control.h"


@dataclass
class Nested:
    """One subgraph a control-flow call runs: its graph, kernel calls and sub-arena plan."""

    role: str  # "then", "else", "cond", "body"
    graph: Graph
    calls: list[KernelCall]
    plan: Any  # planner.Plan


def _compile_subgraph(op: Op, role: str, graph: Graph, outer_inputs: list[Tensor]) -> Nested:
    from ..passes import run_passes
    from ..pipeline import lower
    from ..planner import plan_arena

    where = f"{op.kind} at op index {op.index}, {role} subgraph"
    require(len(graph.inputs) == len(outer_inputs), op,
            f"{role} subgraph takes {len(graph.inputs)} inputs, the op gives {len(outer_inputs)}")
    for i, (inner, outer) in enumerate(zip(graph.inputs, outer_inputs)):
        require(inner.dtype == outer.dtype and tuple(inner.shape) == tuple(outer.shape), op,
                f"{role} subgraph input {i} is {inner.dtype} {list(inner.shape)}, the op gives "
                f"{outer.dtype} {list(outer.shape)}")
    # A subgraph may return a constant or one of its inputs as is (LiteRT copies either out): the
    # checks, passes and planner see only its computed outputs; codegen copies the others.
    outputs = list(graph.outputs)
    computed = [t for t in outputs if not t.is_const and t not in graph.inputs]
    graph.outputs = computed
    sub = validate(graph)
    require(not any(t.dtype == "uint8" for t in sub.tensors), op,
            f"{role} subgraph: legacy uint8 tensors inside control flow are not supported")
    run_passes(sub)
    require(not sub.custom_functions, op, f"{role} subgraph: ops without a kernel ({where})")
    calls = lower(sub)
    plan = plan_arena(sub, calls)
    replaced = iter(sub.outputs)
    sub.outputs = [t if (t.is_const or t in graph.inputs) else next(replaced) for t in outputs]
    require(plan.state_size == 0, op, f"{role} subgraph: variable tensors (state) inside control flow are not supported")
    return Nested(role=role, graph=sub, calls=calls, plan=plan)


def _subgraphs(op: Op) -> dict[str, Graph]:
    graphs = op.context.subgraphs
    require(len(graphs) == 2, op, "its subgraphs were not read")
    return graphs


def _check_outputs(op: Op, nested: Nested, outputs: list[Tensor]) -> None:
    require(len(nested.graph.outputs) == len(outputs), op,
            f"{nested.role} subgraph gives {len(nested.graph.outputs)} outputs, the op has {len(outputs)}")
    for i, (inner, outer) in enumerate(zip(nested.graph.outputs, outputs)):
        require(inner.dtype == outer.dtype and tuple(inner.shape) == tuple(outer.shape), op,
                f"{nested.role} subgraph output {i} is {inner.dtype} {list(inner.shape)}, the op's output is "
                f"{outer.dtype} {list(outer.shape)}")


@register("IF", dtypes=("bool",), note="both branches generated; inputs copied in, outputs out")
def lower_if(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) >= 1 and all(t is not None for t in op.inputs), op, "needs a condition and no omitted inputs")
    cond = op.inputs[0]
    assert cond is not None
    require(cond.size == 1, op, f"the condition must hold one bool, it has shape {list(cond.shape)}")
    args = [t for t in op.inputs[1:] if t is not None]
    graphs = _subgraphs(op)
    nested = [_compile_subgraph(op, role, graphs[role], args) for role in ("then", "else")]
    for n in nested:
        _check_outputs(op, n, op.outputs)
    return KernelCall(op=op, template="if.c.j2", header=HEADER, inputs=[cond, *args], outputs=list(op.outputs),
                      scratch_bytes=max(n.plan.arena_size for n in nested), nested=nested,
                      note=f"then {len(nested[0].calls)} ops, else {len(nested[1].calls)} ops")


@register("WHILE", dtypes=tuple(d for d in TYPE_NAMES if d != "uint8"),
          note="cond and body generated; bounded by TE_WHILE_MAX_ITERATIONS")
def lower_while(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) >= 1 and all(t is not None for t in op.inputs), op, "needs loop variables, none omitted")
    loop_vars = [t for t in op.inputs if t is not None]
    require(len(op.outputs) == len(loop_vars), op, f"has {len(loop_vars)} inputs but {len(op.outputs)} outputs")
    for i, (a, b) in enumerate(zip(loop_vars, op.outputs)):
        require(a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape), op,
                f"loop variable {i}: input {a.dtype} {list(a.shape)}, output {b.dtype} {list(b.shape)}")
    require(not op.context.legacy_uint8, op, "legacy uint8 loop variables are not supported")
    graphs = _subgraphs(op)
    cond = _compile_subgraph(op, "cond", graphs["cond"], loop_vars)
    body = _compile_subgraph(op, "body", graphs["body"], loop_vars)
    require(len(cond.graph.outputs) == 1 and cond.graph.outputs[0].dtype == "bool"
            and cond.graph.outputs[0].size == 1, op, "the cond subgraph must give one bool")
    _check_outputs(op, body, list(op.outputs))
    return KernelCall(op=op, template="while.c.j2", header=HEADER, inputs=loop_vars, outputs=list(op.outputs),
                      scratch_bytes=max(cond.plan.arena_size, body.plan.arena_size), nested=[cond, body],
                      note=f"cond {len(cond.calls)} ops, body {len(body.calls)} ops")
