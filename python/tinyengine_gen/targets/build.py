"""Compile a generated model, the kernels and the harness for one core and link the firmware
(objects cached by content hash), with a build record next to the ELF."""
from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any, Iterable, Sequence

from .cores import BOARDS_DIR, GCC, REPO_ROOT, TARGETS_DIR, Core, Layout
from .errors import BuildError, DoesNotFit
from .toolchain import check_toolchain, get_core, run_tool

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


def info_path(elf: Path) -> Path:
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
        r = run_tool(cmd)
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
        r = run_tool(cmd)
        if r.returncode != 0 and quiet_rwx and "no-warn-rwx-segments" in r.stderr:
            quiet_rwx = []
            cmd.remove("-Wl,--no-warn-rwx-segments")
            r = run_tool(cmd)
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
    info_path(elf).write_text(json.dumps(info, indent=1))
    return elf


def load_info(elf: Path) -> dict[str, Any]:
    p = info_path(elf)
    if p.is_file():
        try:
            return json.loads(p.read_text())
        except ValueError:
            return {}
    return {}
