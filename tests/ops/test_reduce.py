"""Reductions, ARG_MAX / ARG_MIN and CUMSUM against the LiteRT reference, in every type each
supports: MEAN over H,W of NHWC (keep_dims true/false) and other axis sets, rescaling between
input and output scales, extreme zero points, legacy uint8; SUM (whose requantization differs from
MEAN's), MAX / MIN / PROD / ANY / ALL, including the all-axes path LiteRT takes separately.

Cases are grouped into multi-op models (tests/ops/test_layout.cases_model) so one build checks many.
"""
from __future__ import annotations

import numpy as np
import pytest

from tests.ops.test_layout import Case, cases_model, const, spec
from tests.support.optest import assert_matches_reference
from tests.support.oracle import random_inputs
from tests.support.tflite_build import OpSpec, TensorSpec, build_model
from tinyengine_gen.ops import REGISTRY

needs_flip = pytest.mark.skipif("TE_FLIP_SIGN" not in REGISTRY,
                                reason="uint8 model edges need the TE_FLIP_SIGN kernel (not registered yet)")


def out_shape(shape: tuple[int, ...], axes: list[int], keep_dims: bool) -> tuple[int, ...]:
    rank = len(shape)
    ax = {a % rank for a in axes}
    if keep_dims:
        return tuple(1 if i in ax else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in ax)


def reduce_case(kind: str, shape: tuple[int, ...], axes: list[int], keep_dims: bool, dtype: str = "int8",
                qi: tuple[float, int] | None = None, qo: tuple[float, int] | None = None) -> Case:
    return (kind, [spec(shape, dtype, qi), const(np.asarray(axes, np.int32))],
            [spec(out_shape(shape, axes, keep_dims), dtype, qo or qi)], {"keep_dims": keep_dims})


def mean_case(shape: tuple[int, ...], axes: list[int], keep_dims: bool, qi: tuple[float, int] = (0.05, 3),
              qo: tuple[float, int] = (0.05, 3), dtype: str = "int8") -> Case:
    return reduce_case("MEAN", shape, axes, keep_dims, dtype, qi, qo)


def mean_model(shape: tuple[int, ...], axes: list[int], keep_dims: bool, qi: tuple[float, int] = (0.05, 3),
               qo: tuple[float, int] = (0.05, 3), dtype: str = "int8") -> bytes:
    return cases_model([mean_case(shape, axes, keep_dims, qi, qo, dtype)])


# --------------------------------------------------------------------------------- int8 MEAN

def test_mean_hw() -> None:
    cases = []
    for shape in [(1, 1, 1, 8), (1, 3, 3, 16), (1, 7, 7, 5), (2, 6, 4, 3), (1, 2, 9, 1)]:
        for keep_dims in (True, False):
            cases.append(mean_case(shape, [1, 2], keep_dims))
            # different input/output quantization, as k2_c3 has
            cases.append(mean_case(shape, [2, 1], keep_dims, (0.016366, -128), (0.004388, -128)))
    assert_matches_reference(cases_model(cases), n_sets=3)


MEAN_AXES = [
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
]


def test_mean_axes() -> None:
    cases = [mean_case(s, a, k, (0.048543, 6), (0.048543, 6)) for s, a in MEAN_AXES for k in (True, False)]
    assert_matches_reference(cases_model(cases), n_sets=2)


MEAN_QUANTS = [
    ((0.05, -128), (0.05, 127)),
    ((0.05, 127), (0.05, -128)),
    ((1.0, 0), (1e-3, 0)),       # rescale up: saturates, positive shift
    ((1e-3, 5), (1.0, -5)),      # rescale down: most outputs collapse to the zero point
    ((0.3, 10), (0.0371, -40)),
    ((2e-5, 0), (1.0, 0)),       # shift clamped by 31 + shift
]


def test_mean_quantization() -> None:
    cases = []
    for qi, qo in MEAN_QUANTS:
        cases.append(mean_case((1, 5, 6, 7), [1, 2], True, qi, qo))
        cases.append(mean_case((1, 64, 64, 2), [1, 2], False, qi, qo))
    assert_matches_reference(cases_model(cases), n_sets=2)


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
def test_mean_sum_legacy_uint8() -> None:
    cases = []
    for keep_dims in (True, False):
        cases.append(mean_case((1, 5, 5, 8), [1, 2], keep_dims, (0.05, 128), (0.04, 100), "uint8"))
        cases.append(mean_case((1, 5, 5, 8), [3], keep_dims, (0.05, 0), (0.05, 255), "uint8"))
    cases.append(reduce_case("SUM", (2, 3, 4), [1], False, "uint8", (0.05, 128), (0.3, 120)))
    cases.append(reduce_case("REDUCE_MAX", (2, 3, 4), [0, 2], True, "uint8", (0.05, 128)))
    assert_matches_reference(cases_model(cases), n_sets=3)


# ------------------------------------------------------------------------ every reduction, type

AXES = [((2, 3, 4), [1], False), ((2, 3, 4), [0, 2], True), ((2, 3, 4), [0, 1, 2], False),
        ((2, 3, 4), [-1, 0, 1], True), ((5, 1, 7), [1], False), ((6,), [0], True)]


def reduction_cases(dtype: str) -> list[Case]:
    cases: list[Case] = []
    kinds = {"bool": ["REDUCE_MAX", "REDUCE_MIN", "REDUCE_ANY", "REDUCE_ALL"],
             "int8": ["MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN"], "uint8": ["MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN"],
             "int16": ["MEAN", "REDUCE_MAX", "REDUCE_MIN"]}.get(
        dtype, ["MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD"])
    for kind in kinds:
        for shape, axes, keep in AXES:
            qi = qo = None
            if dtype == "int16":
                qi, qo = (0.01, 0), ((0.01, 0) if kind.startswith("REDUCE") else (0.02, 0))
            elif dtype in ("int8", "uint8") and kind in ("MEAN", "SUM"):
                qi, qo = (0.05, 3), (0.2, -5)
            cases.append(reduce_case(kind, shape, axes, keep, dtype, qi, qo))
    if dtype == "int8":  # SUM's multiplier may exceed 1 (a positive shift) or be tiny
        cases += [reduce_case("SUM", (3, 40), [1], False, "int8", (0.1, 0), (0.01, 2)),
                  reduce_case("SUM", (3, 40), [1], True, "int8", (0.1, -7), (30.0, 9)),
                  reduce_case("SUM", (300, 2), [0], False, "int8", (0.5, 127), (1.0, -128))]
    if dtype == "int16":
        cases.append(reduce_case("MEAN", (4, 100), [1], False, "int16", (0.01, 0), (0.0003, 0)))
    return cases


@pytest.mark.parametrize("dtype", ["int8", "int16", pytest.param("int32", marks=pytest.mark.slow), "float32", "bool"])
def test_reductions(dtype: str) -> None:
    assert_matches_reference(cases_model(reduction_cases(dtype)), n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [pytest.param("uint8", marks=needs_flip), "int64"])
def test_reductions_wide_types(dtype: str) -> None:
    assert_matches_reference(cases_model(reduction_cases(dtype)), n_sets=2)


def test_float_reduction_special_values() -> None:
    """-0.0, infinities and NaN: the all-axes path starts from the first element, the other from
    the reducer's initial value; float sums round in the input's order."""
    model = cases_model([
        reduce_case("SUM", (2, 4), [0, 1], False, "float32"), reduce_case("SUM", (2, 4), [1], False, "float32"),
        reduce_case("REDUCE_MAX", (2, 4), [0, 1], False, "float32"),
        reduce_case("REDUCE_MAX", (2, 4), [1], False, "float32"),
        reduce_case("REDUCE_MIN", (2, 4), [0, 1], True, "float32"),
        reduce_case("MEAN", (2, 4), [1], False, "float32"),
    ])
    neg_zero = np.full((2, 4), -0.0, np.float32)
    infs = np.asarray([[-np.inf, -np.inf, -np.inf, -np.inf], [np.nan, 1.0, np.inf, -2.0]], np.float32)
    order = np.asarray([[1e8, 1.0, -1e8, 1.0], [3.0, 1e-8, 1e-8, -3.0]], np.float32)
    sets = [[a] * 6 for a in (neg_zero, infs, order)]
    assert_matches_reference(model, input_sets=sets)


# ------------------------------------------------------------------------------ ARG_MAX / ARG_MIN

def arg_case(kind: str, shape: tuple[int, ...], axis: int, dtype: str = "int8", out: str = "int32",
             axis_dtype: str = "int32") -> Case:
    rank = len(shape)
    oshape = tuple(d for i, d in enumerate(shape) if i != axis % rank)
    return (kind, [spec(shape, dtype), const(np.asarray([axis]), axis_dtype)], [TensorSpec(oshape, out)], None)


def arg_cases(dtype: str) -> list[Case]:
    cases = []
    for kind in ("ARG_MAX", "ARG_MIN"):
        cases += [arg_case(kind, (3, 5, 21), -1, dtype), arg_case(kind, (3, 5, 21), 1, dtype, "int64"),
                  arg_case(kind, (4, 6), 0, dtype, "int32", "int64"), arg_case(kind, (7,), 0, dtype, "int64")]
    return cases


@pytest.mark.parametrize("dtype", ["int8", "float32", *[pytest.param(d, marks=[pytest.mark.slow, needs_flip])
                                                       for d in ("uint8", "int32", "bool")]])
def test_arg_min_max(dtype: str) -> None:
    model = cases_model(arg_cases(dtype))
    rng = np.random.default_rng(7)
    sets = [random_inputs(model, rng)]
    if dtype != "bool":  # few distinct values: many ties (the first index wins)
        sets.append([(rng.integers(0, 3, a.shape)).astype(a.dtype) for a in sets[0]])
    assert_matches_reference(model, input_sets=sets)


def test_arg_max_float_special_values() -> None:
    """Infinities, signed zeros (equal: the first wins), ties, along the last axis (LiteRT's
    vector path) and another. NaN is left out: LiteRT's answer then depends on its SIMD path."""
    model = cases_model([arg_case("ARG_MAX", (4, 9), 1, "float32"), arg_case("ARG_MIN", (4, 9), 1, "float32"),
                         arg_case("ARG_MAX", (4, 9), 0, "float32"), arg_case("ARG_MIN", (4, 9), 0, "float32")])
    x = np.asarray([[-np.inf, 1, 2, 2, 0, -np.inf, 2, 1, 0], [-0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, 0.0],
                    [-np.inf, -0.0, 0.0, np.inf, np.inf, 3, -np.inf, 0, 1], [3, 3, 5, 3, -1, 5, 5, -1, 3]], np.float32)
    assert_matches_reference(model, input_sets=[[x] * 4, [-x] * 4])


# --------------------------------------------------------------------------------------- CUMSUM

def cumsum_cases(dtype: str) -> list[Case]:
    cases = []
    for shape, axis in [((3, 5, 4), 1), ((3, 5, 4), 0), ((3, 5, 4), -1), ((9,), 0)]:
        for exclusive in (False, True):
            for reverse in (False, True):
                cases.append(("CUMSUM", [spec(shape, dtype), const(np.asarray(axis, np.int32))], [spec(shape, dtype)],
                              {"exclusive": exclusive, "reverse": reverse}))
    return cases


@pytest.mark.parametrize("dtype", ["float32", *[pytest.param(d, marks=pytest.mark.slow) for d in ("int32", "int64")]])
def test_cumsum(dtype: str) -> None:
    assert_matches_reference(cases_model(cumsum_cases(dtype)), n_sets=2)


# --------------------------------------------------------------------------------------- sweeps

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
    dt = ["int8", "int16", "float32", "int32"][seed % 4]
    if dt == "int16":
        qi, qo = (qi[0], 0), (qo[0], 0)
    if dt in ("float32", "int32"):
        qi = qo = None  # type: ignore[assignment]
    cases = [reduce_case(k, shape, axes, bool(seed % 2), dt, qi, qo) for k in ("MEAN", "SUM") if (k, dt) != ("SUM", "int16")]
    cases.append(reduce_case("REDUCE_MAX", shape, axes, not seed % 2, dt, qi, qi))
    assert_matches_reference(cases_model(cases), n_sets=2)
