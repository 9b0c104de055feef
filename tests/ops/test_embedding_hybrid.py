"""Hybrid EMBEDDING_LOOKUP: int8 table rows dequantized to float (per-tensor and per-row scales)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import TensorSpec, build_single_op_model


@pytest.mark.parametrize("per_row", [False, True])
def test_embedding_lookup_hybrid(per_row: bool) -> None:
    rng = np.random.default_rng(int(per_row))
    rows, shape = 11, (3, 4)
    table = rng.integers(-128, 128, (rows, *shape)).astype(np.int8)
    scale = list(rng.uniform(0.001, 0.3, rows).astype(np.float32)) if per_row else 0.037
    model = build_single_op_model(
        "EMBEDDING_LOOKUP", [TensorSpec((6,), "int32"), TensorSpec((rows, *shape), "int8", scale=scale, zero_point=0,
                                                                  data=table)],
        [TensorSpec((6, *shape), "float32")])
    assert_matches_reference(model, n_sets=3)
