"""The float models of ../shared/models-coverage (tflite-micro/*_float.tflite) generate, compile
strictly and match LiteRT byte for byte on the host over a sequence of calls (one process).
Emulated cores: tests/targets/test_float_on_cores.py."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support import shared_models_dir
from tests.support.optest import assert_matches_reference

COVERAGE = shared_models_dir().parent / "models-coverage" / "tflite-micro"
HELLO_FLOAT = COVERAGE / "hello_world_float.tflite"


def test_hello_world_float(tmp_path: Path) -> None:
    if not HELLO_FLOAT.is_file():
        pytest.skip(f"{HELLO_FLOAT} not found")
    xs = np.concatenate([np.linspace(-1.0, 7.5, 40, dtype=np.float32), np.array([0.0, -0.0, 1e-40, 3e38], np.float32)])
    assert_matches_reference(HELLO_FLOAT, input_sets=[[np.array([[x]], np.float32)] for x in xs], name="model",
                             workdir=tmp_path)


LSTM_FLOAT = COVERAGE / "trained_lstm_float.tflite"


def test_trained_lstm_float(tmp_path: Path) -> None:
    """28 steps of the float LSTM (Eigen's products and activations, te_lstm_f32), then FC and
    SOFTMAX; each call from the reset state (a fresh interpreter per input set)."""
    if not LSTM_FLOAT.is_file():
        pytest.skip(f"{LSTM_FLOAT} not found")
    assert_matches_reference(LSTM_FLOAT, n_sets=6, name="model", workdir=tmp_path)
