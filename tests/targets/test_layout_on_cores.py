"""Layout, resize and reduction kernels on emulated Cortex-M4 (Arm DSP) and Cortex-M55 give LiteRT's
reference bytes: the uint8 RESIZE_BILINEAR exact form's two-channels-per-word path and the fused
ARG_MAX's USUB8/SEL lanes (real instructions, not the host emulation), the float32 resize and
reductions on a core with a fused multiply-add (the kernels must not contract), and the byte walk
kernels on real alignment rules."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.test_layout import Ref, cases_model, const, layout_cases
from tests.ops.test_reduce import arg_cases, reduce_case
from tests.ops.test_resize import bilinear_case, resize_arg_model
from tests.support.host import REPO
from tests.support.optest import generate
from tests.support.oracle import model_io, random_inputs, run_reference
from tests.support.tflite_build import TensorSpec
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]

CORES = ["m4", "m55"]
U8 = (0.19, 34)
# Only the kernels these models call (and TE_FLIP_SIGN at uint8 edges): a quicker build.
KERNELS = [REPO / "src" / f for f in ("te_layout.c", "te_reduce.c", "te_resize.c", "te_quantize.c")]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("objcache")


def check_on_core(model: bytes, core: str, work: Path, cache: Path, n_sets: int = 2, seed: int = 0) -> None:
    """Generate, build for `core`, run every input set in one QEMU run, compare each output byte."""
    gen = generate(model, work / "gen", "model")
    elf = targets.build_firmware(core, gen, "model", work / "fw", cache_dir=cache, kernel_sources=KERNELS)
    rng = np.random.default_rng(seed)
    sets = [random_inputs(model, rng) for _ in range(n_sets)]
    result = targets.run_firmware(core, elf, [[np.ascontiguousarray(a).tobytes() for a in s] for s in sets])
    _, outs = model_io(model)
    for k, inputs in enumerate(sets):
        for j, (want, o) in enumerate(zip(run_reference(model, inputs), outs)):
            got = np.frombuffer(result.outputs[k][j], dtype=o.dtype).reshape(o.shape)
            assert got.tobytes() == want.tobytes(), f"{core}: input set {k}, output {j} differs"


def resize_model() -> bytes:
    return cases_model([
        bilinear_case((1, 5, 5, 21), (17, 17), (True, False), "uint8", U8),   # exact form, 5 words + 1
        bilinear_case((1, 3, 4, 7), (7, 9), (False, False), "uint8", U8),    # float form
        bilinear_case((1, 6, 6, 8), (12, 12), (False, True), "uint8", U8),   # exact, extrapolating borders
        bilinear_case((1, 4, 5, 3), (7, 6), (False, True), "float32"),
        bilinear_case((1, 4, 3, 5), (6, 7), (True, False), "int8"),
        reduce_case("SUM", (3, 7, 5), [1], False, "float32"),
        reduce_case("MEAN", (2, 6, 4), [0, 2], True, "float32"),
        *arg_cases("float32")[:2],
        # deeplab's head: resize fused with the channel ARG_MAX (USUB8 / SEL lanes)
        bilinear_case((1, 9, 9, 21), (33, 33), (True, False), "uint8", U8),
        ("ARG_MAX", [Ref(9), const(np.asarray([3], np.int32))], [TensorSpec((1, 33, 33), "int64")], None),
    ])


MODELS = {"resize_reduce": resize_model}
SLOW_MODELS = {
    "deeplab_head_min": lambda: resize_arg_model("uint8", "ARG_MIN", "int32", (1, 5, 5, 40), (9, 9), (True, False), q=U8),
    "layout_int8": lambda: cases_model(layout_cases("int8")),
}


@pytest.mark.parametrize("build,core", [pytest.param(b, c, id=f"{n}-{c}") for n, b in MODELS.items() for c in CORES]
                         + [pytest.param(b, c, id=f"{n}-{c}", marks=pytest.mark.slow)
                            for n, b in SLOW_MODELS.items() for c in CORES])
def test_layout_on_core(build, core: str, tmp_path: Path, cache: Path) -> None:
    model = build()
    rng = np.random.default_rng(1)
    check_on_core(model, core, tmp_path, cache, n_sets=2, seed=int(rng.integers(1 << 16)))


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float32", "int16", "bool"])
@pytest.mark.parametrize("core", CORES)
def test_layout_types_on_core(dtype: str, core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(cases_model(layout_cases(dtype)), core, tmp_path, cache, n_sets=1)
