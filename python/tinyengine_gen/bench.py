"""Benchmark: every model of a directory on emulated Cortex-M cores, compared
with the TFLite Micro + CMSIS-NN and TinyEngine figures measured on the same
emulator (``../shared/baselines/qemu-cortex-m.csv``).

``tinyengine-gen bench [--models DIR] [--cores m4,m7] [--out DIR]`` generates
each model, builds it with -O3 for each core (kernel objects are compiled once
per core and reused), runs one inference after a warm-up in QEMU
(``-icount shift=0``: exact instruction counts, the same on any machine) and
prints one row per model and core:

    MACs, instructions per inference, MACs per instruction, arena bytes,
    stack bytes (invoke high-water), flash bytes (model + kernels, from the
    link map), and our / baseline ratios (lower is better) for instructions,
    arena and flash against TFLM + CMSIS-NN and TinyEngine ``layer-int`` (its
    only bit-exact build; ``nosoftmax:layer-int`` where TinyEngine could not
    generate the SOFTMAX), plus arena against TinyEngine ``patch-int-*``.

The same rows go to ``<out>/bench.csv`` and ``<out>/bench.json``.  The
benchmark measures only: outputs are not compared with the reference (the
tests do that), but a non-zero invoke status is an error.  A model the
generator does not support (or one skipped with ``--skip``) gets a row
with status ``skipped`` and the reason; any other failure a row with status
``error``, and the command exits 1.

``--profile`` additionally builds a profiling firmware per model and core and
records the instructions of every op (first measured inference) in the JSON,
printing the heaviest ops per model.

Each row also gives the generation time (CPU seconds in this process, so the
machine's load barely matters): ``gen_seconds`` for the model as benchmarked,
``patch_gen_seconds`` for the --patch generation behind ``min_arena_bytes``.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Optional, Sequence

from . import __version__, targets
from .errors import TinyEngineError

REPO_ROOT = targets.REPO_ROOT
DEFAULT_MODELS = REPO_ROOT.parent / "shared" / "models"
DEFAULT_BASELINES = REPO_ROOT.parent / "shared" / "baselines" / "qemu-cortex-m.csv"
DEFAULT_OUT = Path("build") / "bench"
DEFAULT_SKIP: tuple[str, ...] = ()  # every shared model is supported
MODEL_NAME = "model"  # C name of every generated model (one build dir per model and core)


@dataclass
class BenchRow:
    """One model on one core. The fields up to `note` are the CSV / JSON columns (COLUMNS, in
    this order; None = not measured, an empty CSV cell); the profile fields follow in the JSON
    when --profile set them; `calls` (the kernel calls, for format_profiles) is never written."""

    model: str
    core: str
    status: str  # "ok", "error" or "skipped" (then `note` says why)
    macs: Optional[int] = None
    instructions: Optional[int] = None  # one measured inference
    macs_per_instruction: Optional[float] = None
    arena_bytes: Optional[int] = None
    stack_bytes: Optional[int] = None
    flash_bytes: Optional[int] = None  # model + kernels
    model_flash_bytes: Optional[int] = None
    kernel_flash_bytes: Optional[int] = None
    firmware_flash_bytes: Optional[int] = None
    kernel_calls: Optional[int] = None
    gen_seconds: Optional[float] = None  # CPU seconds to generate the model as benchmarked
    patch_gen_seconds: Optional[float] = None  # ... with --patch (None when that failed)
    # Baselines (add_ratios): TFLite Micro + CMSIS-NN, TinyEngine layer-int and patch-int.
    tflm_instructions: Optional[int] = None
    tflm_arena_bytes: Optional[int] = None
    tflm_text_bytes: Optional[int] = None
    vs_tflm_instructions: Optional[float] = None
    vs_tflm_arena: Optional[float] = None
    vs_tflm_flash: Optional[float] = None
    te_mode: Optional[str] = None
    te_instructions: Optional[int] = None
    te_arena_bytes: Optional[int] = None
    te_text_bytes: Optional[int] = None
    vs_te_instructions: Optional[float] = None
    vs_te_arena: Optional[float] = None
    vs_te_flash: Optional[float] = None
    te_patch_mode: Optional[str] = None
    te_patch_arena_bytes: Optional[int] = None
    vs_te_patch_arena: Optional[float] = None
    min_arena_bytes: Optional[int] = None  # the generator's smallest arena (smallest_arena)
    min_arena_options: Optional[str] = None
    vs_tflm_min_arena: Optional[float] = None
    vs_te_min_arena: Optional[float] = None
    baseline_model: Optional[str] = None
    note: str = ""
    # --profile only (JSON).
    op_profile: Optional[list[dict[str, Any]]] = None
    profile_tail: Optional[int] = None
    profile_instructions: Optional[int] = None
    profile_error: Optional[str] = None
    calls: Optional[Sequence[Any]] = field(default=None, repr=False)

    def public(self) -> dict[str, Any]:
        """The JSON row: every column, then the profile fields that were set."""
        out = {k: getattr(self, k) for k in COLUMNS}
        out.update({k: getattr(self, k) for k in PROFILE_FIELDS if getattr(self, k) is not None})
        return out


PROFILE_FIELDS = ("op_profile", "profile_tail", "profile_instructions", "profile_error")
# Column order of the CSV / JSON rows.
COLUMNS = [f.name for f in fields(BenchRow) if f.name not in PROFILE_FIELDS + ("calls",)]


# --------------------------------------------------------------------------
# Baselines


@dataclass
class Baselines:
    """Rows of qemu-cortex-m.csv indexed by (model, engine, mode, cpu)."""

    rows: list[dict[str, str]] = field(default_factory=list)
    source: str = ""

    @classmethod
    def load(cls, path: Optional[Path]) -> "Baselines":
        if path is None or not Path(path).is_file():
            return cls(source="")
        with open(path, newline="") as f:
            rows = [dict(r) for r in csv.DictReader(f)]
        return cls(rows=rows, source=str(path))

    def model_key(self, rel: str) -> str:
        """Baseline model name for a model path relative to the models dir:
        the same relative path, else the only baseline model with that file name."""
        names = {r.get("model", "") for r in self.rows}
        if rel in names:
            return rel
        base = rel.rsplit("/", 1)[-1]
        same = sorted(n for n in names if n.rsplit("/", 1)[-1] == base)
        return same[0] if len(same) == 1 else ""

    def find(self, model: str, engine: str, cpu: str, mode: Optional[str] = None,
             mode_prefix: Optional[str] = None) -> Optional[dict[str, str]]:
        for r in self.rows:
            if r.get("model") != model or r.get("engine") != engine or r.get("cpu") != cpu:
                continue
            m = r.get("mode", "")
            if mode is not None and m != mode:
                continue
            if mode_prefix is not None and not m.startswith(mode_prefix):
                continue
            return r
        return None

    def tflm(self, model: str, cpu: str) -> Optional[dict[str, str]]:
        return self.find(model, "tflm", cpu, mode="cmsis_nn")

    def te_int(self, model: str, cpu: str) -> Optional[dict[str, str]]:
        """TinyEngine layer-int (or nosoftmax:layer-int when it could not build the softmax)."""
        return self.find(model, "tinyengine", cpu, mode="layer-int") or \
            self.find(model, "tinyengine", cpu, mode="nosoftmax:layer-int")

    def te_patch_int(self, model: str, cpu: str) -> Optional[dict[str, str]]:
        return self.find(model, "tinyengine", cpu, mode_prefix="patch-int") or \
            self.find(model, "tinyengine", cpu, mode_prefix="nosoftmax:patch-int")


def _int(v: Any) -> Optional[int]:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _ratio(ours: Optional[int], theirs: Optional[int]) -> Optional[float]:
    if ours is None or not theirs:
        return None
    return round(ours / theirs, 4)


def add_ratios(row: BenchRow, base: Baselines, rel: str) -> None:
    """Fill the baseline and ratio columns of ``row`` (ours / theirs)."""
    key = base.model_key(rel)
    row.baseline_model = key
    if not key:
        return
    core = row.core
    ok = row.status == "ok"
    for prefix, b in (("tflm", base.tflm(key, core)), ("te", base.te_int(key, core))):
        if b is None:
            continue
        if prefix == "te":
            row.te_mode = b.get("mode", "")
        for ours, theirs in (("instructions", "instructions"), ("arena_bytes", "arena_bytes"),
                             ("flash_bytes", "text_bytes")):
            setattr(row, f"{prefix}_{theirs}", _int(b.get(theirs)))
            if ok:
                short = {"instructions": "instructions", "arena_bytes": "arena", "flash_bytes": "flash"}[ours]
                setattr(row, f"vs_{prefix}_{short}", _ratio(getattr(row, ours), getattr(row, f"{prefix}_{theirs}")))
    # The smallest arena (--patch, and --int8-io on float-edged models) against each engine's peak.
    mine = row.min_arena_bytes
    row.vs_tflm_min_arena = _ratio(mine, row.tflm_arena_bytes)
    row.vs_te_min_arena = _ratio(mine, row.te_arena_bytes)
    p = base.te_patch_int(key, core)
    if p is not None:
        row.te_patch_mode = p.get("mode", "")
        row.te_patch_arena_bytes = _int(p.get("arena_bytes"))
        row.vs_te_patch_arena = _ratio(mine, row.te_patch_arena_bytes)


# --------------------------------------------------------------------------
# Running


def find_models(models_dir: Path, only: Sequence[str] = (), skip: Sequence[str] = DEFAULT_SKIP
                ) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]]]:
    """(to run, skipped): (path relative to models_dir with '/', path), sorted."""
    found = sorted((p.relative_to(models_dir).as_posix(), p) for p in models_dir.rglob("*.tflite") if p.is_file())
    if only:
        found = [(r, p) for r, p in found if any(o in r for o in only)]
    run = [(r, p) for r, p in found if not any(s and s in r for s in skip)]
    skipped = [(r, p) for r, p in found if any(s and s in r for s in skip)]
    return run, skipped


def sample_inputs(compiled: Any) -> list[bytes]:
    """Deterministic pseudo-random input per model input (numpy seed 0), as `tinyengine-gen run`."""
    import numpy as np

    from .ir import NUMPY_DTYPES

    rng = np.random.default_rng(0)
    out = []
    for t in compiled.graph.inputs:
        dt = np.dtype(NUMPY_DTYPES[t.dtype])
        if dt.kind == "f":
            arr = rng.uniform(-1.0, 1.0, t.shape).astype(dt)
        else:
            info = np.iinfo(dt)
            arr = rng.integers(info.min, info.max + 1, t.shape).astype(dt)
        out.append(arr.tobytes())
    return out


def op_rows(calls: Sequence[Any], op_instructions: Sequence[int]) -> list[dict[str, Any]]:
    """One dict per kernel call: step, kind, note, MACs, instructions (profile)."""
    rows = []
    for step, call in enumerate(calls):
        n = op_instructions[step] if step < len(op_instructions) else None
        rows.append(dict(step=step, kind=call.op.kind, note=call.note or "",
                         model_op=call.op.index, macs=int(call.macs), instructions=n))
    return rows


def format_op_profile(calls: Sequence[Any], op_instructions: Sequence[int], total: Optional[int] = None,
                      tail: int = 0, top: Optional[int] = None) -> str:
    """Per-op table: step, op, MACs, instructions, MACs/instruction, share of the total.
    ``top``: only the ``top`` heaviest ops (in step order)."""
    rows = op_rows(calls, op_instructions)
    total = total if total is not None else sum(op_instructions) + tail
    shown = rows
    if top is not None and top < len(rows):
        keep = {r["step"] for r in sorted(rows, key=lambda r: -(r["instructions"] or 0))[:top]}
        shown = [r for r in rows if r["step"] in keep]
    table = [("#", "op", "MACs", "instructions", "MACs/instr", "share")]
    for r in shown:
        n = r["instructions"]
        table.append((str(r["step"]), r["kind"] + (f" [{r['note']}]" if r["note"] else ""), f"{r['macs']:,}",
                      "-" if n is None else f"{n:,}",
                      f"{r['macs'] / n:.2f}" if n and r["macs"] else "-",
                      f"{100.0 * n / total:.1f}%" if n is not None and total else "-"))
    widths = [max(len(t[i]) for t in table) for i in range(len(table[0]))]
    lines = ["  ".join(c.ljust(w) if i == 1 else c.rjust(w) for i, (c, w) in enumerate(zip(t, widths)))
             for t in table]
    lines.insert(1, "-" * len(lines[0]))
    extra = f"; {len(rows) - len(shown)} lighter ops not shown" if len(shown) < len(rows) else ""
    lines.append(f"per-op total {sum(op_instructions):,} + invoke epilogue {tail:,} = "
                 f"{sum(op_instructions) + tail:,} instructions (first measured inference){extra}")
    return "\n".join(lines)


def _tool_version(cmd: Sequence[str]) -> str:
    try:
        p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=30)
        return (p.stdout or p.stderr).splitlines()[0].strip()
    except (OSError, IndexError, subprocess.SubprocessError):
        return ""


def _kernel_sources_hash() -> str:
    h = hashlib.sha256()
    for d in ("src", "include"):
        for p in sorted((REPO_ROOT / d).rglob("*")):
            if p.is_file() and p.suffix in (".c", ".h"):
                h.update(p.relative_to(REPO_ROOT).as_posix().encode())
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


def smallest_arena(path: Path, compiled: Any) -> tuple[int, str, Optional[float]]:
    """The generator's smallest arena for the model, the options that give it: --patch, plus
    --int8-io when the model has float edges (the float copy of the input is then the caller's),
    and the CPU seconds that generation took (None when it failed). Generation only: nothing is
    built."""
    from .pipeline import Options, compile_model

    float_edges = any(t.dtype == "float32" for t in compiled.graph.inputs + compiled.graph.outputs)
    best, how = int(compiled.model.arena_size), ""
    start = time.process_time()
    try:
        c = compile_model(str(path), Options(name=MODEL_NAME, patch=True, int8_io=float_edges))
    except TinyEngineError:
        return best, how, None
    seconds = round(time.process_time() - start, 3)
    if c.plan.arena_size < best:
        best, how = int(c.plan.arena_size), "--patch" + (" --int8-io" if float_edges else "")
    return best, how, seconds


def bench_one(rel: str, path: Path, cores: Sequence[str], work: Path, cache: Path, *,
              opt: str = "-O3", timeout: float = 900.0, profile: bool = False, jobs: int = 1,
              log=None) -> list[BenchRow]:
    """Rows (one per core) for one model; failures become rows with a note."""
    from .pipeline import Options, compile_model

    def say(msg: str) -> None:
        if log is not None:
            print(msg, file=log, flush=True)

    start = time.process_time()
    try:
        compiled = compile_model(str(path), Options(name=MODEL_NAME))
    except TinyEngineError as exc:
        return [BenchRow(rel, c, "skipped", note=f"generator: {exc}") for c in cores]
    gen_seconds = round(time.process_time() - start, 3)
    m = compiled.model
    min_arena, min_options, patch_seconds = smallest_arena(path, compiled)
    mdir = work / rel.replace("/", "__").removesuffix(".tflite")
    gen = mdir / "gen"
    gen.mkdir(parents=True, exist_ok=True)
    for fname, text in m.files().items():
        (gen / fname).write_text(text)
    inputs = sample_inputs(compiled)
    rows = []
    for core in cores:
        row = BenchRow(rel, core, "ok", macs=int(m.macs), arena_bytes=int(m.arena_size),
                       kernel_calls=len(compiled.calls), gen_seconds=gen_seconds,
                       patch_gen_seconds=patch_seconds, min_arena_bytes=min_arena,
                       min_arena_options=min_options)
        try:
            say(f"  {rel} on {core}: build")
            elf = targets.build_firmware(core, gen, MODEL_NAME, mdir / f"build-{core}", opt=opt,
                                         cache_dir=cache, jobs=jobs)
            say(f"  {rel} on {core}: run")
            res = targets.run_firmware(core, elf, [inputs], timeout=timeout)
            sizes = targets.size_report(elf)
        except targets.DoesNotFit as exc:
            row.status, row.note = "error", f"does not fit: {exc}"
            rows.append(row)
            continue
        except targets.FirmwareError as exc:
            st = exc.result.status if exc.result is not None else None
            row.status = "error"
            row.note = (f"invoke returned {st}: " if st not in (None, 0) else "") + str(exc)
            rows.append(row)
            continue
        except targets.TargetError as exc:
            row.status, row.note = "error", str(exc)
            rows.append(row)
            continue
        if res.status != 0 or res.stack_bytes < 0:
            row.status, row.note = "error", f"invoke status {res.status}, stack {res.stack_bytes}"
        n = res.instructions[0]
        row.instructions = n
        row.macs_per_instruction = round(m.macs / n, 4) if n else None
        row.arena_bytes = res.arena_bytes
        row.stack_bytes = res.stack_bytes
        row.flash_bytes = sizes.model_flash + sizes.kernel_flash
        row.model_flash_bytes = sizes.model_flash
        row.kernel_flash_bytes = sizes.kernel_flash
        row.firmware_flash_bytes = sizes.total_flash
        if profile and row.status == "ok":
            try:
                say(f"  {rel} on {core}: profile build + run")
                pelf = targets.build_firmware(core, gen, MODEL_NAME, mdir / f"profile-{core}", opt=opt,
                                              cache_dir=cache, jobs=jobs, profile=True)
                pres = targets.run_firmware(core, pelf, [inputs], timeout=timeout)
                ops = pres.op_instructions or []
                row.op_profile = op_rows(compiled.calls, ops)
                row.profile_tail = int(pres.summary.get("profile_tail", 0))
                row.profile_instructions = pres.instructions[0]
            except targets.TargetError as exc:
                row.profile_error = str(exc)
        row.calls = compiled.calls
        rows.append(row)
    return rows


def run_bench(models_dir: Path, cores: Sequence[str], *, baselines: Optional[Path] = DEFAULT_BASELINES,
              out_dir: Optional[Path] = None, workdir: Optional[Path] = None, only: Sequence[str] = (),
              skip: Sequence[str] = DEFAULT_SKIP, opt: str = "-O3", timeout: float = 900.0,
              profile: bool = False, jobs: int = 1, log=None) -> dict[str, Any]:
    """Run the benchmark; returns {"meta": ..., "rows": [...]} and writes
    bench.csv / bench.json into ``out_dir`` when given."""
    for c in cores:
        targets.get_core(c)
    targets.check_toolchain(need_qemu=True)
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        raise TinyEngineError(f"models directory {models_dir} not found")
    base = Baselines.load(Path(baselines) if baselines else None)
    to_run, skipped = find_models(models_dir, only, skip)
    if not to_run and not skipped:
        raise TinyEngineError(f"no .tflite models in {models_dir}" + (f" matching {', '.join(only)}" if only else ""))
    tmp = None
    if workdir is None:
        tmp = tempfile.mkdtemp(prefix="tinyengine-bench-")
        work = Path(tmp)
    else:
        work = Path(workdir)
        work.mkdir(parents=True, exist_ok=True)
    cache = work / "objcache"
    kernels_hash = _kernel_sources_hash()
    rows: list[BenchRow] = []
    try:
        for rel, path in sorted(to_run + skipped):
            if (rel, path) in skipped:
                rows += [BenchRow(rel, c, "skipped", note="skipped by --skip") for c in cores]
                continue
            if log is not None:
                print(f"bench: {rel}", file=log, flush=True)
            rows += bench_one(rel, path, cores, work, cache, opt=opt, timeout=timeout, profile=profile,
                              jobs=jobs, log=log)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    for r in rows:
        add_ratios(r, base, r.model)
    meta = {
        "generator": f"tinyengine-gen {__version__}",
        "kernels_sha256": kernels_hash,
        "gcc": _tool_version([targets.GCC, "--version"]),
        "qemu": _tool_version([targets.QEMU, "--version"]),
        "opt": opt,
        "cores": {c: targets.get_core(c).machine for c in cores},
        "models_dir": models_dir.name,
        "baselines": Path(base.source).name if base.source else "",
        "inputs": "numpy default_rng(0) uniform over each input dtype; one warm-up invoke, then one measured",
        "ratios": "ours / baseline (lower is better); flash = model + kernels vs baseline text_bytes",
    }
    if _kernel_sources_hash() != kernels_hash:
        meta["warning"] = "src/ or include/ changed during the run: rows may mix kernel versions"
        if log is not None:
            print(f"bench: warning: {meta['warning']}", file=log, flush=True)
    result = {"meta": meta, "rows": rows}
    if out_dir is not None:
        write_outputs(result, Path(out_dir))
    return result


# --------------------------------------------------------------------------
# Output


def write_outputs(result: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = out_dir / "bench.csv", out_dir / "bench.json"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in result["rows"]:
        w.writerow({k: ("" if getattr(r, k) is None else getattr(r, k)) for k in COLUMNS})
    csv_path.write_text(buf.getvalue())
    json_path.write_text(json.dumps({"meta": result["meta"], "columns": COLUMNS,
                                     "rows": [r.public() for r in result["rows"]]}, indent=1) + "\n")
    return csv_path, json_path


def _fmt_int(v: Any) -> str:
    return "-" if v is None else f"{v:,}"


def _fmt_x(v: Any) -> str:
    return "-" if v is None else f"{v:.2f}"


def format_table(rows: Sequence[BenchRow]) -> str:
    head = ("model", "core", "MACs", "instructions", "MAC/instr", "arena B", "stack B", "flash B",
            "xTFLM instr", "xTFLM arena", "xTFLM flash", "xTE instr", "xTE arena", "xTE flash",
            "min arena B", "xTFLM min", "xTE min", "xTEpatch min", "gen s", "patch gen s")
    table: list[tuple[str, ...]] = [head]
    notes = []
    for r in rows:
        if r.status != "ok":
            table.append((r.model, r.core, _fmt_int(r.macs), r.status) + ("",) * (len(head) - 4))
            notes.append(f"{r.model} on {r.core}: {r.status}: {r.note or ''}")
            continue
        te_instr = _fmt_x(r.vs_te_instructions)
        if r.te_mode and r.te_mode.startswith("nosoftmax"):
            te_instr += "*"
        table.append((
            r.model, r.core, _fmt_int(r.macs), _fmt_int(r.instructions),
            "-" if r.macs_per_instruction is None else f"{r.macs_per_instruction:.3f}",
            _fmt_int(r.arena_bytes), _fmt_int(r.stack_bytes), _fmt_int(r.flash_bytes),
            _fmt_x(r.vs_tflm_instructions), _fmt_x(r.vs_tflm_arena), _fmt_x(r.vs_tflm_flash),
            te_instr, _fmt_x(r.vs_te_arena), _fmt_x(r.vs_te_flash),
            _fmt_int(r.min_arena_bytes) + ("*" if r.min_arena_options else ""),
            _fmt_x(r.vs_tflm_min_arena), _fmt_x(r.vs_te_min_arena), _fmt_x(r.vs_te_patch_arena),
            _fmt_x(r.gen_seconds), _fmt_x(r.patch_gen_seconds),
        ))
    widths = [max(len(t[i]) for t in table) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(t, widths)))
             for t in table]
    lines.insert(1, "-" * len(lines[0]))
    lines.append("x = ours / baseline (lower is better). TFLM = TFLite Micro + CMSIS-NN; TE = TinyEngine layer-int "
                 "(* = its nosoftmax:layer-int row: TinyEngine ran the model without its SOFTMAX); "
                 "TEpatch = TinyEngine patch-int arena. flash = model + kernels (ours) vs whole firmware text (theirs). "
                 "min arena = the smallest arena the generator gives (* = with --patch, and --int8-io on models "
                 "with float edges; see the JSON's min_arena_options). gen s / patch gen s = CPU seconds "
                 "to generate the model as benchmarked / with --patch.")
    for core in dict.fromkeys(r.core for r in rows):
        for key, label in (("vs_tflm_instructions", "instructions vs TFLM"),
                           ("vs_te_instructions", "instructions vs TinyEngine layer-int")):
            vals = [getattr(r, key) for r in rows if r.core == core and r.status == "ok" and getattr(r, key)]
            if vals:
                g = math.exp(sum(math.log(v) for v in vals) / len(vals))
                lines.append(f"{core}: {label}: geomean {g:.3f}, worst {max(vals):.3f} over {len(vals)} models")
    lines += notes
    return "\n".join(lines)


def format_profiles(rows: Sequence[BenchRow], top: int = 8) -> str:
    out = []
    for r in rows:
        if r.op_profile and r.calls is not None:
            ops = [o["instructions"] or 0 for o in r.op_profile]
            out.append(f"\n{r.model} on {r.core} ({r.instructions or 0:,} instructions):")
            out.append(format_op_profile(r.calls, ops, r.profile_instructions, tail=r.profile_tail or 0, top=top))
        elif r.profile_error:
            out.append(f"\n{r.model} on {r.core}: profile failed: {r.profile_error}")
    return "\n".join(out)


# --------------------------------------------------------------------------
# Command line


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tinyengine-gen bench",
        description="Benchmark every model of a directory on emulated Cortex-M cores (QEMU, exact instruction "
                    "counts) against the TFLite Micro + CMSIS-NN and TinyEngine baselines.")
    p.add_argument("--models", default=str(DEFAULT_MODELS),
                   help="directory searched recursively for .tflite files (default: ../shared/models of the repo)")
    p.add_argument("--cores", default="m4,m7", help="comma-separated cores (default m4,m7; e.g. m4,m7,m55)")
    p.add_argument("--baselines", default=str(DEFAULT_BASELINES),
                   help="baselines CSV (default: ../shared/baselines/qemu-cortex-m.csv of the repo)")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="directory for bench.csv and bench.json (default build/bench)")
    p.add_argument("--only", action="append", default=[],
                   help="only models whose relative path contains this (repeatable, or comma-separated)")
    p.add_argument("--skip", default=",".join(DEFAULT_SKIP),
                   help=f"comma-separated substrings of models to skip (default {','.join(DEFAULT_SKIP) or 'none'})")
    p.add_argument("--workdir", help="keep generated code, firmware and the kernel object cache here")
    p.add_argument("--opt", default="-O3", help="optimization flag (default -O3)")
    p.add_argument("--timeout", type=float, default=900.0, help="QEMU timeout per run in seconds")
    p.add_argument("--jobs", type=int, default=1, help="parallel compiler processes per build")
    p.add_argument("--profile", action="store_true",
                   help="also build profiling firmware and record instructions per op (JSON; top ops printed)")
    p.add_argument("--top", type=int, default=8, help="ops shown per model with --profile (default 8)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    a = parser().parse_args(argv)
    cores = [c.strip() for c in a.cores.split(",") if c.strip()]
    only = [o.strip() for x in a.only for o in x.split(",") if o.strip()]
    skip = [s.strip() for s in a.skip.split(",") if s.strip()]
    try:
        result = run_bench(Path(a.models), cores, baselines=Path(a.baselines) if a.baselines else None,
                           out_dir=Path(a.out), workdir=Path(a.workdir) if a.workdir else None, only=only,
                           skip=skip, opt=a.opt, timeout=a.timeout, profile=a.profile, jobs=a.jobs,
                           log=None if a.quiet else sys.stderr)
    except targets.TargetError as exc:
        raise TinyEngineError(str(exc)) from None
    rows = result["rows"]
    print(format_table(rows))
    if a.profile:
        print(format_profiles(rows, a.top))
    if result["meta"].get("warning"):
        print(f"\nwarning: {result['meta']['warning']}")
    out = Path(a.out)
    print(f"\nwrote {out / 'bench.csv'} and {out / 'bench.json'}")
    return 1 if any(r.status == "error" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
