"""python -m tinyengine_gen.targets: build (and run) one generated model on an emulated core."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from . import CORES, TargetError, build_firmware, describe_cores, run_firmware, size_report


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
