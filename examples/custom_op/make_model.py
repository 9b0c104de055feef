"""Builds clamp_model.tflite, the example's model: FULLY_CONNECTED (16 -> 8, int8) then a CUSTOM op
"Clamp" whose custom options are two bytes, the int8 bounds lo and hi (quantized values).
Run from anywhere: python3 examples/custom_op/make_model.py (it uses the repository's test
support to write the flatbuffer)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.support.tflite_build import OpSpec, TensorSpec, build_model  # noqa: E402

LO, HI = -40, 50  # the Clamp op's bounds, stored in its custom options


def build(with_clamp: bool = True) -> bytes:
    """The example model; without the Clamp op (for checking it), its FULLY_CONNECTED alone."""
    rng = np.random.default_rng(7)
    x = TensorSpec((1, 16), "int8", scale=0.02, zero_point=-5, name="features")
    w = TensorSpec((8, 16), "int8", scale=0.01, zero_point=0, data=rng.integers(-127, 128, (8, 16)), name="w")
    b = TensorSpec((8,), "int32", scale=0.0002, zero_point=0, data=rng.integers(-3000, 3000, 8), name="b")
    h = TensorSpec((1, 8), "int8", scale=0.05, zero_point=2, name="scores")
    y = TensorSpec((1, 8), "int8", scale=0.05, zero_point=2, name="clamped")
    ops = [OpSpec("FULLY_CONNECTED", [0, 1, 2], [3], {"fused_activation_function": "NONE"})]
    if not with_clamp:
        return build_model([x, w, b, h], ops, [0], [3])
    ops.append(OpSpec("CUSTOM", [3], [4], custom_code="Clamp", custom_options=bytes([LO & 0xFF, HI & 0xFF])))
    return build_model([x, w, b, h, y], ops, [0], [4])


if __name__ == "__main__":
    out = Path(__file__).with_name("clamp_model.tflite")
    out.write_bytes(build())
    print(f"wrote {out}")
