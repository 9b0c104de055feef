"""CEIL and ROUND (float32): LiteRT's BUILTIN_REF resolver has neither, so the oracle runs them with
LiteRT's builtin kernels (Eigen's ceil; reference_ops::Round, half to even)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.oracle import uses_builtin_only_ops
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model

N = 1024


def special_values(rng: np.random.Generator) -> np.ndarray:
    """Halves and near-halves, signed zeros, integers, values at and beyond 2^23, inf, NaN, random."""
    halves = np.arange(-40, 41, dtype=np.float32) + np.float32(0.5)
    near = np.concatenate([np.nextafter(halves, np.float32(np.inf)), np.nextafter(halves, np.float32(-np.inf))])
    big = np.float32([2 ** 23, -2 ** 23, 2 ** 23 - 0.5, -(2 ** 23 - 0.5), 2 ** 23 + 1, 2 ** 24 + 2, 2 ** 31,
                      -2 ** 31, 2 ** 32 + 512, -3e38, 3e38, np.float32(2 ** 22) + 0.5, -np.float32(2 ** 22) - 0.5])
    special = np.float32([0.0, -0.0, 0.3, -0.3, 0.7, -0.7, 1.0, -1.0, np.inf, -np.inf, np.nan, -np.nan,
                          1e-45, -1e-45, 1e-38, -1e-38])
    head = np.concatenate([halves, near, big, special])
    tail = (rng.standard_normal(N - head.size) * 10 ** rng.uniform(-3, 8, N - head.size)).astype(np.float32)
    return np.concatenate([head, tail]).astype(np.float32)


@pytest.mark.parametrize("kind", ["CEIL", "ROUND"])
def test_ceil_round_f32(kind: str) -> None:
    model = build_single_op_model(kind, [TensorSpec((N,), "float32")], [TensorSpec((N,), "float32")])
    assert uses_builtin_only_ops(model)
    rng = np.random.default_rng(7)
    sets = [[special_values(rng)], [rng.uniform(-4, 4, N).astype(np.float32)]]
    assert_matches_reference(model, input_sets=sets)


def test_ceil_round_in_a_graph() -> None:
    """Both in one float graph with a neighbour op (FLOOR) reading the same input; 4-D shape."""
    s = (2, 3, 4, 5)
    t = [TensorSpec(s, "float32") for _ in range(4)]
    model = build_model(t, [OpSpec("CEIL", [0], [1]), OpSpec("ROUND", [0], [2]), OpSpec("FLOOR", [0], [3])],
                        [0], [1, 2, 3])
    rng = np.random.default_rng(3)
    sets = [[(np.round(rng.uniform(-8, 8, s) * 2) / 2).astype(np.float32)], [rng.uniform(-3, 3, s).astype(np.float32)]]
    assert_matches_reference(model, input_sets=sets)
