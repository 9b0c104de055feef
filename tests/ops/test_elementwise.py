"""ADD against the LiteRT reference: shapes, broadcasting, activations, extreme scales, legacy uint8, in place."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model
from tinyengine_gen.ops import REGISTRY
from tinyengine_gen.pipeline import compile_model

needs_flip = pytest.mark.skipif("TE_FLIP_SIGN" not in REGISTRY,
                                reason="uint8 model edges need the TE_FLIP_SIGN kernel (not registered yet)")


def add_model(shape1: tuple[int, ...], shape2: tuple[int, ...], out_shape: tuple[int, ...], act: str = "NONE",
              q1: tuple[float, int] = (0.05, 3), q2: tuple[float, int] = (0.1, -7),
              qo: tuple[float, int] = (0.12, 1), dtype: str = "int8", const2: np.ndarray | None = None) -> bytes:
    inputs = [
        TensorSpec(shape1, dtype, scale=q1[0], zero_point=q1[1]),
        TensorSpec(shape2, dtype, scale=q2[0], zero_point=q2[1], data=const2),
    ]
    out = TensorSpec(out_shape, dtype, scale=qo[0], zero_point=qo[1])
    return build_single_op_model("ADD", inputs, [out], {"fused_activation_function": act})


@pytest.mark.parametrize("shape", [(1,), (7,), (1, 5, 3, 2), (1, 16, 16, 32), (2, 3, 5, 7)])
@pytest.mark.parametrize("act", ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])
def test_add_same_shape(shape: tuple[int, ...], act: str) -> None:
    assert_matches_reference(add_model(shape, shape, shape, act), n_sets=3)


@pytest.mark.parametrize("s1,s2,out", [
    ((1, 4, 5, 3), (3,), (1, 4, 5, 3)),            # per-channel vector
    ((1, 4, 5, 3), (1, 1, 1, 3), (1, 4, 5, 3)),
    ((1, 1, 1, 3), (1, 4, 5, 3), (1, 4, 5, 3)),    # first input broadcast
    ((1, 4, 5, 3), (1, 4, 5, 1), (1, 4, 5, 3)),    # per-pixel scalar
    ((1, 4, 1, 3), (1, 1, 5, 1), (1, 4, 5, 3)),    # both broadcast
    ((2, 3, 1), (1,), (2, 3, 1)),                  # scalar-like
    ((1,), (6, 5), (6, 5)),
    ((2, 1, 3, 1, 2), (1, 4, 1, 5, 1), (2, 4, 3, 5, 2)),
])
def test_add_broadcast(s1: tuple[int, ...], s2: tuple[int, ...], out: tuple[int, ...]) -> None:
    assert_matches_reference(add_model(s1, s2, out, "RELU"), n_sets=3)


@pytest.mark.parametrize("q1,q2,qo", [
    ((0.039394, -128), (0.104195, 4), (0.050946, -128)),   # resnet_ic style, RELU output zp -128
    ((0.5, 127), (0.5, -128), (1.0, 0)),                     # equal input scales
    ((1e-3, 0), (2.0, 10), (2.5, -5)),                       # very different scales
    ((0.02, -3), (0.03, 5), (0.0004, 2)),                   # tiny output scale (saturates)
    ((3.0, -100), (0.01, 100), (6.0, 127)),
])
def test_add_quantization_extremes(q1, q2, qo) -> None:
    shape = (1, 6, 5, 4)
    for act in ("NONE", "RELU6"):
        assert_matches_reference(add_model(shape, shape, shape, act, q1, q2, qo), n_sets=2)


def test_add_constant_operand() -> None:
    rng = np.random.default_rng(1)
    c = rng.integers(-128, 128, (1, 1, 1, 8)).astype(np.int8)
    assert_matches_reference(add_model((1, 3, 3, 8), (1, 1, 1, 8), (1, 3, 3, 8), const2=c), n_sets=2)


@needs_flip
@pytest.mark.parametrize("act", ["NONE", "RELU"])
def test_add_legacy_uint8(act: str) -> None:
    shape = (1, 5, 7, 3)
    assert_matches_reference(add_model(shape, shape, shape, act, (0.05, 128), (0.1, 0), (0.12, 255), "uint8"),
                             n_sets=3)
    assert_matches_reference(add_model(shape, (3,), shape, act, (0.05, 100), (0.1, 17), (0.12, 130), "uint8"),
                             n_sets=2)


def test_add_in_place_chain(tmp_path: Path) -> None:
    """x -> ADD(x, y) -> ADD(t, y) -> ADD(t, t): the planner lets outputs overwrite dying inputs."""
    shape = (1, 4, 6, 5)
    tensors = [
        TensorSpec(shape, "int8", scale=0.05, zero_point=2),    # 0 x
        TensorSpec(shape, "int8", scale=0.07, zero_point=-3),   # 1 y
        TensorSpec(shape, "int8", scale=0.09, zero_point=1),    # 2 t1
        TensorSpec(shape, "int8", scale=0.11, zero_point=-1),   # 3 t2
        TensorSpec(shape, "int8", scale=0.2, zero_point=0),     # 4 out
    ]
    ops = [OpSpec("ADD", [0, 1], [2], {"fused_activation_function": "NONE"}),
           OpSpec("ADD", [2, 1], [3], {"fused_activation_function": "NONE"}),
           OpSpec("ADD", [3, 3], [4], {"fused_activation_function": "RELU"})]
    model = build_model(tensors, ops, [0, 1], [4])
    assert_matches_reference(model, n_sets=3)
    path = tmp_path / "chain.tflite"
    path.write_bytes(model)
    applied = compile_model(path).plan.in_place
    # op 0 overwrites x (y lives on), op 1 overwrites t1, op 2 overwrites t2 (read twice)
    assert [step for step, _ in applied] == [0, 1, 2], applied


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12))
def test_add_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rank = int(rng.integers(1, 6))
    out = tuple(int(d) for d in rng.integers(1, 7, rank))
    s1 = tuple(d if rng.random() < 0.6 else 1 for d in out)
    s2 = tuple(d if rng.random() < 0.6 else 1 for d in out)
    s2 = s2[int(rng.integers(0, rank)):] or (1,)
    out = tuple(np.broadcast_shapes(s1, s2))
    scales = np.exp(rng.uniform(np.log(1e-3), np.log(4.0), 3))
    if scales[2] * (1 << 20) <= 2 * max(scales[0], scales[1]):
        scales[2] = 2 * max(scales[0], scales[1])
    zps = rng.integers(-128, 128, 3)
    act = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"][seed % 4]
    dtype = "uint8" if seed % 3 == 2 and "TE_FLIP_SIGN" in REGISTRY else "int8"
    if dtype == "uint8":
        zps = zps + 128
    q1, q2, qo = [(float(scales[i]), int(zps[i])) for i in range(3)]
    assert_matches_reference(add_model(s1, s2, out, act, q1, q2, qo, dtype), n_sets=2)
