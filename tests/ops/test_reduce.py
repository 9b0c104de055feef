"""MEAN against the LiteRT reference: H,W means of NHWC (keep_dims true/false), other axis sets,
rescaling between input and output scales, extreme zero points, legacy uint8."""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model
from tinyengine_gen.ops import REGISTRY

needs_flip = pytest.mark.skipif("TE_FLIP_SIGN" not in REGISTRY,
                                reason="uint8 model edges need the TE_FLIP_SIGN kernel (not registered yet)")


def out_shape(shape: tuple[int, ...], axes: list[int], keep_dims: bool) -> tuple[int, ...]:
    rank = len(shape)
    ax = {a % rank for a in axes}
    if keep_dims:
        return tuple(1 if i in ax else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in ax)


def mean_model(shape: tuple[int, ...], axes: list[int], keep_dims: bool, qi: tuple[float, int] = (0.05, 3),
               qo: tuple[float, int] = (0.05, 3), dtype: str = "int8") -> bytes:
    inputs = [
        TensorSpec(shape, dtype, scale=qi[0], zero_point=qi[1]),
        TensorSpec((len(axes),), "int32", data=np.asarray(axes, np.int32)),
    ]
    out = TensorSpec(out_shape(shape, axes, keep_dims), dtype, scale=qo[0], zero_point=qo[1])
    return build_single_op_model("MEAN", inputs, [out], {"keep_dims": keep_dims})


@pytest.mark.parametrize("shape", [(1, 1, 1, 8), (1, 3, 3, 16), (1, 7, 7, 5), (2, 6, 4, 3), (1, 2, 9, 1)])
@pytest.mark.parametrize("keep_dims", [True, False])
def test_mean_hw(shape: tuple[int, ...], keep_dims: bool) -> None:
    assert_matches_reference(mean_model(shape, [1, 2], keep_dims), n_sets=3)
    # different input/output quantization, as k2_c3 has
    assert_matches_reference(mean_model(shape, [2, 1], keep_dims, (0.016366, -128), (0.004388, -128)), n_sets=2)


@pytest.mark.parametrize("shape,axes", [
    ((1, 160, 3, 3), [3]),        # tinyengine/vww after TRANSPOSE
    ((1, 160, 3), [2]),
    ((1, 160, 3), [-1]),
    ((2, 5, 6), [0]),
    ((2, 5, 6), [0, 2]),          # non-adjacent axes
    ((3, 4, 5, 6), [0, 2]),
    ((3, 4, 5, 6), [1, 3]),
    ((3, 4, 5, 6), [0, 1, 2, 3]),  # everything
    ((4, 5), [1, 1, -1]),          # duplicate axes
    ((17,), [0]),
    ((2, 3, 4, 5, 3), [1, 3]),
])
@pytest.mark.parametrize("keep_dims", [True, False])
def test_mean_axes(shape: tuple[int, ...], axes: list[int], keep_dims: bool) -> None:
    assert_matches_reference(mean_model(shape, axes, keep_dims, (0.048543, 6), (0.048543, 6)), n_sets=2)


@pytest.mark.parametrize("qi,qo", [
    ((0.05, -128), (0.05, 127)),
    ((0.05, 127), (0.05, -128)),
    ((1.0, 0), (1e-3, 0)),       # rescale up: saturates, positive shift
    ((1e-3, 5), (1.0, -5)),      # rescale down: most outputs collapse to the zero point
    ((0.3, 10), (0.0371, -40)),
    ((2e-5, 0), (1.0, 0)),       # shift clamped by 31 + shift
])
def test_mean_quantization(qi, qo) -> None:
    assert_matches_reference(mean_model((1, 5, 6, 7), [1, 2], True, qi, qo), n_sets=2)
    assert_matches_reference(mean_model((1, 64, 64, 2), [1, 2], False, qi, qo), n_sets=1)


def test_mean_chain_like_vww() -> None:
    """tinyengine/vww.tflite ends in MEAN(axis 3) -> MEAN(axis 2) over a transposed 1x160x3x3 map."""
    t = [
        TensorSpec((1, 160, 3, 3), "int8", scale=0.048543, zero_point=6),
        TensorSpec((1,), "int32", data=np.asarray([3], np.int32)),
        TensorSpec((1, 160, 3), "int8", scale=0.048543, zero_point=6),
        TensorSpec((1,), "int32", data=np.asarray([2], np.int32)),
        TensorSpec((1, 160), "int8", scale=0.048543, zero_point=6),
    ]
    ops = [OpSpec("MEAN", [0, 1], [2], {"keep_dims": False}), OpSpec("MEAN", [2, 3], [4], {"keep_dims": False})]
    assert_matches_reference(build_model(t, ops, [0], [4]), n_sets=3)


@needs_flip
@pytest.mark.parametrize("keep_dims", [True, False])
def test_mean_legacy_uint8(keep_dims: bool) -> None:
    assert_matches_reference(mean_model((1, 5, 5, 8), [1, 2], keep_dims, (0.05, 128), (0.04, 100), "uint8"), n_sets=3)
    assert_matches_reference(mean_model((1, 5, 5, 8), [3], keep_dims, (0.05, 0), (0.05, 255), "uint8"), n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(16))
def test_mean_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    rank = int(rng.integers(1, 6))
    shape = tuple(int(d) for d in rng.integers(1, 9, rank))
    n_axes = int(rng.integers(1, rank + 1))
    axes = [int(a) for a in rng.choice(np.arange(-rank, rank), n_axes)]
    qi = (float(np.exp(rng.uniform(np.log(1e-3), np.log(2.0)))), int(rng.integers(-128, 128)))
    qo = (float(qi[0] * np.exp(rng.uniform(-2, 2))), int(rng.integers(-128, 128)))
    assert_matches_reference(mean_model(shape, axes, bool(seed % 2), qi, qo), n_sets=2)
