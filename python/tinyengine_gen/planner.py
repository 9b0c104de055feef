"""Arena planning: every non-constant tensor (and every kernel scratch buffer)
gets an offset in one static arena, so that no two buffers alive at the same
time overlap.

Buffers are the alias roots of tensors. A kernel call may let an output share
an input's buffer (in-place); such pairs are merged into one buffer before
placement. Several placement strategies run and the smallest arena wins; the
lower bound (the largest sum of simultaneously live buffers) is reported
beside it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from .ir import Graph, Tensor
from .ops import KernelCall

ALIGN = 16  # keeps every buffer aligned for 128-bit (Helium) and 64-bit loads


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


@dataclass(eq=False)
class Buffer:
    name: str
    size: int
    first: int  # first step (kernel call index) it is live
    last: int  # last step it is live
    tensors: list[Tensor] = field(default_factory=list)
    offset: int = -1

    def overlaps_in_time(self, other: "Buffer") -> bool:
        return self.first <= other.last and other.first <= self.last


@dataclass
class Plan:
    arena_size: int
    lower_bound: int
    strategy: str
    offsets: dict[int, int]  # id(root tensor) -> offset
    scratch_offsets: dict[int, int]  # kernel call index -> scratch offset
    buffers: list[Buffer]
    live_bytes: list[int]  # per step: bytes of buffers live during that call
    in_place: list[tuple[int, str]]  # (call index, description) of in-place pairs applied

    def offset_of(self, t: Tensor) -> int:
        return self.offsets[id(t.root)]


def _lifetimes(graph: Graph, calls: list[KernelCall]) -> tuple[dict[int, Buffer], list[tuple[int, int, int]]]:
    """Buffers per alias root with [first, last] step; in-place candidates."""
    end = len(calls) - 1
    buffers: dict[int, Buffer] = {}

    def touch(t: Tensor, step: int) -> None:
        r = t.root
        if r.is_const:
            return
        b = buffers.get(id(r))
        if b is None:
            buffers[id(r)] = Buffer(name=r.name, size=r.nbytes, first=step, last=step, tensors=[r])
        else:
            b.first, b.last = min(b.first, step), max(b.last, step)

    for t in graph.inputs:
        touch(t, 0)
    for step, call in enumerate(calls):
        for t in call.inputs + call.outputs:
            touch(t, step)
    for t in graph.outputs:
        touch(t, end)
    candidates = []
    for step, call in enumerate(calls):
        for out_i, in_i in call.inplace:
            candidates.append((step, out_i, in_i))
    return buffers, candidates


def _merge_in_place(graph: Graph, calls: list[KernelCall], buffers: dict[int, Buffer],
                    candidates: list[tuple[int, int, int]]) -> list[tuple[int, str]]:
    """Let an output take over its input's buffer when the input dies at that call."""
    applied = []
    protected = {id(t.root) for t in graph.outputs}
    taken: set[int] = set()  # outputs already given an input's buffer: one input per output
    for step, out_i, in_i in candidates:
        call = calls[step]
        src, dst = call.inputs[in_i].root, call.outputs[out_i].root
        bs, bd = buffers.get(id(src)), buffers.get(id(dst))
        if bs is None or bd is None or bs is bd or id(dst) in taken:
            continue
        if bs.last != step or bd.first != step or id(src) in protected and id(dst) not in protected:
            continue
        if any(t is src for t in call.outputs):
            continue
        taken.add(id(dst))
        bs.size = max(bs.size, bd.size)
        bs.last = bd.last
        bs.tensors.extend(bd.tensors)
        bs.name = f"{bs.name}+{bd.name}"
        for key, b in list(buffers.items()):
            if b is bd:
                buffers[key] = bs
        applied.append((step, f"{call.op.kind} writes over {src.name}"))
    return applied


def _place(order: list[Buffer]) -> int:
    """First fit in the given order: lowest offset that clashes with no time-overlapping buffer."""
    placed: list[Buffer] = []
    top = 0
    for b in order:
        clashes = sorted((p for p in placed if p.overlaps_in_time(b)), key=lambda p: p.offset)
        offset = 0
        for p in clashes:
            if offset + _align(b.size) <= p.offset:
                break
            offset = max(offset, p.offset + _align(p.size))
        b.offset = offset
        placed.append(b)
        top = max(top, offset + _align(b.size))
    return top


STRATEGIES: dict[str, Callable[[list[Buffer]], list[Buffer]]] = {
    "greedy-by-size": lambda bs: sorted(bs, key=lambda b: (-b.size, b.first)),
    "greedy-by-first-use": lambda bs: sorted(bs, key=lambda b: (b.first, -b.size)),
    "greedy-by-lifetime": lambda bs: sorted(bs, key=lambda b: (-(b.last - b.first), -b.size)),
    "greedy-by-size-x-lifetime": lambda bs: sorted(bs, key=lambda b: (-b.size * (b.last - b.first + 1), b.first)),
}


def plan_arena(graph: Graph, calls: list[KernelCall], strategy: Optional[str] = None,
               in_place: bool = True) -> Plan:
    buffers, candidates = _lifetimes(graph, calls)
    applied = _merge_in_place(graph, calls, buffers, candidates) if in_place else []
    unique: list[Buffer] = []
    for b in buffers.values():
        if all(b is not u for u in unique):
            unique.append(b)
    scratch: dict[int, Buffer] = {}
    for step, call in enumerate(calls):
        if call.scratch_bytes > 0:
            scratch[step] = Buffer(name=f"scratch@{step}", size=call.scratch_bytes, first=step, last=step)
    everything = unique + list(scratch.values())

    live = [sum(_align(b.size) for b in everything if b.first <= s <= b.last) for s in range(len(calls))]
    lower_bound = max(live, default=0)

    best: Optional[tuple[int, str, dict[int, int]]] = None
    for name, order in STRATEGIES.items():
        if strategy and name != strategy:
            continue
        top = _place(order(everything))
        if best is None or top < best[0]:
            best = (top, name, {id(b): b.offset for b in everything})
    assert best is not None, f"unknown planner strategy {strategy!r}"
    top, name, chosen = best
    for b in everything:
        b.offset = chosen[id(b)]
    offsets = {}
    for key, b in buffers.items():
        offsets[key] = b.offset
    return Plan(arena_size=top, lower_bound=lower_bound, strategy=name, offsets=offsets,
                scratch_offsets={s: b.offset for s, b in scratch.items()}, buffers=everything,
                live_bytes=live, in_place=applied)
