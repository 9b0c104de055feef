"""BATCH_MATMUL (int8, int16 x int16 / int8, float32; adj_x / adj_y; broadcast batch dims; constant
RHS) against the LiteRT reference."""
from __future__ import annotations

from typing import Optional

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import TensorSpec, build_single_op_model

QUANT = {"int8": ((0.05, -3), (0.04, 6), (0.3, 2)), "int16": ((0.001, 0), (0.002, 0), (0.01, 0))}


def bmm_model(dtype: str, lhs: tuple[int, ...], rhs: tuple[int, ...], out: tuple[int, ...], adj_x: bool = False,
              adj_y: bool = False, const_rhs: bool = False, rhs_dtype: Optional[str] = None,
              out_dtype: Optional[str] = None, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    rhs_dtype = rhs_dtype or dtype
    out_dtype = out_dtype or dtype
    if dtype == "float32":
        data = rng.uniform(-1, 1, rhs).astype(np.float32) if const_rhs else None
        a, b, y = TensorSpec(lhs, dtype), TensorSpec(rhs, dtype, data=data), TensorSpec(out, dtype)
    else:
        (ls, lz), (rs, rz), (ys, yz) = QUANT[dtype]
        if rhs_dtype == "int8":
            rz = 0 if dtype == "int16" else rz
        lim = np.iinfo(np.int8 if rhs_dtype == "int8" else np.int16)
        data = rng.integers(lim.min, lim.max, rhs) if const_rhs else None
        a = TensorSpec(lhs, dtype, ls, lz)
        b = TensorSpec(rhs, rhs_dtype, rs, rz, data=data)
        y = TensorSpec(out, out_dtype, None if out_dtype == "int32" else ys, None if out_dtype == "int32" else yz)
    return build_single_op_model("BATCH_MATMUL", [a, b], [y], {"adj_x": adj_x, "adj_y": adj_y})


DEFAULT = [
    dict(dtype="int8", lhs=(2, 3, 5), rhs=(2, 5, 4), out=(2, 3, 4)),
]
SLOW = [
    dict(dtype="int16", lhs=(1, 4, 6), rhs=(6, 3), out=(1, 4, 3), const_rhs=True, rhs_dtype="int8"),
    dict(dtype="float32", lhs=(3, 1, 4, 5), rhs=(2, 4, 5), out=(3, 2, 4, 4), adj_y=True),
    dict(dtype="int8", lhs=(3, 5), rhs=(2, 1, 5, 7), out=(2, 1, 3, 7)),
    dict(dtype="int8", lhs=(2, 5, 3), rhs=(2, 4, 5), out=(2, 3, 4), adj_x=True, adj_y=True),
    dict(dtype="int8", lhs=(1, 2, 3, 8), rhs=(8, 6), out=(1, 2, 3, 6), const_rhs=True),
    dict(dtype="int8", lhs=(2, 3, 8), rhs=(2, 8, 6), out=(2, 3, 6), out_dtype="int32"),
    dict(dtype="int16", lhs=(2, 3, 5), rhs=(1, 5, 4), out=(2, 3, 4)),
    dict(dtype="int16", lhs=(4, 3), rhs=(2, 4), out=(3, 2), adj_x=True, adj_y=True, const_rhs=True),
    dict(dtype="float32", lhs=(2, 2, 3, 4), rhs=(4, 5), out=(2, 2, 3, 5), const_rhs=True),
    dict(dtype="float32", lhs=(4, 3), rhs=(5, 4), out=(3, 5), adj_x=True, adj_y=True),
]


@pytest.mark.parametrize("case", DEFAULT, ids=lambda c: c["dtype"])
def test_batch_matmul(case: dict) -> None:
    assert_matches_reference(bmm_model(**case), n_sets=3)


@pytest.mark.slow
@pytest.mark.parametrize("case", SLOW)
def test_batch_matmul_sweep(case: dict) -> None:
    assert_matches_reference(bmm_model(**case), n_sets=3)
