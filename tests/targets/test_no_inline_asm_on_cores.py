"""-DTE_NO_INLINE_ASM (every assembly loop off, the C beside it instead) gives LiteRT's bytes on
emulated Cortex-M4 (Arm DSP C paths) and Cortex-M55 (Helium intrinsics), and compiles on the host.

The default builds run the naked loops (conv4_asm_*, dw3x3_block_asm, dw_run_3x3_asm, lstm_pre_asm)
and the Helium asm blocks; these models reach each of them, so their C twins are checked here:
KWS (CONV_2D, 3x3 depthwise runs, FULLY_CONNECTED), pointwise K = 8 (the unrolled channel loop),
a stride-2 3x3 depthwise (the pair loop) and an integer LSTM (phase A).
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from tests.ops.test_conv import conv_model
from tests.ops.test_depthwise import dw_model
from tests.ops.test_lstm import lstm_model
from tests.support.host import REPO, STRICT
from tests.support.optest import assert_firmware_matches_reference, generate
from tests.support.oracle import load_model_bytes, random_inputs
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)

NO_ASM = ("-DTE_NO_INLINE_ASM",)
# The naked functions (the Helium asm blocks are inline: no symbol of their own).
ASM_FUNCTIONS = ("conv4_asm_", "dw3x3_block_asm", "dw_run_3x3_asm", "lstm_pre_asm")
KWS = REPO / "examples" / "models" / "kws_ref_model.tflite"
MODELS: dict[str, Callable[[], bytes]] = {
    "kws": lambda: load_model_bytes(KWS),
    "pw_8": lambda: conv_model((1, 3, 5, 8), 12, (1, 1), (1, 1), "VALID", act="NONE", out_scale=0.003, seed=14),
    "dw_3x3_s2": lambda: dw_model((1, 11, 9, 8), (3, 3), (2, 2), "SAME", seed=33),
    "lstm": lambda: lstm_model(1, 3, 6, 8, seed=5),
}


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Objects built with -DTE_NO_INLINE_ASM: never shared with the default builds' cache."""
    return tmp_path_factory.mktemp("objcache_no_asm")


@pytest.mark.emulated
@pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")
@pytest.mark.parametrize("core", ["m4", "m55"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_no_inline_asm_on_core(name: str, core: str, tmp_path: Path, cache: Path) -> None:
    model = MODELS[name]()
    gen = generate(model, tmp_path / "gen", "model")
    elf = targets.build_firmware(core, gen, "model", tmp_path / "fw", extra_cflags=NO_ASM, cache_dir=cache)
    rng = np.random.default_rng(len(name))
    sets = [random_inputs(model, rng) for _ in range(2)]
    assert_firmware_matches_reference(core, elf, model, sets, gen, "model")
    symbols = subprocess.run([targets.GCC.replace("gcc", "nm"), str(elf)], capture_output=True, text=True).stdout
    assert not [s for s in ASM_FUNCTIONS if s in symbols], "an assembly loop was built despite TE_NO_INLINE_ASM"


def test_no_inline_asm_compiles_on_host(tmp_path: Path) -> None:
    """The kernel library compiles strictly with TE_NO_INLINE_ASM on the host too."""
    for src in sorted((REPO / "src").glob("*.c")):
        cmd = ["gcc", *STRICT, "-O2", *NO_ASM, f"-I{REPO / 'include'}", "-c", str(src),
               "-o", str(tmp_path / (src.stem + ".o"))]
        res = subprocess.run(cmd, capture_output=True, text=True)
        assert res.returncode == 0, f"{' '.join(cmd)}\n{res.stderr[-3000:]}"
