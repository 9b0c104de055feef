"""Activations and other one-input elementwise ops (te_activation.c).

8-bit ops (int8, and legacy uint8 in int8 storage) are pure functions of the input byte: each
lowering below evaluates the reference's arithmetic for all 256 input values at generation time
(the functions named after the LiteRT kernels they mirror: activations.cc Prepare + reference_ops
HardSwish / QuantizeLeakyRelu / ReluX, LUTPopulate<int8_t> for the float transforms, elementwise.cc
for ABS / SQRT / LOG) and the kernel is te_lut_s8, one table lookup per element. int16 ops are
integer kernels (or LUTPopulate<int16_t>'s 513-entry interpolated table); float ops repeat the
reference's float expression. Types LiteRT's BUILTIN_REF resolver refuses are refused here too
(RELU_N1_TO_1 has no int16 form...). ELU, CEIL and ROUND are missing from that resolver: their
float forms (and ELU's int8 table, LUTPopulate of expm1f) follow LiteRT's builtin kernels, the
only ones it has.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import math
from functools import lru_cache
from typing import Callable, Optional

import numpy as np

from .. import quant as q
from ..ir import Graph, Op, Tensor
from .base import ConstArray, KernelCall, LoweringError, register, require, require_quant
from .elementwise import MAX_DIMS, broadcast_shape, broadcast_walk, c_array
from .quantize import c_float

HEADER = "tinyengine/te_activation.h"
# Registration of the 8-bit types that run as one table lookup (te_lut_s8 and its SIMD paths).
TABLE8: dict = dict(simd=("dsp", "mve"), note="8-bit: one table lookup; in place")
f32 = np.float32
INT16_MIN, INT16_MAX = -32768, 32767

# ---------------------------------------------------------------------------------------------
# Reference arithmetic in Python (int32 semantics as the C++ kernels have them)



def _wrap16(v: int) -> int:
    return ((v + (1 << 15)) & 0xFFFF) - (1 << 15)


def srdhm32(a: int, b: int) -> int:
    """gemmlowp SaturatingRoundingDoublingHighMul<int32>."""
    if a == b == -(1 << 31):
        return (1 << 31) - 1
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    return _trunc_div(ab + nudge, 1 << 31)


def _trunc_div(n: int, d: int) -> int:
    qv = abs(n) // d
    return qv if n >= 0 else -qv


def rdbpot(x: int, exponent: int, bits: int = 32) -> int:
    """gemmlowp RoundingDivideByPOT on an int`bits` value."""
    wrap = q.wrap_int32 if bits == 32 else _wrap16
    mask = wrap((1 << exponent) - 1)
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return wrap((x >> exponent) + (1 if remainder > threshold else 0))


def mbqm(x: int, multiplier: int, shift: int) -> int:
    """MultiplyByQuantizedMultiplier (double rounding), the int32 product wrapping."""
    left = shift if shift > 0 else 0
    right = 0 if shift > 0 else -shift
    return rdbpot(srdhm32(q.wrap_int32(x * (1 << left)), multiplier), right)


def qmult(real: float | np.floating, op: Optional[Op] = None) -> tuple[int, int]:
    """QuantizeMultiplier(double), as C++ calls it with a float-computed ratio. A ratio that is not
    finite or needs a left shift beyond 30 (the reference's int32 shift would overflow) is refused."""
    value = float(real)
    ok = math.isfinite(value) and (value == 0.0 or math.frexp(value)[1] <= 30)
    if not ok:
        where = f"{op.kind} at op index {op.index}: " if op is not None else ""
        raise LoweringError(f"{where}scale ratio {value!r} is out of range")
    return q.quantize_multiplier(value)


def _quiet(fn: Callable[[Op, Graph], KernelCall]) -> Callable[[Op, Graph], KernelCall]:
    """Run a lowering with numpy's float warnings off (float32 overflow to inf is what the C++
    does too) and turn a non-finite value reaching an integer conversion into a LoweringError."""
    def lower(op: Op, graph: Graph) -> KernelCall:
        with np.errstate(all="ignore"):
            try:
                return fn(op, graph)
            except (OverflowError, ValueError, ZeroDivisionError) as exc:
                raise LoweringError(f"{op.kind} at op index {op.index}: scales out of range ({exc})") from exc
    lower.__name__ = fn.__name__
    lower.__doc__ = fn.__doc__
    return lower


# ---------------------------------------------------------------------------------------------
# Host C library float functions: the reference calls std::tanh / std::exp / ... on float.

@lru_cache(maxsize=None)
def libm_f(name: str) -> Callable[[float | np.floating], np.float32]:
    """The C library's float function `name` (tanhf, expf, logf, erfcf, sqrtf)."""
    lib_name = ctypes.util.find_library("m")
    try:
        lib = ctypes.CDLL(lib_name) if lib_name else ctypes.CDLL(None)
        fn = getattr(lib, name)
    except (OSError, AttributeError) as exc:  # pragma: no cover - every supported host has libm
        raise LoweringError(f"the host C library has no {name}: cannot build the reference table") from exc
    fn.restype = ctypes.c_float
    fn.argtypes = [ctypes.c_float]
    return lambda v: f32(fn(float(v)))


def tflite_roundf(v: np.float32) -> np.float32:
    return f32(q.tflite_round(float(v)))


# ---------------------------------------------------------------------------------------------
# 8-bit tables

def _orig(op: Op, t: Tensor) -> tuple[float, int]:
    """(scale, zero point) in the model's own 8-bit domain (uint8 for legacy ops)."""
    assert t.quant is not None
    zp = int(t.quant.zp) + (128 if op.context.legacy_uint8 else 0)
    return float(t.quant.s), zp


def _range8(op: Op) -> tuple[int, int]:
    return (0, 255) if op.context.legacy_uint8 else (-128, 127)


def lut_from(op: Op, fn: Callable[[int], int]) -> np.ndarray:
    """The te_lut_s8 table of fn (input value -> output value, both in the model's domain)."""
    legacy = op.context.legacy_uint8
    lut = np.zeros(256, np.int8)
    for s in range(-128, 128):  # the stored (int8) byte
        v = s + 128 if legacy else s
        out = int(fn(v))
        lut[s & 0xFF] = out - 128 if legacy else out
    return lut


def lut_populate8(op: Op, x: Tensor, y: Tensor, transform: Callable[[np.float32], np.float32]) -> np.ndarray:
    """LUTPopulateInt8<T>(): transform in float32, std::round, saturate to T."""
    in_s, in_zp = _orig(op, x)
    out_s, out_zp = _orig(op, y)
    lo, hi = _range8(op)
    inverse_scale = f32(1) / f32(out_s)

    def fn(v: int) -> int:
        with np.errstate(all="ignore"):
            dequantized = f32(f32(in_s) * f32(v - in_zp))
            transformed = f32(transform(dequantized))
            rescaled = tflite_roundf(f32(transformed * inverse_scale))
            quantized = _float_to_int32(f32(rescaled + f32(out_zp)))
        return max(lo, min(hi, quantized))
    return lut_from(op, fn)


def _float_to_int32(v: np.float32) -> int:
    """static_cast<int32_t>(float) as x86-64 does it (CVTTSS2SI: INT32_MIN when out of range or NaN)."""
    fv = float(v)
    if math.isnan(fv) or not (-2147483648.0 <= fv < 2147483648.0):
        return -(1 << 31)
    return int(fv)


def _check8(op: Op, x: Tensor, y: Tensor) -> None:
    require_quant(op, x, y)
    require(x.dtype == "int8" and y.dtype == "int8", op,
            f"needs int8 (or legacy uint8) input and output, got {x.dtype}/{y.dtype}")
    require(not x.q.per_channel and not y.q.per_channel, op, "per-channel quantized activations")
    require(x.size == y.size, op, f"input shape {x.shape} differs from output shape {y.shape}")


def lut_call(op: Op, x: Tensor, y: Tensor, lut: np.ndarray, what: str) -> KernelCall:
    legacy = op.context.legacy_uint8
    return KernelCall(op=op, template="lut_s8.c.j2", header=HEADER, inputs=[x], outputs=[y],
                      params=dict(size=x.size), consts={"lut": ConstArray("int8_t", lut)},
                      inplace=[(0, 0)], macs=0,
                      note=("legacy uint8 " if legacy else "") + what + " (table)")


# ---------------------------------------------------------------------------------------------
# float kernels

def _unary_f32(op: Op, fn: str, lo: float = 0.0, hi: float = 0.0) -> KernelCall:
    x, y = op.input(0), op.outputs[0]
    require(y.dtype == "float32", op, f"float input needs a float output, got {y.dtype}")
    require(x.size == y.size, op, f"input shape {x.shape} differs from output shape {y.shape}")
    params = dict(size=x.size, lo=c_float(lo), hi=c_float(hi))
    return KernelCall(op=op, template="unary_f32.c.j2", header=HEADER, inputs=[x], outputs=[y],
                      params=dict(fn=fn, args=params), inplace=[(0, 0)], note="float")


def _one_input(op: Op) -> tuple[Tensor, Tensor]:
    require(len(op.inputs) >= 1 and op.inputs[0] is not None and len(op.outputs) == 1, op,
            "needs one input and one output")
    return op.input(0), op.outputs[0]


# ---------------------------------------------------------------------------------------------
# RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1

RELU_RANGES: dict[str, tuple[float, Optional[float]]] = {
    "RELU": (0.0, None), "RELU6": (0.0, 6.0), "RELU_N1_TO_1": (-1.0, 1.0), "RELU_0_TO_1": (0.0, 1.0),
}


def relu_params(op: Op, x: Tensor, y: Tensor, qmin: int, qmax: int, in_zp: int, out_zp: int) -> dict[str, int]:
    """ReluPrepare + QuantizedReluX<T>: the multiplier of input_scale / output_scale (float
    division) and the activation range zero_point + (int)roundf(bound / output_scale)."""
    act_lo, act_hi = RELU_RANGES[op.kind]
    out_s = f32(y.q.s)
    mult, shift = qmult(f32(x.q.s) / out_s, op)
    require(shift <= 30, op, f"input/output scale ratio {float(f32(x.q.s) / out_s):g} is too large")
    lo = max(qmin, out_zp + int(tflite_roundf(f32(act_lo) / out_s)))
    hi = qmax if act_hi is None else min(qmax, out_zp + int(tflite_roundf(f32(act_hi) / out_s)))
    return dict(input_offset=in_zp, output_offset=out_zp, output_multiplier=mult, output_shift=shift,
                act_min=lo, act_max=hi)


@register("RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1", dtypes=("int8", "uint8"), **TABLE8)
@register("RELU", "RELU6", dtypes=("int16", "float32"))
@register("RELU_N1_TO_1", "RELU_0_TO_1", dtypes=("float32",))
@_quiet
def lower_relu(op: Op, graph: Graph) -> KernelCall:
    x, y = _one_input(op)
    if x.dtype == "float32":
        lo, hi = RELU_RANGES[op.kind]
        return _unary_f32(op, "te_relu_f32", lo) if hi is None else _unary_f32(op, "te_relu_n_f32", lo, hi)
    if x.dtype == "int16":
        require(op.kind in ("RELU", "RELU6"), op, "int16 is supported for RELU and RELU6 only (as in LiteRT)")
        require_quant(op, x, y)
        require(y.dtype == "int16", op, f"int16 input needs an int16 output, got {y.dtype}")
        require(x.q.zp == 0 and y.q.zp == 0, op, "int16 RELU needs zero points 0")
        require(x.size == y.size, op, f"input shape {x.shape} differs from output shape {y.shape}")
        p = relu_params(op, x, y, INT16_MIN, INT16_MAX, 0, 0)
        return KernelCall(op=op, template="unary_params.c.j2", header=HEADER, inputs=[x], outputs=[y],
                          params=dict(fn="te_relu_s16", ptype="te_relu_params", args=dict(size=x.size, **p)),
                          inplace=[(0, 0)], note="int16")
    _check8(op, x, y)
    qmin, qmax = _range8(op)
    p = relu_params(op, x, y, qmin, qmax, _orig(op, x)[1], _orig(op, y)[1])

    def fn(v: int) -> int:
        c = p["output_offset"] + mbqm(v - p["input_offset"], p["output_multiplier"], p["output_shift"])
        return min(p["act_max"], max(p["act_min"], c))
    return lut_call(op, x, y, lut_from(op, fn), op.kind.lower())


# ---------------------------------------------------------------------------------------------
# LEAKY_RELU

def leaky_relu_params(op: Op, x: Tensor, y: Tensor, in_zp: int, out_zp: int) -> dict[str, int]:
    """LeakyReluPrepare: both ratios are float expressions (scale * alpha / scale)."""
    alpha = f32(op.options.get("alpha", 0.2))
    in_s, out_s = f32(x.q.s), f32(y.q.s)
    with np.errstate(all="ignore"):
        ma, sa = qmult(f32(f32(in_s * alpha) / out_s), op)
        mi, si = qmult(f32(in_s / out_s), op)
    require(sa <= 30 and si <= 30, op, "input/output scale ratio is too large")
    require(ma != -(1 << 31), op, "alpha multiplier out of range")
    return dict(input_offset=in_zp, output_offset=out_zp, multiplier_identity=mi, shift_identity=si,
                multiplier_alpha=ma, shift_alpha=sa)


def leaky_relu_value(p: dict[str, int], v: int, qmin: int, qmax: int) -> int:
    """reference_ops::QuantizeLeakyRelu for one value."""
    negative = p["multiplier_alpha"] < 0
    safe = -p["multiplier_alpha"] if negative else p["multiplier_alpha"]
    iv = v - p["input_offset"]
    out = p["output_offset"]
    if iv >= 0:
        out += mbqm(iv, p["multiplier_identity"], p["shift_identity"])
    else:
        scaled = mbqm(iv, safe, p["shift_alpha"])
        out += -scaled if negative else scaled
    return min(qmax, max(qmin, q.wrap_int32(out)))


@register("LEAKY_RELU", dtypes=("int8", "uint8"), **TABLE8)
@register("LEAKY_RELU", dtypes=("int16", "float32"))
@_quiet
def lower_leaky_relu(op: Op, graph: Graph) -> KernelCall:
    x, y = _one_input(op)
    alpha = float(f32(op.options.get("alpha", 0.2)))
    require(math.isfinite(alpha), op, f"alpha {alpha!r} is not finite")
    if x.dtype == "float32":
        return _unary_f32(op, "te_leaky_relu_f32", alpha)
    if x.dtype == "int16":
        require_quant(op, x, y)
        require(y.dtype == "int16", op, f"int16 input needs an int16 output, got {y.dtype}")
        require(x.q.zp == 0 and y.q.zp == 0, op, "int16 LEAKY_RELU needs zero points 0")
        require(x.size == y.size, op, f"input shape {x.shape} differs from output shape {y.shape}")
        p = leaky_relu_params(op, x, y, 0, 0)
        return KernelCall(op=op, template="unary_params.c.j2", header=HEADER, inputs=[x], outputs=[y],
                          params=dict(fn="te_leaky_relu_s16", ptype="te_leaky_relu_params",
                                      args=dict(size=x.size, **p)),
                          inplace=[(0, 0)], note="int16")
    _check8(op, x, y)
    qmin, qmax = _range8(op)
    p = leaky_relu_params(op, x, y, _orig(op, x)[1], _orig(op, y)[1])
    return lut_call(op, x, y, lut_from(op, lambda v: leaky_relu_value(p, v, qmin, qmax)), "leaky relu")


# ---------------------------------------------------------------------------------------------
# HARD_SWISH

def _srdhm16(a: int, b: int) -> int:
    """gemmlowp SaturatingRoundingDoublingHighMul<int16>."""
    if a == b == INT16_MIN:
        return INT16_MAX
    ab = a * b
    nudge = (1 << 14) if ab >= 0 else 1 - (1 << 14)
    return _wrap16(_trunc_div(ab + nudge, 1 << 15))


def _sdhm16(a: int, b: int) -> int:
    """hard_swish.h SaturatingDoublingHighMul (no rounding)."""
    if a == b == INT16_MIN:
        return INT16_MAX
    return _wrap16(_trunc_div(a * b, 1 << 15))


def _sat_shl16(v: int, amount: int) -> int:
    return max(INT16_MIN, min(INT16_MAX, v * (1 << amount)))


def _downscale_16(m: int) -> int:
    """DownScaleInt32ToInt16Multiplier."""
    if m >= (1 << 31) - 1 - (1 << 15):
        return INT16_MAX
    return (m + (1 << 15)) >> 16


def hard_swish_params(op: Op, x: Tensor, y: Tensor) -> dict[str, int]:
    """HardSwishPrepare (float arithmetic, as there)."""
    in_s, out_s = f32(x.q.s), f32(y.q.s)
    with np.errstate(all="ignore"):
        hires = f32(f32(1.0 / 128.0) * in_s)
        reluish_scale = f32(f32(3.0) / f32(32768.0))
        om, oe = qmult(f32(hires / out_s), op)
        rm, re = qmult(f32(hires / reluish_scale), op)
    require(-31 <= oe <= 0 and -31 <= re <= 31, op, f"output multiplier exponent {oe} is outside [-31, 0]: "
            "input_scale / output_scale is out of range (LiteRT's HARD_SWISH rejects exponents > 0)")
    return dict(output_mult=_downscale_16(om), output_exp=oe, reluish_mult=_downscale_16(rm), reluish_exp=re)


def hard_swish_value(p: dict[str, int], v: int, in_zp: int, out_zp: int, qmin: int, qmax: int) -> int:
    """reference_ops::HardSwish<T> (quantized) for one value, in its int16 arithmetic."""
    input_value = _wrap16(v - in_zp)
    hires = _wrap16(input_value * (1 << 7))
    preshift = _srdhm16(hires, p["output_mult"])
    reluish = hires
    if p["reluish_exp"] > 0:
        reluish = _sat_shl16(reluish, p["reluish_exp"] - 1)
    reluish = _srdhm16(reluish, p["reluish_mult"])
    if p["reluish_exp"] > 0:
        reluish = _sat_shl16(reluish, 1)
    if p["reluish_exp"] < 0:
        reluish = rdbpot(reluish, -p["reluish_exp"], bits=16)
    reluish = _wrap16((reluish + (1 << 15)) >> 1)
    pre_out = _sdhm16(reluish, preshift)
    out = rdbpot(pre_out, -p["output_exp"], bits=16)
    out = _wrap16(out + out_zp)
    return max(qmin, min(qmax, out))


@register("HARD_SWISH", dtypes=("int8", "uint8"), **TABLE8)
@register("HARD_SWISH", dtypes=("float32",))
@_quiet
def lower_hard_swish(op: Op, graph: Graph) -> KernelCall:
    x, y = _one_input(op)
    if x.dtype == "float32":
        return _unary_f32(op, "te_hard_swish_f32")
    _check8(op, x, y)
    p = hard_swish_params(op, x, y)
    in_zp, out_zp = _orig(op, x)[1], _orig(op, y)[1]
    qmin, qmax = _range8(op)
    return lut_call(op, x, y, lut_from(op, lambda v: hard_swish_value(p, v, in_zp, out_zp, qmin, qmax)),
                    "hard swish")


# ---------------------------------------------------------------------------------------------
# PRELU

@register("PRELU", dtypes=("int8", "uint8", "int16", "float32"), note="alpha broadcast; in place")
@_quiet
def lower_prelu(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) == 2 and all(t is not None for t in op.inputs) and len(op.outputs) == 1, op,
            "needs an input and an alpha tensor")
    x, alpha, y = op.input(0), op.input(1), op.outputs[0]
    out_shape = broadcast_shape(op, x.shape, alpha.shape)
    require(tuple(out_shape) == tuple(x.shape) == tuple(y.shape), op,
            f"alpha {alpha.shape} must broadcast to the input's shape {x.shape} (output {y.shape})")
    walk = broadcast_walk(x.shape, alpha.shape, out_shape)
    require(len(walk) <= MAX_DIMS, op, f"alpha broadcast needs {len(walk)} loop dimensions, at most {MAX_DIMS}")
    shape = dict(ndim=len(walk), shape=c_array([w[0] for w in walk]),
                 stride1=c_array([w[1] for w in walk]), stride2=c_array([w[2] for w in walk]))
    if x.dtype == "float32":
        require(alpha.dtype == "float32" and y.dtype == "float32", op,
                f"float PRELU needs float alpha and output, got {alpha.dtype}/{y.dtype}")
        return KernelCall(op=op, template="prelu.c.j2", header=HEADER, inputs=[x, alpha], outputs=[y],
                          params=dict(fn="te_prelu_f32", shape=shape), inplace=[(0, 0)], note="float")
    require_quant(op, x, alpha, y)
    want_alpha = "int8" if x.dtype == "int16" else x.dtype
    require(x.dtype in ("int8", "int16") and y.dtype == x.dtype and alpha.dtype == want_alpha, op,
            f"needs {x.dtype} input and output and {want_alpha} alpha, got {x.dtype}/{y.dtype}/{alpha.dtype}")
    for t in (x, alpha, y):
        require(not t.q.per_channel, op, f"tensor '{t.name}' must be per-tensor quantized")
    # PreluPrepare: both ratios are float expressions.
    in_s, a_s, out_s = f32(x.q.s), f32(alpha.q.s), f32(y.q.s)
    m1, s1 = qmult(f32(in_s / out_s), op)
    m2, s2 = qmult(f32(f32(in_s * a_s) / out_s), op)
    require(s1 <= 30 and s2 <= 30, op, "input/output scale ratio is too large")
    params = dict(input_offset=-int(x.q.zp), alpha_offset=-int(alpha.q.zp), output_offset=int(y.q.zp),
                  output_multiplier_1=m1, output_shift_1=s1, output_multiplier_2=m2, output_shift_2=s2)
    fn = "te_prelu_s16" if x.dtype == "int16" else "te_prelu_s8"
    legacy = "legacy uint8 " if op.context.legacy_uint8 else ""
    return KernelCall(op=op, template="prelu.c.j2", header=HEADER, inputs=[x, alpha], outputs=[y],
                      params=dict(fn=fn, args=params, shape=shape), inplace=[(0, 0)], macs=y.size,
                      note=legacy + x.dtype + (" broadcast" if alpha.size != x.size else ""))


# ---------------------------------------------------------------------------------------------
# Float-transform tables: TANH, GELU, EXP, LOG (8-bit: LUTPopulate<int8_t>; int16: LUTPopulate<int16_t>)

SQRT1_2 = 0.70710678118654752440  # M_SQRT1_2
SQRT_2_OVER_PI = f32(1.12837916709551257390 * 0.70710678118654752440)  # M_2_SQRTPI * M_SQRT1_2, to float


def gelu_transform(approximate: bool) -> Callable[[np.float32], np.float32]:
    """reference_ops::GeluTransform / GeluTransformApproximate, float32 step by step."""
    erfc, tanh = libm_f("erfcf"), libm_f("tanhf")
    if approximate:
        def fn(v: np.float32) -> np.float32:
            cube = f32(f32(f32(f32(0.044715) * v) * v) * v)
            return f32(f32(f32(0.5) * v) * f32(f32(1.0) + tanh(f32(SQRT_2_OVER_PI * f32(v + cube)))))
        return fn
    return lambda v: f32(f32(f32(0.5) * v) * erfc(f32(v * f32(-SQRT1_2))))


def lut_populate16(x: Tensor, y: Tensor, transform: Callable[[np.float32], np.float32]) -> np.ndarray:
    """detail::LUTPopulateInt16<float>(): 512 steps over the input range, a midpoint bias, 513 entries."""
    in_s, in_zp = f32(x.q.s), int(x.q.zp)
    out_s, out_zp = f32(y.q.s), int(y.q.zp)
    with np.errstate(all="ignore"):
        input_min = f32(in_s * f32(INT16_MIN - in_zp))
        input_max = f32(in_s * f32(INT16_MAX - in_zp))
        output_min = f32(out_s * f32(INT16_MIN - out_zp))
        output_max = f32(out_s * f32(INT16_MAX - out_zp))
        step = f32(f32(input_max - input_min) / f32(512))
        half_step = f32(step / f32(2))
        inv = f32(f32(65536) / f32(output_max - output_min))
        lut = np.zeros(513, np.int16)

        def sat(v: np.float32) -> int:
            return int(min(max(float(v), float(INT16_MIN)), float(INT16_MAX)))
        for i in range(512):
            at = f32(input_min + f32(f32(i) * step))
            val = transform(at)
            val_mid = transform(f32(at + half_step))
            val_next = transform(f32(input_min + f32(f32(i + 1) * step)))
            sample = tflite_roundf(f32(val * inv))
            interp = tflite_roundf(f32(f32(f32(val_next * inv) + tflite_roundf(f32(val * inv))) / f32(2)))
            mid = tflite_roundf(f32(val_mid * inv))
            bias = tflite_roundf(f32(f32(interp - mid) / f32(2)))
            lut[i] = sat(f32(sample - bias))
        lut[512] = sat(tflite_roundf(f32(transform(input_max) * inv)))
    return lut


def lut16_call(op: Op, x: Tensor, y: Tensor, lut: np.ndarray, what: str) -> KernelCall:
    return KernelCall(op=op, template="lut_s16.c.j2", header=HEADER, inputs=[x], outputs=[y],
                      params=dict(size=x.size), consts={"lut": ConstArray("int16_t", lut)},
                      inplace=[(0, 0)], note=f"int16 {what} (interpolated table)")


def _check16(op: Op, x: Tensor, y: Tensor, zero_points: bool = True) -> None:
    require_quant(op, x, y)
    require(y.dtype == "int16", op, f"int16 input needs an int16 output, got {y.dtype}")
    require(not x.q.per_channel and not y.q.per_channel, op, "per-channel quantized activations")
    require(x.size == y.size, op, f"input shape {x.shape} differs from output shape {y.shape}")
    if zero_points:
        require(x.q.zp == 0 and y.q.zp == 0, op, "int16 needs zero points 0")


def _checked_log2(x: float) -> tuple[bool, int]:
    """CheckedLog2(float): logf(x) * (1 / logf(2)) in float, rounded, within 1e-3."""
    logf = libm_f("logf")
    x_log2 = f32(logf(f32(x)) * f32(f32(1.0) / logf(f32(2.0))))
    rounded = tflite_roundf(x_log2)
    return bool(abs(float(f32(x_log2 - rounded))) < float(f32(1e-3))), int(rounded)


def tanh_s16_params(op: Op, x: Tensor, y: Tensor, max_pot_shift: int) -> dict[str, int]:
    """TanhPrepare / SigmoidPrepare for int16: a power-of-two input scale with a left shift of
    0 (or 1 for TANH) uses 3 << shift; any other scale gets a multiplier to 1 / (3 * 4096)."""
    _check16(op, x, y)
    pot, log2 = _checked_log2(x.q.s)
    shift = (15 - 3) + log2
    mult = 0
    if not (pot and 0 <= shift <= max_pot_shift):
        multiplier = float(f32(x.q.s)) * 4096.0 * 3.0
        shift = 0
        while multiplier <= 32767.0 / 2.0 and shift <= 30:
            shift += 1
            multiplier *= 2.0
        mult = int(multiplier)
        require(mult <= INT16_MAX * 2, op, f"input scale {x.q.s:g} is too large for the int16 table")
    out_pot, out_log2 = _checked_log2(y.q.s)
    require(out_pot and out_log2 == -15, op, f"int16 output scale must be 2^-15, got {y.q.s}")
    return dict(size=x.size, input_multiplier=mult, input_left_shift=shift)


@register("TANH", dtypes=("int8", "uint8"), **TABLE8)
@register("TANH", dtypes=("int16",))
@_quiet
def lower_tanh(op: Op, graph: Graph) -> KernelCall:
    x, y = _one_input(op)
    if x.dtype == "int16":
        p = tanh_s16_params(op, x, y, 1)
        return KernelCall(op=op, template="unary_params.c.j2", header=HEADER, inputs=[x], outputs=[y],
                          params=dict(fn="te_tanh_s16", ptype="te_tanh_params", args=p), inplace=[(0, 0)],
                          note="int16")
    _check8(op, x, y)
    return lut_call(op, x, y, lut_populate8(op, x, y, libm_f("tanhf")), "tanh")


@register("LOGISTIC", dtypes=("int16",))
@_quiet
def lower_logistic_s16(op: Op, graph: Graph) -> KernelCall:
    x, y = _one_input(op)
    require(float(f32(y.quant.s)) == 1.0 / 32768 if y.quant else False, op,
            "int16 logistic output scale must be 1/32768")
    p = tanh_s16_params(op, x, y, 0)
    return KernelCall(op=op, template="unary_params.c.j2", header=HEADER, inputs=[x], outputs=[y],
                      params=dict(fn="te_logistic_s16", ptype="te_tanh_params", args=p), inplace=[(0, 0)],
                      note="int16")


@register("GELU", dtypes=("int8", "uint8"), **TABLE8)
@register("GELU", dtypes=("int16",))
@_quiet
def lower_gelu(op: Op, graph: Graph) -> KernelCall:
    x, y = _one_input(op)
    transform = gelu_transform(bool(op.options.get("approximate", False)))
    if x.dtype == "int16":
        _check16(op, x, y, zero_points=False)
        return lut16_call(op, x, y, lut_populate16(x, y, transform), "gelu")
    _check8(op, x, y)
    return lut_call(op, x, y, lut_populate8(op, x, y, transform), "gelu")


@register("EXP", dtypes=("int8",), **TABLE8)
@register("EXP", dtypes=("int16",))
@_quiet
def lower_exp(op: Op, graph: Graph) -> KernelCall:
    x, y = _one_input(op)
    if x.dtype == "int16":
        _check16(op, x, y)
        return lut16_call(op, x, y, lut_populate16(x, y, libm_f("expf")), "exp")
    _check8(op, x, y)
    require(not op.context.legacy_uint8, op, "uint8 EXP is not supported (LiteRT has none)")
    return lut_call(op, x, y, lut_populate8(op, x, y, libm_f("expf")), "exp")


@register("ELU", dtypes=("int8",), **TABLE8)
@_quiet
def lower_elu_s8(op: Op, graph: Graph) -> KernelCall:
    """ELU has no kernel in LiteRT's reference resolver; its builtin one (activations.cc EluPrepare)
    fills LUTPopulate<int8_t> with x < 0 ? std::expm1(x) : x and looks it up. It has no int16 or
    uint8 form (EluEval refuses them)."""
    x, y = _one_input(op)
    _check8(op, x, y)
    expm1 = libm_f("expm1f")
    return lut_call(op, x, y, lut_populate8(op, x, y, lambda v: expm1(v) if v < f32(0) else v), "elu")


@register("LOG", dtypes=("int8",), **TABLE8)
@register("LOG", dtypes=("int16",))
@_quiet
def lower_log(op: Op, graph: Graph) -> KernelCall:
    """elementwise.cc LogLUTPrepare: log, and the output minimum for inputs <= 0."""
    x, y = _one_input(op)
    logf = libm_f("logf")
    if x.dtype == "int16":
        _check16(op, x, y)
        output_min = f32(f32(INT16_MIN - int(y.q.zp)) * f32(y.q.s))
        return lut16_call(op, x, y, lut_populate16(x, y, lambda v: output_min if v <= 0 else logf(v)), "log")
    _check8(op, x, y)
    require(not op.context.legacy_uint8, op, "uint8 LOG is not supported (LiteRT has none)")
    output_min8 = f32(f32(-128 - int(y.q.zp)) * f32(y.q.s))
    return lut_call(op, x, y, lut_populate8(op, x, y, lambda v: output_min8 if v <= 0 else logf(v)), "log")


# ---------------------------------------------------------------------------------------------
# ABS, NEG, SQRT, RSQRT, SQUARE, FLOOR

def _raw_call(op: Op, x: Tensor, y: Tensor, fn: str) -> KernelCall:
    """A kernel taking (size, input, output) on unquantized integers."""
    require(y.dtype == x.dtype and x.size == y.size, op, f"needs matching input and output, got {x.dtype}/{y.dtype}")
    return KernelCall(op=op, template="cast.c.j2", header=HEADER, inputs=[x], outputs=[y],
                      params=dict(fn=fn, size=x.size), inplace=[(0, 0)], note=x.dtype)


@register("ABS", dtypes=("int8",), **TABLE8)
@register("ABS", dtypes=("int16", "int32", "float32"))
@_quiet
def lower_abs(op: Op, graph: Graph) -> KernelCall:
    x, y = _one_input(op)
    if x.dtype == "float32":
        return _unary_f32(op, "te_abs_f32")
    if x.dtype == "int32":
        return _raw_call(op, x, y, "te_abs_s32")
    if x.dtype == "int16":
        require(x.quant is not None, op, "unquantized int16 ABS is not supported (quantized int16 is)")
        _check16(op, x, y)
        in_s, out_s = f32(x.q.s), f32(y.q.s)
        mult, shift = qmult(f32(in_s / out_s), op) if in_s != out_s else (1 << 30, 1)
        require(shift <= 30, op, "input/output scale ratio is too large")
        args = dict(size=x.size, input_offset=0, output_offset=0, output_multiplier=mult, output_shift=shift,
                    act_min=INT16_MIN, act_max=INT16_MAX)
        return KernelCall(op=op, template="unary_params.c.j2", header=HEADER, inputs=[x], outputs=[y],
                          params=dict(fn="te_abs_s16", ptype="te_relu_params", args=args), inplace=[(0, 0)],
                          note="int16")
    _check8(op, x, y)
    require(not op.context.legacy_uint8, op, "uint8 ABS is not supported (LiteRT has none)")
    in_s, out_s = f32(x.q.s), f32(y.q.s)
    in_zp, out_zp = int(x.q.zp), int(y.q.zp)
    rescale = in_s != out_s
    mult, shift = qmult(f32(in_s / out_s), op) if rescale else (0, 0)
    require(shift <= 30, op, "input/output scale ratio is too large")

    def fn(v: int) -> int:
        value = abs(v - in_zp)
        out = mbqm(value, mult, shift) + out_zp if rescale else value + out_zp
        return min(max(out, -128), 127)
    return lut_call(op, x, y, lut_from(op, fn), "abs")


@register("NEG", dtypes=("int8",), **TABLE8)
@register("NEG", dtypes=("int16", "int32", "int64", "float32"))
@_quiet
def lower_neg(op: Op, graph: Graph) -> KernelCall:
    """reference_ops::Negate: -x on the stored values (quantization ignored, as LiteRT does)."""
    x, y = _one_input(op)
    if x.dtype == "float32":
        return _unary_f32(op, "te_neg_f32")
    if x.dtype in ("int16", "int32", "int64"):
        return _raw_call(op, x, y, f"te_neg_s{x.dtype[3:]}")
    require(y.dtype == "int8" and x.size == y.size, op, f"int8 input needs an int8 output, got {y.dtype}")
    require(not op.context.legacy_uint8, op, "uint8 NEG is not supported (LiteRT has none)")
    return lut_call(op, x, y, lut_from(op, lambda v: ((-v + 128) & 0xFF) - 128), "neg")


@register("SQRT", dtypes=("int8",), **TABLE8)
@register("SQRT", dtypes=("int16", "float32"))
@_quiet
def lower_sqrt(op: Op, graph: Graph) -> KernelCall:
    """SqrtEvalQuantized: float sqrt of the dequantized value, truncated (not rounded) to int.
    Negative inputs make LiteRT fail the invoke; here they give the output minimum."""
    x, y = _one_input(op)
    if x.dtype == "float32":
        return _unary_f32(op, "te_sqrt_f32")
    if x.dtype == "int16":
        _check16(op, x, y)  # GenericPrepare: int16 zero points 0
        args = dict(size=x.size, input_scale=c_float(x.q.s), input_zero_point=int(x.q.zp),
                    output_scale=c_float(y.q.s), output_zero_point=int(y.q.zp))
        return KernelCall(op=op, template="unary_params.c.j2", header=HEADER, inputs=[x], outputs=[y],
                          params=dict(fn="te_sqrt_s16", ptype="te_sqrt_params", args=args), inplace=[(0, 0)],
                          note="int16")
    _check8(op, x, y)
    require(not op.context.legacy_uint8, op, "uint8 SQRT is not supported (LiteRT has none)")
    in_s, out_s = f32(x.q.s), f32(y.q.s)
    in_zp, out_zp = int(x.q.zp), int(y.q.zp)
    sqrtf = libm_f("sqrtf")

    def fn(v: int) -> int:
        with np.errstate(all="ignore"):
            out = sqrtf(f32(in_s * f32(v - in_zp)))
            quantized = q.wrap_int32(_float_to_int32(f32(out / out_s)) + out_zp)
        return min(max(quantized, -128), 127)
    return lut_call(op, x, y, lut_from(op, fn), "sqrt")


def inv_sqrt_quantized_multiplier_exp(value: int) -> tuple[int, int]:
    """GetInvSqrtQuantizedMultiplierExp(value, kReverseShift = -1) (te_activation.c has the C one)."""
    if value <= 1:
        return (1 << 31) - 1, 0
    shift = 11
    while value >= (1 << 29):
        value = _trunc_div(value, 4)
        shift += 1
    clz = 32 - value.bit_length()
    pairs = (clz - 1) // 2 - 1
    shift -= pairs
    value <<= 2 * pairs
    half_input = rdbpot(value >> 1, 1)
    x = 1 << 28

    def sat_shl(v: int, e: int) -> int:
        return max(-(1 << 31), min((1 << 31) - 1, v * (1 << e)))
    for _ in range(5):
        x3 = sat_shl(srdhm32(srdhm32(x, x), x), 6)
        x = sat_shl(q.wrap_int32(srdhm32((1 << 28) + (1 << 27), x) - srdhm32(half_input, x3)), 3)
    x = srdhm32(x, 1518500250)
    if shift < 0:
        x = q.wrap_int32(x << -shift)
        shift = 0
    return x, -shift


@register("RSQRT", dtypes=("int8",), **TABLE8)
@register("RSQRT", dtypes=("int16", "float32"))
@_quiet
def lower_rsqrt(op: Op, graph: Graph) -> KernelCall:
    """elementwise.cc: float 1 / sqrtf; int8 through GetInvSqrtQuantizedMultiplierExp per value;
    int16 a LUTPopulate<int16_t> table. Inputs below the zero point make LiteRT fail the invoke."""
    x, y = _one_input(op)
    if x.dtype == "float32":
        return _unary_f32(op, "te_rsqrt_f32")
    sqrtf = libm_f("sqrtf")
    if x.dtype == "int16":
        _check16(op, x, y)
        big = f32(f32(INT16_MAX) * f32(y.q.s))
        return lut16_call(op, x, y, lut_populate16(x, y, lambda v: big if v <= 0 else f32(f32(1.0) / sqrtf(v))),
                          "rsqrt")
    _check8(op, x, y)
    require(not op.context.legacy_uint8, op, "uint8 RSQRT is not supported (LiteRT has none)")
    in_off, out_off = int(x.q.zp), int(y.q.zp)
    mult, shift = qmult(1.0 / float(f32(sqrtf(f32(x.q.s)) * f32(y.q.s))), op)
    k_shift = 20

    def fn(v: int) -> int:
        value = v - in_off
        if value <= 0:  # 0: the maximum; < 0: LiteRT refuses the input at run time
            return 127
        m, s = inv_sqrt_quantized_multiplier_exp(value)
        data = mbqm(1, m, s + k_shift)
        return min(max(mbqm(data, mult, shift - k_shift) + out_off, -128), 127)
    return lut_call(op, x, y, lut_from(op, fn), "rsqrt")


@register("L2_NORMALIZATION", dtypes=("int8", "uint8", "float32"))
@_quiet
def lower_l2_normalization(op: Op, graph: Graph) -> KernelCall:
    x, y = _one_input(op)
    require(len(x.shape) >= 1 and tuple(x.shape) == tuple(y.shape), op,
            f"input shape {x.shape} must equal the output shape {y.shape}")
    require(str(op.options.get("fused_activation_function", "NONE")) == "NONE", op,
            "a fused activation is not supported (LiteRT refuses it)")
    depth = int(x.shape[-1])
    params = dict(outer=x.size // max(depth, 1), depth=depth, input_zero_point=0, legacy_uint8=0)
    if x.dtype == "float32":
        require(y.dtype == "float32", op, f"float input needs a float output, got {y.dtype}")
        fn = "te_l2_normalization_f32"
    else:
        _check8(op, x, y)
        legacy = op.context.legacy_uint8
        _, out_zp = _orig(op, y)
        require(float(f32(y.q.s)) == 1.0 / 128 and out_zp == (128 if legacy else 0), op,
                f"output must have scale 1/128 and zero point {128 if legacy else 0}")
        params.update(input_zero_point=int(x.q.zp), legacy_uint8=int(legacy))
        fn = "te_l2_normalization_s8"
    return KernelCall(op=op, template="unary_params.c.j2", header=HEADER, inputs=[x], outputs=[y],
                      params=dict(fn=fn, ptype="te_l2norm_params", args=params), inplace=[(0, 0)],
                      note=x.dtype)


@register("SQUARE", dtypes=("float32",))
@_quiet
def lower_square(op: Op, graph: Graph) -> KernelCall:
    return _unary_f32(op, "te_square_f32")


@register("FLOOR", dtypes=("float32",))
@_quiet
def lower_floor(op: Op, graph: Graph) -> KernelCall:
    return _unary_f32(op, "te_floor_f32")


@register("CEIL", dtypes=("float32",), note="checked against LiteRT's builtin kernel (not in BUILTIN_REF)")
@_quiet
def lower_ceil(op: Op, graph: Graph) -> KernelCall:
    return _unary_f32(op, "te_ceil_f32")


@register("ROUND", dtypes=("float32",), note="half to even; checked against LiteRT's builtin kernel (not in BUILTIN_REF)")
@_quiet
def lower_round(op: Op, graph: Graph) -> KernelCall:
    return _unary_f32(op, "te_round_f32")


# ---------------------------------------------------------------------------------------------
# CAST

CAST_CODES = {"int8": "s8", "uint8": "u8", "int16": "s16", "int32": "s32", "int64": "s64", "float32": "f32",
              "bool": "b"}


def _cast_code(op: Op, t: Tensor, legacy_positions: list[int], pos: int) -> str:
    if pos in legacy_positions:
        return "u8f"  # a uint8 tensor moved to int8 storage (value - 128)
    require(t.dtype in CAST_CODES, op, f"CAST of {t.dtype} tensors is not supported")
    return CAST_CODES[t.dtype]


@register("CAST", dtypes=("int8", "uint8", "int16", "int32", "int64", "float32", "bool"))
@_quiet
def lower_cast(op: Op, graph: Graph) -> KernelCall:
    """cast.cc: a value conversion (quantization parameters are ignored, as LiteRT does)."""
    x, y = _one_input(op)
    require(x.size == y.size, op, f"input shape {x.shape} differs from output shape {y.shape}")
    src = _cast_code(op, x, op.context.uint8_inputs, 0)
    dst = _cast_code(op, y, op.context.uint8_outputs, 0)
    same_size = x.nbytes == y.nbytes
    return KernelCall(op=op, template="cast.c.j2", header=HEADER, inputs=[x], outputs=[y],
                      params=dict(fn=f"te_cast_{src}_{dst}", size=x.size), inplace=[(0, 0)] if same_size else [],
                      note=f"{src}->{dst}")
