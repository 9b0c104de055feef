"""Hybrid EMBEDDING_LOOKUP (src/te_embedding.c): an int8 table read as float rows
(embedding_lookup.cc EvalHybrid; TFLite Micro's int8 -> float32 EMBEDDING_LOOKUP). The op is
registered by the layout family (ops/layout.py), which hands this variant over."""
from __future__ import annotations

import numpy as np

from ..ir import Op, Tensor
from .base import ConstArray, KernelCall, require, require_quant


def lower_embedding_hybrid(op: Op, lookup: Tensor, value: Tensor, y: Tensor) -> KernelCall:
    require_quant(op, value)
    assert value.quant is not None
    rows = int(value.shape[0])
    require(len(value.shape) >= 2 and all(int(d) > 0 for d in value.shape), op, "the value table must be at least 2-D")
    want = (int(lookup.shape[0]),) + tuple(int(d) for d in value.shape[1:])
    require(tuple(int(d) for d in y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    require(int(value.quant.zero_point.reshape(-1)[0]) == 0, op, "hybrid lookup needs a zero point of 0 (as LiteRT)")
    scales = np.asarray(value.quant.scale, dtype=np.float32).reshape(-1)
    per_row = scales.size > 1
    if per_row:
        require(value.quant.axis == 0 and scales.size == rows, op,
                f"per-row scales must be {rows} along dimension 0, got {scales.size} along {value.quant.axis}")
    cols = int(np.prod(value.shape[1:], dtype=np.int64))
    params = dict(lookups=int(lookup.shape[0]), rows=rows, cols=cols, per_row=int(per_row))
    return KernelCall(op=op, template="embedding_hybrid.c.j2", header="tinyengine/te_embedding.h",
                      inputs=[value, lookup], outputs=[y], params=dict(args=params),
                      consts={"scales": ConstArray("float", scales)}, note="hybrid")
