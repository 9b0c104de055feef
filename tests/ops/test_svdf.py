"""SVDF (fully integer: int8 input and feature weights, int16 time weights and state) against
LiteRT's reference kernel, byte for byte, on both kernel paths, over sequences of calls.

The activation state is a variable tensor that LiteRT keeps between invokes: every check runs a
sequence of at least 4 calls on one interpreter and on the generated model in one process, then the
same sequence again after a reset. Single-op models with random weights, scales and zero points
sweep the shapes the kernels treat differently: input widths around multiples of 4 (the DSP
path's words), odd filter counts (its row pairs), rank 1..3, memory sizes 1..16 (odd: unaligned
int16 pairs), batches, with and without bias, and scales that saturate the state and the output.
"""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.oracle import random_inputs
from tests.support.tflite_build import TensorSpec, build_single_op_model
from tinyengine_gen import ops as _ops  # noqa: F401  (registers the lowerings)
from tinyengine_gen.errors import TinyEngineError
from tinyengine_gen.ops.base import LoweringError
from tinyengine_gen.passes import run_passes
from tinyengine_gen.pipeline import lower
from tinyengine_gen.reader import read_model_bytes


def svdf_model(n_batch: int, n_input: int, n_unit: int, rank: int, n_memory: int, *, seed: int,
               bias: bool = True, gain: float = 1.0, activation: str = "RELU", time_dtype: str = "int16",
               x_rank: int = 2) -> bytes:
    """A one-op integer SVDF as the converter lays it out. Scales put the state's values around
    4000 * gain and the output's around 40 * gain (gain > 1 saturates both more often)."""
    rng = np.random.default_rng(seed)
    n_filter, block = n_unit * rank, rank * n_memory
    x_scale, state_scale = float(rng.uniform(0.005, 0.05)), float(rng.uniform(0.002, 0.02))
    lim = 127 if time_dtype == "int8" else 32767
    state_std, time_std = 4000.0 * gain, lim / 3 ** 0.5
    eff1 = state_std / (73.0 * 74.0 * n_input ** 0.5)  # uniform int8 weights x uniform int8 input - zp
    eff2 = 40.0 * gain / (time_std * state_std * block ** 0.5)
    wf_scale = eff1 * state_scale / x_scale
    wt_scale = float(rng.uniform(0.0005, 0.002))
    out_scale = state_scale * wt_scale / eff2
    bias_lim = int(min(time_std * state_std * block ** 0.5, 2e9))
    x_shape = (n_batch, n_input) if x_rank == 2 else (n_batch, 1, n_input)
    x = TensorSpec(x_shape, "int8", scale=x_scale, zero_point=int(rng.integers(-128, 128)), name="x")
    wf = TensorSpec((n_filter, n_input), "int8", scale=wf_scale, zero_point=0, name="weights_feature",
                    data=rng.integers(-127, 128, size=(n_filter, n_input)))
    wt = TensorSpec((n_filter, n_memory), time_dtype, scale=wt_scale, zero_point=0, name="weights_time",
                    data=rng.integers(-lim, lim + 1, size=(n_filter, n_memory)))
    b = (TensorSpec((n_unit,), "int32", scale=state_scale * wt_scale, zero_point=0, name="bias",
                    data=rng.integers(-bias_lim, bias_lim + 1, size=n_unit)) if bias else None)
    state = TensorSpec((n_batch, n_memory * n_filter), "int16", scale=state_scale, zero_point=0,
                       is_variable=True, name="activation_state")
    y = TensorSpec((n_batch, n_unit), "int8", scale=out_scale, zero_point=int(rng.integers(-20, 21)), name="y")
    return build_single_op_model("SVDF", [x, wf, wt, b, state], [y],
                                 {"rank": rank, "fused_activation_function": activation})


def check(model: bytes, n_sets: int = 5, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    sets = [random_inputs(model, rng) for _ in range(n_sets)]
    sets.insert(2, [np.full(s.shape, 127, s.dtype) for s in sets[0]])  # saturating calls mid-sequence
    sets.insert(3, [np.full(s.shape, -128, s.dtype) for s in sets[0]])
    assert_matches_reference(model, input_sets=sets)


def lowered(model: bytes):
    return lower(run_passes(read_model_bytes(model, "m")))[0]


@pytest.mark.parametrize("n_batch,n_input,n_unit,rank,n_memory", [
    (1, 40, 32, 1, 8),     # a streaming keyword-spotting layer: 40 features, 32 units, memory 8
    (1, 13, 7, 2, 5),      # input width 4k + 1, odd units, rank 2, odd memory (unaligned pairs)
    (2, 6, 3, 3, 4),       # batch 2, rank 3, width 4k + 2 (in place: 3 units <= 6 inputs)
    (3, 3, 5, 1, 1),       # memory 1 (no history), more units than inputs, width < 4
])
def test_svdf_shapes(n_batch: int, n_input: int, n_unit: int, rank: int, n_memory: int) -> None:
    check(svdf_model(n_batch, n_input, n_unit, rank, n_memory, seed=n_input * 7 + n_unit), seed=n_unit)


def test_svdf_without_bias_and_saturating() -> None:
    check(svdf_model(1, 16, 9, 2, 6, seed=3, bias=False, gain=20.0), seed=3)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(20))
def test_svdf_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    model = svdf_model(int(rng.integers(1, 4)), int(rng.integers(1, 70)), int(rng.integers(1, 40)),
                       int(rng.integers(1, 4)), int(rng.integers(1, 17)), seed=seed, bias=bool(rng.integers(0, 2)),
                       gain=float(rng.choice([0.3, 1.0, 5.0])))
    check(model, n_sets=6, seed=seed)


def test_svdf_in_place_and_state() -> None:
    call = lowered(svdf_model(1, 8, 4, 2, 3, seed=1))
    assert call.inplace == [(0, 0)] and call.inputs[1].is_variable
    assert lowered(svdf_model(1, 4, 8, 1, 3, seed=1)).inplace == []


@pytest.mark.parametrize("variant,message", [
    (dict(activation="NONE"), "RELU"),
    (dict(activation="RELU6"), "RELU"),
    (dict(time_dtype="int8"), "int16"),
    (dict(x_rank=3), "2-D"),
])
def test_svdf_unsupported_variants_are_named(variant: dict, message: str) -> None:
    with pytest.raises(LoweringError, match=message):
        lowered(svdf_model(1, 8, 4, 2, 3, seed=2, **variant))


def svdf_f32_model(n_batch: int, n_input: int, n_unit: int, rank: int, n_memory: int, *, seed: int,
                   bias: bool = True, activation: str = "RELU", x_rank: int = 2,
                   feature_dtype: str = "float32") -> bytes:
    """A one-op float SVDF with random weights of magnitudes that keep outputs around 1."""
    rng = np.random.default_rng(seed)
    n_filter = n_unit * rank
    x_shape = (n_batch, n_input) if x_rank == 2 else (n_batch, 1, n_input)
    x = TensorSpec(x_shape, "float32", name="x")
    if feature_dtype == "float32":
        wf = TensorSpec((n_filter, n_input), "float32", name="weights_feature",
                        data=rng.normal(0, n_input ** -0.5, size=(n_filter, n_input)).astype(np.float32))
    else:
        wf = TensorSpec((n_filter, n_input), "int8", scale=0.01, zero_point=0, name="weights_feature",
                        data=rng.integers(-127, 128, size=(n_filter, n_input)))
    wt = TensorSpec((n_filter, n_memory), "float32", name="weights_time",
                    data=rng.normal(0, (rank * n_memory) ** -0.5, size=(n_filter, n_memory)).astype(np.float32))
    b = (TensorSpec((n_unit,), "float32", name="bias", data=rng.normal(0, 0.5, size=n_unit).astype(np.float32))
         if bias else None)
    state = TensorSpec((n_batch, n_memory * n_filter), "float32", is_variable=True, name="activation_state")
    y = TensorSpec((n_batch, n_unit), "float32", name="y")
    return build_single_op_model("SVDF", [x, wf, wt, b, state], [y],
                                 {"rank": rank, "fused_activation_function": activation})


def check_f32(model: bytes, n_sets: int = 5, seed: int = 0) -> None:
    """A sequence of random calls with an all-zero call and a large one (far beyond RELU6's 6) in
    the middle; then again after a reset."""
    rng = np.random.default_rng(seed)
    sets = [[rng.normal(0, 1, size=s.shape).astype(np.float32) for s in random_inputs(model, rng)]
            for _ in range(n_sets)]
    sets.insert(2, [np.zeros(s.shape, np.float32) for s in sets[0]])
    sets.insert(3, [(s * 40).astype(np.float32) for s in sets[0]])
    assert_matches_reference(model, input_sets=sets)


@pytest.mark.parametrize("n_batch,n_input,n_unit,rank,n_memory,bias,activation", [
    (1, 40, 32, 1, 8, True, "RELU"),      # the streaming keyword-spotting shape
    (1, 13, 7, 2, 5, False, "NONE"),      # rank 2, odd sizes, no bias
    (2, 6, 3, 2, 4, True, "NONE"),        # batch 2, in place (3 units <= 6 inputs)
    (2, 3, 5, 1, 1, False, "RELU"),       # memory 1, more units than inputs
    (1, 17, 4, 2, 11, True, "RELU6"),
    (2, 9, 6, 1, 3, True, "RELU_N1_TO_1"),
    (1, 10, 3, 5, 6, True, "NONE"),       # rank 5: the reduction's 4 lanes and a tail
    (2, 8, 2, 4, 7, False, "RELU"),       # rank 4: lanes only
])
def test_svdf_f32_matches_reference(n_batch: int, n_input: int, n_unit: int, rank: int, n_memory: int,
                                    bias: bool, activation: str) -> None:
    model = svdf_f32_model(n_batch, n_input, n_unit, rank, n_memory, seed=n_input * 5 + n_unit, bias=bias,
                           activation=activation)
    check_f32(model, seed=n_unit)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12))
def test_svdf_f32_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(900 + seed)
    model = svdf_f32_model(int(rng.integers(1, 4)), int(rng.integers(1, 70)), int(rng.integers(1, 20)),
                           int(rng.integers(1, 7)), int(rng.integers(1, 17)), seed=seed,
                           bias=bool(rng.integers(0, 2)),
                           activation=str(rng.choice(["NONE", "RELU", "RELU_N1_TO_1", "RELU6"])))
    check_f32(model, n_sets=5, seed=seed)


@pytest.mark.parametrize("activation", ["NONE", "RELU", "RELU_N1_TO_1", "RELU6"])
def test_svdf_f32_special_values(activation: str) -> None:
    """Infinities, NaN and negative zeros in the input: NaN through the clamps as std::max /
    std::min pass it (RELU maps it to 0), -0.0 sums as the lanes add it; the state carries them
    into the next calls."""
    model = svdf_f32_model(1, 9, 4, 2, 3, seed=11, activation=activation)
    rng = np.random.default_rng(11)
    normal = [rng.normal(0, 1, size=(1, 9)).astype(np.float32) for _ in range(6)]
    special = [np.array([[np.inf, 0, 0, 0, 0, 0, 0, 0, 0]], np.float32), np.full((1, 9), -0.0, np.float32),
               np.array([[0, 0, 0, 0, 0, 0, 0, 0, np.nan]], np.float32), np.full((1, 9), 3e38, np.float32)]
    sets = [[normal[0]], [special[0]], [normal[1]], [normal[2]], [normal[3]], [special[1]], [normal[4]],
            [special[2]], [normal[5]], [special[3]], [normal[0]]]
    assert_matches_reference(model, input_sets=sets)


def test_svdf_f32_in_place_and_state() -> None:
    call = lowered(svdf_f32_model(1, 8, 4, 2, 3, seed=1))
    assert call.template == "svdf_f32.c.j2" and call.inplace == [(0, 0)] and call.inputs[1].is_variable
    assert lowered(svdf_f32_model(1, 4, 8, 1, 3, seed=1)).inplace == []


@pytest.mark.parametrize("variant,message", [
    (dict(activation="TANH"), "TANH is not supported"),
    (dict(x_rank=3), "2-D"),
    (dict(feature_dtype="int8"), "hybrid"),
])
def test_svdf_f32_unsupported_variants_are_named(variant: dict, message: str) -> None:
    with pytest.raises(TinyEngineError, match=message):
        lowered(svdf_f32_model(1, 8, 4, 2, 3, seed=2, **variant))


def test_svdf_int16_input_is_refused() -> None:
    """LiteRT has no int16 (16x8) SVDF: its Prepare wants a float32 or int8 input (checked in the
    oracle), so int16 is no registered type."""
    x = TensorSpec((1, 8), "int16", scale=1 / 4096, zero_point=0, name="x")
    wf = TensorSpec((4, 8), "int8", scale=0.01, zero_point=0, data=np.ones((4, 8), np.int8), name="wf")
    wt = TensorSpec((4, 3), "int16", scale=0.001, zero_point=0, data=np.ones((4, 3), np.int16), name="wt")
    b = TensorSpec((4,), "int64", scale=1e-5, zero_point=0, data=np.zeros(4, np.int64), name="b")
    state = TensorSpec((1, 12), "int16", scale=1 / 4096, zero_point=0, is_variable=True, name="s")
    y = TensorSpec((1, 4), "int16", scale=1 / 4096, zero_point=0, name="y")
    model = build_single_op_model("SVDF", [x, wf, wt, b, state], [y], {"rank": 1, "fused_activation_function": "RELU"})
    with pytest.raises(TinyEngineError, match=r"SVDF \(int16"):
        lowered(model)
