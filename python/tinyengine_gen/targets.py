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
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

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
]

def runtime_root() -> Path:
    """Where src/, include/ and targets/ are: the checkout this package runs from (also an editable
    install), else the copies an installed wheel carries in tinyengine_gen/runtime/ (setup.py)."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "include" / "tinyengine").is_dir() and (checkout / "targets").is_dir():
        return checkout
    return Path(__file__).resolve().parent / "runtime"


REPO_ROOT: Path = runtime_root()
TARGETS_DIR: Path = REPO_ROOT / "targets"
BOARDS_DIR: Path = TARGETS_DIR / "boards"

GCC = "arm-none-eabi-gcc"
QEMU = "qemu-system-arm"

INPUT_FILE = "te_input.bin"
OUTPUT_FILE = "te_output.bin"
FAULT_EXIT_CODE = 126
HARNESS_ERROR_STATUS = 125

KB = 1024
MB = 1024 * 1024


# --------------------------------------------------------------------------
# Core table


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


def get_core(core: str | Core) -> Core:
    if isinstance(core, Core):
        return core
    try:
        return CORES[core]
    except KeyError:
        raise TargetError(f"unknown core {core!r}; known: {', '.join(CORES)}") from None


# --------------------------------------------------------------------------
# Errors


class TargetError(RuntimeError):
    """Base error; str() is one line, ``details`` holds tool output if any."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


class ToolchainMissing(TargetError):
    pass


class BuildError(TargetError):
    pass


class DoesNotFit(BuildError):
    pass


class EmulatorTimeout(TargetError):
    pass


class FirmwareError(TargetError):
    """The firmware faulted, its invoke failed, or the harness reported an error."""

    def __init__(self, message: str, details: str = "", result: "RunResult | None" = None) -> None:
        super().__init__(message, details)
        self.result = result


# --------------------------------------------------------------------------
# Toolchain


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


# --------------------------------------------------------------------------
# Build


_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_REGION_OVERFLOW = re.compile(r"region [`'](\w+)' overflowed by (\d+) bytes")
_NOT_FIT = re.compile(r"will not fit in region [`'](\w+)'")


def _first_error(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        if "error" in ln.lower() or "undefined reference" in ln:
            return ln
    return lines[0] if lines else "(no output)"


def _model_sources(gen_dir: Path, model_name: str) -> list[Path]:
    """``<name>*.c`` in gen_dir, minus sources of other models whose name
    extends this one (``<name>2.h`` present -> ``<name>2*.c`` excluded)."""
    others = [
        h.stem
        for h in gen_dir.glob(f"{model_name}?*.h")
        if h.stem != model_name and _IDENT.match(h.stem) and (gen_dir / f"{h.stem}.c").exists()
    ]
    srcs = []
    for c in sorted(gen_dir.glob(f"{model_name}*.c")):
        if any(c.name.startswith(o) for o in others):
            continue
        srcs.append(c)
    return srcs


def _header_sizes(header: Path, upper: str) -> dict[str, Any]:
    text = header.read_text(errors="replace")
    info: dict[str, Any] = {}
    for key, pat in (("num_inputs", "NUM_INPUTS"), ("num_outputs", "NUM_OUTPUTS"), ("arena_bytes", "ARENA_SIZE")):
        m = re.search(rf"#\s*define\s+{upper}_{pat}\s+\(?\s*(\d+)", text)
        if m:
            info[key] = int(m.group(1))
    for key, pat in (("input_bytes", "INPUT"), ("output_bytes", "OUTPUT")):
        found = {
            int(m.group(1)): int(m.group(2))
            for m in re.finditer(rf"#\s*define\s+{upper}_{pat}(\d+)_BYTES\s+\(?\s*(\d+)", text)
        }
        if found and sorted(found) == list(range(len(found))):
            info[key] = [found[i] for i in range(len(found))]
    return info


def _hash_tree(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _run_tool(cmd: Sequence[str], cwd: Path | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise ToolchainMissing(f"{cmd[0]} not found on PATH") from None
    except subprocess.TimeoutExpired:
        raise BuildError(f"{Path(cmd[0]).name} timed out after {timeout:.0f}s") from None


def _info_path(elf: Path) -> Path:
    return elf.with_suffix(".build.json")


def build_firmware(
    core: str | Core,
    gen_dir: str | os.PathLike,
    model_name: str,
    out_dir: str | os.PathLike,
    opt: str = "-O3",
    extra_cflags: Sequence[str] = (),
    *,
    kernel_sources: Sequence[str | os.PathLike] | None = None,
    layout: str | None = None,
    jobs: int = 1,
    cache_dir: str | os.PathLike | None = None,
    profile: bool = False,
) -> Path:
    """Compile and link the model in ``gen_dir`` for ``core``; returns the ELF.

    kernel_sources: kernels to compile (default: every ``<repo>/src/*.c``;
    unused functions are dropped by ``--gc-sections``).  layout: a linker
    script name from ``Core.layouts`` (default: try them in order and keep
    the first the model fits).  jobs: parallel compiler processes.
    cache_dir: reuse kernel/harness objects across builds (keyed by flags,
    source and ``include/`` contents).  profile: per-op profiling build
    (model and harness compiled with ``-DTE_PROFILE``; the generated
    ``TE_PROFILE_HOOK(step)`` calls are counted on the first measured
    inference, see ``RunResult.op_instructions``; kernels are unchanged and
    share the cache with normal builds).  Writes ``<out_dir>/<name>-<core>.elf``,
    ``.map`` and ``.build.json`` (sizes from the header, objects, layout),
    objects under ``<out_dir>/obj/<core>/``.
    """
    c = get_core(core)
    check_toolchain(need_qemu=False)
    gen = Path(gen_dir).resolve()
    out = Path(out_dir).resolve()
    if not _IDENT.match(model_name):
        raise BuildError(f"model name {model_name!r} is not a lower-case C identifier")
    header = gen / f"{model_name}.h"
    if not header.is_file():
        raise BuildError(f"{header} not found")
    model_srcs = _model_sources(gen, model_name)
    if not model_srcs:
        raise BuildError(f"no {model_name}*.c sources in {gen}")
    if kernel_sources is None:
        kernels = sorted((REPO_ROOT / "src").glob("*.c"))
    else:
        kernels = [Path(k).resolve() for k in kernel_sources]
    runtime = [
        TARGETS_DIR / "common" / "startup.c",
        TARGETS_DIR / "common" / "measure.c",
        TARGETS_DIR / "harness" / "main.c",
    ]
    upper = model_name.upper()
    out.mkdir(parents=True, exist_ok=True)
    objdir = out / "obj" / c.name
    for sub in ("model", "kernels", "runtime"):
        (objdir / sub).mkdir(parents=True, exist_ok=True)

    # Kernels and runtime do not see the model directory, so their objects
    # can be shared between models through cache_dir.
    base = [GCC, "-mthumb", *c.cflags, opt, "-ffunction-sections", "-fdata-sections",
            f"-I{REPO_ROOT / 'include'}", f"-I{TARGETS_DIR / 'common'}", *extra_cflags]
    model_inc = [f"-I{gen}"]
    harness_defs = [f"-I{gen}", f"-DTE_MODEL={model_name}", f"-DTE_MODEL_UPPER={upper}",
                    "-include", str(header)]
    runtime_defs: list[str] = []
    if profile:
        # measure.h maps TE_PROFILE_HOOK(step) to te_profile_hook(step)
        model_inc += ["-DTE_PROFILE", "-include", "measure.h"]
        runtime_defs = ["-DTE_PROFILE"]

    cache = Path(cache_dir).resolve() if cache_dir is not None else None
    inc_hash = ""
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        inc_hash = _hash_tree(p for p in (REPO_ROOT / "include").rglob("*") if p.is_file()) \
            if (REPO_ROOT / "include").is_dir() else ""

    jobs_list: list[tuple[Path, Path, list[str], bool]] = []  # src, obj, cmd, cacheable
    used_names: set[str] = set()

    def obj_for(src: Path, sub: str) -> Path:
        stem = src.stem
        n, i = stem, 1
        while f"{sub}/{n}" in used_names:
            i += 1
            n = f"{stem}_{i}"
        used_names.add(f"{sub}/{n}")
        return objdir / sub / f"{n}.o"

    for s in model_srcs:
        o = obj_for(s, "model")
        jobs_list.append((s, o, [*base, *model_inc, "-c", str(s), "-o", str(o)], False))
    for s in kernels:
        o = obj_for(s, "kernels")
        jobs_list.append((s, o, [*base, "-c", str(s), "-o", str(o)], True))
    for s in runtime:
        o = obj_for(s, "runtime")
        extra = harness_defs if s.name == "main.c" else []
        jobs_list.append((s, o, [*base, *runtime_defs, *extra, "-c", str(s), "-o", str(o)], s.name != "main.c"))

    def compile_one(item: tuple[Path, Path, list[str], bool]) -> Path:
        src, obj, cmd, cacheable = item
        key_path: Path | None = None
        if cache is not None and cacheable:
            key = hashlib.sha256(
                "\0".join([*cmd[:-4], inc_hash, hashlib.sha256(src.read_bytes()).hexdigest(),
                           hashlib.sha256(b"".join(p.read_bytes() for p in sorted(
                               (TARGETS_DIR / "common").glob("*.h")))).hexdigest()]).encode()
            ).hexdigest()[:24]
            key_path = cache / f"{src.stem}-{key}.o"
            if key_path.is_file():
                return key_path
        r = _run_tool(cmd)
        if r.returncode != 0:
            raise BuildError(f"compiling {src.name} for {c.name} failed: {_first_error(r.stderr)}", r.stderr)
        if key_path is not None:
            tmp = key_path.with_suffix(f".{os.getpid()}.tmp")
            shutil.copyfile(obj, tmp)
            os.replace(tmp, key_path)
            return key_path
        return obj

    if jobs > 1:
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
            objs = list(ex.map(compile_one, jobs_list))
    else:
        objs = [compile_one(j) for j in jobs_list]
    n_model, n_kern = len(model_srcs), len(kernels)
    model_objs, kernel_objs, runtime_objs = objs[:n_model], objs[n_model:n_model + n_kern], objs[n_model + n_kern:]

    layouts = list(c.layouts)
    if layout is not None:
        layouts = [lay for lay in c.layouts if lay.ld_script in (layout, f"{layout}.ld")]
        if not layouts:
            raise BuildError(f"unknown layout {layout!r} for {c.name}; known: "
                             f"{', '.join(lay.ld_script for lay in c.layouts)}")
    elf = out / f"{model_name}-{c.name}.elf"
    mapfile = elf.with_suffix(".map")
    overflow: list[str] = []
    chosen: Layout | None = None
    quiet_rwx = ["-Wl,--no-warn-rwx-segments"]  # binutils >= 2.39; QEMU images are all RAM
    for lay in layouts:
        cmd = [GCC, "-mthumb", *c.cflags, opt, "-nostartfiles", "--specs=rdimon.specs",
               f"-L{BOARDS_DIR}", "-T", str(lay.path), "-Wl,--gc-sections", *quiet_rwx,
               f"-Wl,-Map={mapfile}", "-o", str(elf), *map(str, objs), "-lm"]
        r = _run_tool(cmd)
        if r.returncode != 0 and quiet_rwx and "no-warn-rwx-segments" in r.stderr:
            quiet_rwx = []
            cmd.remove("-Wl,--no-warn-rwx-segments")
            r = _run_tool(cmd)
        if r.returncode == 0:
            chosen = lay
            break
        msgs = [f"region {m.group(1)} overflowed by {m.group(2)} bytes" for m in _REGION_OVERFLOW.finditer(r.stderr)]
        if not msgs:
            msgs = [f"section does not fit region {m.group(1)}" for m in _NOT_FIT.finditer(r.stderr)]
        if msgs:
            overflow.append(f"{lay.ld_script}: {'; '.join(dict.fromkeys(msgs))}")
            continue
        raise BuildError(f"linking {model_name} for {c.name} failed: {_first_error(r.stderr)}", r.stderr)
    if chosen is None:
        raise DoesNotFit(f"{model_name} does not fit {c.name} ({c.machine}): {' | '.join(overflow)}")

    info = {
        "core": c.name,
        "machine": c.machine,
        "model": model_name,
        "layout": chosen.ld_script,
        "opt": opt,
        "cflags": [*c.cflags, opt, *extra_cflags],
        "profile": bool(profile),
        "header": _header_sizes(header, upper),
        "objects": {
            "model": [str(p) for p in model_objs],
            "kernels": [str(p) for p in kernel_objs],
            "runtime": [str(p) for p in runtime_objs],
        },
    }
    _info_path(elf).write_text(json.dumps(info, indent=1))
    return elf


# --------------------------------------------------------------------------
# Run


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


def _load_info(elf: Path) -> dict[str, Any]:
    p = _info_path(elf)
    if p.is_file():
        try:
            return json.loads(p.read_text())
        except ValueError:
            return {}
    return {}


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
    info = _load_info(elf)
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


# --------------------------------------------------------------------------
# Size accounting


_FLASH_SECTIONS = (".vectors", ".text", ".ARM.extab", ".ARM.exidx", ".rodata", ".data")
_RAM_SECTIONS = (".data", ".bss")


@dataclass
class SizeReport:
    """Bytes per object group and output section, from the link map (after
    --gc-sections, so only code that is really linked is counted).

    Groups: "model" (generated sources), "kernels" (<repo>/src), "runtime"
    (harness, startup, libc, libgcc).  Flash = code + rodata + .data image,
    RAM = .data + .bss (the stack is not included).
    """

    sections: dict[str, dict[str, int]]  # group -> output section -> bytes
    layout: str = ""
    core: str = ""

    def _sum(self, group: str, names: Sequence[str]) -> int:
        return sum(self.sections.get(group, {}).get(n, 0) for n in names)

    def flash(self, group: str) -> int:
        return self._sum(group, _FLASH_SECTIONS)

    def ram(self, group: str) -> int:
        return self._sum(group, _RAM_SECTIONS)

    @property
    def model_flash(self) -> int:
        return self.flash("model")

    @property
    def kernel_flash(self) -> int:
        return self.flash("kernels")

    @property
    def runtime_flash(self) -> int:
        return self.flash("runtime")

    @property
    def model_ram(self) -> int:
        return self.ram("model")

    @property
    def kernel_ram(self) -> int:
        return self.ram("kernels")

    @property
    def runtime_ram(self) -> int:
        return self.ram("runtime")

    @property
    def total_flash(self) -> int:
        return sum(self.flash(g) for g in self.sections)

    @property
    def total_ram(self) -> int:
        return sum(self.ram(g) for g in self.sections)

    def as_dict(self) -> dict[str, Any]:
        return {
            "core": self.core,
            "layout": self.layout,
            "model_flash": self.model_flash,
            "kernel_flash": self.kernel_flash,
            "runtime_flash": self.runtime_flash,
            "model_ram": self.model_ram,
            "kernel_ram": self.kernel_ram,
            "runtime_ram": self.runtime_ram,
            "sections": self.sections,
        }


_MAP_INPUT = re.compile(r"^ (\S+)?\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S.*)$")
_MAP_OUTPUT = re.compile(r"^(\.\S+|\S+)(?:\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+))?")


def _parse_map(mapfile: Path) -> list[tuple[str, str, int, str]]:
    """(output section, input section, size, object) for every input section."""
    rows: list[tuple[str, str, int, str]] = []
    in_map = False
    out_sec = ""
    pending_in: str | None = None
    for raw in mapfile.read_text(errors="replace").splitlines():
        if not in_map:
            if raw.startswith("Linker script and memory map"):
                in_map = True
            continue
        if not raw.strip():
            pending_in = None
            continue
        if not raw.startswith(" "):
            m = _MAP_OUTPUT.match(raw)
            if m:
                out_sec = m.group(1)
            pending_in = None
            continue
        if raw.startswith(" *fill*") or raw.startswith(" *("):
            pending_in = None
            continue
        m = _MAP_INPUT.match(raw)
        if m:
            name = m.group(1) or pending_in or ""
            pending_in = None
            size = int(m.group(3), 16)
            obj = m.group(4).strip()
            if size and name and not obj.startswith("load address"):
                rows.append((out_sec, name, size, obj))
            continue
        s = raw.strip()
        # an input section name too long for its column continues on the next line
        pending_in = s if raw.startswith(" ") and not raw.startswith("  ") and " " not in s else None
    return rows


def size_report(elf: str | os.PathLike) -> SizeReport:
    """Flash/RAM bytes per group (model / kernels / runtime) of a built ELF."""
    elf = Path(elf).resolve()
    mapfile = elf.with_suffix(".map")
    if not mapfile.is_file():
        raise TargetError(f"{mapfile} not found (build with build_firmware)")
    info = _load_info(elf)
    groups: dict[str, str] = {}
    for g, objs in info.get("objects", {}).items():
        for o in objs:
            groups[os.path.normpath(o)] = g
    sections: dict[str, dict[str, int]] = {"model": {}, "kernels": {}, "runtime": {}}
    for out_sec, _in_sec, size, obj in _parse_map(mapfile):
        if out_sec not in _FLASH_SECTIONS and out_sec not in _RAM_SECTIONS:
            continue
        g = groups.get(os.path.normpath(obj), "runtime")
        d = sections[g]
        d[out_sec] = d.get(out_sec, 0) + size
    return SizeReport(sections=sections, layout=info.get("layout", ""), core=info.get("core", ""))


def flash_bytes(elf: str | os.PathLike, gen_dir: str | os.PathLike | None = None) -> int:
    """Flash used by the model and its kernels: code + rodata (weights) +
    .data image of the generated objects and the kernel objects actually
    linked.  ``gen_dir`` is accepted for symmetry; objects are identified
    from the build record next to the ELF."""
    del gen_dir
    r = size_report(elf)
    return r.model_flash + r.kernel_flash


def describe_cores() -> str:
    """Human-readable table of cores, boards and memory layouts."""
    lines = []
    for c in CORES.values():
        lines.append(f"{c.name:7s} {c.machine:11s} {' '.join(c.cflags)}")
        for lay in c.layouts:
            lines.append(f"        {lay.ld_script}: {lay.description}")
    return "\n".join(lines)


def _main(argv: Sequence[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="build and run a generated model on an emulated Cortex-M")
    ap.add_argument("core", nargs="?", choices=sorted(CORES))
    ap.add_argument("gen_dir", nargs="?")
    ap.add_argument("model", nargs="?")
    ap.add_argument("--out", default=None, help="build directory (default: <gen_dir>/build-<core>)")
    ap.add_argument("--input", action="append", default=[], help="raw input file (one per input, one set)")
    ap.add_argument("--opt", default="-O3")
    ap.add_argument("--list", action="store_true", help="list cores and layouts")
    a = ap.parse_args(argv)
    if a.list or not a.core:
        print(describe_cores())
        return 0
    if not a.gen_dir or not a.model:
        ap.error("core, gen_dir and model are required")
    out = Path(a.out) if a.out else Path(a.gen_dir) / f"build-{a.core}"
    try:
        elf = build_firmware(a.core, a.gen_dir, a.model, out, opt=a.opt)
        rep = size_report(elf)
        print(json.dumps({"elf": str(elf), **rep.as_dict()}))
        if a.input:
            res = run_firmware(a.core, elf, [[Path(f).read_bytes() for f in a.input]])
            print(json.dumps({k: v for k, v in res.summary.items()}))
    except TargetError as e:
        print(f"error: {e}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
