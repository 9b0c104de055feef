"""CONV_2D against the LiteRT reference: kernel sizes 1..7, strides, SAME/VALID on odd and even sizes,
1/3/many channels, grouped convolution, dilation, per-channel and per-tensor weights, fused activations,
extreme zero points and scales, batches, legacy uint8 models (uint8 tensors, per-tensor scales,
non-zero filter zero point), and pointwise convolutions in place (output over input)."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from tests.support import shared_models_dir
from tests.support.host import REPO
from tests.support.optest import assert_matches_reference, first_call
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model
from tinyengine_gen.pipeline import compile_model


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


# Channel counts a multiple of 4 with dil_w 1 (te_conv2d_s8_rows: a filter row's in-image taps
# expanded at once): filters wider than the map (taps outside on both sides), rows entirely in
# the padding, strides, dil_h > 1, odd pixel counts (1-3 pixel tails), a zero input offset, and
# dil_w 2 handed to te_conv2d_s8.
@pytest.mark.parametrize("in_shape,out_c,k,stride,padding,dilation,in_zp", [
    ((1, 32, 32, 16), 16, (3, 3), (1, 1), "SAME", (1, 1), -128),  # ResNet-style
    ((1, 3, 2, 4), 5, (7, 7), (1, 1), "SAME", (1, 1), -3),
    ((1, 9, 7, 8), 6, (5, 3), (2, 3), "SAME", (1, 1), 0),
    ((1, 10, 9, 12), 3, (3, 5), (1, 2), "VALID", (2, 1), 17),
    ((2, 5, 6, 4), 9, (1, 4), (1, 1), "SAME", (1, 1), -3),
    ((1, 8, 9, 8), 4, (3, 3), (1, 1), "SAME", (1, 2), -3),
])
def test_conv_rows_of_taps(in_shape, out_c, k, stride, padding, dilation, in_zp) -> None:
    assert_matches_reference(conv_model(in_shape, out_c, k, stride, padding, dilation=dilation, in_zp=in_zp,
                                        act="RELU", seed=sum(in_shape) + out_c), n_sets=3)


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


# ---------------------------------------------------------------------------------------------
# Pointwise in place: te_conv2d_1x1_s8_inplace writes the output over the input, start-aligned
# when out_c <= in_c (any stride), end-aligned (the wider output starts below) when out_c > in_c
# at stride 1. Single-op models are planned in place (the input dies at the op); pixel counts
# leave 1-3 pixels after the DSP path's blocks of 4, channel counts not multiples of 4 or 16.

def pw_call(model: bytes):
    """(kernel call, plan, step) of the model's first CONV_2D."""
    return first_call(model, "CONV_2D")


def pw_pair(model: bytes) -> str | None:
    """"start" / "end" when the 1x1 call's pair was applied, else None."""
    call, plan, step = pw_call(model)
    assert call.template == "conv2d_1x1.c.j2"
    pairs = [p for p in plan.pairs if p.step == step]
    return pairs[0].align if pairs else None


PW_IN_PLACE = [
    # (shape, out_c, stride, expected pair)
    ((1, 5, 3, 16), 7, (1, 1), "start"),     # shrink, 15 px
    ((1, 3, 3, 8), 8, (1, 1), "start"),      # same width: output exactly over input, 9 px
    ((1, 1, 1, 40), 33, (1, 1), "start"),    # one pixel (only a leftover)
    ((1, 5, 9, 12), 5, (2, 2), "start"),     # stride 2, 15 px
    ((1, 6, 5, 10), 4, (2, 1), "start"),     # uneven strides, 15 px
    ((1, 7, 6, 4), 15, (3, 3), None),        # wider at stride 3: not in place
    ((1, 3, 3, 5), 13, (1, 1), "end"),       # expand, 9 px, in_c odd
    ((1, 5, 7, 16), 24, (1, 1), "end"),      # expand, 35 px
    ((1, 1, 2, 3), 40, (1, 1), "end"),       # big expansion, 2 px (output mostly below the input)
    ((1, 1, 1, 1), 16, (1, 1), "end"),       # 1 channel, 1 pixel
    ((1, 2, 11, 32), 33, (1, 1), "end"),     # expand by one channel (shift < 16: rounding), 22 px
]


@pytest.mark.parametrize("shape,out_c,stride,pair", PW_IN_PLACE,
                         ids=[f"{s[3]}to{oc}_{s[0] * s[1] * s[2]}px_s{st[0]}{st[1]}" for s, oc, st, _ in PW_IN_PLACE])
def test_pointwise_in_place(shape, out_c, stride, pair) -> None:
    model = conv_model(shape, out_c, (1, 1), stride, "VALID", act="RELU", seed=shape[2] * 7 + out_c)
    assert pw_pair(model) == pair
    assert_matches_reference(model, n_sets=2)


@pytest.mark.parametrize("shape,out_c,stride", [((2, 3, 5, 4), 9, (1, 1)), ((3, 3, 3, 8), 4, (2, 2)),
                                                ((2, 1, 3, 12), 12, (1, 1))])
def test_pointwise_in_place_batches(shape, out_c, stride) -> None:
    model = conv_model(shape, out_c, (1, 1), stride, "VALID", act="RELU6", seed=sum(shape) + out_c)
    assert pw_pair(model) is not None
    assert_matches_reference(model, n_sets=2)


def test_pointwise_not_in_place_flag() -> None:
    model = conv_model((1, 5, 7, 16), 24, (1, 1), (1, 1), "VALID", seed=3)
    assert_matches_reference(model, n_sets=2, args=("--no-in-place",))


def _pw_weights(c_in: int, c_out: int, in_scale: float, rng) -> list[TensorSpec]:
    w_scale = rng.uniform(0.005, 0.02, c_out)
    return [TensorSpec((c_out, 1, 1, c_in), "int8", scale=list(w_scale), zero_point=[0] * c_out,
                       quantized_dimension=0, data=rng.integers(-127, 128, (c_out, 1, 1, c_in)).astype(np.int8)),
            TensorSpec((c_out,), "int32", scale=[float(np.float32(in_scale) * np.float32(s)) for s in w_scale],
                       zero_point=[0] * c_out, data=rng.integers(-2000, 2000, c_out).astype(np.int32))]


def test_pointwise_in_place_chain() -> None:
    """expand -> shrink -> expand with a live skip input: both kinds of pair inside one arena,
    next to buffers that must survive (the output's bytes below its input are someone else's
    before and after the call)."""
    rng = np.random.default_rng(9)
    h, w = 3, 7
    s = [0.04, 0.05, 0.06, 0.07]
    t = [
        TensorSpec((1, h, w, 6), "int8", scale=s[0], zero_point=-5),      # 0 model input
        *_pw_weights(6, 20, s[0], rng),                                    # 1, 2
        TensorSpec((1, h, w, 20), "int8", scale=s[1], zero_point=-128),   # 3 expand
        *_pw_weights(20, 6, s[1], rng),                                    # 4, 5
        TensorSpec((1, h, w, 6), "int8", scale=s[2], zero_point=3),       # 6 shrink
        TensorSpec((1, h, w, 6), "int8", scale=s[3], zero_point=1),       # 7 add
        *_pw_weights(6, 17, s[3], rng),                                    # 8, 9
        TensorSpec((1, h, w, 17), "int8", scale=0.08, zero_point=-2),     # 10 output
    ]
    opts = {"padding": "VALID", "stride_h": 1, "stride_w": 1, "fused_activation_function": "RELU"}
    ops = [OpSpec("CONV_2D", [0, 1, 2], [3], opts), OpSpec("CONV_2D", [3, 4, 5], [6], opts),
           OpSpec("ADD", [0, 6], [7], {"fused_activation_function": "NONE"}),
           OpSpec("CONV_2D", [7, 8, 9], [10], opts)]
    model = build_model(t, ops, [0], [10])
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "m.tflite"
        path.write_bytes(model)
        plan = compile_model(path).plan
    aligns = sorted(p.align for p in plan.pairs if p.step in (1, 3))
    assert aligns == ["end", "start"]  # the first conv's input is read again by the ADD
    assert 0 not in plan.inplace_pairs
    assert_matches_reference(model, n_sets=3)


def test_pointwise_scratch_matches_header(tmp_path: Path) -> None:
    """conv_1x1_scratch_bytes == te_conv2d_1x1_s8_scratch_bytes (the DSP columns, and one input
    pixel for the in-place kernels)."""
    from tinyengine_gen.ops.conv import conv_1x1_scratch_bytes
    sizes = [1, 2, 3, 4, 5, 16, 17, 33, 64, 255, 1000]
    src = tmp_path / "s.c"
    src.write_text('#include <stdio.h>\n#include "tinyengine/te_conv.h"\nint main(void) {\n'
                   + "".join(f'    printf("%d\\n", (int)te_conv2d_1x1_s8_scratch_bytes({n}));\n' for n in sizes)
                   + "    return 0;\n}\n")
    exe = tmp_path / "s"
    subprocess.run(["gcc", f"-I{REPO / 'include'}", str(src), "-o", str(exe)], check=True)
    got = [int(v) for v in subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()]
    assert got == [conv_1x1_scratch_bytes(n) for n in sizes]
    assert all(conv_1x1_scratch_bytes(n) >= n for n in sizes)


# ---------------------------------------------------------------------------------------------
# The RGB stem's own entry (te_conv2d_s8_rgb3x3): taken unless another convolution of the model
# links te_conv2d_s8 anyway (then the entry's code would be a second copy of it in flash).

@pytest.mark.parametrize("model,template", [
    ("mlcommons-tiny/resnet_ic_int8.tflite", "conv2d_rgb3x3.c.j2"),  # the other convolutions: rows, 1x1
    ("wake-vision/k2_c3.tflite", "conv2d.c.j2"),                     # 2- and 6-channel 3x3 layers: generic
])
def test_rgb_stem_entry(model: str, template: str) -> None:
    path = shared_models_dir() / model
    if not path.exists():
        pytest.skip(f"{path} not found (set TINYENGINE_SHARED_MODELS)")
    call, _, _ = first_call(path.read_bytes(), "CONV_2D")
    assert (call.op.index, call.template) == (0 if "resnet" in model else 1, template)
