"""PlatformIO end to end: the real `pio run` builds the emulated example, QEMU runs it.

Offline recipe (../shared/notes/platformio-offline.md): a private PLATFORMIO_CORE_DIR whose
tool-scons package is unpacked from the PyPI `scons` wheel (with a `.piopm` naming the owner
platformio), the example's own platform (examples/platformio/platform-tinyengine-qemu, no registry
packages) and Debian's arm-none-eabi-gcc from PATH. The example is copied out of the repository
and its two relative `symlink://` lines are pointed at the checkout, as the README tells users
who copy it.

The example's main.c fills the inputs from a fixed LCG; `_example_inputs` reproduces the bytes and
LiteRT's BUILTIN_REF gives the outputs the firmware must print, byte for byte.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.support.readme_output import assert_readme_output

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "platformio" / "qemu-mps2-an386"
KWS = EXAMPLE / "kws_ref_model.tflite"
UNITY_STANDIN = Path(__file__).resolve().parent / "data" / "unity-standin"
ENV_NAME = "mps2-an386"
PIO_TIMEOUT = 300


# ---------------------------------------------------------------------------------------------
# Tools and the private PlatformIO core directory


def _pio_command() -> list[str] | None:
    """PlatformIO of this interpreter (so $PYTHONEXE has the generator's deps), else `pio`."""
    if importlib.util.find_spec("platformio") is not None:
        return [sys.executable, "-m", "platformio"]
    pio = shutil.which("pio")
    return [pio] if pio else None


def _require_tools() -> list[str]:
    pio = _pio_command()
    if pio is None:
        pytest.skip("PlatformIO is not installed (pip install platformio, or the 'test' extra)")
    for tool, package in (("arm-none-eabi-gcc", "gcc-arm-none-eabi libnewlib-arm-none-eabi"),
                          ("qemu-system-arm", "qemu-system-arm")):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not found (apt-get install {package}, or tools/bootstrap.sh)")
    return pio


def _scons_version() -> tuple[str, str]:
    """(PlatformIO's tool-scons package version, the SCons release it packages).

    PlatformIO encodes SCons X.Y.Z as 4.XYYZZ.0 (tool-scons ~4.41101.0 is SCons 4.11.1).
    """
    spec = "~4.41101.0"  # PlatformIO 6.2.0, when it is not importable from this interpreter
    try:
        from platformio.dependencies import get_core_dependencies

        spec = get_core_dependencies()["tool-scons"]
    except ImportError:
        pass
    match = re.search(r"(\d+)\.(\d)(\d\d)(\d\d)\.(\d+)", spec)
    assert match, f"unexpected tool-scons requirement {spec!r}"
    package = f"{match.group(1)}.{match.group(2)}{match.group(3)}{match.group(4)}.{match.group(5)}"
    return package, f"{int(match.group(2))}.{int(match.group(3))}.{int(match.group(4))}"


def _scons_wheel(version: str) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tinyengine" / "wheels"
    found = sorted(cache.glob(f"scons-{version}-*.whl"))
    if found:
        return found[0]
    cache.mkdir(parents=True, exist_ok=True)
    res = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                          "--disable-pip-version-check", "-q", f"scons=={version}", "-d", str(cache)],
                         capture_output=True, text=True, timeout=300)
    found = sorted(cache.glob(f"scons-{version}-*.whl"))
    if res.returncode != 0 or not found:
        pytest.skip(f"cannot fetch the scons {version} wheel from PyPI for PlatformIO's tool-scons: "
                    f"{(res.stderr.strip().splitlines() or ['?'])[-1]}")
    return found[0]


def prepare_core_dir(core: Path) -> None:
    """A PLATFORMIO_CORE_DIR that needs no registry: tool-scons from the PyPI wheel."""
    package_version, scons_version = _scons_version()
    scons_dir = core / "packages" / "tool-scons"
    scons_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(_scons_wheel(scons_version)) as wheel:
        wheel.extractall(scons_dir)
    (scons_dir / "scons.py").write_text(
        "import os, sys\n"
        "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
        "import SCons.Script\n"
        "SCons.Script.main()\n")
    (scons_dir / "package.json").write_text(json.dumps(
        {"name": "tool-scons", "version": package_version, "description": "SCons from PyPI"}))
    (scons_dir / ".piopm").write_text(json.dumps(
        {"type": "tool", "name": "tool-scons", "version": package_version,
         "spec": {"owner": "platformio", "id": None, "name": "tool-scons", "requirements": None,
                  "uri": None}}))


@pytest.fixture(scope="module")
def pio_env(tmp_path_factory: pytest.TempPathFactory) -> dict:
    pio = _require_tools()
    core = tmp_path_factory.mktemp("pio-core")
    prepare_core_dir(core)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLATFORMIO_", "TINYENGINE_"))}
    env.update(PLATFORMIO_CORE_DIR=str(core), PLATFORMIO_SETTING_ENABLE_TELEMETRY="No",
               PLATFORMIO_SETTING_CHECK_PLATFORMIO_INTERVAL="3650", PLATFORMIO_DISABLE_COLOR="true",
               PYTHONDONTWRITEBYTECODE="1")
    return {"cmd": pio, "env": env}


def copy_example(dest: Path, example: Path = EXAMPLE) -> Path:
    """An example copied out of the checkout, its symlinks pointed back at it."""
    project = dest / example.name
    shutil.copytree(example, project, ignore=shutil.ignore_patterns(".pio"))
    ini = project / "platformio.ini"
    text = ini.read_text()
    for rel in ("../platform-tinyengine-qemu", "../../.."):
        assert f"symlink://{rel}\n" in text
        text = text.replace(f"symlink://{rel}\n", f"symlink://{(example / rel).resolve()}\n")
    ini.write_text(text)
    return project


def pio_run(pio_env: dict, project: Path, *args: str, model: Path | None = None
            ) -> subprocess.CompletedProcess:
    env = dict(pio_env["env"])
    if model is not None:
        env["TINYENGINE_MODEL"] = str(model)
    res = subprocess.run([*pio_env["cmd"], "run", "-d", str(project), *args], env=env,
                         capture_output=True, text=True, timeout=PIO_TIMEOUT)
    res.output = res.stdout + res.stderr  # type: ignore[attr-defined]
    return res


def _ok(res: subprocess.CompletedProcess) -> str:
    assert res.returncode == 0, res.output[-6000:]
    return res.output


# ---------------------------------------------------------------------------------------------
# What the firmware must print


def example_inputs(model: Path | bytes) -> list[np.ndarray]:
    """The inputs src/main.c builds: one LCG byte stream over all inputs in order."""
    from tests.support.oracle import model_io

    inputs, _ = model_io(model)
    state = 12345
    result = []
    for index, info in enumerate(inputs):
        n = int(np.prod(info.shape, dtype=np.int64)) * info.dtype.itemsize
        data = bytearray()
        for _ in range(n // info.dtype.itemsize if index == 0 and info.dtype.kind == "f" else n):
            state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
            data.append(state >> 24)
        if index == 0 and info.dtype.kind == "f":
            values = (np.frombuffer(bytes(data), np.uint8).astype(np.int32) - 128) / np.float32(128)
            result.append(values.astype(np.float32).reshape(info.shape))
        else:
            result.append(np.frombuffer(bytes(data), info.dtype).reshape(info.shape).copy())
    return result


def expected_lines(model: Path | bytes) -> tuple[list[str], int]:
    from tests.support.oracle import run_reference

    outputs = run_reference(model, example_inputs(model))
    lines = []
    for i, out in enumerate(outputs):
        raw = np.ascontiguousarray(out).tobytes()
        lines.append(f"output {i} ({len(raw)} bytes):" + "".join(f" {b:02x}" for b in raw))
    return lines, int(np.argmax(outputs[0].reshape(-1)))


def assert_prints_reference(output: str, model: Path | bytes) -> None:
    lines, top = expected_lines(model)
    printed = [line.strip() for line in output.splitlines() if re.match(r"\s*output \d+ \(", line)]
    assert printed == lines, "\n".join(["firmware:", *printed, "LiteRT BUILTIN_REF:", *lines])
    assert re.search(rf"^top class: {top}\b", output, re.M), output[-3000:]


# ---------------------------------------------------------------------------------------------
# Models for the model-change and failure cases


def small_fc_model() -> bytes:
    """A 10-class int8 classifier (FULLY_CONNECTED 64 -> 10), different from the bundled one."""
    from tests.support.tflite_build import TensorSpec, build_single_op_model

    rng = np.random.default_rng(5)
    x = TensorSpec((1, 64), "int8", scale=0.05, zero_point=-3)
    w = TensorSpec((10, 64), "int8", scale=0.01, zero_point=0,
                   data=rng.integers(-127, 128, (10, 64), dtype=np.int8))
    b = TensorSpec((10,), "int32", scale=0.05 * 0.01, zero_point=0,
                   data=rng.integers(-2000, 2000, (10,), dtype=np.int32))
    y = TensorSpec((1, 10), "int8", scale=0.2, zero_point=5)
    return build_single_op_model("FULLY_CONNECTED", [x, w, b], [y])


def unsupported_op_model() -> tuple[bytes, str]:
    """A one-op int8 model the generator refuses (an int8 SIN: TFLite has SIN for float only)."""
    from tests.integration.firmware_io import unsupported_op_model as refused

    op, model = refused()
    return model, op


def generated(project: Path) -> list[Path]:
    build = project / ".pio" / "build" / ENV_NAME
    return [build / "tinyengine_model" / f for f in ("model.c", "model.h", "model.o")] + [
        build / "firmware.elf"]


# ---------------------------------------------------------------------------------------------


def test_emulated_example_builds_runs_and_regenerates_only_on_change(pio_env, tmp_path):
    project = copy_example(tmp_path)
    gen_c = project / ".pio" / "build" / ENV_NAME / "tinyengine_model" / "model.c"

    out = _ok(pio_run(pio_env, project))  # clean tree
    assert "Generating model.c, model.h from kws_ref_model.tflite" in out, out[-3000:]
    assert all(p.is_file() for p in generated(project))
    first = gen_c.stat().st_mtime_ns

    out = _ok(pio_run(pio_env, project))  # no change
    assert "Generating" not in out and "Linking" not in out, out[-3000:]
    assert gen_c.stat().st_mtime_ns == first

    out = _ok(pio_run(pio_env, project, "-t", "upload"))  # runs in QEMU
    assert "Generating" not in out
    assert_prints_reference(out, KWS)
    assert_readme_output("platformio-qemu", out)

    other = tmp_path / "fc10.tflite"  # another model: regenerated, relinked, still exact
    other.write_bytes(small_fc_model())
    out = _ok(pio_run(pio_env, project, "-t", "upload", model=other))
    assert f"Generating model.c, model.h from {other}" in out, out[-3000:]
    assert_prints_reference(out, other)

    other.write_bytes(small_fc_model()[:-8] + b"\0" * 8)  # same path, changed bytes
    res = pio_run(pio_env, project, model=other)
    assert "Generating model.c" in res.output

    # -v shows the generator's command line; the report target prints per-layer lines and an SVG.
    out = _ok(pio_run(pio_env, project, "-v"))
    assert re.search(r"^\S*python\S* -m tinyengine_gen \S*kws_ref_model\.tflite -o \S+ --name model "
                     r"--option-names platformio$", out, re.M), out[-3000:]
    out = _ok(pio_run(pio_env, project, "-t", "tinyengine_report"))
    svg = project / ".pio" / "build" / ENV_NAME / "tinyengine_model" / "model_arena.svg"
    assert re.search(r"^ 0  CONV_2D \[10x4/s2\]", out, re.M) and f"arena picture: {svg}" in out, out[-3000:]
    assert svg.read_text().startswith("<svg")


def test_bad_model_stops_the_build_with_one_line_and_no_stale_code(pio_env, tmp_path):
    project = copy_example(tmp_path)
    good = tmp_path / "fc10.tflite"
    good.write_bytes(small_fc_model())
    truncated = tmp_path / "truncated.tflite"
    truncated.write_bytes(KWS.read_bytes()[: KWS.stat().st_size // 2])
    unsupported = tmp_path / "unsupported.tflite"
    data, op = unsupported_op_model()
    unsupported.write_bytes(data)
    cases = [(truncated, "truncated"), (unsupported, f"unsupported op: {op}"),
             (tmp_path / "missing.tflite", "model file not found")]

    for bad, needle in cases:
        _ok(pio_run(pio_env, project, model=good))  # code from a good model is in place
        assert all(p.is_file() for p in generated(project))

        res = pio_run(pio_env, project, model=bad)
        assert res.returncode != 0, res.output[-3000:]
        errors = [line for line in res.output.splitlines() if "tinyengine-gen: error:" in line]
        assert len(errors) == 1 and needle in errors[0], res.output[-3000:]
        assert "Traceback" not in res.output
        assert [p.name for p in generated(project) if p.exists()] == []

    res = pio_run(pio_env, project, "-t", "upload", model=bad)  # nothing stale to run
    assert res.returncode != 0 and "top class" not in res.output, res.output[-3000:]

    ini = project / "platformio.ini"  # the error names the option the model came from
    ini.write_text(ini.read_text().replace("= kws_ref_model.tflite", "= models/missing.tflite"))
    res = pio_run(pio_env, project)
    errors = [line for line in res.output.splitlines() if "tinyengine-gen: error:" in line]
    assert res.returncode != 0 and len(errors) == 1, res.output[-3000:]
    assert "model file not found" in errors[0] and "custom_tinyengine_model = models/missing.tflite" in errors[0]


def test_ram_check_fails_the_build_with_the_numbers(pio_env, tmp_path):
    project = copy_example(tmp_path)
    fc = tmp_path / "fc10.tflite"
    fc.write_bytes(small_fc_model())
    ini = project / "platformio.ini"
    base = ini.read_text().replace("= kws_ref_model.tflite", f"= {fc}")

    # The arena alone is over the budget: the generator (given --sram-budget, it first tries
    # patch-based plans) stops the build with the numbers and where the budget came from.
    ini.write_text(base + "custom_tinyengine_sram_budget = 16\n")
    res = pio_run(pio_env, project)
    assert res.returncode != 0
    errors = [line for line in res.output.splitlines() if "error:" in line]
    assert len(errors) == 1, res.output[-3000:]
    assert re.search(r"tinyengine-gen: error: the model does not fit the SRAM budget "
                     r"\(custom_tinyengine_sram_budget\) of 16 B: layer by layer its arena is [\d,]+ B", errors[0]), \
        res.output[-3000:]
    assert [p.name for p in generated(project) if p.exists()] == []

    # The arena fits, the firmware (16 KB stack reserve of the board script) does not.
    ini.write_text(base + "board_upload.maximum_ram_size = 8192\n")
    res = pio_run(pio_env, project)
    assert res.returncode != 0
    match = re.search(r"tinyengine: error: RAM does not fit: model arena (\d+) \+ rest of the firmware "
                      r"(\d+) .* = (\d+) bytes > 8192 bytes of board mps2-an386", res.output)
    assert match, res.output[-3000:]
    assert int(match.group(1)) + int(match.group(2)) == int(match.group(3)) > 8192
    assert not (project / ".pio" / "build" / ENV_NAME / "firmware.elf").exists()


def test_platform_builder_reads_tinyengines_core_table():
    """The tinyengine-qemu platform's builder loads the core table by file path (outside the
    package): that file must exist where it looks and load alone, with every core's QEMU machine."""
    builder = (REPO / "examples" / "platformio" / "platform-tinyengine-qemu" / "builder" / "main.py").read_text()
    match = re.search(r'os\.path\.join\(os\.path\.dirname\(targets_dir\), ((?:"[^"]+", )*"[^"]+")\)', builder)
    assert match, "load_core no longer names the core table's path"
    path = REPO.joinpath(*re.findall(r'"([^"]+)"', match.group(1)))
    assert path.is_file(), path
    spec = importlib.util.spec_from_file_location("standalone_core_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    from tinyengine_gen import targets
    assert {c.machine: c.cflags for c in module.CORES.values()} == \
        {c.machine: c.cflags for c in targets.CORES.values()}


def test_board_examples_are_valid_platformio_projects():
    """The STM32 and nRF52840 projects need PlatformIO's registry to build; check their config."""
    pytest.importorskip("platformio")
    from platformio.project.config import ProjectConfig

    for name, board in (("disco_f746ng", "disco_f746ng"), ("nrf52840_dk", "nrf52840_dk")):
        project = REPO / "examples" / "platformio" / name
        config = ProjectConfig(str(project / "platformio.ini"), parse_extra=False)
        config.validate(silent=True)
        section = f"env:{board}"
        assert config.get(section, "board") == board
        assert config.get(section, "custom_tinyengine_model")
        assert any("tinyengine" in dep for dep in config.get(section, "lib_deps"))


def test_int8_io_and_patch_options_reach_the_generator(pio_env, tmp_path):
    """custom_tinyengine_int8_io / custom_tinyengine_patch: a float-edged model is generated with
    8-bit edges, band by band, and the build links."""
    from tests.support import shared_models_dir

    mnist = shared_models_dir() / "tinyengine" / "mnist_lenet_300_100.tflite"
    if not mnist.is_file():
        pytest.skip(f"{mnist} not found")
    project = copy_example(tmp_path)
    ini = project / "platformio.ini"
    ini.write_text(ini.read_text() + "custom_tinyengine_int8_io = yes\ncustom_tinyengine_patch = yes\n")
    out = _ok(pio_run(pio_env, project, model=mnist))
    header = (project / ".pio" / "build" / ENV_NAME / "tinyengine_model" / "model.h").read_text()
    assert re.search(r"MODEL_INPUT0_TYPE\s+int8_t", header), header[:2000]
    # (its output stays float: a LOG_SOFTMAX in float follows the DEQUANTIZE)
    assert "Generated with --int8-io" in header
    assert "tinyengine-gen: error" not in out
    assert ("tinyengine-gen: --int8-io: output 0 stays float32: it comes from a float LOG_SOFTMAX, not from a "
            "DEQUANTIZE") in out, out[-3000:]


def _summary(project: Path) -> dict:
    return json.loads((project / ".pio" / "build" / ENV_NAME / "tinyengine_model" / "model.json").read_text())


def _resnet() -> Path:
    from tests.support import shared_models_dir

    resnet = shared_models_dir() / "mlcommons-tiny" / "resnet_ic_int8.tflite"
    if not resnet.is_file():
        pytest.skip(f"{resnet} not found")
    return resnet


def test_patch_auto_fits_the_board(pio_env, tmp_path):
    """custom_tinyengine_patch = auto on a 50 KB board: the rest of this firmware (about 20 KB)
    leaves 31 KB, less than resnet's 50,448 B arena layer by layer; the clean build measures that
    with a probe link and generates patch-based before the real link, and the bytes are exact."""
    resnet = _resnet()
    project = copy_example(tmp_path)
    ini = project / "platformio.ini"
    ini.write_text(ini.read_text() + "custom_tinyengine_patch = auto\nboard_upload.maximum_ram_size = 51200\n")
    out = _ok(pio_run(pio_env, project, "-t", "upload", model=resnet))
    rest = int(re.search(r"custom_tinyengine_patch = auto: the rest of the firmware uses (\d+) B", out).group(1))
    summary = _summary(project)
    assert summary["execution"] == "patch-based", out[-3000:]
    assert summary["arena_bytes"] + rest <= 51200 < summary["layer_by_layer_arena_bytes"] + rest
    assert f"tinyengine: RAM {summary['arena_bytes'] + rest} of 51200 bytes" in out
    assert_prints_reference(out, resnet)


@pytest.mark.slow
def test_patch_auto_and_ram_errors_name_what_fits(pio_env, tmp_path):
    """auto on a roomy board runs layer by layer; when nothing the generator can do alone fits,
    the error names the option that would; the RAM error after a plain link does too."""
    from tests.test_fit import float_edged
    from tinyengine_gen.fit import reachable
    from tinyengine_gen.pipeline import Options

    resnet = _resnet()
    project = copy_example(tmp_path)
    ini = project / "platformio.ini"
    base = ini.read_text()
    ini.write_text(base + "custom_tinyengine_patch = auto\n")  # the board's 4 MB
    out = _ok(pio_run(pio_env, project, model=resnet))
    assert _summary(project)["execution"] == "layer by layer"
    rest = int(re.search(r"tinyengine: RAM \d+ of \d+ bytes: model arena \d+ \+ rest of the firmware (\d+)", out).group(1))

    ini.write_text(base + "board_upload.maximum_ram_size = 51200\n")
    res = pio_run(pio_env, project, model=resnet)
    smallest = reachable(resnet, Options())[-1]
    assert smallest.options == ("patch",)
    assert res.returncode != 0 and re.search(
        r"tinyengine: error: RAM does not fit: model arena \d+ \+ rest of the firmware \d+ .*; "
        rf"it fits with custom_tinyengine_patch = yes \(arena {smallest.arena:,} B\)$", res.output, re.M), res.output[-3000:]

    model = tmp_path / "float_edged.tflite"
    model.write_bytes(float_edged(log_softmax=False))
    reaches = reachable(model, Options())
    int8 = next(r.arena for r in reaches if r.options == ("int8_io",))
    ini.write_text(base + "custom_tinyengine_patch = auto\n"
                   + f"board_upload.maximum_ram_size = {rest + (int8 + reaches[0].arena) // 2}\n")
    res = pio_run(pio_env, project, model=model)
    errors = [line for line in res.output.splitlines() if "error:" in line]
    assert res.returncode != 0 and len(errors) == 1, res.output[-3000:]
    assert "does not fit the RAM board mps2-an386 leaves for the model" in errors[0]
    assert f"it fits with custom_tinyengine_int8_io = yes (arena {int8:,} B)" in errors[0], errors[0]


def _install_unity(project: Path) -> None:
    """Unity for `pio test` without PlatformIO's registry: TINYENGINE_TEST_UNITY_DIR (a checkout of
    ThrowTheSwitch/Unity v2.6.1) or the stand-in in data/, marked as the registry's package."""
    src = Path(os.environ.get("TINYENGINE_TEST_UNITY_DIR") or UNITY_STANDIN)
    dest = project / ".pio" / "libdeps" / ENV_NAME / "Unity"
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".git"))
    manifest = json.loads("".join(ln for ln in (dest / "library.json").read_text().splitlines(True)
                                  if not ln.startswith("#")))  # Unity 2.6.1's has a comment header
    manifest["version"] = "2.6.1"
    (dest / "library.json").write_text(json.dumps(manifest))
    (dest / ".piopm").write_text(json.dumps(
        {"type": "library", "name": "Unity", "version": "2.6.1",
         "spec": {"owner": "throwtheswitch", "id": None, "name": "Unity", "requirements": "^2.6.1", "uri": None}}))


def test_pio_test_runs_the_unit_tests_on_the_emulated_board(pio_env, tmp_path):
    project = copy_example(tmp_path, EXAMPLE.parent / "qemu-unit-tests")
    ini = project / "platformio.ini"  # outside the checkout: the default libdeps folder is fine
    ini.write_text(re.sub(r"^libdeps_dir = .*\n", "", ini.read_text(), flags=re.M))
    _install_unity(project)
    res = subprocess.run([*pio_env["cmd"], "test", "-d", str(project)], env=pio_env["env"],
                         capture_output=True, text=True, timeout=PIO_TIMEOUT)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-4000:]
    assert re.search(r"test_constant_input_gives_the_reference_bytes\s+\[PASSED\]", out), out[-3000:]
    assert "2 test cases: 2 succeeded" in out, out[-3000:]
    assert_readme_output("platformio-unit-tests", out)

    # A failing expectation is reported as a failed test case, not a crash.
    test = project / "test" / "test_model" / "test_main.c"
    test.write_text(test.read_text().replace("TEST_ASSERT_EQUAL_INT(12, MODEL_OUTPUT0_BYTES)",
                                             "TEST_ASSERT_EQUAL_INT(13, MODEL_OUTPUT0_BYTES)"))
    res = subprocess.run([*pio_env["cmd"], "test", "-d", str(project)], env=pio_env["env"],
                         capture_output=True, text=True, timeout=PIO_TIMEOUT)
    out = res.stdout + res.stderr
    assert res.returncode != 0 and re.search(r"test_shapes: Expected 13 Was 12\s+\[FAILED\]", out), out[-3000:]
    assert "2 test cases: 1 failed, 1 succeeded" in out, out[-3000:]


@pytest.mark.slow
def test_package_is_complete_and_its_example_builds_alone(tmp_path_factory, tmp_path):
    """pio pkg pack: LICENSE, the registry metadata, every example file; the QEMU example unpacked
    from the tarball builds and runs with nothing else (no checkout, no TINYENGINE_DIR)."""
    import tarfile

    from tinyengine_gen import __version__

    pio = _require_tools()
    core = tmp_path_factory.mktemp("pio-core-pack")
    prepare_core_dir(core)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLATFORMIO_", "TINYENGINE_"))}
    env.update(PLATFORMIO_CORE_DIR=str(core), PLATFORMIO_SETTING_ENABLE_TELEMETRY="No",
               PLATFORMIO_DISABLE_COLOR="true", PYTHONDONTWRITEBYTECODE="1")
    # pio pkg pack checks the licence against SPDX's list, which it downloads: offline, a list with
    # the one identifier this package declares stands in for it.
    pack = ("import sys\nfrom platformio.package.manifest import schema\n"
            "schema.ManifestSchema.load_spdx_licenses = staticmethod(lambda: {'licenses': [{'licenseId': 'Apache-2.0'}]})\n"
            "from platformio.__main__ import main\nsys.exit(main(['pio', 'pkg', 'pack', sys.argv[1], '-o', sys.argv[2]]))\n")
    res = subprocess.run([sys.executable, "-c", pack, str(REPO), str(tmp_path)], env=env, capture_output=True,
                         text=True, timeout=PIO_TIMEOUT)
    assert res.returncode == 0, res.stdout + res.stderr
    tarball = next(tmp_path.glob("tinyengine-*.tar.gz"))
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("library.json"))
        tar.extractall(tmp_path / "pkg")
    assert {"LICENSE", "requirements.txt", "library.json"} <= names
    assert not any(n.startswith(("tests/", ".venv/")) for n in names)
    assert manifest["version"] == __version__ and manifest["license"] == "Apache-2.0"
    assert manifest["repository"]["url"] and manifest["homepage"] and manifest["authors"]
    for example in manifest["examples"]:
        for f in example["files"]:
            assert f"{example['base']}/{f}" in names, f
    project = tmp_path / "pkg" / "examples" / "platformio" / EXAMPLE.name
    out = _ok(pio_run({"cmd": pio, "env": env}, project, "-t", "upload"))
    assert_prints_reference(out, KWS)
