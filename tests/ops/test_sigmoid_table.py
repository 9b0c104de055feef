"""The 256-entry sigmoid table of the int16 TANH / LOGISTIC kernels, measured from the oracle.

LiteRT's int16 TANH and LOGISTIC interpolate in a table of sigmoid(i / 24) in unsigned 0.16 fixed
point whose entries are not a rounding of the exact values (they differ by up to 1.1 units), so no
formula gives them. We measure them instead, black box, from LiteRT's int16 TANH: with an input scale
of 1 / (3 * 4096) (and twice that) the kernel's table index is the input itself (or twice it), and
at inputs whose fractional byte is 0 the output is `table[i] - 32768` exactly; the last entry
follows from the interpolated outputs before it. The test checks that src/te_activation.c holds
exactly the measured table.
"""
from __future__ import annotations

import re

import numpy as np

from tests.support.host import REPO
from tests.support.oracle import run_reference
from tests.support.tflite_build import TensorSpec, build_single_op_model


def _tanh_outputs(input_scale: float) -> np.ndarray:
    x = np.arange(32768, dtype=np.int16).reshape(1, -1)
    model = build_single_op_model("TANH", [TensorSpec(x.shape, "int16", scale=input_scale, zero_point=0)],
                                  [TensorSpec(x.shape, "int16", scale=2.0 ** -15, zero_point=0)])
    return run_reference(model, [x])[0].reshape(-1).astype(np.int64)


def measured_sigmoid_table() -> list[int]:
    """table[i] for i in 0..255, from LiteRT's int16 TANH outputs."""
    table: dict[int, int] = {}
    # TanhPrepare's general-scale path: multiplier = scale * 3 * 4096 doubled up to > 16383.5, so
    # scale 1 / 12288 gives index bits = x (x >> 8 the entry), 2 / 12288 gives 2x.
    for factor in (1, 2):
        out = _tanh_outputs(factor / 12288.0)
        for x in range(0, 32768, 256 // factor):
            idx = (factor * x) >> 8
            if idx < 255:
                table[idx] = int(out[x]) + 32768
        # The last entry: the outputs between entries 254 and 255 interpolate towards it.
        if factor == 2:
            ua = table[254]
            xs = [x for x in range(32768) if (2 * x) >> 8 == 254]
            fits = [ub for ub in range(ua, 65536)
                    if all(((ua << 8) + ((2 * x) & 0xFF) * (ub - ua) - (1 << 23) + (1 << 7)) >> 8 == out[x]
                           for x in xs)]
            assert len(fits) >= 1, "no last entry explains the reference's outputs"
            table[255] = fits[0] if len(fits) == 1 else min(fits, key=lambda v: abs(v - 65535))
    assert sorted(table) == list(range(256))
    return [table[i] for i in range(256)]


def committed_sigmoid_table() -> list[int]:
    src = (REPO / "src" / "te_activation.c").read_text()
    body = re.search(r"te_sigmoid_table_u16\[256\]\s*=\s*\{(.*?)\};", src, re.S)
    assert body is not None
    return [int(v) for v in re.findall(r"\d+", body.group(1))]


def test_committed_sigmoid_table_is_the_measured_one() -> None:
    assert committed_sigmoid_table() == measured_sigmoid_table()
