"""AVERAGE_POOL_2D and MAX_POOL_2D against the LiteRT reference: window sizes and strides, SAME/VALID on
odd and even sizes (partial windows at the borders), global pools, 1 and many channels, batches, fused
activations, extreme and mismatched zero points, and legacy uint8 (whose average rounds differently)."""
from __future__ import annotations

import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import TensorSpec, build_single_op_model


def pool_model(op: str, in_shape: tuple[int, int, int, int], k: tuple[int, int], stride: tuple[int, int],
               padding: str = "VALID", act: str = "NONE", zp: int = 0, scale: float = 0.05,
               out_zp: int | None = None, out_scale: float | None = None, dtype: str = "int8") -> bytes:
    n, h, w, c = in_shape
    if padding == "SAME":
        oh, ow = -(-h // stride[0]), -(-w // stride[1])
    else:
        oh, ow = (h - k[0]) // stride[0] + 1, (w - k[1]) // stride[1] + 1
    x = TensorSpec(in_shape, dtype, scale=scale, zero_point=zp)
    y = TensorSpec((n, oh, ow, c), dtype, scale=scale if out_scale is None else out_scale,
                   zero_point=zp if out_zp is None else out_zp)
    options = {"padding": padding, "stride_h": stride[0], "stride_w": stride[1], "filter_height": k[0],
               "filter_width": k[1], "fused_activation_function": act}
    return build_single_op_model(op, [x], [y], options)


OPS = ["AVERAGE_POOL_2D", "MAX_POOL_2D"]


# The shapes of the shared models.
@pytest.mark.parametrize("op,in_shape,k,stride", [
    ("AVERAGE_POOL_2D", (1, 3, 3, 256), (3, 3), (2, 2)),      # person_detect (global, stride 2)
    ("AVERAGE_POOL_2D", (1, 3, 3, 256), (3, 3), (3, 3)),      # vww_96
    ("AVERAGE_POOL_2D", (1, 25, 5, 64), (25, 5), (25, 5)),    # kws (non-square global)
    ("AVERAGE_POOL_2D", (1, 8, 8, 64), (8, 8), (8, 8)),       # resnet
    ("AVERAGE_POOL_2D", (1, 2, 2, 160), (2, 2), (2, 2)),      # mcunet
    ("MAX_POOL_2D", (1, 50, 50, 2), (2, 2), (2, 2)),          # k2_c3
    ("MAX_POOL_2D", (1, 25, 25, 4), (2, 2), (2, 2)),          # k2_c3, odd size drops the last row
])
def test_pool_model_shapes(op: str, in_shape, k, stride) -> None:
    assert_matches_reference(pool_model(op, in_shape, k, stride, zp=-5), n_sets=3)


@pytest.mark.parametrize("in_shape,k,dtype,zp", [
    ((1, 15, 17, 6), (15, 17), "int8", -128),  # 255 taps: the DSP path's 16-bit lane sums at their limit
    ((1, 17, 15, 8), (17, 15), "uint8", 200),  # the same in legacy uint8 rounding
    ((2, 16, 16, 5), (16, 16), "int8", 100),   # 256 taps: lane sums moved to 32 bits between rows
    ((1, 40, 30, 4), (40, 30), "int8", -128),  # 1200 taps, several moves
    ((1, 2, 300, 8), (2, 300), "int8", 5),     # a row wider than 255: channel by channel
])
def test_avg_pool_large_windows(in_shape, k, dtype: str, zp: int) -> None:
    assert_matches_reference(pool_model("AVERAGE_POOL_2D", in_shape, k, k, "VALID", zp=zp, dtype=dtype), n_sets=3)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("hw,k,stride", [((7, 8), (3, 3), (2, 2)), ((8, 7), (2, 3), (1, 2)), ((5, 5), (4, 4), (1, 1)),
                                         ((6, 6), (3, 3), (3, 3))])
def test_pool_same_padding(op: str, hw, k, stride) -> None:
    # SAME: partial windows at the borders; the average divides by the in-image count only.
    assert_matches_reference(pool_model(op, (1, *hw, 3), k, stride, "SAME", zp=7), n_sets=3)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("act", ["RELU", "RELU6", "RELU_N1_TO_1"])
def test_pool_activations(op: str, act: str) -> None:
    assert_matches_reference(pool_model(op, (1, 6, 5, 4), (2, 2), (2, 2), "SAME", act=act, zp=-20, scale=0.03),
                             n_sets=3)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("zp,out_zp,scale,out_scale", [(-128, None, 0.1, None), (127, None, 0.01, None),
                                                       (3, -60, 0.02, 0.5)])
def test_pool_zero_points(op: str, zp: int, out_zp, scale: float, out_scale) -> None:
    # The reference does not rescale even when input and output quantization differ; the
    # activation range comes from the output tensor.
    assert_matches_reference(pool_model(op, (2, 5, 4, 1), (3, 2), (1, 1), "VALID", act="RELU6", zp=zp, scale=scale,
                                        out_zp=out_zp, out_scale=out_scale), n_sets=3)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("in_shape,k,stride,padding", [((1, 4, 4, 256), (4, 4), (2, 2), "VALID"),  # Coral MobileNet
                                                       ((1, 7, 6, 5), (2, 2), (2, 2), "SAME"),
                                                       ((1, 5, 5, 3), (3, 3), (1, 1), "SAME")])
def test_pool_legacy_uint8(op: str, in_shape, k, stride, padding: str) -> None:
    # uint8 average pool rounds (sum + n/2) / n on non-negative sums: once moved to int8 storage
    # this differs from the int8 rule for negative sums.
    assert_matches_reference(pool_model(op, in_shape, k, stride, padding, zp=128, scale=0.0235, dtype="uint8"),
                             n_sets=3)


@pytest.mark.slow
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("k", [(1, 1), (2, 2), (3, 3), (2, 5), (5, 5)])
@pytest.mark.parametrize("stride", [(1, 1), (2, 2), (3, 2)])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("hw,c", [((7, 7), 1), ((8, 6), 3), ((9, 10), 16)])
def test_pool_sweep_geometry(op: str, k, stride, padding: str, hw, c: int) -> None:
    if padding == "VALID" and (hw[0] < k[0] or hw[1] < k[1]):
        pytest.skip("window larger than input")
    assert_matches_reference(pool_model(op, (1, *hw, c), k, stride, padding, zp=-9), n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("act", ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])
@pytest.mark.parametrize("zp,scale", [(-128, 0.02), (127, 0.02), (0, 0.001), (50, 0.3), (-40, 1e-5)])
def test_pool_sweep_quantization(op: str, act: str, zp: int, scale: float) -> None:
    assert_matches_reference(pool_model(op, (1, 6, 7, 8), (3, 3), (2, 2), "SAME", act=act, zp=zp, scale=scale),
                             n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("k,stride,padding", [((2, 2), (2, 2), "VALID"), ((3, 3), (2, 2), "SAME"),
                                              ((2, 3), (1, 1), "SAME"), ((6, 6), (1, 1), "VALID")])
@pytest.mark.parametrize("act", ["NONE", "RELU", "RELU6"])
@pytest.mark.parametrize("zp,out_zp", [(0, None), (128, None), (255, None), (100, 30)])
def test_pool_sweep_legacy_uint8(op: str, k, stride, padding: str, act: str, zp: int, out_zp) -> None:
    assert_matches_reference(pool_model(op, (1, 6, 7, 9), k, stride, padding, act=act, zp=zp, scale=0.05,
                                        out_zp=out_zp, dtype="uint8"), n_sets=2)
