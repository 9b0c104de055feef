"""Reads a .tflite flatbuffer into the IR (ir.Graph).

Everything a user can hand us is checked here first, so that later stages can
trust shapes and types: a bad file becomes one ModelFormatError line.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

import numpy as np

from .errors import ModelFormatError, UnsupportedModelError, printable
from .ir import NUMPY_DTYPES, Graph, LoweringContext, Op, Quant, Tensor

try:  # the flatbuffer schema classes
    import tflite
    from tflite.ActivationFunctionType import ActivationFunctionType
    from tflite.BuiltinOperator import BuiltinOperator
    from tflite.BuiltinOptions import BuiltinOptions
    from tflite.Padding import Padding
    from tflite.TensorType import TensorType
except ImportError as exc:  # pragma: no cover - dependency declared in pyproject
    raise SystemExit(f"tinyengine-gen: error: the 'tflite' package is missing ({exc}); pip install tflite") from exc


def _enum_names(enum_cls: type) -> dict[int, str]:
    return {v: k for k, v in vars(enum_cls).items() if not k.startswith("_") and isinstance(v, int)}


OPERATOR_NAMES = _enum_names(BuiltinOperator)
OPTIONS_NAMES = _enum_names(BuiltinOptions)
PADDING_NAMES = _enum_names(Padding)
ACTIVATION_NAMES = _enum_names(ActivationFunctionType)
TENSOR_TYPES = {
    TensorType.INT8: "int8", TensorType.UINT8: "uint8", TensorType.INT16: "int16",
    TensorType.INT32: "int32", TensorType.INT64: "int64", TensorType.FLOAT32: "float32",
    TensorType.BOOL: "bool", TensorType.RESOURCE: "resource",
}
ENUM_OPTION_FIELDS = {"padding": PADDING_NAMES, "fused_activation_function": ACTIVATION_NAMES}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _parse_options(op: "tflite.Operator") -> dict[str, Any]:
    """Builtin options as a plain dict with snake_case keys and enum names as strings."""
    kind = op.BuiltinOptionsType()
    if kind == 0:
        return {}
    cls_name = OPTIONS_NAMES.get(kind)
    cls = getattr(tflite, cls_name, None) if cls_name else None
    table = op.BuiltinOptions()
    if cls is None or table is None:
        return {}
    opts = cls()
    opts.Init(table.Bytes, table.Pos)
    out: dict[str, Any] = {}
    for attr in dir(cls):
        if not attr[:1].isupper() or attr in ("Init",) or attr.startswith("GetRootAs"):
            continue
        if attr.endswith(("AsNumpy", "Length", "IsNone", "BufferHasIdentifier")):
            continue
        key = _snake(attr)
        if hasattr(cls, attr + "AsNumpy"):
            arr = getattr(opts, attr + "AsNumpy")()
            out[key] = [] if isinstance(arr, int) else [int(x) for x in arr]
            continue
        try:
            value = getattr(opts, attr)()
        except TypeError:  # accessor that needs an index
            continue
        if key in ENUM_OPTION_FIELDS:
            value = ENUM_OPTION_FIELDS[key].get(value, str(value))
        out[key] = value
    return out


def _buffer_data(model: "tflite.Model", raw: bytes, index: int) -> Optional[bytes]:
    if index == 0 or index >= model.BuffersLength():
        return None
    buf = model.Buffers(index)
    if buf.DataLength() > 0:
        return buf.DataAsNumpy().tobytes()
    offset = buf.Offset() if hasattr(buf, "Offset") else 0
    size = buf.Size() if hasattr(buf, "Size") else 0
    if offset > 1 and size > 0:  # large models keep data after the flatbuffer
        if offset + size > len(raw):
            raise ModelFormatError(f"buffer {index} points past the end of the file (truncated model?)")
        return raw[offset:offset + size]
    return None


def _quant(t: "tflite.Tensor") -> Optional[Quant]:
    q = t.Quantization()
    if q is None or q.ScaleLength() == 0:
        return None
    scale = q.ScaleAsNumpy().astype(np.float32)
    zp = q.ZeroPointAsNumpy() if q.ZeroPointLength() else np.zeros(scale.shape, np.int64)
    zp = np.asarray(zp, dtype=np.int64)
    if zp.size == 1 and scale.size > 1:
        zp = np.full(scale.shape, int(zp[0]), np.int64)
    axis = q.QuantizedDimension()
    rank = t.ShapeLength()
    # TFLM ignores a quantized dimension outside the rank (person_detect has 3 on rank-1 biases).
    if scale.size == 1 or axis >= max(rank, 1):
        axis = 0 if scale.size == 1 or axis >= max(rank, 1) else axis
    return Quant(scale=scale, zero_point=zp, axis=axis)


def read_model(path: str | Path, name: Optional[str] = None) -> Graph:
    path = Path(path)
    if not path.exists():
        raise ModelFormatError(f"model file not found: {path}")
    if path.is_dir():
        raise ModelFormatError(f"model path is a directory, not a .tflite file: {path}")
    raw = path.read_bytes()
    return read_model_bytes(raw, name or path.stem, source=str(path))


def read_model_bytes(raw: bytes, name: str, source: str = "<bytes>") -> Graph:
    if len(raw) == 0:
        raise ModelFormatError(f"{source}: empty file, not a .tflite model")
    if len(raw) < 16 or raw[4:8] != b"TFL3":
        raise ModelFormatError(f"{source}: not a .tflite model (no TFL3 flatbuffer identifier)")
    try:
        return _read(raw, name, source)
    except (ModelFormatError, UnsupportedModelError):
        raise
    except Exception:  # a corrupt flatbuffer raises anything from struct/index errors: no internals shown
        raise ModelFormatError(
            f"{source}: corrupt or truncated .tflite model (its flatbuffer tables point outside its "
            f"{len(raw):,} bytes or hold invalid offsets)") from None


def _read_subgraph(model: "tflite.Model", raw: bytes, index: int,
                   source: str) -> tuple[list[Tensor], list[Op], list[Tensor], list[Tensor]]:
    """Tensors, ops, inputs and outputs of one subgraph (0: the model's; others: e.g. the init
    subgraph a CALL_ONCE runs, whose messages name it)."""
    sg = model.Subgraphs(index)
    if index:
        source = f"{source}: subgraph {index}"
    tensors: list[Tensor] = []
    for i in range(sg.TensorsLength()):
        t = sg.Tensors(i)
        ttype = t.Type()
        dtype = TENSOR_TYPES.get(ttype)
        shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        tname = (t.Name() or b"").decode("utf-8", "replace")
        if dtype is None:
            dtype = f"unsupported-type-{ttype}"
        if t.ShapeSignatureLength() and any(int(d) < 0 for d in t.ShapeSignatureAsNumpy()[1:]):
            raise UnsupportedModelError(
                f"{source}: tensor {i} '{printable(tname)}' has a dynamic shape; tinyengine needs static shapes")
        data = None
        raw_data = _buffer_data(model, raw, t.Buffer())
        if raw_data is not None and dtype in NUMPY_DTYPES:
            arr = np.frombuffer(raw_data, dtype=NUMPY_DTYPES[dtype])
            expected = int(np.prod(shape)) if shape else 1
            if arr.size != expected:
                raise ModelFormatError(f"{source}: constant tensor {i} '{printable(tname)}' holds {arr.size} "
                                       f"values for shape {list(shape)}")
            data = arr.reshape(shape).copy()
        is_variable = bool(t.IsVariable())
        initial = None
        if is_variable and data is not None:  # LiteRT refuses these; the data is taken as the initial value
            initial, data = data, None
        tensors.append(Tensor(id=i, name=tname, shape=shape, dtype=dtype, quant=_quant(t), data=data,
                              is_variable=is_variable, initial=initial))

    def tensor_at(idx: int, what: str) -> Optional[Tensor]:
        if idx < 0:
            return None
        if idx >= len(tensors):
            raise ModelFormatError(f"{source}: {what} refers to tensor {idx}, the model has {len(tensors)}")
        return tensors[idx]

    ops: list[Op] = []
    for i in range(sg.OperatorsLength()):
        o = sg.Operators(i)
        if o.OpcodeIndex() >= model.OperatorCodesLength():
            raise ModelFormatError(f"{source}: op {i} has an invalid opcode index")
        code = model.OperatorCodes(o.OpcodeIndex())
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        kind = OPERATOR_NAMES.get(builtin, f"BUILTIN_{builtin}")
        if kind == "CUSTOM":
            kind = f"CUSTOM:{(code.CustomCode() or b'?').decode('utf-8', 'replace')}"
        ins = [tensor_at(int(x), f"op {i}") for x in (o.InputsAsNumpy() if o.InputsLength() else [])]
        outs = [tensor_at(int(x), f"op {i}") for x in (o.OutputsAsNumpy() if o.OutputsLength() else [])]
        options = _parse_options(o)
        context = LoweringContext(builtin_code=int(builtin))
        if kind.startswith("CUSTOM:") and o.CustomOptionsLength():
            context.custom_options = o.CustomOptionsAsNumpy().tobytes()
        if o.IntermediatesLength():
            # Quantization-only tensors (the integer LSTM's gate and hidden scales): never read or written.
            context.intermediates = [t for x in o.IntermediatesAsNumpy()
                                     if (t := tensor_at(int(x), f"op {i}")) is not None]
        ops.append(Op(index=i, kind=kind, inputs=ins, outputs=[t for t in outs if t is not None],
                      options=options, context=context))

    def io_list(indices: Any, what: str) -> list[Tensor]:
        out = []
        for x in indices:
            t = tensor_at(int(x), what)
            if t is None:
                raise ModelFormatError(f"{source}: {what} holds the negative tensor index {int(x)}")
            out.append(t)
        return out

    inputs = io_list(sg.InputsAsNumpy() if sg.InputsLength() else [], "the model's input list")
    outputs = io_list(sg.OutputsAsNumpy() if sg.OutputsLength() else [], "the model's output list")
    return tensors, ops, inputs, outputs


def variable_key(op: Op) -> tuple[str, str]:
    """A VAR_HANDLE's resource: (container, shared_name), as LiteRT keys it."""
    def text(v: object) -> str:
        return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v or "")
    return text(op.options.get("container")), text(op.options.get("shared_name"))


def _init_values(model: "tflite.Model", raw: bytes, ops: list[Op], source: str) -> dict[tuple[str, str], Tensor]:
    """The resource variables' initial values: what the init subgraphs the CALL_ONCE ops name assign.

    LiteRT runs such a subgraph once, at the first invoke; evaluated here, once, at generation time.
    Only constant assignments are understood (what the converter writes for tf.Variable initial
    values)."""
    values: dict[tuple[str, str], Tensor] = {}
    for op in ops:
        if op.kind != "CALL_ONCE":
            continue
        index = int(op.options.get("init_subgraph_index", -1))
        if not 0 < index < model.SubgraphsLength():
            raise ModelFormatError(f"{source}: CALL_ONCE at op index {op.index} names subgraph {index}, "
                                   f"the model has {model.SubgraphsLength()}")
        _, init_ops, _, _ = _read_subgraph(model, raw, index, source)
        handles: dict[int, tuple[str, str]] = {}
        for iop in init_ops:
            if iop.kind == "VAR_HANDLE" and iop.outputs:
                handles[id(iop.outputs[0])] = variable_key(iop)
            elif (iop.kind == "ASSIGN_VARIABLE" and len(iop.inputs) == 2 and iop.inputs[0] is not None
                  and id(iop.inputs[0]) in handles and iop.inputs[1] is not None and iop.inputs[1].is_const):
                values[handles[id(iop.input(0))]] = iop.input(1)
            else:
                raise UnsupportedModelError(
                    f"{source}: init subgraph {index} (CALL_ONCE at op index {op.index}): only constant variable "
                    f"assignments are supported, found {printable(iop.kind)} at its op index {iop.index}")
    return values


# Control-flow ops and the option keys naming their subgraphs (read into op.context.subgraphs).
CONTROL_FLOW = {"IF": ("then_subgraph_index", "else_subgraph_index"),
                "WHILE": ("cond_subgraph_index", "body_subgraph_index")}
MAX_SUBGRAPH_NESTING = 8


def _attach_subgraphs(model: "tflite.Model", raw: bytes, ops: list[Op], name: str, source: str,
                      chain: tuple[int, ...]) -> None:
    """Read the subgraphs each IF / WHILE op runs (recursively) into op.context.subgraphs
    ({"then": Graph, "else": Graph} or {"cond": ..., "body": ...}). A subgraph that would run
    itself (recursion, which LiteRT never finishes) or nesting deeper than 8 is refused."""
    for op in ops:
        keys = CONTROL_FLOW.get(op.kind)
        if keys is None:
            continue
        graphs: dict[str, Graph] = {}
        for key in keys:
            index = int(op.options.get(key, -1))
            if not 0 <= index < model.SubgraphsLength():
                raise ModelFormatError(f"{source}: {op.kind} at op index {op.index} names subgraph {index}, "
                                       f"the model has {model.SubgraphsLength()}")
            if index in chain or len(chain) > MAX_SUBGRAPH_NESTING:
                raise UnsupportedModelError(f"{source}: {op.kind} at op index {op.index} runs subgraph {index} "
                                            "recursively or nested too deep (at most 8 levels)")
            tensors, sub_ops, inputs, outputs = _read_subgraph(model, raw, index, source)
            sub = Graph(name=f"{name}_subgraph{index}", tensors=tensors, ops=sub_ops, inputs=inputs,
                        outputs=outputs, source=f"{source}: subgraph {index}")
            _attach_subgraphs(model, raw, sub_ops, name, source, chain + (index,))
            graphs[key.split("_")[0]] = sub
        op.context.subgraphs = graphs


def _read(raw: bytes, name: str, source: str) -> Graph:
    model = tflite.Model.GetRootAsModel(raw, 0)
    if model.SubgraphsLength() < 1:
        raise ModelFormatError(f"{source}: the model has no subgraph")
    tensors, ops, inputs, outputs = _read_subgraph(model, raw, 0, source)
    if not inputs or not outputs:
        raise ModelFormatError(f"{source}: the model declares no inputs or no outputs")
    graph = Graph(name=name, tensors=tensors, ops=ops, inputs=inputs, outputs=outputs, source=source)
    graph.variable_init = _init_values(model, raw, ops, source)
    _attach_subgraphs(model, raw, ops, name, source, (0,))
    return graph
