"""The arena plan: live buffers never overlap (except an applied in-place pair at its call), the
declared arena equals the plan, the lower bound holds, in-place pairs are what the kernels asked for.

Property checks run on every shared model with every strategy, and on random synthetic graphs
(no .tflite needed: Graph / Op / KernelCall are built directly)."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.support import shared_models_dir
from tinyengine_gen.errors import TinyEngineError
from tinyengine_gen.ir import Graph, Op, Tensor
from tinyengine_gen.ops import KernelCall
from tinyengine_gen.pipeline import Options, compile_model
from tinyengine_gen.planner import ALIGN, STRATEGIES, Plan, plan_arena

MODELS = sorted(shared_models_dir().glob("*/*.tflite"))
IDS = [f"{p.parent.name}/{p.stem}" for p in MODELS]


def _compile_or_skip(model: Path, **kw):
    try:
        return compile_model(model, Options(**kw))
    except TinyEngineError as exc:  # an op family still missing must not hide planner bugs elsewhere
        pytest.skip(str(exc)[:120])


def _span(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def check_plan(plan: Plan, calls: list[KernelCall], graph: Graph) -> None:
    """Every invariant of a plan."""
    bufs = plan.buffers
    assert plan.arena_size == max((b.offset + _span(b.size) for b in bufs), default=0)
    for b in bufs:
        assert b.offset >= 0 and b.offset % ALIGN == 0, b
        assert b.offset + b.size <= plan.arena_size
    # Applied pairs: declared by the call, on its (dying input, newborn output), at the declared offset.
    srcs, dsts = set(), set()
    for p in plan.pairs:
        call = calls[p.step]
        assert any(tuple(d[:2]) == (p.out_index, p.in_index) for d in call.inplace), p
        assert call.inputs[p.in_index].root is p.src.tensors[0]
        assert call.outputs[p.out_index].root is p.dst.tensors[0]
        assert p.src.last == p.step == p.dst.first
        assert all(t.root is not p.src.tensors[0] for t in graph.outputs)
        assert p.dst.offset - p.src.offset == p.delta
        if p.align == "start":
            assert p.delta == 0
        else:  # ends together, rounded away from zero (never less room than the kernel needs)
            d = p.src.size - p.dst.size
            assert (p.delta >= d if d >= 0 else p.delta <= d) and abs(p.delta) < abs(d) + ALIGN
        assert id(p.src) not in srcs and id(p.dst) not in dsts, "one input per output and vice versa"
        srcs.add(id(p.src))
        dsts.add(id(p.dst))
    assert {s: sorted(v) for s, v in plan.inplace_pairs.items()} == \
        {s: sorted((p.out_index, p.in_index) for p in plan.pairs if p.step == s) for s in {p.step for p in plan.pairs}}
    # No two buffers overlap in (time x offset) unless an applied pair, and then only at its call.
    for i, a in enumerate(bufs):
        for b in bufs[i + 1:]:
            if a.overlaps_in_time(b) and a.overlaps_in_space(b):
                p = plan.paired(a, b)
                assert p is not None, (a, b)
                assert max(a.first, b.first) == min(a.last, b.last) == p.step, (a, b, p)
    # Scratch buffers live during their call only and are at least what the call asked for.
    for step, call in enumerate(calls):
        if call.scratch_bytes:
            assert plan.scratch_sizes[step] >= call.scratch_bytes
        if step in plan.scratch_offsets:
            sb = [b for b in bufs if b.scratch_of == step]
            assert len(sb) == 1 and sb[0].first == sb[0].last == step and sb[0].offset == plan.scratch_offsets[step]
    # The bound: never above what was achieved, never below one step's forced bytes.
    assert max(_span(b.size) for b in bufs) <= plan.lower_bound <= plan.arena_size
    assert plan.gap == plan.arena_size - plan.lower_bound >= 0
    assert len(plan.live_bytes) == len(plan.high_water) == len(plan.bound_per_step) == len(calls)
    for s in range(len(calls)):
        assert plan.bound_per_step[s] <= plan.live_bytes[s] <= plan.high_water[s] <= plan.arena_size
    # Every tensor a kernel touches has a place in the arena or in flash.
    for call in calls:
        for t in call.inputs + call.outputs:
            assert t.root.is_const or id(t.root) in plan.offsets


# ----------------------------------------------------------------------------- shared models

@pytest.mark.parametrize("model", MODELS, ids=IDS)
@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_plan_invariants_every_strategy(model: Path, strategy: str) -> None:
    c = _compile_or_skip(model, planner_strategy=strategy)
    check_plan(c.plan, c.calls, c.graph)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_declared_arena_equals_plan_and_in_place_helps(model: Path) -> None:
    c = _compile_or_skip(model)
    check_plan(c.plan, c.calls, c.graph)
    name = c.model.name.upper()
    assert f"#define {name}_ARENA_SIZE   {c.plan.arena_size}\n" in c.model.header
    off = plan_arena(c.graph, c.calls, in_place=False)
    check_plan(off, c.calls, c.graph)
    assert not off.pairs and off.inplace_pairs == {}
    assert c.plan.arena_size <= off.arena_size
    assert c.plan.lower_bound <= off.lower_bound


# ----------------------------------------------------------------------------- synthetic graphs

class G:
    """A tiny graph builder: tensors by byte size, calls with in-place declarations."""

    def __init__(self) -> None:
        self.tensors: list[Tensor] = []
        self.calls: list[KernelCall] = []
        self.inputs: list[Tensor] = []
        self.outputs: list[Tensor] = []

    def t(self, nbytes: int, name: str = "", const: bool = False) -> Tensor:
        import numpy as np

        t = Tensor(id=len(self.tensors), name=name or f"t{len(self.tensors)}", shape=(nbytes,), dtype="int8",
                   data=np.zeros(nbytes, np.int8) if const else None)
        self.tensors.append(t)
        return t

    def call(self, ins: list[Tensor], outs: list[Tensor], inplace=(), scratch: int = 0,
             inplace_scratch: int = 0, template: str = "probe.c.j2") -> KernelCall:
        op = Op(index=len(self.calls), kind=f"OP{len(self.calls)}", inputs=list(ins), outputs=list(outs))
        c = KernelCall(op=op, template=template, header="tinyengine/te_common.h", inputs=list(ins),
                       outputs=list(outs), scratch_bytes=scratch, inplace=list(inplace))
        if inplace_scratch:
            c.inplace_scratch_bytes = inplace_scratch  # what an in-place variant adds (read with getattr)
        self.calls.append(c)
        return c

    @property
    def graph(self) -> Graph:
        return Graph(name="g", tensors=self.tensors, ops=[c.op for c in self.calls], inputs=self.inputs,
                     outputs=self.outputs)

    def plan(self, **kw) -> Plan:
        p = plan_arena(self.graph, self.calls, **kw)
        check_plan(p, self.calls, self.graph)
        return p


def test_shrinking_output_frees_the_rest_of_the_input() -> None:
    """float x (4000 B) -> QUANTIZE -> q (1000 B) -> OP -> y (2800 B): y may use x's old bytes."""
    g = G()
    x, q, y = g.t(4000, "x"), g.t(1000, "q"), g.t(2800, "y")
    g.inputs, g.outputs = [x], [y]
    g.call([x], [q], inplace=[(0, 0)])
    g.call([q], [y])
    p = g.plan()
    assert p.inplace_pairs == {0: [(0, 0)]}
    assert p.offset_of(q) == p.offset_of(x)
    assert p.arena_size == p.lower_bound == 4000  # step 0: x with q inside; step 1: 1008 + 2800
    merged = 4000 + 2800  # the old planner kept x's 4000 B for q's whole life
    assert p.arena_size < merged
    off = g.plan(in_place=False)
    assert off.arena_size == 5008 and off.lower_bound == 5008


def test_growing_output_start_aligned() -> None:
    """DEQUANTIZE-like (backward kernel): out 4x wider than in, same offset; its extra bytes are free."""
    g = G()
    a, x, y, z = g.t(64, "a"), g.t(1000, "x"), g.t(4000, "y"), g.t(64, "z")
    g.inputs, g.outputs = [a], [z]
    g.call([a], [x])
    g.call([x], [y], inplace=[(0, 0)])
    g.call([y], [z])
    p = g.plan()
    assert p.offset_of(y) == p.offset_of(x) and p.arena_size == 4064


def test_end_aligned_pair() -> None:
    """(0, 0, "end"): output ends where the input ends (rounded away from zero to ALIGN)."""
    g = G()
    x, y, z = g.t(1000, "x"), g.t(3000, "y"), g.t(500, "z")
    g.inputs, g.outputs = [x], [z]
    g.call([x], [y], inplace=[(0, 0, "end")])
    g.call([y], [z], inplace=[(0, 0, "end")])
    p = g.plan()
    assert p.offset_of(y) - p.offset_of(x) == -2000
    assert p.offset_of(z) - p.offset_of(y) == 2512  # 2500 rounded up
    assert p.arena_size == 2512 + 512  # z (512 B span) from 2512
    assert [a for _, a in sorted((q.step, q.align) for q in p.pairs)] == ["end", "end"]


def test_one_input_per_output_and_one_output_per_input() -> None:
    g = G()
    a, b = g.t(800, "a"), g.t(800, "b")
    s, y1, y2 = g.t(800, "s"), g.t(800, "y1"), g.t(800, "y2")
    g.inputs, g.outputs = [a, b], [y1, y2]
    g.call([a, b], [s], inplace=[(0, 0), (0, 1)])  # ADD: either input will do, not both
    g.call([s], [y1, y2], inplace=[(0, 0), (1, 0)])  # a split: only one output may take s
    p = g.plan()
    assert len(p.inplace_pairs[0]) == 1 and len(p.inplace_pairs[1]) == 1
    assert p.arena_size == p.lower_bound == 1600  # not 800 (one overlap per step)


def test_pairs_that_cannot_apply() -> None:
    """Input read later, or a graph output: no pair."""
    g = G()
    x, y, z, w = g.t(160, "x"), g.t(160, "y"), g.t(160, "z"), g.t(160, "w")
    g.inputs, g.outputs = [x], [y, w]
    g.call([x], [y], inplace=[(0, 0)])
    g.call([x], [z], inplace=[(0, 0)])  # x dies here: applies
    g.call([y, z], [w], inplace=[(0, 0), (0, 1)])  # y is a graph output: only z
    p = g.plan()
    assert p.inplace_pairs == {1: [(0, 0)], 2: [(0, 1)]}
    assert p.candidates == 2


def test_inplace_scratch_counts_only_when_applied() -> None:
    g = G()
    x, y, z = g.t(1600, "x"), g.t(1600, "y"), g.t(16, "z")
    g.inputs, g.outputs = [x], [z]
    g.call([x], [y], inplace=[(0, 0)], scratch=32, inplace_scratch=100)
    g.call([y], [z])
    p = g.plan()
    assert p.inplace_pairs == {0: [(0, 0)]} and p.scratch_sizes[0] == 132
    assert p.arena_size == p.lower_bound == 1600 + 144
    off = g.plan(in_place=False)
    assert off.scratch_sizes[0] == 32 and off.arena_size == 3200 + 32


def test_inplace_not_taken_when_scratch_costs_more() -> None:
    g = G()
    x, y, z = g.t(160, "x"), g.t(160, "y"), g.t(16, "z")
    g.inputs, g.outputs = [x], [z]
    g.call([x], [y], inplace=[(0, 0)], inplace_scratch=1000)
    g.call([y], [z])
    p = g.plan()
    assert p.lower_bound == 320 and p.arena_size == 320 and not p.pairs


def _random_graph(seed: int) -> G:
    rng = random.Random(seed)
    g = G()
    live: list[Tensor] = []
    n_in = rng.randint(1, 2)
    for _ in range(n_in):
        t = g.t(rng.choice([16, 48, 100, 256, 1000, 3000]))
        g.inputs.append(t)
        live.append(t)
    for _ in range(rng.randint(2, 14)):
        k = min(len(live), rng.randint(1, 2))
        ins = rng.sample(live, k)
        if rng.random() < 0.2:
            ins.append(g.t(64, const=True))
        outs = [g.t(rng.choice([16, 33, 100, 250, 1000, 2000, 4000])) for _ in range(rng.choice([1, 1, 1, 2]))]
        inplace = []
        for oi in range(len(outs)):
            for ii in range(k):
                if rng.random() < 0.6:
                    inplace.append((oi, ii, rng.choice(["start", "end"])) if rng.random() < 0.4 else (oi, ii))
        g.call(ins, outs, inplace=inplace, scratch=rng.choice([0, 0, 40, 500]),
               inplace_scratch=rng.choice([0, 0, 0, 64]))
        for t in ins:
            if rng.random() < 0.6 and t in live and len(live) > 1:
                live.remove(t)
        live.extend(outs)
    g.outputs = rng.sample(live, min(len(live), rng.randint(1, 2)))
    return g


@pytest.mark.parametrize("seed", range(60))
def test_random_graphs(seed: int) -> None:
    g = _random_graph(seed)
    on = g.plan()
    off = g.plan(in_place=False)
    assert on.arena_size <= off.arena_size and on.lower_bound <= off.lower_bound
    for p in (on, off):
        assert p.proven_optimal or p.gap > 0
        if p.gap == 0:
            assert p.proven_optimal
    for name in STRATEGIES:
        g.plan(strategy=name)


def test_unknown_strategy() -> None:
    g = G()
    x, y = g.t(16), g.t(16)
    g.inputs, g.outputs = [x], [y]
    g.call([x], [y])
    with pytest.raises(ValueError):
        plan_arena(g.graph, g.calls, strategy="no-such-strategy")


def test_templates_see_applied_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """codegen passes `inplace_applied` (a set of (out idx, in idx)) into each op template."""
    import jinja2

    from tinyengine_gen import codegen

    base = codegen._environment

    def env() -> jinja2.Environment:
        e = base()
        e.loader = jinja2.ChoiceLoader([
            jinja2.DictLoader({"ops/probe.c.j2": "    /* {{ step }}: {{ inplace_applied | sort | list }} "
                                                 "{% if (0, 0) in inplace_applied %}in-place{% endif %} */\n"}),
            e.loader])
        return e

    monkeypatch.setattr(codegen, "_environment", env)
    g = G()
    x, q, y = g.t(400, "x"), g.t(100, "q"), g.t(300, "y")
    g.inputs, g.outputs = [x], [y]
    g.call([x], [q], inplace=[(0, 0)])
    g.call([q], [y])
    plan = g.plan()
    src = codegen.generate(g.graph, g.calls, plan, name="probe").source
    assert "/* 0: [(0, 0)] in-place */" in src and "/* 1: []  */" in src


def test_many_pairs_at_one_call_keep_the_bound_valid() -> None:
    """More candidates at one call than the bound enumerates: the bound relaxes, never overshoots."""
    g = G()
    ins = [g.t(160 * (i + 1), f"x{i}") for i in range(12)]
    outs = [g.t(160 * (i + 1), f"y{i}") for i in range(12)]
    z = g.t(16, "z")
    g.inputs, g.outputs = list(ins), [z]
    g.call(ins, outs, inplace=[(i, i) for i in range(12)])
    g.call(outs, [z])
    p = g.plan()
    assert len(p.pairs) == 12 and p.arena_size == p.lower_bound == sum(160 * (i + 1) for i in range(12)) + 16


def test_drifting_chain_is_cut() -> None:
    """A growing ("end") pair puts its output below its input: in a chain, the outputs after the
    big buffer would push it up. The planner cuts the chain where that costs nothing."""
    g = G()
    sizes = [1600, 1600, 6400, 1600, 1600, 3200, 160]
    ts = [g.t(n, f"t{i}") for i, n in enumerate(sizes)]
    g.inputs, g.outputs = [ts[0]], [ts[-1]]
    for a, b in zip(ts, ts[1:]):
        g.call([a], [b], inplace=[(0, 0, "end") if b.nbytes > a.nbytes else (0, 0)])
    p = g.plan()
    assert p.arena_size == p.lower_bound == 6400
    assert sorted(p.inplace_pairs) == [0, 1, 2, 3, 5]  # t4 -> t5 cut: t5 (3200) + t4 (1600) fit beside


def test_unreachable_bound_is_reported_as_gap() -> None:
    """start/end pairs that cannot all hold at once: the bound (per call) is not reachable."""
    g = G()
    sizes = [1600, 6400, 1600, 6400, 160]
    ts = [g.t(n, f"t{i}") for i, n in enumerate(sizes)]
    g.inputs, g.outputs = [ts[0]], [ts[-1]]
    for a, b in zip(ts, ts[1:]):
        g.call([a], [b], inplace=[(0, 0, "end") if b.nbytes > a.nbytes else (0, 0)])
    p = g.plan()
    assert p.lower_bound == 6400 and p.arena_size == 8000 and p.gap == 1600
