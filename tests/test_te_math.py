"""te_math (tinyengine's expf, logf, expm1f, tanhf, sinf, cosf, sqrtf, floorf and exact fma) against the
host C library bit for bit: the library LiteRT's float reference kernels call on this host (glibc
on x86-64: its FMA builds of expf/logf/sinf/cosf on CPUs with FMA, fdlibm's tanhf/expm1f).

Default: every 4099th float bit pattern (over a million per function, all signs and exponents)
and a million random fma triples (cancellations, halfway cases, subnormals). `-m slow`: every one
of the 2^32 floats per function (a few minutes each). The emulated-core side is in
tests/targets/test_float_on_cores.py.
"""
from __future__ import annotations

import platform
import subprocess
from pathlib import Path

import pytest

from tests.support.host import REPO

FUNCTIONS = ["expf", "logf", "expm1f", "tanhf", "sinf", "cosf", "sqrtf", "floorf"]


def _host_has_fma() -> bool:
    try:
        return " fma " in f" {Path('/proc/cpuinfo').read_text()} ".replace("\n", " ")
    except OSError:
        return False


# glibc picks its FMA builds of expf/logf/sinf/cosf at run time; te_math reproduces those. On an
# x86-64 host without FMA the oracle would run the plain builds instead.
pytestmark = pytest.mark.skipif(platform.machine() != "x86_64" or platform.libc_ver()[0] != "glibc"
                                or not _host_has_fma(),
                                reason="the reference libm is glibc on an x86-64 CPU with FMA")


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    exe = tmp_path_factory.mktemp("mathcheck") / "math_check"
    cmd = ["gcc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", f"-I{REPO / 'include'}",
           str(REPO / "tests" / "support" / "math_check.c"), str(REPO / "src" / "te_math.c"), "-o", str(exe), "-lm"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return exe


def run(checker: Path, *args: str) -> str:
    res = subprocess.run([str(checker), *args], capture_output=True, text=True, timeout=3600)
    assert res.returncode == 0, f"{' '.join(args)}:\n{res.stdout[-2000:]}{res.stderr[-2000:]}"
    assert " mismatches 0" in res.stdout
    return res.stdout


def test_fma_soft_is_exact(checker: Path) -> None:
    run(checker, "fma", "1000000", "1")


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_function_matches_host_libm(checker: Path, fn: str) -> None:
    run(checker, fn, "0", "0xffffffff", "4099")


@pytest.mark.slow
@pytest.mark.parametrize("fn", FUNCTIONS)
def test_function_matches_host_libm_on_every_float(checker: Path, fn: str) -> None:
    run(checker, fn, "0", "0xffffffff", "1")


@pytest.mark.slow
def test_fma_soft_wide(checker: Path) -> None:
    run(checker, "fma", "100000000", "2")
