"""pip's wheel of the generator works away from the checkout: `tinyengine-gen run` finds the
kernels, headers and board support it carries (tinyengine_gen/runtime/) and gives the reference
bytes. The wheel is unpacked with pip into a directory that goes first on PYTHONPATH, so the
installed copy, not the checkout, is what runs (the dependencies come from this interpreter)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.integration.firmware_io import KWS_MODEL, REPO, missing_tools

pytestmark = pytest.mark.integration


@pytest.mark.slow
def test_wheel_install_runs_a_model(tmp_path: Path) -> None:
    if missing_tools("arm-none-eabi-gcc", "qemu-system-arm"):
        pytest.skip("needs arm-none-eabi-gcc and qemu-system-arm")
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                          "-w", str(tmp_path / "dist"), str(REPO)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    wheel = next((tmp_path / "dist").glob("tinyengine_gen-*.whl"))
    site = tmp_path / "site"
    res = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert (site / "tinyengine_gen" / "runtime" / "include" / "tinyengine" / "te_common.h").is_file()

    data = np.full(490, 7, dtype=np.int8)
    (tmp_path / "in.bin").write_bytes(data.tobytes())
    env = {"PYTHONPATH": str(site), "PATH": __import__("os").environ["PATH"], "HOME": str(tmp_path)}
    res = subprocess.run([sys.executable, "-c", "import tinyengine_gen.targets as t; print(t.REPO_ROOT)"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert res.stdout.strip() == str(site / "tinyengine_gen" / "runtime"), res.stdout + res.stderr
    res = subprocess.run([sys.executable, "-m", "tinyengine_gen", "run", str(KWS_MODEL), "--core", "m4",
                          "--input", str(tmp_path / "in.bin"), "--workdir", str(tmp_path / "work")],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    from tests.support.oracle import run_reference

    expected = run_reference(KWS_MODEL, [data.reshape(1, 49, 10, 1)])[0].reshape(-1)
    assert f"output 0 (int8[1, 12]): {' '.join(str(v) for v in expected)}" in res.stdout, res.stdout
