"""SOFTMAX, LOG_SOFTMAX and LOGISTIC against the LiteRT reference (BUILTIN_REF), byte for byte.

int8 -> int8 / int16 softmax over scales, zero points, betas and shapes (incl. rows whose
elements are all equal, the largest sum the reciprocal sees), the legacy uint8 softmax (moved to
int8 storage with edge flips), float softmax / log-softmax / logistic (on float edges), the int8
log-softmax and the table-driven 8-bit logistic.
"""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.oracle import random_inputs
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model

S8_OUT = dict(scale=1 / 256, zero_point=-128)
S16_OUT = dict(scale=1 / 65536, zero_point=-32768)


def softmax_model(shape: tuple[int, ...], in_scale: float, in_zp: int, beta: float = 1.0,
                  out: str = "int8") -> bytes:
    y = TensorSpec(shape, "int8", **S8_OUT) if out == "int8" else TensorSpec(shape, "int16", **S16_OUT)
    return build_single_op_model("SOFTMAX", [TensorSpec(shape, "int8", scale=in_scale, zero_point=in_zp)], [y],
                                 {"beta": beta})


def structured_rows(shape: tuple[int, ...], seed: int, dtype=np.int8) -> list[list[np.ndarray]]:
    """Rows that are all equal (sum of exps = depth), one maximum, extremes and random values."""
    info = np.iinfo(dtype)
    rng = np.random.default_rng(seed)
    sets = [np.full(shape, info.max, dtype), np.full(shape, info.min, dtype), np.full(shape, 7, dtype)]
    one_max = np.full(shape, info.min, dtype)
    one_max[..., -1] = info.max
    sets.append(one_max)
    ramp = (np.arange(int(np.prod(shape))) % 256 + info.min).astype(dtype).reshape(shape)
    sets.append(ramp)
    near = rng.integers(info.max - 6, info.max, size=shape, endpoint=True).astype(dtype)
    sets.append(near)
    return [[s] for s in sets]


def check(model: bytes, n_random: int, extra: list[list[np.ndarray]] | None = None, seed: int = 0) -> None:
    """One build, random input sets plus hand-picked ones."""
    rng = np.random.default_rng(seed)
    sets = [random_inputs(model, rng) for _ in range(n_random)] + (extra or [])
    assert_matches_reference(model, input_sets=sets)


def _safe_for_int8_out(shape: tuple[int, ...]) -> bool:
    # The reference TFLITE_CHECKs (aborts) when a row's sum of exps reaches 512 for int8 outputs;
    # all-equal rows of 512 or more elements would kill the test process.
    return shape[-1] < 512


# --- int8 SOFTMAX -----------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(1, 1), (1, 2), (1, 10), (3, 7), (2, 3, 5), (1, 1001), (4,)])
def test_softmax_s8_shapes(shape: tuple[int, ...]) -> None:
    m = softmax_model(shape, 0.17185351252555847, 24)
    check(m, 4, structured_rows(shape, seed=1) if _safe_for_int8_out(shape) else None, seed=len(shape))


@pytest.mark.parametrize("in_scale,in_zp", [(0.0005, 0), (0.00390625, -128), (0.029216613620519638, -5),
                                            (0.13083283603191376, 96 - 128), (1.0, 127), (40.0, 3)])
@pytest.mark.parametrize("beta", [1.0, 0.25, 3.0])
def test_softmax_s8_scales_and_beta(in_scale: float, in_zp: int, beta: float) -> None:
    shape = (2, 33)
    check(softmax_model(shape, in_scale, in_zp, beta), 3, structured_rows(shape, seed=2), seed=in_zp & 0xFF)


@pytest.mark.parametrize("shape", [(1, 1), (1, 10), (3, 64), (1, 1001)])
@pytest.mark.parametrize("in_scale", [0.0039, 0.17, 5.0])
def test_softmax_s8_to_s16(shape: tuple[int, ...], in_scale: float) -> None:
    check(softmax_model(shape, in_scale, -9, out="int16"), 3, structured_rows(shape, seed=3))


def test_softmax_beta_too_small_is_rejected(tmp_path) -> None:
    from tinyengine_gen.cli import main

    path = tmp_path / "m.tflite"
    path.write_bytes(softmax_model((1, 4), 1e-9, 0, beta=1e-3))
    assert main([str(path), "-o", str(tmp_path / "out"), "--quiet"]) != 0


# --- legacy uint8 SOFTMAX (coral mobilenet) ------------------------------------------------------

@pytest.mark.parametrize("shape,in_scale,in_zp", [((1, 1001), 0.13083283603191376, 96), ((2, 9), 0.05, 0),
                                                  ((1, 5), 0.6, 255)])
def test_softmax_legacy_uint8(shape: tuple[int, ...], in_scale: float, in_zp: int) -> None:
    m = build_single_op_model("SOFTMAX", [TensorSpec(shape, "uint8", scale=in_scale, zero_point=in_zp)],
                              [TensorSpec(shape, "uint8", scale=1 / 256, zero_point=0)], {"beta": 1.0})
    check(m, 4, structured_rows(shape, seed=4, dtype=np.uint8) if _safe_for_int8_out(shape) else None)


# --- float edges ------------------------------------------------------------------------------

def float_edge_model(op: str, shape: tuple[int, ...], span: float, options: dict | None = None) -> bytes:
    """float x -> OP -> float y, plus x -> QUANTIZE -> int8 (which also sets the random input range)."""
    scale = span / 255
    tensors = [TensorSpec(shape, "float32", name="x"), TensorSpec(shape, "float32", name="y"),
               TensorSpec(shape, "int8", scale=scale, zero_point=0, name="q")]
    ops = [OpSpec(op, [0], [1], options), OpSpec("QUANTIZE", [0], [2])]
    return build_model(tensors, ops, [0], [1, 2])


def dequantize_then(op: str, shape: tuple[int, ...], scale: float, zp: int, options: dict | None = None) -> bytes:
    """int8 -> DEQUANTIZE -> OP (float), as the MNIST model ends."""
    tensors = [TensorSpec(shape, "int8", scale=scale, zero_point=zp, name="x"),
               TensorSpec(shape, "float32", name="f"), TensorSpec(shape, "float32", name="y")]
    ops = [OpSpec("DEQUANTIZE", [0], [1]), OpSpec(op, [1], [2], options)]
    return build_model(tensors, ops, [0], [2])


@pytest.mark.parametrize("shape", [(1, 10), (3, 7), (2, 2, 33)])
@pytest.mark.parametrize("span", [2.0, 40.0, 400.0])
def test_log_softmax_float(shape: tuple[int, ...], span: float) -> None:
    assert_matches_reference(float_edge_model("LOG_SOFTMAX", shape, span), n_sets=4)


@pytest.mark.parametrize("scale,zp", [(0.5021164417266846, 21), (0.01, -128), (3.0, 0)])
def test_log_softmax_after_dequantize(scale: float, zp: int) -> None:
    assert_matches_reference(dequantize_then("LOG_SOFTMAX", (1, 10), scale, zp), n_sets=6)


@pytest.mark.parametrize("shape", [(1, 10), (4, 17)])
@pytest.mark.parametrize("beta", [1.0, 0.3])
def test_softmax_float(shape: tuple[int, ...], beta: float) -> None:
    assert_matches_reference(float_edge_model("SOFTMAX", shape, 30.0, {"beta": beta}), n_sets=4)


@pytest.mark.parametrize("span", [4.0, 60.0])
def test_logistic_float(span: float) -> None:
    assert_matches_reference(float_edge_model("LOGISTIC", (3, 101), span), n_sets=4)


# --- int8 LOG_SOFTMAX ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(1, 1), (1, 10), (3, 31), (2, 300)])
@pytest.mark.parametrize("in_scale,in_zp", [(0.17, 3), (0.004, -128), (1.5, 60)])
def test_log_softmax_s8(shape: tuple[int, ...], in_scale: float, in_zp: int) -> None:
    m = build_single_op_model("LOG_SOFTMAX", [TensorSpec(shape, "int8", scale=in_scale, zero_point=in_zp)],
                              [TensorSpec(shape, "int8", scale=16 / 256, zero_point=127)])
    check(m, 3, structured_rows(shape, seed=5))


# --- 8-bit LOGISTIC -----------------------------------------------------------------------------

def all_bytes(shape: tuple[int, ...], dtype=np.int8) -> list[list[np.ndarray]]:
    info = np.iinfo(dtype)
    n = int(np.prod(shape))
    return [[(np.arange(n) % 256 + info.min).astype(dtype).reshape(shape)]]


@pytest.mark.parametrize("in_scale,in_zp,out_zp", [(0.05, -3, -128), (0.1, 0, -128), (1 / 16, -128, -128),
                                                   (0.0078125, 127, 0), (0.37, 10, -128), (0.001, 0, 0),
                                                   (2.0, -1, -128), (0.2, 5, 0)])
def test_logistic_s8(in_scale: float, in_zp: int, out_zp: int) -> None:
    shape = (2, 128)  # every input byte once
    m = build_single_op_model("LOGISTIC", [TensorSpec(shape, "int8", scale=in_scale, zero_point=in_zp)],
                              [TensorSpec(shape, "int8", scale=1 / 256, zero_point=out_zp)])
    assert_matches_reference(m, input_sets=all_bytes(shape))


def test_logistic_legacy_uint8() -> None:
    shape = (1, 256)
    m = build_single_op_model("LOGISTIC", [TensorSpec(shape, "uint8", scale=0.07, zero_point=131)],
                              [TensorSpec(shape, "uint8", scale=1 / 256, zero_point=0)])
    assert_matches_reference(m, input_sets=all_bytes(shape, np.uint8))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(40))
def test_logistic_s8_scale_sweep(seed: int) -> None:
    """Many random input scales: every table entry is a float32 expf rounding to check."""
    rng = np.random.default_rng(seed)
    in_scale = float(10 ** rng.uniform(-3, 0.5))
    in_zp = int(rng.integers(-128, 128))
    shape = (1, 256)
    m = build_single_op_model("LOGISTIC", [TensorSpec(shape, "int8", scale=in_scale, zero_point=in_zp)],
                              [TensorSpec(shape, "int8", scale=1 / 256, zero_point=-128)])
    assert_matches_reference(m, input_sets=all_bytes(shape))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(30))
def test_softmax_s8_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 400))
    shape = (int(rng.integers(1, 4)), depth)
    in_scale = float(10 ** rng.uniform(-3, 1.7))
    beta = float(rng.choice([1.0, 0.5, 2.0, 0.1]))
    out = "int8" if seed % 3 else "int16"
    m = softmax_model(shape, in_scale, int(rng.integers(-128, 128)), beta, out)
    check(m, 4, structured_rows(shape, seed=seed), seed=seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(20))
def test_log_softmax_s8_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    shape = (int(rng.integers(1, 4)), int(rng.integers(1, 600)))
    in_scale = float(10 ** rng.uniform(-3, 1.3))
    m = build_single_op_model("LOG_SOFTMAX",
                              [TensorSpec(shape, "int8", scale=in_scale, zero_point=int(rng.integers(-128, 128)))],
                              [TensorSpec(shape, "int8", scale=16 / 256, zero_point=127)])
    check(m, 4, structured_rows(shape, seed=seed), seed=seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10))
def test_float_edges_sweep(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    shape = (int(rng.integers(1, 5)), int(rng.integers(1, 200)))
    span = float(10 ** rng.uniform(-1, 3))
    for op in ("LOG_SOFTMAX", "SOFTMAX", "LOGISTIC"):
        options = {"beta": float(rng.uniform(0.1, 2))} if op == "SOFTMAX" else None
        assert_matches_reference(float_edge_model(op, shape, span, options), n_sets=4, seed=seed)
