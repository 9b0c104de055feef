"""UNIDIRECTIONAL_SEQUENCE_LSTM (fully integer, int8 x int8 -> int16 cell state) against LiteRT's
reference kernels, byte for byte, on both kernel paths.

Single-op models with random weights, biases, scales and zero points: unit counts that are not
multiples of 4, odd input sizes, a few time steps, time-major and batch-major, batch > 1, cell
clipping, several cell state scales (2^-9 .. 2^-15, the whole range the reference accepts), and
gate scales on both sides of 1/2 (the generator's doubled-accumulator requantization and the
generic one). The state tensors are variable tensors, which LiteRT keeps between invokes: the
input sets are one sequence of calls on one interpreter and of the generated model in one process
(then again after a reset), so every call depends on the state the ones before left.

The activations are also checked exhaustively: gemmlowp's int16 logistic / tanh as the portable
C path computes them, as the DSP path computes them from the generator's tables, and the
generator's own fixed-point replay agree on every int16 input.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.support.host import REPO, STRICT, run_host
from tests.support.optest import (
    KERNEL_VARIANTS,
    assert_firmware_matches_reference,
    assert_matches_reference,
    build_model_exe,
    generate,
)
from tests.support.oracle import model_io, random_inputs, run_reference_sequence
from tests.support.tflite_build import TensorSpec, build_single_op_model
from tinyengine_gen import ops as _ops  # noqa: F401  (registers the lowerings)
from tinyengine_gen import targets
from tinyengine_gen.errors import TinyEngineError
from tinyengine_gen.ops import lstm
from tinyengine_gen.ops.base import LoweringError
from tinyengine_gen.passes import run_passes
from tinyengine_gen.pipeline import lower
from tinyengine_gen.reader import read_model_bytes


def lstm_model(n_batch: int, n_steps: int, n_input: int, n_cell: int, *, seed: int, time_major: bool = False,
               cell_scale: int = -12, cell_clip: float = 0.0, gate_gain: float = 0.3, rank: int = 3,
               hidden_zp: int | None = None, cifg: bool = False, peephole: bool = False,
               projection: bool = False, layer_norm: bool = False, x_dtype: str = "int8",
               state_data: bool = False) -> bytes:
    """A one-op integer LSTM as the TFLite converter lays it out (24 inputs, 5 intermediates, the
    hidden and cell states as variable tensors). gate_gain sets the typical effective gate scale
    w_scale * x_scale * 2^12 (fast requantization needs < 1/2 on every gate)."""
    rng = np.random.default_rng(seed)
    x_scale = float(rng.uniform(0.004, 0.03))
    h_scale = float(rng.uniform(0.004, 0.012))
    h_zp = int(rng.integers(-20, 21)) if hidden_zp is None else hidden_zp
    if rank == 2:
        x_shape = (n_batch, n_input)
        y_shape = (n_batch, n_cell)
    elif time_major:
        x_shape, y_shape = (n_steps, n_batch, n_input), (n_steps, n_batch, n_cell)
    else:
        x_shape, y_shape = (n_batch, n_steps, n_input), (n_batch, n_steps, n_cell)
    x = TensorSpec(x_shape, x_dtype, scale=x_scale if x_dtype == "int8" else None,
                   zero_point=int(rng.integers(-128, 128)) if x_dtype == "int8" else None, name="x")

    def weights(cols: int, src_scale: float, name: str) -> TensorSpec:
        # spread the gain over [gain / 3, gain * 1.5]
        scale = gate_gain * float(rng.uniform(1 / 3, 1.5)) / (src_scale * 4096)
        data = rng.integers(-127, 128, size=(n_cell, cols)).astype(np.int8)
        return TensorSpec((n_cell, cols), "int8", scale=scale, zero_point=0, data=data, name=name)

    w_in = [weights(n_input, x_scale, f"w_in_{g}") for g in lstm.GATE_NAMES]
    w_rec = [weights(n_cell, h_scale, f"w_rec_{g}") for g in lstm.GATE_NAMES]
    biases = [TensorSpec((n_cell,), "int32", scale=w.scale * x_scale, zero_point=0, name=f"b_{g}",
                         data=rng.integers(-40000, 40001, size=n_cell).astype(np.int32))
              for w, g in zip(w_in, lstm.GATE_NAMES)]
    h = TensorSpec((n_batch, n_cell), "int8", scale=h_scale, zero_point=h_zp, is_variable=not state_data, name="h",
                   data=np.full((n_batch, n_cell), h_zp, np.int8) if state_data else None)
    c = TensorSpec((n_batch, n_cell), "int16", scale=2.0 ** cell_scale, zero_point=0, is_variable=not state_data,
                   name="c", data=np.zeros((n_batch, n_cell), np.int16) if state_data else None)
    y = TensorSpec(y_shape, "int8", scale=h_scale, zero_point=h_zp, name="y")
    inputs: list[TensorSpec | None] = [x, *w_in, *w_rec, None, None, None, *biases, None, None, h, c,
                                       None, None, None, None]
    if cifg:
        inputs[1] = inputs[5] = inputs[12] = None
    if peephole:
        for i in (9, 10, 11):
            inputs[i] = TensorSpec((n_cell,), "int16", scale=0.001, zero_point=0,
                                   data=np.ones(n_cell, np.int16), name=f"peep{i}")
    if projection:
        inputs[16] = TensorSpec((n_cell, n_cell), "int8", scale=0.01, zero_point=0,
                                data=np.ones((n_cell, n_cell), np.int8), name="proj")
    if layer_norm:
        for i in (20, 21, 22, 23):
            inputs[i] = TensorSpec((n_cell,), "int16", scale=0.001, zero_point=0,
                                   data=np.ones(n_cell, np.int16), name=f"ln{i}")
    intermediates = [TensorSpec((0,), "float32", name=f"gate{i}") for i in range(4)]
    intermediates.append(TensorSpec((0,), "int8", scale=h_scale, zero_point=h_zp, name="hidden"))
    options = {"time_major": time_major, "cell_clip": cell_clip}
    return build_single_op_model("UNIDIRECTIONAL_SEQUENCE_LSTM", inputs, [y], options, intermediates)


def check(model: bytes, n_sets: int = 4, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    sets = [random_inputs(model, rng) for _ in range(n_sets)]
    # extremes drive every gate into saturation
    sets.append([np.full(s.shape, 127, s.dtype) for s in sets[0]])
    sets.append([np.full(s.shape, -128, s.dtype) for s in sets[0]])
    assert_matches_reference(model, input_sets=sets)


def lowered(model: bytes):
    graph = run_passes(read_model_bytes(model, "m"))
    return lower(graph)[0]


# --- against the reference ----------------------------------------------------------------------

@pytest.mark.parametrize("n_batch,n_steps,n_input,n_cell,time_major", [
    (1, 5, 28, 20, False),   # the shared model's shape, fewer steps
    (1, 3, 7, 5, False),     # odd input size, units not a multiple of 4
    (2, 4, 9, 6, True),      # time-major, batch 2
    (3, 2, 3, 10, False),    # batch-major, batch 3, more cells than inputs (no in-place output)
])
def test_lstm_shapes(n_batch: int, n_steps: int, n_input: int, n_cell: int, time_major: bool) -> None:
    model = lstm_model(n_batch, n_steps, n_input, n_cell, seed=n_input * 31 + n_cell, time_major=time_major)
    assert lowered(model).params["fast_rq"] == 1
    check(model, seed=n_cell)


@pytest.mark.parametrize("cell_scale", [-9, -11, -13, -15])
def test_lstm_cell_scales(cell_scale: int) -> None:
    """Every cell-state scale the reference accepts: tanh of the cell on 0 .. 6 integer bits."""
    check(lstm_model(1, 4, 6, 7, seed=100 - cell_scale, cell_scale=cell_scale, gate_gain=0.4), seed=1)


def test_lstm_cell_clip_and_zero_points() -> None:
    check(lstm_model(2, 4, 5, 9, seed=7, cell_clip=1.5, hidden_zp=-9, time_major=True), seed=2)


def test_lstm_generic_requantization() -> None:
    """Gate scales above 1/2: the kernels fall back to MultiplyByQuantizedMultiplier as written."""
    model = lstm_model(1, 4, 11, 6, seed=3, gate_gain=3.0)
    assert lowered(model).params["fast_rq"] == 0
    check(model, seed=3)


def test_lstm_one_step() -> None:
    check(lstm_model(3, 1, 8, 4, seed=5), seed=5)


def test_lstm_2d_input_is_rejected() -> None:
    """LiteRT's Prepare reads a third input dimension, so it cannot run 2-D inputs either."""
    with pytest.raises(LoweringError, match="3-D"):
        lowered(lstm_model(3, 1, 8, 4, seed=5, rank=2))


def test_lstm_constant_initial_state(tmp_path: Path) -> None:
    """States given as constants (LiteRT refuses those) start from their data: with the reset
    values as data, the sequence is the variable-state model's."""
    shape = dict(n_batch=2, n_steps=3, n_input=6, n_cell=5, seed=13, time_major=True, hidden_zp=7)
    stateful, constant = lstm_model(**shape), lstm_model(**shape, state_data=True)
    assert [t.initial is not None for t in lowered(constant).inputs[1:]] == [True, True]
    rng = np.random.default_rng(13)
    sets = [random_inputs(stateful, rng) for _ in range(4)]
    gen = generate(constant, tmp_path, "m")
    _, outs = model_io(stateful)
    wants = run_reference_sequence(stateful, sets, repeat_after_reset=True)
    for variant, flags in KERNEL_VARIANTS.items():
        got = run_host(build_model_exe(gen, "m", extra=flags, exe_name=f"m_{variant}"), sets + sets,
                       [(o.shape, o.dtype) for o in outs], reset_every=len(sets))
        for k, (want, outputs) in enumerate(zip(wants, got)):
            assert outputs[0].tobytes() == want[0].tobytes(), f"{variant}: call {k}"


def test_lstm_output_in_place_over_input() -> None:
    call = lowered(lstm_model(1, 3, 8, 4, seed=9))
    assert call.inplace == [(0, 0)]
    assert lowered(lstm_model(1, 3, 4, 8, seed=9)).inplace == []


@pytest.mark.slow
def test_lstm_wide() -> None:
    """More columns than one pass of the kernels' unrolled loops, 64 cells."""
    check(lstm_model(1, 3, 130, 64, seed=21, gate_gain=0.2), seed=21)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(24))
def test_lstm_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    model = lstm_model(int(rng.integers(1, 4)), int(rng.integers(1, 9)), int(rng.integers(1, 40)),
                       int(rng.integers(1, 33)), seed=seed, time_major=bool(rng.integers(0, 2)),
                       cell_scale=int(rng.integers(-15, -8)), cell_clip=float(rng.choice([0.0, 1.0, 5.0])),
                       gate_gain=float(rng.choice([0.1, 0.3, 0.45, 1.5])))
    check(model, n_sets=6, seed=seed)


# The Arm DSP cores run phase A in hand-written assembly, which the host tests cannot reach.
_targets_ok, _targets_why = targets.toolchain_status(need_qemu=True)


@pytest.mark.slow
@pytest.mark.emulated
@pytest.mark.skipif(not _targets_ok, reason=f"emulated targets unavailable: {_targets_why}")
@pytest.mark.parametrize("core", ["m4", "m55"])
@pytest.mark.parametrize("variant", [dict(time_major=True), dict(gate_gain=3.0), dict(cell_scale=-9, cell_clip=2.0)],
                         ids=["time-major", "generic-rq", "clip"])
def test_lstm_on_emulated_core(core: str, variant: dict, tmp_path: Path) -> None:
    model = lstm_model(2, 5, 13, 7, seed=11, **variant)
    gen = generate(model, tmp_path / "gen", "model")
    elf = targets.build_firmware(core, gen, "model", tmp_path / "fw")
    rng = np.random.default_rng(4)
    sets = [random_inputs(model, rng) for _ in range(4)]
    assert_firmware_matches_reference(core, elf, model, sets, gen, "model")


# --- unsupported variants ---------------------------------------------------------------------------

@pytest.mark.parametrize("variant,message", [
    (dict(cifg=True), "CIFG"),
    (dict(peephole=True), "peephole"),
    (dict(projection=True), "projection"),
    (dict(layer_norm=True), "layer normalization"),
])
def test_lstm_unsupported_variants_are_named(variant: dict, message: str) -> None:
    with pytest.raises(LoweringError, match=message):
        lowered(lstm_model(1, 2, 4, 4, seed=1, **variant))


def test_lstm_hybrid_input_is_refused() -> None:
    """Float input with int8 weights (a hybrid LSTM); the float LSTM is tests/ops/test_float.py's."""
    with pytest.raises(TinyEngineError, match=r"UNIDIRECTIONAL_SEQUENCE_LSTM at op index 0: .*hybrid"):
        lowered(lstm_model(1, 2, 4, 4, seed=1, x_dtype="float32"))


def test_lstm_cell_scale_outside_the_reference_range_is_rejected() -> None:
    with pytest.raises(LoweringError, match="cell state scale"):
        lowered(lstm_model(1, 2, 4, 4, seed=1, cell_scale=-8))


# --- the activations, exhaustively -------------------------------------------------------------------

# Reads the tables (exp_sigmoid 4096, exp_tanh 2048, exp_hidden, 512 reciprocal words) and the cell
# scale from stdin, writes sigmoid(x), tanh_3(x) and tanh_(15 + cell_scale)(x) for x = -32768 .. 32767.
HARNESS = r"""
#include <stdio.h>
#include <stdlib.h>
#include "tinyengine/te_lstm.h"

static int16_t sig[4096], tnh[2048], hid[4096];
static uint32_t bits[512];

int main(void)
{
    te_lstm_params p = {0};
    te_lstm_weights w = {0};
    int32_t cell_scale, hidden_n, x;
    if (fread(&cell_scale, 4, 1, stdin) != 1 || fread(&hidden_n, 4, 1, stdin) != 1 || hidden_n > 4096 ||
        fread(sig, 2, 4096, stdin) != 4096 || fread(tnh, 2, 2048, stdin) != 2048 ||
        fread(hid, 2, (size_t)hidden_n, stdin) != (size_t)hidden_n || fread(bits, 4, 512, stdin) != 512) {
        return 2;
    }
    p.cell_scale = cell_scale;
    w.exp_sigmoid = sig;
    w.exp_tanh = tnh;
    w.exp_hidden = hid;
    w.recip_bits = bits;
    for (x = -32768; x < 32768; ++x) {
        const int16_t out[3] = {(int16_t)te_lstm_sigmoid_q3_12(&p, &w, x), (int16_t)te_lstm_tanh(&p, &w, x, 3),
                                (int16_t)te_lstm_tanh(&p, &w, x, 15 + cell_scale)};
        fwrite(out, 2, 3, stdout);
    }
    return 0;
}
"""


@pytest.fixture(scope="module")
def activation_exes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("lstm_act")
    src = d / "main.c"
    src.write_text(HARNESS)
    exes = {}
    for variant, flags in KERNEL_VARIANTS.items():
        exe = d / variant
        cmd = ["gcc", *STRICT, "-O2", *flags, f"-I{REPO / 'include'}", str(src), str(REPO / "src" / "te_lstm.c"),
               "-o", str(exe)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr[-3000:]
        exes[variant] = exe
    return exes


@pytest.mark.parametrize("cell_scale", [-12, -9, -13, -15])
def test_activations_exhaustive(activation_exes: dict[str, Path], cell_scale: int) -> None:
    hk = 16 + cell_scale
    hidden = lstm.exp_table(hk)
    blob = (np.array([cell_scale, hidden.size], "<i4").tobytes() + lstm.exp_table(3).astype("<i2").tobytes()
            + lstm.exp_table(4).astype("<i2").tobytes() + hidden.astype("<i2").tobytes()
            + lstm.reciprocal_bits().astype("<u4").tobytes())
    x = np.arange(-32768, 32768, dtype=np.int64)
    want = np.stack([lstm.logistic_q(x, 3), lstm.tanh_q(x, 3), lstm.tanh_q(x, 15 + cell_scale)], axis=1)
    for variant, exe in activation_exes.items():
        res = subprocess.run([str(exe)], input=blob, capture_output=True, timeout=60)
        assert res.returncode == 0, variant
        got = np.frombuffer(res.stdout, "<i2").reshape(-1, 3).astype(np.int64)
        for j, name in enumerate(["sigmoid Q3.12", "tanh Q3.12", f"tanh Q{15 + cell_scale}"]):
            bad = np.flatnonzero(got[:, j] != want[:, j])
            assert bad.size == 0, (f"{variant}: {name} differs at {bad.size} inputs, first x = {x[bad[0]]}: "
                                   f"{got[bad[0], j]} vs {want[bad[0], j]}")


def test_reciprocal_table_reproduces_newton_raphson() -> None:
    """The kernel's division + correction bit equals gemmlowp's three Newton-Raphson steps."""
    hd = np.arange(lstm.RECIP_FIRST, 2 * lstm.RECIP_FIRST, dtype=np.int64)
    words = lstm.reciprocal_bits().astype(np.int64)
    bits = (words[(hd - lstm.RECIP_FIRST) >> 5] >> (hd & 31)) & 1
    assert np.array_equal(lstm.reciprocal_fast(hd, bits), lstm.newton_reciprocal(2 * hd - 32768))
