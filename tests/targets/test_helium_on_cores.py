"""The Helium (MVE) kernel paths on the emulated Cortex-M55 (mps3-an547) give LiteRT's reference bytes.

Host tests cannot run MVE: these build each single-op model for the M55 and compare every output
byte. Default run: a handful per Helium path, chosen to reach its variants (tails of 1-3 outputs
or channels, strides, kernel sizes, chunk counts, in place, legacy uint8, requantization shifts,
activation ranges). `-m slow`: wider sweeps.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from tests.ops.test_conv import conv_model
from tests.ops.test_depthwise import dw_model
from tests.ops.test_elementwise import add_model
from tests.ops.test_fully_connected import fc_model
from tests.ops.test_lstm import lstm_model
from tests.ops.test_pooling import pool_model
from tests.ops.test_quantize import quantize_model, special_floats
from tests.support.oracle import random_inputs
from tests.targets import test_models_on_cores
from tests.targets.test_ops_on_cores import check_on_core
from tests.test_patches import fc_sink
from tinyengine_gen import targets
from tinyengine_gen.ops import lstm as lstm_op

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]

CORE = "m55"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Kernel and runtime objects, shared by every build of this module."""
    return tmp_path_factory.mktemp("objcache")


def cases(table: dict[str, Callable[[], bytes]], marks=()) -> list:
    return [pytest.param(build, id=name, marks=list(marks)) for name, build in table.items()]


# ----------------------------------------------------------------------------------- DEPTHWISE_CONV_2D
# One input channel at a time through an int8 window; taps in chunks of <= 16 (one gather each).

def _dw_scales(targets_: list[float], in_scale: float = 0.05, out_scale: float = 0.1) -> list[float]:
    return [t * out_scale / in_scale for t in targets_]


DW = {
    # 3x3 stride 1 (one chunk, four outputs per step): 7 columns (a 3-output tail), RELU6, in place
    "3x3_s1_tail3": lambda: dw_model((1, 9, 7, 8), (3, 3), (1, 1), "SAME", act="RELU6", seed=41),
    # stride 2, odd sizes (5 and 6 output columns: tails of 1 and 2), the direct layout's constants
    "3x3_s2_direct": lambda: dw_model((1, 11, 9, 12), (3, 3), (2, 2), "SAME", act="RELU", seed=42),
    "3x3_s2_tail2": lambda: dw_model((1, 12, 11, 8), (3, 3), (2, 2), "SAME", act="NONE", seed=43),
    # 5x5 (two chunks) and 7x7 (four chunks), depth multiplier 2
    "5x5_s1_x2": lambda: dw_model((1, 11, 10, 6), (5, 5), (1, 1), "SAME", depth_mult=2, act="RELU_N1_TO_1",
                                  seed=44),
    "7x7_s2_valid": lambda: dw_model((1, 16, 16, 24), (7, 7), (2, 2), "VALID", act="RELU6", seed=45),
    # micro_speech: 1 channel, 10x8 stride 2, depth multiplier 8 (five chunks of two filter rows)
    "10x8_s2_x8": lambda: dw_model((1, 49, 40, 1), (10, 8), (2, 2), "SAME", depth_mult=8, act="RELU", seed=46),
    # a row longer than 126 bytes: 3x3 in three chunks; dilation; two batches
    "wide_rows": lambda: dw_model((1, 5, 140, 4), (3, 3), (1, 1), "SAME", act="RELU", seed=47),
    "dilated_b2": lambda: dw_model((2, 11, 10, 3), (3, 3), (1, 1), "SAME", dilation=(2, 3), depth_mult=2,
                                   act="RELU", seed=48),
    # every requantization form: shifts >= 0, -1, the usual range, below -23, a zero multiplier
    "shifts": lambda: dw_model((1, 10, 9, 12), (3, 3), (2, 2), "SAME", act="NONE", in_scale=0.05, out_scale=0.1,
                               w_scales=_dw_scales([0.7, 1.5, 3.0, 0.3, 0.2, 2**-10, 2**-23.5, 2**-25, 2**-40,
                                                    0.01, 0.06, 0.12]), seed=11),
    # legacy uint8 (filter offset: the sum-of-taps term), a small map
    "legacy_uint8": lambda: dw_model((1, 9, 10, 8), (3, 3), (2, 2), "SAME", act="RELU6", dtype="uint8", in_zp=128,
                                     in_scale=0.0235, out_zp=0, out_scale=0.0235, w_zp=149, seed=7),
    "small_map": lambda: dw_model((1, 3, 3, 20), (3, 3), (1, 1), "SAME", act="RELU6", seed=49),
    # the smallest planar windows: the Helium window and its 16 bytes of slack exceed the planar
    # kernel's own scratch (dw_s8_scratch_bytes takes the larger)
    "smallest_window": lambda: dw_model((1, 1, 1, 3), (1, 1), (1, 1), "VALID", act="NONE", seed=53),
    "smallest_window_row": lambda: dw_model((1, 1, 6, 3), (1, 1), (1, 1), "VALID", act="NONE", seed=54),
    # walked along rows (more than 128 outputs): a 3-output tail per row; a window sliding one
    # output row at a time (stride 2, the direct layout's small scratch); 7x7 and legacy 5x5 rows
    "rows_tail3": lambda: dw_model((1, 21, 23, 8), (3, 3), (1, 1), "SAME", act="RELU", seed=50),
    "rows_sliding_s2": lambda: dw_model((1, 48, 48, 16), (3, 3), (2, 2), "SAME", act="RELU6", seed=51),
    "rows_7x7": lambda: dw_model((1, 24, 26, 4), (7, 7), (1, 1), "SAME", act="NONE", seed=52),
    "rows_legacy_5x5": lambda: dw_model((1, 20, 14, 4), (5, 5), (1, 1), "SAME", act="RELU", dtype="uint8",
                                        in_zp=3, in_scale=0.02, out_zp=128, out_scale=0.08, w_zp=90, seed=53),
}

SLOW_DW = {
    f"k{k[0]}x{k[1]}_s{s[0]}{s[1]}_{pad}_{h}x{w}_c{c}_m{m}": (
        lambda k=k, s=s, pad=pad, h=h, w=w, c=c, m=m: dw_model((1, h, w, c), k, s, pad, depth_mult=m, act="RELU6",
                                                               seed=k[0] * 31 + s[0] * 7 + h + c))
    for k, s, pad, h, w, c, m in [
        ((1, 1), (1, 1), "SAME", 5, 9, 4, 1), ((2, 2), (1, 1), "SAME", 8, 8, 5, 2), ((3, 3), (3, 3), "VALID", 10, 10, 1, 1),
        ((4, 3), (2, 1), "SAME", 9, 6, 3, 1), ((1, 5), (1, 2), "SAME", 7, 13, 2, 3), ((7, 5), (1, 2), "SAME", 9, 12, 3, 1),
        ((5, 5), (2, 2), "SAME", 9, 8, 16, 1), ((7, 7), (1, 1), "SAME", 5, 5, 8, 1), ((3, 3), (1, 1), "SAME", 1, 1, 8, 1),
        ((3, 3), (1, 1), "SAME", 2, 2, 4, 1), ((3, 3), (2, 2), "SAME", 96, 96, 1, 8), ((3, 3), (1, 1), "SAME", 25, 5, 64, 1),
        ((3, 3), (1, 1), "SAME", 70, 40, 4, 1), ((5, 5), (1, 1), "SAME", 40, 60, 2, 1), ((3, 3), (1, 1), "SAME", 3, 3, 256, 1),
        ((3, 3), (2, 2), "SAME", 7, 6, 17, 1), ((3, 3), (1, 1), "SAME", 6, 7, 64, 2), ((9, 9), (1, 1), "SAME", 12, 12, 2, 1),
        ((3, 3), (1, 1), "SAME", 4, 300, 2, 1),
    ]
}
SLOW_DW.update({
    f"legacy_w{wz}_in{iz}_out{oz}_{act}": (
        lambda wz=wz, iz=iz, oz=oz, act=act: dw_model((1, 8, 7, 6), (3, 3), (1, 1), "SAME", act=act, dtype="uint8",
                                                      in_zp=iz, in_scale=0.02, out_zp=oz, out_scale=0.05, w_zp=wz,
                                                      depth_mult=2, seed=wz + iz))
    for wz in (0, 128, 255) for iz, oz in ((0, 0), (255, 255), (77, 200)) for act in ("NONE", "RELU6")
})
SLOW_DW.update({
    f"dil{d[0]}{d[1]}_s{s[0]}_{pad}": (
        lambda d=d, s=s, pad=pad: dw_model((1, 12, 11, 4), (3, 3), s, pad, dilation=d, depth_mult=2, act="RELU6",
                                           seed=d[0] * 5 + d[1]))
    for d in ((1, 2), (2, 2), (3, 1)) for s in ((1, 1), (2, 2)) for pad in ("SAME", "VALID")
})


@pytest.mark.parametrize("build", cases(DW))
def test_depthwise_on_m55(build, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), CORE, tmp_path, cache)


@pytest.mark.parametrize("build", cases(SLOW_DW, marks=[pytest.mark.slow]))
def test_depthwise_sweep_on_m55(build, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), CORE, tmp_path, cache)


# ------------------------------------------------------------------------------------------- CONV_2D
# Pointwise K <= 16: four pixels in registers; K > 16: four pixels interleaved in a block; the last
# row zero-padded when K is not a multiple of 16; im2col windows gathered straight from the input
# (interior pixels, K <= 64) or through the shared window gather (borders, larger K).

CONV = {
    # K = 8 and 16: 1-3 pixel tails, odd channel counts, in place, stride 2
    "pw_k8_tail1": lambda: conv_model((1, 3, 7, 8), 11, (1, 1), (1, 1), "VALID", act="RELU", seed=61),
    "pw_k16_tail2_s2": lambda: conv_model((1, 5, 7, 16), 7, (1, 1), (2, 2), "VALID", act="RELU6", seed=62),
    "pw_k5_wider": lambda: conv_model((1, 4, 4, 5), 24, (1, 1), (1, 1), "VALID", act="NONE", seed=63),
    # K > 16: 17 (a 1-byte last step), 24, 32, 48 (whole steps), one output channel
    "pw_k17_tail3": lambda: conv_model((1, 3, 5, 17), 9, (1, 1), (1, 1), "VALID", act="RELU", seed=64),
    "pw_k32_s2": lambda: conv_model((1, 7, 5, 32), 12, (1, 1), (2, 2), "VALID", act="NONE", seed=65),
    "pw_k48_oc1": lambda: conv_model((1, 3, 3, 48), 1, (1, 1), (1, 1), "VALID", act="RELU", seed=66),
    # requantization shifts >= 0 and < 0 in one layer (the general requantization, both kernels)
    "pw_k8_mixed": lambda: conv_model((1, 3, 5, 8), 12, (1, 1), (1, 1), "VALID", out_scale=0.003, seed=14),
    "pw_k40_mixed": lambda: conv_model((1, 3, 3, 40), 13, (1, 1), (1, 1), "VALID", out_scale=0.004, seed=67),
    # legacy uint8 (the filter-offset term), K <= 16 and K > 16
    "pw_legacy_k12": lambda: conv_model((1, 3, 6, 12), 10, (1, 1), (1, 1), "VALID", dtype="uint8", in_zp=120,
                                        in_scale=0.02, out_zp=7, out_scale=0.05, w_zp=131, seed=68),
    "pw_legacy_k36": lambda: conv_model((1, 2, 7, 36), 6, (1, 1), (1, 1), "VALID", dtype="uint8", in_zp=3,
                                        in_scale=0.02, out_zp=200, out_scale=0.08, w_zp=90, seed=69),
    # the RGB stem: K = 27 gathered directly inside, border pixels through the window gather
    "stem_rgb": lambda: conv_model((1, 17, 15, 3), 16, (3, 3), (2, 2), "SAME", act="RELU6", seed=70),
    # K = 144 (larger than the direct gather), dilation, legacy uint8 with a 5x5 window
    "k3x3_c16": lambda: conv_model((1, 6, 7, 16), 10, (3, 3), (1, 1), "SAME", act="RELU", seed=71),
    "dilated": lambda: conv_model((1, 9, 8, 3), 5, (3, 2), (1, 1), "SAME", dilation=(2, 3), seed=72),
    "legacy_5x5": lambda: conv_model((1, 9, 9, 3), 6, (5, 5), (2, 2), "SAME", dtype="uint8", in_zp=128,
                                     in_scale=0.0078, out_zp=0, out_scale=0.02, w_zp=120, seed=73),
}

SLOW_CONV = {
    f"pw_c{c}_oc{oc}_hw{h}x{w}_s{s}": (
        lambda c=c, oc=oc, h=h, w=w, s=s: conv_model((1, h, w, c), oc, (1, 1), (s, s), "VALID", act="RELU",
                                                     seed=c * 7 + oc + h))
    for c, oc, h, w, s in [(1, 3, 3, 5, 1), (2, 8, 4, 4, 1), (15, 4, 5, 3, 1), (16, 16, 3, 3, 2), (31, 5, 2, 3, 1),
                           (33, 2, 3, 3, 1), (64, 64, 4, 4, 1), (100, 7, 3, 2, 2), (128, 130, 2, 3, 1)]
}
SLOW_CONV.update({
    f"k{k[0]}x{k[1]}_s{s}_{pad}_c{c}_oc{oc}": (
        lambda k=k, s=s, pad=pad, c=c, oc=oc: conv_model((1, 11, 10, c), oc, k, (s, s), pad, act="RELU6",
                                                         seed=k[0] * 13 + c + oc))
    for k, s, pad, c, oc in [((3, 3), 1, "SAME", 1, 8), ((3, 3), 2, "VALID", 3, 33), ((5, 5), 1, "SAME", 2, 5),
                             ((10, 4), 2, "SAME", 1, 64), ((2, 2), 2, "VALID", 7, 3), ((7, 7), 2, "SAME", 3, 16),
                             ((3, 3), 1, "SAME", 8, 17), ((1, 3), 1, "SAME", 32, 9)]
})


@pytest.mark.parametrize("build", cases(CONV))
def test_conv2d_on_m55(build, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), CORE, tmp_path, cache)


@pytest.mark.parametrize("build", cases(SLOW_CONV, marks=[pytest.mark.slow]))
def test_conv2d_sweep_on_m55(build, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), CORE, tmp_path, cache)


# ------------------------------------------------------------------------------------------------ ADD
# Four elements per vector; a broadcast input rescaled once per row; the last 1-3 predicated.

ADD = {
    "same_shape_tail3": lambda: add_model((1, 5, 3, 5), (1, 5, 3, 5), (1, 5, 3, 5), "RELU"),
    "per_channel": lambda: add_model((1, 4, 5, 6), (6,), (1, 4, 5, 6), "NONE"),
    "first_broadcast": lambda: add_model((1, 1, 1, 7), (1, 4, 5, 7), (1, 4, 5, 7), "RELU6"),
    "per_pixel_scalar": lambda: add_model((1, 4, 5, 3), (1, 4, 5, 1), (1, 4, 5, 3), "RELU_N1_TO_1"),
    "both_broadcast": lambda: add_model((1, 4, 1, 3), (1, 1, 5, 1), (1, 4, 5, 3), "NONE"),
    "scales": lambda: add_model((1, 9, 9), (1, 9, 9), (1, 9, 9), "NONE", q1=(0.5, -128), q2=(0.0021, 127),
                                qo=(0.01, -5)),
    # equal input scales (both exact), extreme zero points, a wide output scale (the shortest shift)
    "equal_scales": lambda: add_model((1, 7, 5, 3), (1, 7, 5, 3), (1, 7, 5, 3), "RELU6", q1=(0.07, -128),
                                      q2=(0.07, 127), qo=(0.02, 100)),
    "wide_out": lambda: add_model((1, 6, 11), (1, 6, 11), (1, 6, 11), "NONE", q1=(0.03, 5), q2=(0.2, -9),
                                  qo=(0.21, -128)),
}


@pytest.mark.parametrize("build", cases(ADD))
def test_add_on_m55(build, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), CORE, tmp_path, cache, n_sets=3)


# ------------------------------------------------------------------------------------ FULLY_CONNECTED
# Row-major weights (the Helium build's own copy), four rows per pass with one VMLADAVA per row and
# 16 columns, the last pass tail-predicated; the four sums requantized as one vector, the last 1-3
# rows predicated; per-channel (fp64) scales and asymmetric weights take the scalar requantization.

FC = {
    # depth below 16 (one predicated pass), rows a multiple of 4 (ad01's bottleneck)
    "d8_u12": lambda: fc_model(1, 8, 12, "RELU", False, True, 5, 0.3, seed=61),
    # depth 16 exactly, 5 rows (one left over); depth 17, 6 rows (two); depth 47, 7 rows (three), batches
    "d16_u5": lambda: fc_model(1, 16, 5, "NONE", False, True, -7, 0.2, seed=62),
    "d17_u6": lambda: fc_model(1, 17, 6, "RELU6", False, True, 0, 0.3, seed=63),
    "d47_u7_b3": lambda: fc_model(3, 47, 7, "RELU_N1_TO_1", False, True, 11, 0.1, seed=64),
    # a long row, 1-row layer, no bias
    "d640_u8": lambda: fc_model(1, 640, 8, "RELU", False, True, 2, 0.5, seed=65),
    "d1_u3": lambda: fc_model(1, 1, 3, "NONE", False, True, 5, 0.3, seed=66),
    "nobias_d33_u9": lambda: fc_model(1, 33, 9, "NONE", False, False, -3, 0.3, seed=67),
    # per-channel scales (hardware-double requantization), asymmetric weights (the offsets' path)
    "per_channel_d100_u11": lambda: fc_model(2, 100, 11, "RELU", True, True, -128, 0.05, seed=68),
    "asymmetric_d30_u6": lambda: fc_model(1, 30, 6, "NONE", False, True, 4, 0.3, seed=69, w_zp=3),
}


@pytest.mark.parametrize("build", cases(FC))
def test_fully_connected_on_m55(build, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), CORE, tmp_path, cache, n_sets=3)


@pytest.mark.parametrize("per_channel", [False, True], ids=["int_rq", "per_channel"])
def test_fully_connected_sink_on_m55(per_channel: bool, tmp_path: Path, cache: Path) -> None:
    """The split API (a band stage feeding the FC row by row) on the row-major weights."""
    model = tmp_path / "fc_sink.tflite"
    model.write_bytes(fc_sink(4 + per_channel, per_channel=per_channel))
    test_models_on_cores.check_on_core(model, CORE, tmp_path, cache, n_sets=2, args=("--patch",))


# ------------------------------------------------------------------------------------------- QUANTIZE
# float32 -> int8 / uint8, four values per pass (scalar VDIVs, then one vector: VRINTA, the
# out-of-range / NaN lanes INT32_MIN, zero point, clamp), the last 1-3 values by the portable loop:
# ties, signed zeros, non-finite and huge values (tests/ops/test_quantize.py's special floats).

@pytest.mark.parametrize("out,scale,zp", [("int8", 0.404846727848053, 81), ("uint8", 0.003919653594493866, 0),
                                          ("int8", 0.02351972833275795, -18)], ids=["s8", "u8", "s8_tail"])
def test_quantize_on_m55(out: str, scale: float, zp: int, tmp_path: Path, cache: Path) -> None:
    shape = (1, 9, 7) if out != "int8" or zp != -18 else (1, 5, 13)
    model = quantize_model(shape, out, scale, zp)
    rng = np.random.default_rng(zp & 0xFF)
    sets = [random_inputs(model, rng)] + special_floats(shape, scale, zp, seed=zp & 0xFF)
    check_on_core(model, CORE, tmp_path, cache, input_sets=sets)


# ------------------------------------------------------------------------- AVERAGE_POOL_2D / MAX_POOL_2D
# Per output pixel the channels in vectors (average: 4 int32 lanes, max: 16 int8 lanes; the last one
# predicated); the average's rounded division as a multiply-high (windows up to 4096 taps; larger ones
# divide lane by lane), legacy uint8 rounding; partial windows at SAME borders; activation clamps.

POOL = {
    "avg_kws_global": lambda: pool_model("AVERAGE_POOL_2D", (1, 25, 5, 64), (25, 5), (25, 5), zp=-5),
    "avg_same_c7": lambda: pool_model("AVERAGE_POOL_2D", (1, 7, 8, 7), (3, 3), (2, 2), "SAME", act="RELU6", zp=7),
    "avg_legacy_uint8": lambda: pool_model("AVERAGE_POOL_2D", (1, 6, 5, 5), (2, 3), (1, 2), "SAME", zp=131,
                                           dtype="uint8"),
    # 4096 taps (the multiply-high's limit) and one more row (lane by lane division), int8 and uint8
    "avg_4096_taps": lambda: pool_model("AVERAGE_POOL_2D", (1, 64, 64, 2), (64, 64), (1, 1), zp=100),
    "avg_4160_taps_uint8": lambda: pool_model("AVERAGE_POOL_2D", (1, 65, 64, 3), (65, 64), (1, 1), zp=131,
                                              dtype="uint8"),
    "avg_4160_taps": lambda: pool_model("AVERAGE_POOL_2D", (1, 65, 64, 1), (65, 64), (1, 1), zp=-100),
    "max_same_c18": lambda: pool_model("MAX_POOL_2D", (1, 7, 8, 18), (3, 3), (2, 2), "SAME", act="RELU", zp=-20),
    "max_k2_c3": lambda: pool_model("MAX_POOL_2D", (1, 25, 25, 4), (2, 2), (2, 2), act="RELU_N1_TO_1", zp=3),
}


@pytest.mark.parametrize("build", cases(POOL))
def test_pool_on_m55(build, tmp_path: Path, cache: Path) -> None:
    check_on_core(build(), CORE, tmp_path, cache, n_sets=3)


# ------------------------------------------------------------------------ UNIDIRECTIONAL_SEQUENCE_LSTM
# Phase A: four cells per vector gate by gate (int8 rows, VMLADAVA, the last 1-3 cells repeated and
# not stored); phase B: eight cells per vector (the exp tables by gathers, gemmlowp's reciprocal,
# the cell and hidden updates on even / odd int32 lanes, the last 1-7 cells predicated). Every cell
# state scale (tanh of the cell on 1..7 exp bits), clip, zero points, generic requantization; the
# extremes drive the gates into saturation.

LSTM = {
    "shared_shape": lambda: lstm_model(1, 5, 28, 20, seed=28 * 31 + 20),
    "odd_tails": lambda: lstm_model(1, 3, 7, 5, seed=7 * 31 + 5),
    "time_major_b2": lambda: lstm_model(2, 4, 9, 6, seed=9 * 31 + 6, time_major=True),
    "more_cells_b3": lambda: lstm_model(3, 2, 3, 10, seed=3 * 31 + 10),
    "clip_zp": lambda: lstm_model(2, 4, 5, 9, seed=7, cell_clip=1.5, hidden_zp=-9, time_major=True),
    "generic_rq": lambda: lstm_model(1, 4, 11, 6, seed=3, gate_gain=3.0),
    "one_cell": lambda: lstm_model(2, 3, 37, 1, seed=9),
    "wide": lambda: lstm_model(1, 3, 130, 64, seed=21, gate_gain=0.2),
    **{f"cell_scale{-s}": (lambda s=s: lstm_model(1, 4, 6, 13, seed=100 - s, cell_scale=s, gate_gain=0.4))
       for s in (-9, -10, -11, -12, -13, -14, -15)},
}


@pytest.mark.parametrize("build", cases(LSTM))
def test_lstm_on_m55(build, tmp_path: Path, cache: Path) -> None:
    model = build()
    rng = np.random.default_rng(5)
    sets = [random_inputs(model, rng) for _ in range(4)]
    sets.append([np.full(s.shape, 127, s.dtype) for s in sets[0]])
    sets.append([np.full(s.shape, -128, s.dtype) for s in sets[0]])
    check_on_core(model, CORE, tmp_path, cache, input_sets=sets)


# The activations exhaustively: a firmware whose invoke runs te_lstm_sigmoid_q3_12 and te_lstm_tanh
# (on the M55 the kernel's vector functions, lane 0) over 4096 inputs x per call, 16 calls for
# every int16 x, against gemmlowp's arithmetic (the generator's replay), for cell scales whose
# tanh of the cell takes 1, 3, 4 and 7 exp bits.
ACT_CHUNK = 4096


def _act_model(d: Path, cell_scale: int) -> Path:
    hk = 16 + cell_scale
    tables = {"sig": lstm_op.exp_table(3), "tnh": lstm_op.exp_table(4), "hid": lstm_op.exp_table(hk)}

    def arr(ctype: str, name: str, data) -> str:
        return f"static const {ctype} {name}[{len(data)}] = {{{', '.join(str(int(v)) for v in data)}}};\n"

    header = f"""#ifndef LSTMACT_H
#define LSTMACT_H
#include <stddef.h>
#include <stdint.h>
#define LSTMACT_ARENA_SIZE {16 + 6 * ACT_CHUNK}
#define LSTMACT_NUM_INPUTS 1
#define LSTMACT_NUM_OUTPUTS 1
#define LSTMACT_INPUT0_BYTES 4
#define LSTMACT_OUTPUT0_BYTES {6 * ACT_CHUNK}
int lstmact_invoke(void);
void lstmact_reset(void);
void *lstmact_input(int index);
const void *lstmact_output(int index);
size_t lstmact_input_bytes(int index);
size_t lstmact_output_bytes(int index);
#endif
"""
    source = ('#include <string.h>\n#include "lstmact.h"\n#include "tinyengine/te_lstm.h"\n'
              + "".join(arr("int16_t", k, v) for k, v in tables.items())
              + arr("uint32_t", "bits", lstm_op.reciprocal_bits())
              + f"""static int8_t arena[LSTMACT_ARENA_SIZE] __attribute__((aligned(16)));
int lstmact_invoke(void)
{{
    te_lstm_params p;
    te_lstm_weights w;
    int16_t *out = (int16_t *)(void *)(arena + 16);
    int32_t chunk, i;
    memset(&p, 0, sizeof p);
    memset(&w, 0, sizeof w);
    p.cell_scale = {cell_scale};
    w.exp_sigmoid = sig;
    w.exp_tanh = tnh;
    w.exp_hidden = hid;
    w.recip_bits = bits;
    memcpy(&chunk, arena, 4);
    for (i = 0; i < {ACT_CHUNK}; ++i) {{
        const int32_t x = -32768 + chunk * {ACT_CHUNK} + i;
        out[3 * i] = (int16_t)te_lstm_sigmoid_q3_12(&p, &w, x);
        out[3 * i + 1] = (int16_t)te_lstm_tanh(&p, &w, x, 3);
        out[3 * i + 2] = (int16_t)te_lstm_tanh(&p, &w, x, {15 + cell_scale});
    }}
    return 0;
}}
void lstmact_reset(void) {{}}
void *lstmact_input(int index) {{ return index == 0 ? arena : 0; }}
const void *lstmact_output(int index) {{ return index == 0 ? arena + 16 : 0; }}
size_t lstmact_input_bytes(int index) {{ return index == 0 ? 4u : 0u; }}
size_t lstmact_output_bytes(int index) {{ return index == 0 ? {6 * ACT_CHUNK}u : 0u; }}
""")
    d.mkdir(parents=True, exist_ok=True)
    (d / "lstmact.h").write_text(header)
    (d / "lstmact.c").write_text(source)
    return d


@pytest.mark.parametrize("cell_scale", [-15, -13, -12, -9])
def test_lstm_activations_exhaustive_on_m55(cell_scale: int, tmp_path: Path, cache: Path) -> None:
    gen = _act_model(tmp_path / "gen", cell_scale)
    elf = targets.build_firmware(CORE, gen, "lstmact", tmp_path / "fw", cache_dir=cache)
    n_chunks = 65536 // ACT_CHUNK
    result = targets.run_firmware(CORE, elf, [[np.int32(k).tobytes()] for k in range(n_chunks)])
    got = np.concatenate([np.frombuffer(o[0], "<i2").reshape(-1, 3) for o in result.outputs]).astype(np.int64)
    x = np.arange(-32768, 32768, dtype=np.int64)
    want = np.stack([lstm_op.logistic_q(x, 3), lstm_op.tanh_q(x, 3), lstm_op.tanh_q(x, 15 + cell_scale)], axis=1)
    for j, name in enumerate(["sigmoid Q3.12", "tanh Q3.12", f"tanh Q{15 + cell_scale}"]):
        bad = np.flatnonzero(got[:, j] != want[:, j])
        assert bad.size == 0, (f"{name} differs at {bad.size} inputs, first x = {x[bad[0]]}: "
                               f"{got[bad[0], j]} vs {want[bad[0], j]}")
