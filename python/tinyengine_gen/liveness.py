"""Buffer lifetimes: which non-constant buffers (tensor alias roots) are live at which step.

One definition for the planner, whose steps are kernel calls, and for the lowerings that choose
an in-place kernel or size a scratch buffer before there are calls, whose steps are the graph's
ops (lowering maps one op to one call, so the two agree). A buffer is live from the step that
first touches it to the step that last does, both included; graph inputs from step 0, graph
outputs to the last step. Variable tensors (state) live in the state region, not here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from .ir import Graph, Op, Tensor

ALIGN = 16  # keeps every buffer aligned for 128-bit (Helium) and 64-bit loads


def align_up(n: int) -> int:
    """n rounded up to ALIGN (arena buffers, scratch and patch windows)."""
    return (n + ALIGN - 1) // ALIGN * ALIGN


@dataclass(eq=False)
class Buffer:
    name: str
    size: int
    first: int  # first step (kernel call index) it is live
    last: int  # last step it is live
    tensors: list[Tensor] = field(default_factory=list)
    offset: int = -1
    scratch_of: Optional[int] = None  # call index for kernel scratch buffers

    @property
    def span(self) -> int:
        """Bytes it occupies in the arena (sizes are rounded up to ALIGN)."""
        return align_up(self.size)

    @property
    def end(self) -> int:
        return self.offset + self.span

    def overlaps_in_time(self, other: "Buffer") -> bool:
        return self.first <= other.last and other.first <= self.last

    def overlaps_in_space(self, other: "Buffer") -> bool:
        return self.offset < other.offset + other.span and other.offset < self.offset + self.span

    def __repr__(self) -> str:
        return f"Buffer({self.name!r}, {self.size} B, steps {self.first}..{self.last}, @{self.offset})"


def lifetimes(inputs: Iterable[Tensor], steps: Sequence[Iterable[Optional[Tensor]]],
              outputs: Iterable[Tensor]) -> dict[int, Buffer]:
    """One buffer per non-constant, non-variable alias root (keyed by id of the root), live over
    [first, last] of the steps (each step: the tensors it reads or writes)."""
    end = max(len(steps) - 1, 0)
    buffers: dict[int, Buffer] = {}

    def touch(t: Optional[Tensor], step: int) -> None:
        if t is None:
            return
        r = t.root
        if r.is_const or r.is_variable:
            return
        b = buffers.get(id(r))
        if b is None:
            buffers[id(r)] = Buffer(name=r.name, size=r.nbytes, first=step, last=step, tensors=[r])
        else:
            b.first, b.last = min(b.first, step), max(b.last, step)

    for t in inputs:
        touch(t, 0)
    for step, tensors in enumerate(steps):
        for u in tensors:
            touch(u, step)
    for t in outputs:
        touch(t, end)
    return buffers


def op_lifetimes(graph: Graph) -> dict[int, Buffer]:
    """The lifetimes over the graph's ops (what the planner will see over their calls)."""
    return lifetimes(graph.inputs, [[*op.inputs, *op.outputs] for op in graph.ops], graph.outputs)


def _step_of(graph: Graph, op: Op) -> Optional[int]:
    return next((i for i, other in enumerate(graph.ops) if other is op), None)


def _dies(graph: Graph, step: int, t: Tensor, buffers: dict[int, Buffer]) -> bool:
    if any(o.root is t.root for o in graph.outputs):
        return False
    buffer = buffers.get(id(t.root))
    return buffer is not None and buffer.last == step


def dies_at(graph: Graph, op: Op, t: Tensor) -> bool:
    """True when `op` is the last step touching t's buffer and it is not a graph output: the
    planner may then give the buffer to one of op's outputs (an in-place pair). An op outside
    the graph (a patch band's op) reads buffers of its own band, which die at it."""
    step = _step_of(graph, op)
    if step is None:
        return not any(o.root is t.root for o in graph.outputs)
    return _dies(graph, step, t, op_lifetimes(graph))


def spare_bytes_at(graph: Graph, op: Op, merged_input: Optional[Tensor]) -> int:
    """Arena bytes not live while `op` runs, from the lifetimes: the largest sum of live
    buffers minus the sum live at `op` (alignment left out), with `merged_input` counted once
    with the output if it dies at `op` (the planner then lets the output take its buffer).
    Scratch up to this size should not raise the arena. An op outside the graph (a patch band's
    op) has none: its stage plans its own buffers."""
    step = _step_of(graph, op)
    if step is None or not graph.ops:
        return 0
    buffers = op_lifetimes(graph)
    live = [sum(b.size for b in buffers.values() if b.first <= i <= b.last) for i in range(len(graph.ops))]
    here = live[step]
    if merged_input is not None and _dies(graph, step, merged_input, buffers):
        here -= min(merged_input.root.nbytes, sum(t.root.nbytes for t in op.outputs))
    return max(0, max(live) - here)
