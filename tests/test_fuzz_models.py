"""The generator under a structure-aware fuzzer: mutants of the shared models (tests/support/fuzz.py)
either generate, or fail with one clean line and leave nothing behind; a sample of the accepted ones
is compiled with -Wall -Wextra -Werror and run under ASan/UBSan on an arena of exactly the declared
size. A few hundred mutants by default, 12,000 with -m slow.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support import shared_models_dir
from tests.support.fuzz import mutate, scalar_fields
from tests.support.host import run_host
from tests.support.optest import build_model_exe
from tests.support.oracle import model_io, random_inputs
from tests.test_untrusted_models import assert_one_line, run_cli

SEEDS = ["tflite-micro/hello_world_int8.tflite", "mlcommons-tiny/ad01_int8.tflite",
         "tflite-micro/micro_speech_quantized.tflite", "mlcommons-tiny/kws_ref_model.tflite",
         "tflite-micro/trained_lstm_int8.tflite", "tinyengine/mnist_lenet_300_100.tflite",
         "mlcommons-tiny/toycar_fullint_micro.tflite", "wake-vision/k2_c3.tflite"]


def _seed_models() -> list[tuple[bytes, list]]:
    out = []
    for rel in SEEDS:
        path = shared_models_dir() / rel
        if path.exists():
            data = path.read_bytes()
            out.append((data, scalar_fields(data)))
    if not out:
        pytest.skip("no shared models found")
    return out


def fuzz(n: int, seed: int, tmp_path: Path, keep: int) -> list[Path]:
    """Generate n mutants; every outcome must be success or one clean line with nothing left behind.
    Returns the generated directories of up to `keep` accepted mutants."""
    seeds = _seed_models()
    rng = np.random.default_rng(seed)
    accepted: list[Path] = []
    model = tmp_path / "mutant.tflite"
    for i in range(n):
        data, fields = seeds[i % len(seeds)]
        model.write_bytes(mutate(data, rng, fields))
        gen = tmp_path / f"gen{i}"
        code, _, err = run_cli(str(model), "-o", str(gen), "--name", "m", "-q", "--time-limit", "60")
        if code == 0:
            assert not err.strip(), f"mutant {i}: generated, but wrote to stderr: {err[-1000:]}"
            if len(accepted) < keep and sum(p.stat().st_size for p in gen.iterdir()) < 400_000:
                (gen / "mutant.tflite").write_bytes(model.read_bytes())
                accepted.append(gen)
            continue
        try:
            assert_one_line(code, err)
        except AssertionError:
            (tmp_path / f"failing{i}.tflite").write_bytes(model.read_bytes())
            raise AssertionError(f"mutant {i} (seed {seed}, kept as failing{i}.tflite): exit {code}: {err[-2000:]}") from None
        assert not gen.exists() or not any(gen.iterdir()), f"mutant {i}: partial output {list(gen.iterdir())}"
    return accepted


def run_accepted(gen: Path, seed: int) -> None:
    """Compile with -Wall -Wextra -Werror and run under ASan/UBSan on an arena of exactly the
    declared size (the host harness mallocs it), on a random input."""
    model = (gen / "mutant.tflite").read_bytes()
    exe = build_model_exe(gen, "m")
    ins, outs = model_io(model)
    rng = np.random.default_rng(seed)
    try:
        inputs = random_inputs(model, rng)
    except Exception:  # the oracle's reader may refuse what we accept: feed plain random bytes then
        inputs = [rng.integers(0, 256, int(np.prod(i.shape)) * i.dtype.itemsize, dtype=np.uint8) for i in ins]
    run_host(exe, [inputs], [(tuple(o.shape), o.dtype) for o in outs])


def test_fuzzed_models_fail_cleanly_or_run_clean(tmp_path: Path) -> None:
    accepted = fuzz(240, seed=2026, tmp_path=tmp_path, keep=3)
    for k, gen in enumerate(accepted):
        run_accepted(gen, k)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(8))
def test_fuzz_campaign(seed: int, tmp_path: Path) -> None:
    accepted = fuzz(1500, seed=seed, tmp_path=tmp_path, keep=12)
    for k, gen in enumerate(accepted):
        run_accepted(gen, k)
