"""LiteRT reference oracle: the bytes every generated C model is compared against.

Always BUILTIN_REF with one thread: LiteRT's optimized kernels differ from its reference kernels
by 1 LSB on many real int8 models (see shared/notes/tflite-exactness.md).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tflite
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from tflite.BuiltinOperator import BuiltinOperator

from .tflite_build import DTYPES

ModelLike = bytes | bytearray | str | Path

_NUMPY_OF_TENSOR_TYPE: dict[int, np.dtype] = {tt: dt for tt, dt in DTYPES.values()}

# QuantizationParameters.quantized_dimension is schema field 6: vtable byte offset 4 + 2 * 6.
_QUANTIZED_DIMENSION_VT_OFFSET = 16


@dataclass(frozen=True)
class IOInfo:
    """A model input or output; scale / zero_point are None for unquantized tensors."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    scale: float | None
    zero_point: int | None


def load_model_bytes(path_or_bytes: ModelLike) -> bytes:
    """Model bytes, with out-of-rank quantized_dimension fields set to 0 so LiteRT accepts them.

    tflite-micro/person_detect.tflite has quantized_dimension=3 on rank-1 biases; TFLM ignores
    it, LiteRT refuses the model. The int32 is overwritten in place in a copy (no re-serializing,
    so every other byte stays as the converter wrote it).
    """
    if isinstance(path_or_bytes, (bytes, bytearray)):
        data = bytes(path_or_bytes)
    else:
        data = Path(path_or_bytes).read_bytes()
    patched: bytearray | None = None
    model = tflite.Model.GetRootAs(data, 0)
    for s in range(model.SubgraphsLength()):
        subgraph = model.Subgraphs(s)
        for t in range(subgraph.TensorsLength()):
            tensor = subgraph.Tensors(t)
            quant = tensor.Quantization()
            if quant is None or quant.QuantizedDimension() < max(tensor.ShapeLength(), 1):
                continue
            field = quant._tab.Offset(_QUANTIZED_DIMENSION_VT_OFFSET)
            patched = patched if patched is not None else bytearray(data)
            struct.pack_into("<i", patched, quant._tab.Pos + field, 0)
    return data if patched is None else bytes(patched)


def _subgraph(model_bytes: bytes) -> tuple[tflite.Model, tflite.SubGraph]:
    model = tflite.Model.GetRootAs(model_bytes, 0)
    return model, model.Subgraphs(0)


def _io_info(tensor: tflite.Tensor) -> IOInfo:
    quant = tensor.Quantization()
    scale: float | None = None
    zero_point: int | None = None
    if quant is not None and quant.ScaleLength() > 0:
        scale = float(quant.Scale(0))
        zero_point = int(quant.ZeroPoint(0)) if quant.ZeroPointLength() else 0
    return IOInfo(
        name=(tensor.Name() or b"").decode(),
        shape=tuple(int(d) for d in tensor.ShapeAsNumpy()) if tensor.ShapeLength() else (),
        dtype=_NUMPY_OF_TENSOR_TYPE[tensor.Type()],
        scale=scale,
        zero_point=zero_point,
    )


def model_io(model: ModelLike) -> tuple[list[IOInfo], list[IOInfo]]:
    """Inputs and outputs of subgraph 0, in the model's order (the order run_reference uses)."""
    _, subgraph = _subgraph(load_model_bytes(model))
    inputs = [_io_info(subgraph.Tensors(i)) for i in subgraph.InputsAsNumpy()]
    outputs = [_io_info(subgraph.Tensors(i)) for i in subgraph.OutputsAsNumpy()]
    return inputs, outputs


def _interpreter(model: ModelLike) -> Interpreter:
    interpreter = Interpreter(
        model_content=load_model_bytes(model),
        experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
        num_threads=1,
    )
    interpreter.allocate_tensors()
    return interpreter


def _invoke(interpreter: Interpreter, inputs: list[np.ndarray]) -> list[np.ndarray]:
    details = interpreter.get_input_details()
    if len(inputs) != len(details):
        raise ValueError(f"model has {len(details)} inputs, got {len(inputs)}")
    for detail, value in zip(details, inputs):
        value = np.asarray(value)
        shape = tuple(int(d) for d in detail["shape"])
        if value.dtype != detail["dtype"] or value.shape != shape:
            want = f"{np.dtype(detail['dtype'])}{shape}"
            got = f"{value.dtype}{value.shape}"
            raise ValueError(f"input {detail['name']!r}: want {want}, got {got}")
        interpreter.set_tensor(detail["index"], value)
    interpreter.invoke()
    return [interpreter.get_tensor(d["index"]).copy() for d in interpreter.get_output_details()]


def run_reference(model: ModelLike, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """Run LiteRT's reference kernels once on a fresh interpreter; outputs in model output order.

    A fresh interpreter is the first call of a sequence: variable tensors (LSTM and SVDF states)
    start from their reset values. To compare later calls use run_reference_sequence.
    """
    return _invoke(_interpreter(model), inputs)


def run_reference_sequence(model: ModelLike, input_sets: list[list[np.ndarray]],
                           repeat_after_reset: bool = False) -> list[list[np.ndarray]]:
    """Run every input set in order on ONE interpreter; outputs per set in model output order.

    LiteRT keeps variable tensors (LSTM and SVDF states) between invokes until they are reset, so
    output k depends on sets 0..k. With repeat_after_reset, reset_all_variables() is called after
    the sequence and the same sets run again (their outputs appended): 2 * len(input_sets) results.
    reset_all_variables() leaves resource variables (VAR_HANDLE) as they are; a generated model's
    reset restores them as a new interpreter has them, so for such models the repeat runs on a new
    interpreter.
    """
    interpreter = _interpreter(model)
    outputs = [_invoke(interpreter, inputs) for inputs in input_sets]
    if repeat_after_reset:
        if has_resource_variables(model):
            interpreter = _interpreter(model)
        else:
            interpreter.reset_all_variables()
        outputs += [_invoke(interpreter, inputs) for inputs in input_sets]
    return outputs


def has_resource_variables(model: ModelLike) -> bool:
    """Whether subgraph 0 has a VAR_HANDLE op (resource variables)."""
    flat_model, subgraph = _subgraph(load_model_bytes(model))
    for o in range(subgraph.OperatorsLength()):
        code = flat_model.OperatorCodes(subgraph.Operators(o).OpcodeIndex())
        if max(code.BuiltinCode(), code.DeprecatedBuiltinCode()) == BuiltinOperator.VAR_HANDLE:
            return True
    return False


def _quantize_consumer_range(model: tflite.Model, subgraph: tflite.SubGraph, tensor_index: int
                             ) -> tuple[float, float] | None:
    """Float range a QUANTIZE reading ``tensor_index`` maps onto its full integer range."""
    for o in range(subgraph.OperatorsLength()):
        op = subgraph.Operators(o)
        code = model.OperatorCodes(op.OpcodeIndex())
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        if builtin != BuiltinOperator.QUANTIZE or op.Inputs(0) != tensor_index:
            continue
        out = subgraph.Tensors(op.Outputs(0))
        quant = out.Quantization()
        info = np.iinfo(_NUMPY_OF_TENSOR_TYPE[out.Type()])
        scale, zero_point = float(quant.Scale(0)), int(quant.ZeroPoint(0))
        return (info.min - zero_point) * scale, (info.max - zero_point) * scale
    return None


def _index_ranges(model: tflite.Model, subgraph: tflite.SubGraph, tensor_index: int
                  ) -> np.ndarray | None:
    """[low, high] per element of a model input that an op reads as indices (GATHER positions,
    GATHER_ND indices, SLICE begin, EMBEDDING_LOOKUP rows), so random values stay in range; None
    for other inputs."""
    def shape(i: int) -> list[int]:
        t = subgraph.Tensors(i)
        return [int(d) for d in t.ShapeAsNumpy()] if t.ShapeLength() else []

    for o in range(subgraph.OperatorsLength()):
        op = subgraph.Operators(o)
        code = model.OperatorCodes(op.OpcodeIndex())
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        if builtin == BuiltinOperator.EMBEDDING_LOOKUP and op.InputsLength() == 2 and op.Inputs(0) == tensor_index:
            return np.broadcast_to(np.array([0, shape(op.Inputs(1))[0] - 1]), (*shape(tensor_index), 2))
        if op.InputsLength() < 2 or op.Inputs(1) != tensor_index:
            continue
        params, idx = shape(op.Inputs(0)), shape(tensor_index)
        if builtin == BuiltinOperator.GATHER:
            options = tflite.GatherOptions()
            table = op.BuiltinOptions()
            axis = 0
            if table is not None:
                options.Init(table.Bytes, table.Pos)
                axis = options.Axis()
            high = params[axis % len(params)] - 1
            return np.broadcast_to(np.array([0, high]), (*idx, 2))
        if builtin == BuiltinOperator.GATHER_ND:
            highs = np.array(params[:idx[-1]]) - 1
            return np.broadcast_to(np.stack([np.zeros_like(highs), highs], -1), (*idx, 2))
        if builtin in (BuiltinOperator.SLICE, BuiltinOperator.STRIDED_SLICE):
            out = shape(op.Outputs(0))
            if len(out) == len(params):
                return np.stack([np.zeros(len(params), int), np.array(params) - np.array(out)], -1)
    return None


def random_inputs(model: ModelLike, rng: np.random.Generator) -> list[np.ndarray]:
    """One random input set that exercises the whole quantized range.

    Integer inputs are uniform over their dtype (index inputs of GATHER, GATHER_ND, SLICE and
    EMBEDDING_LOOKUP uniform over the valid indices); bool inputs are fair coin flips; float inputs
    are uniform over what the QUANTIZE consuming them can represent (so the int8 values after it cover
    -128..127), else [-1, 1].
    """
    data = load_model_bytes(model)
    flat_model, subgraph = _subgraph(data)
    infos, _ = model_io(data)
    result = []
    for index, info in zip(subgraph.InputsAsNumpy(), infos):
        ranges = _index_ranges(flat_model, subgraph, int(index)) if info.dtype.kind in "iu" else None
        if ranges is not None:
            low, high = ranges[..., 0], ranges[..., 1]
            result.append((low + np.floor(rng.random(info.shape) * (high - low + 1))).astype(info.dtype))
        elif info.dtype.kind == "b":
            result.append(rng.random(size=info.shape) < 0.5)
        elif info.dtype.kind in "iu":
            limits = np.iinfo(info.dtype)
            result.append(rng.integers(limits.min, limits.max, size=info.shape,
                                       dtype=info.dtype, endpoint=True))
        else:
            low, high = _quantize_consumer_range(flat_model, subgraph, int(index)) or (-1.0, 1.0)
            result.append(rng.uniform(low, high, size=info.shape).astype(info.dtype))
    return result
