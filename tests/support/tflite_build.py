"""Build small .tflite models with the flatbuffers builder, so op tests need no TensorFlow.

The output follows what the TFLite converter writes closely enough for LiteRT's BUILTIN_REF
resolver and for the tinyengine generator: schema version 3, buffer 0 the empty sentinel, one
buffer per constant tensor, operator codes carrying both ``deprecated_builtin_code`` and
``builtin_code`` and the version the converter would pick for the op's data types.

Per-op knowledge lives in the ``_OPS`` table; adding an op is one table row.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

import flatbuffers
import numpy as np
from tflite.ActivationFunctionType import ActivationFunctionType
from tflite.BuiltinOperator import BuiltinOperator
from tflite.BuiltinOptions import BuiltinOptions
from tflite.FullyConnectedOptionsWeightsFormat import FullyConnectedOptionsWeightsFormat
from tflite.MirrorPadMode import MirrorPadMode
from tflite.Padding import Padding
from tflite.TensorType import TensorType

# dtype name -> (TensorType value, numpy dtype)
DTYPES: dict[str, tuple[int, np.dtype]] = {
    "int8": (TensorType.INT8, np.dtype(np.int8)),
    "uint8": (TensorType.UINT8, np.dtype(np.uint8)),
    "int16": (TensorType.INT16, np.dtype(np.int16)),
    "int32": (TensorType.INT32, np.dtype(np.int32)),
    "int64": (TensorType.INT64, np.dtype(np.int64)),
    "float32": (TensorType.FLOAT32, np.dtype(np.float32)),
    "resource": (TensorType.RESOURCE, np.dtype(np.int32)),  # a resource variable's handle (no data)
    "bool": (TensorType.BOOL, np.dtype(np.bool_)),
}

# Builtin codes >= 127 do not fit the deprecated int8 field; it then holds this placeholder.
_PLACEHOLDER_FOR_GREATER_OP_CODES = 127

# Option fields whose values are schema enums, given by name (e.g. "SAME", "RELU6", "int32").
_ENUM_FIELDS: dict[str, type] = {
    "padding": Padding,
    "fused_activation_function": ActivationFunctionType,
    "weights_format": FullyConnectedOptionsWeightsFormat,
    "out_type": TensorType,
    "output_type": TensorType,
    "quantized_bias_type": TensorType,
    "mode": MirrorPadMode,
    "in_data_type": TensorType,
    "out_data_type": TensorType,
}
# Option fields that are strings (written as flatbuffer strings).
_STRING_FIELDS = {"container", "shared_name"}


@dataclass
class TensorSpec:
    """One tensor of the model; ``data`` makes it a constant stored in its own buffer."""

    shape: tuple[int, ...]
    dtype: str  # 'int8','uint8','int16','int32','int64','float32'
    scale: float | list[float] | None = None
    zero_point: int | list[int] | None = None
    quantized_dimension: int = 0
    data: np.ndarray | None = None  # constant tensor (weights, bias, paddings, axes, shapes ...)
    name: str = ""
    is_variable: bool = False  # state kept by the interpreter across invokes (e.g. LSTM states)


@dataclass
class OpSpec:
    """One operator; ``version`` overrides the converter-style version chosen from dtypes."""

    op: str  # BuiltinOperator name, e.g. "CONV_2D"
    inputs: list[int]  # tensor indices, -1 for an omitted optional input
    outputs: list[int]
    options: dict | None = None  # schema snake_case field names, enums by name
    version: int | None = None
    intermediates: list[int] = field(default_factory=list)  # e.g. the integer LSTM's scale tensors
    custom_code: str = ""  # op "CUSTOM": its custom code
    custom_options: bytes | None = None  # op "CUSTOM": its options bytes, as the model stores them


Derive = Callable[[list[TensorSpec | None], list[TensorSpec]], dict[str, Any]]


@dataclass(frozen=True)
class _OpInfo:
    """How to serialize one builtin op.

    options:  BuiltinOptions union member (also the tflite module name), None if the op has none.
    defaults: values written when the caller gives none, where the schema default is unusable
              (stride 0, softmax beta 0) or is the baseline for ``bumps``.
    derive:   options computed from the tensors (e.g. PACK values_count) unless given.
    versions: operator version by dtype of input 0 (output 0 if version_from_output), as
              tensorflow/lite/tools/versioning/op_version.cc picks it; 1 if absent.
    bumps:    option -> minimum version when the option differs from its default.
    """

    options: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    derive: Derive | None = None
    versions: dict[str, int] = field(default_factory=dict)
    bumps: dict[str, int] = field(default_factory=dict)
    version_from_output: bool = False


def _depth_multiplier(inputs: list[TensorSpec | None], outputs: list[TensorSpec]) -> dict:
    # LiteRT's reference depthwise kernel reads depth_multiplier from the options (schema
    # default 0), so it has to match the channel ratio.
    assert inputs[0] is not None
    return {"depth_multiplier": outputs[0].shape[-1] // inputs[0].shape[-1]}


def _values_count(inputs: list[TensorSpec | None], outputs: list[TensorSpec]) -> dict:
    return {"values_count": len(inputs)}


def _cast_types(inputs: list[TensorSpec | None], outputs: list[TensorSpec]) -> dict:
    assert inputs[0] is not None
    return {"in_data_type": inputs[0].dtype, "out_data_type": outputs[0].dtype}


def _out_type(inputs: list[TensorSpec | None], outputs: list[TensorSpec]) -> dict:
    return {"out_type": outputs[0].dtype}


def _output_type(inputs: list[TensorSpec | None], outputs: list[TensorSpec]) -> dict:
    return {"output_type": outputs[0].dtype}


_CONV_DEFAULTS = {"stride_w": 1, "stride_h": 1, "dilation_w_factor": 1, "dilation_h_factor": 1}
_POOL_DEFAULTS = {"stride_w": 1, "stride_h": 1}
_INT8_INT16 = {"int8": 2, "int16": 3}

_OPS: dict[str, _OpInfo] = {
    "CONV_2D": _OpInfo("Conv2DOptions", _CONV_DEFAULTS, versions={"int8": 3, "int16": 4}),
    "DEPTHWISE_CONV_2D": _OpInfo(
        "DepthwiseConv2DOptions", _CONV_DEFAULTS, _depth_multiplier,
        versions={"int8": 3, "int16": 5}, bumps={"dilation_w_factor": 2, "dilation_h_factor": 2},
    ),
    "FULLY_CONNECTED": _OpInfo(
        "FullyConnectedOptions", {"keep_num_dims": False},
        versions={"int8": 4, "int16": 7}, bumps={"keep_num_dims": 5},
    ),
    "ADD": _OpInfo("AddOptions", versions=_INT8_INT16),
    "SUB": _OpInfo("SubOptions", versions={"int8": 2, "int16": 5}),
    "MUL": _OpInfo("MulOptions", versions={"int8": 2, "int16": 4}),
    "AVERAGE_POOL_2D": _OpInfo("Pool2DOptions", _POOL_DEFAULTS, versions=_INT8_INT16),
    "MAX_POOL_2D": _OpInfo("Pool2DOptions", _POOL_DEFAULTS, versions=_INT8_INT16),
    "MEAN": _OpInfo("ReducerOptions", versions=_INT8_INT16),
    "PAD": _OpInfo("PadOptions", versions=_INT8_INT16),
    "PADV2": _OpInfo("PadV2Options", versions=_INT8_INT16),
    "SOFTMAX": _OpInfo("SoftmaxOptions", {"beta": 1.0}, versions=_INT8_INT16),
    "LOG_SOFTMAX": _OpInfo("LogSoftmaxOptions", versions={"int8": 2}),
    "QUANTIZE": _OpInfo(versions={"int16": 2}, version_from_output=True),
    "DEQUANTIZE": _OpInfo(versions=_INT8_INT16),
    "CONCATENATION": _OpInfo("ConcatenationOptions", versions=_INT8_INT16),
    "RESIZE_NEAREST_NEIGHBOR": _OpInfo(
        "ResizeNearestNeighborOptions", {"align_corners": False, "half_pixel_centers": False},
        versions={"int8": 2, "int16": 4}, bumps={"align_corners": 3, "half_pixel_centers": 3},
    ),
    "TRANSPOSE": _OpInfo("TransposeOptions", versions={"int8": 2, "int16": 5}),
    "LOGISTIC": _OpInfo(versions=_INT8_INT16),
    "TANH": _OpInfo(versions=_INT8_INT16),
    "RELU": _OpInfo(versions=_INT8_INT16),
    "RELU6": _OpInfo(versions=_INT8_INT16),
    "HARD_SWISH": _OpInfo(),
    # Unary activations / elementwise ops (ops/activation.py); versions within what
    # LiteRT's BUILTIN_REF resolver registers (it has no ELU, CEIL or ROUND kernel).
    "LEAKY_RELU": _OpInfo("LeakyReluOptions", versions={"int8": 2, "int16": 2}),
    "PRELU": _OpInfo(),
    "RELU_N1_TO_1": _OpInfo(),
    "RELU_0_TO_1": _OpInfo(),
    "SQRT": _OpInfo(versions={"int8": 2, "int16": 2}),
    "RSQRT": _OpInfo(versions={"int8": 2, "int16": 3}),
    "ABS": _OpInfo(versions={"int8": 2, "int16": 3}),
    "NEG": _OpInfo(),
    "SQUARE": _OpInfo(),
    "FLOOR": _OpInfo(),
    "CAST": _OpInfo("CastOptions", derive=_cast_types),
    "L2_NORMALIZATION": _OpInfo("L2NormOptions", versions={"int8": 2}),
    "SIN": _OpInfo(),  # float only in TFLite: an int8 SIN stays unsupported (error-message tests)
    "COS": _OpInfo(),
    "EXP": _OpInfo("ExpOptions", versions={"int8": 2, "int16": 2}),
    "LOG": _OpInfo(versions={"int8": 2, "int16": 2}),
    "ELU": _OpInfo(versions={"int8": 2}),
    "GELU": _OpInfo("GeluOptions", {"approximate": False}, versions={"int8": 2, "uint8": 2}),
    "L2_POOL_2D": _OpInfo("Pool2DOptions", _POOL_DEFAULTS),
    "MAXIMUM": _OpInfo("MaximumMinimumOptions", versions={"int8": 2, "int16": 4}),
    "MINIMUM": _OpInfo("MaximumMinimumOptions", versions={"int8": 2, "int16": 4}),
    "RESHAPE": _OpInfo("ReshapeOptions"),
    "SQUEEZE": _OpInfo("SqueezeOptions"),
    "EXPAND_DIMS": _OpInfo("ExpandDimsOptions"),
    "STRIDED_SLICE": _OpInfo("StridedSliceOptions", versions={"int8": 2}),
    "SHAPE": _OpInfo("ShapeOptions", derive=_out_type),
    "PACK": _OpInfo("PackOptions", derive=_values_count, versions={"int8": 2, "int16": 3}),
    "TRANSPOSE_CONV": _OpInfo("TransposeConvOptions", _POOL_DEFAULTS, versions={"int8": 2, "int16": 3}),
    "BATCH_MATMUL": _OpInfo("BatchMatMulOptions", {"adj_x": False, "adj_y": False},
                            versions={"int8": 2, "int16": 3}),
    "SQUARED_DIFFERENCE": _OpInfo("SquaredDifferenceOptions", versions={"int8": 2}),
    # Fully integer SVDF is version 3 (op_version.cc); LiteRT's int8 kernel wants a RELU.
    "SVDF": _OpInfo("SVDFOptions", {"rank": 1, "fused_activation_function": "RELU"}, versions={"int8": 3}),
    # Layout ops and reductions (versions within BUILTIN_REF's registered ranges).
    "SLICE": _OpInfo("SliceOptions", versions={"int8": 2, "int16": 4}),
    "SPLIT": _OpInfo("SplitOptions", versions={"int8": 2, "int16": 3}),
    "SPLIT_V": _OpInfo("SplitVOptions", versions={"int8": 2, "int16": 3}),
    "UNPACK": _OpInfo("UnpackOptions", versions={"int8": 2, "int16": 4}),
    "GATHER": _OpInfo("GatherOptions", versions={"int8": 2, "int16": 6}),
    "GATHER_ND": _OpInfo("GatherNdOptions", versions={"int8": 2, "int16": 4}),
    "DEPTH_TO_SPACE": _OpInfo("DepthToSpaceOptions"),
    "SPACE_TO_DEPTH": _OpInfo("SpaceToDepthOptions", versions={"int8": 2}),
    "BATCH_TO_SPACE_ND": _OpInfo("BatchToSpaceNDOptions", versions={"int8": 2, "int16": 4}),
    "SPACE_TO_BATCH_ND": _OpInfo("SpaceToBatchNDOptions", versions={"int8": 2, "int16": 4}),
    "MIRROR_PAD": _OpInfo("MirrorPadOptions", versions={"int8": 2, "int16": 3}),
    "BROADCAST_TO": _OpInfo("BroadcastToOptions", versions={d: 2 for d in DTYPES}),
    "FILL": _OpInfo("FillOptions"),
    "ZEROS_LIKE": _OpInfo("ZerosLikeOptions"),
    "TILE": _OpInfo("TileOptions"),
    "REVERSE_V2": _OpInfo("ReverseV2Options", versions={"int8": 2, "int16": 3}),
    "RESIZE_BILINEAR": _OpInfo(
        "ResizeBilinearOptions", {"align_corners": False, "half_pixel_centers": False},
        versions={"int8": 2, "int16": 4}, bumps={"half_pixel_centers": 3},
    ),
    "SUM": _OpInfo("ReducerOptions", versions={"int8": 2}),
    "REDUCE_MAX": _OpInfo("ReducerOptions", versions={"int8": 2, "int16": 3}),
    "REDUCE_MIN": _OpInfo("ReducerOptions", versions={"int8": 2, "int16": 3}),
    "REDUCE_PROD": _OpInfo("ReducerOptions", versions={"int8": 2}),
    "REDUCE_ANY": _OpInfo("ReducerOptions"),
    "REDUCE_ALL": _OpInfo("ReducerOptions"),
    "ARG_MAX": _OpInfo("ArgMaxOptions", derive=_output_type, versions={"int8": 2}),
    "ARG_MIN": _OpInfo("ArgMinOptions", derive=_output_type, versions={"int8": 2}),
    "CUMSUM": _OpInfo("CumsumOptions"),
    "EMBEDDING_LOOKUP": _OpInfo(),
    "DYNAMIC_UPDATE_SLICE": _OpInfo(),
    "BROADCAST_ARGS": _OpInfo(),
    # Element-wise family (ops/elementwise.py): versions as op_version.cc picks them.
    "DIV": _OpInfo("DivOptions", versions={"int8": 2, "int16": 2}),
    "FLOOR_DIV": _OpInfo("FloorDivOptions", versions={"int32": 2, "float32": 2, "int16": 3, "int8": 3}),
    "FLOOR_MOD": _OpInfo("FloorModOptions", versions={"int8": 2, "int16": 2}),
    "EQUAL": _OpInfo("EqualOptions", versions={"int8": 2, "uint8": 2, "int16": 4}),
    "NOT_EQUAL": _OpInfo("NotEqualOptions", versions={"int8": 2, "uint8": 2, "int16": 3}),
    "LESS": _OpInfo("LessOptions", versions={"int8": 2, "int16": 3}),
    "LESS_EQUAL": _OpInfo("LessEqualOptions", versions={"int8": 2}),
    "GREATER": _OpInfo("GreaterOptions", versions={"int8": 2}),
    "GREATER_EQUAL": _OpInfo("GreaterEqualOptions", versions={"int8": 2, "int16": 3}),
    "LOGICAL_AND": _OpInfo("LogicalAndOptions"),
    "LOGICAL_OR": _OpInfo("LogicalOrOptions"),
    "LOGICAL_NOT": _OpInfo("LogicalNotOptions"),
    "ADD_N": _OpInfo("AddNOptions"),
    "SELECT": _OpInfo("SelectOptions", versions={"int8": 2}),
    "SELECT_V2": _OpInfo("SelectV2Options"),
    # The converter writes version 1 for the fully integer LSTM (versions 2-3 are hybrid variants).
    # Resource variables: a handle by (container, shared_name), read, assigned; CALL_ONCE runs an
    # init subgraph on the first invoke.
    "VAR_HANDLE": _OpInfo("VarHandleOptions"),
    "READ_VARIABLE": _OpInfo(),
    "ASSIGN_VARIABLE": _OpInfo(),
    "CALL_ONCE": _OpInfo("CallOnceOptions"),
    "CUSTOM": _OpInfo(),  # OpSpec.custom_code / custom_options
    "UNIDIRECTIONAL_SEQUENCE_LSTM": _OpInfo(
        "UnidirectionalSequenceLSTMOptions",
        {"fused_activation_function": "TANH", "cell_clip": 0.0, "proj_clip": 0.0, "time_major": False},
    ),
}

SUPPORTED_OPS: frozenset[str] = frozenset(_OPS)
# Ops LiteRT's reference resolver (BUILTIN_REF) does not register: their oracle is the builtin one.
NOT_IN_REFERENCE_RESOLVER: frozenset[str] = frozenset({"ELU"})


def _module(name: str) -> ModuleType:
    # The tflite package star-imports every module, so `tflite.Model` is the class and the
    # module-level builder functions (Start, AddX, End) shadow each other; use the module.
    return importlib.import_module(f"tflite.{name}")


def _camel(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


def _enum_value(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    enum_cls = _ENUM_FIELDS.get(key)
    if enum_cls is None or not hasattr(enum_cls, value.upper()):
        raise ValueError(f"option {key}={value!r}: not a known enum value")
    return getattr(enum_cls, value.upper())


def _vector(b: flatbuffers.Builder, values: Any, dtype: Any) -> int:
    return b.CreateNumpyVector(np.asarray(values, dtype=dtype).reshape(-1))


def _offset_vector(b: flatbuffers.Builder, offsets: list[int]) -> int:
    b.StartVector(4, len(offsets), 4)
    for off in reversed(offsets):
        b.PrependUOffsetTRelative(off)
    return b.EndVector()


def _buffer_data(b: flatbuffers.Builder, payload: bytes) -> int:
    # 16-byte alignment so the interpreter can read int32/float data in place.
    b.StartVector(1, len(payload), 16)
    b.head -= len(payload)
    b.Bytes[b.head : b.head + len(payload)] = payload
    b.vectorNumElems = len(payload)  # what CreateNumpyVector does; EndVector(n) is deprecated
    return b.EndVector()


def _constant_bytes(spec: TensorSpec) -> bytes:
    np_dtype = DTYPES[spec.dtype][1]
    raw = np.asarray(spec.data)
    arr = raw.astype(np_dtype)
    if np_dtype.kind in "iu" and not np.array_equal(arr, raw):
        raise ValueError(f"tensor {spec.name!r}: data does not fit {spec.dtype}")
    if arr.size != int(np.prod(spec.shape, dtype=np.int64)):
        raise ValueError(f"tensor {spec.name!r}: {arr.size} values for shape {spec.shape}")
    return arr.astype(np_dtype.newbyteorder("<")).tobytes()


def _quantization(b: flatbuffers.Builder, spec: TensorSpec) -> int | None:
    if spec.scale is None:
        return None
    scales, zero_points = np.broadcast_arrays(
        np.atleast_1d(np.asarray(spec.scale, dtype=np.float32)),
        np.atleast_1d(np.asarray(0 if spec.zero_point is None else spec.zero_point)),
    )
    qp = _module("QuantizationParameters")
    scale_vec = _vector(b, scales, np.float32)
    zp_vec = _vector(b, zero_points, np.int64)
    qp.Start(b)
    qp.AddScale(b, scale_vec)
    qp.AddZeroPoint(b, zp_vec)
    qp.AddQuantizedDimension(b, spec.quantized_dimension)
    return qp.End(b)


def _tensor(b: flatbuffers.Builder, spec: TensorSpec, index: int, buffer: int) -> int:
    mod = _module("Tensor")
    shape = _vector(b, spec.shape, np.int32)
    name = b.CreateString(spec.name or f"t{index}")
    quant = _quantization(b, spec)
    mod.Start(b)
    mod.AddShape(b, shape)
    mod.AddType(b, DTYPES[spec.dtype][0])
    mod.AddBuffer(b, buffer)
    mod.AddName(b, name)
    if quant is not None:
        mod.AddQuantization(b, quant)
    if spec.is_variable:
        mod.AddIsVariable(b, True)
    return mod.End(b)


def _options_table(b: flatbuffers.Builder, options_name: str, values: dict[str, Any]) -> int:
    mod = _module(options_name)
    # Vectors (e.g. ReshapeOptions.new_shape, SqueezeOptions.squeeze_dims; all int32) must be
    # finished before the table starts.
    prepared: dict[str, Any] = {}
    for key, value in values.items():
        if not hasattr(mod, "Add" + _camel(key)):
            raise ValueError(f"{options_name} has no field {key!r}")
        if key in _STRING_FIELDS:
            prepared[key] = b.CreateString(str(value))
        elif isinstance(value, (list, tuple, np.ndarray)):
            prepared[key] = _vector(b, value, np.int32)
        else:
            prepared[key] = _enum_value(key, value)
    mod.Start(b)
    for key, value in prepared.items():
        getattr(mod, "Add" + _camel(key))(b, value)
    return mod.End(b)


def _resolve_options(spec: OpSpec, tensors: list[TensorSpec]) -> dict[str, Any]:
    info = _OPS[spec.op]
    user = spec.options or {}
    if info.options is None:
        if user:
            raise ValueError(f"{spec.op} takes no builtin options, got {sorted(user)}")
        return {}
    ins = [tensors[i] if i >= 0 else None for i in spec.inputs]
    outs = [tensors[i] for i in spec.outputs]
    derived = info.derive(ins, outs) if info.derive else {}
    return {**info.defaults, **derived, **user}


def _op_version(spec: OpSpec, tensors: list[TensorSpec], options: dict[str, Any]) -> int:
    if spec.version is not None:
        return spec.version
    info = _OPS[spec.op]
    keys = spec.outputs if info.version_from_output else spec.inputs
    version = info.versions.get(tensors[keys[0]].dtype, 1) if keys and keys[0] >= 0 else 1
    for key, bumped in info.bumps.items():
        if options.get(key) != info.defaults[key]:
            version = max(version, bumped)
    return version


def _operator_code(b: flatbuffers.Builder, op: str, version: int) -> int:
    custom = op.startswith("CUSTOM:")
    code = BuiltinOperator.CUSTOM if custom else getattr(BuiltinOperator, op)
    mod = _module("OperatorCode")
    custom_code = b.CreateString(op[len("CUSTOM:"):]) if custom else None
    mod.Start(b)
    if custom_code is not None:
        mod.AddCustomCode(b, custom_code)
    mod.AddDeprecatedBuiltinCode(b, min(code, _PLACEHOLDER_FOR_GREATER_OP_CODES))
    mod.AddBuiltinCode(b, code)
    mod.AddVersion(b, version)
    return mod.End(b)


def _operator(b: flatbuffers.Builder, spec: OpSpec, opcode_index: int, options: dict) -> int:
    mod = _module("Operator")
    inputs = _vector(b, spec.inputs, np.int32)
    outputs = _vector(b, spec.outputs, np.int32)
    intermediates = _vector(b, spec.intermediates, np.int32) if spec.intermediates else None
    custom_options = _vector(b, np.frombuffer(spec.custom_options, np.uint8), np.uint8) if spec.custom_options else None
    options_name = _OPS[spec.op].options
    table = _options_table(b, options_name, options) if options_name else None
    mod.Start(b)
    mod.AddOpcodeIndex(b, opcode_index)
    mod.AddInputs(b, inputs)
    mod.AddOutputs(b, outputs)
    if intermediates is not None:
        mod.AddIntermediates(b, intermediates)
    if custom_options is not None:
        mod.AddCustomOptions(b, custom_options)
    if table is not None:
        mod.AddBuiltinOptionsType(b, getattr(BuiltinOptions, options_name))
        mod.AddBuiltinOptions(b, table)
    return mod.End(b)


def _check(
    tensors: list[TensorSpec], ops: list[OpSpec], inputs: list[int], outputs: list[int]
) -> None:
    """Fail in Python with a clear message rather than inside the LiteRT loader."""
    n = len(tensors)
    for spec in tensors:
        if spec.dtype not in DTYPES:
            raise ValueError(f"unknown dtype {spec.dtype!r}")
    for spec in ops:
        if spec.op not in _OPS:
            raise ValueError(f"op {spec.op!r} not in tflite_build's table")
        if (not all(-1 <= i < n for i in spec.inputs) or not all(0 <= i < n for i in spec.outputs)
                or not all(0 <= i < n for i in spec.intermediates)):
            raise ValueError(f"{spec.op}: tensor index out of range")
    if not all(0 <= i < n for i in [*inputs, *outputs]):
        raise ValueError("model input/output index out of range")


@dataclass
class SubgraphSpec:
    """A further subgraph (e.g. the init subgraph a CALL_ONCE runs); indices refer to its own tensors."""

    tensors: list[TensorSpec]
    ops: list[OpSpec]
    inputs: list[int] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)
    name: str = "init"


def build_model(
    tensors: list[TensorSpec], ops: list[OpSpec], inputs: list[int], outputs: list[int],
    subgraphs: list[SubgraphSpec] | None = None,
) -> bytes:
    """Serialize a model; ops run in list order, indices refer to ``tensors``. ``subgraphs`` follow
    the main one (subgraph 0) as subgraphs 1, 2, ..."""
    graphs = [SubgraphSpec(tensors, ops, inputs, outputs, "main"), *(subgraphs or [])]
    for g in graphs:
        _check(g.tensors, g.ops, g.inputs, g.outputs)
    b = flatbuffers.Builder(1024)

    buffer_mod = _module("Buffer")
    buffer_mod.Start(b)
    buffers = [buffer_mod.End(b)]  # buffer 0: the empty sentinel shared by all non-constants
    buffer_of: list[list[int]] = []
    for g in graphs:
        buffer_of.append([0] * len(g.tensors))
        for i, spec in enumerate(g.tensors):
            if spec.data is None:
                continue
            data = _buffer_data(b, _constant_bytes(spec))
            buffer_mod.Start(b)
            buffer_mod.AddData(b, data)
            buffer_of[-1][i] = len(buffers)
            buffers.append(buffer_mod.End(b))

    opcode_index: dict[tuple[str, int], int] = {}
    subgraph_offs = []
    sg = _module("SubGraph")
    for k, g in enumerate(graphs):
        tensor_offs = [_tensor(b, spec, i, buffer_of[k][i]) for i, spec in enumerate(g.tensors)]
        operator_offs = []
        for spec in g.ops:
            options = _resolve_options(spec, g.tensors)
            op_name = f"CUSTOM:{spec.custom_code}" if spec.op == "CUSTOM" else spec.op
            key = (op_name, _op_version(spec, g.tensors, options))
            index = opcode_index.setdefault(key, len(opcode_index))
            operator_offs.append(_operator(b, spec, index, options))
        sg_tensors = _offset_vector(b, tensor_offs)
        sg_inputs = _vector(b, g.inputs, np.int32)
        sg_outputs = _vector(b, g.outputs, np.int32)
        sg_ops = _offset_vector(b, operator_offs)
        sg_name = b.CreateString(g.name)
        sg.Start(b)
        sg.AddTensors(b, sg_tensors)
        sg.AddInputs(b, sg_inputs)
        sg.AddOutputs(b, sg_outputs)
        sg.AddOperators(b, sg_ops)
        sg.AddName(b, sg_name)
        subgraph_offs.append(sg.End(b))
    opcode_offs = [_operator_code(b, op, version) for op, version in opcode_index]

    model = _module("Model")
    codes_vec = _offset_vector(b, opcode_offs)
    subgraphs_vec = _offset_vector(b, subgraph_offs)
    buffers_vec = _offset_vector(b, buffers)
    description = b.CreateString("tinyengine tests/support/tflite_build")
    model.Start(b)
    model.AddVersion(b, 3)
    model.AddOperatorCodes(b, codes_vec)
    model.AddSubgraphs(b, subgraphs_vec)
    model.AddDescription(b, description)
    model.AddBuffers(b, buffers_vec)
    b.Finish(model.End(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def build_single_op_model(
    op: str,
    inputs: list[TensorSpec | None],
    outputs: list[TensorSpec],
    options: dict | None = None,
    intermediates: list[TensorSpec] | None = None,
) -> bytes:
    """One-op model; ``None`` inputs are omitted optionals, constant and variable inputs are not
    model inputs; ``intermediates`` are tensors only referenced for their quantization."""
    tensors: list[TensorSpec] = []
    op_inputs: list[int] = []
    model_inputs: list[int] = []
    for spec in inputs:
        if spec is None:
            op_inputs.append(-1)
            continue
        op_inputs.append(len(tensors))
        if spec.data is None and not spec.is_variable:
            model_inputs.append(len(tensors))
        tensors.append(spec)
    op_outputs = list(range(len(tensors), len(tensors) + len(outputs)))
    tensors.extend(outputs)
    op_intermediates = list(range(len(tensors), len(tensors) + len(intermediates or [])))
    tensors.extend(intermediates or [])
    ops = [OpSpec(op, op_inputs, op_outputs, options, intermediates=op_intermediates)]
    return build_model(tensors, ops, model_inputs, op_outputs)
