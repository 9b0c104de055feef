"""FULLY_CONNECTED against the LiteRT reference: per-tensor and per-channel weights, activations, batches;
and the split API (begin / accumulate / finish) against the whole-op kernel."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import pytest

from tests.support.host import REPO, SANITIZE, STRICT
from tests.support.optest import KERNEL_VARIANTS, assert_matches_reference, kernel_library
from tests.support.oracle import run_reference
from tests.support.tflite_build import TensorSpec, build_single_op_model


def fc_model(batches: int, depth: int, units: int, act: str, per_channel: bool, bias: bool,
             in_zp: int, out_scale: float, seed: int, w_zp: int = 0,
             weights: Optional[np.ndarray] = None, bias_data: Optional[np.ndarray] = None) -> bytes:
    rng = np.random.default_rng(seed)
    if weights is None:
        weights = rng.integers(-127, 128, (units, depth)).astype(np.int8)
    w_scale = list(rng.uniform(0.002, 0.05, units)) if per_channel else 0.02
    inputs = [
        TensorSpec((batches, depth), "int8", scale=0.05, zero_point=in_zp),
        TensorSpec((units, depth), "int8", scale=w_scale, zero_point=[0] * units if per_channel else w_zp,
                   data=weights),
        TensorSpec((units,), "int32", scale=0.001, zero_point=0,
                   data=rng.integers(-5000, 5000, units).astype(np.int32) if bias_data is None else bias_data)
        if bias else None,
    ]
    out = TensorSpec((batches, units), "int8", scale=out_scale, zero_point=-3)
    return build_single_op_model("FULLY_CONNECTED", inputs, [out], {"fused_activation_function": act})


@pytest.mark.parametrize("batches,depth,units", [(1, 1, 1), (1, 7, 3), (2, 64, 10), (1, 250, 17)])
@pytest.mark.parametrize("act", ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])
def test_fc_shapes_and_activations(batches: int, depth: int, units: int, act: str) -> None:
    assert_matches_reference(fc_model(batches, depth, units, act, False, True, 5, 0.3, seed=depth))


@pytest.mark.parametrize("per_channel", [False, True])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("in_zp,out_scale", [(-128, 0.01), (127, 2.5), (0, 1e-4), (-7, 40.0)])
def test_fc_quantization_extremes(per_channel: bool, bias: bool, in_zp: int, out_scale: float) -> None:
    assert_matches_reference(fc_model(1, 33, 9, "NONE", per_channel, bias, in_zp, out_scale, seed=in_zp & 0xFF))


def extreme_weights(units: int, depth: int, seed: int) -> np.ndarray:
    """Odd rows all -128 (their quad-layout sums reach 2^14 per column), even rows >= 0 so the pairs
    still pack."""
    w = np.random.default_rng(seed).integers(0, 128, (units, depth)).astype(np.int8)
    w[1::2] = -128
    return w


def test_fc_quad_segments_and_extreme_weights() -> None:
    """Depth past one 127-step segment of the quad layout with the odd rows' sums at their largest
    (all-(-128) inputs are among the random sets), and a layer whose pairs cannot be packed (a -128
    above a negative weight: row layout)."""
    sets = [[np.full((1, 1030), v, np.int8)] for v in (-128, 127)]
    assert_matches_reference(fc_model(1, 1030, 9, "NONE", False, True, 0, 50.0, seed=3,
                                      weights=extreme_weights(9, 1030, 3)), input_sets=sets)
    w = np.random.default_rng(4).integers(-128, 128, (6, 515)).astype(np.int8)
    w[1, 0], w[0, 0] = -128, -5
    assert_matches_reference(fc_model(1, 515, 6, "NONE", False, True, 3, 5.0, seed=4, weights=w))


def pair_bias_case(over: bool) -> tuple[np.ndarray, np.ndarray]:
    """Weights (8 x 64) and a bias whose odd rows put the folded bias (input zero point -128) at the
    TE_FC_QUADS_PAIR_BIAS limit |b| + 128 * sum|w| < 2^23: just below, or on it (the plain bias)."""
    rng = np.random.default_rng(9)
    w = rng.integers(-127, 128, (8, 64)).astype(np.int8)
    wsum = w.astype(np.int64).sum(axis=1)
    room = (1 << 23) - 128 * np.abs(w.astype(np.int64)).sum(axis=1)
    folded = rng.integers(-5000, 5000, 8).astype(np.int64)
    folded[1::2] = np.array([1, -1, -1, 1]) * (room[1::2] - (0 if over else 1))
    return w, (folded - 128 * wsum).astype(np.int32)  # the model's bias: folded - input_offset * sum(w)


@pytest.mark.parametrize("over", [False, True])
def test_fc_pair_bias_limit(over: bool) -> None:
    """The pair-form bias of the quad layout at its limit (and the plain bias just past it): exact."""
    from tinyengine_gen.ops.fully_connected import pair_bias
    w, b = pair_bias_case(over)
    assert (pair_bias(w, b.astype(np.int64) + 128 * w.astype(np.int64).sum(axis=1)) is None) == over
    assert_matches_reference(fc_model(1, 64, 8, "RELU", False, True, -128, 2000.0, seed=9, weights=w,
                                      bias_data=b))


def test_fc_quad_checked_segments() -> None:
    """A depth whose odd rows need taking out every 127 steps in general but, for these weights, only
    every few hundred (TE_FC_QUADS_SEGMENT), extreme inputs included."""
    from tinyengine_gen.ops.fully_connected import quads_segment
    w = np.random.default_rng(31).integers(-127, 128, (8, 2000)).astype(np.int8)
    assert 127 < quads_segment(w) >> 8 < 500
    sets = [[np.full((1, 2000), v, np.int8)] for v in (-128, 127)] + [
        [np.random.default_rng(s).integers(-128, 128, (1, 2000)).astype(np.int8)] for s in range(3)]
    assert_matches_reference(fc_model(1, 2000, 8, "RELU", False, True, 5, 3.0, seed=31, weights=w),
                             input_sets=sets)


# ------------------------------------------------------------------------------------------ split API

SPLIT_MAIN = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tinyengine/te_fully_connected.h"

static const int32_t splits[] = { %(splits)s };  /* per split: n, then n (first, count) pieces */

static int read_all(void *dst, size_t n) { return fread(dst, 1, n, stdin) == n; }

int main(void)
{
    const int32_t depth = params.accum_depth, units = params.out_depth;
    int8_t *w = malloc(sizeof weights), *x = malloc((size_t)depth), *out = malloc((size_t)units);
    int32_t *acc = malloc(sizeof(int32_t) * (size_t)units);
    memcpy(w, weights, sizeof weights);  /* exactly sized heap copies: the sanitizers see overreads */
    while (read_all(x, (size_t)depth)) {
        size_t k = 0;
        te_fully_connected_s8(&params, BIAS, SCALES, x, w, out);
        fwrite(out, 1, (size_t)units, stdout);
        while (k < sizeof splits / sizeof splits[0]) {
            int32_t n = splits[k++], i;
            te_fully_connected_s8_begin(&params, BIAS, acc);
            for (i = 0; i < n; ++i, k += 2) {
                const int32_t first = splits[k], count = splits[k + 1];
                int8_t *piece = malloc(count > 0 ? (size_t)count : 1);
                memcpy(piece, x + first, (size_t)count);
                te_fully_connected_s8_accumulate(&params, piece, first, count, w, acc);
                free(piece);
            }
            te_fully_connected_s8_finish(&params, SCALES, acc, out);
            fwrite(out, 1, (size_t)units, stdout);
        }
    }
    free(w); free(x); free(out); free(acc);
    return 0;
}
"""


def _c_values(a: np.ndarray) -> str:
    return ", ".join(str(int(v)) for v in np.asarray(a).reshape(-1))


def split_program(model: bytes, splits: Sequence[Sequence[tuple[int, int]]]) -> tuple[str, dict]:
    """C source running the model's FULLY_CONNECTED whole and split, with the generator's own constants."""
    from tinyengine_gen.ops import REGISTRY
    from tinyengine_gen.passes import run_passes
    from tinyengine_gen.reader import read_model_bytes

    graph = run_passes(read_model_bytes(model, "fc"))
    (op,) = [o for o in graph.ops if o.kind == "FULLY_CONNECTED"]
    call = REGISTRY[op.kind](op, graph)
    c, p = call.consts, call.params
    lines = [f"static const te_fc_params params = {{ {', '.join(f'.{k} = {v}' for k, v in p.items())} }};",
             f"static const int8_t weights[] __attribute__((aligned(4))) = {{ {_c_values(c['weights'].data)} }};"]
    if "bias" in c:
        lines.append(f"static const int32_t bias[] = {{ {_c_values(c['bias'].data)} }};")
    if "scales" in c:
        lines.append(f"static const te_fp64_scale scales[] = {{ {', '.join(c['scales'].data)} }};")
    lines.append(f"#define BIAS {'bias' if 'bias' in c else 'NULL'}")
    lines.append(f"#define SCALES {'scales' if 'scales' in c else 'NULL'}")
    flat = [v for s in splits for v in (len(s), *[x for piece in s for x in piece])]
    return "\n".join(["#include \"tinyengine/te_fully_connected.h\"", *lines,
                      SPLIT_MAIN % {"splits": _c_values(np.array(flat or [0]))}]), p


def make_splits(depth: int, rng: np.random.Generator) -> list[list[tuple[int, int]]]:
    def pieces(cuts: Sequence[int]) -> list[tuple[int, int]]:
        b = [0, *sorted(set(c for c in cuts if 0 < c < depth)), depth]
        return [(b[i], b[i + 1] - b[i]) for i in range(len(b) - 1)]

    out = [pieces([]), pieces(range(1, depth)), pieces(range(4, depth, 4)), pieces([depth // 2 + 1])]
    for _ in range(3):
        out.append(pieces(rng.integers(1, max(depth, 2), rng.integers(1, 6))))
    out.append(list(reversed(pieces(rng.integers(1, max(depth, 2), 4)))))  # any order
    out.append([(0, 0), *pieces([3]), (depth, 0)])  # empty pieces
    return out


def check_split(model: bytes, n_sets: int = 3, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    work = Path(tempfile.mkdtemp(prefix="fc-split-"))
    src, params = split_program(model, [])
    graph_depth, units = params["accum_depth"], params["out_depth"]
    assert params["batches"] == 1
    splits = make_splits(graph_depth, rng)
    src, params = split_program(model, splits)
    (work / "split.c").write_text(src)
    xs = [rng.integers(-128, 128, graph_depth, dtype=np.int8) for _ in range(n_sets)]
    xs.append(np.full(graph_depth, -128, np.int8))
    xs.append(np.full(graph_depth, 127, np.int8))
    for variant, extra in KERNEL_VARIANTS.items():
        flags = [*STRICT, "-O1", *SANITIZE, *extra]
        exe = work / f"split_{variant}"
        cmd = ["gcc", *flags, f"-I{REPO / 'include'}", str(work / "split.c"), str(kernel_library(flags)),
               "-o", str(exe), "-lm"]
        res = subprocess.run(cmd, capture_output=True, text=True)
        assert res.returncode == 0, f"build failed: {' '.join(cmd)}\n{res.stderr[-4000:]}"
        res = subprocess.run([str(exe)], input=b"".join(x.tobytes() for x in xs), capture_output=True, timeout=300)
        assert res.returncode == 0, res.stderr.decode(errors="replace")[-4000:]
        got = np.frombuffer(res.stdout, np.int8).reshape(len(xs), 1 + len(splits), units)
        for k, x in enumerate(xs):
            want = run_reference(model, [x.reshape(1, -1)])[0].reshape(-1)
            assert got[k, 0].tobytes() == want.tobytes(), f"{variant}: whole op differs from the reference"
            for j in range(len(splits)):
                assert got[k, 1 + j].tobytes() == got[k, 0].tobytes(), \
                    f"{variant}, input {k}: split {splits[j]} differs from te_fully_connected_s8"


@pytest.mark.parametrize("depth,units,per_channel,bias,in_zp,out_scale", [
    (7, 3, False, True, 5, 0.3),         # row layout only (fewer than 4 units)
    (64, 10, False, True, -128, 0.3),    # quads + two row-layout units
    (250, 17, True, False, 7, 0.01),     # per-channel (double scales), a 2-column tail, one leftover unit
    (1030, 8, False, True, 0, 2.0),      # quad sums over more than one 127-step segment, extreme weights
])
def test_fc_split_matches_whole(depth: int, units: int, per_channel: bool, bias: bool, in_zp: int,
                                out_scale: float) -> None:
    w = extreme_weights(units, depth, depth) if depth > 1000 else None
    check_split(fc_model(1, depth, units, "RELU" if bias else "NONE", per_channel, bias, in_zp, out_scale,
                         seed=depth, weights=w))


def test_fc_split_with_filter_offset() -> None:
    """Asymmetric weights (filter_offset != 0): no folded bias, the row-major sum of offset terms."""
    check_split(fc_model(1, 37, 6, "NONE", False, True, 9, 0.5, seed=5, w_zp=3))


# ------------------------------------------------------------------------------------------ slow sweep

@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12))
def test_fc_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    depth, units = int(rng.integers(1, 700)), int(rng.integers(1, 40))
    per_channel, bias = bool(rng.integers(2)), bool(rng.integers(2))
    in_zp, out_scale = int(rng.integers(-128, 128)), float(10 ** rng.uniform(-3, 1.5))
    act = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"][int(rng.integers(4))]
    model = fc_model(1 + int(rng.integers(2)), depth, units, act, per_channel, bias, in_zp, out_scale, seed=seed)
    assert_matches_reference(model)
    check_split(fc_model(1, depth, units, act, per_channel, bias, in_zp, out_scale, seed=seed), seed=seed)
