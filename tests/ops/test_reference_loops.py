"""The TE_FORCE_PORTABLE reference loop of FULLY_CONNECTED (a plain loop that reads like TFLite
Micro's reference kernel, src/te_fully_connected.c) gives the same bytes as the default portable
kernels and the emulated DSP kernels, and as LiteRT, over a sweep of layers: both weight layouts
(rows, quads) and both requantizations (integer form, fp64 scales), a filter offset."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np
import pytest

from tests.ops.test_fully_connected import fc_model
from tests.support.host import run_host
from tests.support.optest import build_model_exe, generate
from tests.support.oracle import load_model_bytes, model_io, random_inputs, run_reference_sequence

VARIANTS: dict[str, tuple[str, ...]] = {
    "portable": (),
    "dsp": ("-DTE_EMULATE_DSP",),
    "reference": ("-DTE_FORCE_PORTABLE",),
}


def assert_reference_loop_equal(model: bytes, args: Sequence[str] = (), n_sets: int = 3, seed: int = 0) -> None:
    """Every variant's outputs over one sequence of calls equal the reference loop's, byte for byte
    (and LiteRT's)."""
    model_bytes = load_model_bytes(model)
    gen_dir = generate(model_bytes, Path(tempfile.mkdtemp(prefix="refloop-")), "m", args)
    _, outs = model_io(model_bytes)
    rng = np.random.default_rng(seed)
    sets = [random_inputs(model_bytes, rng) for _ in range(n_sets)]
    got = {}
    for variant, flags in VARIANTS.items():
        exe = build_model_exe(gen_dir, "m", extra=flags, exe_name=f"m_{variant}")
        got[variant] = run_host(exe, sets, [(o.shape, o.dtype) for o in outs])
    got["litert"] = run_reference_sequence(model_bytes, sets)
    for variant, results in got.items():
        for k, (want, have) in enumerate(zip(got["reference"], results)):
            for j, (w, g) in enumerate(zip(want, have)):
                diff = int(np.sum(w != g))
                assert w.tobytes() == g.tobytes(), \
                    f"call {k}, output {j}: {variant} differs from the reference loop in {diff} of {w.size} values"


# ---- FULLY_CONNECTED ------------------------------------------------------------------------

FC_LAYERS = [
    # batches, depth, units, act, per_channel, bias, in_zp, out_scale, w_zp
    (1, 1, 1, "NONE", False, True, 5, 0.3, 0),
    (1, 3, 6, "RELU", False, True, -128, 0.01, 0),       # depth < 4: quads are rows
    (1, 7, 3, "RELU6", True, False, 127, 2.5, 0),
    (2, 64, 10, "NONE", True, True, -7, 40.0, 0),
    (1, 250, 17, "RELU_N1_TO_1", False, True, 0, 1e-4, 0),
    (1, 600, 9, "NONE", True, True, 3, 0.5, 0),          # > 127 quad steps: several segments
    (2, 37, 11, "RELU", False, True, 9, 0.4, 3),         # filter offset: rows, no folding
    (1, 16, 4, "NONE", False, False, -1, 0.2, -90),
]


@pytest.mark.parametrize("batches,depth,units,act,per_channel,bias,in_zp,out_scale,w_zp", FC_LAYERS)
def test_fc_reference_loop(batches, depth, units, act, per_channel, bias, in_zp, out_scale, w_zp) -> None:
    assert_reference_loop_equal(fc_model(batches, depth, units, act, per_channel, bias, in_zp, out_scale,
                                         seed=depth + units, w_zp=w_zp))


def test_fc_reference_loop_extreme_weights() -> None:
    # Weights of -127 and 127 only (the quad layout's largest pair words) and the whole int8 input range.
    rng = np.random.default_rng(4)
    weights = rng.choice(np.array([-127, 127], np.int8), (9, 520))
    assert_reference_loop_equal(fc_model(1, 520, 9, "NONE", True, True, -128, 2.0, seed=4, weights=weights))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(24))
def test_fc_reference_loop_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(2000 + seed)
    per_channel = bool(rng.random() < 0.5)
    assert_reference_loop_equal(fc_model(int(rng.integers(1, 4)), int(rng.integers(1, 300)), int(rng.integers(1, 24)),
                                         str(rng.choice(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])), per_channel,
                                         bool(rng.random() < 0.8), int(rng.integers(-128, 128)),
                                         float(10 ** rng.uniform(-3, 1.5)), seed=seed,
                                         w_zp=0 if per_channel or rng.random() < 0.7 else int(rng.integers(-20, 20))),
                                n_sets=2, seed=seed)
