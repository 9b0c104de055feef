"""Every kernel scratch size the generator computes equals the C library's definition.

C is the truth for scratch sizes: each kernel that takes scratch defines its size in C
(`te_<op>_scratch_bytes`, a function or a header macro, the largest need over the builds when the
DSP and Helium paths differ). The generator keeps Python copies of these formulas, so that it runs
without a host C compiler (PlatformIO and Zephyr users generate on machines that may have none);
this test builds the C definitions into a host shared library (tests/support/scratch_sizes.c) and
checks every Python copy against them over a sweep of shapes."""
from __future__ import annotations

import ctypes
import itertools
import subprocess

import numpy as np
import pytest

from tests.support.host import REPO, STRICT, kernel_sources
from tinyengine_gen.ops import conv, depthwise, detection, int16x8, lstm, lstm_float, resize, svdf

SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 1000, 4097]


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    so = tmp_path_factory.mktemp("scratch") / "libscratch.so"
    cmd = ["gcc", *STRICT, "-O0", "-shared", "-fPIC", f"-I{REPO / 'include'}",
           str(REPO / "tests" / "support" / "scratch_sizes.c"), *map(str, kernel_sources()), "-o", str(so), "-lm"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-4000:]
    lib = ctypes.CDLL(str(so))
    return lib


def c_size(lib: ctypes.CDLL, name: str, *args: int) -> int:
    fn = getattr(lib, f"ts_{name}")
    fn.restype = ctypes.c_long
    fn.argtypes = [ctypes.c_int] * len(args)
    return int(fn(*args))


def test_conv_s8(lib: ctypes.CDLL) -> None:
    for kh, kw, fic, oc in itertools.product([1, 3, 5, 7], [1, 3, 8], [1, 3, 4, 16, 17, 64], [1, 4, 6, 100]):
        assert conv.conv_scratch_bytes(kh * kw * fic, oc) == c_size(lib, "conv2d_s8", kh, kw, fic, oc)
    for n in SIZES:
        assert conv.conv_1x1_scratch_bytes(n) == c_size(lib, "conv2d_1x1_s8", n), n


def test_int16x8(lib: ctypes.CDLL) -> None:
    for kh, kw, fic, oc in itertools.product([1, 2, 3, 5], [1, 3, 4], [1, 3, 4, 17], [1, 3, 8, 65]):
        assert conv.conv_s16_scratch_bytes(kh * kw * fic, oc) == c_size(lib, "conv2d_s16", kh, kw, fic, oc)
        assert int16x8.dw_s16_scratch_bytes(kh, kw, oc) == c_size(lib, "depthwise_conv2d_s16", kh, kw, oc)
    for n in SIZES:
        assert int16x8.fc_s16_scratch_bytes(n) == c_size(lib, "fully_connected_s16", n), n


def test_depthwise_s8(lib: ctypes.CDLL) -> None:
    """Both kernels' parameter sets, including the smallest windows (where the Helium kernel's
    window and slack exceed the planar kernel's own need)."""
    rng = np.random.default_rng(0)
    cases = list(itertools.product([1, 2, 3, 5, 8], [1, 2, 3, 7, 8], [1, 2, 5], [1, 2, 6, 40], [1, 2],
                                   [2, 4, 10, 98], [1, 2, 5, 40], [0, 1, 2], [0, 6, 41], [0, 1]))
    smallest = [(1, 1, 1, 1, 1, 2, 1, 0, 0, 0), (1, 1, 1, 6, 1, 6, 1, 0, 0, 0), (1, 3, 1, 1, 1, 4, 1, 0, 0, 0)]
    picked = [cases[i] for i in rng.choice(len(cases), 3000, replace=False)]
    for case in smallest + picked:
        kh, kw, oh, ow, sh, row_len, buf_rows, ring_rows, plane_w, direct = (int(v) for v in case)
        p = dict(k_h=kh, k_w=kw, out_h=oh, out_w=ow, stride_h=sh, row_len=row_len, buf_rows=buf_rows,
                 ring_rows=ring_rows, plane_w=plane_w)
        assert depthwise.dw_s8_scratch_bytes(p, bool(direct)) == c_size(
            lib, "depthwise_conv2d_s8", kh, kw, oh, ow, sh, row_len, buf_rows, ring_rows, plane_w, direct), p


def test_depthwise_s8_1d(lib: ctypes.CDLL) -> None:
    for kw, iw, ow, sw, pad in itertools.product([2, 3, 4, 5, 9, 10], [1, 2, 7, 49, 124], [1, 2, 25, 49, 124],
                                                 [1, 2], [0, 1, 4]):
        p = dict(k_w=kw, in_w=iw, out_w=ow, stride_w=sw, pad_left=pad)
        assert depthwise.dw_1d_scratch_bytes(p) == c_size(lib, "depthwise_conv2d_s8_1d", kw, iw, ow, sw, pad), p


def test_recurrent(lib: ctypes.CDLL) -> None:
    for n_cell, n_input in itertools.product(SIZES[:14], [1, 3, 4, 10, 40]):
        in_cols, rec_cols = -(-n_input // 4) * 4, -(-n_cell // 4) * 4
        for proj in (False, True):
            assert lstm.lstm_scratch_bytes(n_cell, in_cols, rec_cols, proj) == c_size(
                lib, "lstm_s8", n_cell, in_cols, rec_cols, int(proj))
        assert lstm_float.lstm_f32_scratch_bytes(n_cell) == c_size(lib, "lstm_f32", n_cell)
    for n in SIZES:
        assert svdf.svdf_scratch_bytes(n) == c_size(lib, "svdf_s8", n)


def test_resize_and_detection(lib: ctypes.CDLL) -> None:
    assert resize.POS_BYTES == c_size(lib, "bilinear_pos_size")
    for n in SIZES:
        assert resize.bilinear_scratch_bytes(n) == c_size(lib, "resize_bilinear", n)
    for boxes, ncwb, classes, k, max_det, per_class, q in itertools.product(
            [1, 3, 100, 1917], [2, 91], [1, 90], [1, 3], [1, 10, 100], [1, 100], [0, 1]):
        assert detection.scratch_bytes(boxes, ncwb, classes, k, max_det, per_class, bool(q)) == c_size(
            lib, "detection_postprocess", boxes, ncwb, classes, k, max_det, per_class, q)
