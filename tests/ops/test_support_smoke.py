"""Smoke tests for tests/support: built models load and run in the LiteRT oracle, real models run,
random inputs have the promised dtypes, shapes and ranges."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest
import tflite
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from tflite.BuiltinOperator import BuiltinOperator

from tests.support import shared_models_dir
from tests.support.oracle import load_model_bytes, model_io, random_inputs, run_reference
from tests.support.tflite_build import (
    NOT_IN_REFERENCE_RESOLVER,
    SUPPORTED_OPS,
    OpSpec,
    TensorSpec,
    build_model,
    build_single_op_model,
)

Shape = tuple[int, ...]
Case = Callable[[], tuple[bytes, list[Shape]]]
CASES: dict[str, Case] = {}
_OP_NAMES = {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}
_WEIGHTS = np.random.default_rng(1234)


def case(fn: Case) -> Case:
    """Register a representative model builder under its function name."""
    CASES[fn.__name__] = fn
    return fn


def q8(shape: Shape, scale: float = 0.05, zero_point: int = 0, **kw) -> TensorSpec:
    return TensorSpec(shape, "int8", scale, zero_point, **kw)


def f32(shape: Shape) -> TensorSpec:
    return TensorSpec(shape, "float32")


def const(shape: Shape, dtype: str, values, **kw) -> TensorSpec:
    return TensorSpec(shape, dtype, data=np.asarray(values).reshape(shape), **kw)


def weights(shape: Shape, scales: list[float], axis: int) -> TensorSpec:
    data = _WEIGHTS.integers(-127, 128, size=shape)
    return const(shape, "int8", data, scale=scales, zero_point=0, quantized_dimension=axis)


def bias(n: int, input_scale: float, weight_scales: list[float]) -> TensorSpec:
    scales = [input_scale * s for s in weight_scales]
    return const((n,), "int32", _WEIGHTS.integers(-2000, 2000, size=n), scale=scales, zero_point=0)


def op_names(model: bytes) -> set[str]:
    m = tflite.Model.GetRootAs(model, 0)
    codes = (m.OperatorCodes(i) for i in range(m.OperatorCodesLength()))
    return {_OP_NAMES[max(c.BuiltinCode(), c.DeprecatedBuiltinCode())] for c in codes}


# --- one representative model per op (plus float edges and option variants) -------------------

@case
def conv_2d_same_stride2_relu6() -> tuple[bytes, list[Shape]]:
    ws = [0.01, 0.02, 0.015, 0.03]
    model = build_single_op_model(
        "CONV_2D",
        [q8((1, 8, 8, 3), 0.05, -2), weights((4, 3, 3, 3), ws, 0), bias(4, 0.05, ws)],
        [q8((1, 4, 4, 4), 0.1, -128)],
        {"padding": "SAME", "stride_w": 2, "stride_h": 2, "fused_activation_function": "RELU6"},
    )
    return model, [(1, 4, 4, 4)]


@case
def conv_2d_valid_dilated() -> tuple[bytes, list[Shape]]:
    ws = [0.02, 0.01]
    model = build_single_op_model(
        "CONV_2D",
        [q8((1, 9, 7, 3), 0.05, 3), weights((2, 3, 3, 3), ws, 0), bias(2, 0.05, ws)],
        [q8((1, 5, 3, 2), 0.2, 5)],
        {"padding": "VALID", "dilation_w_factor": 2, "dilation_h_factor": 2},
    )
    return model, [(1, 5, 3, 2)]


@case
def depthwise_conv_2d_multiplier2() -> tuple[bytes, list[Shape]]:
    ws = [0.01 * (i + 1) for i in range(8)]
    model = build_single_op_model(
        "DEPTHWISE_CONV_2D",
        [q8((1, 6, 6, 4), 0.05, -1), weights((1, 3, 3, 8), ws, 3), bias(8, 0.05, ws)],
        [q8((1, 6, 6, 8), 0.1, 2)],
        {"padding": "SAME", "fused_activation_function": "RELU"},
    )
    return model, [(1, 6, 6, 8)]


@case
def fully_connected() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "FULLY_CONNECTED",
        [q8((1, 16), 0.05, 4), weights((8, 16), [0.01], 0), bias(8, 0.05, [0.01] * 8)],
        [q8((1, 8), 0.1, -3)],
    )
    return model, [(1, 8)]


@case
def fully_connected_keep_num_dims_no_bias() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "FULLY_CONNECTED",
        [q8((2, 3, 16), 0.05, 4), weights((8, 16), [0.01], 0), None],
        [q8((2, 3, 8), 0.1, -3)],
        {"keep_num_dims": True},
    )
    return model, [(2, 3, 8)]


@case
def add_relu() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "ADD", [q8((1, 4, 4, 3), 0.1, -3), q8((1, 4, 4, 3), 0.05, 2)],
        [q8((1, 4, 4, 3), 0.12, -128)], {"fused_activation_function": "RELU"},
    )
    return model, [(1, 4, 4, 3)]


@case
def sub_mul_maximum_minimum() -> tuple[bytes, list[Shape]]:
    s = (1, 3, 5)
    tensors = [q8(s, 0.1, 1), q8(s, 0.07, -2), q8(s, 0.2), q8(s, 0.05), q8(s, 0.1, 1),
               q8(s, 0.1, 1)]
    ops = [
        OpSpec("SUB", [0, 1], [2], {"fused_activation_function": "NONE"}),
        OpSpec("MUL", [0, 1], [3]),
        OpSpec("MAXIMUM", [0, 0], [4]),
        OpSpec("MINIMUM", [0, 0], [5]),
    ]
    return build_model(tensors, ops, [0, 1], [2, 3, 4, 5]), [s] * 4


@case
def relu_relu6_hard_swish() -> tuple[bytes, list[Shape]]:
    s = (1, 4, 6)
    tensors = [q8(s, 0.1, 3), q8(s, 0.05, -128), q8(s, 0.03, -128), q8(s, 0.05, -30)]
    ops = [OpSpec("RELU", [0], [1]), OpSpec("RELU6", [0], [2]), OpSpec("HARD_SWISH", [0], [3])]
    return build_model(tensors, ops, [0], [1, 2, 3]), [s] * 3


@case
def activations_int8() -> tuple[bytes, list[Shape]]:
    s = (1, 4, 6)
    kinds = [("LEAKY_RELU", {"alpha": 0.2}), ("RELU_N1_TO_1", None), ("RELU_0_TO_1", None),
             ("GELU", {"approximate": False}), ("EXP", None), ("LOG", None), ("ABS", None), ("NEG", None),
             ("L2_NORMALIZATION", None)]
    tensors = [q8(s, 0.05, 3)] + [q8(s, 1 / 128 if k == "L2_NORMALIZATION" else 0.04, 0) for k, _ in kinds]
    ops = [OpSpec(k, [0], [1 + i], o) for i, (k, o) in enumerate(kinds)]
    alpha = q8((6,), 0.01, -3, data=_WEIGHTS.integers(-128, 128, 6))
    tensors += [alpha, q8(s, 0.04, -5)]
    ops.append(OpSpec("PRELU", [0, len(tensors) - 2], [len(tensors) - 1]))
    outputs = list(range(1, 1 + len(kinds))) + [len(tensors) - 1]
    return build_model(tensors, ops, [0], outputs), [s] * len(outputs)


@case
def float_unary_and_cast() -> tuple[bytes, list[Shape]]:
    s = (1, 5)
    kinds = ["SQRT", "RSQRT", "SQUARE", "FLOOR"]
    tensors = [TensorSpec(s, "float32") for _ in range(1 + len(kinds))] + [TensorSpec(s, "int32")]
    ops = [OpSpec(k, [0], [1 + i]) for i, k in enumerate(kinds)] + [OpSpec("CAST", [0], [1 + len(kinds)])]
    return build_model(tensors, ops, [0], list(range(1, 2 + len(kinds)))), [s] * (1 + len(kinds))


@case
def sin() -> tuple[bytes, list[Shape]]:
    s = (1, 5)
    model = build_single_op_model("SIN", [TensorSpec(s, "float32")], [TensorSpec(s, "float32")])
    return model, [s]


@case
def cos_exp_log_gelu_float() -> tuple[bytes, list[Shape]]:
    s = (2, 6)
    tensors = [f32(s), f32(s), f32(s), f32(s), f32(s)]
    ops = [OpSpec("COS", [0], [1]), OpSpec("EXP", [0], [2]), OpSpec("LOG", [2], [3]),
           OpSpec("GELU", [0], [4], {"approximate": True})]
    return build_model(tensors, ops, [0], [1, 3, 4]), [s] * 3


@case
def l2_pool_2d_float() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "L2_POOL_2D", [f32((1, 6, 6, 3))], [f32((1, 3, 3, 3))],
        {"padding": "VALID", "stride_w": 2, "stride_h": 2, "filter_width": 2, "filter_height": 2},
    )
    return model, [(1, 3, 3, 3)]


@case
def average_pool_2d() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "AVERAGE_POOL_2D", [q8((1, 8, 8, 4), 0.05, 1)], [q8((1, 4, 4, 4), 0.05, 1)],
        {"padding": "VALID", "stride_w": 2, "stride_h": 2, "filter_width": 2, "filter_height": 2},
    )
    return model, [(1, 4, 4, 4)]


@case
def max_pool_2d_same() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "MAX_POOL_2D", [q8((1, 7, 8, 4), 0.05, 1)], [q8((1, 4, 4, 4), 0.05, 1)],
        {"padding": "SAME", "stride_w": 2, "stride_h": 2, "filter_width": 3, "filter_height": 3},
    )
    return model, [(1, 4, 4, 4)]


@case
def mean_keep_dims() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "MEAN", [q8((1, 3, 5, 8), 0.05, 1), const((2,), "int32", [1, 2])],
        [q8((1, 1, 1, 8), 0.02, -5)], {"keep_dims": True},
    )
    return model, [(1, 1, 1, 8)]


@case
def pad() -> tuple[bytes, list[Shape]]:
    paddings = const((4, 2), "int32", [[0, 0], [1, 1], [2, 0], [0, 0]])
    model = build_single_op_model(
        "PAD", [q8((1, 4, 4, 3), 0.05, -7), paddings], [q8((1, 6, 6, 3), 0.05, -7)]
    )
    return model, [(1, 6, 6, 3)]


@case
def padv2() -> tuple[bytes, list[Shape]]:
    paddings = const((4, 2), "int32", [[0, 0], [0, 1], [0, 1], [0, 0]])
    value = const((), "int8", -128, scale=0.05, zero_point=-7)
    model = build_single_op_model(
        "PADV2", [q8((1, 4, 4, 3), 0.05, -7), paddings, value], [q8((1, 5, 5, 3), 0.05, -7)]
    )
    return model, [(1, 5, 5, 3)]


@case
def softmax() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "SOFTMAX", [q8((1, 10), 0.1, 3)], [q8((1, 10), 1 / 256, -128)], {"beta": 1.0}
    )
    return model, [(1, 10)]


@case
def quantize_dequantize_float_edges() -> tuple[bytes, list[Shape]]:
    tensors = [f32((1, 10)), q8((1, 10), 0.02, 5), f32((1, 10))]
    ops = [OpSpec("QUANTIZE", [0], [1]), OpSpec("DEQUANTIZE", [1], [2])]
    return build_model(tensors, ops, [0], [2]), [(1, 10)]


@case
def quantize_requantize_int8_and_uint8() -> tuple[bytes, list[Shape]]:
    tensors = [q8((1, 10), 0.02, 5), q8((1, 10), 0.03, -1), TensorSpec((1, 10), "uint8", 0.02, 133)]
    ops = [OpSpec("QUANTIZE", [0], [1]), OpSpec("QUANTIZE", [0], [2])]
    return build_model(tensors, ops, [0], [1, 2]), [(1, 10), (1, 10)]


@case
def concatenation() -> tuple[bytes, list[Shape]]:
    # LiteRT's int8 kernel refuses inputs whose scale / zero point differ from the output's.
    model = build_single_op_model(
        "CONCATENATION", [q8((1, 4, 4, 3), 0.1, -4), q8((1, 4, 4, 5), 0.1, -4)],
        [q8((1, 4, 4, 8), 0.1, -4)], {"axis": 3, "fused_activation_function": "NONE"},
    )
    return model, [(1, 4, 4, 8)]


@case
def resize_nearest_neighbor_non_square() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "RESIZE_NEAREST_NEIGHBOR", [q8((1, 3, 5, 4), 0.05, 2), const((2,), "int32", [6, 10])],
        [q8((1, 6, 10, 4), 0.05, 2)],
    )
    return model, [(1, 6, 10, 4)]


@case
def resize_nearest_neighbor_half_pixel() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "RESIZE_NEAREST_NEIGHBOR", [q8((1, 3, 5, 4), 0.05, 2), const((2,), "int32", [7, 4])],
        [q8((1, 7, 4, 4), 0.05, 2)], {"align_corners": False, "half_pixel_centers": True},
    )
    return model, [(1, 7, 4, 4)]


@case
def transpose() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "TRANSPOSE", [q8((1, 2, 3, 4), 0.05, 2), const((4,), "int32", [0, 3, 1, 2])],
        [q8((1, 4, 2, 3), 0.05, 2)],
    )
    return model, [(1, 4, 2, 3)]


@case
def logistic_int8() -> tuple[bytes, list[Shape]]:
    return build_single_op_model("LOGISTIC", [q8((1, 16), 0.1, 3)], [q8((1, 16), 1 / 256, -128)]), [
        (1, 16)
    ]


@case
def logistic_float() -> tuple[bytes, list[Shape]]:
    return build_single_op_model("LOGISTIC", [f32((2, 5))], [f32((2, 5))]), [(2, 5)]


@case
def log_softmax_int8() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "LOG_SOFTMAX", [q8((1, 10), 0.1, 3)], [q8((1, 10), 16 / 256, 127)]
    )
    return model, [(1, 10)]


@case
def log_softmax_float() -> tuple[bytes, list[Shape]]:
    return build_single_op_model("LOG_SOFTMAX", [f32((1, 10))], [f32((1, 10))]), [(1, 10)]


@case
def reshape_option_only() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "RESHAPE", [q8((1, 2, 2, 6), 0.05, 1)], [q8((1, 24), 0.05, 1)], {"new_shape": [1, 24]}
    )
    return model, [(1, 24)]


@case
def reshape_shape_input_and_option() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "RESHAPE", [q8((1, 24), 0.05, 1), const((3,), "int32", [1, -1, 6])],
        [q8((1, 4, 6), 0.05, 1)], {"new_shape": [1, 4, 6]},
    )
    return model, [(1, 4, 6)]


@case
def squeeze() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "SQUEEZE", [q8((1, 1, 1, 8), 0.05, 1)], [q8((1, 8), 0.05, 1)], {"squeeze_dims": [1, 2]}
    )
    return model, [(1, 8)]


@case
def expand_dims() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "EXPAND_DIMS", [q8((1, 8), 0.05, 1), const((), "int32", 1)], [q8((1, 1, 8), 0.05, 1)]
    )
    return model, [(1, 1, 8)]


@case
def strided_slice_int8() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "STRIDED_SLICE",
        [q8((1, 8, 8, 4), 0.05, 1), const((4,), "int32", [0, 1, 0, 0]),
         const((4,), "int32", [1, 7, 8, 4]), const((4,), "int32", [1, 2, 1, 1])],
        [q8((1, 3, 8, 4), 0.05, 1)],
    )
    return model, [(1, 3, 8, 4)]


@case
def shape_strided_slice_pack_reshape() -> tuple[bytes, list[Shape]]:
    """The wake-vision models' dynamic-batch flatten: SHAPE -> batch -> PACK -> RESHAPE."""
    tensors = [
        q8((1, 2, 2, 3), 0.05, 1),                       # 0 input
        TensorSpec((4,), "int32"),                       # 1 shape
        const((1,), "int32", [0]),                       # 2 begin
        const((1,), "int32", [1]),                       # 3 end
        const((1,), "int32", [1]),                       # 4 strides
        TensorSpec((), "int32"),                         # 5 batch (scalar)
        const((), "int32", -1),                          # 6 -1
        TensorSpec((2,), "int32"),                       # 7 packed shape
        q8((1, 12), 0.05, 1),                            # 8 output
    ]
    ops = [
        OpSpec("SHAPE", [0], [1]),
        OpSpec("STRIDED_SLICE", [1, 2, 3, 4], [5], {"shrink_axis_mask": 1}),
        OpSpec("PACK", [5, 6], [7], {"axis": 0}),
        OpSpec("RESHAPE", [0, 7], [8]),
    ]
    return build_model(tensors, ops, [0], [8]), [(1, 12)]


@case
def pack_int8() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "PACK", [q8((2, 3), 0.05, 1), q8((2, 3), 0.05, 1)], [q8((2, 2, 3), 0.05, 1)], {"axis": 1}
    )
    return model, [(2, 2, 3)]


@case
def tanh_int8() -> tuple[bytes, list[Shape]]:
    return build_single_op_model("TANH", [q8((1, 8), 0.05, 2)], [q8((1, 8), 1 / 128, 0)]), [(1, 8)]


@case
def squared_difference_int8() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "SQUARED_DIFFERENCE", [q8((1, 8), 0.05, 2), q8((1, 8), 0.04, -1)], [q8((1, 8), 0.02, -128)]
    )
    return model, [(1, 8)]


@case
def transpose_conv_int8() -> tuple[bytes, list[Shape]]:
    shape = const((4,), "int32", [1, 6, 6, 2])
    model = build_single_op_model(
        "TRANSPOSE_CONV", [shape, weights((2, 3, 3, 3), [0.01, 0.02], 0), q8((1, 3, 3, 3), 0.05, 1)],
        [q8((1, 6, 6, 2), 0.1, -2)], {"padding": "SAME", "stride_h": 2, "stride_w": 2})
    return model, [(1, 6, 6, 2)]


@case
def batch_matmul_int8() -> tuple[bytes, list[Shape]]:
    model = build_single_op_model(
        "BATCH_MATMUL", [q8((2, 3, 4), 0.05, 1), q8((2, 4, 5), 0.04, -1)], [q8((2, 3, 5), 0.1, 3)])
    return model, [(2, 3, 5)]


@case
def unidirectional_sequence_lstm_int8() -> tuple[bytes, list[Shape]]:
    """24 inputs (optional ones omitted), variable state tensors, 5 intermediates (the last one the
    hidden scale): the integer LSTM as the converter writes it."""
    ws = [weights((4, 3 if i < 4 else 4), [0.01], 0) for i in range(8)]
    biases = [bias(4, 0.05, [0.01] * 4) for _ in range(4)]
    h = q8((1, 4), 0.008, 0, is_variable=True)
    c = TensorSpec((1, 4), "int16", 2.0 ** -12, 0, is_variable=True)
    inputs = [q8((1, 2, 3), 0.05, 1), *ws, None, None, None, *biases, None, None, h, c, None, None, None, None]
    intermediates = [f32((0,)) for _ in range(4)] + [q8((0,), 0.008, 0)]
    model = build_single_op_model("UNIDIRECTIONAL_SEQUENCE_LSTM", inputs, [q8((1, 2, 4), 0.008, 0)],
                                  {"time_major": False}, intermediates)
    return model, [(1, 2, 4)]


# Layout ops and reductions: one single-op case each.
def _single(name: str, op: str, inputs: list[TensorSpec], outputs: list[TensorSpec],
            options: dict | None = None) -> None:
    def build() -> tuple[bytes, list[Shape]]:
        return build_single_op_model(op, inputs, outputs, options), [o.shape for o in outputs]
    build.__name__ = name
    CASES[name] = build


def _ints(values: list, dtype: str = "int32") -> TensorSpec:
    return const(np.shape(values), dtype, values)


_single("slice", "SLICE", [q8((4, 5)), _ints([1, 0]), _ints([2, -1])], [q8((2, 5))])
_single("split", "SPLIT", [_ints([1]), q8((2, 6))], [q8((2, 3)), q8((2, 3))], {"num_splits": 2})
_single("split_v", "SPLIT_V", [q8((2, 6)), _ints([4, 2]), _ints([1])], [q8((2, 4)), q8((2, 2))], {"num_splits": 2})
_single("unpack", "UNPACK", [q8((2, 3))], [q8((3,)), q8((3,))], {"axis": 0, "num": 2})
_single("gather", "GATHER", [q8((5, 3)), TensorSpec((2,), "int32")], [q8((2, 3))], {"axis": 0})
_single("gather_nd", "GATHER_ND", [q8((5, 3)), TensorSpec((2, 1), "int64")], [q8((2, 3))])
_single("depth_to_space", "DEPTH_TO_SPACE", [q8((1, 2, 2, 4))], [q8((1, 4, 4, 1))], {"block_size": 2})
_single("space_to_depth", "SPACE_TO_DEPTH", [q8((1, 4, 4, 1))], [q8((1, 2, 2, 4))], {"block_size": 2})
_single("batch_to_space_nd", "BATCH_TO_SPACE_ND", [q8((4, 2, 2, 1)), _ints([2, 2]), _ints([[0, 0], [0, 0]])],
        [q8((1, 4, 4, 1))])
_single("space_to_batch_nd", "SPACE_TO_BATCH_ND", [q8((1, 4, 4, 1)), _ints([2, 2]), _ints([[0, 0], [0, 0]])],
        [q8((4, 2, 2, 1))])
_single("mirror_pad", "MIRROR_PAD", [q8((3, 4)), _ints([[1, 1], [2, 0]])], [q8((5, 6))], {"mode": "REFLECT"})
_single("broadcast_to", "BROADCAST_TO", [q8((1, 3)), _ints([2, 3])], [q8((2, 3))])
_single("fill", "FILL", [_ints([2, 3]), const((), "float32", 1.5)], [f32((2, 3))])
_single("zeros_like", "ZEROS_LIKE", [f32((2, 3))], [f32((2, 3))])
_single("tile", "TILE", [q8((2, 3)), _ints([2, 1])], [q8((4, 3))])
_single("reverse_v2", "REVERSE_V2", [q8((2, 3)), _ints([1])], [q8((2, 3))])
_single("resize_bilinear", "RESIZE_BILINEAR", [q8((1, 2, 3, 2)), _ints([4, 6])], [q8((1, 4, 6, 2))],
        {"half_pixel_centers": True})
for _kind in ("SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD"):
    _single(_kind.lower(), _kind, [f32((2, 3, 4)), _ints([1])], [f32((2, 4))], {"keep_dims": False})
for _kind in ("REDUCE_ANY", "REDUCE_ALL"):
    _single(_kind.lower(), _kind, [TensorSpec((2, 3), "bool"), _ints([1])], [TensorSpec((2, 1), "bool")],
            {"keep_dims": True})
_single("arg_max", "ARG_MAX", [q8((2, 5)), _ints([1])], [TensorSpec((2,), "int64")])
_single("arg_min", "ARG_MIN", [f32((2, 5)), _ints([0])], [TensorSpec((5,), "int32")])
_single("embedding_lookup", "EMBEDDING_LOOKUP", [TensorSpec((3,), "int32"), f32((5, 4))], [f32((3, 4))])
_single("dynamic_update_slice", "DYNAMIC_UPDATE_SLICE", [q8((4, 5)), q8((2, 3)), TensorSpec((2,), "int32")], [q8((4, 5))])


@case
def broadcast_args_into_broadcast_to() -> tuple[bytes, list[Shape]]:
    """BROADCAST_ARGS alone as a constant-only model aborts LiteRT; feeding BROADCAST_TO it runs."""
    t = [_ints([2, 1, 1, 4]), _ints([3, 1, 4]), TensorSpec((4,), "int32"), q8((3, 1, 4)), q8((2, 3, 1, 4))]
    ops = [OpSpec("BROADCAST_ARGS", [0, 1], [2]), OpSpec("BROADCAST_TO", [3, 2], [4])]
    return build_model(t, ops, [3], [4]), [(2, 3, 1, 4)]


_single("cumsum", "CUMSUM", [f32((2, 5)), _ints(1)], [f32((2, 5))], {"exclusive": True, "reverse": True})


@case
def svdf_int8_rank2() -> tuple[bytes, list[Shape]]:
    """The fully integer SVDF: int16 time weights and variable state; LiteRT wants a RELU."""
    x = q8((1, 5), 0.05, 2)
    wf = weights((4, 5), [0.01], 0)
    wt = const((4, 3), "int16", _WEIGHTS.integers(-3000, 3000, size=(4, 3)), scale=0.001, zero_point=0)
    b = bias(2, 0.004, [0.001])
    state = TensorSpec((1, 12), "int16", 0.004, 0, is_variable=True)
    model = build_single_op_model("SVDF", [x, wf, wt, b, state], [q8((1, 2), 0.1, 0)], {"rank": 2})
    return model, [(1, 2)]


@case
def resource_variable_with_call_once() -> tuple[bytes, list[Shape]]:
    """VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE in the main subgraph, CALL_ONCE running an init
    subgraph (subgraph 1) that assigns a constant."""
    from tests.support.tflite_build import SubgraphSpec

    main = [TensorSpec((), "resource"), q8((1, 4)), q8((1, 4)), q8((1, 4))]
    ops = [OpSpec("CALL_ONCE", [], [], {"init_subgraph_index": 1}),
           OpSpec("VAR_HANDLE", [], [0], {"container": "", "shared_name": "v"}),
           OpSpec("READ_VARIABLE", [0], [1]),
           OpSpec("ADD", [1, 2], [3]),
           OpSpec("ASSIGN_VARIABLE", [0, 3], [])]
    init = SubgraphSpec([TensorSpec((), "resource"), const((1, 4), "int8", [1, 2, 3, 4], scale=0.05, zero_point=0)],
                        [OpSpec("VAR_HANDLE", [], [0], {"container": "", "shared_name": "v"}),
                         OpSpec("ASSIGN_VARIABLE", [0, 1], [])])
    return build_model(main, ops, [2], [3], [init]), [(1, 4)]


@case
def elementwise_float_and_bool() -> tuple[bytes, list[Shape]]:
    """The element-wise ops with float and bool tensors (float divisors are never exactly 0)."""
    s = (2, 3)
    b = TensorSpec(s, "bool")
    tensors = [f32(s), f32(s), b, TensorSpec(s, "bool")]
    kinds = ["DIV", "FLOOR_DIV", "FLOOR_MOD", "EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"]
    ops = []
    for k in kinds:
        tensors.append(TensorSpec(s, "bool") if "EQUAL" in k or k in ("LESS", "GREATER") else f32(s))
        ops.append(OpSpec(k, [0, 1], [len(tensors) - 1], {"fused_activation_function": "NONE"} if k == "DIV" else None))
    for k, ins in (("LOGICAL_AND", [2, 3]), ("LOGICAL_OR", [2, 3]), ("LOGICAL_NOT", [2])):
        tensors.append(TensorSpec(s, "bool"))
        ops.append(OpSpec(k, ins, [len(tensors) - 1]))
    for k, ins in (("ADD_N", [0, 1, 0]), ("SELECT", [2, 0, 1]), ("SELECT_V2", [3, 1, 0])):
        tensors.append(f32(s))
        ops.append(OpSpec(k, ins, [len(tensors) - 1]))
    outputs = list(range(4, len(tensors)))
    return build_model(tensors, ops, [0, 1, 2, 3], outputs), [s] * len(outputs)


@case
def if_int8() -> tuple[bytes, list[Shape]]:
    from tests.ops.test_control_flow import if_model

    return if_model(), [(2, 5)]


@case
def while_float_three_trips() -> tuple[bytes, list[Shape]]:
    from tests.ops.test_control_flow import while_model

    return while_model(trips=3), [(1,), (3,), (3,), (1,)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_built_model_runs_in_reference(name: str) -> None:
    model, expected_shapes = CASES[name]()
    outputs = run_reference(model, random_inputs(model, np.random.default_rng(0)))
    _, declared = model_io(model)
    assert [o.shape for o in outputs] == expected_shapes
    assert [o.shape for o in declared] == expected_shapes
    assert [o.dtype for o in outputs] == [o.dtype for o in declared]


def test_cases_cover_every_table_op() -> None:
    """Every op the builder knows runs in LiteRT here, except CUSTOM (LiteRT runs no custom op it
    was not given): test_custom_op_serializes covers that row."""
    covered = set().union(*(op_names(build()[0]) for build in CASES.values()))
    assert covered == SUPPORTED_OPS - NOT_IN_REFERENCE_RESOLVER - {"CUSTOM"}


def test_custom_op_serializes() -> None:
    model = build_model([q8((1, 4)), q8((1, 4))],
                        [OpSpec("CUSTOM", [0], [1], custom_code="MyOp", custom_options=b"\x01\x02\x03")], [0], [1])
    m = tflite.Model.GetRootAs(model, 0)
    code = m.OperatorCodes(0)
    assert code.BuiltinCode() == BuiltinOperator.CUSTOM and code.CustomCode() == b"MyOp"
    assert m.Subgraphs(0).Operators(0).CustomOptionsAsNumpy().tobytes() == b"\x01\x02\x03"


# --- structure of built models ------------------------------------------------------------------

def test_model_structure() -> None:
    model, _ = conv_2d_same_stride2_relu6()
    m = tflite.Model.GetRootAs(model, 0)
    assert m.Version() == 3 and tflite.Model.ModelBufferHasIdentifier(model, 0)
    assert m.Buffers(0).DataIsNone()
    sg = m.Subgraphs(0)
    constant_buffers = [sg.Tensors(i).Buffer() for i in (1, 2)]
    assert sorted(constant_buffers) == [1, 2] and m.BuffersLength() == 3
    assert [sg.Tensors(i).Buffer() for i in (0, 3)] == [0, 0]
    assert list(sg.InputsAsNumpy()) == [0] and list(sg.OutputsAsNumpy()) == [3]
    code = m.OperatorCodes(0)
    assert code.BuiltinCode() == code.DeprecatedBuiltinCode() == BuiltinOperator.CONV_2D
    assert code.Version() == 3
    filt = sg.Tensors(1).Quantization()
    assert filt.ScaleLength() == 4 and filt.QuantizedDimension() == 0


def test_constants_and_quantization_round_trip_through_litert() -> None:
    filt = weights((4, 3, 3, 3), [0.01, 0.02, 0.015, 0.03], 0)
    paddings = const((4, 2), "int32", [[0, 0], [1, 1], [2, 0], [0, 0]])
    model = build_model(
        [q8((1, 4, 4, 3), 0.05, -7), filt, paddings, q8((1, 6, 6, 3), 0.05, -7)],
        [OpSpec("PAD", [0, 2], [3])], [0], [3],
    )
    interpreter = Interpreter(
        model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF
    )
    interpreter.allocate_tensors()
    np.testing.assert_array_equal(interpreter.get_tensor(1), filt.data)
    np.testing.assert_array_equal(interpreter.get_tensor(2), paddings.data)
    quant = interpreter.get_tensor_details()[1]["quantization_parameters"]
    np.testing.assert_allclose(quant["scales"], [0.01, 0.02, 0.015, 0.03], rtol=1e-6)
    assert list(quant["zero_points"]) == [0, 0, 0, 0] and quant["quantized_dimension"] == 0


def _versions(model: bytes) -> dict[str, int]:
    m = tflite.Model.GetRootAs(model, 0)
    codes = (m.OperatorCodes(i) for i in range(m.OperatorCodesLength()))
    return {_OP_NAMES[c.BuiltinCode()]: c.Version() for c in codes}


@pytest.mark.parametrize(
    ("name", "op", "version"),
    [
        ("fully_connected", "FULLY_CONNECTED", 4),
        ("fully_connected_keep_num_dims_no_bias", "FULLY_CONNECTED", 5),
        ("depthwise_conv_2d_multiplier2", "DEPTHWISE_CONV_2D", 3),
        ("resize_nearest_neighbor_non_square", "RESIZE_NEAREST_NEIGHBOR", 2),
        ("resize_nearest_neighbor_half_pixel", "RESIZE_NEAREST_NEIGHBOR", 3),
        ("logistic_float", "LOGISTIC", 1),
        ("quantize_dequantize_float_edges", "DEQUANTIZE", 2),
        ("shape_strided_slice_pack_reshape", "RESHAPE", 1),
    ],
)
def test_converter_style_versions(name: str, op: str, version: int) -> None:
    assert _versions(CASES[name]()[0])[op] == version


def test_derived_options_and_opcode_sharing() -> None:
    model, _ = depthwise_conv_2d_multiplier2()
    op = tflite.Model.GetRootAs(model, 0).Subgraphs(0).Operators(0)
    options = tflite.DepthwiseConv2DOptions()
    options.Init(op.BuiltinOptions().Bytes, op.BuiltinOptions().Pos)
    assert options.DepthMultiplier() == 2 and options.StrideW() == 1
    tensors = [q8((1, 4)), q8((1, 4)), q8((1, 4))]
    twice = build_model(tensors, [OpSpec("ADD", [0, 0], [1]), OpSpec("ADD", [1, 0], [2])], [0], [2])
    assert tflite.Model.GetRootAs(twice, 0).OperatorCodesLength() == 1


def test_reference_resolver_rejects_unregistered_version() -> None:
    """Why versions matter: BUILTIN_REF registers RESHAPE for version 1 only."""
    tensors = [q8((1, 4)), q8((4,))]
    reshape = OpSpec("RESHAPE", [0], [1], {"new_shape": [4]}, version=2)
    model = build_model(tensors, [reshape], [0], [1])
    with pytest.raises(ValueError, match="'RESHAPE' version '2'"):
        Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)


@pytest.mark.parametrize(
    ("op", "inputs", "options", "message"),
    [
        ("CONV_2D", [q8((1, 4, 4, 1))], {"stride": 2}, "no field 'stride'"),
        ("CONV_2D", [q8((1, 4, 4, 1))], {"padding": "FULL"}, "enum"),
        ("LOGISTIC", [q8((1, 4))], {"beta": 1.0}, "no builtin options"),
        ("NOT_AN_OP", [q8((1, 4))], None, "not in tflite_build's table"),
        ("PAD", [q8((1, 4)), const((2, 2), "int8", [[0, 0], [300, 0]])], None, "does not fit"),
    ],
)
def test_build_errors(
    op: str, inputs: list[TensorSpec], options: dict | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_single_op_model(op, inputs, [q8((1, 4))], options)


# --- random inputs ------------------------------------------------------------------------------

def test_random_inputs_dtypes_shapes_and_ranges() -> None:
    tensors = [
        f32((64, 64)), q8((64, 64), 0.02, 5),                                  # float -> QUANTIZE
        TensorSpec((64, 64), "uint8", 0.1, 128), TensorSpec((64, 64), "int16", 0.001, 0),
        f32((3, 7)), f32((3, 7)),                                              # float, no QUANTIZE
        q8((64, 64), 0.02, 5),
    ]
    ops = [
        OpSpec("QUANTIZE", [0], [1]),
        OpSpec("QUANTIZE", [2], [6]),
        OpSpec("LOGISTIC", [4], [5]),
    ]
    model = build_model(tensors, ops, [0, 2, 3, 4], [1, 6, 5])
    inputs = random_inputs(model, np.random.default_rng(7))
    declared, _ = model_io(model)
    assert [(x.dtype, x.shape) for x in inputs] == [(i.dtype, i.shape) for i in declared]
    float_in, uint8_in, int16_in, plain_float = inputs
    quantized = np.round(float_in / 0.02) + 5
    assert quantized.min() == -128 and quantized.max() == 127
    assert (uint8_in.min(), uint8_in.max()) == (0, 255)
    assert int16_in.min() < -30000 and int16_in.max() > 30000
    assert -1.0 <= plain_float.min() and plain_float.max() <= 1.0
    assert all(np.array_equal(a, b) for a, b in
               zip(inputs, random_inputs(model, np.random.default_rng(7))))


# --- real models --------------------------------------------------------------------------------

_SKIPPED_MODELS: set[str] = set()


def _shared_models() -> list[str]:
    root = shared_models_dir()
    found = sorted(str(p.relative_to(root)) for p in root.glob("*/*.tflite"))
    return [name for name in found if name not in _SKIPPED_MODELS]


def test_shared_models_present() -> None:
    assert _shared_models(), f"no models under {shared_models_dir()} (set TINYENGINE_SHARED_MODELS)"


@pytest.mark.parametrize("name", _shared_models())
def test_run_reference_on_shared_model(name: str) -> None:
    path = shared_models_dir() / name
    inputs = random_inputs(path, np.random.default_rng(0))
    declared_in, declared_out = model_io(path)
    assert [(x.dtype, x.shape) for x in inputs] == [(i.dtype, i.shape) for i in declared_in]
    outputs = run_reference(path, inputs)
    assert [(y.dtype, y.shape) for y in outputs] == [(o.dtype, o.shape) for o in declared_out]


def test_person_detect_quantized_dimension_patch() -> None:
    path = shared_models_dir() / "tflite-micro" / "person_detect.tflite"
    raw = path.read_bytes()
    with pytest.raises(ValueError, match="quantized_dimension"):
        Interpreter(model_content=raw, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    patched = load_model_bytes(path)
    assert len(patched) == len(raw) and patched != raw
    sg = tflite.Model.GetRootAs(patched, 0).Subgraphs(0)
    for i in range(sg.TensorsLength()):
        tensor = sg.Tensors(i)
        quant = tensor.Quantization()
        if quant is not None:
            assert quant.QuantizedDimension() < max(tensor.ShapeLength(), 1)
    assert load_model_bytes(patched) == patched
