"""The emulated Cortex-M cores: QEMU board, compiler flags and memory layouts of each, and where
the runtime (src/, include/, targets/) is. Standard library only and no package imports: the
PlatformIO platform's builder loads this file by path to read CORES."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


def runtime_root() -> Path:
    """Where src/, include/ and targets/ are: the checkout this package runs from (also an editable
    install), else the copies an installed wheel carries in tinyengine_gen/runtime/ (setup.py)."""
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "include" / "tinyengine").is_dir() and (checkout / "targets").is_dir():
        return checkout
    return Path(__file__).resolve().parents[1] / "runtime"


REPO_ROOT: Path = runtime_root()
TARGETS_DIR: Path = REPO_ROOT / "targets"
BOARDS_DIR: Path = TARGETS_DIR / "boards"


GCC = "arm-none-eabi-gcc"
QEMU = "qemu-system-arm"

KB = 1024
MB = 1024 * 1024


@dataclass(frozen=True)
class Layout:
    """One linker script of a board: where code, weights and RAM go.

    ``code_bytes`` holds vectors + .text, ``rodata_bytes`` holds .rodata (model
    weights) and the .data load image (equal to ``code_bytes`` region when
    both share one memory, then ``shared_code_rodata`` is True), ``ram_bytes``
    holds .data + .bss (tensor arena) and, when ``stack_in_ram``, the stack.
    """

    ld_script: str
    description: str
    code_bytes: int
    rodata_bytes: int
    ram_bytes: int
    shared_code_rodata: bool = True
    stack_in_ram: bool = True

    @property
    def path(self) -> Path:
        return BOARDS_DIR / self.ld_script


@dataclass(frozen=True)
class Core:
    """A Cortex-M core and the QEMU board that emulates it."""

    name: str
    cpu: str
    machine: str
    cflags: tuple[str, ...]
    layouts: tuple[Layout, ...]
    description: str
    fpu: bool = False
    dsp: bool = False
    mve: bool = False

    @property
    def layout(self) -> Layout:
        """Default (first) layout."""
        return self.layouts[0]

    @property
    def flash_bytes(self) -> int:
        """Room for code + weights in the default layout."""
        lay = self.layout
        return lay.code_bytes if lay.shared_code_rodata else lay.code_bytes + lay.rodata_bytes

    @property
    def ram_bytes(self) -> int:
        """Room for data + arena (+ stack) in the default layout."""
        return self.layout.ram_bytes

    @property
    def ld_script(self) -> Path:
        return self.layout.path

    def qemu_command(self, elf: Path | str, args: Sequence[str] = ()) -> list[str]:
        """QEMU running `elf`; `args` (no commas or spaces) reach the harness as argv[1..]."""
        semihosting = "enable=on,target=native" + "".join(f",arg={a}" for a in (Path(elf).name, *args) if args)
        return [
            QEMU,
            "-M",
            self.machine,
            "-icount",
            "shift=0",
            "-nographic",
            "-monitor",
            "none",
            "-semihosting-config",
            semihosting,
            "-kernel",
            str(elf),
        ]


def _mps2(ld: str) -> Layout:
    return Layout(ld, "code+weights: SSRAM1 4 MB @0x00000000; data+arena+stack: SSRAM2/3 4 MB @0x20000000",
                  4 * MB, 4 * MB, 4 * MB)


CORES: dict[str, Core] = {
    "m0plus": Core(
        name="m0plus",
        cpu="cortex-m0plus",
        machine="microbit",
        cflags=("-mcpu=cortex-m0plus", "-mfloat-abi=soft"),
        layouts=(
            Layout("microbit.ld", "nRF51: code+weights: flash 256 KB @0x0; data+arena+stack: SRAM 16 KB @0x20000000",
                   256 * KB, 256 * KB, 16 * KB),
        ),
        description="Cortex-M0+ (ARMv6-M), run on QEMU microbit (nRF51, Cortex-M0, 16 MHz)",
    ),
    "m3": Core(
        name="m3",
        cpu="cortex-m3",
        machine="mps2-an385",
        cflags=("-mcpu=cortex-m3", "-mfloat-abi=soft"),
        layouts=(_mps2("mps2-an385.ld"),),
        description="Cortex-M3 (ARMv7-M, soft float), QEMU mps2-an385, 25 MHz",
    ),
    "m4": Core(
        name="m4",
        cpu="cortex-m4",
        machine="mps2-an386",
        cflags=("-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"),
        layouts=(_mps2("mps2-an386.ld"),),
        description="Cortex-M4F (ARMv7E-M, DSP, FPv4-SP hard float), QEMU mps2-an386, 25 MHz",
        fpu=True,
        dsp=True,
    ),
    "m7": Core(
        name="m7",
        cpu="cortex-m7",
        machine="mps2-an500",
        cflags=("-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard"),
        layouts=(_mps2("mps2-an500.ld"),),
        description="Cortex-M7 (ARMv7E-M, DSP, FPv5-DP hard float), QEMU mps2-an500, 25 MHz",
        fpu=True,
        dsp=True,
    ),
    "m33": Core(
        name="m33",
        cpu="cortex-m33",
        machine="mps2-an505",
        cflags=("-mcpu=cortex-m33", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard"),
        layouts=(
            Layout("mps2-an505.ld",
                   "Secure aliases: code+weights: SSRAM1 4 MB @0x10000000; data+arena+stack: SSRAM2+3 4 MB @0x38000000",
                   4 * MB, 4 * MB, 4 * MB),
        ),
        description="Cortex-M33 (ARMv8-M Main, DSP, FPv5-SP hard float), QEMU mps2-an505, 20 MHz",
        fpu=True,
        dsp=True,
    ),
    "m55": Core(
        name="m55",
        cpu="cortex-m55",
        machine="mps3-an547",
        cflags=("-mcpu=cortex-m55", "-mfloat-abi=hard"),
        layouts=(
            Layout("mps3-an547.ld",
                   "code: ITCM 512 KB @0x10000000; weights: SRAM 2 MB @0x11000000; "
                   "data+arena+stack: DTCM 512 KB @0x30000000",
                   512 * KB, 2 * MB, 512 * KB, shared_code_rodata=False),
            Layout("mps3-an547-large.ld",
                   "code: ITCM 512 KB; weights: QSPI 8 MB @0x38000000; data+arena: ISRAM 4 MB @0x31000000; "
                   "stack: DTCM 512 KB",
                   512 * KB, 8 * MB, 4 * MB, shared_code_rodata=False, stack_in_ram=False),
        ),
        description="Cortex-M55 (ARMv8.1-M, DSP, Helium/MVE int+float, FPv5-DP hard float), QEMU mps3-an547, 32 MHz",
        fpu=True,
        dsp=True,
        mve=True,
    ),
}


def describe_cores() -> str:
    """Human-readable table of cores, boards and memory layouts."""
    lines = []
    for c in CORES.values():
        lines.append(f"{c.name:7s} {c.machine:11s} {' '.join(c.cflags)}")
        for lay in c.layouts:
            lines.append(f"        {lay.ld_script}: {lay.description}")
    return "\n".join(lines)
