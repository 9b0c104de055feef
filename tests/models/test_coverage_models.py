"""The two large coverage models of ../shared/models-coverage/coral: deeplabv3 (legacy uint8:
RESIZE_BILINEAR x3, ARG_MAX) and movenet (mixed int8 / float / int32: GATHER_ND, CAST, FLOOR_DIV,
UNPACK, ...), one input each on the host by default. The SEANet layers have their own file
(test_seanet_int16.py), the float models theirs (test_float_models.py)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.support import shared_models_dir
from tests.support.host import run_host
from tests.support.optest import assert_matches_reference, build_model_exe, generate
from tests.support.oracle import load_model_bytes, model_io, random_inputs, run_reference
from tinyengine_gen.pipeline import compile_model

COVERAGE = Path(os.environ.get("TINYENGINE_COVERAGE_MODELS", shared_models_dir().parent / "models-coverage"))
DEEPLAB = COVERAGE / "coral" / "deeplabv3_mnv2_dm05_pascal_quant_uint8.tflite"
MOVENET = COVERAGE / "coral" / "movenet_single_pose_lightning_ptq.tflite"

needs = pytest.mark.skipif(not DEEPLAB.exists(), reason=f"coverage models not found in {COVERAGE}")


@needs
def test_deeplab_matches_reference(tmp_path: Path) -> None:
    """One input through the Arm DSP kernels (emulated, sanitized); the resize fused with ARG_MAX
    keeps the arena within the 4 MB of the emulated Cortex-M4 board."""
    compiled = compile_model(DEEPLAB)
    assert compiled.plan.arena_size < 4 * 2**20
    assert [c.op.kind for c in compiled.calls][-1] == "TE_RESIZE_BILINEAR_ARG"
    model = load_model_bytes(DEEPLAB)
    gen = generate(DEEPLAB, tmp_path / "gen", "deeplab")
    exe = build_model_exe(gen, "deeplab", extra=("-DTE_EMULATE_DSP",), exe_name="deeplab_dsp")
    inputs = random_inputs(model, np.random.default_rng(11))
    _, outs = model_io(model)
    got = run_host(exe, [inputs], [(o.shape, o.dtype) for o in outs])[0]
    want = run_reference(model, inputs)
    assert [g.tobytes() for g in got] == [w.tobytes() for w in want]


@needs
@pytest.mark.slow
def test_deeplab_every_kernel_variant(tmp_path: Path) -> None:
    assert_matches_reference(DEEPLAB, n_sets=3, seed=5, name="deeplab", workdir=tmp_path)


@needs
def test_movenet_matches_reference(tmp_path: Path) -> None:
    assert_matches_reference(MOVENET, n_sets=1, name="movenet", workdir=tmp_path)


@needs
@pytest.mark.slow
@pytest.mark.parametrize("model", [DEEPLAB, MOVENET], ids=["deeplab", "movenet"])
def test_patch_based_matches_reference(model: Path, tmp_path: Path) -> None:
    """--patch puts a band stage into both (deeplabv3 3,171,152 -> 2,140,560 B, movenet 1,106,352 ->
    552,960 B); every output byte stays."""
    assert_matches_reference(model, n_sets=1, seed=3, name="model", workdir=tmp_path, args=("--patch",))
