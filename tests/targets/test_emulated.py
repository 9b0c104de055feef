"""Emulated Cortex-M targets (targets/ + python/tinyengine_gen/targets/).

Builds small hand-written fake models for every core, runs them in QEMU and
checks outputs against Python, determinism of the instruction counts, the
calibration of the SysTick instruction counter against a loop of known
length, stack measurement, memory layouts and error reporting.
"""
from __future__ import annotations

import struct
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "python") not in sys.path:
    sys.path.insert(0, str(REPO / "python"))

from tinyengine_gen import targets  # noqa: E402

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [
    pytest.mark.emulated,
    pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}"),
]

CORES = ["m0plus", "m3", "m4", "m7", "m33", "m55"]
# SysTick clocks of the QEMU boards: 25 MHz (mps2), 20 MHz (an505), 32 MHz (an547), 16 MHz (nRF51)
EXPECTED_IPT = {"m0plus": 62.5, "m3": 40.0, "m4": 40.0, "m7": 40.0, "m33": 50.0, "m55": 31.25}
# A tick edge falls between instructions only when instructions/tick is an integer.
TOLERANCE = {c: (0 if float(v).is_integer() else 1) for c, v in EXPECTED_IPT.items()}

# --------------------------------------------------------------------------
# Fake model "fakenet": 2 inputs (16 x int8, 1 x int32), 2 outputs (4 x int8,
# 1 x float32), a mixing loop and a dot product (Helium intrinsics on M55,
# FPU on hard-float cores), so the FPU/MVE enable in the startup is exercised.

REPS = 64
W1 = [(i * 7 + 3) % 23 - 11 for i in range(16)]
W2 = [[((j * 16 + i) * 5 + 1) % 19 - 9 for i in range(16)] for j in range(4)]


def _c_array(vals: list[int]) -> str:
    return "{" + ", ".join(str(v) for v in vals) + "}"


FAKE_H = """#ifndef FAKENET_H
#define FAKENET_H
#include <stddef.h>
#include <stdint.h>
#define FAKENET_ARENA_SIZE 64
#define FAKENET_NUM_INPUTS 2
#define FAKENET_NUM_OUTPUTS 2
#define FAKENET_INPUT0_BYTES 16
#define FAKENET_INPUT1_BYTES 4
#define FAKENET_OUTPUT0_BYTES 4
#define FAKENET_OUTPUT1_BYTES 4
int fakenet_invoke(void);
void fakenet_reset(void);
void *fakenet_input(int index);
const void *fakenet_output(int index);
size_t fakenet_input_bytes(int index);
size_t fakenet_output_bytes(int index);
#endif
"""

FAKE_C = """#include <string.h>
#include "fakenet.h"
#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#endif
static int8_t arena[FAKENET_ARENA_SIZE] __attribute__((aligned(16)));
/* arena: [0,16) input0, [16,20) input1, [32,36) output0, [48,52) output1 */
static const int8_t w1[16] = %(W1)s;
static const int8_t w2[4][16] __attribute__((aligned(16))) = {%(W2)s};

int fakenet_invoke(void)
{
    int8_t x[16] __attribute__((aligned(16)));
    int32_t off, acc[4];
    float f;
    int rep, i, j;
    memcpy(x, arena, 16);
    memcpy(&off, arena + 16, 4);
    for (rep = 0; rep < %(REPS)d; rep++)
        for (i = 0; i < 16; i++)
            x[i] = (int8_t)(x[i] * 5 + w1[(i + rep) & 15] + (rep & 7));
    for (j = 0; j < 4; j++) {
#if defined(__ARM_FEATURE_MVE)
        acc[j] = off + vmladavq_s8(vld1q_s8(x), vld1q_s8(w2[j]));
#else
        acc[j] = off;
        for (i = 0; i < 16; i++)
            acc[j] += x[i] * w2[j][i];
#endif
        acc[j] >>= 3;
        arena[32 + j] = (int8_t)(acc[j] > 127 ? 127 : acc[j] < -128 ? -128 : acc[j]);
    }
    f = (float)acc[0] * 0.25f + 1.5f;
    memcpy(arena + 48, &f, 4);
    return off == 0x7fffffff ? 7 : 0; /* a way to make invoke fail */
}
void fakenet_reset(void) {}
void *fakenet_input(int index) { return index == 0 ? arena : index == 1 ? arena + 16 : 0; }
const void *fakenet_output(int index) { return index == 0 ? arena + 32 : index == 1 ? arena + 48 : 0; }
size_t fakenet_input_bytes(int index) { return index == 0 ? 16u : index == 1 ? 4u : 0u; }
size_t fakenet_output_bytes(int index) { return index == 0 || index == 1 ? 4u : 0u; }
""" % {"W1": _c_array(W1), "W2": ", ".join(_c_array(r) for r in W2), "REPS": REPS}


def fakenet_reference(in0: bytes, in1: bytes) -> list[bytes]:
    x = [int(v) for v in np.frombuffer(in0, dtype=np.int8)]
    off = struct.unpack("<i", in1)[0]
    for rep in range(REPS):
        for i in range(16):
            v = x[i] * 5 + W1[(i + rep) & 15] + (rep & 7)
            x[i] = ((v + 128) & 255) - 128
    accs = []
    for j in range(4):
        acc = off + sum(x[i] * W2[j][i] for i in range(16))
        accs.append(acc >> 3)
    out0 = bytes(np.array([min(127, max(-128, a)) for a in accs], dtype=np.int8).tobytes())
    f = np.float32(np.float32(accs[0]) * np.float32(0.25)) + np.float32(1.5)
    return [out0, np.float32(f).tobytes()]


# Loop model "loopm": invoke runs te_known_loop(n) (2n + 1 instructions,
# from targets/common/measure.c), n = input 0 as uint32.
LOOP_H = """#include <stddef.h>
#define LOOPM_ARENA_SIZE 8
#define LOOPM_NUM_INPUTS 1
#define LOOPM_NUM_OUTPUTS 1
#define LOOPM_INPUT0_BYTES 4
#define LOOPM_OUTPUT0_BYTES 4
int loopm_invoke(void);
void loopm_reset(void);
void *loopm_input(int index);
const void *loopm_output(int index);
size_t loopm_input_bytes(int index);
size_t loopm_output_bytes(int index);
"""
LOOP_C = """#include <stdint.h>
#include "loopm.h"
void te_known_loop(uint32_t n);
static uint32_t io[2];
int loopm_invoke(void) { te_known_loop(io[0]); io[1] = io[0] ^ 0x5a5a5a5au; return 0; }
void loopm_reset(void) {}
void *loopm_input(int i) { (void)i; return &io[0]; }
const void *loopm_output(int i) { (void)i; return &io[1]; }
size_t loopm_input_bytes(int i) { (void)i; return 4; }
size_t loopm_output_bytes(int i) { (void)i; return 4; }
"""

# Big model "bignet": ARENA bytes of .bss and WEIGHTS bytes of .rodata, for layouts.
BIG_H = """#include <stddef.h>
#define BIGNET_ARENA_SIZE %(ARENA)d
#define BIGNET_NUM_INPUTS 1
#define BIGNET_NUM_OUTPUTS 1
#define BIGNET_INPUT0_BYTES 4
#define BIGNET_OUTPUT0_BYTES 4
int bignet_invoke(void);
void bignet_reset(void);
void *bignet_input(int index);
const void *bignet_output(int index);
size_t bignet_input_bytes(int index);
size_t bignet_output_bytes(int index);
"""
BIG_C = """#include <stdint.h>
#include "bignet.h"
static uint8_t arena[BIGNET_ARENA_SIZE] __attribute__((aligned(16)));
static const uint8_t weights[%(WEIGHTS)d] = {1, 2, 3, 4, 5, 6, 7, 8, [%(WEIGHTS)d - 1] = 9};
int bignet_invoke(void)
{
    uint32_t i, s = 0, n;
    const uint8_t *in = arena;
    n = (uint32_t)in[0] | (uint32_t)in[1] << 8;
    for (i = 0; i < BIGNET_ARENA_SIZE; i += 4096)
        arena[i + 8] = (uint8_t)i;
    for (i = 0; i < sizeof weights; i += 1024)
        s += weights[i];
    s += weights[sizeof weights - 1] + arena[BIGNET_ARENA_SIZE - 1] + n;
    arena[4] = (uint8_t)s; arena[5] = (uint8_t)(s >> 8); arena[6] = 0; arena[7] = 0;
    return 0;
}
void bignet_reset(void) {}
void *bignet_input(int i) { (void)i; return arena; }
const void *bignet_output(int i) { (void)i; return arena + 4; }
size_t bignet_input_bytes(int i) { (void)i; return 4; }
size_t bignet_output_bytes(int i) { (void)i; return 4; }
"""


def _write_model(d: Path, name: str, header: str, source: str) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{name}.h").write_text(header)
    (d / f"{name}.c").write_text(source)
    return d


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("emulated")


@pytest.fixture(scope="module")
def cache(work: Path) -> Path:
    return work / "objcache"


@pytest.fixture(scope="module")
def fakenet_dir(work: Path) -> Path:
    return _write_model(work / "gen_fakenet", "fakenet", FAKE_H, FAKE_C)


@pytest.fixture(scope="module")
def loopm_dir(work: Path) -> Path:
    return _write_model(work / "gen_loopm", "loopm", LOOP_H, LOOP_C)


def _fake_inputs() -> list[list[bytes]]:
    rng = np.random.default_rng(1234)
    sets = []
    for k in range(3):
        in0 = rng.integers(-128, 128, size=16, dtype=np.int8).tobytes()
        in1 = struct.pack("<i", int(rng.integers(-5000, 5000)) if k else 0)
        sets.append([in0, in1])
    sets.append(list(sets[1]))  # a repeated set: same count expected
    return sets


@pytest.mark.parametrize("core", CORES)
def test_fakenet_outputs_and_determinism(core: str, work: Path, cache: Path, fakenet_dir: Path) -> None:
    elf = targets.build_firmware(core, fakenet_dir, "fakenet", work / f"build_fakenet_{core}",
                                 kernel_sources=[], cache_dir=cache)
    sets = _fake_inputs()
    r1 = targets.run_firmware(core, elf, sets, timeout=60)
    assert r1.status == 0 and r1.exit_code == 0
    assert r1.machine == targets.CORES[core].machine
    for got, s in zip(r1.outputs, sets):
        assert got == fakenet_reference(*s)
    assert len(r1.instructions) == len(sets)
    assert all(n > 1000 for n in r1.instructions)
    assert abs(r1.instructions[3] - r1.instructions[1]) <= TOLERANCE[core]
    assert r1.instructions_per_tick == EXPECTED_IPT[core]
    assert r1.arena_bytes == 64
    assert 0 < r1.stack_bytes < 1024
    assert r1.summary["sync_retries"] == 0
    assert r1.summary["instructions_first"] == r1.instructions[0]
    assert targets.build.load_info(elf)["layout"] == targets.CORES[core].layout.ld_script

    r2 = targets.run_firmware(core, elf, sets, timeout=60)
    assert r2.instructions == r1.instructions
    assert r2.warmup_instructions == r1.warmup_instructions
    assert r2.stack_bytes == r1.stack_bytes
    assert r2.outputs == r1.outputs


@pytest.mark.parametrize("core", CORES)
def test_known_loop_calibration(core: str, work: Path, cache: Path, loopm_dir: Path) -> None:
    elf = targets.build_firmware(core, loopm_dir, "loopm", work / f"build_loopm_{core}",
                                 kernel_sources=[], cache_dir=cache)
    ns = [1, 2, 1000, 123457, 3_000_000]
    r = targets.run_firmware(core, elf, [[struct.pack("<I", n)] for n in ns], timeout=60)
    assert [o[0] for o in r.outputs] == [struct.pack("<I", n ^ 0x5A5A5A5A) for n in ns]
    tol = TOLERANCE[core]
    # te_known_loop(n) is 2n + 1 instructions; the rest of invoke + call is a constant.
    base = [count - 2 * n for count, n in zip(r.instructions, ns)]
    assert 3 <= base[0] <= 40, r.instructions
    assert max(base) - min(base) <= 2 * tol, r.instructions


def test_invoke_failure_status(work: Path, cache: Path, fakenet_dir: Path) -> None:
    core = "m3"
    elf = targets.build_firmware(core, fakenet_dir, "fakenet", work / "build_fail_m3",
                                 kernel_sources=[], cache_dir=cache)
    sets = [[bytes(16), struct.pack("<i", 5)], [bytes(16), struct.pack("<i", 0x7FFFFFFF)],
            [bytes(16), struct.pack("<i", 1)]]
    with pytest.raises(targets.FirmwareError, match="returned 7"):
        targets.run_firmware(core, elf, sets, timeout=60)
    r = targets.run_firmware(core, elf, sets, timeout=60, check=False)
    assert r.status == 7 and r.exit_code == 7
    assert len(r.instructions) == 2 and len(r.outputs) == 1  # stopped at the failing set
    with pytest.raises(targets.FirmwareError, match="model expects"):
        targets.run_firmware(core, elf, [[bytes(15), bytes(4)]])


def test_fault_is_reported(work: Path, cache: Path) -> None:
    d = _write_model(work / "gen_crash", "crash", LOOP_H.replace("LOOPM", "CRASH").replace("loopm", "crash"),
                     """#include <stdint.h>
#include "crash.h"
static uint32_t io[2];
int crash_invoke(void) { io[1] = *(volatile uint32_t *)(uintptr_t)(0xF0000000u + io[0]); return 0; }
void crash_reset(void) {}
void *crash_input(int i) { (void)i; return &io[0]; }
const void *crash_output(int i) { (void)i; return &io[1]; }
size_t crash_input_bytes(int i) { (void)i; return 4; }
size_t crash_output_bytes(int i) { (void)i; return 4; }
""")
    elf = targets.build_firmware("m4", d, "crash", work / "build_crash", kernel_sources=[], cache_dir=cache)
    with pytest.raises(targets.FirmwareError, match=r"faulted on mps2-an386: exception 3 .*bfar=0xf0000000"):
        targets.run_firmware("m4", elf, [[bytes(4)]], timeout=60)


def test_layouts_and_sizes(work: Path, cache: Path) -> None:
    # ~750 KB of weights and ~600 KB of arena: no room in the an547 DTCM (512 KB),
    # so the build falls back to the large layout (QSPI weights, ISRAM arena).
    arena, weights = 600 * 1024, 750 * 1024
    d = _write_model(work / "gen_big", "bignet", BIG_H % {"ARENA": arena}, BIG_C % {"WEIGHTS": weights})
    elf = targets.build_firmware("m55", d, "bignet", work / "build_big_m55", kernel_sources=[], cache_dir=cache)
    info = targets.build.load_info(elf)
    assert info["layout"] == "mps3-an547-large.ld"
    rep = targets.size_report(elf)
    assert rep.layout == "mps3-an547-large.ld"
    assert weights <= rep.model_flash < weights + 4096
    assert arena <= rep.model_ram < arena + 4096
    assert rep.kernel_flash == 0
    assert 0 < rep.runtime_flash < 64 * 1024
    assert targets.flash_bytes(elf, d) == rep.model_flash
    r = targets.run_firmware("m55", elf, [[struct.pack("<I", 1000)]], timeout=60)
    expect = (sum(([1, 2, 3, 4, 5, 6, 7, 8] + [0] * (weights - 8))[0:weights:1024]) + 9 + 1000) & 0xFFFF
    assert r.outputs[0][0] == struct.pack("<I", expect)

    # The same model does not fit the 16 KB micro:bit at all: one-line error.
    with pytest.raises(targets.DoesNotFit) as ei:
        targets.build_firmware("m0plus", d, "bignet", work / "build_big_m0", kernel_sources=[], cache_dir=cache)
    msg = str(ei.value)
    assert "\n" not in msg and "bignet does not fit m0plus" in msg and "overflowed" in msg


def test_bad_requests(work: Path, fakenet_dir: Path) -> None:
    with pytest.raises(targets.TargetError, match="unknown core"):
        targets.build_firmware("m85", fakenet_dir, "fakenet", work / "x")
    with pytest.raises(targets.BuildError, match="not found"):
        targets.build_firmware("m4", fakenet_dir, "nosuch", work / "x")


def test_kernels_compile_for_targets(work: Path, cache: Path, fakenet_dir: Path) -> None:
    """Every <repo>/src/*.c kernel compiles with the target flags and links (M0+ and M55)."""
    kernels = sorted((REPO / "src").glob("*.c"))
    if not kernels:
        pytest.skip("no kernels in src/ yet")
    for core in ("m0plus", "m55"):
        elf = targets.build_firmware(core, fakenet_dir, "fakenet", work / f"build_kernels_{core}",
                                     cache_dir=cache, jobs=2)
        rep = targets.size_report(elf)
        assert rep.model_flash > 0
