"""The element-wise family on emulated Cortex-M4 (Arm DSP rows) and Cortex-M55 (Helium rows):
LiteRT's reference bytes from the real instructions, for every SIMD row (int8 ADD and MUL, same
shapes, a broadcast trailing vector either side, a broadcast scalar, row lengths that leave
SIMD tails, requantization shifts of both signs), and the float kernels built with each core's
FPU (no fused multiply-add may change a rounding).

Default run: one model per SIMD kernel per core. `-m slow`: every type's family model.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.test_elementwise import FAMILIES, family_inputs, family_model
from tests.support.tflite_build import OpSpec, TensorSpec, build_model
from tests.targets.test_ops_on_cores import check_on_core
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]

CORES = ["m4", "m55"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("objcache")


def simd_model() -> bytes:
    """int8 ADD and MUL rows: same shape (odd lengths: SIMD tails), a per-channel vector on either
    side (the squeeze-excite product), a scalar, MUL shifts > 0 and < 0 (right shifts up to 23 and
    past them: Helium's two MUL loops), ADD of equal scales."""
    fm, vec, one = (1, 5, 3, 13), (1, 1, 1, 13), (1,)
    t = [TensorSpec(fm, "int8", 0.05, -3), TensorSpec(fm, "int8", 0.07, 5), TensorSpec(vec, "int8", 1 / 256, -128),
         TensorSpec(one, "int8", 0.1, 7)]
    outs = [(fm, 0.12, 1, "ADD", [0, 1], "NONE"), (fm, 0.1, -2, "ADD", [2, 0], "RELU6"),
            (fm, 0.11, 3, "ADD", [0, 3], "RELU"), (fm, 0.02, -5, "MUL", [0, 1], "NONE"),
            (fm, 0.03, -10, "MUL", [0, 2], "NONE"), (fm, 0.03, 4, "MUL", [2, 0], "RELU6"),
            (fm, 0.0001, 0, "MUL", [0, 3], "NONE"), (fm, 40.0, 2, "MUL", [1, 0], "RELU"),
            (fm, 0.09, -4, "ADD", [0, 0], "NONE"), (fm, 0.09, 6, "ADD", [1, 1], "RELU6"),
            (fm, 2e5, -1, "MUL", [0, 1], "NONE")]
    ops = []
    for shape, s, z, kind, ins, act in outs:
        t.append(TensorSpec(shape, "int8", s, z))
        ops.append(OpSpec(kind, ins, [len(t) - 1], {"fused_activation_function": act}))
    return build_model(t, ops, [0, 1, 2, 3], list(range(4, len(t))))


@pytest.mark.parametrize("core", CORES)
def test_int8_add_mul_rows(core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(simd_model(), core, tmp_path, cache, n_sets=3)


@pytest.mark.parametrize("core", CORES)
def test_float32_family(core: str, tmp_path: Path, cache: Path) -> None:
    f = FAMILIES["float32"]
    model, _ = family_model(f, acts=False)
    check_on_core(model, core, tmp_path, cache, input_sets=family_inputs(model, f, 2))


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [d for d in FAMILIES if d != "float32"])
@pytest.mark.parametrize("core", CORES)
def test_family_on_core(core: str, dtype: str, tmp_path: Path, cache: Path) -> None:
    f = FAMILIES[dtype]
    model, _ = family_model(f)
    check_on_core(model, core, tmp_path, cache, input_sets=family_inputs(model, f, 2, seed=int(np.uint8(len(dtype)))))


def se_block_model(hw: int = 16, c: int = 32, squeeze: int = 8, seed: int = 0) -> bytes:
    """A MobileNetV3 / MCUNet-style squeeze-excite block with a residual: x -> depthwise 3x3 ->
    f; s = sigmoid(conv1x1(relu(conv1x1(mean(f))))); y = x + f * s. Its MUL (a per-channel
    vector times the map) and ADD are the hot element-wise ops the SIMD rows are for."""
    rng = np.random.default_rng(seed)

    def w(shape: tuple[int, ...]) -> np.ndarray:
        return rng.integers(-127, 128, shape).astype(np.int8)

    def b(n: int) -> np.ndarray:
        return rng.integers(-2000, 2000, n).astype(np.int32)

    fm = (1, hw, hw, c)
    t = [TensorSpec(fm, "int8", 0.05, -3, name="x"),                                          # 0
         TensorSpec((1, 3, 3, c), "int8", [0.01] * c, [0] * c, quantized_dimension=3, data=w((1, 3, 3, c))),
         TensorSpec((c,), "int32", [0.0005] * c, [0] * c, data=b(c)),                          # 2
         TensorSpec(fm, "int8", 0.06, 2, name="f"),                                           # 3
         TensorSpec((2,), "int32", data=np.array([1, 2], np.int32)),                          # 4
         TensorSpec((1, 1, 1, c), "int8", 0.06, 2, name="pooled"),                            # 5
         TensorSpec((squeeze, 1, 1, c), "int8", [0.01] * squeeze, [0] * squeeze, data=w((squeeze, 1, 1, c))),
         TensorSpec((squeeze,), "int32", [0.0006] * squeeze, [0] * squeeze, data=b(squeeze)),  # 7
         TensorSpec((1, 1, 1, squeeze), "int8", 0.04, -128, name="squeezed"),                 # 8
         TensorSpec((c, 1, 1, squeeze), "int8", [0.01] * c, [0] * c, data=w((c, 1, 1, squeeze))),
         TensorSpec((c,), "int32", [0.0004] * c, [0] * c, data=b(c)),                          # 10
         TensorSpec((1, 1, 1, c), "int8", 0.1, 0, name="excite"),                             # 11
         TensorSpec((1, 1, 1, c), "int8", 1 / 256, -128, name="gate"),                        # 12
         TensorSpec(fm, "int8", 0.05, -1, name="scaled"),                                     # 13
         TensorSpec(fm, "int8", 0.08, 0, name="y")]                                           # 14
    ops = [OpSpec("DEPTHWISE_CONV_2D", [0, 1, 2], [3], {"padding": "SAME", "fused_activation_function": "RELU6"}),
           OpSpec("MEAN", [3, 4], [5], {"keep_dims": True}),
           OpSpec("CONV_2D", [5, 6, 7], [8], {"padding": "VALID", "fused_activation_function": "RELU"}),
           OpSpec("CONV_2D", [8, 9, 10], [11], {"padding": "VALID"}),
           OpSpec("LOGISTIC", [11], [12]),
           OpSpec("MUL", [3, 12], [13], {"fused_activation_function": "NONE"}),
           OpSpec("ADD", [0, 13], [14], {"fused_activation_function": "NONE"})]
    return build_model(t, ops, [0], [14])


@pytest.mark.slow
@pytest.mark.parametrize("core", CORES)
def test_se_block(core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(se_block_model(8, 16, 4), core, tmp_path, cache, n_sets=2)


@pytest.mark.parametrize("cflags", [
    ("-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"),
    ("-mcpu=cortex-m55", "-mfloat-abi=hard"),
])
def test_float_kernels_never_fused(cflags: tuple[str, ...], tmp_path: Path) -> None:
    """No multiply-add of the float kernels becomes a fused VFMA (one rounding instead of the
    reference's two), even when the user builds with -ffp-contract=fast."""
    import subprocess

    from tests.support.host import REPO

    asm = tmp_path / "e.s"
    subprocess.run([targets.GCC, "-mthumb", *cflags, "-O3", "-ffp-contract=fast", f"-I{REPO / 'include'}", "-S",
                    str(REPO / "src" / "te_elementwise.c"), "-o", str(asm)], check=True)
    text = asm.read_text()
    assert "vmul.f32" in text or "vdiv.f32" in text  # the float kernels are there
    assert not any(f in text for f in ("vfma", "vfms", "vfnma", "vfnms")), "a fused multiply-add in the float kernels"
