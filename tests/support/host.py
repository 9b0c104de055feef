"""Build a generated model for the host and run it on input sets (the fast tests' engine)."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Sequence

import numpy as np

REPO = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("host_main.c")
STRICT = ["-std=c99", "-Wall", "-Wextra", "-Werror"]
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]


def kernel_sources() -> list[Path]:
    return sorted((REPO / "src").glob("*.c"))


def build_host(gen_dir: Path, name: str, exe: Path, sanitize: bool = False, opt: str = "-O1",
               extra: Sequence[str] = ()) -> Path:
    cmd = ["gcc", *STRICT, opt, *(SANITIZE if sanitize else []), *extra,
           f"-I{gen_dir}", f"-I{REPO / 'include'}",
           f"-DTE_MODEL={name}", f"-DTE_MODEL_UPPER={name.upper()}", "-include", f"{name}.h",
           str(HARNESS), *map(str, sorted(gen_dir.glob("*.c"))), *map(str, kernel_sources()),
           "-o", str(exe), "-lm"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise AssertionError(f"host build failed:\n{' '.join(cmd)}\n{res.stderr[-4000:]}")
    return exe


def run_host(exe: Path, input_sets: Sequence[Sequence[np.ndarray]],
             output_specs: Sequence[tuple[tuple[int, ...], np.dtype]], reset_every: int = 0) -> list[list[np.ndarray]]:
    """Feed every set in one process (one sequence of calls: the model's state carries over from
    set to set); split stdout back into arrays per set and output. reset_every=N calls
    <name>_reset_with_arena() after every N sets."""
    stdin = b"".join(np.ascontiguousarray(a).tobytes() for s in input_sets for a in s)
    res = subprocess.run([str(exe), str(int(reset_every))], input=stdin, capture_output=True, timeout=600)
    if res.returncode != 0:
        raise AssertionError(f"{exe.name} exited {res.returncode}: {res.stderr.decode(errors='replace')[-4000:]}")
    out, pos, results = res.stdout, 0, []
    for _ in input_sets:
        outs = []
        for shape, dtype in output_specs:
            n = int(np.prod(shape)) * np.dtype(dtype).itemsize
            outs.append(np.frombuffer(out[pos:pos + n], dtype=dtype).reshape(shape))
            pos += n
        results.append(outs)
    if pos != len(out):
        raise AssertionError(f"harness wrote {len(out)} bytes, expected {pos}")
    return results
