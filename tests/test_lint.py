"""The Python code stays lint clean (ruff, configured in pyproject.toml)."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.support.host import REPO


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str((REPO / ".venv" / "bin" / "ruff"))
    if not shutil.which(ruff):
        pytest.skip("ruff is not installed (pip install -e .[test])")
    res = subprocess.run([ruff, "check", "--no-cache", str(REPO)], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert sys.version_info >= (3, 9)
