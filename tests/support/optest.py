"""Compare a generated model with the LiteRT reference, byte for byte, on the host.

The kernel library is compiled once per test session into a static library
(with -Werror and sanitizers); each model then only compiles its own C file.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from .host import HARNESS, REPO, SANITIZE, STRICT, kernel_sources, run_host
from .oracle import load_model_bytes, model_io, random_inputs, run_reference_sequence

_LIB_CACHE: dict[tuple[str, ...], Path] = {}
# Every comparison runs the portable C path and the Arm DSP path (emulated on the host with
# exact C equivalents of SMLAD/SXTB16), so both kernel families are held to the reference.
KERNEL_VARIANTS: dict[str, tuple[str, ...]] = {"portable": (), "dsp": ("-DTE_EMULATE_DSP",)}
_WORK = Path(tempfile.mkdtemp(prefix="te-optest-"))


def kernel_library(flags: Sequence[str]) -> Path:
    """libtinyengine.a for these flags, built once per process (nothing cached across runs)."""
    key = tuple(flags)
    if key not in _LIB_CACHE:
        d = _WORK / f"lib{len(_LIB_CACHE)}"
        d.mkdir()
        objs = []
        for src in kernel_sources():
            obj = d / (src.stem + ".o")
            cmd = ["gcc", *flags, f"-I{REPO / 'include'}", "-c", str(src), "-o", str(obj)]
            res = subprocess.run(cmd, capture_output=True, text=True)
            if res.returncode != 0:
                raise AssertionError(f"kernel build failed: {' '.join(cmd)}\n{res.stderr[-4000:]}")
            objs.append(str(obj))
        lib = d / "libtinyengine.a"
        subprocess.run(["ar", "rcs", str(lib), *objs], check=True)
        _LIB_CACHE[key] = lib
    return _LIB_CACHE[key]


def generate(model: bytes | str | Path, outdir: Path, name: str = "m", args: Sequence[str] = ()) -> Path:
    """Run the generator as users do (the CLI), returning the output directory."""
    from tinyengine_gen.cli import main

    if isinstance(model, (bytes, bytearray)):
        path = outdir / f"{name}.tflite"
        outdir.mkdir(parents=True, exist_ok=True)
        path.write_bytes(model)
    else:
        path = Path(model)
    code = main([str(path), "-o", str(outdir), "--name", name, "--quiet", *args])
    if code != 0:
        raise AssertionError(f"tinyengine-gen failed with exit code {code} on {path}")
    return outdir


def build_model_exe(gen_dir: Path, name: str, sanitize: bool = True, opt: str = "-O1",
                    extra: Sequence[str] = (), exe_name: Optional[str] = None) -> Path:
    flags = [*STRICT, opt, *(SANITIZE if sanitize else []), *extra]
    lib = kernel_library(flags)
    exe = gen_dir / (exe_name or f"{name}_host")
    cmd = ["gcc", *flags, f"-I{gen_dir}", f"-I{REPO / 'include'}", f"-DTE_MODEL={name}",
           f"-DTE_MODEL_UPPER={name.upper()}", "-include", f"{name}.h", str(HARNESS),
           *map(str, sorted(gen_dir.glob("*.c"))), str(lib), "-o", str(exe), "-lm"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise AssertionError(f"model build failed: {' '.join(cmd)}\n{res.stderr[-4000:]}")
    return exe


def state_size(gen_dir: Path, name: str) -> int:
    """<NAME>_STATE_SIZE of a generated model: the bytes it keeps between invokes (0: stateless)."""
    text = (gen_dir / f"{name}.h").read_text()
    m = re.search(rf"#define {name.upper()}_STATE_SIZE\s+(\d+)", text)
    if m is None:
        raise AssertionError(f"{name}.h defines no {name.upper()}_STATE_SIZE")
    return int(m.group(1))


def assert_matches_reference(model: bytes | str | Path, n_sets: int = 5, seed: int = 0,
                             name: str = "m", workdir: Optional[Path] = None,
                             input_sets: Optional[list[list[np.ndarray]]] = None,
                             args: Sequence[str] = (), nan_bits: bool = True) -> list[list[np.ndarray]]:
    """Generate, build (sanitized) and run on random inputs; every output byte must equal LiteRT's.

    The input sets are one sequence of calls, in one process against one LiteRT interpreter (LiteRT
    keeps variable tensors between invokes). A model with state (<NAME>_STATE_SIZE > 0) then runs
    the sequence again after <name>_reset_with_arena(), against LiteRT after reset_all_variables().
    Returns the outputs of the first sequence.

    nan_bits=False: a float output that is NaN in the reference must be NaN, with any sign and
    payload (which NaN an operation on two NaNs returns is the FPU's and the compiler's choice);
    every other value must still match byte for byte."""
    model_bytes = load_model_bytes(model)
    workdir = workdir or Path(tempfile.mkdtemp(prefix=f"{name}-", dir=_WORK))
    gen_dir = generate(model if not isinstance(model, (bytes, bytearray)) else model_bytes, workdir, name, args)
    _, outs = model_io(model_bytes)
    rng = np.random.default_rng(seed)
    sets = input_sets if input_sets is not None else [random_inputs(model_bytes, rng) for _ in range(n_sets)]
    stateful = state_size(gen_dir, name) > 0
    wants = run_reference_sequence(model_bytes, sets, repeat_after_reset=stateful)
    runs = sets + sets if stateful else sets
    first: list[list[np.ndarray]] = []
    for variant, flags in KERNEL_VARIANTS.items():
        exe = build_model_exe(gen_dir, name, extra=flags, exe_name=f"{name}_{variant}")
        got = run_host(exe, runs, [(o.shape, o.dtype) for o in outs], reset_every=len(sets) if stateful else 0)
        for k, (want, outputs) in enumerate(zip(wants, got)):
            for j, (w, g) in enumerate(zip(want, outputs)):
                if not nan_bits and w.dtype.kind == "f":
                    both_nan = np.isnan(w) & np.isnan(g)
                    w, g = np.where(both_nan, 0, w).astype(w.dtype), np.where(both_nan, 0, g).astype(g.dtype)
                if w.tobytes() != g.tobytes():
                    flat_w, flat_g = w.reshape(-1), g.reshape(-1)
                    at = int(np.argmax(flat_w != flat_g))
                    diff = np.abs(w.astype(np.float64) - g.astype(np.float64))
                    call = f"call {k} of the sequence" if k < len(sets) else f"call {k - len(sets)} after reset"
                    raise AssertionError(
                        f"{variant} kernels, {call}, output {j}: {int(np.sum(w != g))} of {w.size} values "
                        f"differ (max |diff| {diff.max()}); first at flat index {at}: "
                        f"reference {flat_w[at]}, generated {flat_g[at]}")
        first = got[:len(sets)]
    return first


os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=0")


def first_call(model: bytes, kind: str):
    """(kernel call, plan, step) of the first call of `kind` in the generator's plan for the model."""
    from tinyengine_gen.pipeline import compile_model

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "m.tflite"
        path.write_bytes(model)
        compiled = compile_model(path)
    step = next(i for i, c in enumerate(compiled.calls) if c.op.kind == kind)
    return compiled.calls[step], compiled.plan, step


def assert_firmware_matches_reference(core: str, elf: Path, model: bytes | str | Path,
                                      sets: list[list[np.ndarray]], gen_dir: Path, name: str):
    """Run the input sets as one sequence of calls on an emulated core (one QEMU run; a stateful
    model then again after <name>_reset()) and compare every output byte with LiteRT's sequence on
    one interpreter. Returns the firmware run."""
    from tinyengine_gen import targets

    model_bytes = load_model_bytes(model)
    stateful = state_size(gen_dir, name) > 0
    runs = sets + sets if stateful else sets
    result = targets.run_firmware(core, elf, [[np.ascontiguousarray(a).tobytes() for a in s] for s in runs],
                                  reset_every=len(sets) if stateful else 0)
    _, outs = model_io(model_bytes)
    for k, want in enumerate(run_reference_sequence(model_bytes, sets, repeat_after_reset=stateful)):
        call = f"call {k} of the sequence" if k < len(sets) else f"call {k - len(sets)} after reset"
        for j, (w, o) in enumerate(zip(want, outs)):
            got = np.frombuffer(result.outputs[k][j], dtype=o.dtype).reshape(o.shape)
            if got.tobytes() != w.tobytes():
                fw, fg = w.reshape(-1), got.reshape(-1)
                at = int(np.argmax(fw != fg))
                raise AssertionError(f"{core}: {call}, output {j}: {int(np.sum(fw != fg))} of {fw.size} values "
                                     f"differ; first at flat index {at}: reference {fw[at]}, got {fg[at]}")
    return result
