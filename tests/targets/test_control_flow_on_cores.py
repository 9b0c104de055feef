"""IF and WHILE on emulated Cortex-M4: the subgraphs' code in its sub-arena gives LiteRT's bytes."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.test_control_flow import if_model, while_model, while_sets
from tests.targets.test_ops_on_cores import cache, check_on_core  # noqa: F401  (fixture)
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]


def test_while_on_m4(tmp_path: Path, cache: Path) -> None:  # noqa: F811
    check_on_core(while_model(), "m4", tmp_path, cache, input_sets=while_sets(np.random.default_rng(4), [3, 0, 12]))


@pytest.mark.slow
def test_nested_if_on_m55(tmp_path: Path, cache: Path) -> None:  # noqa: F811
    rng = np.random.default_rng(5)
    sets = [[np.array([a]), np.array([b]), rng.integers(-128, 128, (2, 5), dtype=np.int8),
             rng.integers(-128, 128, (2, 5), dtype=np.int8)] for a, b in ((True, False), (False, True), (False, False))]
    check_on_core(if_model(nested=True), "m55", tmp_path, cache, input_sets=sets)
