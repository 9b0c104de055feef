"""SOFTMAX, LOG_SOFTMAX and LOGISTIC lowerings.

The parameters are computed as LiteRT's reference Prepare functions compute them
(activations.cc, SoftmaxPrepare / LogSoftmaxPrepare / SigmoidPrepare with
kernel_type == kReference); the names below follow quantization_util.cc.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import math
from functools import lru_cache
from typing import Callable

import numpy as np

from .. import quant as q
from ..ir import Graph, Op, Tensor
from .base import ConstArray, KernelCall, register, require, require_quant
from .quantize import c_float

SCALED_DIFF_INTEGER_BITS = 5  # Q5.26 input to exp_on_negative_values
MAX_DEPTH = 4095  # the Q12.19 sum of exps overflows int32 from 4096 terms on


def _outer_depth(op: Op, x: Tensor, y: Tensor) -> tuple[int, int]:
    require(len(x.shape) >= 1, op, "input must have at least one dimension")
    require(tuple(x.shape) == tuple(y.shape), op, f"input shape {x.shape} differs from output shape {y.shape}")
    depth = int(x.shape[-1])
    require(depth >= 1, op, "empty last dimension")
    return x.size // depth, depth


def preprocess_softmax_scaling(beta: float, input_scale: float, integer_bits: int) -> tuple[int, int]:
    """PreprocessSoftmaxScaling() (double-rounding build): (multiplier, left shift)."""
    real = min(beta * input_scale * float(1 << (31 - integer_bits)), float((1 << 31) - 1))
    mult, shift = q.quantize_multiplier(real)
    return mult, shift


def calculate_input_radius(integer_bits: int, left_shift: int, total_signed_bits: int = 31) -> int:
    """CalculateInputRadius(): floor of the largest rescaled input difference."""
    return int(math.floor(1.0 * ((1 << integer_bits) - 1) * float(1 << (total_signed_bits - integer_bits))
                          / float(1 << left_shift)))


def _softmax_scaling(op: Op, beta: float, input_scale: float) -> tuple[int, int, int]:
    real = beta * input_scale * float(1 << (31 - SCALED_DIFF_INTEGER_BITS))
    # QuantizeMultiplierGreaterThanOne() TFLITE_CHECKs this: LiteRT aborts on such a model.
    require(min(real, float((1 << 31) - 1)) > 1.0, op,
            f"beta * input_scale = {beta * input_scale:g} is too small for the reference's fixed-point "
            "softmax (needs beta * input_scale * 2^26 > 1)")
    mult, shift = preprocess_softmax_scaling(beta, input_scale, SCALED_DIFF_INTEGER_BITS)
    require(0 <= shift <= 31, op, f"unexpected softmax input shift {shift}")
    diff_min = int(-1.0 * calculate_input_radius(SCALED_DIFF_INTEGER_BITS, shift))
    return mult, shift, diff_min


@register("SOFTMAX", dtypes=("float32",))
def lower_softmax_f32(op: Op, graph: Graph) -> KernelCall:
    """reference_ops::Softmax<float>: te_expf((x - max) * beta), a float sum, a division."""
    x, y = op.input(0), op.outputs[0]
    outer, depth = _outer_depth(op, x, y)
    beta = float(np.float32(op.options.get("beta", 1.0)))
    require(y.dtype == "float32", op, f"float input needs a float output, got {y.dtype}")
    return KernelCall(op=op, template="softmax_f32.c.j2", header="tinyengine/te_softmax.h",
                      inputs=[x], outputs=[y], params=dict(outer=outer, depth=depth, beta=c_float(beta)),
                      inplace=[(0, 0)], note="float")


@register("SOFTMAX", dtypes=("int8", "uint8"), note="int8 -> int8 or int16")
def lower_softmax(op: Op, graph: Graph) -> KernelCall:
    x, y = op.input(0), op.outputs[0]
    outer, depth = _outer_depth(op, x, y)
    beta = float(np.float32(op.options.get("beta", 1.0)))
    require_quant(op, x, y)
    require(x.dtype == "int8", op, f"needs an int8 (or legacy uint8) input, got {x.dtype}")
    require(y.dtype in ("int8", "int16"), op, f"needs an int8 or int16 output, got {y.dtype}")
    require(not x.q.per_channel and not y.q.per_channel, op, "per-channel quantized activations")
    legacy = op.context.legacy_uint8
    if y.dtype == "int8" and not legacy:
        # SoftmaxPrepare's checks for int8 -> int8 (the kernel itself ignores the output quantization).
        require(y.q.zp == -128, op, f"int8 softmax output zero point must be -128, got {y.q.zp}")
        require(abs(float(np.float32(y.q.s)) - 1.0 / 256) <= 0.001 / 256, op,
                f"int8 softmax output scale must be 1/256, got {y.q.s}")
    require(depth <= MAX_DEPTH, op, f"softmax axis of {depth} elements: the reference's Q12 sum overflows "
            f"beyond {MAX_DEPTH}")
    mult, shift, diff_min = _softmax_scaling(op, beta, float(np.float32(x.q.s)))
    params = dict(outer=outer, depth=depth, input_multiplier=mult, input_left_shift=shift, diff_min=diff_min)
    return KernelCall(op=op, template="softmax.c.j2", header="tinyengine/te_softmax.h",
                      inputs=[x], outputs=[y], params=params,
                      inplace=[(0, 0)] if y.dtype == "int8" else [],
                      note=("legacy uint8 " if legacy else "") + f"int8->{y.dtype}")


def preprocess_log_softmax_scaling_exp(beta: float, input_scale: float, integer_bits: int
                                       ) -> tuple[int, int, int, int]:
    """PreprocessLogSoftmaxScalingExp(): (multiplier, left shift, reverse multiplier, reverse shift <= 0)."""
    mult, shift = preprocess_softmax_scaling(beta, input_scale, integer_bits)
    real_reverse = float(1 << (31 - shift)) / float(mult)
    rmult, rshift = q.quantize_multiplier(real_reverse)
    return mult, shift, rmult, rshift


@register("LOG_SOFTMAX", dtypes=("float32",))
def lower_log_softmax_f32(op: Op, graph: Graph) -> KernelCall:
    """reference_ops::LogSoftmax<float>: x - max - te_logf(sum of te_expf(x - max))."""
    x, y = op.input(0), op.outputs[0]
    outer, depth = _outer_depth(op, x, y)
    require(y.dtype == "float32", op, f"float input needs a float output, got {y.dtype}")
    return KernelCall(op=op, template="log_softmax_f32.c.j2", header="tinyengine/te_softmax.h",
                      inputs=[x], outputs=[y], params=dict(outer=outer, depth=depth),
                      inplace=[(0, 0)], note="float")


@register("LOG_SOFTMAX", dtypes=("int8",))
def lower_log_softmax(op: Op, graph: Graph) -> KernelCall:
    x, y = op.input(0), op.outputs[0]
    outer, depth = _outer_depth(op, x, y)
    require_quant(op, x, y)
    require(not op.context.legacy_uint8, op, "uint8 LOG_SOFTMAX is not supported (int8 and float are)")
    require(x.dtype == "int8" and y.dtype == "int8", op, f"needs int8 input and output, got {x.dtype}/{y.dtype}")
    require(float(np.float32(y.q.s)) == 16.0 / 256 and y.q.zp == 127, op,
            f"int8 log-softmax output must have scale 16/256 and zero point 127, got {y.q.s}, {y.q.zp}")
    require(depth <= MAX_DEPTH, op, f"log-softmax axis of {depth} elements: the reference's Q12 sum overflows")
    input_scale = float(np.float32(x.q.s))
    real = input_scale * float(1 << (31 - SCALED_DIFF_INTEGER_BITS))
    require(min(real, float((1 << 31) - 1)) > 1.0, op, f"input scale {input_scale:g} too small for the "
            "reference's fixed-point log-softmax")
    mult, shift, rmult, rshift = preprocess_log_softmax_scaling_exp(1.0, input_scale, SCALED_DIFF_INTEGER_BITS)
    real_reverse = float(1 << (31 - shift)) / float(mult)
    # QuantizeMultiplierSmallerThanOneExp() TFLITE_CHECKs these.
    require(0.0 < real_reverse < 1.0 and rshift <= 0, op, "unsupported log-softmax input scale")
    diff_min = -calculate_input_radius(SCALED_DIFF_INTEGER_BITS, shift)
    params = dict(outer=outer, depth=depth, input_multiplier=mult, input_left_shift=shift,
                  reverse_multiplier=rmult, reverse_shift=-rshift, diff_min=diff_min)
    return KernelCall(op=op, template="log_softmax.c.j2", header="tinyengine/te_softmax.h",
                      inputs=[x], outputs=[y], params=params, inplace=[(0, 0)], note="int8")


@lru_cache(maxsize=1)
def _float_exp() -> Callable[[np.float32], np.float32]:
    """The C library's expf, which the reference's std::exp(float) calls.

    The logistic table is built at generation time exactly as LiteRT's Prepare builds it; its
    bytes depend on expf's last bit only where a value lands on a rounding boundary. Falls back
    to numpy's float32 exp where no C math library can be loaded.
    """
    name = ctypes.util.find_library("m")
    try:
        lib = ctypes.CDLL(name) if name else ctypes.CDLL(None)
        fn = lib.expf
    except (OSError, AttributeError):
        return lambda v: np.exp(np.float32(v), dtype=np.float32)
    fn.restype = ctypes.c_float
    fn.argtypes = [ctypes.c_float]
    return lambda v: np.float32(fn(float(v)))


def logistic_lut_int8(input_scale: float, input_zp: int, output_scale: float, output_zp: int) -> np.ndarray:
    """LUTPopulate<int8_t>() with 1 / (1 + exp(-x)) in float32, ordered by the input byte as uint8."""
    expf = _float_exp()
    f32 = np.float32
    in_s, out_s = f32(input_scale), f32(output_scale)
    inverse_scale = f32(1) / out_s
    lut = np.zeros(256, np.int8)
    with np.errstate(over="ignore", under="ignore"):
        for val in range(-128, 128):
            dequantized = f32(in_s * f32(val - input_zp))
            transformed = f32(f32(1.0) / f32(f32(1.0) + expf(-dequantized)))
            rescaled = f32(q.tflite_round(float(f32(transformed * inverse_scale))))
            quantized = int(f32(rescaled + f32(output_zp)))
            lut[val & 0xFF] = max(-128, min(127, quantized))
    return lut


@register("LOGISTIC", dtypes=("float32",))
def lower_logistic_f32(op: Op, graph: Graph) -> KernelCall:
    """reference_ops::Logistic<float>: 1 above 16.619047f, te_expf(x) below -9, else 1 / (1 + te_expf(-x))."""
    x, y = op.input(0), op.outputs[0]
    require(x.size == y.size, op, "input and output sizes differ")
    require(y.dtype == "float32", op, f"float input needs a float output, got {y.dtype}")
    return KernelCall(op=op, template="logistic_f32.c.j2", header="tinyengine/te_softmax.h",
                      inputs=[x], outputs=[y], params=dict(size=x.size), inplace=[(0, 0)], note="float")


@register("LOGISTIC", dtypes=("int8", "uint8"))
def lower_logistic(op: Op, graph: Graph) -> KernelCall:
    x, y = op.input(0), op.outputs[0]
    require(x.size == y.size, op, "input and output sizes differ")
    require_quant(op, x, y)
    require(x.dtype == "int8" and y.dtype == "int8", op,
            f"needs int8 (or legacy uint8) input and output, got {x.dtype}/{y.dtype}")
    require(not x.q.per_channel and not y.q.per_channel, op, "per-channel quantized activations")
    require(float(np.float32(y.q.s)) == 1.0 / 256, op, f"8-bit logistic output scale must be 1/256, got {y.q.s}")
    # A legacy uint8 table equals the int8 table of the shifted zero points: the float input value
    # of each byte and the clamped output value are the same, only stored 128 lower.
    lut = logistic_lut_int8(x.q.s, x.q.zp, y.q.s, y.q.zp)
    return KernelCall(op=op, template="logistic.c.j2", header="tinyengine/te_softmax.h",
                      inputs=[x], outputs=[y], params=dict(size=x.size),
                      consts={"lut": ConstArray("int8_t", lut)}, inplace=[(0, 0)],
                      note=("legacy uint8 " if op.context.legacy_uint8 else "") + "int8 table")
