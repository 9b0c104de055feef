"""TFLite Micro's SEANet integration layers (real int16x8 layers, ../shared/models-coverage/
tflite-micro/seanet/) generate and give LiteRT's reference bytes.

Default run: every layer on the host, one input set each (about a minute).
`-m slow`: every layer on emulated M3, M4 and M55 too.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import shared_models_dir
from tests.support.optest import assert_matches_reference

COVERAGE = Path(os.environ.get("TINYENGINE_SHARED_COVERAGE", shared_models_dir().parent / "models-coverage"))
SEANET = COVERAGE / "tflite-micro" / "seanet"
LAYERS = sorted(SEANET.glob("*/*.tflite"), key=lambda p: (p.parent.name, int("".join(filter(str.isdigit, p.stem)))))

pytestmark = pytest.mark.skipif(not LAYERS, reason=f"SEANet layers not found under {SEANET}")


HOST_CASES = [pytest.param(p, id=f"{p.parent.name}/{p.stem}-host") for p in LAYERS]


@pytest.mark.parametrize("model", HOST_CASES)
def test_seanet_layer_on_host(model: Path) -> None:
    assert_matches_reference(model, n_sets=1, seed=len(model.name))


CORE_CASES = [pytest.param(p, core, id=f"{p.parent.name}/{p.stem}-{core}", marks=[pytest.mark.slow, pytest.mark.emulated])
              for p in LAYERS for core in ("m3", "m4", "m55")]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("objcache")


@pytest.mark.parametrize("model,core", CORE_CASES)
def test_seanet_layer_on_core(model: Path, core: str, tmp_path: Path, cache: Path) -> None:
    from tests.targets.test_models_on_cores import check_on_core
    from tinyengine_gen import targets

    ok, why = targets.toolchain_status(need_qemu=True)
    if not ok:
        pytest.skip(f"emulated targets unavailable: {why}")
    check_on_core(model, core, tmp_path, cache, n_sets=1)
