"""Flash and RAM per object group (model / kernels / runtime) from a firmware's link map."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .build import load_info
from .errors import TargetError

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
    info = load_info(elf)
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
