"""BATCH_MATMUL lowering (int8, int16 with an int16 or int8 RHS, float32).

LiteRT's reference (batch_matmul.cc, kReference) with up to 5-D inputs, batch dimensions
broadcast, adj_x / adj_y transposing the last two dimensions of LHS / RHS:
- float32: reference_ops::BatchMatMul<float>, float sums over k ascending;
- int8 -> int8: sums of (l - l_zp) * (r - r_zp) in int32, one multiplier from
  GetQuantizedConvolutionMultipler (float32 product of the input scales / output scale),
  MultiplyByQuantizedMultiplier, + output zero point, clamp to int8 (no fused activation);
- int8 -> int32: the raw int32 sums of l * r;
- int16 (x int16 or int8): zero points 0 (Prepare checks), int64 sums and the 64-bit
  MultiplyByQuantizedMultiplier, clamp to int16.
A constant RHS is stored transposed ([N][K]) when adj_y is false, so the kernel reads it along k.
"""
from __future__ import annotations

import numpy as np

from .. import quant as q
from ..ir import Graph, Op
from .base import ConstArray, KernelCall, register, require, require_quant

RANK = 5


def _extended(shape: tuple[int, ...]) -> list[int]:
    return [1] * (RANK - len(shape)) + [int(d) for d in shape]


def _batch_strides(ext: list[int]) -> list[int]:
    """reference batch_matmul::extent: 0 for a size-1 (broadcast) dimension, else the elements
    of the dimensions after it."""
    return [0 if ext[i] == 1 else int(np.prod(ext[i + 1:])) for i in range(3)]


@register("BATCH_MATMUL", dtypes=("int8", "int16", "float32"), note="broadcast batch dims, adj_x / adj_y")
def lower_batch_matmul(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) == 2 and len(op.outputs) == 1, op, "expects two inputs and one output")
    lhs, rhs = op.inputs[0], op.inputs[1]
    y = op.outputs[0]
    require(lhs is not None and rhs is not None, op, "missing input")
    require(2 <= len(lhs.shape) <= RANK and 2 <= len(rhs.shape) <= RANK, op, "inputs must have rank 2 to 5")
    adj_x, adj_y = bool(op.options.get("adj_x", False)), bool(op.options.get("adj_y", False))
    lx, rx = _extended(lhs.shape), _extended(rhs.shape)
    batch = []
    for i in range(3):
        require(lx[i] == rx[i] or lx[i] == 1 or rx[i] == 1, op,
                f"batch dimensions {lhs.shape[:-2]} and {rhs.shape[:-2]} do not broadcast")
        batch.append(max(lx[i], rx[i]))
    m, k = (lx[4], lx[3]) if adj_x else (lx[3], lx[4])
    rk, n = (rx[4], rx[3]) if adj_y else (rx[3], rx[4])
    require(k == rk, op, f"inner dimensions differ: {k} and {rk}")
    out_rank = max(len(lhs.shape), len(rhs.shape))
    want = tuple(batch[3 - (out_rank - 2):] if out_rank > 2 else []) + (m, n)
    require(tuple(y.shape) == want, op, f"output shape {y.shape} does not match {want}")
    require(min(m, n, k) > 0, op, "empty matrix dimension")
    params = dict(batch0=batch[0], batch1=batch[1], batch2=batch[2])
    params.update({f"lhs_stride{i}": s for i, s in enumerate(_batch_strides(lx))})
    params.update({f"rhs_stride{i}": s for i, s in enumerate(_batch_strides(rx))})
    params.update(rows=m, cols=n, depth=k, adj_x=int(adj_x), adj_y=int(adj_y))
    consts: dict[str, ConstArray] = {}
    inputs = [lhs] if rhs.is_const else [lhs, rhs]
    if rhs.is_const:
        data = rhs.data.reshape(rx)
        if not adj_y:  # store [.., N, K]: the kernel then reads the RHS along k
            data = np.swapaxes(data, 3, 4)
            params["adj_y"] = 1
        ctype = {"int8": "int8_t", "int16": "int16_t", "float32": "float"}.get(rhs.dtype)
        require(ctype is not None, op, f"unsupported RHS type {rhs.dtype}")
        consts["rhs"] = ConstArray(str(ctype), np.ascontiguousarray(data))
    macs = int(np.prod(batch)) * m * n * k
    hdr = "tinyengine/te_batch_matmul.h"
    if lhs.dtype == "float32":
        require(rhs.dtype == "float32" and y.dtype == "float32", op,
                f"float BATCH_MATMUL needs float RHS and output, got {rhs.dtype}/{y.dtype} (hybrid is not supported)")
        params.update(lhs_offset=0, rhs_offset=0, output_offset=0, multiplier=0, shift=0, act_min=0, act_max=0)
        return KernelCall(op=op, template="batch_matmul.c.j2", header=hdr, inputs=inputs, outputs=[y],
                          params=params, consts=consts, macs=macs, note="float")
    require_quant(op, lhs, rhs)
    require(not lhs.quant.per_channel and not rhs.quant.per_channel, op, "per-channel quantized inputs")
    if lhs.dtype == "int8":
        require(rhs.dtype == "int8", op, f"int8 LHS needs an int8 RHS, got {rhs.dtype}")
        require(y.dtype in ("int8", "int32"), op, f"int8 BATCH_MATMUL needs an int8 or int32 output, got {y.dtype}")
    else:
        require(lhs.dtype == "int16" and rhs.dtype in ("int16", "int8"), op,
                f"int16 LHS needs an int16 or int8 RHS, got {rhs.dtype}")
        require(y.dtype == "int16", op, f"int16 BATCH_MATMUL needs an int16 output, got {y.dtype}")
        require(y.quant is not None, op, "output has no quantization parameters")
        for t in (lhs, rhs, y):
            require(t.quant is not None and t.quant.zp == 0, op, f"int16 tensor '{t.name}' must have zero point 0")
        require(k < 2**16, op, "depth too large for the reference's 64-bit requantization")
    mult = shift = 0
    lo, hi = q.DTYPE_RANGE[y.dtype]
    if y.dtype != "int32":
        require(y.quant is not None, op, "output has no quantization parameters")
        mult, shift = q.legacy_conv_multiplier(lhs.quant.s, rhs.quant.s, y.quant.s)
        if lhs.dtype == "int16":
            require(mult >= 0 and -31 <= shift < 8, op, "requantization scale out of the reference's range")
    params.update(lhs_offset=-lhs.quant.zp, rhs_offset=-rhs.quant.zp,
                  output_offset=y.quant.zp if y.quant is not None else 0, multiplier=mult, shift=shift,
                  act_min=lo, act_max=hi)
    return KernelCall(op=op, template="batch_matmul.c.j2", header=hdr, inputs=inputs, outputs=[y],
                      params=params, consts=consts, macs=macs, note=f"{lhs.dtype}x{rhs.dtype}->{y.dtype}")
