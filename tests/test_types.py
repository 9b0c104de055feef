"""The generator type-checks clean (mypy, configured in pyproject.toml's [tool.mypy])."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support.host import REPO


def test_mypy_is_clean() -> None:
    mypy = shutil.which("mypy") or str(REPO / ".venv" / "bin" / "mypy")
    if not shutil.which(mypy):
        pytest.skip("mypy is not installed (pip install -e .[test])")
    # The cache stays outside the tree; warm, a run takes about a second, cold about 15 s.
    res = subprocess.run([mypy, "--config-file", str(REPO / "pyproject.toml"), "--cache-dir",
                          str(REPO / "build" / ".mypy_cache")], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
