"""Generation time with patch-based inference on the largest models. Every firmware build runs the
generator, with --patch, or --sram-budget when the arena must shrink, so the band-stage search must
stay cheap: each of these generations took at most 1.2 s of CPU on the 2-core CI machine (the
commit adding this test lists the measured times of every shared and coverage model). Measured
as CPU time in this process (time.process_time: other processes on a loaded machine barely change
it), with a wide margin: 6 s."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.support import shared_models_dir
from tinyengine_gen.patches import StageCall
from tinyengine_gen.pipeline import Compiled, Options, compile_model

COVERAGE = Path(os.environ.get("TINYENGINE_COVERAGE_MODELS", shared_models_dir().parent / "models-coverage"))
LARGEST = {  # the two largest models of ../shared/models and models-coverage
    "movenet": COVERAGE / "coral" / "movenet_single_pose_lightning_ptq.tflite",
    "deeplab": COVERAGE / "coral" / "deeplabv3_mnv2_dm05_pascal_quant_uint8.tflite",
}
LIMIT_S = 6.0


def timed(model: Path, options: Options) -> tuple[Compiled, float]:
    start = time.process_time()
    compiled = compile_model(model, options)
    return compiled, time.process_time() - start


@pytest.mark.parametrize("name", list(LARGEST))
def test_patch_based_generation_is_fast(name: str) -> None:
    model = LARGEST[name]
    if not model.exists():
        pytest.skip(f"coverage models not found in {COVERAGE}")
    layer = compile_model(model).plan.arena_size  # (also loads the templates)
    patched, seconds = timed(model, Options(patch=True))
    assert any(isinstance(c, StageCall) for c in patched.calls) and patched.plan.arena_size < layer
    assert seconds < LIMIT_S, f"--patch took {seconds:.2f} s"
    # Just below layer by layer: a stage is needed. (On movenet the cheapest stages estimated to
    # fit lie away from what sizes the arena; the smallest-arena stage fits.)
    fitted, seconds = timed(model, Options(sram_budget=layer - 1))
    assert any(isinstance(c, StageCall) for c in fitted.calls) and fitted.plan.arena_size <= layer - 1
    assert seconds < LIMIT_S, f"--sram-budget {layer - 1} took {seconds:.2f} s"
