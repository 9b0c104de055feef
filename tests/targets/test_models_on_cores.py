"""Generated models on emulated Cortex-M cores give LiteRT's reference bytes.

Default run: a small model on every core and the bundled KWS model on the DSP
and Helium-capable cores. `-m slow`: every shared model on M3, M4, M7, M33, M55.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.support import shared_models_dir
from tests.support.host import REPO
from tests.support.optest import assert_firmware_matches_reference, generate
from tests.support.oracle import load_model_bytes, random_inputs
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]

SHARED = shared_models_dir()
KWS = REPO / "examples" / "models" / "kws_ref_model.tflite"
HELLO = SHARED / "tflite-micro" / "hello_world_int8.tflite"
ALL_MODELS = sorted(SHARED.glob("*/*.tflite"))


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("objcache")


def check_on_core(model: Path, core: str, work: Path, cache: Path, n_sets: int = 3, args: tuple = (),
                  opt: str = "-O3") -> None:
    mb = load_model_bytes(model)
    gen = generate(model, work / "gen", "model", args)
    try:
        elf = targets.build_firmware(core, gen, "model", work / "fw", cache_dir=cache, opt=opt)
    except targets.DoesNotFit as exc:
        pytest.skip(f"{model.name} does not fit {core}: {exc}")
    rng = np.random.default_rng(len(model.name))
    sets = [random_inputs(mb, rng) for _ in range(n_sets)]
    result = assert_firmware_matches_reference(core, elf, mb, sets, gen, "model")
    assert len(set(result.instructions)) >= 1 and min(result.instructions) > 0


@pytest.mark.parametrize("core", ["m0plus", "m3", "m4", "m7", "m33", "m55"])
def test_small_model_on_every_core(core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(HELLO, core, tmp_path, cache)


@pytest.mark.parametrize("core", ["m4", "m55"])
def test_bundled_kws_on_simd_cores(core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(KWS, core, tmp_path, cache, n_sets=2)


@pytest.mark.parametrize("core", ["m4", "m55"])
def test_debug_build_is_exact(core: str, tmp_path: Path, cache: Path) -> None:
    """-O0 (a debug build: frame pointer, no inlining) around the assembly loops gives the same bytes."""
    check_on_core(KWS, core, tmp_path, cache, n_sets=1, opt="-O0")


@pytest.mark.parametrize("core", sorted(targets.CORES))
@pytest.mark.parametrize("opt", ["-O0", "-Os", "-O3"])
def test_kernels_compile_strictly(core: str, opt: str, tmp_path: Path) -> None:
    """Every kernel file compiles with -std=c99 -Wall -Wextra -Werror for every core at every
    optimization level users build with (the assembly loops must leave the compiler its registers)."""
    c = targets.get_core(core)
    for src in sorted((REPO / "src").glob("*.c")):
        cmd = [targets.GCC, "-mthumb", *c.cflags, opt, "-std=c99", "-Wall", "-Wextra", "-Werror",
               f"-I{REPO / 'include'}", "-c", str(src), "-o", str(tmp_path / (src.stem + ".o"))]
        res = subprocess.run(cmd, capture_output=True, text=True)
        assert res.returncode == 0, f"{' '.join(cmd)}\n{res.stderr[-3000:]}"


CASES = [pytest.param(m, c, id=f"{m.parent.name}/{m.stem}-{c}") for m in ALL_MODELS
         for c in ["m3", "m4", "m7", "m33", "m55"]]


@pytest.mark.slow
@pytest.mark.parametrize("model,core", CASES)
def test_every_model_on_core(model: Path, core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(model, core, tmp_path, cache)


# Patch-based inference (band stages) on the DSP and Helium cores: the stage's band calls run the
# SIMD kernels on row windows with per-band padding.
PATCHED = [SHARED / "mlcommons-tiny" / "resnet_ic_int8.tflite", SHARED / "tflite-micro" / "person_detect.tflite",
           SHARED / "tflite-micro" / "micro_speech_quantized.tflite"]


@pytest.mark.parametrize("core", ["m4", "m55"])
@pytest.mark.parametrize("model", PATCHED, ids=[p.stem for p in PATCHED])
def test_patch_based_model_on_core(model: Path, core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(model, core, tmp_path, cache, n_sets=2, args=("--patch",))


@pytest.mark.slow
@pytest.mark.parametrize("model", ALL_MODELS, ids=[f"{m.parent.name}/{m.stem}" for m in ALL_MODELS])
def test_every_model_patch_based_on_m4(model: Path, tmp_path: Path, cache: Path) -> None:
    check_on_core(model, "m4", tmp_path, cache, args=("--patch",))
