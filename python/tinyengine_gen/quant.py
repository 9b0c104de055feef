"""Integer requantization parameters, computed exactly as TFLite computes them.

Bit-exactness starts here: the multiplier and shift must come out of the same
double arithmetic TFLite's kernels use, so every helper below names the TFLite
function it mirrors and keeps its order of float operations.
"""
from __future__ import annotations

import math
from typing import overload

import numpy as np

from .errors import TinyEngineError

ACT_NONE, ACT_RELU, ACT_RELU_N1_TO_1, ACT_RELU6 = "NONE", "RELU", "RELU_N1_TO_1", "RELU6"
DTYPE_RANGE = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767), "int32": (-(2**31), 2**31 - 1)}


@overload
def wrap_int32(v: int | np.integer) -> int: ...
@overload
def wrap_int32(v: np.ndarray) -> np.ndarray: ...
def wrap_int32(v: int | np.integer | np.ndarray) -> int | np.ndarray:
    """Integers wrapped to int32 two's complement, as the kernels' int32 sums wrap: a scalar comes
    back as a Python int (any size in), an array as int64 values in the int32 range."""
    if isinstance(v, (int, np.integer)):
        return ((int(v) + 2**31) & 0xFFFFFFFF) - 2**31
    return (np.asarray(v, np.int64) + 2**31) % 2**32 - 2**31


def tflite_round(x: float) -> float:
    """std::round: halves away from zero (Python's round() is banker's)."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


class QuantizationError(TinyEngineError):
    """A model's scales combine into a rescale factor no integer kernel can apply (inf, NaN)."""


def quantize_multiplier(real: float) -> tuple[int, int]:
    """QuantizeMultiplier(): real ~= multiplier * 2^(shift - 31), multiplier in [2^30, 2^31)."""
    if not math.isfinite(real):
        raise QuantizationError(f"the model's scales give the rescale factor {real!r}, which is not finite")
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = int(tflite_round(q * float(1 << 31)))
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift > 31:  # a left shift the int32 kernels (and the reference) cannot apply
        raise QuantizationError(f"the model's scales give the rescale factor {real!r}, too large for "
                                "integer requantization")
    if shift < -31:
        shift, q_fixed = 0, 0
    return q_fixed, shift


def quantize_value(scale: float, zero_point: int, value: float) -> int:
    """kernel_util.cc Quantize(): float32 division and rounding."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        quotient = float(np.float32(value) / np.float32(scale))
    if not math.isfinite(quotient) or abs(quotient) >= 2.0**31:
        raise QuantizationError(f"{value!r} / scale {scale!r} does not fit the integer range (the model's "
                                "scale is too small for its activation range)")
    tmp = tflite_round(quotient)
    return zero_point + int(tmp)


# te_requant_fast (te_common.h, where the proof is): the right shifts e = -shift it takes when the
# kernel folds the output offset into its constant.
FAST_REQUANT_FOLDED_E = (2, 23)


def fast_requant_hi(e: np.ndarray, zero_point: int) -> np.ndarray:
    """te_requant_fast_hi: the constant 2^(e-2) + zero_point * 2^(e-1) of each right shift e."""
    e = np.asarray(e, dtype=np.int64)
    return (np.int64(1) << (e - 2)) + np.int64(zero_point) * (np.int64(1) << (e - 1))


def activation_range(activation: str, dtype: str, scale: float, zero_point: int) -> tuple[int, int]:
    """CalculateActivationRangeQuantized() for a fused activation on an output tensor."""
    qmin, qmax = DTYPE_RANGE[dtype]
    if activation == ACT_RELU:
        return max(qmin, quantize_value(scale, zero_point, 0.0)), qmax
    if activation == ACT_RELU6:
        return (max(qmin, quantize_value(scale, zero_point, 0.0)),
                min(qmax, quantize_value(scale, zero_point, 6.0)))
    if activation == ACT_RELU_N1_TO_1:
        return (max(qmin, quantize_value(scale, zero_point, -1.0)),
                min(qmax, quantize_value(scale, zero_point, 1.0)))
    return qmin, qmax


def conv_per_channel_multipliers(input_scale: float, filter_scales: np.ndarray, output_scale: float,
                                 channels: int) -> tuple[np.ndarray, np.ndarray]:
    """PopulateConvolutionQuantizationParams(): one (multiplier, shift) per output channel.

    The effective scale is input * filter / output in double, each factor widened from float32.
    A per-tensor filter scale is broadcast to every channel.
    """
    mults = np.zeros(channels, np.int32)
    shifts = np.zeros(channels, np.int32)
    for c in range(channels):
        fs = float(filter_scales[c] if filter_scales.size > 1 else filter_scales[0])
        eff = float(np.float32(input_scale)) * fs / float(np.float32(output_scale))
        mults[c], shifts[c] = quantize_multiplier(eff)
    return mults, shifts


def legacy_conv_multiplier(input_scale: float, filter_scale: float, output_scale: float) -> tuple[int, int]:
    """GetQuantizedConvolutionMultipler() of the uint8 path: the scale product is taken in float32."""
    product = float(np.float32(input_scale) * np.float32(filter_scale))
    return quantize_multiplier(product / float(np.float32(output_scale)))


def fp64_scale_parts(scale: float) -> tuple[int, int]:
    """Split a positive double into (mantissa, exponent): scale == mantissa * 2^-exponent.

    The mantissa has exactly 53 significant bits, so the C side can replay the
    reference's `round((double)acc * scale)` with integer arithmetic.
    """
    if scale <= 0.0 or not math.isfinite(scale):
        raise QuantizationError(f"the model's scales give the rescale factor {scale!r}; it must be finite and positive")
    m, e = math.frexp(scale)  # scale = m * 2^e, 0.5 <= m < 1
    mantissa = int(m * (1 << 53))
    return mantissa, 53 - e
