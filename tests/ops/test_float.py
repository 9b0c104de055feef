"""float32 ops against the LiteRT reference, byte for byte: CONV_2D, DEPTHWISE_CONV_2D,
FULLY_CONNECTED, AVERAGE/MAX/L2_POOL_2D and the element-wise transcendental ops (EXP, LOG, TANH,
SIN, COS, ELU), plus float graphs mixing them with SOFTMAX / LOG_SOFTMAX / LOGISTIC.

Inputs are random floats over several magnitudes (and, on the host, signed zeros, infinities and
NaNs), so sums cancel, activations clamp and every transcendental function sees its whole domain.
Default: a handful of cases reaching every kernel branch; `-m slow`: wide random sweeps.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from tests.support.host import run_host
from tests.support.optest import KERNEL_VARIANTS, assert_matches_reference, build_model_exe, generate
from tests.support.oracle import model_io
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model

F32 = "float32"


def f32(rng: np.random.Generator, shape: tuple[int, ...], scale: float = 1.0) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def float_inputs(shape: tuple[int, ...], rng: np.random.Generator, special: bool = True) -> np.ndarray:
    """Values over several magnitudes; with `special`, some signed zeros, infinities and NaNs."""
    n = int(np.prod(shape))
    mags = 10.0 ** rng.uniform(-3, 2, n)
    x = (rng.choice([-1.0, 1.0], n) * mags).astype(np.float32)
    if special and n >= 16:
        idx = rng.choice(n, 8, replace=False)
        x[idx] = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 3.4e38], np.float32)
    return x.reshape(shape)


def input_sets(model: bytes, n_sets: int, seed: int, special: bool = True) -> list[list[np.ndarray]]:
    ins, _ = model_io(model)
    rng = np.random.default_rng(seed)
    return [[float_inputs(i.shape, rng, special) for i in ins] for _ in range(n_sets)]


def check(model: bytes, n_sets: int = 3, seed: int = 0, special: bool = True) -> None:
    """Every output byte equals the reference's; NaN outputs only need to be NaN (which NaN a sum
    meeting two NaNs keeps is the FPU's and the compiler's choice)."""
    assert_matches_reference(model, input_sets=input_sets(model, n_sets, seed, special), nan_bits=False)


# ------------------------------------------------------------------------------------ builders

def conv_f32_model(shape: tuple[int, ...], out_c: int, kernel: tuple[int, int], stride: tuple[int, int],
                   padding: str, act: str = "NONE", dilation: tuple[int, int] = (1, 1), groups: int = 1,
                   bias: bool = True, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    in_c = shape[3] // groups
    w = f32(rng, (out_c, *kernel, in_c), 0.5)
    inputs = [TensorSpec(shape, F32), TensorSpec(w.shape, F32, data=w),
              TensorSpec((out_c,), F32, data=f32(rng, (out_c,))) if bias else None]
    n, h, wd, _ = shape
    eh, ew = (kernel[0] - 1) * dilation[0] + 1, (kernel[1] - 1) * dilation[1] + 1
    oh = -(-h // stride[0]) if padding == "SAME" else (h - eh) // stride[0] + 1
    ow = -(-wd // stride[1]) if padding == "SAME" else (wd - ew) // stride[1] + 1
    return build_single_op_model("CONV_2D", inputs, [TensorSpec((n, oh, ow, out_c), F32)],
                                 {"padding": padding, "stride_h": stride[0], "stride_w": stride[1],
                                  "dilation_h_factor": dilation[0], "dilation_w_factor": dilation[1],
                                  "fused_activation_function": act})


def dw_f32_model(shape: tuple[int, ...], mult: int, kernel: tuple[int, int], stride: tuple[int, int],
                 padding: str, act: str = "NONE", dilation: tuple[int, int] = (1, 1), bias: bool = True,
                 seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    out_c = shape[3] * mult
    w = f32(rng, (1, *kernel, out_c), 0.5)
    inputs = [TensorSpec(shape, F32), TensorSpec(w.shape, F32, data=w),
              TensorSpec((out_c,), F32, data=f32(rng, (out_c,))) if bias else None]
    n, h, wd, _ = shape
    eh, ew = (kernel[0] - 1) * dilation[0] + 1, (kernel[1] - 1) * dilation[1] + 1
    oh = -(-h // stride[0]) if padding == "SAME" else (h - eh) // stride[0] + 1
    ow = -(-wd // stride[1]) if padding == "SAME" else (wd - ew) // stride[1] + 1
    return build_single_op_model("DEPTHWISE_CONV_2D", inputs, [TensorSpec((n, oh, ow, out_c), F32)],
                                 {"padding": padding, "stride_h": stride[0], "stride_w": stride[1],
                                  "dilation_h_factor": dilation[0], "dilation_w_factor": dilation[1],
                                  "fused_activation_function": act})


def fc_f32_model(in_shape: tuple[int, ...], units: int, act: str = "NONE", bias: bool = True,
                 keep_num_dims: bool = False, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    depth = in_shape[-1]
    w = f32(rng, (units, depth), 0.3)
    inputs = [TensorSpec(in_shape, F32), TensorSpec(w.shape, F32, data=w),
              TensorSpec((units,), F32, data=f32(rng, (units,))) if bias else None]
    out_shape = (*in_shape[:-1], units) if keep_num_dims else (int(np.prod(in_shape[:-1])), units)
    return build_single_op_model("FULLY_CONNECTED", inputs, [TensorSpec(out_shape, F32)],
                                 {"fused_activation_function": act, "keep_num_dims": keep_num_dims})


def pool_f32_model(kind: str, shape: tuple[int, ...], kernel: tuple[int, int], stride: tuple[int, int],
                   padding: str, act: str = "NONE") -> bytes:
    n, h, w, c = shape
    oh = -(-h // stride[0]) if padding == "SAME" else (h - kernel[0]) // stride[0] + 1
    ow = -(-w // stride[1]) if padding == "SAME" else (w - kernel[1]) // stride[1] + 1
    return build_single_op_model(kind, [TensorSpec(shape, F32)], [TensorSpec((n, oh, ow, c), F32)],
                                 {"padding": padding, "stride_h": stride[0], "stride_w": stride[1],
                                  "filter_height": kernel[0], "filter_width": kernel[1],
                                  "fused_activation_function": act})


UNARY = ("EXP", "LOG", "TANH", "SIN", "COS", "LOGISTIC")


def unary_fanout_model(shape: tuple[int, ...], kinds: tuple[str, ...] = UNARY) -> bytes:
    """One float input feeding each element-wise op; one output per op."""
    tensors = [TensorSpec(shape, F32, name="x")] + [TensorSpec(shape, F32, name=k.lower()) for k in kinds]
    ops = [OpSpec(k, [0], [i + 1]) for i, k in enumerate(kinds)]
    return build_model(tensors, ops, [0], list(range(1, len(kinds) + 1)))


# ------------------------------------------------------------------------------------ default cases

CONV_CASES = {
    # 3x3 SAME with bias and RELU; 6 output channels (a block of 4 and two single channels)
    "3x3_same_relu": dict(shape=(1, 7, 6, 5), out_c=6, kernel=(3, 3), stride=(1, 1), padding="SAME", act="RELU"),
    # stride 2, dilation, RELU_N1_TO_1, two batches
    "5x3_dilated_s2": dict(shape=(2, 11, 9, 3), out_c=4, kernel=(3, 2), stride=(2, 2), padding="SAME",
                           act="RELU_N1_TO_1", dilation=(2, 3)),
    # grouped convolution (3 groups of 2 channels, 2 filters each), RELU6
    "groups": dict(shape=(1, 5, 5, 6), out_c=6, kernel=(3, 3), stride=(1, 1), padding="VALID", act="RELU6",
                   groups=3),
}


@pytest.mark.parametrize("case", [pytest.param(c, marks=[] if c != "5x3_dilated_s2" else [pytest.mark.slow])
                                  for c in CONV_CASES])
def test_conv_f32(case: str) -> None:
    check(conv_f32_model(**CONV_CASES[case], seed=len(case)))


def test_depthwise_f32() -> None:
    check(dw_f32_model((2, 9, 8, 3), 2, (3, 3), (2, 2), "SAME", act="RELU6", dilation=(2, 1), seed=1))


def test_fully_connected_f32() -> None:
    check(fc_f32_model((3, 37), 10, act="RELU", seed=3))
    check(fc_f32_model((2, 3, 8), 5, bias=False, keep_num_dims=True, seed=4))


@pytest.mark.parametrize("kind", [pytest.param(k, marks=[] if k == "L2_POOL_2D" else [pytest.mark.slow])
                                  for k in ("AVERAGE_POOL_2D", "MAX_POOL_2D", "L2_POOL_2D")])
def test_pool_f32(kind: str) -> None:
    """(Average and max pools also run in the default CNN graph test.)"""
    check(pool_f32_model(kind, (2, 7, 6, 5), (3, 2), (2, 2), "SAME", act="RELU6" if kind != "L2_POOL_2D" else "NONE"))


def test_unary_f32() -> None:
    """Every element-wise op on one input of 4096 values, special values included."""
    check(unary_fanout_model((4096,)), n_sets=2)


def test_elu_f32(tmp_path: Path) -> None:
    """ELU is not in LiteRT's reference resolver: its builtin kernel (reference_ops::Elu, expm1 for
    x < 0) is the oracle, without the default XNNPACK delegate."""
    model = build_single_op_model("ELU", [TensorSpec((2048,), F32)], [TensorSpec((2048,), F32)])
    sets = input_sets(model, 2, seed=5)
    gen = generate(model, tmp_path, "m")
    _, outs = model_io(model)
    wants = []
    for s in sets:
        it = Interpreter(model_content=model, num_threads=1,
                         experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
        it.allocate_tensors()
        it.set_tensor(it.get_input_details()[0]["index"], s[0])
        it.invoke()
        wants.append(it.get_tensor(it.get_output_details()[0]["index"]).copy())
    for variant, flags in KERNEL_VARIANTS.items():
        exe = build_model_exe(gen, "m", extra=flags, exe_name=f"m_{variant}")
        got = run_host(exe, sets, [(o.shape, o.dtype) for o in outs])
        for want, g in zip(wants, got):
            assert g[0].tobytes() == want.tobytes(), f"{variant}: ELU differs"  # one NaN input: same bits


def float_cnn_model(seed: int = 0) -> bytes:
    """CONV_2D -> DEPTHWISE -> MAX_POOL -> AVERAGE_POOL -> FULLY_CONNECTED -> SOFTMAX / LOG_SOFTMAX."""
    rng = np.random.default_rng(seed)
    t = [TensorSpec((1, 12, 10, 3), F32, name="x")]

    def add(spec: TensorSpec) -> int:
        t.append(spec)
        return len(t) - 1

    w1, b1 = add(TensorSpec((8, 3, 3, 3), F32, data=f32(rng, (8, 3, 3, 3), 0.4))), add(
        TensorSpec((8,), F32, data=f32(rng, (8,), 0.1)))
    c1 = add(TensorSpec((1, 6, 5, 8), F32))
    w2, b2 = add(TensorSpec((1, 3, 3, 8), F32, data=f32(rng, (1, 3, 3, 8), 0.4))), add(
        TensorSpec((8,), F32, data=f32(rng, (8,), 0.1)))
    c2 = add(TensorSpec((1, 6, 5, 8), F32))
    p1 = add(TensorSpec((1, 3, 3, 8), F32))
    p2 = add(TensorSpec((1, 2, 2, 8), F32))
    w3, b3 = add(TensorSpec((10, 32), F32, data=f32(rng, (10, 32), 0.2))), add(
        TensorSpec((10,), F32, data=f32(rng, (10,))))
    fc = add(TensorSpec((1, 10), F32))
    sm, lsm = add(TensorSpec((1, 10), F32)), add(TensorSpec((1, 10), F32))
    ops = [
        OpSpec("CONV_2D", [0, w1, b1], [c1], {"padding": "SAME", "stride_h": 2, "stride_w": 2,
                                              "fused_activation_function": "RELU"}),
        OpSpec("DEPTHWISE_CONV_2D", [c1, w2, b2], [c2], {"padding": "SAME", "fused_activation_function": "RELU6"}),
        OpSpec("MAX_POOL_2D", [c2], [p1], {"padding": "SAME", "stride_h": 2, "stride_w": 2, "filter_height": 2,
                                           "filter_width": 2}),
        OpSpec("AVERAGE_POOL_2D", [p1], [p2], {"padding": "SAME", "stride_h": 2, "stride_w": 2, "filter_height": 2,
                                               "filter_width": 2}),
        OpSpec("FULLY_CONNECTED", [p2, w3, b3], [fc]),
        OpSpec("SOFTMAX", [fc], [sm], {"beta": 1.0}),
        OpSpec("LOG_SOFTMAX", [fc], [lsm]),
    ]
    return build_model(t, ops, [0], [sm, lsm])


def test_float_cnn_graph() -> None:
    check(float_cnn_model(), n_sets=3, special=False)


# ------------------------------------------------------------------------------------ LSTM

def lstm_f32_model(n_batch: int, n_steps: int, n_input: int, n_cell: int, *, seed: int, time_major: bool = False,
                   cell_clip: float = 0.0, gain: float = 0.6) -> bytes:
    """A one-op float LSTM as the converter lays it out (24 inputs, states as variable tensors)."""
    rng = np.random.default_rng(seed)
    x_shape = (n_steps, n_batch, n_input) if time_major else (n_batch, n_steps, n_input)
    y_shape = x_shape[:-1] + (n_cell,)

    def w(cols: int, name: str) -> TensorSpec:
        return TensorSpec((n_cell, cols), F32, data=f32(rng, (n_cell, cols), gain / np.sqrt(cols)), name=name)

    gates = ("i", "f", "c", "o")
    inputs: list[TensorSpec | None] = [TensorSpec(x_shape, F32, name="x")]
    inputs += [w(n_input, f"w_in_{g}") for g in gates] + [w(n_cell, f"w_rec_{g}") for g in gates]
    inputs += [None, None, None]
    inputs += [TensorSpec((n_cell,), F32, data=f32(rng, (n_cell,), 0.5), name=f"b_{g}") for g in gates]
    inputs += [None, None]
    inputs += [TensorSpec((n_batch, n_cell), F32, is_variable=True, name="h"),
               TensorSpec((n_batch, n_cell), F32, is_variable=True, name="c")]
    inputs += [None, None, None, None]
    return build_single_op_model("UNIDIRECTIONAL_SEQUENCE_LSTM", inputs, [TensorSpec(y_shape, F32, name="y")],
                                 {"fused_activation_function": "TANH", "cell_clip": cell_clip,
                                  "time_major": time_major})


def lstm_inputs(model: bytes, n_sets: int, seed: int, scale: float = 1.0) -> list[list[np.ndarray]]:
    """Normal inputs with some all-zero steps (the reference skips the input product there)."""
    ins, _ = model_io(model)
    rng = np.random.default_rng(seed)
    sets = []
    for _ in range(n_sets):
        x = f32(rng, ins[0].shape, scale)
        flat = x.reshape(-1, x.shape[-1])
        flat[rng.choice(flat.shape[0], max(1, flat.shape[0] // 4), replace=False)] = 0.0
        sets.append([x])
    return sets


LSTM_CASES = {
    # the lane phases of Eigen's sigmoid: 5 cells over 3 batches puts the gates at every offset mod 4
    "b3_c5_i7": dict(n_batch=3, n_steps=4, n_input=7, n_cell=5, cell_clip=0.7),
    # one cell: Eigen's dot product instead of the GEMV; inputs >= 16 (its 16-column blocks)
    "c1_i37": dict(n_batch=2, n_steps=3, n_input=37, n_cell=1),
    # time-major, large gains (gate sigmoids below -104 and past the upper cutoff, the tanh clamp)
    "tm_large": dict(n_batch=1, n_steps=5, n_input=18, n_cell=6, time_major=True, gain=40.0),
}


@pytest.mark.parametrize("case", [pytest.param(c, marks=[] if c != "tm_large" else [pytest.mark.slow])
                                  for c in LSTM_CASES])
def test_lstm_f32(case: str) -> None:
    model = lstm_f32_model(seed=len(case), **LSTM_CASES[case])
    assert_matches_reference(model, input_sets=lstm_inputs(model, 3, seed=1, scale=3.0), nan_bits=False)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(24))
def test_lstm_f32_sweep(seed: int) -> None:
    rng = np.random.default_rng(seed)
    time_major = bool(seed % 3 == 0)
    model = lstm_f32_model(1 if time_major else int(rng.integers(1, 4)), int(rng.integers(1, 6)),
                           int(rng.integers(1, 40)), int(rng.integers(1, 24)), seed=seed, time_major=time_major,
                           cell_clip=float(rng.choice([0.0, 0.5, 3.0])),
                           gain=float(10 ** rng.uniform(-1, 1.5)))
    assert_matches_reference(model, input_sets=lstm_inputs(model, 3, seed=seed, scale=float(10 ** rng.uniform(-1, 1))),
                             nan_bits=False)


# ------------------------------------------------------------------------------------ GELU

@pytest.mark.parametrize("approximate", [False, True])
@pytest.mark.parametrize("n", [4099, *(pytest.param(k, marks=pytest.mark.slow) for k in (1, 2, 5, 6, 1001))])
def test_gelu_f32(approximate: bool, n: int) -> None:
    """Eigen's erfc / tanh: 4096 values on its packet path, the last 3 on its scalar path (expf);
    inputs up to +-30 reach erfc's large branch and the exp underflow."""
    model = build_single_op_model("GELU", [TensorSpec((n,), F32)], [TensorSpec((n,), F32)],
                                  {"approximate": approximate})
    rng = np.random.default_rng(n)
    sets = [[(rng.standard_normal(n) * s).astype(np.float32)] for s in (1.0, 4.0, 15.0)]
    sets.append([float_inputs((n,), rng)])
    assert_matches_reference(model, input_sets=sets, nan_bits=False)


def test_non_finite_weights() -> None:
    """Infinite and NaN weights reach the generated C as INFINITY / NAN and compute like the
    reference's (inf * x, NaN propagation)."""
    w = np.array([[1.0, np.inf, -2.0], [np.nan, 0.5, 1.0], [-np.inf, 0.0, 3.0]], np.float32)
    model = build_single_op_model("FULLY_CONNECTED", [TensorSpec((1, 3), F32), TensorSpec((3, 3), F32, data=w), None],
                                  [TensorSpec((1, 3), F32)])
    assert_matches_reference(model, input_sets=[[np.array([[0.5, 2.0, -1.0]], np.float32)]], nan_bits=False)


# ------------------------------------------------------------------------------------ wide sweep

def random_float_model(seed: int) -> bytes:
    """One random float op: conv (groups, dilation), depthwise, FC, a pool, or an element-wise op."""
    rng = np.random.default_rng(seed)
    kind = ["conv", "dw", "fc", "pool", "unary"][seed % 5]
    act = str(rng.choice(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]))
    h, w = int(rng.integers(1, 12)), int(rng.integers(1, 12))
    k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    s = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    pad = "SAME" if (rng.random() < 0.5 or h < k[0] or w < k[1]) else "VALID"
    if kind == "conv":
        groups = int(rng.choice([1, 1, 2, 3]))
        cin = groups * int(rng.integers(1, 5))
        cout = groups * int(rng.integers(1, 4))
        dil = (int(rng.integers(1, 3)), int(rng.integers(1, 3))) if pad == "SAME" else (1, 1)
        return conv_f32_model((int(rng.integers(1, 3)), h, w, cin), cout, k, s, pad, act=act, dilation=dil,
                              groups=groups, seed=seed)
    if kind == "dw":
        dil = (int(rng.integers(1, 3)), int(rng.integers(1, 3))) if pad == "SAME" else (1, 1)
        return dw_f32_model((1, h, w, int(rng.integers(1, 9))), int(rng.integers(1, 4)), k, s, pad, act=act,
                            dilation=dil, seed=seed)
    if kind == "fc":
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 70)))
        keep = bool(rng.random() < 0.3)
        if keep:
            shape = (2,) + shape
        return fc_f32_model(shape, int(rng.integers(1, 20)), act=act, bias=bool(rng.random() < 0.7),
                            keep_num_dims=keep, seed=seed)
    if kind == "pool":
        pool = str(rng.choice(["AVERAGE_POOL_2D", "MAX_POOL_2D", "L2_POOL_2D"]))
        return pool_f32_model(pool, (int(rng.integers(1, 3)), h, w, int(rng.integers(1, 9))), k, s, pad,
                              act=act if pool != "L2_POOL_2D" else "NONE")
    return unary_fanout_model((int(rng.integers(1, 3000)),))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(60))
def test_float_sweep(seed: int) -> None:
    check(random_float_model(seed), n_sets=3, seed=seed)


def mixed_graph_model(seed: int = 0) -> bytes:
    """int8 -> DEQUANTIZE -> float CONV_2D (RELU6) -> TANH -> QUANTIZE -> int8."""
    rng = np.random.default_rng(seed)
    t = [TensorSpec((1, 6, 6, 3), "int8", scale=0.05, zero_point=-10, name="x"), TensorSpec((1, 6, 6, 3), F32),
         TensorSpec((4, 3, 3, 3), F32, data=f32(rng, (4, 3, 3, 3), 0.4)), TensorSpec((4,), F32, data=f32(rng, (4,), 0.1)),
         TensorSpec((1, 6, 6, 4), F32), TensorSpec((1, 6, 6, 4), F32),
         TensorSpec((1, 6, 6, 4), "int8", scale=1 / 128, zero_point=0, name="y")]
    ops = [OpSpec("DEQUANTIZE", [0], [1]),
           OpSpec("CONV_2D", [1, 2, 3], [4], {"padding": "SAME", "fused_activation_function": "RELU6"}),
           OpSpec("TANH", [4], [5]), OpSpec("QUANTIZE", [5], [6])]
    return build_model(t, ops, [0], [6])


def test_mixed_int8_float_graph() -> None:
    """An int8 model with a float middle; --int8-io leaves it as it is (its edges are int8)."""
    model = mixed_graph_model()
    assert_matches_reference(model, n_sets=3)
    assert_matches_reference(model, n_sets=2, args=("--int8-io",))
