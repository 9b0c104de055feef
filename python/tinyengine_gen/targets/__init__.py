"""Emulated Cortex-M targets: build generated models into firmware and run
them in QEMU with exact, reproducible instruction counts.

A generated model is a directory with ``<name>.h`` and ``<name>*.c`` that
expose the tinyengine C API (``<name>_invoke``, ``<name>_input`` ...).  This
module compiles those sources, every kernel in ``<repo>/src/*.c`` and the
harness in ``<repo>/targets/`` with ``arm-none-eabi-gcc`` for one core, links
them with the board's linker script, and runs the ELF with
``qemu-system-arm -icount shift=0`` (one virtual nanosecond per instruction).
The harness counts instructions of each ``invoke`` to the instruction from
SysTick edges (see ``targets/common/measure.c``), measures the stack
high-water mark and exchanges inputs and outputs with the host through
semihosting files.

Typical use::

    from tinyengine_gen import targets
    elf = targets.build_firmware("m4", gen_dir, "vww", out_dir)
    result = targets.run_firmware("m4", elf, [[input_bytes]])
    result.outputs[0][0], result.instructions[0], result.stack_bytes
    targets.size_report(elf).model_flash

Only the standard library is needed (numpy arrays are accepted as inputs).

Modules: ``cores`` (the core table), ``toolchain`` (a core by name, the tools), ``build``
(compile and link), ``run`` (QEMU), ``linkmap`` (flash and RAM from the link map), ``errors``.
"""

from .build import build_firmware
from .cores import BOARDS_DIR, CORES, GCC, QEMU, REPO_ROOT, TARGETS_DIR, Core, Layout, describe_cores, runtime_root
from .errors import BuildError, DoesNotFit, EmulatorTimeout, FirmwareError, TargetError, ToolchainMissing
from .linkmap import SizeReport, flash_bytes, size_report
from .run import RunResult, build_and_run, run_firmware
from .toolchain import check_toolchain, get_core, toolchain_status

__all__ = [
    "REPO_ROOT",
    "TARGETS_DIR",
    "Core",
    "Layout",
    "CORES",
    "get_core",
    "TargetError",
    "ToolchainMissing",
    "BuildError",
    "DoesNotFit",
    "EmulatorTimeout",
    "FirmwareError",
    "RunResult",
    "SizeReport",
    "toolchain_status",
    "check_toolchain",
    "build_firmware",
    "run_firmware",
    "build_and_run",
    "size_report",
    "flash_bytes",
    "describe_cores",
    "runtime_root",
    "BOARDS_DIR",
    "GCC",
    "QEMU",
]
