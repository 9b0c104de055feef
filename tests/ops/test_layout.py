"""PAD / PADV2, CONCATENATION, RESIZE_NEAREST_NEIGHBOR and TRANSPOSE against the LiteRT reference."""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model
from tinyengine_gen.ops import REGISTRY

needs_flip = pytest.mark.skipif("TE_FLIP_SIGN" not in REGISTRY,
                                reason="uint8 model edges need the TE_FLIP_SIGN kernel (not registered yet)")


# ----------------------------------------------------------------------------------------- PAD

def pad_model(shape: tuple[int, ...], pads: list[tuple[int, int]], q: tuple[float, int] = (0.05, -7),
              dtype: str = "int8", v2_value: int | None = None, pad_dtype: str = "int32") -> bytes:
    out = tuple(d + b + a for d, (b, a) in zip(shape, pads))
    inputs = [TensorSpec(shape, dtype, scale=q[0], zero_point=q[1]),
              TensorSpec((len(shape), 2), pad_dtype, data=np.asarray(pads, np.int64))]
    if v2_value is not None:
        inputs.append(TensorSpec((1,), dtype, scale=q[0], zero_point=q[1], data=np.asarray([v2_value])))
    return build_single_op_model("PADV2" if v2_value is not None else "PAD", inputs,
                                 [TensorSpec(out, dtype, scale=q[0], zero_point=q[1])])


@pytest.mark.parametrize("shape,pads", [
    ((1, 8, 8, 3), [(0, 0), (1, 1), (1, 1), (0, 0)]),     # image style
    ((1, 7, 5, 16), [(0, 0), (0, 1), (0, 1), (0, 0)]),    # asymmetric (stride-2 SAME)
    ((1, 5, 5, 4), [(0, 0), (3, 3), (3, 3), (0, 0)]),
    ((1, 13, 13, 20), [(0, 0), (0, 0), (0, 0), (2, 2)]),  # channels (micronets)
    ((1, 4, 4, 12), [(0, 0), (0, 0), (0, 0), (6, 6)]),
    ((1, 6, 6, 8), [(0, 0), (0, 0), (0, 0), (0, 0)]),     # no padding at all (mcunet)
    ((2, 3, 4, 5), [(1, 0), (0, 2), (3, 1), (1, 1)]),     # every axis
    ((3, 1, 2), [(0, 0), (2, 1), (0, 0)]),                # size-1 dimension padded
    ((9,), [(4, 0)]),
    ((2, 3, 1, 2, 3), [(1, 1), (0, 0), (1, 0), (0, 0), (0, 2)]),  # 5-D
])
def test_pad(shape, pads) -> None:
    assert_matches_reference(pad_model(shape, pads), n_sets=2)


@pytest.mark.parametrize("zp", [-128, 0, 127])
def test_pad_zero_points_and_int64_paddings(zp: int) -> None:
    assert_matches_reference(pad_model((1, 3, 4, 2), [(0, 0), (1, 2), (2, 1), (0, 0)], (0.1, zp), pad_dtype="int64"),
                             n_sets=2)


@pytest.mark.parametrize("value", [-128, -7, 0, 127])
def test_padv2(value: int) -> None:
    assert_matches_reference(pad_model((1, 5, 4, 3), [(0, 0), (2, 1), (1, 2), (1, 1)], v2_value=value), n_sets=2)


def test_pad_then_add_in_place() -> None:
    """micronets pads channels before ADD; mcunet has zero-padding PADs (declared in place)."""
    t = [
        TensorSpec((1, 7, 7, 16), "int8", scale=0.043493, zero_point=6),
        TensorSpec((4, 2), "int32", data=np.asarray([[0, 0], [0, 0], [0, 0], [6, 6]], np.int32)),
        TensorSpec((1, 7, 7, 28), "int8", scale=0.043493, zero_point=6),
        TensorSpec((1, 7, 7, 28), "int8", scale=0.056061, zero_point=6),
        TensorSpec((1, 7, 7, 28), "int8", scale=0.078399, zero_point=6),
        TensorSpec((4, 2), "int32", data=np.zeros((4, 2), np.int32)),
        TensorSpec((1, 7, 7, 28), "int8", scale=0.078399, zero_point=6),
    ]
    ops = [OpSpec("PAD", [0, 1], [2]), OpSpec("ADD", [2, 3], [4], {"fused_activation_function": "NONE"}),
           OpSpec("PAD", [4, 5], [6])]
    assert_matches_reference(build_model(t, ops, [0, 3], [6]), n_sets=3)


@needs_flip
def test_pad_legacy_uint8() -> None:
    assert_matches_reference(pad_model((1, 4, 5, 3), [(0, 0), (1, 1), (1, 1), (0, 0)], (0.05, 130), "uint8"), n_sets=2)
    assert_matches_reference(pad_model((1, 4, 5, 3), [(0, 0), (1, 0), (0, 1), (0, 0)], (0.05, 7), "uint8",
                                       v2_value=200), n_sets=2)


# ------------------------------------------------------------------------------- CONCATENATION

def concat_model(shapes: list[tuple[int, ...]], axis: int, dtype: str = "int8",
                 quants: list[tuple[float, int]] | None = None, out_q: tuple[float, int] = (0.05, -3),
                 const_inputs: dict[int, np.ndarray] | None = None) -> bytes:
    quants = quants or [out_q] * len(shapes)
    const_inputs = const_inputs or {}
    rank = len(shapes[0])
    ax = axis % rank
    out = list(shapes[0])
    out[ax] = sum(s[ax] for s in shapes)
    inputs = [TensorSpec(s, dtype, scale=q[0], zero_point=q[1], data=const_inputs.get(i))
              for i, (s, q) in enumerate(zip(shapes, quants))]
    return build_single_op_model("CONCATENATION", inputs, [TensorSpec(tuple(out), dtype, scale=out_q[0],
                                                                      zero_point=out_q[1])], {"axis": axis})


@pytest.mark.parametrize("shapes,axis", [
    ([(1, 4, 5, 3), (1, 4, 5, 7)], 3),
    ([(1, 4, 5, 3), (1, 4, 5, 7)], -1),
    ([(1, 4, 5, 3), (1, 2, 5, 3), (1, 1, 5, 3)], 1),
    ([(1, 4, 5, 3), (1, 4, 1, 3)], 2),
    ([(2, 4, 5, 3), (3, 4, 5, 3)], 0),
    ([(5,), (1,), (3,)], 0),
    ([(2, 3, 1), (2, 3, 4), (2, 3, 1), (2, 3, 2)], 2),
    ([(1, 6, 6, 8)], 3),
])
def test_concat(shapes, axis) -> None:
    assert_matches_reference(concat_model(shapes, axis), n_sets=2)


def test_concat_constant_input_and_repeated_input() -> None:
    rng = np.random.default_rng(3)
    c = rng.integers(-128, 128, (1, 3, 3, 2)).astype(np.int8)
    assert_matches_reference(concat_model([(1, 3, 3, 4), (1, 3, 3, 2)], 3, const_inputs={1: c}), n_sets=2)
    t = [TensorSpec((1, 3, 2), "int8", scale=0.1, zero_point=0), TensorSpec((1, 3, 4), "int8", scale=0.1, zero_point=0)]
    assert_matches_reference(build_model(t, [OpSpec("CONCATENATION", [0, 0], [1], {"axis": 2})], [0], [1]), n_sets=2)


@needs_flip
@pytest.mark.parametrize("quants,out_q", [
    ([(0.05, 125), (0.05, 125)], (0.05, 125)),        # plain copy
    ([(0.05, 125), (0.1, 100)], (0.05, 125)),          # second input rescaled
    ([(0.023, 0), (0.3, 255), (0.07, 128)], (0.11, 17)),
    ([(0.05, 120), (0.05, 121)], (0.05, 120)),        # same scale, different zero point
    ([(1e-3, 3), (7.0, 250)], (0.5, 128)),
])
def test_concat_legacy_uint8_rescaling(quants, out_q) -> None:
    shapes = [(1, 3, 4, 2 + i) for i in range(len(quants))]
    assert_matches_reference(concat_model(shapes, 3, "uint8", quants, out_q), n_sets=3)
    assert_matches_reference(concat_model([(1, 2 + i, 3, 2) for i in range(len(quants))], 1, "uint8", quants, out_q),
                             n_sets=2)


# --------------------------------------------------------------------- RESIZE_NEAREST_NEIGHBOR

def resize_model(shape: tuple[int, ...], size: tuple[int, int], align_corners: bool = False,
                 half_pixel_centers: bool = False, dtype: str = "int8") -> bytes:
    n, _, _, c = shape
    inputs = [TensorSpec(shape, dtype, scale=0.0235, zero_point=-128 if dtype == "int8" else 0),
              TensorSpec((2,), "int32", data=np.asarray(size, np.int32))]
    out = TensorSpec((n, size[0], size[1], c), dtype, scale=0.0235, zero_point=-128 if dtype == "int8" else 0)
    return build_single_op_model("RESIZE_NEAREST_NEIGHBOR", inputs, [out],
                                 {"align_corners": align_corners, "half_pixel_centers": half_pixel_centers})


@pytest.mark.parametrize("shape,size", [
    ((1, 4, 5, 32), (8, 10)),     # detection.tflite: non-square 2x upsampling
    ((1, 8, 10, 16), (16, 20)),
    ((1, 3, 7, 2), (5, 4)),       # up in H, down in W
    ((2, 5, 3, 1), (5, 11)),
    ((1, 6, 6, 3), (4, 4)),       # downsampling
    ((1, 1, 1, 5), (3, 2)),
    ((1, 4, 4, 2), (1, 1)),
])
@pytest.mark.parametrize("mode", [(False, False), (True, False), (False, True), (True, True)])
def test_resize_nearest(shape, size, mode) -> None:
    assert_matches_reference(resize_model(shape, size, *mode), n_sets=2)


# ---------------------------------------------------------------------------------- TRANSPOSE

def transpose_model(shape: tuple[int, ...], perm: list[int], dtype: str = "int8") -> bytes:
    rank = len(shape)
    out = tuple(shape[p % rank] for p in perm)
    inputs = [TensorSpec(shape, dtype, scale=0.048543, zero_point=6),
              TensorSpec((rank,), "int32", data=np.asarray(perm, np.int32))]
    return build_single_op_model("TRANSPOSE", inputs, [TensorSpec(out, dtype, scale=0.048543, zero_point=6)])


@pytest.mark.parametrize("shape,perm", [
    ((1, 3, 3, 160), [0, 3, 1, 2]),   # tinyengine/vww
    ((2, 3, 4, 5), [0, 2, 3, 1]),
    ((2, 3, 4, 5), [3, 2, 1, 0]),
    ((2, 3, 4, 5), [0, 1, 2, 3]),     # identity
    ((2, 3, 4, 5), [1, 0, 2, 3]),     # inner block kept (merged)
    ((5, 7), [1, 0]),
    ((4,), [0]),
    ((2, 3, 1, 5), [2, 3, 0, 1]),
    ((2, 3, 4, 5), [-1, 0, -3, 2]),   # negative entries
    ((2, 3, 2, 3, 2), [4, 2, 0, 3, 1]),
    ((2, 1, 3, 2, 2, 3), [5, 0, 3, 1, 4, 2]),
])
def test_transpose(shape, perm) -> None:
    assert_matches_reference(transpose_model(shape, perm), n_sets=2)


@needs_flip
def test_layout_legacy_uint8_copies() -> None:
    assert_matches_reference(transpose_model((1, 3, 4, 5), [0, 3, 1, 2], "uint8"), n_sets=2)
    assert_matches_reference(resize_model((1, 3, 4, 5), (6, 8), dtype="uint8"), n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12))
def test_layout_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    rank = int(rng.integers(1, 6))
    shape = tuple(int(d) for d in rng.integers(1, 7, rank))
    pads = [(int(rng.integers(0, 3)) * (rng.random() < 0.5), int(rng.integers(0, 3)) * (rng.random() < 0.5))
            for _ in range(rank)]
    assert_matches_reference(pad_model(shape, pads, (0.1, int(rng.integers(-128, 128)))), n_sets=1)
    perm = [int(p) for p in rng.permutation(rank)]
    assert_matches_reference(transpose_model(shape, perm), n_sets=1)
    axis = int(rng.integers(0, rank))
    shapes = [tuple(int(rng.integers(1, 5)) if d == axis else shape[d] for d in range(rank))
              for _ in range(int(rng.integers(1, 4)))]
    assert_matches_reference(concat_model(shapes, axis), n_sets=1)
    h, w = int(rng.integers(1, 9)), int(rng.integers(1, 9))
    mode = (bool(rng.random() < 0.5), bool(rng.random() < 0.5))
    assert_matches_reference(resize_model((1, int(rng.integers(1, 7)), int(rng.integers(1, 7)), 3), (h, w), *mode),
                             n_sets=1)


@needs_flip
@pytest.mark.parametrize("in_q,out_q", [
    # Scales where a fused multiply-add would round one of the 256 values differently: LiteRT's
    # reference (x86-64 wheel) computes q * scale and + bias as two float32 operations.
    ((0.15261323750019073, 156), (0.1083061695098877, 73)),
    ((0.03580089658498764, 220), (0.01869856007397175, 178)),
])
def test_concat_legacy_uint8_every_value(in_q, out_q) -> None:
    model = concat_model([(1, 256), (1, 1)], 1, "uint8", [in_q, out_q], out_q)
    every = [np.arange(256, dtype=np.uint8).reshape(1, 256), np.zeros((1, 1), np.uint8)]
    assert_matches_reference(model, input_sets=[every])
