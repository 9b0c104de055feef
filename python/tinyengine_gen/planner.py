"""Arena planning: every non-constant tensor (and every kernel scratch buffer)
gets an offset in one static arena, so that no two buffers alive at the same
time overlap.

Buffers are the alias roots of tensors; a buffer is live from the call that
first touches it to the call that last does (graph inputs from call 0, graph
outputs to the last call), both included. Kernel scratch is live during its
call only.

In-place pairs. A kernel call may declare (output idx, input idx) pairs
(`KernelCall.inplace`): its kernel is safe when that output sits at a fixed
offset from that input. The pair keeps two buffers with their own sizes and
lifetimes: the input's ends at the call, the output's starts there, and the two
may overlap in (time x offset) with each other only, at that call. The output
may be smaller than the input (the input's other bytes are free after the call)
or larger (its extra bytes must be free during the call). The relative offset
(the "alignment") is part of the declaration:

    (out, in)           or (out, in, "start"):  out.offset == in.offset
                        (forward kernels that write element i after reading
                        element i, output element no wider than the input's;
                        backward kernels when the output is wider);
    (out, in, "end"):   the buffers end together, rounded away from zero to
                        the arena alignment: an output wider than its input
                        starts below it (forward kernels, e.g. a PAD that
                        copies row by row with memmove), a narrower one starts
                        above (backward kernels).

A pair applies only when the input's buffer dies at that call (it is not read
later and is not a graph output) and the output's buffer is born there. An
output takes over at most one input and an input is given to at most one
output. A call may also declare `inplace_scratch_bytes` (read with getattr:
extra scratch its in-place variant needs, e.g. one channel for an in-place
depthwise convolution); the planner adds it to the call's scratch when it
applies a pair of that call. The codegen tells the op template which pairs were
applied (`inplace_applied`), so a template can pick an in-place kernel variant.

Placement. Buffers tied by pairs form chains with fixed relative offsets
("groups") and are placed together. Several strategies run (greedy orders x
first fit / best fit) and the smallest arena wins. Only when that is above the
lower bound: other pair sets are tried (chains cut where they drift, no pairs,
single pairs toggled), then a local search over the placement order and, for
small graphs, a branch and bound over orders. All of it is deterministic. The
lower bound is the largest number of bytes that must be live at one call, with
the in-place pairs at that call counted at their best; `lower_bound <=
arena_size` always holds and the gap is reported.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Callable, Optional

from .errors import TinyEngineError
from .ir import Graph, Tensor
from .liveness import ALIGN, Buffer, align_up, lifetimes
from .ops import KernelCall

SEARCH_EVALUATIONS = 400  # order perturbations tried by the local search (only when above the bound)
PAIR_SET_EVALUATIONS = 48  # pair subsets tried (only when above the bound)
EXACT_MAX_GROUPS = 12  # branch and bound over orders for graphs this small (when above the bound)
EXACT_NODES = 30_000  # its budget in first-fit placements


class UnknownStrategyError(TinyEngineError, ValueError):
    """`--planner NAME` names no strategy."""


@dataclass(eq=False)
class InPlacePair:
    """Output `dst` of call `step` at `dst.offset == src.offset + delta` over its dying input `src`."""

    step: int
    out_index: int
    in_index: int
    src: Buffer
    dst: Buffer
    delta: int
    align: str  # "start" or "end"
    extra_scratch: int = 0

    @property
    def overlap(self) -> int:
        """Bytes the pair shares (src at 0, dst at delta)."""
        return max(0, min(self.src.span, self.delta + self.dst.span) - max(0, self.delta))


@dataclass
class Plan:
    arena_size: int
    lower_bound: int
    strategy: str
    offsets: dict[int, int]  # id(root tensor) -> offset
    scratch_offsets: dict[int, int]  # kernel call index -> scratch offset
    buffers: list[Buffer]  # tensor buffers and scratch buffers, placed
    live_bytes: list[int]  # per step: bytes of buffers live during that call (in-place overlap counted once)
    in_place: list[tuple[int, str]]  # (call index, description) of in-place pairs applied
    inplace_pairs: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # call -> [(out idx, in idx)]
    pairs: list[InPlacePair] = field(default_factory=list)  # the applied pairs
    scratch_sizes: dict[int, int] = field(default_factory=dict)  # call index -> scratch bytes (incl. in-place extra)
    bound_per_step: list[int] = field(default_factory=list)  # per step: bytes that must be live at that call
    high_water: list[int] = field(default_factory=list)  # per step: max(offset + size) of its live buffers
    candidates: int = 0  # in-place pairs the lowerings offered that could apply
    proven_optimal: bool = False  # arena == bound, or the exact search finished (for the applied pairs)
    # The persistent state region [state_offset, state_offset + state_size) at the end of the arena:
    # variable tensors, kept between invokes, overlapped by nothing.
    state_offset: int = 0
    state_size: int = 0
    state_tensors: list[Tensor] = field(default_factory=list)  # their offsets are in `offsets`
    # A quick plan (plan_arena(quick=True)) above its bound: the full plan, continuing from this
    # one's greedy placements (it places the same buffers again: this plan is then stale).
    refine: Optional[Callable[[], "Plan"]] = field(default=None, repr=False, compare=False)

    def offset_of(self, t: Tensor) -> int:
        return self.offsets[id(t.root)] + t.view_offset

    @property
    def gap(self) -> int:
        return self.arena_size - self.lower_bound

    def paired(self, a: Buffer, b: Buffer) -> Optional[InPlacePair]:
        """The applied pair that lets `a` and `b` overlap (at its call), if any."""
        for p in self.pairs:
            if (p.src is a and p.dst is b) or (p.src is b and p.dst is a):
                return p
        return None


# ----------------------------------------------------------------------------- lifetimes

def _lifetimes(graph: Graph, calls: list[KernelCall]) -> dict[int, Buffer]:
    """One buffer per non-constant alias root, live over [first, last] steps (liveness.py);
    variables live in the state region (_state_buffers)."""
    return lifetimes(graph.inputs, [[*call.inputs, *call.outputs] for call in calls], graph.outputs)


def _state_buffers(calls: list[KernelCall]) -> list[Buffer]:
    """The variable tensors the calls touch, in order of first use: live at every step (they keep
    their values between invokes), placed in the state region at the end of the arena."""
    seen: dict[int, Buffer] = {}
    last = max(len(calls) - 1, 0)
    for call in calls:
        for t in call.inputs + call.outputs:
            r = t.root
            if r.is_variable and not r.is_const and id(r) not in seen:
                seen[id(r)] = Buffer(name=r.name, size=r.nbytes, first=0, last=last, tensors=[r])
    return list(seen.values())


def _pair_delta(src: Buffer, dst: Buffer, align: str) -> int:
    if align == "start":
        return 0
    d = src.size - dst.size  # "end": dst.offset + dst.size == src.offset + src.size, rounded away from 0
    return align_up(d) if d >= 0 else -align_up(-d)


def _candidates(graph: Graph, calls: list[KernelCall], buffers: dict[int, Buffer]) -> list[InPlacePair]:
    """Every declared pair that could apply on its own (input dies at the call, output born there)."""
    protected = {id(t.root) for t in graph.outputs}
    out: list[InPlacePair] = []
    for step, call in enumerate(calls):
        for decl in call.inplace:
            out_i, in_i = int(decl[0]), int(decl[1])
            align = str(decl[2]) if len(decl) > 2 else "start"
            if align not in ("start", "end"):
                raise ValueError(f"{call.op.kind}: unknown in-place alignment {align!r}")
            if not (0 <= out_i < len(call.outputs) and 0 <= in_i < len(call.inputs)):
                continue
            if call.inputs[in_i].is_partial_view or call.outputs[out_i].is_partial_view:
                continue  # a slice view shares its root with other views: never overwritten in place
            src, dst = call.inputs[in_i].root, call.outputs[out_i].root
            bs, bd = buffers.get(id(src)), buffers.get(id(dst))
            if bs is None or bd is None or bs is bd or id(src) in protected:
                continue
            if bs.last != step or bd.first != step:
                continue
            if any(t.root is src for t in call.outputs):
                continue
            extra = int(getattr(call, "inplace_scratch_bytes", 0) or 0)
            out.append(InPlacePair(step=step, out_index=out_i, in_index=in_i, src=bs, dst=bd,
                                   delta=_pair_delta(bs, bd, align), align=align, extra_scratch=extra))
    return out


def _greedy_pairs(cands: list[InPlacePair], skip: frozenset = frozenset()) -> list[InPlacePair]:
    """Apply candidates in order: each output takes at most one input, each input goes to one output."""
    taken_src: set[int] = set()
    taken_dst: set[int] = set()
    chosen = []
    for i, c in enumerate(cands):
        if i in skip or id(c.src) in taken_src or id(c.dst) in taken_dst:
            continue
        taken_src.add(id(c.src))
        taken_dst.add(id(c.dst))
        chosen.append(c)
    return chosen


def _compact_skip(cands: list[InPlacePair]) -> frozenset:
    """Candidates to leave out so that no in-place chain drifts.

    Pairs tie a chain of buffers to fixed relative offsets; a chain of growing ("end") and
    shrinking pairs can walk down (or up) the arena, so the whole chain spans more bytes than any
    of its buffers and lifts the big ones. Walk each chain in order and leave out a pair whenever
    taking it would make the chain's span exceed its largest buffer: each kept piece then fits in
    the footprint of its largest buffer."""
    chosen = _greedy_pairs(cands)
    index = {id(c): i for i, c in enumerate(cands)}
    nxt = {id(c.src): c for c in chosen}
    heads = [c for c in chosen if all(d.dst is not c.src for d in chosen)]
    skip = set()
    for head in heads:
        lo, hi, big, rel = 0, head.src.span, head.src.span, 0
        c: Optional[InPlacePair] = head
        while c is not None:
            r = rel + c.delta
            nlo, nhi, nbig = min(lo, r), max(hi, r + c.dst.span), max(big, c.dst.span)
            if nhi - nlo > nbig + ALIGN:  # (ALIGN: an "end" pair's rounding)
                skip.add(index[id(c)])
                lo, hi, big, rel = 0, c.dst.span, c.dst.span, 0
            else:
                lo, hi, big, rel = nlo, nhi, nbig, r
            c = nxt.get(id(c.dst))
    return frozenset(skip)


# ----------------------------------------------------------------------------- lower bound

def _live_at(buffers: list[Buffer], steps: int) -> list[list[Buffer]]:
    live: list[list[Buffer]] = [[] for _ in range(steps)]
    for b in buffers:
        for s in range(max(b.first, 0), min(b.last, steps - 1) + 1):
            live[s].append(b)
    return live


def _lower_bound(tensors: list[Buffer], base_scratch: dict[int, int], cands: list[InPlacePair],
                 steps: int) -> list[int]:
    """Per step: the live bytes with the best choice of that step's in-place pairs.

    A pair overlaps only at its own call, so the choice at one step does not change another
    step's sum: the maximum over steps of these minima bounds every plan from below."""
    live = _live_at(tensors, steps)
    by_step: dict[int, list[InPlacePair]] = {}
    for c in cands:
        by_step.setdefault(c.step, []).append(c)
    bound = []
    for s in range(steps):
        base = sum(b.span for b in live[s]) + align_up(base_scratch.get(s, 0))
        best = 0
        here = by_step.get(s, [])
        if len(here) > 10:
            # Too many to enumerate: each output overlaps at most one input, and scratch is
            # ignored, so this saving is at least the real best (the bound stays a bound).
            per_dst: dict[int, int] = {}
            for c in here:
                per_dst[id(c.dst)] = max(per_dst.get(id(c.dst), 0), c.overlap)
            best = sum(per_dst.values())
            here = []
        for k in range(1, len(here) + 1):
            for subset in itertools.combinations(here, k):
                if len({id(c.src) for c in subset}) < k or len({id(c.dst) for c in subset}) < k:
                    continue
                extra = max(c.extra_scratch for c in subset)
                saved = sum(c.overlap for c in subset) - (align_up(base_scratch.get(s, 0) + extra)
                                                          - align_up(base_scratch.get(s, 0)))
                best = max(best, saved)
        bound.append(base - best)
    return bound


# ----------------------------------------------------------------------------- placement

@dataclass(eq=False)
class _Group:
    """Buffers with fixed relative offsets (an in-place chain, or one buffer)."""

    members: list[tuple[Buffer, int]]  # (buffer, offset relative to the group's base)
    first: int = 0
    last: int = 0
    extent: int = 0
    area: int = 0
    breadth: int = 0  # the largest step total over the group's lifetime
    offset: int = -1
    neighbours: list["_Group"] = field(default_factory=list)  # the other groups live at a common step
    # Per pair of members live at a common step, one with a neighbour p: (p, lo, hi), the open
    # interval (p.offset + lo, p.offset + hi) of bases at which they would overlap.
    clashes: list[tuple["_Group", int, int]] = field(default_factory=list)
    placed: bool = False  # placed in the placement under way (what _forbidden looks at)
    cells: list[tuple[int, int, int, int]] = field(default_factory=list)  # per member: first, last, span, offset

    def finish(self, step_totals: list[int]) -> "_Group":
        self.cells = [(b.first, b.last, b.span, r) for b, r in self.members]
        self.first = min(b.first for b, _ in self.members)
        self.last = max(b.last for b, _ in self.members)
        self.extent = max(r + b.span for b, r in self.members)
        self.area = sum(b.span * (b.last - b.first + 1) for b, _ in self.members)
        self.breadth = max((step_totals[s] for s in range(self.first, self.last + 1) if s < len(step_totals)),
                           default=0)
        return self


def _groups(buffers: list[Buffer], pairs: list[InPlacePair], step_totals: list[int]) -> list[_Group]:
    nxt: dict[int, tuple[Buffer, int]] = {}  # src -> (dst, delta)
    prv: dict[int, Buffer] = {}
    for p in pairs:
        nxt[id(p.src)] = (p.dst, p.delta)
        prv[id(p.dst)] = p.src
    groups = []
    for b in buffers:
        if id(b) in prv:
            continue  # placed with the head of its chain
        members = [(b, 0)]
        cur, rel = b, 0
        while id(cur) in nxt:
            cur, d = nxt[id(cur)]
            rel += d
            members.append((cur, rel))
        low = min(r for _, r in members)
        groups.append(_Group(members=[(m, r - low) for m, r in members]).finish(step_totals))
    by_first = sorted(groups, key=lambda g: g.first)
    for i, g in enumerate(by_first):
        for h in by_first[i + 1:]:
            if h.first > g.last:
                break
            g.neighbours.append(h)
            h.neighbours.append(g)
            for gf, gl, gs, gr in g.cells:
                for hf, hl, hs, hr in h.cells:
                    if hf <= gl and gf <= hl:
                        g.clashes.append((h, hr - gr - gs, hr + hs - gr))
                        h.clashes.append((g, gr - hr - hs, gr + gs - hr))
    return groups


def _forbidden(g: _Group, placed: list[_Group]) -> list[tuple[int, int]]:
    """Open intervals (lo, hi) of base offsets at which `g` would clash with a placed group
    (`placed` are the groups with the `placed` flag; only g's neighbours can clash)."""
    out = [(p.offset + lo, p.offset + hi) for p, lo, hi in g.clashes if p.placed]
    out.sort()
    return out


def _first_fit(g: _Group, placed: list[_Group], top: int) -> int:
    base = 0
    for lo, hi in _forbidden(g, placed):
        if base <= lo:
            break
        if base < hi:
            base = hi
    return base


def _best_fit(g: _Group, placed: list[_Group], top: int) -> int:
    """Among the feasible bases, the one that raises the arena least, then the tightest hole
    (least room to move down and up), then the lowest.

    Candidates are 0 and the ends of the forbidden intervals, swept upwards: every base up to
    top - extent leaves the arena as it is (the tightest hole wins there); above, the arena grows
    with the base, so the first feasible base there wins only if none below did."""
    intervals = _forbidden(g, placed)
    if not intervals:
        return 0
    limit = top - g.extent
    n = len(intervals)
    k = 0  # intervals[:k] start below base
    reach = 0  # the largest end among them (0: none; only compared with bases >= 0)
    best_slack, best_base = -1, -1
    for base in sorted({0} | {hi for _, hi in intervals if hi > 0}):
        while k < n and intervals[k][0] < base:
            reach = max(reach, intervals[k][1])
            k += 1
        if k and reach > base:
            continue  # inside an interval
        if base > limit:
            return best_base if best_base >= 0 else base
        if base == 0:  # the room below: down to the highest end at or below it
            below = -max((hi for _, hi in intervals if hi <= 0), default=0)
        else:
            below = 0  # base is an interval's end
        slack = below + (intervals[k][0] - base if k < n else 1 << 40)
        if best_base < 0 or slack < best_slack:
            best_slack, best_base = slack, base
    return best_base


def _place(order: list[_Group], fit: Callable[[_Group, list[_Group], int], int]) -> int:
    placed: list[_Group] = []
    for g in order:
        g.placed = False
    top = 0
    for g in order:
        g.offset = fit(g, placed, top)
        placed.append(g)
        g.placed = True
        top = max(top, g.offset + g.extent)
    return top


ORDERS: dict[str, Callable[[list[_Group]], list[_Group]]] = {
    "greedy-by-size": lambda gs: sorted(gs, key=lambda g: (-g.extent, g.first)),
    "greedy-by-first-use": lambda gs: sorted(gs, key=lambda g: (g.first, -g.extent)),
    "greedy-by-lifetime": lambda gs: sorted(gs, key=lambda g: (-(g.last - g.first), -g.extent)),
    "greedy-by-size-x-lifetime": lambda gs: sorted(gs, key=lambda g: (-g.area, g.first)),
    "greedy-by-breadth": lambda gs: sorted(gs, key=lambda g: (-g.breadth, -g.extent, g.first)),
}
FITS: dict[str, Callable[[_Group, list[_Group], int], int]] = {"": _first_fit, "+best-fit": _best_fit}
# Every strategy name `--planner` accepts; "search" perturbs the best greedy order.
STRATEGIES: dict[str, tuple[str, str]] = {f"{o}{f}": (o, f) for o in ORDERS for f in FITS}
STRATEGIES["search"] = ("", "")


def _local_search(start: list[_Group], start_top: int, bound: int, budget: int,
                  seed: int = 0) -> Optional[tuple[int, list[_Group], Callable[[_Group, list[_Group], int], int]]]:
    """Hill climbing over placement orders: move one group earlier; keep an order that is no worse.

    Deterministic (fixed seed, fixed budget), so the generated code does not change between runs."""
    rng = random.Random(seed)
    order, top = list(start), start_top
    found = None
    n = len(order)
    if n < 2:
        return None
    for _ in range(budget):
        if top <= bound:
            break
        i = rng.randrange(1, n)
        j = rng.randrange(0, i)
        trial = order[:j] + [order[i]] + order[j:i] + order[i + 1:]
        fit = _first_fit if rng.random() < 0.5 else _best_fit
        t = _place(trial, fit)
        if t <= top:
            if t < top:
                found = (t, list(trial), fit)
            order, top = trial, t
    return found


def _exact(groups: list[_Group], best_top: int, bound: int,
           budget: int) -> tuple[Optional[tuple[int, list[_Group]]], bool]:
    """Branch and bound over placement orders with first fit.

    For single buffers some order makes first fit optimal (place the buffers of an optimal plan by
    increasing offset: each lands at or below its optimal offset), so an exhausted search is a
    proof. With in-place chains (groups of several buffers) that argument fails, so the search is
    only a good heuristic there. Returns the best order found below `best_top` (None if none)
    within `budget` placements, and whether it is proven optimal."""
    n = len(groups)
    found: Optional[tuple[int, list[_Group]]] = None
    limit = best_top
    nodes = 0
    placed: list[_Group] = []
    for g in groups:
        g.placed = False
    used = [False] * n
    order_of = {id(g): i for i, g in enumerate(groups)}

    def dfs(top: int) -> bool:  # True: stop (optimal found or budget spent)
        nonlocal limit, found, nodes
        if len(placed) == n:
            if top < limit:
                limit, found = top, (top, list(placed))
            return limit <= bound
        prev = placed[-1] if placed else None
        for i in range(n):
            if used[i]:
                continue
            g = groups[i]
            # Two groups that never live at the same time place the same in either order.
            if prev is not None and order_of[id(prev)] > i and (g.first > prev.last or prev.first > g.last):
                continue
            nodes += 1
            if nodes > budget:
                return True
            g.offset = _first_fit(g, placed, top)
            t = max(top, g.offset + g.extent)
            if t >= limit:
                continue
            used[i] = True
            placed.append(g)
            g.placed = True
            stop = dfs(t)
            placed.pop()
            g.placed = False
            used[i] = False
            if stop:
                return True
        return False

    dfs(0)
    return found, nodes <= budget and all(len(g.members) == 1 for g in groups)


@dataclass
class _Result:
    top: int
    strategy: str
    offsets: dict[int, int]  # id(buffer) -> offset
    pairs: list[InPlacePair]
    scratch: dict[int, Buffer]
    proven: bool = False  # exhaustive search: no placement of these buffers and pairs is smaller


def _evaluate(tensors: list[Buffer], calls: list[KernelCall], pairs: list[InPlacePair],
              strategy: Optional[str], bound: int, search: bool) -> _Result:
    extra: dict[int, int] = {}
    for p in pairs:
        extra[p.step] = max(extra.get(p.step, 0), p.extra_scratch)
    scratch: dict[int, Buffer] = {}
    for step, call in enumerate(calls):
        size = call.scratch_bytes + extra.get(step, 0)
        if size > 0:
            scratch[step] = Buffer(name=f"scratch@{step}", size=size, first=step, last=step, scratch_of=step)
    everything = tensors + list(scratch.values())
    totals = [0] * len(calls)
    for b in everything:
        for s in range(b.first, min(b.last, len(calls) - 1) + 1):
            totals[s] += b.span
    groups = _groups(everything, pairs, totals)

    def snapshot(top: int, name: str) -> _Result:
        offs = {id(b): g.offset + r for g in groups for b, r in g.members}
        return _Result(top, name, offs, pairs, scratch)

    best: Optional[_Result] = None
    best_order: Optional[list[_Group]] = None
    for name, (order_name, fit_name) in STRATEGIES.items():
        if name == "search" or (strategy not in (None, "search") and name != strategy):
            continue
        order = ORDERS[order_name](groups)
        top = _place(order, FITS[fit_name])
        if best is None or top < best.top:
            best, best_order = snapshot(top, name), order
        if top <= bound and strategy is None:
            break  # optimal: nothing can beat it
    assert best is not None
    if search and strategy in (None, "search") and best.top > bound and best_order is not None:
        budget = max(20, min(SEARCH_EVALUATIONS, 60000 // max(len(groups), 1)))
        found = _local_search(best_order, best.top, bound, budget)
        if found is not None and found[0] < best.top:
            top, order, fit = found
            assert _place(order, fit) == top
            best = snapshot(top, f"search from {best.strategy}")
        if best.top > bound and len(groups) <= EXACT_MAX_GROUPS:
            exact, proven = _exact(sorted(groups, key=lambda g: (-g.extent, g.first)), best.top, bound, EXACT_NODES)
            if exact is not None:
                top, order = exact
                assert _place(order, _first_fit) == top
                best = snapshot(top, "exact")
            best.proven = proven
    return best


def lower_bound(graph: Graph, calls: list[KernelCall], in_place: bool = True) -> int:
    """The bound plan_arena reports, without placing anything (cheap: for comparing call lists)."""
    by_root = _lifetimes(graph, calls)
    tensors = list(by_root.values())
    cands = _candidates(graph, calls, by_root) if in_place else []
    base_scratch = {s: c.scratch_bytes for s, c in enumerate(calls) if c.scratch_bytes > 0}
    per_step = _lower_bound(tensors, base_scratch, cands, len(calls))
    return max([max(per_step, default=0)] + [b.span for b in tensors]) + sum(b.span for b in _state_buffers(calls))


def plan_arena(graph: Graph, calls: list[KernelCall], strategy: Optional[str] = None,
               in_place: bool = True, quick: bool = False) -> Plan:
    """quick: no local search over placement orders (the greedy strategies over the pair sets
    only: what the full planner returns whenever those meet the bound); the plan's refine()
    then gives the full plan, without redoing the greedy part."""
    if strategy is not None and strategy not in STRATEGIES:
        raise UnknownStrategyError(f"unknown planner strategy {strategy!r}; known: {', '.join(STRATEGIES)}")
    by_root = _lifetimes(graph, calls)
    tensors = list(by_root.values())
    steps = len(calls)
    cands = _candidates(graph, calls, by_root) if in_place else []
    base_scratch = {s: c.scratch_bytes for s, c in enumerate(calls) if c.scratch_bytes > 0}
    bound_per_step = _lower_bound(tensors, base_scratch, cands, steps)
    bound = max(bound_per_step, default=0)
    bound = max([bound] + [b.span for b in tensors])

    def run(skip: frozenset) -> _Result:
        return _evaluate(tensors, calls, _greedy_pairs(cands, skip), strategy, bound, search=False)

    result = run(frozenset())
    if cands and result.top > bound:
        # Pairs fix relative offsets, which can hurt placement: also try chains cut where they
        # drift, no pairs at all, then toggling single pairs (first improvement, bounded).
        everything_skipped = frozenset(range(len(cands)))
        best_skip: frozenset[int] = frozenset()
        for skip in (_compact_skip(cands), everything_skipped):
            trial = run(skip)
            if trial.top < result.top:
                result, best_skip = trial, skip
        tried, improved = 3, True
        while improved and result.top > bound and tried < PAIR_SET_EVALUATIONS and best_skip != everything_skipped:
            improved = False
            for i in range(len(cands)):
                if tried >= PAIR_SET_EVALUATIONS:
                    break
                skip = best_skip ^ {i}
                trial = run(skip)
                tried += 1
                if trial.top < result.top:
                    result, best_skip, improved = trial, skip, True
                    break

    def search(result: _Result) -> _Result:
        searched = _evaluate(tensors, calls, result.pairs, strategy, bound, search=True)
        if cands and result.pairs:
            plain = _evaluate(tensors, calls, [], strategy, bound, search=True)
            searched = plain if plain.top < searched.top else searched
        if searched.top < result.top or (searched.top == result.top and searched.proven):
            return searched
        return result

    searching = result.top > bound and strategy in (None, "search")
    if searching and not quick:
        result = search(result)
    plan = _finish(calls, by_root, result, bound, bound_per_step, len(cands))
    if searching and quick:
        greedy = result
        plan.refine = lambda: _finish(calls, by_root, search(greedy), bound, bound_per_step, len(cands))
    return plan


def _finish(calls: list[KernelCall], by_root: dict[int, Buffer], result: _Result, bound: int,
            bound_per_step: list[int], n_cands: int) -> Plan:
    """The Plan of a placement: offsets into the buffers, the state region after them."""
    tensors = list(by_root.values())
    steps = len(calls)
    scratch = result.scratch
    for b in tensors + list(scratch.values()):
        b.offset = result.offsets[id(b)]
    top = result.top
    assert bound <= top, (bound, top)
    # The state region: after everything else, overlapped by nothing, at a fixed place in the arena.
    state = _state_buffers(calls)
    state_offset = top
    for b in state:
        b.offset = top
        top += b.span
    state_size = top - state_offset
    bound += state_size
    bound_per_step = [v + state_size for v in bound_per_step]
    everything = tensors + list(scratch.values()) + state
    pairs = result.pairs
    pair_at: dict[int, list[InPlacePair]] = {}
    for p in pairs:
        pair_at.setdefault(p.step, []).append(p)
    live = _live_at(everything, steps)
    live_bytes = [sum(b.span for b in live[s]) - sum(p.overlap for p in pair_at.get(s, [])) for s in range(steps)]
    high_water = [max((b.end for b in live[s]), default=0) for s in range(steps)]
    inplace_pairs: dict[int, list[tuple[int, int]]] = {}
    applied = []
    for p in sorted(pairs, key=lambda p: (p.step, p.out_index)):
        inplace_pairs.setdefault(p.step, []).append((p.out_index, p.in_index))
        call = calls[p.step]
        how = "" if p.align == "start" else " (ends aligned)"
        applied.append((p.step, f"{call.op.kind} writes over {p.src.name}{how}"))
    offsets = {key: b.offset for key, b in by_root.items()}
    offsets.update({id(b.tensors[0]): b.offset for b in state})
    return Plan(arena_size=top, lower_bound=bound, strategy=result.strategy, offsets=offsets,
                scratch_offsets={s: b.offset for s, b in scratch.items()}, buffers=everything,
                live_bytes=live_bytes, in_place=applied, inplace_pairs=inplace_pairs, pairs=pairs,
                scratch_sizes={s: b.size for s, b in scratch.items()}, bound_per_step=bound_per_step,
                high_water=high_water, candidates=n_cands, proven_optimal=top == bound or result.proven,
                state_offset=state_offset, state_size=state_size, state_tensors=[b.tensors[0] for b in state])
