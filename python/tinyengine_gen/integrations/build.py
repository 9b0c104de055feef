"""The generation step every build integration runs (CMake, Zephyr and PlatformIO).

    python -m tinyengine_gen.integrations.build MODEL -o OUTDIR --name NAME
           [--only-this-model] [--touch-unchanged] [--flash-size BYTES --flash-label TEXT]
           [generator options...]
    python -m tinyengine_gen.integrations.build --probe

Generates into a staging directory and moves <name>.c, <name>.h and the summary <name>.json into
OUTDIR only when their content changed, so a model that was touched but not changed recompiles
nothing (Ninja and SCons compare contents). --touch-unchanged updates the time stamps of unchanged
files instead, for build tools without re-stat (Make). --only-this-model removes every other
model's generated files from OUTDIR (the directory is an include path: a renamed model must not
leave the old header there). --flash-size fails the step when the weights alone do not fit.

Prints one line (files, arena, weights, MACs) and the generator's notes, read from the summary.
Errors are the generator's own one line on stderr and its exit code; on any failure this model's
files are removed from OUTDIR, so a build never links stale code.

--probe checks that the generator and its Python dependencies import in this interpreter and
prints the generator's version.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Optional

PROG = "tinyengine-gen"
SUFFIXES = (".h", ".c", ".json")
REQUIREMENTS = Path(__file__).resolve().parents[3] / "requirements.txt"


def _import_cli():  # type: ignore[no-untyped-def]
    try:
        from tinyengine_gen import cli  # noqa: PLC0415
    except ImportError as exc:
        hint = f" -r {REQUIREMENTS}" if REQUIREMENTS.is_file() else " tinyengine-gen"
        print(f"{PROG}: error: the generator cannot run in {sys.executable} ({exc}); "
              f"install its dependencies: {sys.executable} -m pip install{hint}", file=sys.stderr)
        return None
    return cli


def _is_generated(path: Path) -> bool:
    """A file tinyengine-gen wrote (header/source mark, or a summary)."""
    from tinyengine_gen.codegen import GENERATED_MARK

    try:
        head = path.read_text(errors="replace")[:400]
    except OSError:
        return False
    if path.suffix == ".json":
        return '"generator": "tinyengine-gen"' in head
    return GENERATED_MARK in head


def remove_model(outdir: Path, name: str) -> None:
    for suffix in SUFFIXES:
        with contextlib.suppress(OSError):
            (outdir / f"{name}{suffix}").unlink()


def remove_other_models(outdir: Path, name: str) -> list[str]:
    removed = []
    for f in sorted(outdir.glob("*")):
        if f.is_file() and f.suffix in SUFFIXES and f.stem != name and _is_generated(f):
            with contextlib.suppress(OSError):
                f.unlink()
                removed.append(f.name)
    return removed


def summary_lines(data: dict, state: str, model: str) -> list[str]:
    name = data["name"]
    lines = [f"{PROG}: {name}.c/.h from {Path(model).name} ({state}): arena {data['arena_bytes']} B, "
             f"weights {data['weight_bytes']} B, {data['macs']} MACs"
             + (f", patch-based ({'; '.join(data['patch_stages'])})" if data.get("patch_stages") else "")]
    lines += [f"{PROG}: {note}" for note in data.get("notes", [])]
    return lines


def generate(model: str, outdir: Path, name: str, generator_args: list[str], *, touch_unchanged: bool = False,
             only_this_model: bool = False, flash_size: Optional[int] = None,
             flash_label: str = "the flash") -> tuple[int, Optional[dict]]:
    """(exit code, summary). Prints the generator's error line itself. flash_size: fail when the
    weights alone are larger (they are const data in flash)."""
    outdir.mkdir(parents=True, exist_ok=True)
    cli = _import_cli()
    if cli is None:
        remove_model(outdir, name)
        return 1, None
    stage = Path(tempfile.mkdtemp(prefix=f".stage-{name}-", dir=outdir))
    try:
        try:
            rc = cli.main([model, "-o", str(stage), "--name", name, "-q", "--summary", str(stage / f"{name}.json"),
                           *generator_args])
        except SystemExit as exc:  # argparse: bad generator option (already printed)
            rc = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:  # a generator bug: still one line, still no stale files
            print(f"{PROG}: error: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            rc = 3
        if rc != 0:
            remove_model(outdir, name)
            return rc, None
        weights = json.loads((stage / f"{name}.json").read_text())["weight_bytes"]
        if flash_size is not None and weights > flash_size:
            print(f"{PROG}: error: the model's weights and constants ({weights:,} B) are larger than {flash_label} "
                  f"({flash_size:,} B)", file=sys.stderr)
            remove_model(outdir, name)
            return 1, None
        changed = []
        for suffix in SUFFIXES:
            new, old = stage / f"{name}{suffix}", outdir / f"{name}{suffix}"
            if old.is_file() and old.read_bytes() == new.read_bytes():
                if touch_unchanged:
                    os.utime(old)
                continue
            os.replace(new, old)
            if suffix != ".json":
                changed.append(old.name)
        if only_this_model:
            remove_other_models(outdir, name)
        data = json.loads((outdir / f"{name}.json").read_text())
        print("\n".join(summary_lines(data, f"updated {', '.join(changed)}" if changed else "unchanged", model)))
        return 0, data
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def main(argv: Optional[list[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--probe"]:
        cli = _import_cli()
        if cli is None:
            return 1
        from tinyengine_gen import __version__

        print(__version__)
        return 0
    p = argparse.ArgumentParser(prog=PROG, add_help=False)
    p.add_argument("--touch-unchanged", action="store_true")
    p.add_argument("--only-this-model", action="store_true")
    p.add_argument("--flash-size", type=int)
    p.add_argument("--flash-label", default="the flash")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("model")
    args, rest = p.parse_known_args(argv)
    rc, _ = generate(args.model, Path(args.output), args.name, rest, touch_unchanged=args.touch_unchanged,
                     only_this_model=args.only_this_model, flash_size=args.flash_size, flash_label=args.flash_label)
    return rc


if __name__ == "__main__":
    sys.exit(main())
