"""TFLite_Detection_PostProcess on emulated Cortex-M4 (double arithmetic and te_exp in software)
and Cortex-M55 (hardware double FMA) gives LiteRT's reference bytes. Regular NMS writes every
output slot, so a sequence of calls on one LiteRT interpreter is the reference."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from tests.ops.test_detection_postprocess import dp_model, input_sets, options
from tests.targets.test_ops_on_cores import CORES, cache, check_on_core  # noqa: F401  (fixture)
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]

DETECTION: dict[str, Callable[[], bytes]] = {
    "float_regular": lambda: dp_model(48, 4, True, options(8, 1, 4, regular=True, per_class=3),
                                      np.random.default_rng(1)),
    "uint8_regular": lambda: dp_model(48, 3, True, options(6, 1, 3, regular=True, per_class=4),
                                      np.random.default_rng(2), boxes_dtype="uint8", scores_dtype="uint8"),
}


DEFAULT = {("float_regular", "m4"), ("uint8_regular", "m55")}  # the other pairs: -m slow


@pytest.mark.parametrize("build,core", [
    pytest.param(build, core, id=f"{name}-{core}", marks=[] if (name, core) in DEFAULT else [pytest.mark.slow])
    for name, build in DETECTION.items() for core in CORES])
def test_detection_on_core(build: Callable[[], bytes], core: str, tmp_path: Path, cache: Path) -> None:  # noqa: F811
    model = build()
    check_on_core(model, core, tmp_path, cache, input_sets=input_sets(model, np.random.default_rng(3), 3))
