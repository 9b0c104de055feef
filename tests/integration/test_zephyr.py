"""Zephyr: `west build` of samples/kws (tinyengine as a module) for the three QEMU boards, run
under QEMU, outputs byte-identical to LiteRT's reference; rebuild behaviour, error messages, the
model override, a renamed model, the flash check, and twister discovering the sample and the
module's test (zephyr/module.yml) and running them on qemu_cortex_m3 and the an547.

Needs ZEPHYR_BASE pointing at a Zephyr 4.x tree inside a west workspace (with modules/hal/cmsis),
west importable by this interpreter or on PATH, and qemu-system-arm. Without a Zephyr SDK the
tests use arm-none-eabi-gcc (ZEPHYR_TOOLCHAIN_VARIANT=gnuarmemb) and, when that toolchain has
picolibc (Debian: picolibc-arm-none-eabi), -DTOOLCHAIN_HAS_PICOLIBC=ON.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
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
    run_until,
    unsupported_op_model,
)
from tests.support.readme_output import assert_readme_output

pytestmark = [pytest.mark.integration, pytest.mark.emulated]

SAMPLE = REPO / "samples" / "kws"
DONE = "tinyengine sample done"
GEN_MARK = "tinyengine: generating kws.c/.h"

# board -> QEMU machine arguments
BOARDS = {
    "qemu_cortex_m3": ["-machine", "lm3s6965evb", "-cpu", "cortex-m3"],
    "mps2/an386": ["-machine", "mps2-an386", "-cpu", "cortex-m4"],
    "mps3/corstone300/an547": ["-machine", "mps3-an547", "-cpu", "cortex-m55"],
}
# test id -> (board, extra CMake arguments, kernel path the module's boot log line must report)
CASES = {
    "qemu_cortex_m3": ("qemu_cortex_m3", (), "portable"),
    "mps2/an386": ("mps2/an386", (), "dsp"),
    "mps3/corstone300/an547": ("mps3/corstone300/an547", (), "helium"),
    "an547-forced-portable": ("mps3/corstone300/an547", ("-DCONFIG_TINYENGINE_KERNELS_PORTABLE=y",), "portable"),
}


def _zephyr_setup() -> tuple[str | None, dict]:
    """(reason to skip or None, context)."""
    base = os.environ.get("ZEPHYR_BASE")
    if not base:
        return "ZEPHYR_BASE is not set: point it at a Zephyr 4.x tree (in a west workspace) to run these", {}
    base_path = Path(base).resolve()
    if not (base_path / "VERSION").is_file() or not (base_path / "cmake" / "modules").is_dir():
        return f"ZEPHYR_BASE={base} is not a Zephyr tree", {}
    workspace = next((p for p in (base_path, *base_path.parents) if (p / ".west").is_dir()), None)
    if workspace is None:
        return f"ZEPHYR_BASE={base} is not inside a west workspace (no .west/ above it)", {}
    if importlib.util.find_spec("west") is not None:
        west = [sys.executable, "-m", "west"]
    elif shutil.which("west"):
        west = [shutil.which("west")]
    else:
        return "west is not installed (pip install west, plus Zephyr's scripts/requirements-base.txt)", {}
    missing = missing_tools("qemu-system-arm", "cmake", "ninja")
    env = dict(os.environ, ZEPHYR_BASE=str(base_path))
    cmake_args: list[str] = []
    if not env.get("ZEPHYR_TOOLCHAIN_VARIANT") and not env.get("ZEPHYR_SDK_INSTALL_DIR"):
        gcc = shutil.which("arm-none-eabi-gcc")
        if gcc is None:
            missing.append("arm-none-eabi-gcc (or a Zephyr SDK)")
        else:
            env["ZEPHYR_TOOLCHAIN_VARIANT"] = "gnuarmemb"
            env["GNUARMEMB_TOOLCHAIN_PATH"] = str(Path(gcc).resolve().parents[1])
    if env.get("ZEPHYR_TOOLCHAIN_VARIANT") == "gnuarmemb":
        specs = subprocess.run(["arm-none-eabi-gcc", "-print-file-name=picolibc.specs"],
                               capture_output=True, text=True).stdout.strip()
        if os.path.isabs(specs):
            cmake_args.append("-DTOOLCHAIN_HAS_PICOLIBC=ON")
    if missing:
        return f"needs {', '.join(missing)}", {}
    return None, {"west": west, "workspace": workspace, "env": env, "cmake_args": cmake_args}


_SKIP, CTX = _zephyr_setup()
if _SKIP:
    pytestmark.append(pytest.mark.skip(reason=_SKIP))


def west_build(build_dir: Path, *args: str, cmake_args: tuple[str, ...] = (), timeout: float = 175):
    """`west build -d DIR ARGS [-- CMAKE_ARGS]`; a pristine build (-p) also gets the toolchain's
    arguments (an incremental one must not: any argument after -- makes west re-run CMake)."""
    if "-p" in args:
        cmake_args = (*CTX["cmake_args"], *cmake_args)
    cmd = [*CTX["west"], "build", "-d", str(build_dir), *args, *(["--", *cmake_args] if cmake_args else [])]
    return run(cmd, timeout=timeout, cwd=CTX["workspace"], env=CTX["env"])


def run_on_qemu(board: str, build_dir: Path) -> str:
    cmd = ["qemu-system-arm", *BOARDS[board], "-nographic", "-vga", "none", "-monitor", "none",
           "-serial", "stdio", "-kernel", str(build_dir / "zephyr" / "zephyr.elf")]
    return run_until(cmd, DONE, timeout=60)


_BUILT: dict[str, Path] = {}


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory):
    """Clean build of the sample for a board, once per session."""
    root = tmp_path_factory.mktemp("zephyr")

    def build(case: str) -> Path:
        if case not in _BUILT:
            board, extra, _ = CASES[case]
            d = root / re.sub(r"\W", "_", case)
            res, secs = west_build(d, "-p", "always", "-b", board, str(SAMPLE), cmake_args=extra)
            assert res.returncode == 0, res.stdout[-6000:]
            print(f"\nwest build -b {board} {' '.join(extra)}: {secs:.1f} s (clean)")
            _BUILT[case] = d
        return _BUILT[case]

    return build


@pytest.mark.parametrize("case", list(CASES))
def test_sample_runs_bit_exact(builds, case: str) -> None:
    board, _, kernels = CASES[case]
    build_dir = builds(case)
    text = run_on_qemu(board, build_dir)
    assert "kws_invoke() = 0" in text, text
    assert parse_outputs(text) == reference_outputs(KWS_MODEL), text
    assert f"kernels {kernels}" in text, text  # the boot log line of the tinyengine module
    if case == "mps2/an386":
        assert_readme_output("zephyr-sample", text)
    if kernels == "helium":
        # The kernel library was compiled for Helium (every object carries the MVE attribute).
        lib = build_dir / "modules" / "tinyengine" / "libtinyengine.a"
        attrs = subprocess.run(["arm-none-eabi-readelf", "-A", str(lib)], capture_output=True, text=True).stdout
        members = attrs.count("File: ")
        assert members and attrs.count("Tag_MVE_arch: MVE") == members, attrs


def test_rebuilds_regenerate_only_when_the_model_changes(builds, tmp_path: Path) -> None:
    board = "mps2/an386"
    d = builds(board)
    res, _ = west_build(d)  # catch up with generator sources edited since the clean build
    assert res.returncode == 0, res.stdout[-6000:]
    res, secs = west_build(d)
    print(f"\nno-op rebuild: {secs:.1f} s")
    assert res.returncode == 0 and "no work to do" in res.stdout and GEN_MARK not in res.stdout, res.stdout

    # -DTINYENGINE_MODEL overrides CONFIG_TINYENGINE_MODEL without rebuilding the rest of the image.
    model = tmp_path / "model.tflite"
    model.write_bytes(KWS_MODEL.read_bytes())
    res, secs = west_build(d, cmake_args=(f"-DTINYENGINE_MODEL={model}",))
    print(f"TINYENGINE_MODEL override (reconfigure + build): {secs:.1f} s")
    assert res.returncode == 0, res.stdout[-6000:]
    assert GEN_MARK in res.stdout, res.stdout
    assert "zephyr/kernel/" not in res.stdout and "te_conv.c" not in res.stdout, res.stdout

    res, _ = west_build(d)
    assert res.returncode == 0 and GEN_MARK not in res.stdout, res.stdout

    new = fc_model()
    model.write_bytes(new)
    res, secs = west_build(d)
    print(f"model-change rebuild: {secs:.1f} s")
    assert res.returncode == 0, res.stdout[-6000:]
    assert GEN_MARK in res.stdout and "updated" in res.stdout, res.stdout
    assert "te_conv.c" not in res.stdout, res.stdout
    text = run_on_qemu(board, d)
    assert parse_outputs(text) == reference_outputs(new), text

    # A broken model or an unsupported op stops the build at generation with the generator's line.
    cases = [("truncated", KWS_MODEL.read_bytes()[:900])]
    op, data = unsupported_op_model()
    cases.append((f"unsupported op: {op}", data))
    for needle, data in cases:
        model.write_bytes(data)
        res, _ = west_build(d)
        assert res.returncode != 0, res.stdout
        errors = [ln for ln in res.stdout.splitlines() if ln.startswith("tinyengine-gen: error: ")]
        assert len(errors) == 1 and needle in errors[0], res.stdout[-4000:]
        assert not (d / "modules" / "tinyengine" / "generated" / "kws.c").exists()

    # A missing model fails the configure step.
    res, _ = west_build(d, cmake_args=(f"-DTINYENGINE_MODEL={tmp_path / 'nope.tflite'}",))
    assert res.returncode != 0
    assert "tinyengine: model not found:" in res.stdout, res.stdout[-4000:]


def test_empty_model_setting_says_what_to_set(tmp_path: Path) -> None:
    res, _ = west_build(tmp_path / "b", "-p", "always", "-b", "qemu_cortex_m3", "--cmake-only", str(SAMPLE),
                        cmake_args=('-DCONFIG_TINYENGINE_MODEL=""',))
    assert res.returncode != 0
    flat = " ".join(res.stdout.split())
    assert "no model is set. Set CONFIG_TINYENGINE_MODEL" in flat, res.stdout[-4000:]


def _generated(build_dir: Path) -> list[str]:
    return sorted(p.name for p in (build_dir / "modules" / "tinyengine" / "generated").iterdir()
                  if not p.name.startswith("."))


def test_model_override_rename_and_flash_check(tmp_path: Path) -> None:
    """TINYENGINE_MODEL from the environment is read whenever CMake runs and not remembered; an
    empty -D entry hides nothing; a renamed model leaves only its own files; weights larger than
    the board's flash stop the build at generation."""
    d = tmp_path / "b"
    model = tmp_path / "fc.tflite"
    model.write_bytes(fc_model())
    env = dict(CTX["env"], TINYENGINE_MODEL=str(model))
    cmd = [*CTX["west"], "build", "-d", str(d), "-p", "always", "-b", "qemu_cortex_m3", str(SAMPLE), "--",
           *CTX["cmake_args"], "-DTINYENGINE_MODEL="]
    res, _ = run(cmd, timeout=300, cwd=CTX["workspace"], env=env)
    assert res.returncode == 0, res.stdout[-6000:]
    assert f"model {model} (from the environment variable TINYENGINE_MODEL" in res.stdout, res.stdout[-6000:]
    assert _generated(d) == ["kws.c", "kws.h", "kws.json"]
    assert parse_outputs(run_on_qemu("qemu_cortex_m3", d)) == reference_outputs(model)

    # Without the variable, re-running CMake goes back to CONFIG_TINYENGINE_MODEL.
    res, _ = run([*CTX["west"], "build", "-d", str(d), "-c"], timeout=300, cwd=CTX["workspace"], env=CTX["env"])
    assert res.returncode == 0, res.stdout[-6000:]
    assert "(from CONFIG_TINYENGINE_MODEL=" in res.stdout and GEN_MARK in res.stdout, res.stdout[-6000:]

    # Renamed: the generated include directory holds the new name's files only.
    res, _ = west_build(d, cmake_args=('-DCONFIG_TINYENGINE_MODEL_NAME="net"',))
    assert res.returncode != 0  # main.c includes kws.h, which is gone: it must not compile against it
    assert "kws.h: No such file or directory" in res.stdout, res.stdout[-4000:]
    assert _generated(d) == ["net.c", "net.h", "net.json"]

    # Weights larger than the flash: stopped at generation with the numbers.
    res, _ = west_build(d, cmake_args=('-DCONFIG_TINYENGINE_MODEL_NAME="kws"', "-DCONFIG_FLASH_SIZE=16"))
    errors = [ln for ln in res.stdout.splitlines() if ln.startswith("tinyengine-gen: error: ")]
    assert res.returncode != 0 and len(errors) == 1, res.stdout[-4000:]
    assert "weights and constants (28,976 B) are larger than the flash of qemu_cortex_m3 (CONFIG_FLASH_SIZE=16 KB)" \
        in errors[0], errors[0]


def test_helium_without_fpu_warns(tmp_path: Path) -> None:
    res, _ = west_build(tmp_path / "b", "-p", "always", "-b", "mps3/corstone300/an547", "--cmake-only", str(SAMPLE),
                        cmake_args=("-DCONFIG_FPU=n", "-DCONFIG_TINYENGINE_KERNELS_HELIUM=y"))
    assert res.returncode == 0, res.stdout[-4000:]
    assert "CONFIG_TINYENGINE_KERNELS_HELIUM needs CONFIG_FPU=y" in " ".join(res.stdout.split()), res.stdout[-4000:]


@pytest.mark.slow
def test_twister_discovers_and_runs_the_sample_and_the_module_test(tmp_path: Path) -> None:
    """twister finds samples/ and zephyr/tests through zephyr/module.yml (zephyr_module.py
    --twister-out, as Zephyr's CI does for modules), builds the an386 entries only, and runs the
    others in QEMU, matching the pinned output bytes."""
    out = tmp_path / "twister"
    args = tmp_path / "modules.args"  # what Zephyr's CI does: the modules' -T roots, from module.yml
    res, _ = run([sys.executable, str(Path(CTX["env"]["ZEPHYR_BASE"]) / "scripts" / "zephyr_module.py"),
                  "--extra-modules", str(REPO), "--twister-out", str(args)], timeout=120, env=CTX["env"])
    assert res.returncode == 0, res.stdout
    assert f"-T\n{REPO / 'samples'}\n" in args.read_text() and f"{REPO / 'zephyr' / 'tests'}" in args.read_text()
    cmd = [*CTX["west"], "twister", f"+{args}", "--outdir", str(out), "-p", "qemu_cortex_m3",
           "-p", "mps3/corstone300/an547", "-p", "mps2/an386", "--tag", "tinyengine", "--inline-logs", "-j", "2",
           *[x for a in CTX["cmake_args"] for x in ("-x", a[2:])]]
    env = dict(CTX["env"], ZEPHYR_EXTRA_MODULES=str(REPO))
    res, secs = run(cmd, timeout=1800, cwd=CTX["workspace"], env=env)
    print(f"\ntwister: {secs:.0f} s")
    assert res.returncode == 0, res.stdout[-8000:]
    import json

    results = json.loads((out / "twister.json").read_text())
    # platform: e.g. qemu_cortex_m3/ti_lm3s6965 (board/SoC); name: e.g. samples/kws/sample.tinyengine.kws
    seen = {(t["platform"], t["name"].rsplit("/", 1)[-1]): t["status"] for t in results["testsuites"]}

    def status(board: str, test: str) -> set:
        return {st for (p, n), st in seen.items() if (p == board or p.startswith(board + "/")) and n == test}

    for board in ("qemu_cortex_m3", "mps3/corstone300/an547"):
        for test in ("sample.tinyengine.kws", "tinyengine.model"):
            assert status(board, test) == {"passed"}, seen
    assert status("mps3/corstone300/an547", "sample.tinyengine.kws.portable") == {"passed"}, seen
    for test in ("sample.tinyengine.kws.build_only", "tinyengine.model.build_only"):
        assert status("mps2/an386", test) == {"not run"}, seen  # built, not run: FVP is its emulator
