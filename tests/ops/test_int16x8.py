"""int16x8 ops (int16 activations, int8 weights) against the LiteRT reference.

The default run checks one chain model that goes through every int16x8 kernel of this family
(QUANTIZE float->int16, CONV_2D, DEPTHWISE_CONV_2D, MAX/AVERAGE_POOL_2D, FULLY_CONNECTED,
SOFTMAX, DEQUANTIZE) and what the generator refuses; the int32-bias form, --patch with int16
rows, --int8-io on int16 edges and the per-op sweeps are `slow`."""
from __future__ import annotations

from typing import Optional

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model

LARGE_BIAS = 1 << 40  # beyond int32: only the 64-bit form gets it right


def _weights(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.integers(-127, 128, shape).astype(np.int8)


def _bias(rng: np.random.Generator, n: int, dtype: str, big: bool = False) -> np.ndarray:
    hi = LARGE_BIAS if big and dtype == "int64" else 200_000
    return rng.integers(-hi, hi, n).astype(np.int64 if dtype == "int64" else np.int32)


def conv_model(in_shape: tuple[int, int, int, int], out_c: int, k: tuple[int, int], stride: int = 1,
               padding: str = "SAME", dilation: int = 1, act: str = "NONE", bias_type: str = "int64",
               per_channel: bool = True, out_scale: float = 0.02, seed: int = 0, big_bias: bool = False,
               groups: int = 1) -> bytes:
    rng = np.random.default_rng(seed)
    n, h, w, c = in_shape
    fic = c // groups
    scales = list(rng.uniform(0.002, 0.02, out_c)) if per_channel else 0.01
    x = TensorSpec(in_shape, "int16", 0.001, 0)
    wt = TensorSpec((out_c, k[0], k[1], fic), "int8", scales, [0] * out_c if per_channel else 0,
                    data=_weights(rng, (out_c, k[0], k[1], fic)))
    b = TensorSpec((out_c,), bias_type, 1e-5, 0, data=_bias(rng, out_c, bias_type, big_bias))
    eff = dilation * (k[0] - 1) + 1, dilation * (k[1] - 1) + 1
    oh = (h + stride - 1) // stride if padding == "SAME" else (h - eff[0]) // stride + 1
    ow = (w + stride - 1) // stride if padding == "SAME" else (w - eff[1]) // stride + 1
    y = TensorSpec((n, oh, ow, out_c), "int16", out_scale, 0)
    options = {"padding": padding, "stride_h": stride, "stride_w": stride, "dilation_h_factor": dilation,
               "dilation_w_factor": dilation, "fused_activation_function": act}
    if bias_type == "int32":
        options["quantized_bias_type"] = "int32"
    return build_single_op_model("CONV_2D", [x, wt, b], [y], options)


def dw_model(in_shape: tuple[int, int, int, int], mult: int, k: tuple[int, int], stride: int = 1,
             padding: str = "SAME", act: str = "NONE", seed: int = 0, big_bias: bool = False) -> bytes:
    rng = np.random.default_rng(seed)
    n, h, w, c = in_shape
    oc = c * mult
    x = TensorSpec(in_shape, "int16", 0.001, 0)
    wt = TensorSpec((1, k[0], k[1], oc), "int8", list(rng.uniform(0.002, 0.02, oc)), [0] * oc,
                    quantized_dimension=3, data=_weights(rng, (1, k[0], k[1], oc)))
    b = TensorSpec((oc,), "int64", 1e-5, 0, data=_bias(rng, oc, "int64", big_bias))
    oh = (h + stride - 1) // stride if padding == "SAME" else (h - k[0]) // stride + 1
    ow = (w + stride - 1) // stride if padding == "SAME" else (w - k[1]) // stride + 1
    y = TensorSpec((n, oh, ow, oc), "int16", 0.005, 0)
    return build_single_op_model("DEPTHWISE_CONV_2D", [x, wt, b], [y],
                                 {"padding": padding, "stride_h": stride, "stride_w": stride,
                                  "fused_activation_function": act})


def fc_model(batches: int, depth: int, units: int, bias_type: Optional[str] = "int64", per_channel: bool = True,
             act: str = "NONE", seed: int = 0, w_zp: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    x = TensorSpec((batches, depth), "int16", 0.001, 0)
    w = TensorSpec((units, depth), "int8", list(rng.uniform(0.002, 0.02, units)) if per_channel else 0.01,
                   [0] * units if per_channel else w_zp, data=_weights(rng, (units, depth)))
    b = TensorSpec((units,), bias_type, 1e-5, 0, data=_bias(rng, units, bias_type)) if bias_type else None
    y = TensorSpec((batches, units), "int16", 0.01, 0)
    options: dict = {"fused_activation_function": act}
    if bias_type == "int32":
        options["quantized_bias_type"] = "int32"
    return build_single_op_model("FULLY_CONNECTED", [x, w, b], [y], options)


def chain_model(seed: int = 0) -> bytes:
    """float -> QUANTIZE(int16) -> CONV_2D -> DEPTHWISE_CONV_2D -> MAX_POOL -> AVERAGE_POOL ->
    FULLY_CONNECTED -> SOFTMAX -> DEQUANTIZE -> float."""
    rng = np.random.default_rng(seed)
    t = [
        TensorSpec((1, 9, 10, 3), "float32"),                                   # 0 input
        TensorSpec((1, 9, 10, 3), "int16", 1 / 32768 * 2, 0),                   # 1
        TensorSpec((8, 3, 3, 3), "int8", list(rng.uniform(0.005, 0.02, 8)), [0] * 8, data=_weights(rng, (8, 3, 3, 3))),
        TensorSpec((8,), "int64", 1e-6, 0, data=_bias(rng, 8, "int64")),
        TensorSpec((1, 5, 5, 8), "int16", 0.001, 0),                            # 4 conv out
        TensorSpec((1, 3, 3, 8), "int8", list(rng.uniform(0.005, 0.02, 8)), [0] * 8, quantized_dimension=3,
                   data=_weights(rng, (1, 3, 3, 8))),
        TensorSpec((8,), "int64", 1e-6, 0, data=_bias(rng, 8, "int64")),
        TensorSpec((1, 5, 5, 8), "int16", 0.002, 0),                            # 7 dw out
        TensorSpec((1, 4, 4, 8), "int16", 0.002, 0),                            # 8 max pool
        TensorSpec((1, 2, 2, 8), "int16", 0.002, 0),                            # 9 avg pool
        TensorSpec((1, 32), "int16", 0.002, 0),                                 # 10 reshape
        TensorSpec((6, 32), "int8", list(rng.uniform(0.005, 0.02, 6)), [0] * 6, data=_weights(rng, (6, 32))),
        TensorSpec((6,), "int64", 1e-6, 0, data=_bias(rng, 6, "int64")),
        TensorSpec((1, 6), "int16", 0.0005, 0),                                 # 13 fc out
        TensorSpec((1, 6), "int16", 1 / 32768, 0),                              # 14 softmax
        TensorSpec((1, 6), "float32"),                                          # 15
        TensorSpec((2,), "int32", data=np.array([1, 32], np.int32)),            # 16 shape
    ]
    ops = [
        OpSpec("QUANTIZE", [0], [1]),
        OpSpec("CONV_2D", [1, 2, 3], [4], {"padding": "SAME", "stride_h": 2, "stride_w": 2,
                                           "fused_activation_function": "RELU"}),
        OpSpec("DEPTHWISE_CONV_2D", [4, 5, 6], [7], {"padding": "SAME"}),
        OpSpec("MAX_POOL_2D", [7], [8], {"padding": "VALID", "filter_height": 2, "filter_width": 2}),
        OpSpec("AVERAGE_POOL_2D", [8], [9], {"padding": "SAME", "filter_height": 3, "filter_width": 3,
                                            "stride_h": 2, "stride_w": 2}),
        OpSpec("RESHAPE", [9, 16], [10]),
        OpSpec("FULLY_CONNECTED", [10, 11, 12], [13]),
        OpSpec("SOFTMAX", [13], [14]),
        OpSpec("DEQUANTIZE", [14], [15]),
    ]
    return build_model(t, ops, [0], [15])


def big_model(seed: int = 0) -> bytes:
    """48x48 int16 layers that --patch runs band by band (conv + strided depthwise stage)."""
    rng = np.random.default_rng(seed)
    t = [
        TensorSpec((1, 48, 48, 3), "float32"),
        TensorSpec((1, 48, 48, 3), "int16", 1 / 16384, 0),
        TensorSpec((8, 3, 3, 3), "int8", list(rng.uniform(0.005, 0.02, 8)), [0] * 8, data=_weights(rng, (8, 3, 3, 3))),
        TensorSpec((8,), "int64", 1e-6, 0, data=_bias(rng, 8, "int64")),
        TensorSpec((1, 48, 48, 8), "int16", 0.0005, 0),
        TensorSpec((1, 3, 3, 8), "int8", list(rng.uniform(0.005, 0.02, 8)), [0] * 8, quantized_dimension=3,
                   data=_weights(rng, (1, 3, 3, 8))),
        TensorSpec((8,), "int64", 1e-6, 0, data=_bias(rng, 8, "int64")),
        TensorSpec((1, 24, 24, 8), "int16", 0.001, 0),
        TensorSpec((16, 1, 1, 8), "int8", list(rng.uniform(0.005, 0.02, 16)), [0] * 16, data=_weights(rng, (16, 1, 1, 8))),
        TensorSpec((16,), "int64", 1e-6, 0, data=_bias(rng, 16, "int64")),
        TensorSpec((1, 24, 24, 16), "int16", 0.002, 0),
        TensorSpec((1, 1, 1, 16), "int16", 0.002, 0),
        TensorSpec((1, 1, 1, 16), "float32"),
    ]
    ops = [
        OpSpec("QUANTIZE", [0], [1]),
        OpSpec("CONV_2D", [1, 2, 3], [4], {"padding": "SAME", "fused_activation_function": "RELU"}),
        OpSpec("DEPTHWISE_CONV_2D", [4, 5, 6], [7], {"padding": "SAME", "stride_h": 2, "stride_w": 2}),
        OpSpec("CONV_2D", [7, 8, 9], [10], {"padding": "VALID"}),
        OpSpec("AVERAGE_POOL_2D", [10], [11], {"padding": "VALID", "filter_height": 24, "filter_width": 24}),
        OpSpec("DEQUANTIZE", [11], [12]),
    ]
    return build_model(t, ops, [0], [12])

def test_int16x8_chain() -> None:
    assert_matches_reference(chain_model(), n_sets=4)


@pytest.mark.slow
def test_int16x8_int32_bias_and_large_bias() -> None:
    """CONV_2D with an int32 bias (quantized_bias_type INT32: int32 sums and the 32-bit
    requantization) and FULLY_CONNECTED with one, then a 64-bit bias beyond int32 range."""
    rng = np.random.default_rng(3)
    t = [
        TensorSpec((1, 6, 6, 8), "int16", 0.001, 0),
        TensorSpec((8, 3, 3, 8), "int8", list(rng.uniform(0.002, 0.02, 8)), [0] * 8, data=_weights(rng, (8, 3, 3, 8))),
        TensorSpec((8,), "int32", 1e-5, 0, data=_bias(rng, 8, "int32")),
        TensorSpec((1, 6, 6, 8), "int16", 0.01, 0),
        TensorSpec((5, 288), "int8", 0.01, 0, data=_weights(rng, (5, 288))),
        TensorSpec((5,), "int32", 1e-5, 0, data=_bias(rng, 5, "int32")),
        TensorSpec((1, 5), "int16", 0.3, 0),
        TensorSpec((1, 1, 1, 5), "int16", 0.3, 0),
        TensorSpec((7, 1, 1, 5), "int8", list(rng.uniform(0.002, 0.02, 7)), [0] * 7, data=_weights(rng, (7, 1, 1, 5))),
        TensorSpec((7,), "int64", 1e-5, 0, data=_bias(rng, 7, "int64", big=True) // 256),
        TensorSpec((1, 1, 1, 7), "int16", 1000.0, 0),
        TensorSpec((4,), "int32", data=np.array([1, 1, 1, 5], np.int32)),
    ]
    ops = [
        OpSpec("CONV_2D", [0, 1, 2], [3], {"padding": "SAME", "quantized_bias_type": "int32"}),
        OpSpec("FULLY_CONNECTED", [3, 4, 5], [6], {"quantized_bias_type": "int32"}),
        OpSpec("RESHAPE", [6, 11], [7]),
        OpSpec("CONV_2D", [7, 8, 9], [10], {"padding": "VALID"}),
    ]
    assert_matches_reference(build_model(t, ops, [0], [10]), n_sets=4)


def test_int16x8_refuses_what_litert_refuses() -> None:
    import tempfile
    from pathlib import Path

    from tinyengine_gen.errors import TinyEngineError
    from tinyengine_gen.pipeline import compile_model

    rng = np.random.default_rng(0)
    x = TensorSpec((1, 4, 4, 2), "int16", 0.001, 0)
    w = TensorSpec((2, 1, 1, 2), "int8", [0.01, 0.01], [0, 0], data=_weights(rng, (2, 1, 1, 2)))
    b32 = TensorSpec((2,), "int32", 1e-5, 0, data=np.zeros(2, np.int32))
    y = TensorSpec((1, 4, 4, 2), "int16", 0.01, 0)
    bad = [
        build_single_op_model("CONV_2D", [x, w, b32], [y], {"padding": "VALID"}),  # int32 bias, no option
        build_single_op_model("CONV_2D", [TensorSpec((1, 4, 4, 2), "int16", 0.001, 3), w,
                                          TensorSpec((2,), "int64", 1e-5, 0, data=np.zeros(2, np.int64))], [y],
                              {"padding": "VALID"}),  # input zero point
    ]
    for model in bad:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "m.tflite"
            path.write_bytes(model)
            with pytest.raises(TinyEngineError, match="CONV_2D at op index 0"):
                compile_model(path)


@pytest.mark.slow
@pytest.mark.parametrize("case", [
    dict(in_shape=(1, 7, 9, 5), out_c=6, k=(3, 3)),
    dict(in_shape=(1, 7, 9, 8), out_c=16, k=(3, 3), stride=2, act="RELU6"),
    dict(in_shape=(2, 5, 6, 4), out_c=3, k=(1, 1), padding="VALID"),
    dict(in_shape=(1, 9, 9, 3), out_c=5, k=(3, 2), dilation=2, padding="VALID"),
    dict(in_shape=(1, 6, 6, 8), out_c=8, k=(3, 3), groups=2),
    dict(in_shape=(1, 6, 6, 8), out_c=7, k=(3, 3), per_channel=False, act="RELU_N1_TO_1"),
    dict(in_shape=(1, 5, 5, 64), out_c=9, k=(3, 3), big_bias=True),
    dict(in_shape=(1, 4, 4, 600), out_c=2, k=(1, 1)),  # sums can exceed int32: portable 64-bit
    dict(in_shape=(1, 6, 7, 8), out_c=6, k=(3, 3), bias_type="int32", out_scale=0.001),
])
def test_conv_s16(case: dict) -> None:
    assert_matches_reference(conv_model(**case), n_sets=3)


@pytest.mark.slow
@pytest.mark.parametrize("case", [
    dict(in_shape=(1, 7, 9, 8), mult=1, k=(3, 3)),
    dict(in_shape=(1, 8, 8, 12), mult=1, k=(3, 3), stride=2, act="RELU"),
    dict(in_shape=(2, 5, 6, 3), mult=2, k=(3, 3)),
    dict(in_shape=(1, 6, 5, 4), mult=1, k=(5, 3), padding="VALID"),
    dict(in_shape=(1, 4, 4, 8), mult=1, k=(3, 3), big_bias=True),
])
def test_depthwise_s16(case: dict) -> None:
    assert_matches_reference(dw_model(**case), n_sets=3)


@pytest.mark.slow
@pytest.mark.parametrize("case", [
    dict(batches=1, depth=1, units=1),
    dict(batches=3, depth=37, units=9, act="RELU"),
    dict(batches=1, depth=64, units=12, per_channel=False),
    dict(batches=1, depth=10, units=4, per_channel=False, w_zp=3),
    dict(batches=2, depth=20, units=5, bias_type=None),
    dict(batches=1, depth=33, units=7, bias_type="int32"),
    dict(batches=1, depth=700, units=3),
])
def test_fully_connected_s16(case: dict) -> None:
    assert_matches_reference(fc_model(**case), n_sets=3)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["MAX_POOL_2D", "AVERAGE_POOL_2D"])
@pytest.mark.parametrize("padding,k,stride,act", [("SAME", 3, 2, "NONE"), ("VALID", 2, 1, "RELU"),
                                                  ("SAME", 2, 2, "RELU6")])
def test_pool_s16(kind: str, padding: str, k: int, stride: int, act: str) -> None:
    x = TensorSpec((1, 7, 6, 5), "int16", 0.001, 0)
    oh = (7 + stride - 1) // stride if padding == "SAME" else (7 - k) // stride + 1
    ow = (6 + stride - 1) // stride if padding == "SAME" else (6 - k) // stride + 1
    y = TensorSpec((1, oh, ow, 5), "int16", 0.001, 0)
    model = build_single_op_model(kind, [x], [y], {"padding": padding, "filter_height": k, "filter_width": k,
                                                   "stride_h": stride, "stride_w": stride,
                                                   "fused_activation_function": act})
    assert_matches_reference(model, n_sets=3)


@pytest.mark.slow
@pytest.mark.parametrize("shape,in_scale,beta", [((1, 10), 0.001, 1.0), ((3, 4, 17), 0.0003, 1.0),
                                                 ((2, 1000), 0.01, 0.5), ((1, 1), 0.002, 1.0)])
def test_softmax_s16(shape: tuple[int, ...], in_scale: float, beta: float) -> None:
    model = build_single_op_model("SOFTMAX", [TensorSpec(shape, "int16", in_scale, 0)],
                                  [TensorSpec(shape, "int16", 1 / 32768, 0)], {"beta": beta})
    assert_matches_reference(model, n_sets=3)


@pytest.mark.slow
@pytest.mark.parametrize("src,dst", [
    (("float32", None, None), ("int16", 0.0007, 0)),
    (("int16", 0.0007, 0), ("float32", None, None)),
    (("int16", 3.5, 0), ("float32", None, None)),
    (("int8", 0.05, -3), ("int16", 0.001, 0)),
    (("uint8", 0.05, 120), ("int16", 0.001, 0)),
    (("int16", 0.001, 0), ("int8", 0.05, 4)),
    (("int16", 0.001, 0), ("int16", 0.0003, 0)),
    (("int16", 0.001, 0), ("int32", 1e-6, 0)),
    (("int32", 1e-5, 0), ("int16", 0.001, 0)),
    (("int32", 1e-5, 7), ("int8", 0.05, -2)),
])
def test_quantize_16(src: tuple, dst: tuple) -> None:
    x = TensorSpec((3, 50), src[0], src[1], src[2])
    y = TensorSpec((3, 50), dst[0], dst[1], dst[2])
    kind = "DEQUANTIZE" if dst[0] == "float32" else "QUANTIZE"
    assert_matches_reference(build_single_op_model(kind, [x], [y]), n_sets=3)


@pytest.mark.slow
def test_int16_patches_and_quantized_io(tmp_path) -> None:
    """--patch with 2-byte rows, and --int8-io handing the caller the int16 edges: the int16 tensors
    the model takes and gives equal the reference's own at those edges."""
    from tests.models.test_int8_io import reference_edges
    from tests.support.host import run_host
    from tests.support.optest import build_model_exe, generate
    from tests.support.oracle import random_inputs
    from tinyengine_gen.pipeline import Options, compile_model

    model = big_model()
    path = tmp_path / "big.tflite"
    path.write_bytes(model)
    assert_matches_reference(model, n_sets=2, args=("--patch",))
    c = compile_model(path, Options(int8_io=True, patch=True))
    assert [t.dtype for t in c.graph.inputs + c.graph.outputs] == ["int16", "int16"]
    gen = generate(path, tmp_path / "gen", "model", ("--int8-io", "--patch"))
    assert "PATCH_STAGE" in (gen / "model.c").read_text() or "patch stage" in (gen / "model.c").read_text()
    rng = np.random.default_rng(1)
    sets, wants = [], []
    for _ in range(2):
        q_in, q_out = reference_edges(model, random_inputs(model, rng), [t.name for t in c.graph.inputs],
                                      [t.name for t in c.graph.outputs])
        sets.append(q_in)
        wants.append(q_out)
    exe = build_model_exe(gen, "model", extra=("-DTE_EMULATE_DSP",))
    got = run_host(exe, sets, [(tuple(t.shape), np.dtype(t.dtype)) for t in c.graph.outputs])
    for want, have in zip(wants, got):
        assert want[0].tobytes() == have[0].tobytes()


def dscnn_s16_model(channels: int = 64, seed: int = 0) -> bytes:
    """A DS-CNN-S-like int16x8 keyword-spotting model (ARM ML-zoo topology: 49x10 features, conv
    10x4/s2, 4 x (depthwise 3x3 + pointwise), global average pool, FC 12, softmax) with random
    weights: 2.33 M MACs at 64 channels. Measured with `tinyengine-gen run`: 6,104,503
    instructions on M4 (TFLite Micro 90b983c + CMSIS-NN 4ab83cc, -O2: 16,008,049, so 0.38x) and
    3,805,594 on M55."""
    rng = np.random.default_rng(seed)
    c = channels
    t = [TensorSpec((1, 49, 10, 1), "int16", 1 / 2048, 0)]
    ops: list[OpSpec] = []

    def add(spec: TensorSpec) -> int:
        t.append(spec)
        return len(t) - 1

    def scales(n: int) -> list[float]:
        return list(rng.uniform(0.002, 0.01, n))

    x = 0
    w = add(TensorSpec((c, 10, 4, 1), "int8", scales(c), [0] * c, data=_weights(rng, (c, 10, 4, 1))))
    b = add(TensorSpec((c,), "int64", 1e-6, 0, data=rng.integers(-20000, 20000, c)))
    y = add(TensorSpec((1, 25, 5, c), "int16", 0.002, 0))
    ops.append(OpSpec("CONV_2D", [x, w, b], [y], {"padding": "SAME", "stride_h": 2, "stride_w": 2,
                                                  "fused_activation_function": "RELU"}))
    x = y
    for _ in range(4):
        w = add(TensorSpec((1, 3, 3, c), "int8", scales(c), [0] * c, quantized_dimension=3,
                           data=_weights(rng, (1, 3, 3, c))))
        b = add(TensorSpec((c,), "int64", 1e-6, 0, data=rng.integers(-20000, 20000, c)))
        y = add(TensorSpec((1, 25, 5, c), "int16", 0.002, 0))
        ops.append(OpSpec("DEPTHWISE_CONV_2D", [x, w, b], [y], {"padding": "SAME", "fused_activation_function": "RELU"}))
        x = y
        w = add(TensorSpec((c, 1, 1, c), "int8", scales(c), [0] * c, data=_weights(rng, (c, 1, 1, c))))
        b = add(TensorSpec((c,), "int64", 1e-6, 0, data=rng.integers(-20000, 20000, c)))
        y = add(TensorSpec((1, 25, 5, c), "int16", 0.002, 0))
        ops.append(OpSpec("CONV_2D", [x, w, b], [y], {"padding": "VALID", "fused_activation_function": "RELU"}))
        x = y
    y = add(TensorSpec((1, 1, 1, c), "int16", 0.002, 0))
    ops.append(OpSpec("AVERAGE_POOL_2D", [x], [y], {"padding": "VALID", "filter_height": 25, "filter_width": 5}))
    shape = add(TensorSpec((2,), "int32", data=np.array([1, c], np.int32)))
    flat = add(TensorSpec((1, c), "int16", 0.002, 0))
    ops.append(OpSpec("RESHAPE", [y, shape], [flat]))
    # per-tensor FC weights: TFLite Micro's CMSIS-NN FULLY_CONNECTED takes no per-channel int16
    w = add(TensorSpec((12, c), "int8", 0.005, 0, data=_weights(rng, (12, c))))
    b = add(TensorSpec((12,), "int64", 1e-6, 0, data=rng.integers(-20000, 20000, 12)))
    logits = add(TensorSpec((1, 12), "int16", 0.001, 0))
    ops.append(OpSpec("FULLY_CONNECTED", [flat, w, b], [logits]))
    probs = add(TensorSpec((1, 12), "int16", 1 / 32768, 0))
    ops.append(OpSpec("SOFTMAX", [logits], [probs]))
    return build_model(t, ops, [0], [probs])


@pytest.mark.slow
def test_dscnn_s16() -> None:
    assert_matches_reference(dscnn_s16_model(), n_sets=2)
