"""Command line: `tinyengine-gen MODEL -o OUTDIR [--name NAME]`, `tinyengine-gen report MODEL`
and `tinyengine-gen run MODEL --core m4` (build and run on an emulated Cortex-M).

Errors are one line on stderr (no traceback) with a non-zero exit code: 1 for a bad
model or option, 2 for unsupported ops. Output files are written to a temporary
directory and moved into place only when everything succeeded; on failure the
files an earlier run generated for the same model name are removed, so a build
never links stale code.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import signal
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional, Sequence

import numpy as np

from . import __version__
from .codegen import GENERATED_MARK, c_identifier
from .errors import GenerationTimeout, InternalError, TinyEngineError, printable
from .patches import PatchError, StageCall
from .pipeline import Compiled, Options, compile_model

PROG = "tinyengine-gen"


def _remove_stale(outdir: Path, name: str) -> None:
    for suffix in (".h", ".c"):
        f = outdir / f"{name}{suffix}"
        try:
            if f.is_file() and GENERATED_MARK in f.read_text(errors="replace")[:200]:
                f.unlink()
        except OSError:
            pass


def _write_atomically(outdir: Path, files: dict[str, str]) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise TinyEngineError(f"output directory {outdir} exists and is not a directory")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TinyEngineError(f"cannot create the output directory {outdir}: {exc.strerror}") from None
    tmp = Path(tempfile.mkdtemp(prefix=".tinyengine-", dir=outdir))
    try:
        for fname, text in files.items():
            (tmp / fname).write_text(text)
        for fname in files:
            os.replace(tmp / fname, outdir / fname)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _byte_count(text: str) -> int:
    """'65536', '64k', '64K', '0x10000' -> bytes."""
    t = text.strip().lower()
    scale = 1024 if t.endswith("k") else 1
    try:
        value = int(t[:-1] if scale > 1 else t, 0) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a byte count: {text!r} (e.g. 65536 or 64k)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"the budget must be positive, got {text!r}")
    return value


def _options(args: argparse.Namespace, name: Optional[str]) -> Options:
    return Options(name=name, planner_strategy=args.planner, in_place=not args.no_in_place,
                   patch=bool(args.patch), sram_budget=args.sram_budget, int8_io=bool(args.int8_io),
                   custom_ops=bool(args.custom_ops))


def _compile(args: argparse.Namespace, options: Options) -> Compiled:
    """compile_model; a model that misses its SRAM budget gets the options that would make it fit,
    named as the build system the user works in names them (--option-names)."""
    try:
        return compile_model(args.model, options)
    except PatchError:
        if options.sram_budget is None:
            raise
        from .fit import OPTION_NAMES, budget_message

        raise TinyEngineError(budget_message(args.model, options, options.sram_budget,
                                             OPTION_NAMES[args.option_names], args.sram_budget_label)) from None


def cmd_generate(args: argparse.Namespace) -> int:
    outdir = Path(args.output)
    name = c_identifier(args.name or Path(args.model).stem)
    options = _options(args, name)
    try:
        compiled = _compile(args, options)
        _write_atomically(outdir, compiled.model.files())
        if args.summary:
            from .summary import summary, write_summary

            layer = None
            if any(isinstance(c, StageCall) for c in compiled.calls):
                from .pipeline import plan_model

                layer = plan_model(args.model, dataclasses.replace(options, patch=False, sram_budget=None)).plan.arena_size
            write_summary(args.summary, summary(compiled, options, args.model, layer_arena=layer))
    except BaseException:
        _remove_stale(outdir, name)
        raise
    m = compiled.model
    if not args.quiet:
        print(f"{PROG}: {outdir / (m.name + '.h')}, {outdir / (m.name + '.c')}: arena {m.arena_size} B, "
              f"weights {m.weight_bytes} B, {m.macs} MACs")
        for f in compiled.graph.custom_functions:
            print(f"{PROG}: custom op to implement (tinyengine/te_custom.h): {f.function}() for "
                  f"'{printable(f.name)}' (model op{'s' if len(f.op_indices) > 1 else ''} "
                  f"{', '.join(map(str, f.op_indices))})")
        for c in compiled.calls:
            if isinstance(c, StageCall) and c.stage is not None:
                print(f"{PROG}: patch-based stage: {c.stage.describe()}, extra MACs 0, "
                      f"{c.stage.moved_bytes} B moved per inference")
        for note in compiled.notes:
            print(f"{PROG}: {note}")
    return 0


def cmd_fit(args: argparse.Namespace) -> int:
    """One line: whether the model fits --sram-budget as configured, else which options make it fit."""
    from .fit import OPTION_NAMES, advice, reachable

    if args.sram_budget is None:
        raise TinyEngineError("fit needs --sram-budget BYTES")
    reaches = reachable(args.model, _options(args, args.name))
    if reaches[0].arena <= args.sram_budget:
        print(f"the arena ({reaches[0].arena:,} B) fits {args.sram_budget:,} B")
    else:
        print(advice(reaches, args.sram_budget, OPTION_NAMES[args.option_names]))
    return 0


def _references(specs: Sequence[str]) -> list:
    out = []
    for spec in specs or []:
        label, _, value = spec.rpartition("=")
        try:
            out.append((label or "reference", int(value)))
        except ValueError:
            raise TinyEngineError(f"--reference wants LABEL=BYTES, got {spec!r}") from None
    return out


def cmd_report(args: argparse.Namespace) -> int:
    from .report import baseline_plan, format_report, report_svg

    options = _options(args, args.name)
    compiled = _compile(args, options)
    refs = _references(args.reference)
    baseline = baseline_plan(compiled)
    layer_arena = None
    if any(isinstance(c, StageCall) for c in compiled.calls):
        # What the stages replace: the same model layer by layer (shown in the text and the picture).
        layer = compile_model(args.model, dataclasses.replace(options, patch=False, sram_budget=None))
        layer_arena = layer.plan.arena_size
        refs = refs + [("layer by layer", layer_arena)]
    print(format_report(compiled, baseline, refs, layer_arena=layer_arena))
    if args.svg:
        Path(args.svg).write_text(report_svg(compiled, baseline, refs))
        print(f"arena picture: {args.svg}")
    return 0


def _sample_inputs(compiled, path: Optional[str]) -> list:
    """The user's raw input file, or a deterministic pseudo-random input (seed 0) per model input."""
    from .bench import sample_inputs

    tensors = compiled.graph.inputs
    if path:
        data = Path(path).read_bytes()
        need = sum(t.nbytes for t in tensors)
        if len(data) != need:
            raise TinyEngineError(f"input file {path} has {len(data)} bytes, the model takes {need}")
        out, pos = [], 0
        for t in tensors:
            out.append(data[pos:pos + t.nbytes])
            pos += t.nbytes
        return out
    return sample_inputs(compiled)


def cmd_run(args: argparse.Namespace) -> int:
    """Generate, build firmware for an emulated core, run it in QEMU, print results and memory."""
    import numpy as np

    from . import targets
    from .ir import NUMPY_DTYPES
    from .report import format_report

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="tinyengine-run-"))
    compiled = _compile(args, _options(args, args.name))
    gen = work / "gen"
    _write_atomically(gen, compiled.model.files())
    inputs = _sample_inputs(compiled, args.input)
    try:
        elf = targets.build_firmware(args.core, gen, compiled.model.name, work / "build",
                                     profile=bool(getattr(args, "profile", False)))
        result = targets.run_firmware(args.core, elf, [inputs])
        sizes = targets.size_report(elf)
    except targets.TargetError as exc:
        raise TinyEngineError(str(exc)) from None
    labels = [x.strip() for x in args.labels.split(",")] if args.labels else []
    for i, (t, raw) in enumerate(zip(compiled.graph.outputs, result.outputs[0])):
        values = np.frombuffer(raw, dtype=NUMPY_DTYPES[t.dtype]).reshape(-1)
        print(f"output {i} ({t.dtype}{list(t.shape)}): {' '.join(str(v) for v in values[:32])}"
              + (" ..." if values.size > 32 else ""))
        if values.size > 1:
            top = int(np.argmax(values))
            name = f" ({labels[top]})" if top < len(labels) else ""
            print(f"top class: {top}{name}")
    m = compiled.model
    core = targets.get_core(args.core)
    instructions = result.instructions[0]
    print(f"\n{core.name} on QEMU {core.machine}: {instructions:,} instructions per inference "
          f"({m.macs / max(instructions, 1):.2f} MACs per instruction)")
    print(f"SRAM: arena {m.arena_size:,} B + stack {result.stack_bytes:,} B; "
          f"flash: model {sizes.flash('model'):,} B + kernels {sizes.flash('kernels'):,} B"
          + (" (profile build: includes the hook calls)" if getattr(args, "profile", False) else ""))
    if getattr(args, "profile", False) and result.op_instructions is not None:
        from .bench import format_op_profile

        print()
        print(format_op_profile(compiled.calls, result.op_instructions, instructions,
                                tail=int(result.summary.get("profile_tail", 0))))
    if args.report:
        print()
        print(format_report(compiled))
    return 0


def _parser(report: bool, run: bool = False, fit: bool = False) -> argparse.ArgumentParser:
    if fit:
        p = argparse.ArgumentParser(prog=f"{PROG} fit", description="Does the model's arena fit --sram-budget? "
                                    "If not, which options (--patch, --int8-io) would make it fit, with the arena "
                                    "each reaches, or the smallest arena reachable.")
    elif run:
        p = argparse.ArgumentParser(prog=f"{PROG} run",
                                    description="Generate, build for an emulated Cortex-M core and run in QEMU.")
        p.add_argument("--core", default="m4", help="m0plus, m3, m4, m7, m33 or m55 (default m4)")
        p.add_argument("--input", help="raw input bytes (all inputs in order); default: deterministic random")
        p.add_argument("--labels", help="comma-separated class names for the top-class line")
        p.add_argument("--report", action="store_true", help="also print the per-layer memory report")
        p.add_argument("--workdir", help="keep generated code and firmware here")
        p.add_argument("--profile", action="store_true",
                       help="profiling build: print instructions per op (first measured inference)")
    elif report:
        p = argparse.ArgumentParser(prog=f"{PROG} report", description="Per-layer memory and MACs of a model: "
                                    "the arena over time with and without in-place pairs, the lower bound and the gap.")
        p.add_argument("--svg", metavar="FILE", help="also write the arena over time as an SVG picture")
        p.add_argument("--reference", metavar="LABEL=BYTES", action="append", default=[],
                       help="another engine's arena to compare with (repeatable), e.g. TFLM=219808")
    else:
        p = argparse.ArgumentParser(
            prog=PROG, description="Turn an int8 .tflite model into C (tinyengine).",
            epilog=f"Also: '{PROG} report MODEL' prints per-layer MACs and memory; "
                   f"'{PROG} run MODEL --core m4' builds and runs it on an emulated Cortex-M; "
                   f"'{PROG} fit MODEL --sram-budget N' says which options make it fit; "
                   f"'{PROG} ops' lists the supported ops, types and SIMD paths.")
        p.add_argument("-o", "--output", required=True, help="directory for <name>.h and <name>.c")
        p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
        p.add_argument("--summary", metavar="FILE",
                       help="also write a JSON summary (arena, weights, inputs/outputs, options, notes) for build tools")
        p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("model", help="the .tflite model")
    p.add_argument("--name", help="C name prefix (default: from the file name)")
    p.add_argument("--planner", default=None, help="force one arena placement strategy (default: best of all)")
    p.add_argument("--no-in-place", action="store_true",
                   help="never let an output overwrite its input (larger arena; for comparison and debugging)")
    p.add_argument("--int8-io", action="store_true",
                   help="a float model's input QUANTIZE and output DEQUANTIZE are left to the caller: the "
                        "model takes and gives the 8-bit tensors (scale and zero point in the header)")
    p.add_argument("--custom-ops", action="store_true",
                   help="ops tinyengine lacks (CUSTOM ops, other builtins or types) call a C function you write, "
                        "te_custom_<name>() (include/tinyengine/te_custom.h); the generator lists them")
    p.add_argument("--patch", "--patch-based", dest="patch", action="store_true",
                   help="patch-based inference: run the memory-heavy early layers band by band, the split and "
                        "band height chosen for the smallest arena (outputs unchanged, no extra MACs)")
    p.add_argument("--no-patch", "--no-patch-based", dest="patch", action="store_false",
                   help="layer by layer (the default; with --sram-budget, stages are still used when needed)")
    p.add_argument("--time-limit", type=float, metavar="SECONDS", default=None,
                   help=f"stop generation after SECONDS (default {DEFAULT_TIME_LIMIT:g}, or TINYENGINE_TIME_LIMIT; "
                        "0 = no limit)")
    p.add_argument("--sram-budget", type=_byte_count, metavar="BYTES",
                   help="fail unless the arena fits BYTES (e.g. 65536 or 64k); patch-based inference is used "
                        "only when layer by layer does not fit, with the fewest band calls that do")
    p.add_argument("--sram-budget-label", metavar="TEXT",
                   help="what the budget is, for the error message (e.g. 'the RAM left on board X')")
    p.add_argument("--option-names", choices=("cli", "platformio", "zephyr", "cmake"), default="cli",
                   help="name options in messages as this build system spells them (default cli)")
    return p


DEFAULT_TIME_LIMIT = 300.0  # seconds; a firmware build that generates code must never hang


def _error_line(exc: BaseException) -> str:
    """The one line a user sees: the message on one printable line (model names may hold anything)."""
    text = str(exc) if isinstance(exc, TinyEngineError) else (
        f"internal error: {type(exc).__name__}: {exc}; please report it with the model")
    return f"{PROG}: error: {printable(text, 600)}"


@contextmanager
def _time_limit(seconds: Optional[float]) -> Iterator[None]:
    """Stop with a GenerationTimeout after `seconds` (POSIX main thread; elsewhere no limit)."""
    usable = seconds and seconds > 0 and hasattr(signal, "setitimer") \
        and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise GenerationTimeout(f"generation stopped after {seconds:g} s, its time limit "
                                f"(--time-limit SECONDS or TINYENGINE_TIME_LIMIT changes it)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _limit_from_env() -> float:
    try:
        return float(os.environ.get("TINYENGINE_TIME_LIMIT", DEFAULT_TIME_LIMIT))
    except ValueError:
        return DEFAULT_TIME_LIMIT


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    sub = argv[0] if argv and argv[0] in ("report", "run", "bench", "ops", "fit") else ""
    try:
        if sub == "ops":
            return cmd_ops(argv[1:])
        if sub == "bench":
            from . import bench

            return bench.main(argv[1:])
        args = _parser(sub == "report", sub == "run", sub == "fit").parse_args(argv[1:] if sub else argv)
        limit = args.time_limit if getattr(args, "time_limit", None) is not None else _limit_from_env()
        # Float overflow in scale arithmetic is checked where it matters; numpy's warnings would
        # only add lines to the one-line contract.
        with _time_limit(limit if sub != "run" else None), np.errstate(all="ignore"):
            if sub == "run":
                return cmd_run(args)
            if sub == "fit":
                return cmd_fit(args)
            return cmd_report(args) if sub == "report" else cmd_generate(args)
    except TinyEngineError as exc:
        print(_error_line(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # the last line of defence: never a traceback
        print(_error_line(exc), file=sys.stderr)
        return InternalError.exit_code


def cmd_ops(argv: list[str]) -> int:
    from . import passes  # noqa: F401  (registers the ops the passes handle)
    from .ops import op_table_markdown, readme_with_op_table

    if argv[:1] == ["--readme"] and len(argv) == 2:  # rewrite the README's table in place
        readme = Path(argv[1])
        try:
            readme.write_text(readme_with_op_table(readme.read_text()))
        except (OSError, ValueError) as exc:
            raise TinyEngineError(f"cannot update the op table in {readme}: "
                                  f"{getattr(exc, 'strerror', None) or 'no op-table markers'}") from None
        return 0
    print(op_table_markdown(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
