"""--custom-ops: ops tinyengine lacks call the application's te_custom_<name>() functions.

The example (examples/custom_op) builds and runs on the host and gives LiteRT's FULLY_CONNECTED
clamped by its own Clamp op; a function not written fails the link under its name; a non-zero
return stops the inference with that status; without the option the error is one line that names
the option; names from the model are sanitised (only [a-z0-9_] reach a function name, the rest
only C comments and string literals in the comment character set) and names that collide are
refused."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.support.host import REPO, SANITIZE, STRICT
from tests.support.oracle import run_reference
from tests.support.tflite_build import OpSpec, TensorSpec, build_model
from tests.test_cli_errors import assert_one_line_error, run_cli

EXAMPLE = REPO / "examples" / "custom_op"
sys.path.insert(0, str(EXAMPLE))
import make_model  # noqa: E402


def test_example_builds_and_matches_litert(tmp_path: Path) -> None:
    assert (EXAMPLE / "clamp_model.tflite").read_bytes() == make_model.build(), "run make_model.py again"
    x = np.random.default_rng(3).integers(-128, 128, size=16).astype(np.int8)
    res = subprocess.run(["bash", str(EXAMPLE / "build.sh"), str(tmp_path), *map(str, x)], capture_output=True,
                         text=True, env={**os.environ, "PYTHON": sys.executable}, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "custom op to implement (tinyengine/te_custom.h): te_custom_clamp() for 'Clamp' (model op 1)" in res.stdout
    got = [int(v) for v in res.stdout.strip().splitlines()[-1].split()]
    scores = run_reference(make_model.build(with_clamp=False), [x.reshape(1, 16)])[0].reshape(-1)
    assert got == np.clip(scores, make_model.LO, make_model.HI).tolist()
    assert (scores < make_model.LO).any() and (scores > make_model.HI).any()  # the clamp did something


def hostile_model(code_a: str, code_b: str = "") -> bytes:
    """x -> CUSTOM(code_a) -> CUSTOM(code_b or code_a) -> y, int8 with quantization."""
    q = dict(scale=0.1, zero_point=1)
    tensors = [TensorSpec((2, 3), "int8", name="x", **q), TensorSpec((2, 3), "int8", name="t", **q),
               TensorSpec((2, 3), "int8", name="y", **q)]
    ops = [OpSpec("CUSTOM", [0], [1], custom_code=code_a, custom_options=b"\x00*/\n"),
           OpSpec("CUSTOM", [1], [2], custom_code=code_b or code_a)]
    return build_model(tensors, ops, [0], [2])


IMPL = r"""
#include <string.h>
#include "m.h"
int calls;
int FN(const te_custom_op *op, const te_tensor *inputs, int32_t num_inputs, const te_tensor *outputs,
       int32_t num_outputs)
{
    size_t i;
    if (num_inputs != 1 || num_outputs != 1 || inputs[0].rank != 2 || inputs[0].shape[1] != 3 ||
        inputs[0].zero_point[0] != 1 || outputs[0].bytes != 6 || outputs[0].dtype != TE_DTYPE_INT8) {
        return 7;
    }
    if (calls++ == 0 && (op->options_size != 4 || memcmp(op->options, "\0*/\n", 4) != 0)) {
        return 8;
    }
    for (i = 0; i < 6; ++i) {
        ((int8_t *)outputs[0].data)[i] = (int8_t)(((const int8_t *)inputs[0].data)[i] + 1);
    }
    return RC;
}
int main(void)
{
    int8_t *x = (int8_t *)m_input(0);
    int i, rc;
    for (i = 0; i < 6; ++i) x[i] = (int8_t)i;
    rc = m_invoke();
    if (rc != 0) return 100 + rc;
    for (i = 0; i < 6; ++i) if (((const int8_t *)m_output(0))[i] != i + 2) return 50;
    return 0;
}
"""


def build_and_run(gen: Path, fn: str, rc: int = 0, define: bool = True) -> subprocess.CompletedProcess:
    (gen / "main.c").write_text(IMPL.replace("FN", fn if define else "unused_fn").replace("RC", str(rc)))
    exe = gen / "exe"
    cmd = ["gcc", *STRICT, "-O1", *SANITIZE, f"-I{gen}", f"-I{REPO / 'include'}", str(gen / "main.c"),
           str(gen / "m.c"), "-o", str(exe)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        return res
    return subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)


HOSTILE = "My*/ op\n??/ \"x\"\\"


def test_hostile_names_call_one_sanitised_function(tmp_path: Path) -> None:
    model = tmp_path / "m.tflite"
    model.write_bytes(hostile_model(HOSTILE))
    res = run_cli(str(model), "-o", str(tmp_path), "--name", "m", "--custom-ops")
    assert res.returncode == 0, res.stderr
    assert "te_custom_my___op______x" in res.stdout and "model ops 0, 1" in res.stdout
    assert all(line.startswith("tinyengine-gen: ") for line in res.stdout.splitlines())  # no newline from the model
    source = (tmp_path / "m.c").read_text() + (tmp_path / "m.h").read_text()
    assert "??/" not in source and "My*/" not in source
    ok = build_and_run(tmp_path, "te_custom_my___op______x")
    assert ok.returncode == 0, ok.stderr + ok.stdout
    failing = build_and_run(tmp_path, "te_custom_my___op______x", rc=9)
    assert failing.returncode == 109, failing.stderr  # the custom op's status is invoke's
    missing = build_and_run(tmp_path, "te_custom_my___op______x", define=False)
    assert missing.returncode != 0 and "undefined reference to `te_custom_my___op______x'" in missing.stderr


def test_colliding_names_are_refused(tmp_path: Path) -> None:
    model = tmp_path / "m.tflite"
    model.write_bytes(hostile_model("Dup-Op", "dup_op"))
    res = run_cli(str(model), "-o", str(tmp_path / "gen"), "--custom-ops")
    assert_one_line_error(res, 1, "'Dup-Op' and 'dup_op' would both call te_custom_dup_op()")


@pytest.mark.parametrize("n_ops", [1, 18])
def test_without_the_option_the_error_says_how(tmp_path: Path, n_ops: int) -> None:
    q = dict(scale=0.1, zero_point=0)
    tensors = [TensorSpec((1, 4), "int8", **q) for _ in range(n_ops + 1)]
    ops = [OpSpec("SIN", [i], [i + 1]) for i in range(n_ops)]  # TFLite has SIN for float only
    model = tmp_path / "sin.tflite"
    model.write_bytes(build_model(tensors, ops, [0], [n_ops]))
    res = run_cli(str(model), "-o", str(tmp_path / "gen"))
    what = "SIN x18 (int8, first at op index 0)" if n_ops > 1 else "SIN (int8, op index 0)"
    assert_one_line_error(res, 2, "sin.tflite: unsupported op", what, "--custom-ops")
    assert len(res.stderr) - len(str(model)) < 240  # short, however many ops


def test_integrations_pass_the_option(tmp_path: Path) -> None:
    """CMake (tinyengine_add_model(... CUSTOM_OPS), also what Zephyr's CONFIG_TINYENGINE_CUSTOM_OPS
    maps to) and PlatformIO (custom_tinyengine_custom_ops = yes) hand --custom-ops to the generator."""
    import re
    import shutil

    if shutil.which("cmake"):
        script = tmp_path / "args.cmake"
        script.write_text(f'include("{REPO / "cmake" / "tinyengine.cmake"}")\n'
                          "tinyengine_generator_args(args CUSTOM_OPS)\nmessage(\"ARGS=${args}\")\n")
        res = subprocess.run(["cmake", f"-DTINYENGINE_PYTHON={sys.executable}", "-P", str(script)],
                             capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert re.search(r"ARGS=(\S*;)?--custom-ops(;|\s)", res.stdout + res.stderr), res.stdout + res.stderr
    zephyr = (REPO / "cmake" / "zephyr.cmake").read_text()
    assert re.search(r"if\(CONFIG_TINYENGINE_CUSTOM_OPS\)\s+list\(APPEND _te_opts CUSTOM_OPS\)", zephyr)
    assert "config TINYENGINE_CUSTOM_OPS" in (REPO / "Kconfig").read_text()
    # PlatformIO's extra script runs inside SCons: the option is read and reaches the generator's
    # arguments (generation and the "does not fit" advice alike).
    source = (REPO / "python" / "tinyengine_gen" / "integrations" / "platformio_extra_script.py").read_text()
    assert re.search(r'custom_ops = parse_switch\("custom_tinyengine_custom_ops"\) == "yes"', source)
    assert source.count('["--custom-ops"] if custom_ops else []') == 2
