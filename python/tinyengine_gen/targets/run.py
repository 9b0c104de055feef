"""Run a firmware in QEMU: inputs and outputs through semihosting files, exact instruction
counts per invoke, the stack high-water mark and the per-op profile."""
from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .build import build_firmware, load_info
from .cores import QEMU, Core
from .errors import EmulatorTimeout, FirmwareError, ToolchainMissing
from .toolchain import check_toolchain, get_core

INPUT_FILE = "te_input.bin"
OUTPUT_FILE = "te_output.bin"
FAULT_EXIT_CODE = 126
HARNESS_ERROR_STATUS = 125


@dataclass
class RunResult:
    outputs: list[list[bytes]]           # [set][output] -> bytes
    instructions: list[int]              # per set, invoke only (exact; +-1 on mps3/microbit)
    warmup_instructions: int             # the warm-up invoke on set 0
    stack_bytes: int                     # stack high-water of invoke (max over all calls); -1: overflowed paint
    arena_bytes: int                     # <NAME>_ARENA_SIZE
    status: int                          # invoke's status (0 = success), 125 = harness error
    core: str
    machine: str
    instructions_per_tick: float         # SysTick calibration (40.0 on mps2)
    error: str | None = None
    exit_code: int | None = None
    console: str = ""                    # everything QEMU printed
    summary: dict[str, Any] = field(default_factory=dict)  # the TE_RESULT object (+ "instructions")
    # Profile builds only: instructions of each generated op (index = step of
    # TE_PROFILE_HOOK) on the first measured inference (set 0), hooks
    # excluded; instructions[0] = sum + summary["profile_tail"] (epilogue).
    op_instructions: list[int] | None = None

    @property
    def ok(self) -> bool:
        return self.status == 0


def _as_bytes(x: Any) -> bytes:
    if isinstance(x, (bytes, bytearray, memoryview)):
        return bytes(x)
    tobytes = getattr(x, "tobytes", None)
    if callable(tobytes):  # numpy array
        return tobytes()
    raise TypeError(f"input must be bytes-like or a numpy array, not {type(x).__name__}")


_SET_LINE = re.compile(r"^TE_SET (\d+) (\d+)\s*$", re.M)
_PROFILE_LINE = re.compile(r"^TE_PROFILE((?: -?\d+)*)\s*$", re.M)


def _parse_line(text: str, tag: str) -> dict[str, Any] | None:
    found = None
    for ln in text.splitlines():
        i = ln.find(tag + " {")
        if i >= 0:
            try:
                found = json.loads(ln[i + len(tag) + 1:])
            except ValueError:
                continue
    return found


def run_firmware(
    core: str | Core,
    elf: str | os.PathLike,
    inputs: Sequence[Sequence[Any]],
    *,
    timeout: float = 300.0,
    check: bool = True,
    workdir: str | os.PathLike | None = None,
    reset_every: int = 0,
) -> RunResult:
    """Run ``elf`` in QEMU on N input sets; ``inputs[i][j]`` = bytes of input j of set i.

    The sets are one sequence of calls (a model's state carries over from set to set, as on one
    LiteRT interpreter); ``reset_every=K`` calls ``<name>_reset()`` after every K sets.

    Returns per-set outputs and instruction counts.  Raises EmulatorTimeout
    (QEMU killed after ``timeout`` seconds), FirmwareError (fault, harness
    error, or with ``check`` a non-zero invoke status), ToolchainMissing.
    ``workdir``: keep the semihosting files there instead of a temp dir.
    """
    c = get_core(core)
    check_toolchain(need_qemu=True)
    elf = Path(elf).resolve()
    if not elf.is_file():
        raise FirmwareError(f"{elf} not found")
    info = load_info(elf)
    if info.get("core") not in (None, c.name):
        raise FirmwareError(f"{elf.name} was built for {info['core']}, not {c.name}")
    sets = [[_as_bytes(x) for x in s] for s in inputs]
    if not sets:
        raise FirmwareError("run_firmware needs at least one input set")
    hdr = info.get("header", {})
    want = hdr.get("input_bytes")
    for i, s in enumerate(sets):
        if want is not None and [len(x) for x in s] != want:
            raise FirmwareError(f"input set {i} has sizes {[len(x) for x in s]}, model expects {want}")
    blob = b"".join(b"".join(s) for s in sets)

    ctx = tempfile.TemporaryDirectory(prefix="te-qemu-") if workdir is None else None
    wd = Path(ctx.name) if ctx is not None else Path(workdir)  # type: ignore[arg-type]
    try:
        wd.mkdir(parents=True, exist_ok=True)
        (wd / INPUT_FILE).write_bytes(blob)
        out_path = wd / OUTPUT_FILE
        if out_path.exists():
            out_path.unlink()
        try:
            args = (INPUT_FILE, OUTPUT_FILE, str(int(reset_every))) if reset_every else ()
            p = subprocess.run(c.qemu_command(elf, args), cwd=wd, stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=timeout)
        except FileNotFoundError:
            raise ToolchainMissing(f"{QEMU} not found on PATH") from None
        except subprocess.TimeoutExpired:
            raise EmulatorTimeout(f"QEMU {c.machine} timed out after {timeout:.0f}s running {elf.name} "
                                  f"({len(sets)} input sets)") from None
        console = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
        out_blob = out_path.read_bytes() if out_path.exists() else b""
    finally:
        if ctx is not None:
            ctx.cleanup()

    fault = _parse_line(console, "TE_FAULT")
    if fault is not None:
        raise FirmwareError(
            f"firmware faulted on {c.machine}: exception {int(fault.get('exception', '0'), 16)} "
            f"at pc={fault.get('pc')} lr={fault.get('lr')}"
            + (f" cfsr={fault['cfsr']}" if "cfsr" in fault else "")
            + (f" bfar={fault['bfar']}" if "bfar" in fault else ""),
            console)
    summary = _parse_line(console, "TE_RESULT")
    if summary is None:
        tail = " ".join(console.strip().splitlines()[-2:])[-200:]
        raise FirmwareError(f"no TE_RESULT from {elf.name} on {c.machine} (QEMU exit {p.returncode}): {tail}",
                            console)

    out_sizes = [int(n) for n in summary.get("output_bytes", [])]
    set_bytes = sum(out_sizes)
    n_done = int(summary.get("sets", 0))
    outputs: list[list[bytes]] = []
    for i in range(min(n_done, len(out_blob) // set_bytes if set_bytes else n_done)):
        base, row = i * set_bytes, []
        for n in out_sizes:
            row.append(out_blob[base:base + n])
            base += n
        outputs.append(row)

    per_set: dict[int, int] = {}
    for m in _SET_LINE.finditer(console):
        per_set[int(m.group(1))] = int(m.group(2))
    instructions = [per_set[i] for i in range(n_done) if i in per_set]
    if len(instructions) != n_done:
        raise FirmwareError(f"{elf.name} on {c.machine}: {len(instructions)} TE_SET lines for {n_done} sets",
                            console)
    summary["instructions"] = instructions
    op_instructions: list[int] | None = None
    m_prof = _PROFILE_LINE.search(console)
    if m_prof is not None:
        op_instructions = [int(v) for v in m_prof.group(1).split()]
        steps = summary.get("profile_steps")
        if steps is not None and int(steps) != len(op_instructions):
            raise FirmwareError(f"{elf.name} on {c.machine}: TE_PROFILE has {len(op_instructions)} counts "
                                f"for {steps} steps", console)
    elif info.get("profile") and n_done:
        raise FirmwareError(f"{elf.name} was built with profile=True but printed no TE_PROFILE line", console)

    result = RunResult(
        outputs=outputs,
        instructions=instructions,
        warmup_instructions=int(summary.get("warmup_instructions", 0)),
        stack_bytes=int(summary.get("stack_bytes", 0)),
        arena_bytes=int(summary.get("arena_bytes", 0)),
        status=int(summary.get("status", -1)),
        core=c.name,
        machine=c.machine,
        instructions_per_tick=int(summary.get("instructions_per_tick_milli", 0)) / 1000.0,
        error=summary.get("error"),
        exit_code=p.returncode,
        console=console,
        summary=summary,
        op_instructions=op_instructions,
    )
    if result.status == HARNESS_ERROR_STATUS and result.error != "invoke failed":
        raise FirmwareError(f"harness error on {c.machine}: {result.error}", console, result)
    if check and result.status != 0:
        raise FirmwareError(f"{info.get('model', elf.stem)}_invoke returned {result.status} on {c.machine} "
                            f"(input set {max(n_done - 1, 0)})", console, result)
    if result.status == 0 and (n_done != len(sets) or len(outputs) != len(sets)):
        raise FirmwareError(f"firmware ran {n_done} of {len(sets)} input sets and wrote "
                            f"{len(outputs)} output sets", console, result)
    if result.stack_bytes < 0 and check:
        raise FirmwareError(f"stack use of invoke exceeded the {summary.get('stack_painted_bytes')} "
                            f"painted bytes on {c.machine}", console, result)
    return result


def build_and_run(
    core: str | Core,
    gen_dir: str | os.PathLike,
    model_name: str,
    out_dir: str | os.PathLike,
    inputs: Sequence[Sequence[Any]],
    **build_kwargs: Any,
) -> RunResult:
    """build_firmware + run_firmware with default run options."""
    elf = build_firmware(core, gen_dir, model_name, out_dir, **build_kwargs)
    return run_firmware(core, elf, inputs)
