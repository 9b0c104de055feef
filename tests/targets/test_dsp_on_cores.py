"""The Arm DSP paths tuned for MCUNet-style and small models give LiteRT's reference bytes on emulated
Cortex-M4 (mps2-an386): the direct depthwise kernel's border pixels over their in-image taps only
(tiny maps with 5x5 / 7x7 filters, strides 1 and 2), its unrolled 5x5 / 7x7 interior runs, with the
whole int8 activation range and a narrow fused clamp, also in a -O0 build. `-m slow`: a wider sweep,
also on M7.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from tests.ops.test_depthwise import dw_model
from tests.support.optest import assert_firmware_matches_reference, generate
from tests.support.oracle import random_inputs
from tests.targets.test_ops_on_cores import check_on_core
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Kernel and runtime objects, shared by every build of this module."""
    return tmp_path_factory.mktemp("objcache")


def _dw(shape: tuple[int, int, int, int], k: int, stride: int, act: str, seed: int) -> Callable[[], bytes]:
    return lambda: dw_model(shape, (k, k), (stride, stride), "SAME", act=act, seed=seed)


# name: model builder. Clipped border pixels on maps smaller than the filter, interior runs
# of 5x5 and 7x7, both strides, full range (NONE) and a narrow clamp (RELU6).
DW = {
    "7x7s1_4x4": _dw((1, 4, 4, 8), 7, 1, "NONE", 1),
    "5x5s1_2x2": _dw((1, 2, 2, 12), 5, 1, "RELU6", 2),
    "5x5s2_13x12": _dw((1, 13, 12, 8), 5, 2, "NONE", 3),
    "7x7s2_12x11": _dw((1, 12, 11, 4), 7, 2, "RELU6", 4),
}

DW_SLOW = {
    f"{k}x{k}s{s}_{h}x{w}_{act}": _dw((1, h, w, c), k, s, act, 10 * k + s + h)
    for k in (3, 5, 7) for s in (1, 2) for (h, w, c) in ((3, 5, 8), (9, 9, 4), (16, 15, 12))
    for act in ("NONE", "RELU")
}


@pytest.mark.parametrize("build", [pytest.param(b, id=n) for n, b in DW.items()])
def test_dw_direct_on_m4(build, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), "m4", tmp_path, cache)


def test_dw_direct_debug_build_on_m4(tmp_path: Path, cache: Path) -> None:
    """-O0: no -falign-functions, so each function's section is aligned to 2 only. The 5x5 / 7x7
    run's assembly takes its row loop's address with ADR, which the assembler resolves for a
    word-aligned function (aligned(4)); without it this build placed the function at 2 mod 4 and
    the run jumped 2 bytes off its row loop (wrong sums, a hang or a fault)."""
    model = DW_SLOW["7x7s2_9x9_NONE"]()
    gen = generate(model, tmp_path / "gen", "model")
    elf = targets.build_firmware("m4", gen, "model", tmp_path / "fw", cache_dir=cache, opt="-O0")
    rng = np.random.default_rng(0)
    assert_firmware_matches_reference("m4", elf, model, [random_inputs(model, rng) for _ in range(2)], gen, "model")


@pytest.mark.slow
@pytest.mark.parametrize("core", ["m4", "m7"])
@pytest.mark.parametrize("build", [pytest.param(b, id=n) for n, b in DW_SLOW.items()])
def test_dw_direct_sweep_on_core(build, core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), core, tmp_path, cache)
