"""CONV_2D against the LiteRT reference: kernel sizes 1..7, strides, SAME/VALID on odd and even sizes,
1/3/many channels, grouped convolution, dilation, per-channel and per-tensor weights, fused activations,
extreme zero points and scales, batches, and legacy uint8 models (uint8 tensors, per-tensor scales,
non-zero filter zero point)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import TensorSpec, build_single_op_model


def conv_model(in_shape: tuple[int, int, int, int], out_c: int, k: tuple[int, int] = (3, 3),
               stride: tuple[int, int] = (1, 1), padding: str = "SAME", dilation: tuple[int, int] = (1, 1),
               groups: int = 1, act: str = "NONE", per_channel: bool = True, bias: bool = True,
               in_zp: int = -3, in_scale: float = 0.05, out_zp: int = 4, out_scale: float | None = None,
               w_zp: int = 0, dtype: str = "int8", seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    n, h, w, c = in_shape
    fic = c // groups
    kh, kw = k
    eff_h, eff_w = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    if padding == "SAME":
        oh, ow = -(-h // stride[0]), -(-w // stride[1])
    else:
        oh, ow = (h - eff_h) // stride[0] + 1, (w - eff_w) // stride[1] + 1
    if dtype == "uint8":
        per_channel = False
        wdata = rng.integers(0, 256, (out_c, kh, kw, fic)).astype(np.uint8)
    else:
        wdata = rng.integers(-127, 128, (out_c, kh, kw, fic)).astype(np.int8)
    w_scale = rng.uniform(0.002, 0.05, out_c) if per_channel else np.array([0.01])
    if out_scale is None:
        # Spread outputs over the int8 range: the sum of K products has a std of ~ sqrt(K) * 73 * 74.
        out_scale = float(in_scale * np.median(w_scale) * np.sqrt(kh * kw * fic) * 135)
    if per_channel:
        w_spec = TensorSpec((out_c, kh, kw, fic), dtype, scale=list(w_scale), zero_point=[0] * out_c,
                            quantized_dimension=0, data=wdata)
    else:
        w_spec = TensorSpec((out_c, kh, kw, fic), dtype, scale=float(w_scale[0]), zero_point=w_zp, data=wdata)
    bias_scale = [float(np.float32(in_scale) * np.float32(s)) for s in w_scale]
    inputs = [TensorSpec(in_shape, dtype, scale=in_scale, zero_point=in_zp), w_spec]
    if bias:
        inputs.append(TensorSpec((out_c,), "int32", scale=bias_scale if per_channel else bias_scale[0],
                                 zero_point=[0] * out_c if per_channel else 0,
                                 data=rng.integers(-3000, 3000, out_c).astype(np.int32)))
    out = TensorSpec((n, oh, ow, out_c), dtype, scale=out_scale, zero_point=out_zp)
    options = {"padding": padding, "stride_h": stride[0], "stride_w": stride[1],
               "dilation_h_factor": dilation[0], "dilation_w_factor": dilation[1], "fused_activation_function": act}
    return build_single_op_model("CONV_2D", inputs, [out], options)


# Default run: representative cases.
@pytest.mark.parametrize("in_shape,out_c,k,stride,padding,act", [
    ((1, 96, 96, 3), 8, (3, 3), (2, 2), "SAME", "RELU6"),     # stem: 3 channels, even size, stride 2
    ((1, 12, 12, 16), 24, (1, 1), (1, 1), "VALID", "NONE"),   # pointwise
    ((1, 13, 11, 5), 7, (5, 5), (2, 2), "SAME", "RELU"),      # odd sizes, stride 2
    ((1, 9, 10, 1), 4, (7, 7), (1, 1), "VALID", "RELU_N1_TO_1"),
    ((1, 8, 8, 32), 16, (3, 3), (1, 1), "SAME", "RELU"),
    ((2, 6, 7, 4), 3, (2, 4), (2, 1), "SAME", "NONE"),        # batches, non-square kernel, even kernel
])
def test_conv_shapes(in_shape, out_c, k, stride, padding, act) -> None:
    assert_matches_reference(conv_model(in_shape, out_c, k, stride, padding, act=act, seed=sum(in_shape) + out_c),
                             n_sets=3)


@pytest.mark.parametrize("per_channel", [True, False])
def test_conv_per_tensor_and_per_channel(per_channel: bool) -> None:
    # (LiteRT's CONV_2D Prepare requires a bias tensor, so there is no bias-less case to compare.)
    assert_matches_reference(conv_model((1, 6, 7, 5), 6, per_channel=per_channel, act="RELU", seed=2), n_sets=3)


def test_conv_groups_and_dilation() -> None:
    assert_matches_reference(conv_model((1, 9, 8, 6), 4, (3, 3), (1, 1), "SAME", groups=2, seed=11), n_sets=3)
    assert_matches_reference(conv_model((1, 11, 10, 3), 5, (3, 2), (1, 1), "SAME", dilation=(2, 3), seed=12),
                             n_sets=3)


@pytest.mark.parametrize("in_zp,out_zp,out_scale", [(-128, -128, 0.002), (127, 127, 5.0), (0, -128, 1e-4),
                                                    (-128, 127, 80.0)])
def test_conv_quantization_extremes(in_zp: int, out_zp: int, out_scale: float) -> None:
    assert_matches_reference(conv_model((1, 5, 6, 7), 5, in_zp=in_zp, out_zp=out_zp, out_scale=out_scale,
                                        act="RELU6", seed=in_zp & 0xFF), n_sets=3)


@pytest.mark.parametrize("padding,stride", [("SAME", (1, 1)), ("VALID", (2, 2))])
@pytest.mark.parametrize("act", ["NONE", "RELU6"])
def test_conv_legacy_uint8(padding: str, stride, act: str) -> None:
    # Coral-style: uint8 tensors, per-tensor weight scale, non-zero filter zero point; the multiplier
    # comes from the float32 product of the input and filter scales.
    assert_matches_reference(conv_model((1, 9, 10, 8), 6, (3, 3), stride, padding, act=act, dtype="uint8",
                                        in_zp=128, in_scale=0.0235, out_zp=0, out_scale=0.0235, w_zp=113, seed=5),
                             n_sets=3)


# Wide sweep.
@pytest.mark.slow
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6, 7])
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("hw", [(7, 7), (8, 8), (9, 8)])
def test_conv_sweep_geometry(k: int, stride: int, padding: str, hw) -> None:
    assert_matches_reference(conv_model((1, *hw, 3), 4, (k, k), (stride, stride), padding, act="RELU",
                                        seed=k * 13 + stride + hw[0]), n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("in_c,out_c,groups", [(1, 1, 1), (1, 16, 1), (3, 8, 1), (16, 1, 1), (48, 40, 1),
                                               (4, 4, 2), (6, 9, 3), (8, 8, 8), (12, 6, 2)])
@pytest.mark.parametrize("act", ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])
@pytest.mark.parametrize("per_channel", [True, False])
def test_conv_sweep_channels(in_c: int, out_c: int, groups: int, act: str, per_channel: bool) -> None:
    assert_matches_reference(conv_model((1, 6, 5, in_c), out_c, (3, 3), (1, 1), "SAME", groups=groups, act=act,
                                        per_channel=per_channel, seed=in_c * out_c + groups), n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("in_zp", [-128, -1, 0, 127])
@pytest.mark.parametrize("out_zp", [-128, 0, 127])
@pytest.mark.parametrize("out_scale", [1e-4, 0.05, 30.0])
def test_conv_sweep_quantization(in_zp: int, out_zp: int, out_scale: float) -> None:
    assert_matches_reference(conv_model((1, 5, 5, 4), 3, in_zp=in_zp, out_zp=out_zp, out_scale=out_scale,
                                        act="RELU", seed=in_zp + out_zp + 300), n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("w_zp", [0, 1, 128, 255])
@pytest.mark.parametrize("in_zp,out_zp", [(0, 0), (255, 255), (128, 3), (77, 200)])
@pytest.mark.parametrize("act", ["NONE", "RELU", "RELU6"])
@pytest.mark.parametrize("k,stride,padding", [((1, 1), 1, "VALID"), ((3, 3), 2, "SAME")])
def test_conv_sweep_legacy_uint8(w_zp: int, in_zp: int, out_zp: int, act: str, k, stride: int, padding: str) -> None:
    assert_matches_reference(conv_model((1, 8, 7, 6), 5, k, (stride, stride), padding, act=act, dtype="uint8",
                                        in_zp=in_zp, in_scale=0.02, out_zp=out_zp, out_scale=0.05, w_zp=w_zp,
                                        seed=w_zp + in_zp), n_sets=2)
