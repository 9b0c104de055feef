"""The arena plan: live buffers never overlap, the declared arena equals the plan, the bound holds."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import shared_models_dir
from tinyengine_gen.errors import TinyEngineError
from tinyengine_gen.pipeline import compile_model
from tinyengine_gen.planner import STRATEGIES

MODELS = sorted(p for p in shared_models_dir().glob("*/*.tflite") if p.name != "trained_lstm_int8.tflite")


def _compile_or_skip(model: Path, **kw):
    from tinyengine_gen.pipeline import Options
    try:
        return compile_model(model, Options(**kw))
    except TinyEngineError as exc:  # an op family still missing must not hide planner bugs elsewhere
        pytest.skip(str(exc)[:120])


@pytest.mark.parametrize("model", MODELS, ids=[p.stem for p in MODELS])
@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_live_buffers_never_overlap(model: Path, strategy: str) -> None:
    c = _compile_or_skip(model, planner_strategy=strategy)
    bufs = c.plan.buffers
    for i, a in enumerate(bufs):
        assert a.offset >= 0 and a.offset + a.size <= c.plan.arena_size
        for b in bufs[i + 1:]:
            if a.overlaps_in_time(b):
                assert a.offset + a.size <= b.offset or b.offset + b.size <= a.offset, (a, b)


@pytest.mark.parametrize("model", MODELS, ids=[p.stem for p in MODELS])
def test_declared_arena_equals_plan_and_bound_holds(model: Path) -> None:
    c = _compile_or_skip(model)
    name = c.model.name.upper()
    assert f"#define {name}_ARENA_SIZE   {c.plan.arena_size}\n" in c.model.header
    assert c.plan.lower_bound <= c.plan.arena_size
    # Every tensor a kernel touches has a place in the arena or in flash.
    for call in c.calls:
        for t in call.inputs + call.outputs:
            assert t.root.is_const or id(t.root) in c.plan.offsets
