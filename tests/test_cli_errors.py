"""Bad input gets one clear line and a non-zero exit, never a traceback, and leaves no generated files."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.support import shared_models_dir
from tests.support.host import REPO
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model

GOOD = shared_models_dir() / "tflite-micro" / "hello_world_int8.tflite"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(REPO / "python")}
    return subprocess.run([sys.executable, "-m", "tinyengine_gen", *args], capture_output=True, text=True,
                          env={**__import__("os").environ, **env})


def assert_one_line_error(res: subprocess.CompletedProcess, code: int, *needles: str) -> None:
    assert res.returncode == code, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("tinyengine-gen: error: ")
    assert "Traceback" not in res.stderr
    for n in needles:
        assert n in lines[0], lines[0]


def unsupported_op_model() -> bytes:
    """Two int8 SIN ops (TFLite has SIN for float only): the message groups them."""
    tensors = [TensorSpec((1, 8), "int8", scale=0.1, zero_point=0),
               TensorSpec((1, 8), "int8", scale=1 / 128, zero_point=0),
               TensorSpec((1, 8), "int8", scale=1 / 128, zero_point=0)]
    return build_model(tensors, [OpSpec("SIN", [0], [1]), OpSpec("SIN", [1], [2])], [0], [2])


def hybrid_model() -> bytes:
    """A float FULLY_CONNECTED with int8 weights (dynamic-range quantization): not supported."""
    rng = np.random.default_rng(0)
    x = TensorSpec((1, 4), "float32")
    w = TensorSpec((3, 4), "int8", scale=0.02, zero_point=0, data=rng.integers(-127, 128, (3, 4)).astype(np.int8))
    y = TensorSpec((1, 3), "float32")
    return build_single_op_model("FULLY_CONNECTED", [x, w, None], [y])


@pytest.mark.parametrize("case", ["truncated", "empty", "text", "unsupported", "hybrid", "missing", "directory"])
def test_bad_model_gives_one_line_and_no_output(case: str, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    model = tmp_path / "model.tflite"
    code, needles = 1, ()
    if case == "truncated":
        model.write_bytes(GOOD.read_bytes()[:900])
        needles = ("truncated",)
    elif case == "empty":
        model.write_bytes(b"")
        needles = ("empty",)
    elif case == "text":
        model.write_text("this is a README renamed to .tflite\n" * 20)
        needles = ("not a .tflite model",)
    elif case == "unsupported":
        model.write_bytes(unsupported_op_model())
        code, needles = 2, ("model.tflite: unsupported ops: SIN x2 (int8, first at op index 0)",
                            "'tinyengine-gen ops' lists")
    elif case == "hybrid":
        model.write_bytes(hybrid_model())
        needles = ("FULLY_CONNECTED at op index 0", "hybrid")
    elif case == "missing":
        model = tmp_path / "nope.tflite"
        needles = ("not found", "nope.tflite")
    elif case == "directory":
        model = tmp_path
        needles = ("directory",)
    res = run_cli(str(model), "-o", str(out), "--name", "model")
    assert_one_line_error(res, code, *needles)
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())


def test_failed_run_removes_stale_output_of_same_name(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert run_cli(str(GOOD), "-o", str(out), "--name", "model").returncode == 0
    assert (out / "model.c").exists() and (out / "model.h").exists()
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(GOOD.read_bytes()[:500])
    res = run_cli(str(bad), "-o", str(out), "--name", "model")
    assert res.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == []


def test_report_prints_layers_and_totals() -> None:
    res = run_cli("report", str(shared_models_dir() / "mlcommons-tiny" / "ad01_int8.tflite"))
    assert res.returncode == 0, res.stderr
    assert "FULLY_CONNECTED" in res.stdout and "MACs" in res.stdout
    assert "264,192 MACs" in res.stdout
    assert "lower bound" in res.stdout


@pytest.mark.parametrize("cut", [900, 2000, 17])
def test_corrupt_model_message_is_plain(cut: int, tmp_path: Path) -> None:
    """No Python internals ("unpack_from requires a buffer ..."): one sentence naming the file."""
    model = tmp_path / "cut.tflite"
    model.write_bytes(GOOD.read_bytes()[:cut])
    res = run_cli(str(model), "-o", str(tmp_path / "gen"))
    assert_one_line_error(res, 1, str(model))
    for internal in ("unpack_from", "struct", "Error:", "Traceback", "buffer of at least"):
        assert internal not in res.stderr, res.stderr


def test_op_errors_name_the_model_file(tmp_path: Path) -> None:
    from tests.ops.test_lstm import lstm_model

    model = tmp_path / "coarse_cell.tflite"  # a cell state scale the integer kernel cannot take
    model.write_bytes(lstm_model(1, 2, 4, 4, seed=1, cell_scale=-8))
    res = run_cli(str(model), "-o", str(tmp_path / "gen"), "--name", "other_c_name")
    assert_one_line_error(res, 1, f"{model}: UNIDIRECTIONAL_SEQUENCE_LSTM at op index 0: cell state scale")
    assert "other_c_name" not in res.stderr
