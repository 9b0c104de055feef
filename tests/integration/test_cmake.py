"""Plain CMake: examples/cmake (only tinyengine_add_model()) builds bare-metal firmware for QEMU's
mps2-an386 with arm-none-eabi-gcc; its printed outputs equal LiteRT's reference byte for byte, and
the generation step reruns exactly when it should.

The model is a copy in a temporary directory (passed with -DTINYENGINE_MODEL) so that the tests can
touch, change and break it without touching the repository.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.firmware_io import (
    KWS_MODEL,
    REPO,
    fc_model,
    missing_tools,
    parse_outputs,
    reference_outputs,
    run,
    unsupported_op_model,
)
from tests.support.readme_output import assert_readme_output

pytestmark = [pytest.mark.integration, pytest.mark.emulated]

_missing = missing_tools("cmake", "arm-none-eabi-gcc", "qemu-system-arm")
if _missing:
    pytestmark.append(pytest.mark.skip(reason=f"needs {', '.join(_missing)} on PATH (tools/bootstrap.sh installs them)"))

EXAMPLE = REPO / "examples" / "cmake"
GENERATOR = os.environ.get("TINYENGINE_TEST_CMAKE_GENERATOR") or ("Ninja" if shutil.which("ninja") else "Unix Makefiles")
GEN_MARK = "tinyengine: generating kws.c/.h"
TIMINGS: dict[str, float] = {}


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.build_dir = root / "build"
        self.model = root / "model.tflite"
        self.elf = self.build_dir / "firmware.elf"

    def configure(self, *extra: str, build_dir: Path | None = None) -> subprocess.CompletedProcess:
        cmd = ["cmake", "-S", str(EXAMPLE), "-B", str(build_dir or self.build_dir), "-G", GENERATOR,
               f"-DTINYENGINE_PYTHON={sys.executable}", f"-DTINYENGINE_MODEL={self.model}", *extra]
        res, secs = run(cmd, timeout=120)
        TIMINGS.setdefault("configure", secs)
        return res

    def build(self) -> tuple[subprocess.CompletedProcess, float]:
        return run(["cmake", "--build", str(self.build_dir), "--", *(["-j2"] if GENERATOR != "Ninja" else [])],
                   timeout=170)

    def build_ok(self) -> str:
        res, _ = self.build()
        assert res.returncode == 0, res.stdout
        return res.stdout

    def set_model(self, data: bytes) -> None:
        if self.model.is_file() and self.model.read_bytes() == data:
            return
        old = self.model.stat().st_mtime_ns if self.model.exists() else 0
        self.model.write_bytes(data)
        while self.model.stat().st_mtime_ns <= old:  # coarse time stamps: make the change visible
            time.sleep(0.05)
            os.utime(self.model)

    def run_firmware(self) -> tuple[str, list[bytes]]:
        cmd = ["qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none", "-icount", "shift=0",
               "-semihosting-config", "enable=on,target=native", "-kernel", str(self.elf)]
        res, secs = run(cmd, timeout=60, cwd=self.root, stdin=subprocess.DEVNULL)
        TIMINGS.setdefault("qemu run", secs)
        assert res.returncode == 0, f"firmware exited with {res.returncode}:\n{res.stdout}"
        return res.stdout, parse_outputs(res.stdout)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    p = Project(tmp_path_factory.mktemp("cmake_example"))
    p.set_model(KWS_MODEL.read_bytes())
    res = p.configure()
    assert res.returncode == 0, res.stdout
    yield p
    print("\nexamples/cmake timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in TIMINGS.items()))


def test_builds_and_runs_bit_exact(project: Project) -> None:
    project.set_model(KWS_MODEL.read_bytes())
    res, secs = project.build()
    TIMINGS.setdefault("first build", secs)
    assert res.returncode == 0, res.stdout
    text, outputs = project.run_firmware()
    assert "kws_invoke() = 0" in text
    assert outputs == reference_outputs(project.model), text
    assert len(outputs[0]) == 12 and "top class:" in text
    assert_readme_output("cmake-example", text)


def test_no_change_rebuild_does_nothing(project: Project) -> None:
    project.set_model(KWS_MODEL.read_bytes())
    project.build_ok()
    res, secs = project.build()
    TIMINGS["no-op rebuild"] = secs
    assert res.returncode == 0, res.stdout
    assert GEN_MARK not in res.stdout, res.stdout
    assert "Building C object" not in res.stdout and "Linking" not in res.stdout, res.stdout


def test_touched_unchanged_model_regenerates_without_recompiling(project: Project) -> None:
    project.set_model(KWS_MODEL.read_bytes())
    project.build_ok()
    before = project.elf.stat().st_mtime_ns
    old = project.model.stat().st_mtime_ns
    while project.model.stat().st_mtime_ns <= old:
        time.sleep(0.05)
        os.utime(project.model)
    out = project.build_ok()
    assert GEN_MARK in out and "(unchanged)" in out, out
    if GENERATOR == "Ninja":  # Ninja re-stats the untouched outputs: nothing downstream reruns
        assert "Building C object" not in out, out
        assert project.elf.stat().st_mtime_ns == before
    again = project.build_ok()
    assert GEN_MARK not in again, again


def test_changed_model_regenerates_and_runs_the_new_model(project: Project) -> None:
    project.set_model(KWS_MODEL.read_bytes())
    project.build_ok()
    new = fc_model()
    project.set_model(new)
    res, secs = project.build()
    TIMINGS["model-change rebuild"] = secs
    assert res.returncode == 0, res.stdout
    assert GEN_MARK in res.stdout and "updated" in res.stdout, res.stdout
    assert "te_conv.c" not in res.stdout, "kernel library rebuilt for a model change:\n" + res.stdout
    text, outputs = project.run_firmware()
    assert outputs == reference_outputs(new), text
    assert len(outputs[0]) == 16
    # And back.
    project.set_model(KWS_MODEL.read_bytes())
    project.build_ok()
    _, outputs = project.run_firmware()
    assert outputs == reference_outputs(KWS_MODEL)


def _assert_generation_failed(res: subprocess.CompletedProcess, project: Project, *needles: str) -> None:
    assert res.returncode != 0, res.stdout
    errors = [line for line in res.stdout.splitlines() if line.startswith("tinyengine-gen: error: ")]
    assert len(errors) == 1, res.stdout
    for n in needles:
        assert n in errors[0], errors[0]
    assert "error:" not in res.stdout.replace(errors[0], ""), "more than the generator's error:\n" + res.stdout
    gen_dir = project.build_dir / "tinyengine" / "kws"
    assert not (gen_dir / "kws.c").exists() and not (gen_dir / "kws.h").exists(), "stale generated code left"


def test_broken_model_fails_the_build_with_the_generator_message(project: Project) -> None:
    project.set_model(KWS_MODEL.read_bytes())
    project.build_ok()
    project.set_model(KWS_MODEL.read_bytes()[:900])
    res, _ = project.build()
    _assert_generation_failed(res, project, "truncated")
    res, _ = project.build()  # still failing: no stale output makes it look done
    _assert_generation_failed(res, project, "truncated")
    project.set_model(KWS_MODEL.read_bytes())
    project.build_ok()
    _, outputs = project.run_firmware()
    assert outputs == reference_outputs(KWS_MODEL)


def test_unsupported_op_fails_the_build_with_the_generator_message(project: Project) -> None:
    op, data = unsupported_op_model()
    project.set_model(data)
    try:
        res, _ = project.build()
        _assert_generation_failed(res, project, f"unsupported op: {op}")
    finally:
        project.set_model(KWS_MODEL.read_bytes())


def test_missing_model_fails_configure(project: Project, tmp_path: Path) -> None:
    missing = tmp_path / "nope.tflite"
    res = subprocess.run(
        ["cmake", "-S", str(EXAMPLE), "-B", str(tmp_path / "b"), "-G", GENERATOR,
         f"-DTINYENGINE_PYTHON={sys.executable}", f"-DTINYENGINE_MODEL={missing}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert res.returncode != 0
    assert f"tinyengine: model not found: {missing}" in " ".join(res.stdout.split()), res.stdout


def test_patch_based_option(project: Project, tmp_path: Path) -> None:
    """tinyengine_add_model(... PATCH_BASED) (-DTINYENGINE_PATCH_BASED=ON here) reaches the generator:
    the ResNet's arena falls below its layer-by-layer size and the outputs stay the reference's."""
    from tests.support import shared_models_dir
    from tinyengine_gen.pipeline import compile_model

    resnet = shared_models_dir() / "mlcommons-tiny" / "resnet_ic_int8.tflite"
    if not resnet.is_file():
        pytest.skip(f"{resnet} not found")
    p = Project(tmp_path)
    p.set_model(resnet.read_bytes())
    res = p.configure("-DTINYENGINE_PATCH_BASED=ON")
    assert res.returncode == 0, res.stdout
    p.build_ok()
    header = next(p.build_dir.rglob("kws.h")).read_text()
    arena = int(header.split("#define KWS_ARENA_SIZE")[1].split()[0])
    assert arena < compile_model(p.model).plan.arena_size
    text, outputs = p.run_firmware()
    assert outputs == reference_outputs(p.model), text
