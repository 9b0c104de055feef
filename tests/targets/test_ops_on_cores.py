"""Single-op models on emulated Cortex-M4 (Arm DSP kernels) and Cortex-M55 (Helium kernels) give
LiteRT's reference bytes.

The host tests (tests/ops) run the portable C path and the DSP path emulated in C; these run the
real instructions: SMLAD/SXTB16 and the inline-assembly loops on M4 (mps2-an386), MVE on M55
(mps3-an547), plus each core's requantization (the SMLAL form on M4, VQRDMULH/VRSHL and the
hardware-double FULLY_CONNECTED rescale on M55). Models come from the tests/ops builders.

Default run: a representative handful per op family, chosen to reach every kernel variant
(pixel blocks of 4 and the 1-3 pixel tails, channel tails, K not a multiple of 4 / 16, direct
and gathered im2col, requantization shifts outside the fast range, narrow activation ranges,
the portable fallbacks). `-m slow`: wider sweeps.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import numpy as np
import pytest

from tests.ops.test_conv import conv_model
from tests.ops.test_depthwise import dw_model
from tests.ops.test_elementwise import add_model
from tests.ops.test_fully_connected import fc_model, pair_bias_case
from tests.ops.test_layout import concat_model, pad_model, resize_model, transpose_model
from tests.ops.test_pooling import pool_model
from tests.ops.test_quantize import quantize_model, rounding_edges, special_floats
from tests.ops.test_reduce import mean_model
from tests.ops.test_softmax import softmax_model, structured_rows
from tests.support.optest import assert_firmware_matches_reference, generate
from tests.support.oracle import random_inputs
from tests.support.tflite_build import TensorSpec, build_single_op_model
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]

CORES = ["m4", "m55"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Kernel and runtime objects, shared by every build of this module."""
    return tmp_path_factory.mktemp("objcache")


def check_on_core(model: bytes, core: str, work: Path, cache: Path, n_sets: int = 2, seed: int = 0,
                  input_sets: Optional[list[list[np.ndarray]]] = None) -> None:
    """Generate, build for `core`, run the input sets as one sequence of calls in one QEMU run (a
    stateful model also after its reset), compare each output byte with LiteRT's sequence."""
    gen = generate(model, work / "gen", "model")
    elf = targets.build_firmware(core, gen, "model", work / "fw", cache_dir=cache)
    rng = np.random.default_rng(seed)
    sets = input_sets if input_sets is not None else [random_inputs(model, rng) for _ in range(n_sets)]
    assert_firmware_matches_reference(core, elf, model, sets, gen, "model")


def cases(table: dict[str, Callable[[], bytes]], marks=()) -> list:
    return [pytest.param(build, core, id=f"{name}-{core}", marks=list(marks))
            for name, build in table.items() for core in CORES]


# --------------------------------------------------------------------------------------------- CONV_2D
# Output pixel counts ending in 1, 2 and 3 extra pixels after the blocks of 4; channel counts that
# leave 1-3 channels after the blocks of 4 (Helium); K = k_h * k_w * in_c not a multiple of 4 or 16.

CONV = {
    # stem: 3 channels, gathered im2col, K = 27, 8x7 pixels, RELU6 (narrow clamp)
    "stem_3x3s2": lambda: conv_model((1, 15, 13, 3), 8, (3, 3), (2, 2), "SAME", act="RELU6", seed=1),
    # the RGB stem's entry (te_conv2d_s8_rgb3x3) with the whole int8 range (its K = 27 loop on M4):
    # 6x7 pixels (two left over), and stride 1 with dil_h 2 (taps past the map on every side)
    "rgb_stem_s2": lambda: conv_model((1, 12, 14, 3), 16, (3, 3), (2, 2), "SAME", act="NONE", seed=48),
    "rgb_stem_s1_dil2": lambda: conv_model((1, 9, 8, 3), 5, (3, 3), (1, 1), "SAME", act="NONE", dilation=(2, 1),
                                           seed=49),
    # KWS-like first layer: 1 input channel, 10x4 kernel, 7x3 = 21 pixels (one left over)
    "kws_10x4s2": lambda: conv_model((1, 13, 6, 1), 12, (10, 4), (2, 2), "SAME", act="RELU", seed=2),
    # the same with the whole int8 range: K = 40 takes the K = 8n loop from gathered columns
    "kws_10x4s2_plain": lambda: conv_model((1, 13, 6, 1), 12, (10, 4), (2, 2), "SAME", act="NONE", seed=52),
    # channels a multiple of 4 (im2col straight from the input), 42 pixels (two left over), 10 channels
    "direct_3x3": lambda: conv_model((1, 7, 6, 8), 10, (3, 3), (1, 1), "SAME", act="NONE", seed=3),
    # pointwise: 15 pixels (three left over), 7 output channels
    "pw_16_7": lambda: conv_model((1, 5, 3, 16), 7, (1, 1), (1, 1), "VALID", act="NONE", seed=4),
    # pointwise, 6 input channels (partial group / predicated tail), stride 2
    "pw_6_5_s2": lambda: conv_model((1, 5, 7, 6), 5, (1, 1), (2, 2), "VALID", act="RELU", seed=5),
    # pointwise K = 8 and K = 16 (the unrolled loops), 4-pixel blocks and leftovers, shifts across
    # the folded-offset fast range (left shifts, shift 0, right shifts past 24)
    "pw_8_mixed": lambda: conv_model((1, 3, 5, 8), 12, (1, 1), (1, 1), "VALID", act="NONE", out_scale=0.003, seed=14),
    "pw_8_tiny": lambda: conv_model((1, 4, 4, 8), 9, (1, 1), (1, 1), "VALID", act="NONE", out_scale=3e5, seed=15),
    "pw_16_mixed": lambda: conv_model((1, 2, 6, 16), 10, (1, 1), (1, 1), "VALID", act="NONE", out_scale=0.01, seed=16),
    # pointwise K = 8 and 16 with every shift a right shift in [2, 24] and the whole int8 range (the
    # small-K loop with the per-call job): output zero points at both ends, stride 1 and stride 2
    "pw_8_fast_zp127": lambda: conv_model((1, 3, 7, 8), 13, (1, 1), (1, 1), "VALID", act="NONE", out_zp=127,
                                          seed=40),
    "pw_16_fast_zpm128": lambda: conv_model((1, 5, 5, 16), 6, (1, 1), (1, 1), "VALID", act="NONE", in_zp=-128,
                                            out_zp=-128, seed=41),
    "pw_8_fast_s2": lambda: conv_model((1, 7, 9, 8), 5, (1, 1), (2, 2), "VALID", act="NONE", in_zp=127, seed=42),
    "pw_16_fast_small_scale": lambda: conv_model((1, 4, 6, 16), 4, (1, 1), (1, 1), "VALID", act="NONE",
                                                 out_scale=30.0, out_zp=-100, seed=43),
    # the K = 8n loop's four entries into its four-pair body (K = 24, 32, 48, 72: 2, 3, 5 and 8
    # pairs after the first 8 taps; 48 and 72 loop back), 4-pixel blocks and leftovers
    **{f"pw_{k}_fast": (lambda k=k: conv_model((1, 3, 3, k), 5, (1, 1), (1, 1), "VALID", act="NONE", seed=44 + k))
       for k in (24, 32, 48, 72)},
    # pointwise, K = 40 (16-tap steps + tail), 33 channels, 9 pixels
    "pw_40_33": lambda: conv_model((1, 3, 3, 40), 33, (1, 1), (1, 1), "VALID", act="RELU6", seed=6),
    # per-channel scales straddling 1: left shifts, shift 0 and -1 next to the fast range
    "mixed_shifts": lambda: conv_model((1, 6, 5, 8), 9, (3, 3), (1, 1), "SAME", out_scale=0.003, seed=7),
    # tiny effective scale: right shifts past 23
    "tiny_scale": lambda: conv_model((1, 5, 6, 4), 6, (3, 3), (1, 1), "SAME", out_scale=3e4, seed=8),
    # zero points at the extremes, RELU_N1_TO_1
    "extreme_zp": lambda: conv_model((1, 5, 6, 7), 5, (3, 3), (1, 1), "SAME", act="RELU_N1_TO_1", in_zp=-128,
                                     out_zp=127, seed=9),
    # dilation (per-tap gather) and two batches
    "dilated_b2": lambda: conv_model((2, 9, 8, 3), 5, (3, 2), (1, 1), "SAME", dilation=(2, 3), seed=10),
    # per-tensor weights, 5x5 stride 2 VALID on odd sizes
    "per_tensor_5x5": lambda: conv_model((1, 13, 11, 5), 4, (5, 5), (2, 2), "VALID", per_channel=False, seed=11),
    # channel groups and legacy uint8 (filter zero point): the portable fallback
    "groups": lambda: conv_model((1, 6, 5, 6), 4, (3, 3), (1, 1), "SAME", groups=2, seed=12),
    "legacy_uint8": lambda: conv_model((1, 7, 6, 8), 6, (3, 3), (2, 2), "SAME", act="RELU6", dtype="uint8",
                                       in_zp=128, in_scale=0.0235, out_zp=0, out_scale=0.0235, w_zp=113, seed=13),
    # legacy uint8 with the whole activation range: the per-pixel filter-offset terms in the assembly
    # loops (pointwise K = 8, 16 and 24, and the RGB stem)
    "legacy_pw_8": lambda: conv_model((1, 3, 6, 8), 11, (1, 1), (1, 1), "VALID", dtype="uint8", in_zp=120,
                                      in_scale=0.02, out_zp=7, out_scale=0.05, w_zp=131, seed=17),
    "legacy_pw_16": lambda: conv_model((1, 2, 7, 16), 6, (1, 1), (1, 1), "VALID", dtype="uint8", in_zp=3,
                                       in_scale=0.02, out_zp=200, out_scale=0.08, w_zp=90, seed=18),
    "legacy_pw_24": lambda: conv_model((1, 3, 3, 24), 9, (1, 1), (1, 1), "VALID", dtype="uint8", in_zp=250,
                                       in_scale=0.02, out_zp=128, out_scale=0.1, w_zp=140, seed=19),
    "legacy_rgb_stem": lambda: conv_model((1, 9, 11, 3), 8, (3, 3), (2, 2), "SAME", dtype="uint8", in_zp=128,
                                          in_scale=0.0078, out_zp=0, out_scale=0.02, w_zp=120, seed=20),
    # te_conv2d_s8_rows: channels a multiple of 4, dil_w 1 (taps outside the map on both sides, stride, dil_h)
    "rows_resnet": lambda: conv_model((1, 16, 16, 16), 16, (3, 3), (1, 1), "SAME", in_zp=-128, act="RELU", seed=61),
    "rows_wide_filter": lambda: conv_model((1, 3, 2, 4), 5, (7, 7), (1, 1), "SAME", seed=62),
    "rows_strided": lambda: conv_model((1, 10, 9, 12), 3, (3, 5), (1, 2), "VALID", dilation=(2, 1), seed=63),
}

# ------------------------------------------------------------------------------------ FULLY_CONNECTED

FC = {
    "fc_7x3": lambda: fc_model(1, 7, 3, "NONE", False, True, 5, 0.3, seed=21),
    "fc_250x17_b2": lambda: fc_model(2, 250, 17, "RELU", False, True, -3, 0.3, seed=22),
    "fc_per_channel_nobias": lambda: fc_model(1, 64, 10, "RELU6", True, False, -128, 0.01, seed=23),
    # effective scale > 1: the exact fallback of both fast rescales
    "fc_large_scale": lambda: fc_model(1, 33, 9, "NONE", True, True, 0, 1e-4, seed=24),
    "fc_128x16": lambda: fc_model(1, 128, 16, "RELU_N1_TO_1", False, True, 7, 0.2, seed=25),
    # the quad layout's pair-form bias at its limit, and the plain bias just past it
    "fc_pair_bias": lambda: fc_model(1, 64, 8, "RELU", False, True, -128, 2000.0, seed=9,
                                     **dict(zip(("weights", "bias_data"), pair_bias_case(False)))),
    "fc_plain_bias": lambda: fc_model(1, 64, 8, "RELU", False, True, -128, 2000.0, seed=9,
                                      **dict(zip(("weights", "bias_data"), pair_bias_case(True)))),
    # segments longer than 127 steps, checked for these weights (TE_FC_QUADS_SEGMENT)
    "fc_segment_2000": lambda: fc_model(1, 2000, 8, "RELU", False, True, 5, 3.0, seed=31,
                                        weights=np.random.default_rng(31).integers(-127, 128, (8, 2000))
                                        .astype(np.int8)),
}

# ------------------------------------------------------------------------------ the other op families

OTHERS = {
    "dw_3x3": lambda: dw_model((1, 7, 8, 5), (3, 3), (1, 1), "SAME", act="RELU6", seed=31),
    "dw_s2_mult2": lambda: dw_model((1, 9, 10, 4), (3, 3), (2, 2), "VALID", depth_mult=2, seed=32),
    "dw_5x5_per_tensor": lambda: dw_model((1, 11, 10, 16), (5, 5), (1, 1), "SAME", per_channel=False, seed=33),
    "dw_10x8_s2_x8": lambda: dw_model((1, 49, 40, 1), (10, 8), (2, 2), "SAME", depth_mult=8, out_zp=-128, seed=34),
    "dw_7x7_s2_c3": lambda: dw_model((1, 15, 13, 3), (7, 7), (2, 2), "SAME", out_zp=-128, seed=35),
    "dw_7x7_s1_c3": lambda: dw_model((1, 12, 11, 3), (7, 7), (1, 1), "SAME", out_zp=-128, seed=36),
    # 3x3 planar, the whole int8 range (dw3x3_block_asm on DSP cores). Stride 1, a window of 9 rows:
    # blocks of 7 output rows (two triples, one row) and 5 (one triple, then the last three rows
    # again); channel 1 has a GENERIC shift (effective scale 0.7: the assembly's sums, column by
    # column, and the C requantization).
    "dw_3x3_s1_rows12": lambda: dw_model((1, 12, 4, 3), (3, 3), (1, 1), "SAME", act="NONE", in_scale=0.05,
                                         out_scale=0.1, w_scales=[2 * t for t in (0.003, 0.7, 0.002)], seed=37),
    # stride 2 over 7 rows: three pairs, then one row
    "dw_3x3_s2_rows7": lambda: dw_model((1, 13, 6, 2), (3, 3), (2, 2), "SAME", depth_mult=2, act="NONE", seed=38),
    # 1-D layers (te_depthwise_conv2d_s8_1d): (1, 3) stride 1 full range, (5, 1) swapped with a
    # partial group of channels and a RELU6 clamp, (1, 9) and (1, 3) stride 2, (1, 7) and (1, 8)
    # stride 1 (the assembly loops for 2 to 5 pairs of taps).
    "dw_1d_k3": lambda: dw_model((1, 1, 29, 8), (1, 3), (1, 1), "SAME", act="RELU", out_zp=-128, seed=37),
    "dw_1d_k5_swapped_c6": lambda: dw_model((1, 23, 1, 6), (5, 1), (1, 1), "SAME", act="RELU6", seed=38),
    "dw_1d_k9_s2_c7": lambda: dw_model((1, 1, 30, 7), (1, 9), (1, 2), "SAME", out_zp=-128, seed=39),
    "dw_1d_k3_s2": lambda: dw_model((1, 1, 24, 8), (1, 3), (1, 2), "SAME", out_zp=-128, seed=42),
    "dw_1d_k7": lambda: dw_model((1, 1, 19, 4), (1, 7), (1, 1), "SAME", out_zp=-128, seed=40),
    "dw_1d_k8_valid": lambda: dw_model((1, 1, 21, 4), (1, 8), (1, 1), "VALID", act="RELU", seed=41),
    "avg_pool": lambda: pool_model("AVERAGE_POOL_2D", (1, 7, 8, 3), (3, 3), (2, 2), "SAME", zp=7),
    # four channels per word on DSP cores, two left one by one; a 25x5 window like kws'
    "avg_pool_c10_global": lambda: pool_model("AVERAGE_POOL_2D", (1, 25, 5, 10), (25, 5), (25, 5), "VALID", zp=-3),
    "max_pool": lambda: pool_model("MAX_POOL_2D", (1, 6, 5, 4), (2, 2), (2, 2), "SAME", act="RELU", zp=-20,
                                   scale=0.03),
    # four channels per word and a partial word of 3 (padding, the clamp per lane), of 2 alone
    "max_pool_c7_same": lambda: pool_model("MAX_POOL_2D", (1, 7, 6, 7), (3, 3), (2, 2), "SAME", act="RELU6",
                                           zp=-20, scale=0.03),
    "max_pool_c2": lambda: pool_model("MAX_POOL_2D", (1, 6, 8, 2), (2, 2), (2, 2), "VALID", zp=5),
    "add": lambda: add_model((1, 5, 3, 6), (1, 5, 3, 6), (1, 5, 3, 6), "RELU"),
    "add_broadcast": lambda: add_model((1, 4, 3, 8), (1, 1, 1, 8), (1, 4, 3, 8), "NONE"),
    "softmax": lambda: softmax_model((3, 10), 0.029216613620519638, -5),
    "dequantize": lambda: build_single_op_model("DEQUANTIZE", [TensorSpec((1, 256), "int8", scale=0.3760228157043457,
                                                                          zero_point=89)],
                                                [TensorSpec((1, 256), "float32")]),
    "pad": lambda: pad_model((1, 4, 5, 3), [(0, 0), (1, 2), (2, 1), (0, 0)]),
    "concat": lambda: concat_model([(1, 3, 3, 4), (1, 3, 3, 2)], 3),
    "resize": lambda: resize_model((1, 4, 5, 3), (8, 10)),
    "transpose": lambda: transpose_model((1, 3, 4, 5), [0, 3, 1, 2]),
    "mean": lambda: mean_model((1, 7, 7, 5), [1, 2], True),
}


@pytest.mark.parametrize("build,core", cases(CONV))
def test_conv2d_on_core(build, core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), core, tmp_path, cache)


@pytest.mark.parametrize("build,core", cases(FC))
def test_fully_connected_on_core(build, core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), core, tmp_path, cache, n_sets=3)


@pytest.mark.parametrize("build,core", cases(OTHERS))
def test_other_ops_on_core(build, core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), core, tmp_path, cache)


@pytest.mark.parametrize("core", CORES)
def test_softmax_structured_rows_on_core(core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(softmax_model((2, 33), 0.05, 0), core, tmp_path, cache, input_sets=structured_rows((2, 33), 1))


@pytest.mark.parametrize("core", [*CORES, "m7"])  # (M7: VCVTA)
def test_quantize_special_floats_on_core(core: str, tmp_path: Path, cache: Path) -> None:
    shape, scale, zp = (1, 9, 7), 0.02351972833275795, -18
    check_on_core(quantize_model(shape, "int8", scale, zp), core, tmp_path, cache,
                  input_sets=special_floats(shape, scale, zp, seed=3))



@pytest.mark.parametrize("core", ["m3", "m4", "m7", "m55"])
def test_quantize_rounding_edges_on_core(core: str, tmp_path: Path, cache: Path) -> None:
    """Each core rounds its own way (soft-float roundf on M3, fixed point with one fraction bit on
    M4's FPv4, VRINTA on M7 and M55): exact ties and their neighbours, around 2^10, 2^30 and 2^31;
    int8 (SSAT) and uint8 (USAT)."""
    x = rounding_edges().reshape(1, -1)
    for out, zp in (("int8", 0), ("int8", -128), ("uint8", 255)):
        check_on_core(quantize_model(x.shape, out, 1.0, zp), core, tmp_path / f"{out}{zp}", cache,
                      input_sets=[[x], [np.float32(0.25) * x]])

# ------------------------------------------------------------------------------------------ wide sweeps

SLOW_CONV = {
    f"k{k}_s{s}_{pad}_{h}x{w}_c{c}": (lambda k=k, s=s, pad=pad, h=h, w=w, c=c, oc=oc:
                                      conv_model((1, h, w, c), oc, (k, k), (s, s), pad, act="RELU",
                                                 seed=k * 31 + s + h + c))
    for k, s, pad, h, w, c, oc in [
        (1, 1, "VALID", 7, 7, 3, 4), (1, 2, "VALID", 9, 8, 12, 9), (2, 1, "SAME", 8, 8, 4, 6),
        (2, 2, "VALID", 9, 8, 2, 5), (3, 1, "VALID", 7, 7, 16, 3), (3, 2, "SAME", 8, 8, 1, 16),
        (4, 1, "SAME", 9, 8, 5, 7), (4, 2, "VALID", 8, 8, 8, 8), (5, 1, "SAME", 7, 7, 3, 11),
        (5, 2, "SAME", 9, 8, 12, 4), (6, 1, "VALID", 9, 8, 2, 2), (7, 1, "SAME", 8, 8, 3, 5),
        (7, 2, "VALID", 9, 8, 4, 1),
    ]
}
SLOW_CONV.update({
    f"ch_{ic}_{oc}_{act}": (lambda ic=ic, oc=oc, act=act:
                            conv_model((1, 6, 5, ic), oc, (3, 3), (1, 1), "SAME", act=act, seed=ic * oc))
    for ic, oc in [(1, 1), (1, 16), (16, 1), (48, 40), (64, 3), (17, 31)]
    for act in ["NONE", "RELU6"]
})
SLOW_CONV.update({
    f"pw_{ic}_{oc}_{n}px": (lambda ic=ic, oc=oc, n=n: conv_model((1, 1, n, ic), oc, (1, 1), (1, 1), "VALID",
                                                                  act="RELU", seed=ic + oc + n))
    for ic, oc in [(1, 4), (3, 5), (8, 16), (31, 9), (64, 64), (129, 7), (256, 3)]
    for n in [1, 2, 3, 4, 9]
})
SLOW_CONV.update({
    f"q_in{izp}_out{ozp}_s{osc}": (lambda izp=izp, ozp=ozp, osc=osc:
                                   conv_model((1, 5, 5, 4), 3, (3, 3), (1, 1), "SAME", in_zp=izp, out_zp=ozp,
                                              out_scale=osc, act="RELU", seed=izp + ozp + 300))
    for izp in [-128, 0, 127] for ozp in [-128, 0, 127] for osc in [1e-4, 0.05, 30.0, 1e5]
})
SLOW_CONV.update({
    f"legacy_w{wzp}_k{k}": (lambda wzp=wzp, k=k: conv_model((1, 8, 7, 6), 5, (k, k), (1, 1), "SAME", act="RELU6",
                                                          dtype="uint8", in_zp=77, in_scale=0.02, out_zp=200,
                                                          out_scale=0.05, w_zp=wzp, seed=wzp + k))
    for wzp in [0, 128, 255] for k in [1, 3]
})

SLOW_FC = {
    f"fc_b{b}_d{d}_u{u}_{'pc' if pc else 'pt'}_{act}": (lambda b=b, d=d, u=u, pc=pc, act=act:
                                                        fc_model(b, d, u, act, pc, True, -7, 0.3, seed=d + u))
    for b, d, u in [(1, 1, 1), (1, 2, 5), (1, 3, 4), (3, 15, 6), (1, 16, 2), (1, 17, 9), (2, 64, 10),
                    (1, 640, 128), (1, 1000, 3)]
    for pc in [False, True]
    for act in ["NONE", "RELU6"]
}
SLOW_FC.update({
    f"fc_q_zp{zp}_s{s}": (lambda zp=zp, s=s: fc_model(1, 33, 9, "NONE", True, True, zp, s, seed=zp & 0xFF))
    for zp in [-128, 0, 127] for s in [1e-5, 1e-3, 0.01, 2.5, 40.0, 1e4]
})

SLOW_OTHERS = {
    f"dw_k{k}_s{s}_m{m}_c{c}": (lambda k=k, s=s, m=m, c=c: dw_model((1, 9, 8, c), (k, k), (s, s), "SAME",
                                                                    depth_mult=m, act="RELU", seed=k + s + m + c))
    for k, s, m, c in [(3, 1, 1, 1), (3, 2, 1, 17), (5, 1, 2, 3), (7, 2, 1, 8), (1, 1, 4, 2), (3, 1, 1, 64)]
}
SLOW_OTHERS.update({  # dw3x3_block_asm, the maps' windows giving blocks of 1 row, 2 rows and 5 + 2
    # rows (stride 1: fewer than three rows one at a time; a triple, then the last three rows again);
    # stride 3 (one row at a time, any step)
    f"dw_3x3_s{s}_h{h}": (lambda s=s, h=h: dw_model((1, h, 7, 3), (3, 3), (s, s), "SAME", act="NONE", seed=40 + h))
    for s, h in [(1, 1), (1, 2), (1, 7), (3, 11)]
})
SLOW_OTHERS.update({
    f"{op.lower()}_k{k}_s{s}_{pad}": (lambda op=op, k=k, s=s, pad=pad:
                                      pool_model(op, (1, 9, 10, 16), (k, k), (s, s), pad, act="RELU6", zp=-9))
    for op in ["AVERAGE_POOL_2D", "MAX_POOL_2D"] for k, s in [(2, 2), (3, 2), (3, 1), (5, 5)]
    for pad in ["SAME", "VALID"]
})
SLOW_OTHERS.update({
    f"add_{i}": (lambda s1=s1, s2=s2, out=out: add_model(s1, s2, out, "RELU6"))
    for i, (s1, s2, out) in enumerate([((1, 16, 16, 32),) * 3, ((2, 3, 5, 7),) * 3,
                                       ((1, 1, 5, 1), (1, 4, 1, 3), (1, 4, 5, 3)), ((7,), (1,), (7,))])
})
SLOW_OTHERS.update({
    "softmax_1001": lambda: softmax_model((1, 1001), 0.13083283603191376, 96),
    "softmax_s16": lambda: softmax_model((3, 64), 0.17, 3, out="int16"),
    "mean_axes": lambda: mean_model((2, 6, 4, 3), [1, 2], False, (0.048543, 6), (0.048543, 6)),
    "mean_c": lambda: mean_model((1, 5, 5, 8), [3], True),
    "concat_axis1": lambda: concat_model([(1, 2, 3, 2), (1, 4, 3, 2), (1, 1, 3, 2)], 1),
    "resize_half_pixel": lambda: resize_model((1, 3, 7, 2), (5, 4), half_pixel_centers=True),
    "transpose_4d": lambda: transpose_model((2, 3, 4, 5), [0, 2, 3, 1]),
    "padv2": lambda: pad_model((1, 5, 4, 3), [(0, 0), (2, 1), (1, 2), (1, 1)], v2_value=-7),
    "quantize_uint8": lambda: quantize_model((1, 64), "uint8", 0.404846727848053, 81),
})


@pytest.mark.slow
@pytest.mark.parametrize("build,core", cases(SLOW_CONV))
def test_conv2d_sweep_on_core(build, core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), core, tmp_path, cache)


@pytest.mark.slow
@pytest.mark.parametrize("build,core", cases(SLOW_FC))
def test_fully_connected_sweep_on_core(build, core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), core, tmp_path, cache, n_sets=3)


@pytest.mark.slow
@pytest.mark.parametrize("build,core", cases(SLOW_OTHERS))
def test_other_ops_sweep_on_core(build, core: str, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), core, tmp_path, cache)
