"""A core by name, and the cross compiler and emulator it needs."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Sequence

from .cores import CORES, GCC, QEMU, Core
from .errors import BuildError, TargetError, ToolchainMissing


def get_core(core: str | Core) -> Core:
    if isinstance(core, Core):
        return core
    try:
        return CORES[core]
    except KeyError:
        raise TargetError(f"unknown core {core!r}; known: {', '.join(CORES)}") from None


def toolchain_status(need_qemu: bool = True) -> tuple[bool, str]:
    """(True, "") when the cross compiler (and QEMU) are usable, else (False, reason)."""
    if shutil.which(GCC) is None:
        return False, f"{GCC} not found on PATH (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)"
    if need_qemu and shutil.which(QEMU) is None:
        return False, f"{QEMU} not found on PATH (apt-get install qemu-system-arm)"
    return True, ""


def check_toolchain(need_qemu: bool = True) -> None:
    ok, why = toolchain_status(need_qemu)
    if not ok:
        raise ToolchainMissing(why)


def run_tool(cmd: Sequence[str], cwd: Path | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise ToolchainMissing(f"{cmd[0]} not found on PATH") from None
    except subprocess.TimeoutExpired:
        raise BuildError(f"{Path(cmd[0]).name} timed out after {timeout:.0f}s") from None
