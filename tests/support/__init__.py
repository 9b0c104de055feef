"""Test-support layer shared by op-level and model-level tests (model builder, LiteRT oracle)."""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]


def shared_models_dir() -> Path:
    """Real .tflite models live outside the repo; TINYENGINE_SHARED_MODELS relocates them."""
    return Path(os.environ.get("TINYENGINE_SHARED_MODELS", _REPO.parent / "shared" / "models"))
