"""Command line: `tinyengine-gen MODEL -o OUTDIR [--name NAME]` and `tinyengine-gen report MODEL`.

Errors are one line on stderr (no traceback) with a non-zero exit code: 1 for a bad
model or option, 2 for unsupported ops. Output files are written to a temporary
directory and moved into place only when everything succeeded; on failure the
files an earlier run generated for the same model name are removed, so a build
never links stale code.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from . import __version__
from .codegen import GENERATED_MARK, c_identifier
from .errors import TinyEngineError
from .pipeline import Options, compile_model

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
    outdir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tinyengine-", dir=outdir))
    try:
        for fname, text in files.items():
            (tmp / fname).write_text(text)
        for fname in files:
            os.replace(tmp / fname, outdir / fname)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cmd_generate(args: argparse.Namespace) -> int:
    outdir = Path(args.output)
    name = c_identifier(args.name or Path(args.model).stem)
    try:
        compiled = compile_model(args.model, Options(name=name, planner_strategy=args.planner))
        _write_atomically(outdir, compiled.model.files())
    except BaseException:
        _remove_stale(outdir, name)
        raise
    m = compiled.model
    if not args.quiet:
        print(f"{PROG}: {outdir / (m.name + '.h')}, {outdir / (m.name + '.c')}: arena {m.arena_size} B, "
              f"weights {m.weight_bytes} B, {m.macs} MACs")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .report import format_report

    compiled = compile_model(args.model, Options(name=args.name, planner_strategy=args.planner))
    print(format_report(compiled))
    return 0


def _parser(report: bool) -> argparse.ArgumentParser:
    if report:
        p = argparse.ArgumentParser(prog=f"{PROG} report", description="Per-layer memory and MACs of a model.")
    else:
        p = argparse.ArgumentParser(
            prog=PROG, description="Turn an int8 .tflite model into C (tinyengine).",
            epilog=f"Also: '{PROG} report MODEL' prints per-layer MACs and memory.")
        p.add_argument("-o", "--output", required=True, help="directory for <name>.h and <name>.c")
        p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
        p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("model", help="the .tflite model")
    p.add_argument("--name", help="C name prefix (default: from the file name)")
    p.add_argument("--planner", default=None, help="force one arena placement strategy (default: best of all)")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    report = bool(argv) and argv[0] == "report"
    args = _parser(report).parse_args(argv[1:] if report else argv)
    try:
        return cmd_report(args) if report else cmd_generate(args)
    except TinyEngineError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
