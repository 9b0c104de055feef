"""Build-system front end of tinyengine-gen (used by cmake/tinyengine.cmake; not a public tool).

    python tinyengine_generate.py [--touch-unchanged] MODEL -o OUTDIR --name NAME [generator options]
    python tinyengine_generate.py --probe

Runs the generator from this source tree (<repo>/python) into a staging directory and moves
<name>.c / <name>.h into OUTDIR only when their content changed, so a model that was touched but
not changed regenerates without recompiling anything (Ninja re-stats custom-command outputs).
--touch-unchanged updates the time stamps of unchanged files instead, for build tools without
re-stat (Make), so that they do not run the generator on every build.

Errors are the generator's own one line on stderr and its exit code; on any failure the files
an earlier run left in OUTDIR for NAME are removed, so a build never links stale code.

--probe checks that the generator and its Python dependencies import in this interpreter and
prints the long options the generator's CLI accepts, one per line (CMake passes an option such
as --sram-budget only when the generator supports it).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROG = "tinyengine-gen"


def _import_cli():
    sys.path.insert(0, str(ROOT / "python"))
    try:
        from tinyengine_gen import cli  # noqa: PLC0415
    except ImportError as exc:
        req = ROOT / "zephyr" / "requirements.txt"
        print(f"{PROG}: error: the generator cannot run in {sys.executable} ({exc}); "
              f"install its dependencies: {sys.executable} -m pip install -r {req}", file=sys.stderr)
        return None
    return cli


def _probe() -> int:
    cli = _import_cli()
    if cli is None:
        return 1
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            cli.main(["--help"])
        except SystemExit:
            pass
    for opt in sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", out.getvalue()))):
        print(opt)
    return 0


def _summary(header: Path, name: str) -> str:
    text = header.read_text(errors="replace")
    fields = {}
    for key in ("ARENA_SIZE", "WEIGHT_BYTES", "MACS"):
        m = re.search(rf"#define\s+{re.escape(name.upper())}_{key}\s+(\d+)", text)
        fields[key] = m.group(1) if m else "?"
    return f"arena {fields['ARENA_SIZE']} B, weights {fields['WEIGHT_BYTES']} B, {fields['MACS']} MACs"


def _remove(outdir: Path, name: str) -> None:
    for suffix in (".c", ".h"):
        with contextlib.suppress(OSError):
            (outdir / f"{name}{suffix}").unlink()


def main(argv: list[str]) -> int:
    if argv[:1] == ["--probe"]:
        return _probe()
    p = argparse.ArgumentParser(prog=PROG, add_help=False)
    p.add_argument("--touch-unchanged", action="store_true")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("model")
    args, rest = p.parse_known_args(argv)
    outdir = Path(args.output)
    name = args.name
    outdir.mkdir(parents=True, exist_ok=True)
    cli = _import_cli()
    if cli is None:
        _remove(outdir, name)
        return 1
    stage = Path(tempfile.mkdtemp(prefix=f".stage-{name}-", dir=outdir))
    try:
        try:
            rc = cli.main([args.model, "-o", str(stage), "--name", name, "-q", *rest])
        except SystemExit as exc:  # argparse: bad generator option (already printed)
            rc = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:  # a generator bug: still one line, still no stale files
            print(f"{PROG}: error: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            rc = 3
        if rc != 0:
            _remove(outdir, name)
            return rc
        changed = []
        for suffix in (".h", ".c"):
            new, old = stage / f"{name}{suffix}", outdir / f"{name}{suffix}"
            if old.is_file() and old.read_bytes() == new.read_bytes():
                if args.touch_unchanged:
                    os.utime(old)
                continue
            os.replace(new, old)
            changed.append(old.name)
        state = f"updated {', '.join(changed)}" if changed else "unchanged"
        print(f"{PROG}: {name}.c/.h from {Path(args.model).name} ({state}): {_summary(outdir / (name + '.h'), name)}")
        return 0
    finally:
        shutil.rmtree(stage, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
