"""QUANTIZE, DEQUANTIZE and the uint8 edge flip against the LiteRT reference, byte for byte.

float32 -> int8 / uint8 (incl. ties, signed zeros, NaN, infinities and out-of-range values),
int8 / uint8 -> float32, 8-bit requantization in every signedness pair (the wake-vision
uint8 <-> int8 edges take the reference's bit-7 shortcut), chains that let the planner run the
kernels in place, and legacy uint8 graphs whose edges get TE_FLIP_SIGN.
"""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.oracle import random_inputs
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model


def quantize_model(shape: tuple[int, ...], out: str, scale: float, zp: int) -> bytes:
    return build_single_op_model("QUANTIZE", [TensorSpec(shape, "float32")],
                                 [TensorSpec(shape, out, scale=scale, zero_point=zp)])


def check(model: bytes, n_random: int, extra: list[list[np.ndarray]] | None = None, seed: int = 0) -> None:
    """One build, random input sets plus hand-picked ones."""
    rng = np.random.default_rng(seed)
    sets = [random_inputs(model, rng) for _ in range(n_random)] + (extra or [])
    assert_matches_reference(model, input_sets=sets)


def special_floats(shape: tuple[int, ...], scale: float, zp: int, seed: int) -> list[list[np.ndarray]]:
    """Exact ties (k + 0.5) * scale, signed zeros, non-finite and huge values, and the clamp edges."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    s = np.float32(scale)
    k = rng.integers(-300, 300, n)
    ties = ((k.astype(np.float32) + np.float32(0.5)) * s).astype(np.float32)
    near = (ties + rng.choice([-1, 1], n) * np.spacing(ties)).astype(np.float32)
    specials = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e10, -1e10, 3e9, -3e9, 1.2e9 * scale,
                         -1.2e9 * scale, np.float32(2.1e9) * s, (127 - zp) * s, (128 - zp) * s,
                         (-128 - zp) * s, (-129 - zp) * s, (255 - zp) * s, (0.5 - zp) * s,
                         np.finfo(np.float32).max, np.finfo(np.float32).tiny, 1e-45],
                        np.float32)
    filler = np.resize(specials, n).astype(np.float32)
    return [[a.reshape(shape)] for a in (ties, near, filler)]


def rounding_edges() -> np.ndarray:
    """With scale 1: every tie k + 1/2 and integer k for |k| <= 260 with both float neighbours, the
    largest floats below 1/2, and values around 2^10 and 2^30 (where a kernel may switch rounding
    methods), 2^23 and 2^31, both signs."""
    k = np.arange(-260, 261, dtype=np.float32)
    base = np.concatenate([k + np.float32(0.5), k, np.float32([0.49999997, 1.4999999, 2.4999998, 1023.5, 1024.0,
                                                               1024.5, 1025.0, 2.0 ** 23, 2.0 ** 23 + 1, 2.0 ** 24,
                                                               2.0 ** 30, 2.0 ** 31, 2.0 ** 31 - 128])])
    base = np.concatenate([base, -base]).astype(np.float32)
    return np.concatenate([base, np.nextafter(base, np.float32(np.inf)),
                           np.nextafter(base, np.float32(-np.inf))]).astype(np.float32)


@pytest.mark.parametrize("out,zp", [("int8", 0), ("int8", -128), ("int8", 127), ("uint8", 0), ("uint8", 255)])
def test_quantize_rounding_edges(out: str, zp: int) -> None:
    """Scale 1 makes every tie exact: any rounding method other than half away from zero, and any
    wrong result where a kernel switches methods, shows in the bytes (zero points shift the window)."""
    x = rounding_edges()
    check(quantize_model((1, x.size), out, 1.0, zp), 0, [[x.reshape(1, -1)], [np.float32(0.25) * x.reshape(1, -1)]])


@pytest.mark.parametrize("out", ["int8", "uint8"])
@pytest.mark.parametrize("scale,zp", [(0.404846727848053, 81), (0.003919653594493866, -128),
                                      (0.02351972833275795, -18), (1.0, 0), (1e-4, 127), (37.0, 5)])
def test_quantize_float(out: str, scale: float, zp: int) -> None:
    if out == "uint8":
        zp = zp + 128
    shape = (1, 9, 7)
    check(quantize_model(shape, out, scale, zp), 3, special_floats(shape, scale, zp, seed=zp & 0xFF))


@pytest.mark.parametrize("src", ["int8", "uint8"])
@pytest.mark.parametrize("scale,zp", [(0.3760228157043457, 89), (0.5021164417266846, 21), (1e-5, -128),
                                      (255.0, 127), (1.0, 0), (3e-39, 3)])
def test_dequantize(src: str, scale: float, zp: int) -> None:
    if src == "uint8":
        zp = zp + 128
    shape = (2, 128)  # every input byte once
    m = build_single_op_model("DEQUANTIZE", [TensorSpec(shape, src, scale=scale, zero_point=zp)],
                              [TensorSpec(shape, "float32")])
    info = np.iinfo(np.dtype(src))
    assert_matches_reference(m, input_sets=[[(np.arange(256) + info.min).astype(src).reshape(shape)]])


@pytest.mark.parametrize("src,dst,s_in,zp_in,s_out,zp_out", [
    ("uint8", "int8", 1.0, 0, 1.0, -128),               # wake-vision input edge: bit-7 shortcut
    ("int8", "uint8", 0.00390625, -128, 0.00390625, 0),  # wake-vision output edge
    ("int8", "uint8", 180.48934936523438, -128, 180.48934936523438, 0),
    ("uint8", "int8", 1.0, 3, 1.0, -125),
    ("uint8", "int8", 1.0, 0, 1.0, -127),               # same scale, zero points not 128 apart
    ("int8", "int8", 0.05, 3, 0.07, -10),
    ("int8", "int8", 0.05, 0, 0.05, 0),
    ("int8", "int8", 0.3, -128, 0.001, 127),
    ("uint8", "uint8", 0.02, 128, 0.5, 7),
    ("uint8", "int8", 0.02, 100, 0.03, 1),
    ("int8", "uint8", 2.0, 5, 0.25, 250),
])
def test_requantize(src: str, dst: str, s_in: float, zp_in: int, s_out: float, zp_out: int) -> None:
    shape = (1, 256)
    m = build_single_op_model("QUANTIZE", [TensorSpec(shape, src, scale=s_in, zero_point=zp_in)],
                              [TensorSpec(shape, dst, scale=s_out, zero_point=zp_out)])
    info = np.iinfo(np.dtype(src))
    assert_matches_reference(m, input_sets=[[(np.arange(256) + info.min).astype(src).reshape(shape)]])


def test_quantize_dequantize_chain_in_place() -> None:
    """float -> int8 -> float: each kernel may write over its input buffer."""
    shape = (4, 50)
    tensors = [TensorSpec(shape, "float32", name="x"), TensorSpec(shape, "int8", scale=0.02, zero_point=-3, name="q"),
               TensorSpec(shape, "float32", name="y")]
    m = build_model(tensors, [OpSpec("QUANTIZE", [0], [1]), OpSpec("DEQUANTIZE", [1], [2])], [0], [2])
    check(m, 4, special_floats(shape, 0.02, -3, seed=1))


def test_float_softmax_float_chain() -> None:
    """float -> QUANTIZE -> SOFTMAX -> DEQUANTIZE -> float, as float-edged classifiers do."""
    shape = (1, 12)
    tensors = [TensorSpec(shape, "float32", name="x"), TensorSpec(shape, "int8", scale=0.1446, zero_point=14, name="q"),
               TensorSpec(shape, "int8", scale=1 / 256, zero_point=-128, name="p"),
               TensorSpec(shape, "float32", name="y")]
    ops = [OpSpec("QUANTIZE", [0], [1]), OpSpec("SOFTMAX", [1], [2], {"beta": 1.0}), OpSpec("DEQUANTIZE", [2], [3])]
    assert_matches_reference(build_model(tensors, ops, [0], [3]), n_sets=5)


def test_wake_vision_style_edges() -> None:
    """uint8 -> QUANTIZE(int8) -> SOFTMAX -> QUANTIZE(uint8), as wake-vision/k2_c3 wraps its graph."""
    shape = (1, 2)
    tensors = [TensorSpec(shape, "uint8", scale=1.0, zero_point=0, name="x"),
               TensorSpec(shape, "int8", scale=1.0, zero_point=-128, name="q"),
               TensorSpec(shape, "int8", scale=1 / 256, zero_point=-128, name="p"),
               TensorSpec(shape, "uint8", scale=1 / 256, zero_point=0, name="y")]
    ops = [OpSpec("QUANTIZE", [0], [1]), OpSpec("SOFTMAX", [1], [2], {"beta": 1.0}), OpSpec("QUANTIZE", [2], [3])]
    m = build_model(tensors, ops, [0], [3])
    assert_matches_reference(m, n_sets=6)


def test_legacy_uint8_edges_flip_sign() -> None:
    """A uint8 graph: passes.py moves it to int8 storage and flips bit 7 at both edges (in place)."""
    shape = (3, 40)
    tensors = [TensorSpec(shape, "uint8", scale=0.07, zero_point=131, name="x"),
               TensorSpec(shape, "uint8", scale=1 / 256, zero_point=0, name="l"),
               TensorSpec(shape, "uint8", scale=1 / 256, zero_point=0, name="y")]
    ops = [OpSpec("LOGISTIC", [0], [1]), OpSpec("SOFTMAX", [1], [2], {"beta": 1.0})]
    m = build_model(tensors, ops, [0], [2])
    assert_matches_reference(m, n_sets=4)


def test_legacy_uint8_output_dequantized() -> None:
    """uint8 SOFTMAX feeding DEQUANTIZE: the dequantize reads the shifted int8 storage."""
    shape = (1, 30)
    tensors = [TensorSpec(shape, "uint8", scale=0.13, zero_point=96, name="x"),
               TensorSpec(shape, "uint8", scale=1 / 256, zero_point=0, name="p"),
               TensorSpec(shape, "float32", name="y")]
    ops = [OpSpec("SOFTMAX", [0], [1], {"beta": 1.0}), OpSpec("DEQUANTIZE", [1], [2])]
    assert_matches_reference(build_model(tensors, ops, [0], [2]), n_sets=4)


def test_per_channel_quantize_is_rejected(tmp_path) -> None:
    from tinyengine_gen.cli import main

    m = build_single_op_model("QUANTIZE", [TensorSpec((1, 2, 3), "float32")],
                              [TensorSpec((1, 2, 3), "int8", scale=[0.1, 0.2, 0.3], zero_point=[0, 0, 0],
                                          quantized_dimension=2)])
    path = tmp_path / "m.tflite"
    path.write_bytes(m)
    assert main([str(path), "-o", str(tmp_path / "out"), "--quiet"]) != 0


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(40))
def test_quantize_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(seed)
    out = "int8" if seed % 2 else "uint8"
    scale = float(10 ** rng.uniform(-5, 2))
    zp = int(rng.integers(-128, 128)) + (128 if out == "uint8" else 0)
    shape = (int(rng.integers(1, 5)), int(rng.integers(1, 70)))
    check(quantize_model(shape, out, scale, zp), 3, special_floats(shape, scale, zp, seed=seed), seed=seed)
    src = "uint8" if seed % 3 == 0 else "int8"
    dq = build_single_op_model("DEQUANTIZE", [TensorSpec((1, 256), src, scale=scale,
                                                         zero_point=zp - (128 if out == "uint8" else 0)
                                                         + (128 if src == "uint8" else 0))],
                               [TensorSpec((1, 256), "float32")])
    info = np.iinfo(np.dtype(src))
    assert_matches_reference(dq, input_sets=[[(np.arange(256) + info.min).astype(src).reshape(1, 256)]])


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(40))
def test_requantize_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    src, dst = rng.choice(["int8", "uint8"], 2)
    lo_in, lo_out = (-128 if src == "int8" else 0), (-128 if dst == "int8" else 0)
    s_in = float(10 ** rng.uniform(-3, 1))
    s_out = s_in if seed % 4 == 0 else float(10 ** rng.uniform(-3, 1))
    m = build_single_op_model("QUANTIZE", [TensorSpec((1, 256), src, scale=s_in,
                                                      zero_point=int(rng.integers(lo_in, lo_in + 256)))],
                              [TensorSpec((1, 256), dst, scale=s_out,
                                          zero_point=int(rng.integers(lo_out, lo_out + 256)))])
    info = np.iinfo(np.dtype(src))
    assert_matches_reference(m, input_sets=[[(np.arange(256) + info.min).astype(src).reshape(1, 256)]])
