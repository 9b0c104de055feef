"""int16x8 kernels, TRANSPOSE_CONV and BATCH_MATMUL on emulated Cortex-M4 (DSP: SMLAD on reordered
int16 columns, halfword depthwise MACs, the SMLAL requantization) and Cortex-M55 (Helium
VMLADAVA.S16), byte for byte against LiteRT. The int8 TRANSPOSE_CONV cases reach every tail of
its SIMD paths (tests/ops/test_transpose_conv.py SIMD8).

Default: the int16 chain (every int16x8 kernel) on M4 and M55. `-m slow`: a conv with every DSP
tail (odd pixel count, odd channel count, K not a multiple of 4) and the per-op cases."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from tests.ops.test_batch_matmul import bmm_model
from tests.ops.test_int16x8 import chain_model, conv_model, dscnn_s16_model, dw_model, fc_model
from tests.ops.test_transpose_conv import SIMD8, tconv_model
from tests.targets.test_ops_on_cores import check_on_core
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]

CORES = ["m4", "m55"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("objcache")


DEFAULT: dict[str, Callable[[], bytes]] = {
    "chain": chain_model,
}
SLOW: dict[str, Callable[[], bytes]] = {
    # 5x5 = 25 output pixels (one left after the pairs), 7 channels (one after the pairs), K = 45
    "conv_tails": lambda: conv_model((1, 5, 5, 5), 7, (3, 3), act="RELU", seed=4),
    "conv_pointwise": lambda: conv_model((1, 6, 6, 16), 8, (1, 1), padding="VALID", seed=5),
    "conv_wide_sums": lambda: conv_model((1, 4, 4, 600), 2, (1, 1), seed=6),
    "conv_i32_bias": lambda: conv_model((1, 6, 7, 8), 6, (3, 3), bias_type="int32", out_scale=0.001, seed=7),
    "conv_big_bias": lambda: conv_model((1, 5, 5, 64), 9, (3, 3), big_bias=True, seed=8),
    "dw_3x3": lambda: dw_model((1, 7, 9, 8), 1, (3, 3), seed=9),
    "dw_stride2": lambda: dw_model((1, 8, 8, 12), 1, (3, 3), stride=2, act="RELU", seed=10),
    "dw_mult2": lambda: dw_model((1, 5, 6, 3), 2, (3, 3), seed=11),
    "fc_odd": lambda: fc_model(2, 37, 9, act="RELU", seed=12),
    "fc_i32_bias": lambda: fc_model(1, 33, 7, bias_type="int32", seed=13),
    "tconv_s8": lambda: tconv_model("int8", (4, 5), 6, 5, (3, 3), (2, 2), "SAME"),
    **{f"tconv_s8_simd{i}": (lambda c=c: tconv_model(**c)) for i, c in enumerate(SIMD8)},
    "tconv_s16": lambda: tconv_model("int16", (3, 4), 4, 3, (4, 4), (2, 2), "VALID"),
    "bmm_s8": lambda: bmm_model("int8", (2, 3, 5), (2, 5, 4), (2, 3, 4)),
    "bmm_s16": lambda: bmm_model("int16", (1, 4, 6), (6, 3), (1, 4, 3), const_rhs=True, rhs_dtype="int8"),
    "dscnn_s16": dscnn_s16_model,
}


def _cases(table: dict[str, Callable[[], bytes]], slow: bool) -> list:
    return [pytest.param(build, core, id=f"{name}-{core}", marks=[pytest.mark.slow] if slow else [])
            for name, build in table.items() for core in CORES]


@pytest.mark.parametrize("build,core", _cases(DEFAULT, False) + _cases(SLOW, True))
def test_int16_on_core(build: Callable[[], bytes], core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), core, tmp_path, cache, n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("core", CORES)
def test_int16_debug_build_is_exact(core: str, tmp_path: Path, cache: Path) -> None:
    """-O0 (frame pointer, no inlining) around the int16 assembly loops gives the same bytes."""
    import numpy as np

    from tests.support.optest import generate
    from tests.support.oracle import model_io, random_inputs, run_reference

    model = chain_model()
    gen = generate(model, tmp_path / "gen", "model")
    elf = targets.build_firmware(core, gen, "model", tmp_path / "fw", cache_dir=cache, opt="-O0")
    sets = [random_inputs(model, np.random.default_rng(5))]
    result = targets.run_firmware(core, elf, [[a.tobytes() for a in s] for s in sets])
    _, outs = model_io(model)
    want = run_reference(model, sets[0])[0]
    got = np.frombuffer(result.outputs[0][0], dtype=outs[0].dtype).reshape(outs[0].shape)
    assert got.tobytes() == want.tobytes()
