"""Element-wise binary ops with broadcasting (ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE, MAXIMUM,
MINIMUM, FLOOR_DIV, FLOOR_MOD, the comparisons, LOGICAL_AND / LOGICAL_OR), and ADD_N, SELECT,
SELECT_V2 and LOGICAL_NOT, in every type LiteRT's reference kernels take.

Every parameter is computed as the op's Prepare in tensorflow/lite/kernels/<op>.cc computes it:

- ADD / SUB, int8 and uint8 (legacy uint8 moved to int8 storage is exact: the reference works on
  offsets) and int16 with general scales (add.cc / sub.cc Prepare):
    left_shift = 20 (8-bit) or 15 (int16)
    twice_max_input_scale = 2 * max(s1, s2)                    (float32, then double)
    real_input{1,2}_multiplier = s{1,2} / twice_max_input_scale  (double)
    real_output_multiplier = twice_max_input_scale / ((1 << left_shift) * s_out)  (the product in float32)
  each through QuantizeMultiplierSmallerThanOneExp.
- int16 ADD / SUB with power-of-two scales (pot_scale_int16, the schema default): the inputs'
  log2 scale differences as shifts (one of them 0 for ADD), no multipliers.
- MUL (int8, uint8, int16): real = s1 * s2 / s_out in float32, then QuantizeMultiplier.
- DIV (int8, uint8, int16): real = s1 / (s2 * s_out) in float32, then QuantizeMultiplier.
- SQUARED_DIFFERENCE int8: left_shift 7, the output multiplier from twice_max^2 / (2^14 * s_out).
- Comparisons on int8 / uint8 (and quantized int16 for EQUAL / NOT_EQUAL): each input's own scale
  through QuantizeMultiplier, left_shift 8; the other comparisons compare stored values.
- MAXIMUM / MINIMUM compare stored values whatever the scales (as the reference does).
- float32 / int32 / int64 arithmetic: the fused activation's clamp (CalculateActivationRange).
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from .. import quant as q
from ..ir import DTYPE_BYTES, Graph, Op, Tensor
from ..liveness import dies_at
from .base import KernelCall, fused_activation, register, require

MAX_DIMS = 6  # TE_ELEMENTWISE_MAX_DIMS
ADD_LEFT_SHIFT = 20
ADD_LEFT_SHIFT_INT16 = 15
SQDIFF_LEFT_SHIFT = 7
COMPARE_LEFT_SHIFT = 8
HEADER = "tinyengine/te_elementwise.h"
SUFFIX = {"int8": "s8", "uint8": "s8", "int16": "s16", "int32": "s32", "int64": "s64", "float32": "f32", "bool": "b"}
NO_PARAMS: dict[str, Any] = {"unused": 0}


def broadcast_shape(op: Op, a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    rank = max(len(a), len(b))
    ea, eb = (1,) * (rank - len(a)) + tuple(a), (1,) * (rank - len(b)) + tuple(b)
    out = []
    for da, db in zip(ea, eb):
        require(da == db or da == 1 or db == 1, op, f"shapes {a} and {b} do not broadcast")
        out.append(db if da == 1 else da)
    return tuple(out)


def broadcast_walk_n(shapes: list[tuple[int, ...]], out: tuple[int, ...]) -> list[tuple[int, ...]]:
    """(extent, stride of each input...) per dimension, outermost first, with size-1 dimensions
    dropped and adjacent dimensions merged wherever every input allows it."""
    rank = len(out)
    ext = [(1,) * (rank - len(s)) + tuple(s) for s in shapes]
    dims: list[tuple[int, ...]] = []
    acc = [1] * len(shapes)
    for i in reversed(range(rank)):  # innermost first
        n = int(out[i])
        strides = [0 if e[i] == 1 else acc[k] for k, e in enumerate(ext)]
        for k, e in enumerate(ext):
            acc[k] *= int(e[i])
        if n == 1:
            continue
        if dims:
            inner = dims[-1]
            if all(s == inner[k + 1] * inner[0] for k, s in enumerate(strides)):
                dims[-1] = (inner[0] * n, *inner[1:])
                continue
        dims.append((n, *strides))
    if not dims:
        dims = [(1,) * (len(shapes) + 1)]
    return list(reversed(dims))


def broadcast_walk(a: tuple[int, ...], b: tuple[int, ...], out: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """(extent, stride_a, stride_b) per dimension (see broadcast_walk_n)."""
    return [(w[0], w[1], w[2]) for w in broadcast_walk_n([a, b], out)]


def c_array(values: list[int], length: int = MAX_DIMS) -> str:
    vals = list(values) + [0] * (length - len(values))
    return "{" + ", ".join(str(int(v)) for v in vals) + "}"


def c_float_exact(value: float) -> str:
    """A C99 hexadecimal float literal for this float32 value (exact, and FLT_MAX too)."""
    v = float(np.float32(value))
    return f"{v.hex()}f"


# ---- parameters, as each op's Prepare computes them ----------------------------------------------

def add_multipliers(s1: float, s2: float, s_out: float, op: Op, left_shift: int = ADD_LEFT_SHIFT,
                    square: bool = False) -> dict[str, int]:
    f1, f2, fo = np.float32(s1), np.float32(s2), np.float32(s_out)
    twice_max = float(np.float32(2) * max(f1, f2))  # int * float is float in C++
    real1 = float(f1) / twice_max
    real2 = float(f2) / twice_max
    if square:  # squared_difference.cc: (twice_max * twice_max) / ((1 << 14) * s_out)
        real_out = (twice_max * twice_max) / float(np.float32(1 << (2 * left_shift)) * fo)
    else:
        real_out = twice_max / float(np.float32(1 << left_shift) * fo)
    for name, real in (("input1", real1), ("input2", real2), ("output", real_out)):
        require(0.0 < real < 1.0, op,
                f"{name} rescale factor {real!r} is outside (0, 1): the reference rejects these scales")
    m1, sh1 = q.quantize_multiplier(real1)
    m2, sh2 = q.quantize_multiplier(real2)
    mo, sho = q.quantize_multiplier(real_out)
    for sh in (sh1, sh2, sho):
        require(sh <= 0, op, "multiplier shift must be <= 0")
    return dict(input1_multiplier=m1, input1_shift=sh1, input2_multiplier=m2, input2_shift=sh2,
                output_multiplier=mo, output_shift=sho)


def _checked_log2(scale: float) -> Optional[int]:
    """CheckedLog2: the rounded log2 when the scale is a power of two (within 1e-3), else None."""
    x = math.log(float(np.float32(scale))) / math.log(2.0)
    rounded = q.tflite_round(x)
    return int(rounded) if abs(x - rounded) < 1e-3 else None


def _int_act(act: str, dtype: str) -> tuple[str, str]:
    """CalculateActivationRange<int32/int64> as C literals."""
    lo, hi = {"int32": ("INT32_MIN", "INT32_MAX"), "int64": ("INT64_MIN", "INT64_MAX")}[dtype]
    if act == q.ACT_RELU:
        return "0", hi
    if act == q.ACT_RELU6:
        return "0", "6"
    if act == q.ACT_RELU_N1_TO_1:
        return "-1", "1"
    return lo, hi


def _float_act(act: str) -> dict[str, str]:
    """CalculateActivationRange<float>: NONE clamps to [-FLT_MAX, FLT_MAX] (infinities too)."""
    big = float(np.finfo(np.float32).max)
    lo, hi = {q.ACT_RELU: (0.0, big), q.ACT_RELU6: (0.0, 6.0), q.ACT_RELU_N1_TO_1: (-1.0, 1.0)}.get(act, (-big, big))
    return dict(act_min=c_float_exact(lo), act_max=c_float_exact(hi))


def _act_params(op: Op, dtype: str) -> tuple[str, dict[str, Any]]:
    """The params struct and values of an unquantized op with a fused activation."""
    act = fused_activation(op)
    if dtype == "float32":
        return "te_act_f32_params", _float_act(act)
    lo, hi = _int_act(act, dtype)
    return ("te_act_s32_params" if dtype == "int32" else "te_act_s64_params"), dict(act_min=lo, act_max=hi)


def _scale_zp(t: Tensor) -> tuple[float, int]:
    return (t.quant.s, t.quant.zp) if t.quant is not None else (0.0, 0)


def _require_per_tensor(op: Op, *tensors: Tensor) -> None:
    for t in tensors:
        require(t.quant is not None, op, f"tensor '{t.name}' has no quantization parameters")
        assert t.quant is not None
        require(not t.quant.per_channel, op, f"tensor '{t.name}' must be per-tensor quantized")


def _require_zp_range(op: Op, dtype: str, *tensors: Tensor) -> None:
    lo, hi = q.DTYPE_RANGE["int8" if dtype == "uint8" else dtype]
    for t in tensors:
        zp = _scale_zp(t)[1]
        require(lo <= zp <= hi, op, f"tensor '{t.name}' zero point {zp} is outside the {dtype} range")


# ---- the call -------------------------------------------------------------------------------------

def _operands(op: Op, n_inputs: int = 2) -> tuple[list[Tensor], Tensor]:
    require(len(op.inputs) == n_inputs and all(t is not None for t in op.inputs), op, f"needs {n_inputs} inputs")
    require(len(op.outputs) == 1, op, "needs one output")
    ins = [t for t in op.inputs if t is not None]
    return ins, op.outputs[0]


def _shape_params(op: Op, a: Tensor, b: Tensor, y: Tensor) -> tuple[dict[str, Any], bool]:
    out_shape = broadcast_shape(op, a.shape, b.shape)
    require(tuple(y.shape) == out_shape or (y.size == int(np.prod(out_shape)) and len(out_shape) == 0), op,
            f"output shape {y.shape} does not match broadcast shape {out_shape}")
    walk = broadcast_walk(a.shape, b.shape, out_shape)
    require(len(walk) <= MAX_DIMS, op, f"broadcast needs {len(walk)} loop dimensions, at most {MAX_DIMS} supported")
    shape = dict(ndim=len(walk), shape=c_array([w[0] for w in walk]),
                 stride1=c_array([w[1] for w in walk]), stride2=c_array([w[2] for w in walk]))
    return shape, a.size != y.size or b.size != y.size


def _inplace(graph: Graph, op: Op, ins: list[Tensor], y: Tensor) -> list[tuple[int, int]]:
    """In place only over an input with the output's own shape and element size (each output
    element then reads its own position). One candidate only, the first input whose buffer dies
    here: the planner would merge both inputs into the output's buffer if offered both."""
    eligible = [i for i, t in enumerate(ins) if t.size == y.size and not t.root.is_const
                and DTYPE_BYTES[t.dtype] == DTYPE_BYTES[y.dtype] and tuple(t.shape) == tuple(y.shape)]
    dying = [i for i in eligible if dies_at(graph, op, ins[i])]
    return [(0, dying[0])] if dying else []


def _binary_call(op: Op, graph: Graph, fn: str, ptype: str, params: dict[str, Any], swap: bool = False,
                 checked: bool = False, note: str = "") -> KernelCall:
    ins, y = _operands(op)
    a, b = (ins[1], ins[0]) if swap else (ins[0], ins[1])
    shape, broadcast = _shape_params(op, a, b, y)
    p = dict(fn=fn, ptype=ptype, params=params or NO_PARAMS, shape=shape, checked=checked, count=b.size)
    notes = [n for n in (note, "broadcast" if broadcast else "") if n]
    return KernelCall(op=op, template="binary.c.j2", header=HEADER, inputs=[a, b], outputs=[y], params=p,
                      inplace=_inplace(graph, op, [a, b], y), macs=y.size, note=", ".join(notes))


def _same_types(op: Op, out_dtype: Optional[str] = None) -> str:
    ins, y = _operands(op)
    a, b = ins
    dtype = a.dtype
    want = out_dtype or dtype
    require(b.dtype == dtype and y.dtype == want, op,
            f"needs {dtype} inputs and a {want} output, got {a.dtype}/{b.dtype}/{y.dtype}")
    return dtype


def _quant_type(op: Op) -> str:
    """'uint8' for legacy uint8 ops (in int8 storage by now), else the tensors' dtype."""
    dtype = _same_types(op)
    return "uint8" if dtype == "int8" and op.context.legacy_uint8 else dtype


# ---- ADD / SUB ------------------------------------------------------------------------------------

def _pot_int16(op: Op, a: Tensor, b: Tensor, y: Tensor) -> Optional[tuple[int, int]]:
    """The int16 power-of-two path's input shifts when the reference takes it, else None."""
    if not op.options.get("pot_scale_int16", True):
        return None
    logs = [_checked_log2(t.quant.s) for t in (a, b, y) if t.quant is not None]
    if len(logs) != 3 or any(v is None for v in logs):
        return None
    l1, l2, lo = (int(v) for v in logs if v is not None)
    return l1 - lo, l2 - lo


def _lower_add_sub(op: Op, graph: Graph, sub: bool) -> KernelCall:
    name = "sub" if sub else "add"
    dtype = _quant_type(op)
    ins, y = _operands(op)
    a, b = ins
    if dtype in ("int32", "int64", "float32"):
        ptype, params = _act_params(op, dtype)
        return _binary_call(op, graph, f"te_{name}_{SUFFIX[dtype]}", ptype, params)
    _require_per_tensor(op, a, b, y)
    _require_zp_range(op, dtype, a, b, y)
    act = fused_activation(op)
    storage = "int16" if dtype == "int16" else "int8"
    act_min, act_max = q.activation_range(act, storage, y.q.s, y.q.zp)
    if dtype == "int16":
        require(a.q.zp == 0 and b.q.zp == 0 and y.q.zp == 0, op,
                "int16 inputs and output need zero point 0")
        shifts = _pot_int16(op, a, b, y)
        if shifts is not None:
            s1, s2 = shifts
            require(s1 == 0 or s2 == 0, op, f"power-of-two int16 {op.kind} needs one input at the output's scale")
            if not sub:
                require(a.size == y.size and b.size == y.size, op,
                        "power-of-two int16 ADD does not broadcast in the reference kernel")
            require(s1 <= 0 and s2 <= 0, op, "power-of-two int16 inputs need scales <= the output's")
            require(s1 >= -31 and s2 >= -31, op, "power-of-two int16 input scales more than 2^31 apart")
            params = dict(input1_shift=s1, input2_shift=s2, act_min=act_min, act_max=act_max)
            return _binary_call(op, graph, f"te_{name}_pot_s16", "te_add_pot_params", params, note="pot")
    left_shift = ADD_LEFT_SHIFT_INT16 if dtype == "int16" else ADD_LEFT_SHIFT
    params = dict(input1_offset=-a.q.zp, input2_offset=-b.q.zp, output_offset=y.q.zp,
                  left_shift=left_shift)
    params.update(add_multipliers(a.q.s, b.q.s, y.q.s, op, left_shift))
    params.update(act_min=act_min, act_max=act_max)
    return _binary_call(op, graph, f"te_{name}_{SUFFIX[dtype]}", "te_add_params", params)


@register("ADD", dtypes=("int8", "uint8", "int16", "int32", "int64", "float32"), simd=("dsp", "mve"),
          note="SIMD: int8 / uint8")
def lower_add(op: Op, graph: Graph) -> KernelCall:
    return _lower_add_sub(op, graph, sub=False)


@register("SUB", dtypes=("int8", "uint8", "int16", "int32", "int64", "float32"))
def lower_sub(op: Op, graph: Graph) -> KernelCall:
    return _lower_add_sub(op, graph, sub=True)


# ---- MUL / DIV ------------------------------------------------------------------------------------

def _mul_div_params(op: Op, dtype: str, real: float) -> dict[str, Any]:
    ins, y = _operands(op)
    a, b = ins
    _require_per_tensor(op, a, b, y)
    _require_zp_range(op, dtype, a, b, y)
    if dtype == "int16":
        require(a.q.zp == 0 and b.q.zp == 0 and y.q.zp == 0, op,
                "int16 inputs and output need zero point 0")
    require(real > 0.0 and math.isfinite(real), op, f"output rescale factor {real!r} is not usable")
    mult, shift = q.quantize_multiplier(real)
    require(-31 <= shift <= 30, op, f"output rescale factor {real!r} is out of range")
    act_min, act_max = q.activation_range(fused_activation(op), "int16" if dtype == "int16" else "int8",
                                          y.q.s, y.q.zp)
    return dict(input1_offset=-a.q.zp, input2_offset=-b.q.zp, output_offset=y.q.zp,
                output_multiplier=mult, output_shift=shift, act_min=act_min, act_max=act_max)


@register("MUL", dtypes=("int8", "uint8", "int16", "int32", "int64", "float32"), simd=("dsp", "mve"),
          note="SIMD: int8 / uint8")
def lower_mul(op: Op, graph: Graph) -> KernelCall:
    dtype = _quant_type(op)
    if dtype in ("int32", "int64", "float32"):
        ptype, params = _act_params(op, dtype)
        return _binary_call(op, graph, f"te_mul_{SUFFIX[dtype]}", ptype, params)
    ins, y = _operands(op)
    _require_per_tensor(op, *ins, y)
    s1, s2, so = (np.float32(t.q.s) for t in (ins[0], ins[1], y))
    real = float(np.float32(s1 * s2) / so)  # float * float / float, then widened
    return _binary_call(op, graph, f"te_mul_{SUFFIX[dtype]}", "te_mul_params", _mul_div_params(op, dtype, real))


@register("DIV", dtypes=("int8", "uint8", "int16", "int32", "float32"))
def lower_div(op: Op, graph: Graph) -> KernelCall:
    dtype = _quant_type(op)
    if dtype == "float32":
        ptype, params = _act_params(op, dtype)
        return _binary_call(op, graph, "te_div_f32", ptype, params)
    if dtype == "int32":
        ptype, params = _act_params(op, dtype)
        return _binary_call(op, graph, "te_div_s32", ptype, params, checked=True)
    ins, y = _operands(op)
    _require_per_tensor(op, *ins, y)
    s1, s2, so = (np.float32(t.q.s) for t in (ins[0], ins[1], y))
    real = float(s1 / np.float32(s2 * so))
    return _binary_call(op, graph, f"te_div_{SUFFIX[dtype]}", "te_div_params", _mul_div_params(op, dtype, real),
                        checked=True)


# ---- SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, FLOOR_DIV, FLOOR_MOD ------------------------------------

@register("SQUARED_DIFFERENCE", dtypes=("int8", "int32", "float32"))
def lower_squared_difference(op: Op, graph: Graph) -> KernelCall:
    dtype = _quant_type(op)
    if dtype != "int8":
        return _binary_call(op, graph, f"te_squared_difference_{SUFFIX[dtype]}", "te_no_params", NO_PARAMS)
    ins, y = _operands(op)
    a, b = ins
    _require_per_tensor(op, a, b, y)
    _require_zp_range(op, dtype, a, b, y)
    params = dict(input1_offset=-a.q.zp, input2_offset=-b.q.zp, output_offset=y.q.zp,
                  left_shift=SQDIFF_LEFT_SHIFT)
    params.update(add_multipliers(a.q.s, b.q.s, y.q.s, op, SQDIFF_LEFT_SHIFT, square=True))
    params.update(act_min=-128, act_max=127)
    return _binary_call(op, graph, "te_squared_difference_s8", "te_squared_difference_params", params)


def _lower_raw(op: Op, graph: Graph, name: str, checked: bool = False) -> KernelCall:
    dtype = _quant_type(op)
    return _binary_call(op, graph, f"te_{name}_{SUFFIX[dtype]}", "te_no_params", NO_PARAMS, checked=checked)


@register("MAXIMUM", dtypes=("int8", "uint8", "int16", "int32", "int64", "float32"))
def lower_maximum(op: Op, graph: Graph) -> KernelCall:
    return _lower_raw(op, graph, "maximum")


@register("MINIMUM", dtypes=("int8", "uint8", "int16", "int32", "int64", "float32"))
def lower_minimum(op: Op, graph: Graph) -> KernelCall:
    return _lower_raw(op, graph, "minimum")


@register("FLOOR_DIV", dtypes=("int8", "int16", "int32", "float32"), note="stored integer values")
def lower_floor_div(op: Op, graph: Graph) -> KernelCall:
    return _lower_raw(op, graph, "floor_div", checked=True)


@register("FLOOR_MOD", dtypes=("int8", "int16", "int32", "int64", "float32"), note="stored integer values")
def lower_floor_mod(op: Op, graph: Graph) -> KernelCall:
    return _lower_raw(op, graph, "floor_mod", checked=True)


# ---- comparisons and logical ops -------------------------------------------------------------------

def _compare_params(op: Op, a: Tensor, b: Tensor) -> dict[str, Any]:
    """comparisons.cc ComparisonQuantized: each input's scale through QuantizeMultiplier."""
    params: dict[str, Any] = dict(output_offset=0, left_shift=COMPARE_LEFT_SHIFT)
    for k, t in ((1, a), (2, b)):
        scale, zp = _scale_zp(t)
        require(t.quant is None or not t.quant.per_channel, op, f"tensor '{t.name}' must be per-tensor quantized")
        require(float(np.float32(scale)) < 1.0, op,
                f"tensor '{t.name}' scale {scale!r} >= 1: the reference's comparison rescale is undefined there")
        mult, shift = q.quantize_multiplier(float(np.float32(scale)))
        params.update({f"input{k}_offset": -zp, f"input{k}_multiplier": mult, f"input{k}_shift": shift})
    params.update(output_multiplier=0, output_shift=0, act_min=0, act_max=0)
    return params


def _lower_compare(op: Op, graph: Graph, name: str, swap: bool, quantized_int16: bool, raw_int16: bool) -> KernelCall:
    dtype = _same_types(op, out_dtype="bool")
    ins, _ = _operands(op)
    a, b = (ins[1], ins[0]) if swap else (ins[0], ins[1])
    if dtype == "int8" or (dtype == "int16" and a.quant is not None and quantized_int16):
        fn = f"te_{name}_q{'8' if dtype == 'int8' else '16'}"
        return _binary_call(op, graph, fn, "te_compare_params", _compare_params(op, a, b), swap=swap,
                            note="rescaled")
    if dtype == "int16":
        require(raw_int16, op, "unquantized int16 is not supported by the reference kernel")
    return _binary_call(op, graph, f"te_{name}_{SUFFIX[dtype]}", "te_no_params", NO_PARAMS, swap=swap)


_COMPARE_TYPES = ("int8", "uint8", "int16", "int32", "int64", "float32")


@register("EQUAL", dtypes=(*_COMPARE_TYPES, "bool"))
def lower_equal(op: Op, graph: Graph) -> KernelCall:
    return _lower_compare(op, graph, "equal", False, quantized_int16=True, raw_int16=True)


@register("NOT_EQUAL", dtypes=(*_COMPARE_TYPES, "bool"), note="int16 quantized only")
def lower_not_equal(op: Op, graph: Graph) -> KernelCall:
    return _lower_compare(op, graph, "not_equal", False, quantized_int16=True, raw_int16=False)


@register("LESS", dtypes=_COMPARE_TYPES)
def lower_less(op: Op, graph: Graph) -> KernelCall:
    return _lower_compare(op, graph, "less", False, quantized_int16=False, raw_int16=True)


@register("LESS_EQUAL", dtypes=_COMPARE_TYPES)
def lower_less_equal(op: Op, graph: Graph) -> KernelCall:
    return _lower_compare(op, graph, "less_equal", False, quantized_int16=False, raw_int16=True)


@register("GREATER", dtypes=_COMPARE_TYPES)
def lower_greater(op: Op, graph: Graph) -> KernelCall:
    return _lower_compare(op, graph, "less", True, quantized_int16=False, raw_int16=True)


@register("GREATER_EQUAL", dtypes=_COMPARE_TYPES)
def lower_greater_equal(op: Op, graph: Graph) -> KernelCall:
    return _lower_compare(op, graph, "less_equal", True, quantized_int16=False, raw_int16=True)


@register("LOGICAL_AND", dtypes=("bool",))
def lower_logical_and(op: Op, graph: Graph) -> KernelCall:
    _same_types(op)
    return _binary_call(op, graph, "te_logical_and_b", "te_no_params", NO_PARAMS)


@register("LOGICAL_OR", dtypes=("bool",))
def lower_logical_or(op: Op, graph: Graph) -> KernelCall:
    _same_types(op)
    return _binary_call(op, graph, "te_logical_or_b", "te_no_params", NO_PARAMS)


@register("LOGICAL_NOT", dtypes=("bool",))
def lower_logical_not(op: Op, graph: Graph) -> KernelCall:
    ins, y = _operands(op, 1)
    x = ins[0]
    require(x.dtype == "bool" and y.dtype == "bool" and x.size == y.size, op, "needs a bool input and output")
    return KernelCall(op=op, template="logical_not.c.j2", header=HEADER, inputs=[x], outputs=[y],
                      params=dict(count=y.size), inplace=[(0, 0)], macs=y.size)


# ---- ADD_N, SELECT ----------------------------------------------------------------------------------

@register("ADD_N", dtypes=("int32", "float32"))
def lower_add_n(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) >= 2 and all(t is not None for t in op.inputs), op, "needs at least two inputs")
    ins = [t for t in op.inputs if t is not None]
    y = op.outputs[0]
    for t in ins:
        require(t.dtype == y.dtype and tuple(t.shape) == tuple(ins[0].shape), op,
                "needs inputs of one type and shape")
    require(y.size == ins[0].size, op, "output size differs from the inputs'")
    p = dict(fn=f"te_add_n_{SUFFIX[y.dtype]}", ctype=y.ctype, n=len(ins), count=y.size)
    # The output may overwrite the first input: element i of every input is read before output[i].
    inplace = [(0, 0)] if not ins[0].root.is_const and dies_at(graph, op, ins[0]) and \
        all(t.root is not ins[0].root for t in ins[1:]) else []
    return KernelCall(op=op, template="add_n.c.j2", header=HEADER, inputs=ins, outputs=[y], params=p,
                      inplace=inplace, macs=y.size * (len(ins) - 1))


def _lower_select(op: Op, graph: Graph, v2: bool) -> KernelCall:
    ins, y = _operands(op, 3)
    c, x, v = ins
    require(c.dtype == "bool", op, f"the condition must be bool, got {c.dtype}")
    require(x.dtype == v.dtype == y.dtype, op, f"x, y and the output need one type, got {x.dtype}/{v.dtype}/{y.dtype}")
    if v2:
        out_shape = broadcast_shape(op, broadcast_shape(op, c.shape, x.shape), v.shape)
        cs = c.shape
    else:
        require(tuple(x.shape) == tuple(v.shape), op, "x and y need the same shape")
        out_shape = tuple(x.shape)
        if tuple(c.shape) == tuple(x.shape):
            cs = c.shape
        else:
            # RankOneSelect: a scalar, or a vector over the first dimension, picks whole slices.
            require(len(c.shape) == 0 or (len(c.shape) == 1 and len(x.shape) >= 1 and c.shape[0] == x.shape[0]), op,
                    f"condition shape {c.shape} must equal x's {x.shape}, be a scalar or match its first dimension")
            cs = tuple(c.shape) + (1,) * (len(x.shape) - len(c.shape)) if len(c.shape) == 1 else ()
    require(tuple(y.shape) == tuple(out_shape) or y.size == int(np.prod(out_shape)), op,
            f"output shape {y.shape} does not match {out_shape}")
    walk = broadcast_walk_n([tuple(cs), tuple(x.shape), tuple(v.shape)], tuple(out_shape))
    require(len(walk) <= MAX_DIMS, op, f"broadcast needs {len(walk)} loop dimensions, at most {MAX_DIMS} supported")
    shape = dict(ndim=len(walk), shape=c_array([w[0] for w in walk]), stride_c=c_array([w[1] for w in walk]),
                 stride_x=c_array([w[2] for w in walk]), stride_y=c_array([w[3] for w in walk]))
    return KernelCall(op=op, template="select.c.j2", header=HEADER, inputs=[c, x, v], outputs=[y],
                      params=dict(shape=shape, elem=DTYPE_BYTES[y.dtype]), macs=y.size)


@register("SELECT", dtypes=("bool",), note="type key is the bool condition; x/y of any type")
def lower_select(op: Op, graph: Graph) -> KernelCall:
    return _lower_select(op, graph, v2=False)


@register("SELECT_V2", dtypes=("bool",), note="type key is the bool condition; x/y of any type")
def lower_select_v2(op: Op, graph: Graph) -> KernelCall:
    return _lower_select(op, graph, v2=True)
