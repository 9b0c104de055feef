"""SVDF on emulated Cortex-M4 (the DSP path: SXTB16 / SMLAD, unaligned int16 pairs) and Cortex-M55
(the time sums with the state's move as a Helium VMLADAVA.S16 loop) give LiteRT's reference bytes
over a sequence of calls, then again after <name>_reset() (the firmware's static API keeps the
state in its own initialised bytes). The float SVDF (4-lane sums as LiteRT's x86 build runs them,
no multiply-add contraction) gives the same bytes on both cores' FPUs."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from tests.ops.test_svdf import svdf_f32_model, svdf_model
from tests.support.oracle import random_inputs
from tests.targets.test_ops_on_cores import CORES, cache, cases, check_on_core  # noqa: F401  (fixture)
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]

SVDF: dict[str, Callable[[], bytes]] = {
    # streaming keyword spotting: 40 features, 32 units, memory 8
    "kws_40x32_m8": lambda: svdf_model(1, 40, 32, 1, 8, seed=1),
    # width 4k + 1, odd filter count (the row pair's tail), rank 2, odd memory, batch 2, saturating
    "odd_13x7_r2_m5": lambda: svdf_model(2, 13, 7, 2, 5, seed=2, gain=6.0),
    # memory 21: several of Helium's 8-value steps and a tail per unit (20 in the state's last unit)
    "long_24x9_m21": lambda: svdf_model(1, 24, 9, 1, 21, seed=4),
}


@pytest.mark.parametrize("build,core", cases(SVDF))
def test_svdf_on_core(build: Callable[[], bytes], core: str, tmp_path: Path, cache: Path) -> None:  # noqa: F811
    model = build()
    rng = np.random.default_rng(3)
    sets = [random_inputs(model, rng) for _ in range(4)]
    check_on_core(model, core, tmp_path, cache, input_sets=sets)


SVDF_F32: dict[str, Callable[[], bytes]] = {
    # the keyword-spotting shape, rank 1
    "f32_kws_40x32_m8": lambda: svdf_f32_model(1, 40, 32, 1, 8, seed=1),
    # batch 2, rank 5 (the reduction's lanes and tail), odd sizes, no bias, no activation
    "f32_odd_13x3_r5_m7": lambda: svdf_f32_model(2, 13, 3, 5, 7, seed=2, bias=False, activation="NONE"),
}


@pytest.mark.parametrize("build,core", cases(SVDF_F32))
def test_svdf_f32_on_core(build: Callable[[], bytes], core: str, tmp_path: Path, cache: Path) -> None:  # noqa: F811
    model = build()
    rng = np.random.default_rng(5)
    sets = [[rng.normal(0, 1, size=s.shape).astype(np.float32) for s in random_inputs(model, rng)] for _ in range(4)]
    sets.insert(2, [(s * 40).astype(np.float32) for s in sets[0]])
    check_on_core(model, core, tmp_path, cache, input_sets=sets)
