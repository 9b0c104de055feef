"""Every shared model generates, compiles strictly and matches LiteRT byte for byte."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import shared_models_dir
from tests.support.host import REPO
from tests.support.optest import assert_matches_reference, generate

NOT_SUPPORTED: set[str] = set()  # file names of shared models the generator cannot handle yet
MODELS = sorted(p for p in shared_models_dir().glob("*/*.tflite") if p.name not in NOT_SUPPORTED)
IDS = [f"{p.parent.name}/{p.stem}" for p in MODELS]


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_model_matches_reference(model: Path, tmp_path: Path) -> None:
    assert_matches_reference(model, n_sets=20, seed=hash(model.name) & 0xFFFF, name="model", workdir=tmp_path)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_model_patch_based_matches_reference(model: Path, tmp_path: Path) -> None:
    """--patch (band stages where they lower the arena) keeps every output byte."""
    assert_matches_reference(model, n_sets=4, seed=hash(model.name) & 0xFFFF, name="model", workdir=tmp_path,
                             args=("--patch",))


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="arm-none-eabi-gcc not installed")
@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_model_compiles_for_cortex_m0plus(model: Path, tmp_path: Path) -> None:
    gen = generate(model, tmp_path / "gen", "model")
    sources = [*sorted(gen.glob("*.c")), *sorted((REPO / "src").glob("*.c"))]
    for src in sources:
        cmd = ["arm-none-eabi-gcc", "-mcpu=cortex-m0plus", "-mthumb", "-Os", "-std=c99", "-Wall", "-Wextra",
               "-Werror", f"-I{gen}", f"-I{REPO / 'include'}", "-c", str(src), "-o", str(tmp_path / (src.stem + ".o"))]
        res = subprocess.run(cmd, capture_output=True, text=True)
        assert res.returncode == 0, f"{' '.join(cmd)}\n{res.stderr[-3000:]}"
