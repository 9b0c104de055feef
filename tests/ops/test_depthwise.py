"""DEPTHWISE_CONV_2D against the LiteRT reference: kernel sizes, strides, SAME/VALID on odd and even
sizes, dilation, depth multipliers, per-channel and per-tensor weights, fused activations, extreme
zero points and scales, batches, and legacy uint8 models (per-tensor weights, non-zero filter zero point)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import TensorSpec, build_single_op_model


def dw_model(in_shape: tuple[int, int, int, int], k: tuple[int, int] = (3, 3), stride: tuple[int, int] = (1, 1),
             padding: str = "SAME", dilation: tuple[int, int] = (1, 1), depth_mult: int = 1, act: str = "NONE",
             per_channel: bool = True, bias: bool = True, in_zp: int = -3, in_scale: float = 0.05,
             out_zp: int = 4, out_scale: float | None = None, w_zp: int = 0, dtype: str = "int8",
             seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    n, h, w, c = in_shape
    oc = c * depth_mult
    kh, kw = k
    eff_h, eff_w = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    if padding == "SAME":
        oh, ow = -(-h // stride[0]), -(-w // stride[1])
    else:
        oh, ow = (h - eff_h) // stride[0] + 1, (w - eff_w) // stride[1] + 1
    if dtype == "uint8":
        per_channel = False
        wdata = rng.integers(0, 256, (1, kh, kw, oc)).astype(np.uint8)
    else:
        wdata = rng.integers(-127, 128, (1, kh, kw, oc)).astype(np.int8)
    w_scale = rng.uniform(0.002, 0.05, oc) if per_channel else np.array([0.02])
    if out_scale is None:
        # Keep outputs spread over the int8 range: the sum of kh*kw products has std ~ sqrt(kh*kw).
        out_scale = float(in_scale * np.median(w_scale) * np.sqrt(kh * kw) * 135)
    if per_channel:
        w_spec = TensorSpec((1, kh, kw, oc), dtype, scale=list(w_scale), zero_point=[0] * oc,
                            quantized_dimension=3, data=wdata)
    else:
        w_spec = TensorSpec((1, kh, kw, oc), dtype, scale=float(w_scale[0]), zero_point=w_zp, data=wdata)
    bias_scale = [float(np.float32(in_scale) * np.float32(s)) for s in w_scale]
    inputs = [
        TensorSpec(in_shape, dtype, scale=in_scale, zero_point=in_zp),
        w_spec,
        TensorSpec((oc,), "int32", scale=bias_scale if per_channel else bias_scale[0],
                   zero_point=[0] * oc if per_channel else 0,
                   data=rng.integers(-3000, 3000, oc).astype(np.int32)) if bias else None,
    ]
    out = TensorSpec((n, oh, ow, oc), dtype, scale=out_scale, zero_point=out_zp)
    options = {"padding": padding, "stride_h": stride[0], "stride_w": stride[1],
               "dilation_h_factor": dilation[0], "dilation_w_factor": dilation[1],
               "depth_multiplier": depth_mult, "fused_activation_function": act}
    # No bias: two inputs (LiteRT rejects an omitted optional third input for this op).
    return build_single_op_model("DEPTHWISE_CONV_2D", [t for t in inputs if t is not None], [out], options)


# Default run: the shapes the shared models use, plus one representative of each option.
@pytest.mark.parametrize("in_shape,k,stride,padding,depth_mult,act", [
    ((1, 12, 12, 8), (3, 3), (1, 1), "SAME", 1, "RELU6"),      # MobileNet body
    ((1, 12, 12, 16), (3, 3), (2, 2), "SAME", 1, "RELU"),      # stride 2, even size: pad 0 before, 1 after
    ((1, 13, 11, 16), (3, 3), (2, 2), "SAME", 1, "NONE"),      # stride 2, odd sizes
    ((1, 96, 96, 1), (3, 3), (2, 2), "SAME", 8, "RELU6"),      # person_detect's first layer
    ((1, 49, 40, 1), (10, 8), (2, 2), "SAME", 8, "RELU"),      # micro_speech
    ((1, 16, 16, 24), (7, 7), (2, 2), "VALID", 1, "RELU6"),    # mcunet 7x7 VALID
    ((1, 10, 9, 6), (5, 5), (1, 1), "SAME", 2, "RELU_N1_TO_1"),
    ((1, 25, 5, 64), (3, 3), (1, 1), "SAME", 1, "RELU"),       # kws
    ((1, 3, 3, 256), (3, 3), (1, 1), "SAME", 1, "RELU6"),      # 3x3 map, window larger than half
])
def test_dw_shapes(in_shape, k, stride, padding, depth_mult, act) -> None:
    assert_matches_reference(dw_model(in_shape, k, stride, padding, depth_mult=depth_mult, act=act,
                                      seed=sum(in_shape)), n_sets=3)


@pytest.mark.parametrize("per_channel", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_dw_weights_and_bias(per_channel: bool, bias: bool) -> None:
    assert_matches_reference(dw_model((1, 7, 8, 5), (3, 3), (1, 1), "SAME", per_channel=per_channel, bias=bias,
                                      act="RELU", seed=3), n_sets=3)


def test_dw_int8_filter_zero_point_ignored() -> None:
    # The int8 reference sets weights_offset = 0: a per-tensor filter zero point is not applied.
    assert_matches_reference(dw_model((1, 6, 6, 4), per_channel=False, w_zp=5, seed=9), n_sets=3)


@pytest.mark.parametrize("in_zp,out_zp,out_scale", [(-128, -128, 0.002), (127, 127, 5.0), (0, -128, 1e-4),
                                                    (-128, 127, 50.0)])
@pytest.mark.parametrize("act", ["NONE", "RELU6"])
def test_dw_quantization_extremes(in_zp: int, out_zp: int, out_scale: float, act: str) -> None:
    assert_matches_reference(dw_model((1, 5, 6, 7), (3, 3), (1, 1), "SAME", in_zp=in_zp, out_zp=out_zp,
                                      out_scale=out_scale, act=act, seed=in_zp & 0xFF), n_sets=3)


def test_dw_dilation_and_batches() -> None:
    assert_matches_reference(dw_model((2, 11, 10, 3), (3, 3), (1, 1), "SAME", dilation=(2, 3), depth_mult=2,
                                      act="RELU", seed=5), n_sets=3)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("act", ["NONE", "RELU6"])
def test_dw_legacy_uint8(padding: str, act: str) -> None:
    # Coral-style: uint8 tensors, per-tensor weights with a non-zero zero point, float32 scale product.
    assert_matches_reference(dw_model((1, 9, 10, 8), (3, 3), (2, 2), padding, act=act, dtype="uint8",
                                      in_zp=128, in_scale=0.0235, out_zp=0, out_scale=0.0235, w_zp=149,
                                      seed=7), n_sets=3)


# Wide sweep.
@pytest.mark.slow
@pytest.mark.parametrize("k", [(1, 1), (2, 2), (3, 3), (4, 3), (5, 5), (7, 7), (1, 5)])
@pytest.mark.parametrize("stride", [(1, 1), (2, 2), (1, 2), (3, 3)])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("hw", [(7, 7), (8, 8), (9, 6)])
def test_dw_sweep_geometry(k, stride, padding, hw) -> None:
    if padding == "VALID" and (hw[0] < k[0] or hw[1] < k[1]):
        pytest.skip("filter larger than input")
    assert_matches_reference(dw_model((1, *hw, 5), k, stride, padding, depth_mult=1 + (k[0] % 2),
                                      act="RELU", seed=k[0] * 31 + stride[0] * 7 + hw[0]), n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("channels,depth_mult", [(1, 1), (1, 3), (1, 16), (3, 1), (3, 4), (17, 1), (64, 2)])
@pytest.mark.parametrize("act", ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])
@pytest.mark.parametrize("per_channel", [True, False])
def test_dw_sweep_channels(channels: int, depth_mult: int, act: str, per_channel: bool) -> None:
    assert_matches_reference(dw_model((1, 6, 7, channels), (3, 3), (2, 2), "SAME", depth_mult=depth_mult, act=act,
                                      per_channel=per_channel, seed=channels * depth_mult), n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("dilation", [(1, 2), (2, 2), (3, 1)])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("stride", [(1, 1), (2, 2)])
def test_dw_sweep_dilation(dilation, padding, stride) -> None:
    assert_matches_reference(dw_model((1, 12, 11, 4), (3, 3), stride, padding, dilation=dilation, depth_mult=2,
                                      act="RELU6", seed=dilation[0] * 5 + dilation[1]), n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("w_zp", [0, 1, 128, 255])
@pytest.mark.parametrize("in_zp,out_zp", [(0, 0), (255, 255), (128, 3), (77, 200)])
@pytest.mark.parametrize("act", ["NONE", "RELU", "RELU6"])
def test_dw_sweep_legacy_uint8(w_zp: int, in_zp: int, out_zp: int, act: str) -> None:
    assert_matches_reference(dw_model((1, 8, 7, 6), (3, 3), (1, 1), "SAME", act=act, dtype="uint8", in_zp=in_zp,
                                      in_scale=0.02, out_zp=out_zp, out_scale=0.05, w_zp=w_zp,
                                      depth_mult=2, seed=w_zp + in_zp), n_sets=2)
