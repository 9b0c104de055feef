"""DEPTHWISE_CONV_2D against the LiteRT reference: kernel sizes, strides, SAME/VALID on odd and even
sizes, dilation, depth multipliers, per-channel and per-tensor weights, fused activations, extreme
zero points and scales, batches, and legacy uint8 models (per-tensor weights, non-zero filter zero point).

Every comparison builds the portable kernels (the planar kernel) and the emulated DSP kernels (the
planar kernel's SMLAD routines, or the direct 4-channel kernel where the generator picks it), and
single-op models are normally planned in place (the input dies at the op), so in-place and
separate-buffer runs are both covered (the latter with --no-in-place or a live input)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference, first_call
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model


def dw_model(in_shape: tuple[int, int, int, int], k: tuple[int, int] = (3, 3), stride: tuple[int, int] = (1, 1),
             padding: str = "SAME", dilation: tuple[int, int] = (1, 1), depth_mult: int = 1, act: str = "NONE",
             per_channel: bool = True, bias: bool = True, in_zp: int = -3, in_scale: float = 0.05,
             out_zp: int = 4, out_scale: float | None = None, w_zp: int = 0, dtype: str = "int8",
             seed: int = 0, w_scales: list[float] | None = None) -> bytes:
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
    if w_scales is not None:
        w_scale = np.array(w_scales, np.float64)
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


# Filters 7-8 wide with an even stride_w over the whole int8 range: the planar routine reads
# two weight pairs and two input pairs per LDRD (micro_speech's layer as the real model
# quantizes it, 7-wide filters on channel counts the direct kernel does not take, odd row counts).
@pytest.mark.parametrize("in_shape,k,stride,padding,depth_mult", [
    ((1, 49, 40, 1), (10, 8), (2, 2), "SAME", 8),
    ((1, 15, 13, 3), (7, 7), (2, 2), "SAME", 1),
    ((1, 12, 17, 2), (7, 7), (1, 2), "VALID", 2),
    ((1, 11, 19, 3), (5, 8), (3, 4), "SAME", 1),
])
def test_dw_wide_rows_even_stride(in_shape, k, stride, padding, depth_mult) -> None:
    assert_matches_reference(dw_model(in_shape, k, stride, padding, depth_mult=depth_mult, act="NONE",
                                      out_zp=-128, seed=sum(in_shape) + k[1]), n_sets=3)


# Only such layers call te_depthwise_conv2d_s8_wide (the LDRD form), so that models without one
# do not link it: not an odd stride_w, another width, a narrower activation range, the direct kernel.
@pytest.mark.parametrize("in_shape,k,stride,act,wide", [
    ((1, 49, 40, 1), (10, 8), (2, 2), "NONE", True),
    ((1, 15, 13, 3), (7, 7), (2, 2), "NONE", True),
    ((1, 12, 11, 3), (7, 7), (1, 1), "NONE", False),
    ((1, 15, 13, 3), (5, 5), (2, 2), "NONE", False),
    ((1, 15, 13, 3), (7, 7), (2, 2), "RELU6", False),
    ((1, 15, 13, 4), (7, 7), (2, 2), "NONE", False),
])
def test_dw_wide_entry_only_where_taken(in_shape, k, stride, act, wide) -> None:
    call = dw_call(dw_model(in_shape, k, stride, "SAME", act=act, out_zp=-128, seed=5))[0]
    assert (call.template == "depthwise_conv2d_wide.c.j2") == wide


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


# ---------------------------------------------------------------------------------------------
# Kernel paths: which kernel a layer gets, in place or not, and the edge cases of each.

def check(model: bytes, in_place: bool = True, n_sets: int = 2) -> None:
    """assert_matches_reference, optionally with the planner's in-place merging turned off."""
    assert_matches_reference(model, n_sets=n_sets, args=() if in_place else ("--no-in-place",))


def dw_call(model: bytes):
    """(kernel call, plan, step) of the model's DEPTHWISE_CONV_2D."""
    return first_call(model, "DEPTHWISE_CONV_2D")


def uses_direct(model: bytes) -> bool:
    return "requant4" in dw_call(model)[0].consts


def applied_in_place(model: bytes) -> bool:
    _, plan, step = dw_call(model)
    pairs = getattr(plan, "inplace_pairs", None)
    if pairs is not None:
        return (0, 0) in pairs.get(step, ())
    return any(s == step for s, _ in plan.in_place)


# (shape, kernel, stride, padding, expected kernel on DSP builds)
PATHS = [
    ((1, 7, 6, 8), (3, 3), (2, 2), "SAME", "direct"),       # strided
    ((1, 5, 7, 12), (3, 3), (1, 1), "SAME", "direct"),      # small map, odd sizes
    ((1, 2, 2, 4), (3, 3), (1, 1), "SAME", "direct"),       # every pixel a border pixel
    ((1, 1, 1, 8), (3, 3), (1, 1), "SAME", "direct"),       # 1x1 map: one tap inside
    ((1, 6, 6, 16), (5, 5), (1, 1), "VALID", "direct"),     # 5x5 on a small map
    ((1, 9, 8, 4), (7, 7), (2, 1), "SAME", "direct"),       # 7x7, uneven strides, padding all round
    ((1, 13, 11, 8), (3, 3), (1, 1), "SAME", "planar"),     # larger map at stride 1
    ((1, 11, 10, 4), (5, 5), (1, 1), "SAME", "planar"),     # 5x5 planar, odd output rows
    ((1, 12, 9, 6), (3, 3), (2, 2), "SAME", "planar"),      # channels not a multiple of 4
    ((1, 10, 10, 1), (3, 3), (3, 3), "VALID", "planar"),    # 1 channel, stride 3
    ((1, 9, 12, 3), (7, 5), (1, 2), "SAME", "planar"),      # big uneven kernel
]


@pytest.mark.parametrize("in_place", [True, False])
@pytest.mark.parametrize("shape,k,stride,padding,kernel", PATHS)
def test_dw_kernel_paths(shape, k, stride, padding, kernel, in_place: bool) -> None:
    model = dw_model(shape, k, stride, padding, act="RELU6", seed=shape[1] * 7 + shape[3])
    assert uses_direct(model) == (kernel == "direct")
    if in_place:
        assert applied_in_place(model), "a single-op model's input dies at the op: it should be planned in place"
    check(model, in_place=in_place)


def test_dw_full_range_activation_paths() -> None:
    # act_min/act_max = -128/127 takes the SSAT routines (both kernels).
    for shape, stride in (((1, 12, 13, 8), (1, 1)), ((1, 12, 13, 8), (2, 2))):
        model = dw_model(shape, (3, 3), stride, "SAME", act="RELU6", in_zp=-128, out_zp=-128, out_scale=6 / 255)
        check(model)


@pytest.mark.parametrize("stride", [(1, 1), (2, 2)])
def test_dw_requant_shifts(stride) -> None:
    # Per-channel effective scales giving every requantization form: shift >= 0 (scales in
    # [0.5, 1) and > 1), shift -1, the fast range -2..-23, shifts below -23, and a zero
    # multiplier (scale below 2^-32). Stride 1 on this map runs the planar kernel, stride 2 the
    # direct one (whose groups with an unusual shift take the generic arithmetic).
    in_scale, out_scale = 0.05, 0.1
    targets = [0.7, 1.5, 3.0, 0.3, 0.2, 2**-10, 2**-23.5, 2**-25, 2**-40, 0.01, 0.06, 0.12]
    model = dw_model((1, 10, 9, 12), (3, 3), stride, "SAME", act="NONE", in_scale=in_scale, out_scale=out_scale,
                     w_scales=[t * out_scale / in_scale for t in targets], seed=11)
    assert uses_direct(model) == (stride == (2, 2))
    check(model, n_sets=3)


def test_dw_sliding_window() -> None:
    # Maps whose padded channel exceeds the planar kernel's window: it slides down the map.
    from tinyengine_gen.ops import depthwise
    for shape, k, dil in (((1, 70, 40, 4), (3, 3), (1, 1)), ((1, 40, 60, 2), (5, 5), (2, 1))):
        model = dw_model(shape, k, (1, 1), "SAME", dilation=dil, act="RELU", seed=shape[1])
        call, _, _ = dw_call(model)
        assert call.params["buf_rows"] < (call.params["out_h"] - 1) + (k[0] - 1) * dil[0] + 1
        assert "requant4" not in call.consts and depthwise.WINDOW_BYTES < 2 * call.params["row_len"] * shape[1]
        check(model)


@pytest.mark.parametrize("shape,stride", [((2, 9, 9, 8), (1, 1)), ((2, 6, 7, 8), (2, 2)), ((3, 5, 5, 4), (1, 1))])
def test_dw_batches_in_place(shape, stride) -> None:
    model = dw_model(shape, (3, 3), stride, "SAME", act="RELU", seed=sum(shape))
    assert applied_in_place(model)
    check(model)


def _conv1x1(c_in: int, c_out: int, in_scale: float, out_scale: float, rng) -> list[TensorSpec]:
    w_scale = rng.uniform(0.005, 0.02, c_out)
    return [TensorSpec((c_out, 1, 1, c_in), "int8", scale=list(w_scale), zero_point=[0] * c_out,
                       quantized_dimension=0, data=rng.integers(-127, 128, (c_out, 1, 1, c_in)).astype(np.int8)),
            TensorSpec((c_out,), "int32", scale=[float(np.float32(in_scale) * np.float32(s)) for s in w_scale],
                       zero_point=[0] * c_out, data=rng.integers(-2000, 2000, c_out).astype(np.int32))]


@pytest.mark.parametrize("hw,stride,channels", [((10, 9), (1, 1), 8), ((9, 9), (2, 2), 8), ((6, 5), (1, 1), 8),
                                                ((11, 7), (1, 1), 6)])
def test_dw_in_place_between_convs(hw, stride, channels) -> None:
    """conv 1x1 -> depthwise -> conv 1x1: the depthwise input dies at the depthwise, so the planner
    lets the depthwise write over it; the result must still match the reference."""
    rng = np.random.default_rng(hw[0] * 13 + channels)
    h, w = hw
    oh, ow = -(-h // stride[0]), -(-w // stride[1])
    c = channels
    s_in, s_a, s_b, s_out = 0.04, 0.05, 0.06, 0.08
    dw_scale = rng.uniform(0.005, 0.03, c)
    t = [
        TensorSpec((1, h, w, 3), "int8", scale=s_in, zero_point=-5),                       # 0 model input
        *_conv1x1(3, c, s_in, s_a, rng),                                                    # 1, 2
        TensorSpec((1, h, w, c), "int8", scale=s_a, zero_point=-128),                      # 3 conv out
        TensorSpec((1, 3, 3, c), "int8", scale=list(dw_scale), zero_point=[0] * c, quantized_dimension=3,
                   data=rng.integers(-127, 128, (1, 3, 3, c)).astype(np.int8)),              # 4
        TensorSpec((c,), "int32", scale=[float(np.float32(s_a) * np.float32(s)) for s in dw_scale],
                   zero_point=[0] * c, data=rng.integers(-2000, 2000, c).astype(np.int32)),  # 5
        TensorSpec((1, oh, ow, c), "int8", scale=s_b, zero_point=-128),                    # 6 dw out
        *_conv1x1(c, 5, s_b, s_out, rng),                                                   # 7, 8
        TensorSpec((1, oh, ow, 5), "int8", scale=s_out, zero_point=3),                     # 9 output
    ]
    ops = [
        OpSpec("CONV_2D", [0, 1, 2], [3], {"padding": "VALID", "stride_h": 1, "stride_w": 1,
                                           "fused_activation_function": "RELU"}),
        OpSpec("DEPTHWISE_CONV_2D", [3, 4, 5], [6], {"padding": "SAME", "stride_h": stride[0], "stride_w": stride[1],
                                                     "depth_multiplier": 1, "fused_activation_function": "RELU6"}),
        OpSpec("CONV_2D", [6, 7, 8], [9], {"padding": "VALID", "stride_h": 1, "stride_w": 1,
                                           "fused_activation_function": "NONE"}),
    ]
    model = build_model(t, ops, [0], [9])
    assert applied_in_place(model)
    check(model, n_sets=3)


def test_dw_live_input_not_in_place() -> None:
    """The depthwise input is used again after it (ADD), so it must not be overwritten."""
    rng = np.random.default_rng(4)
    c = 8
    dw_scale = rng.uniform(0.005, 0.03, c)
    t = [
        TensorSpec((1, 6, 6, c), "int8", scale=0.05, zero_point=2),
        TensorSpec((1, 3, 3, c), "int8", scale=list(dw_scale), zero_point=[0] * c, quantized_dimension=3,
                   data=rng.integers(-127, 128, (1, 3, 3, c)).astype(np.int8)),
        TensorSpec((c,), "int32", scale=[float(np.float32(0.05) * np.float32(s)) for s in dw_scale],
                   zero_point=[0] * c, data=rng.integers(-2000, 2000, c).astype(np.int32)),
        TensorSpec((1, 6, 6, c), "int8", scale=0.07, zero_point=-3),
        TensorSpec((1, 6, 6, c), "int8", scale=0.1, zero_point=1),
    ]
    ops = [OpSpec("DEPTHWISE_CONV_2D", [0, 1, 2], [3], {"padding": "SAME", "stride_h": 1, "stride_w": 1,
                                                        "depth_multiplier": 1, "fused_activation_function": "NONE"}),
           OpSpec("ADD", [0, 3], [4], {"fused_activation_function": "NONE"})]
    model = build_model(t, ops, [0], [4])
    assert not applied_in_place(model)
    check(model, n_sets=3)


@pytest.mark.slow
@pytest.mark.parametrize("in_place", [True, False])
@pytest.mark.parametrize("channels", [4, 8, 20])
@pytest.mark.parametrize("k", [(3, 3), (5, 5), (7, 7), (2, 4)])
@pytest.mark.parametrize("stride", [(1, 1), (2, 2), (2, 1)])
@pytest.mark.parametrize("hw", [(1, 1), (3, 4), (8, 5), (9, 12)])
def test_dw_sweep_kernel_paths(hw, stride, k, channels, in_place: bool) -> None:
    for padding in ("SAME", "VALID"):
        if padding == "VALID" and (hw[0] < k[0] or hw[1] < k[1]):
            continue
        check(dw_model((1, *hw, channels), k, stride, padding, act="RELU6",
                       seed=hw[0] * 97 + k[0] * 13 + stride[1] + channels), in_place=in_place)


# 1-D layers (keyword spotters, activity recognition): te_depthwise_conv2d_s8_1d, (1, k) filters over
# a height-1 map and (k, 1) filters over a width-1 map (run with H and W swapped); odd and even
# filters, stride 2, channel counts that leave a partial group of 4, a narrower activation range,
# batches, channels outside the doubled requantization (a large multiplier: a left shift), uint8.
@pytest.mark.parametrize("in_shape,k,stride,padding,act,kw", [
    ((1, 1, 49, 8), (1, 3), (1, 1), "SAME", "RELU", {"out_zp": -128}),
    ((1, 1, 23, 12), (1, 9), (1, 1), "SAME", "NONE", {"out_zp": -128}),
    ((1, 31, 1, 6), (5, 1), (1, 1), "SAME", "RELU6", {}),
    ((1, 1, 20, 7), (1, 3), (1, 2), "SAME", "RELU6", {}),
    ((1, 17, 1, 3), (4, 1), (2, 1), "VALID", "NONE", {}),
    ((2, 1, 13, 5), (1, 6), (1, 1), "SAME", "NONE", {"in_zp": -128, "out_zp": 127}),
    ((1, 1, 12, 4), (1, 3), (1, 1), "SAME", "NONE", {"out_scale": 1e-4}),
    ((1, 1, 15, 8), (1, 5), (1, 2), "SAME", "RELU6", {"dtype": "uint8", "in_zp": 128, "out_zp": 0, "w_zp": 149,
                                                      "out_scale": 0.0235}),
])
def test_dw_1d(in_shape, k, stride, padding, act, kw) -> None:
    model = dw_model(in_shape, k, stride, padding, act=act, seed=sum(in_shape) + k[0], **kw)
    assert dw_call(model)[0].template == "depthwise_conv2d_1d.c.j2"
    assert_matches_reference(model, n_sets=3)
