"""RESIZE_BILINEAR against the LiteRT reference: the integer arithmetic of int8 / int16, the float
arithmetic of float32 and legacy uint8 (and its exact integer form when the weights allow it, with
its two-channels-per-word DSP path), every mode LiteRT accepts, up- and downsampling, same size."""
from __future__ import annotations

import numpy as np
import pytest

from tests.ops.test_layout import Case, cases_model, const, spec
from tests.support.optest import assert_matches_reference, first_call
from tests.support.tflite_build import OpSpec, TensorSpec, build_model
from tinyengine_gen.ops import REGISTRY
from tinyengine_gen.ops.resize import exact_frac_bits

needs_flip = pytest.mark.skipif("TE_FLIP_SIGN" not in REGISTRY,
                                reason="uint8 model edges need the TE_FLIP_SIGN kernel (not registered yet)")

MODES = [(False, False), (True, False), (False, True)]  # align_corners with half_pixel_centers is rejected
SHAPES = [((1, 3, 4, 5), (6, 8)), ((2, 5, 3, 2), (4, 7)), ((1, 6, 6, 3), (4, 4)), ((1, 1, 1, 4), (3, 2)),
          ((1, 4, 5, 3), (4, 5)), ((1, 2, 3, 6), (7, 1))]


def bilinear_case(shape: tuple[int, ...], size: tuple[int, int], mode: tuple[bool, bool], dtype: str = "int8",
                  q: tuple[float, int] | None = None) -> Case:
    n, _, _, c = shape
    return ("RESIZE_BILINEAR", [spec(shape, dtype, q), const(np.asarray(size, np.int32))],
            [spec((n, size[0], size[1], c), dtype, q)], {"align_corners": mode[0], "half_pixel_centers": mode[1]})


@pytest.mark.parametrize("dtype", ["int8", pytest.param("int16", marks=pytest.mark.slow), "float32"])
def test_resize_bilinear(dtype: str) -> None:
    cases = [bilinear_case(s, z, m, dtype) for s, z in SHAPES for m in MODES]
    assert_matches_reference(cases_model(cases), n_sets=2)


UINT8_CASES = [
    ((1, 9, 9, 21), (129, 129), (True, False)),   # deeplab-style: weights k/16, exact in integers
    ((1, 1, 1, 6), (5, 5), (True, False)),        # broadcast (weights 0/1)
    ((1, 5, 4, 7), (9, 7), (True, False)),        # weights k/2, k/2: integers; 7 channels: DSP tail
    ((1, 6, 6, 8), (12, 12), (False, True)),      # half pixel 2x: k/4 with extrapolation at the borders
    ((1, 3, 4, 5), (7, 9), (False, False)),       # scale 3/7: the float expression
    ((1, 5, 5, 4), (3, 3), (False, True)),        # downsampling
]


@needs_flip
def test_resize_bilinear_legacy_uint8() -> None:
    cases = [bilinear_case(s, z, m, "uint8", (0.1885, 34)) for s, z, m in UINT8_CASES]
    assert_matches_reference(cases_model(cases), n_sets=2)


def test_exact_integer_form_is_chosen_where_proved() -> None:
    assert exact_frac_bits(33, 33, 513, 513, True, False) == 4  # deeplab's last resize
    assert exact_frac_bits(1, 1, 33, 33, True, False) == 0
    assert exact_frac_bits(6, 6, 12, 12, False, True) == 2
    assert exact_frac_bits(3, 4, 7, 9, False, False) == -1


@needs_flip
def test_resize_bilinear_uint8_every_value_exact_path() -> None:
    """Every uint8 value in every corner of the 2x2 neighbourhood, through the integer form."""
    rng = np.random.default_rng(5)
    model = cases_model([bilinear_case((1, 4, 4, 64), (13, 13), (True, False), "uint8", (0.1, 3))])
    x = rng.permutation(np.arange(1024) % 256).astype(np.uint8).reshape(1, 4, 4, 64)
    assert_matches_reference(model, input_sets=[[x], [255 - x]])


def test_same_size_resize_is_a_view() -> None:
    t = [spec((1, 4, 5, 3)), const(np.asarray([4, 5], np.int32)), spec((1, 4, 5, 3)), spec((1, 4, 5, 3)),
         spec((1, 4, 5, 3))]
    ops = [OpSpec("RESIZE_BILINEAR", [0, 1], [2], {"align_corners": True}),
           OpSpec("ADD", [2, 3], [4], {"fused_activation_function": "NONE"})]
    model = build_model(t, ops, [0, 3], [4])
    with pytest.raises(StopIteration):
        first_call(model, "RESIZE_BILINEAR")
    assert_matches_reference(model, n_sets=1)


def resize_arg_model(dtype: str, kind: str = "ARG_MAX", out: str = "int64", shape=(1, 5, 6, 21), size=(9, 11),
                     mode=(True, False), axis: int = 3, q: tuple[float, int] | None = None) -> bytes:
    n, _, _, c = shape
    rshape = (n, size[0], size[1], c)
    oshape = tuple(d for i, d in enumerate(rshape) if i != axis)
    t = [spec(shape, dtype, q), const(np.asarray(size, np.int32)), spec(rshape, dtype, q),
         const(np.asarray([axis], np.int32)), TensorSpec(oshape, out)]
    ops = [OpSpec("RESIZE_BILINEAR", [0, 1], [2], {"align_corners": mode[0], "half_pixel_centers": mode[1]}),
           OpSpec(kind, [2, 3], [4])]
    return build_model(t, ops, [0], [4])


@pytest.mark.parametrize("dtype,kind,out,shape,size,mode", [
    pytest.param("uint8", "ARG_MAX", "int64", (1, 5, 5, 21), (17, 17), (True, False), marks=needs_flip),  # deeplab head
    pytest.param("uint8", "ARG_MIN", "int32", (1, 3, 4, 40), (5, 9), (False, False),  # float form, 2 chunks
                 marks=[needs_flip, pytest.mark.slow]),
    pytest.param("int8", "ARG_MAX", "int32", (2, 4, 3, 33), (7, 5), (False, True), marks=pytest.mark.slow),
    ("float32", "ARG_MIN", "int64", (1, 4, 4, 6), (6, 6), (False, False)),
])
def test_resize_fused_with_arg_max(dtype, kind, out, shape, size, mode) -> None:
    model = resize_arg_model(dtype, kind, out, shape, size, mode, q=(0.19, 34) if dtype == "uint8" else None)
    call, _, _ = first_call(model, "TE_RESIZE_BILINEAR_ARG")
    assert call.outputs[0].dtype == out
    rng = np.random.default_rng(3)
    sets = [[(rng.integers(0, 4, shape) if dtype != "float32" else rng.integers(0, 4, shape) / 4).astype(
        {"uint8": np.uint8, "int8": np.int8, "float32": np.float32}[dtype])]]  # coarse values: many ties
    assert_matches_reference(model, n_sets=1)
    assert_matches_reference(model, input_sets=sets)


def test_resize_not_fused_with_arg_max_over_other_axis() -> None:
    model = resize_arg_model("int8", axis=2)
    assert first_call(model, "RESIZE_BILINEAR")[0].op.kind == "RESIZE_BILINEAR"
    assert_matches_reference(model, n_sets=1)
