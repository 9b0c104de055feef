"""TRANSPOSE_CONV (int8 per-channel, int16x8, float32; bias or not; SAME / VALID; strides) against
the LiteRT reference."""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import TensorSpec, build_single_op_model


def tconv_model(dtype: str, in_hw: tuple[int, int], in_c: int, out_c: int, k: tuple[int, int], stride: tuple[int, int],
                padding: str, bias: bool = True, act: str = "NONE", seed: int = 0, batches: int = 1,
                bias_type: str = "", in_zp: int = -7, out_zp: int = 5, out_scale: float = 0.2,
                bias_range: int = 3000) -> bytes:
    rng = np.random.default_rng(seed)
    ih, iw = in_hw
    if padding == "SAME":
        oh, ow = ih * stride[0], iw * stride[1]
    else:
        oh, ow = (ih - 1) * stride[0] + k[0], (iw - 1) * stride[1] + k[1]
    wshape = (out_c, k[0], k[1], in_c)
    shape = TensorSpec((4,), "int32", data=np.array([batches, oh, ow, out_c], np.int32))
    options: dict = {"padding": padding, "stride_h": stride[0], "stride_w": stride[1],
                     "fused_activation_function": act}
    if dtype == "float32":
        w = TensorSpec(wshape, "float32", data=rng.uniform(-1, 1, wshape).astype(np.float32))
        x = TensorSpec((batches, ih, iw, in_c), "float32")
        b = TensorSpec((out_c,), "float32", data=rng.uniform(-1, 1, out_c).astype(np.float32)) if bias else None
        y = TensorSpec((batches, oh, ow, out_c), "float32")
    else:
        scales = list(rng.uniform(0.002, 0.02, out_c))
        w = TensorSpec(wshape, "int8", scales, [0] * out_c, data=rng.integers(-127, 128, wshape))
        if dtype == "int8":
            x = TensorSpec((batches, ih, iw, in_c), "int8", 0.05, in_zp)
            b = TensorSpec((out_c,), "int32", 1e-4, 0, data=rng.integers(-bias_range, bias_range, out_c)) if bias else None
            y = TensorSpec((batches, oh, ow, out_c), "int8", out_scale, out_zp)
        else:
            btype = bias_type or "int64"
            x = TensorSpec((batches, ih, iw, in_c), "int16", 0.001, 0)
            b = TensorSpec((out_c,), btype, 1e-5, 0, data=rng.integers(-90000, 90000, out_c)) if bias else None
            y = TensorSpec((batches, oh, ow, out_c), "int16", 0.01, 0)
            if bias_type:
                options["quantized_bias_type"] = bias_type
    return build_single_op_model("TRANSPOSE_CONV", [shape, w, x, b], [y], options)


DEFAULT = [
    dict(dtype="int8", in_hw=(4, 5), in_c=6, out_c=5, k=(3, 3), stride=(2, 2), padding="SAME"),
]
# The int8 SIMD paths (tests/targets/test_int16_on_cores.py runs these on M4 and M55 too): input
# channels leaving 1-3 after the DSP's groups of 4 and a part of Helium's 8, output channels
# leaving 1-3 after the blocks of 4 (and fewer than 4 in all), zero points at the extremes (an
# input offset of 128), per-channel shifts of both signs, a narrow activation range.
SIMD8 = [
    dict(dtype="int8", in_hw=(3, 4), in_c=13, out_c=7, k=(3, 3), stride=(2, 2), padding="SAME", act="RELU6", seed=1),
    dict(dtype="int8", in_hw=(4, 3), in_c=5, out_c=2, k=(4, 4), stride=(2, 2), padding="VALID", seed=2, in_zp=-128,
         out_zp=127),
    dict(dtype="int8", in_hw=(2, 3), in_c=24, out_c=9, k=(3, 2), stride=(1, 2), padding="SAME", bias=False, seed=3,
         in_zp=127, out_zp=-128, out_scale=0.0004),
    dict(dtype="int8", in_hw=(3, 3), in_c=3, out_c=1, k=(5, 5), stride=(3, 3), padding="SAME", seed=4, out_scale=3.0),
    dict(dtype="int8", in_hw=(2, 2), in_c=32, out_c=4, k=(2, 2), stride=(2, 2), padding="VALID", seed=5, act="RELU",
         batches=2),
    # more channels than one pass of 64: the last block of 1-3 straddles the passes; sums past 2^30
    # (biases up to 2^31 - 1: the exact requantization beside the DSP's fast one)
    dict(dtype="int8", in_hw=(2, 3), in_c=9, out_c=70, k=(3, 3), stride=(2, 2), padding="SAME", seed=6,
         bias_range=2**31 - 1, out_scale=1e5),
]
SLOW = SIMD8 + [
    dict(dtype="int16", in_hw=(3, 4), in_c=4, out_c=3, k=(4, 4), stride=(2, 2), padding="VALID", bias=False),
    dict(dtype="float32", in_hw=(3, 3), in_c=5, out_c=4, k=(3, 3), stride=(2, 1), padding="SAME", act="RELU"),
    dict(dtype="int8", in_hw=(5, 5), in_c=3, out_c=4, k=(2, 2), stride=(2, 2), padding="VALID", bias=False, act="RELU6"),
    dict(dtype="int8", in_hw=(3, 6), in_c=8, out_c=8, k=(3, 1), stride=(1, 1), padding="SAME", batches=2),
    dict(dtype="int8", in_hw=(1, 8), in_c=16, out_c=8, k=(1, 8), stride=(1, 4), padding="SAME"),
    dict(dtype="int16", in_hw=(4, 4), in_c=8, out_c=4, k=(3, 3), stride=(2, 2), padding="SAME", act="RELU"),
    dict(dtype="int16", in_hw=(2, 6), in_c=4, out_c=5, k=(1, 4), stride=(1, 2), padding="SAME", bias_type="int32"),
    dict(dtype="float32", in_hw=(4, 3), in_c=3, out_c=2, k=(4, 3), stride=(3, 2), padding="VALID", bias=False),
    dict(dtype="float32", in_hw=(2, 2), in_c=16, out_c=6, k=(5, 5), stride=(2, 2), padding="SAME", act="RELU6"),
]


@pytest.mark.parametrize("case", DEFAULT, ids=lambda c: f"{c['dtype']}-{c['padding']}")
def test_transpose_conv(case: dict) -> None:
    assert_matches_reference(tconv_model(**case), n_sets=3)


@pytest.mark.slow
@pytest.mark.parametrize("case", SLOW)
def test_transpose_conv_sweep(case: dict) -> None:
    assert_matches_reference(tconv_model(**case), n_sets=3)
