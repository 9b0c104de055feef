"""The patch search (patches.CandidateSearch) builds and plans only the candidates that can
matter, and ranks them exactly as the full enumeration would: its cheap bound never exceeds a
candidate's estimate, its band-call count is the built stage's, its estimate is the planner's
lower bound of the calls with the stage in place, and the candidates it returns are the full
enumeration's first ones."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import shared_models_dir
from tests.test_patches import MODELS as SYNTHETIC
from tinyengine_gen import patches
from tinyengine_gen.ir import Graph
from tinyengine_gen.ops import KernelCall
from tinyengine_gen.passes import run_passes
from tinyengine_gen.pipeline import lower
from tinyengine_gen.planner import lower_bound, plan_arena
from tinyengine_gen.reader import read_model
from tinyengine_gen.validate import validate

SHARED = shared_models_dir()
SHARED_CASES = ["tflite-micro/micro_speech_quantized", "mlcommons-tiny/resnet_ic_int8", "wake-vision/k2_c3"]


def _lowered(path: Path) -> tuple[Graph, list[KernelCall]]:
    graph = run_passes(validate(read_model(path, "m")))
    return graph, lower(graph)


def _model(case: str, tmp_path: Path) -> Path:
    if case in SYNTHETIC:
        path = tmp_path / f"{case}.tflite"
        path.write_bytes(SYNTHETIC[case]())
        return path
    path = SHARED / f"{case}.tflite"
    if not path.is_file():
        pytest.skip(f"no shared model {path}")
    return path


@pytest.mark.parametrize("case,in_place", [(c, True) for c in sorted(SYNTHETIC) + SHARED_CASES]
                         + [("resnet_like", False), ("fc_sink", False)])
def test_search_ranks_like_the_full_enumeration(case: str, in_place: bool, tmp_path: Path) -> None:
    graph, calls = _lowered(_model(case, tmp_path))
    layer = plan_arena(graph, calls, in_place=in_place)
    full = patches.candidates(graph, calls, lambda cs: lower_bound(graph, cs, in_place=in_place))
    assert full
    search = patches.CandidateSearch(graph, calls, layer)
    n = len(patches.BAND_HEIGHTS)
    for c in full:
        split, h = search.splits[c.order // n], c.order % n
        assert split.bound(patches.BAND_HEIGHTS[h]) <= c.estimate
        assert split.band_calls(patches.BAND_HEIGHTS[h]) == c.stage.band_calls
        mine = search._build(split, h)
        assert mine is not None and (mine.estimate, mine.cost) == (c.estimate, c.cost)
    ranked = sorted(full, key=lambda c: (c.estimate, c.cost, c.order))
    orders = lambda cs: [c.order for c in cs]  # noqa: E731
    fresh = lambda: patches.CandidateSearch(graph, calls, layer)  # noqa: E731
    assert orders(fresh().best(8)) == orders(ranked[:8])
    assert orders(fresh().best(1)) == orders(ranked[:1])
    below = layer.arena_size
    assert orders(fresh().best(8, below=below)) == orders([c for c in ranked if c.estimate < below][:8])
    budgets = fresh()
    for budget in sorted({c.estimate for c in full})[::7] + [below - 1]:
        by_cost = sorted((c for c in full if c.estimate <= budget), key=lambda c: (c.cost, c.order))
        assert orders(budgets.fitting(budget)) == orders(by_cost)
        assert orders(fresh().fitting(budget, 8)) == orders(by_cost[:8])


def test_nothing_is_built_when_no_stage_can_beat_layer_by_layer() -> None:
    """vww (TinyEngine's): every split keeps a peak at least the layer-by-layer arena, which the
    cheap bound shows without lowering or scheduling any band."""
    path = SHARED / "tinyengine/vww.tflite"
    if not path.is_file():
        pytest.skip(f"no shared model {path}")
    graph, calls = _lowered(path)
    layer = plan_arena(graph, calls)
    search = patches.CandidateSearch(graph, calls, layer)
    assert search.splits and search.best(8, below=layer.arena_size) == []
    assert not search.built and not search.lowered
