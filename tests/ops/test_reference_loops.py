"""The TE_FORCE_PORTABLE reference loops of DEPTHWISE_CONV_2D and FULLY_CONNECTED (plain loops that
read like TFLite Micro's reference kernels, src/te_depthwise.c and src/te_fully_connected.c) give
the same bytes as the default portable kernels and the emulated DSP kernels, and as LiteRT, over a
sweep of layers: both depthwise kernels' parameter layouts (planar, direct, plane mode, every
requantization form), both FC weight layouts (rows, quads) and both requantizations (integer
form, fp64 scales), legacy uint8 models with a filter offset.

Depthwise layers run the reference loop only out of place (a layer planned in place runs the
planar or direct kernel in TE_FORCE_PORTABLE builds too), so depthwise models are generated with
--no-in-place, and once in place for the fallback."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np
import pytest

from tests.ops.test_depthwise import dw_model, uses_direct
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


# ---- DEPTHWISE_CONV_2D ----------------------------------------------------------------------

DW_LAYERS = [
    # shape, kernel, stride, padding, depth_mult, dilation, act, kernel on DSP builds
    ((1, 13, 11, 8), (3, 3), (1, 1), "SAME", 1, (1, 1), "RELU6", "planar"),
    ((1, 12, 9, 6), (3, 3), (2, 2), "SAME", 1, (1, 1), "RELU", "planar"),
    ((2, 11, 10, 3), (3, 3), (1, 1), "SAME", 2, (2, 3), "RELU", "planar"),
    ((1, 15, 13, 3), (7, 7), (2, 2), "SAME", 1, (1, 1), "NONE", "planar"),     # the wide (LDRD) entry
    ((1, 9, 12, 3), (7, 5), (1, 2), "VALID", 3, (1, 1), "RELU_N1_TO_1", "planar"),
    ((1, 70, 40, 4), (3, 3), (1, 1), "SAME", 1, (1, 1), "NONE", "planar"),     # sliding window
    ((1, 1, 1, 3), (1, 1), (1, 1), "VALID", 1, (1, 1), "NONE", "planar"),      # the smallest window
    ((1, 7, 6, 8), (3, 3), (2, 2), "SAME", 1, (1, 1), "RELU6", "direct"),
    ((1, 5, 7, 12), (3, 3), (1, 1), "SAME", 1, (1, 1), "NONE", "direct"),      # plane mode on a small map
    ((1, 1, 1, 8), (3, 3), (1, 1), "SAME", 1, (1, 1), "RELU", "direct"),
    ((1, 9, 8, 4), (7, 7), (2, 1), "SAME", 1, (1, 1), "RELU6", "direct"),
    ((2, 6, 6, 16), (5, 5), (1, 1), "VALID", 1, (1, 1), "NONE", "direct"),
]


@pytest.mark.parametrize("shape,k,stride,padding,dm,dil,act,kernel", DW_LAYERS)
def test_dw_reference_loop(shape, k, stride, padding, dm, dil, act, kernel) -> None:
    model = dw_model(shape, k, stride, padding, depth_mult=dm, dilation=dil, act=act, seed=sum(shape) + k[0],
                     out_zp=-128 if act == "NONE" else 4)
    assert uses_direct(model) == (kernel == "direct")
    assert_reference_loop_equal(model, args=("--no-in-place",))


@pytest.mark.parametrize("stride", [(1, 1), (2, 2)])
def test_dw_reference_loop_requant_forms(stride) -> None:
    # Every requantization form in both parameter layouts: shift >= 0, -1, -2..-23 (the direct
    # kernel's fast form), below -23, a zero multiplier; stride 1 planar, stride 2 direct.
    in_scale, out_scale = 0.05, 0.1
    targets = [0.7, 1.5, 3.0, 0.3, 0.2, 2**-10, 2**-23.5, 2**-25, 2**-40, 0.01, 0.06, 0.12]
    model = dw_model((1, 10, 9, 12), (3, 3), stride, "SAME", act="NONE", in_scale=in_scale, out_scale=out_scale,
                     w_scales=[t * out_scale / in_scale for t in targets], seed=11)
    assert uses_direct(model) == (stride == (2, 2))
    assert_reference_loop_equal(model, args=("--no-in-place",))


@pytest.mark.parametrize("in_zp,out_zp,w_zp", [(128, 0, 149), (0, 255, 1), (77, 200, 255)])
def test_dw_reference_loop_legacy_uint8(in_zp: int, out_zp: int, w_zp: int) -> None:
    model = dw_model((1, 9, 10, 8), (3, 3), (2, 2), "SAME", act="RELU6", dtype="uint8", in_zp=in_zp,
                     in_scale=0.0235, out_zp=out_zp, out_scale=0.05, w_zp=w_zp, seed=w_zp)
    assert_reference_loop_equal(model, args=("--no-in-place",))


def test_dw_reference_loop_in_place_falls_back() -> None:
    # Planned in place (output over input): TE_FORCE_PORTABLE runs the portable kernels there.
    for kernel_shape in ((1, 13, 11, 8), (1, 7, 6, 8)):
        assert_reference_loop_equal(dw_model(kernel_shape, (3, 3), (1 + (kernel_shape[1] == 7),) * 2, "SAME",
                                             act="RELU6", seed=3))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(24))
def test_dw_reference_loop_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    kh, kw = (int(v) for v in rng.integers(1, 8, 2))
    sh, sw = (int(v) for v in rng.integers(1, 4, 2))
    dh, dw = (1, 1) if rng.random() < 0.6 else (int(v) for v in rng.integers(1, 3, 2))
    h, w = int(rng.integers((kh - 1) * dh + 1, 20)), int(rng.integers((kw - 1) * dw + 1, 20))
    c = int(rng.choice([1, 3, 4, 8, 12]))
    dm = 1 if rng.random() < 0.6 else int(rng.integers(2, 4))
    model = dw_model((int(rng.integers(1, 3)), h, w, c), (kh, kw), (sh, sw), str(rng.choice(["SAME", "VALID"])),
                     dilation=(dh, dw), depth_mult=dm, act=str(rng.choice(["NONE", "RELU", "RELU6"])),
                     per_channel=bool(rng.random() < 0.7), in_zp=int(rng.integers(-128, 128)),
                     out_zp=int(rng.integers(-128, 128)), seed=seed)
    assert_reference_loop_equal(model, args=("--no-in-place",), n_sets=2, seed=seed)


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
