"""FULLY_CONNECTED against the LiteRT reference: per-tensor and per-channel weights, activations, batches."""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import TensorSpec, build_single_op_model


def fc_model(batches: int, depth: int, units: int, act: str, per_channel: bool, bias: bool,
             in_zp: int, out_scale: float, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    w_scale = list(rng.uniform(0.002, 0.05, units)) if per_channel else 0.02
    inputs = [
        TensorSpec((batches, depth), "int8", scale=0.05, zero_point=in_zp),
        TensorSpec((units, depth), "int8", scale=w_scale, zero_point=[0] * units if per_channel else 0,
                   data=rng.integers(-127, 128, (units, depth)).astype(np.int8)),
        TensorSpec((units,), "int32", scale=0.001, zero_point=0,
                   data=rng.integers(-5000, 5000, units).astype(np.int32)) if bias else None,
    ]
    out = TensorSpec((batches, units), "int8", scale=out_scale, zero_point=-3)
    return build_single_op_model("FULLY_CONNECTED", inputs, [out], {"fused_activation_function": act})


@pytest.mark.parametrize("batches,depth,units", [(1, 1, 1), (1, 7, 3), (2, 64, 10), (1, 250, 17)])
@pytest.mark.parametrize("act", ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])
def test_fc_shapes_and_activations(batches: int, depth: int, units: int, act: str) -> None:
    assert_matches_reference(fc_model(batches, depth, units, act, False, True, 5, 0.3, seed=depth))


@pytest.mark.parametrize("per_channel", [False, True])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("in_zp,out_scale", [(-128, 0.01), (127, 2.5), (0, 1e-4), (-7, 40.0)])
def test_fc_quantization_extremes(per_channel: bool, bias: bool, in_zp: int, out_scale: float) -> None:
    assert_matches_reference(fc_model(1, 33, 9, "NONE", per_channel, bias, in_zp, out_scale, seed=in_zp & 0xFF))
