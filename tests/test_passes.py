"""Graph passes keep results exact: a spatial PAD folded into the next convolution."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import OpSpec, TensorSpec, build_model
from tinyengine_gen.pipeline import compile_model


def pad_conv_model(pads: list[list[int]], k: int, stride: int, in_zp: int, seed: int,
                   depthwise: bool = False) -> bytes:
    rng = np.random.default_rng(seed)
    n, h, w, c, oc = 1, 9, 8, (8 if depthwise else 3), (8 if depthwise else 5)
    ph, pw = h + pads[1][0] + pads[1][1], w + pads[2][0] + pads[2][1]
    oh, ow = (ph - k) // stride + 1, (pw - k) // stride + 1
    tensors = [
        TensorSpec((n, h, w, c), "int8", scale=0.05, zero_point=in_zp),
        TensorSpec((4, 2), "int32", data=np.array(pads, np.int32)),
        TensorSpec((n, ph, pw, c), "int8", scale=0.05, zero_point=in_zp),
        TensorSpec((1, k, k, oc) if depthwise else (oc, k, k, c), "int8",
                   scale=list(rng.uniform(0.005, 0.02, oc)), zero_point=[0] * oc,
                   quantized_dimension=3 if depthwise else 0,
                   data=rng.integers(-127, 128, (1, k, k, oc) if depthwise else (oc, k, k, c)).astype(np.int8)),
        TensorSpec((oc,), "int32", data=rng.integers(-2000, 2000, oc).astype(np.int32)),
        TensorSpec((n, oh, ow, oc), "int8", scale=0.1, zero_point=-4),
    ]
    ops = [OpSpec("PAD", [0, 1], [2]),
           OpSpec("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [2, 3, 4], [5],
                  {"padding": "VALID", "stride_w": stride, "stride_h": stride, "fused_activation_function": "RELU6"})]
    return build_model(tensors, ops, [0], [5])


@pytest.mark.parametrize("pads,k,stride", [
    ([[0, 0], [1, 1], [1, 1], [0, 0]], 3, 1),
    ([[0, 0], [0, 1], [0, 1], [0, 0]], 3, 2),   # TF's asymmetric SAME for stride 2
    ([[0, 0], [2, 0], [1, 3], [0, 0]], 3, 1),
    ([[0, 0], [1, 1], [1, 1], [0, 0]], 1, 1),   # a padded 1x1 must not take the pointwise kernel
])
@pytest.mark.parametrize("in_zp", [-128, 7])
@pytest.mark.parametrize("depthwise", [False, True], ids=["conv", "depthwise"])
def test_pad_folds_into_conv_exactly(pads, k: int, stride: int, in_zp: int, depthwise: bool, tmp_path: Path) -> None:
    model = pad_conv_model(pads, k, stride, in_zp, seed=k + stride, depthwise=depthwise)
    assert_matches_reference(model, n_sets=3)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    kinds = [c.op.kind for c in compile_model(path).calls]
    assert kinds == ["DEPTHWISE_CONV_2D" if depthwise else "CONV_2D"], kinds
