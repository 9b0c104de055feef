"""The small typed IR every later stage works on.

Tensors carry shape, dtype, quantization and (for constants) their data.
A tensor can be an alias (a view) of another one: RESHAPE and friends become
aliases, so they cost neither a copy nor arena space. The planner works on
buffer roots (`Tensor.root`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from .errors import InternalError, LoweringError, printable

DTYPE_BYTES = {
    "int8": 1, "uint8": 1, "int16": 2, "int32": 4, "int64": 8,
    "float32": 4, "bool": 1, "resource": 4,
}
NUMPY_DTYPES: dict[str, type[np.generic]] = {
    "int8": np.int8, "uint8": np.uint8, "int16": np.int16, "int32": np.int32,
    "int64": np.int64, "float32": np.float32, "bool": np.bool_,
}
C_TYPES = {
    "int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int32_t",
    "int64": "int64_t", "float32": "float", "bool": "uint8_t", "resource": "int32_t",
}


@dataclass
class Quant:
    """Affine quantization: real = scale * (q - zero_point), per tensor or per axis."""

    scale: np.ndarray  # float32, shape (1,) or (channels,)
    zero_point: np.ndarray  # int64, same shape as scale
    axis: int = 0

    @property
    def per_channel(self) -> bool:
        return self.scale.size > 1

    @property
    def s(self) -> float:
        """The per-tensor scale (as the float32 TFLite stores)."""
        return float(self.scale[0])

    @property
    def zp(self) -> int:
        return int(self.zero_point[0])


@dataclass(eq=False)
class Tensor:
    id: int
    name: str
    shape: tuple[int, ...]
    dtype: str
    quant: Optional[Quant] = None
    data: Optional[np.ndarray] = None  # set for constants (weights, biases, shapes)
    alias_of: Optional["Tensor"] = None  # a view of another tensor's buffer
    alias_offset: int = 0  # bytes into alias_of's buffer where this view starts (slice views)
    # A variable tensor (LSTM / SVDF state, a resource variable) keeps its value between invokes,
    # in the arena's state region; `initial` is its value after a reset when the model gives one.
    is_variable: bool = False
    initial: Optional[np.ndarray] = None

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def q(self) -> Quant:
        """The quantization of a tensor an op has already required to be quantized (`require_quant`):
        typed as present, so lowerings need no Optional checks after that."""
        if self.quant is None:
            raise InternalError(f"tensor {self.id} ('{printable(self.name)}') has no quantization parameters")
        return self.quant

    @property
    def const_data(self) -> np.ndarray:
        """The data of a tensor an op has already required to be constant."""
        if self.data is None:
            raise InternalError(f"tensor {self.id} ('{printable(self.name)}') is not a constant")
        return self.data

    @property
    def root(self) -> "Tensor":
        t, hops = self, 0
        while t.alias_of is not None:
            t, hops = t.alias_of, hops + 1
            if hops > 100_000:  # validate.py refuses alias cycles; never loop forever regardless
                raise ValueError(f"tensor {self.id} is a view of itself (alias cycle)")
        return t

    @property
    def view_offset(self) -> int:
        """Byte offset of this tensor in its root's buffer (0 unless it is a slice view)."""
        off, t = 0, self
        while t.alias_of is not None:
            off, t = off + t.alias_offset, t.alias_of
        return off

    @property
    def is_partial_view(self) -> bool:
        """A view of only part of its root's buffer (a slice view): it cannot be written in place."""
        return self.alias_of is not None and (self.view_offset != 0 or self.nbytes != self.root.nbytes)

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= int(d)
        return n

    @property
    def nbytes(self) -> int:
        return self.size * DTYPE_BYTES[self.dtype]

    @property
    def ctype(self) -> str:
        return C_TYPES[self.dtype]

    def reset_value(self) -> np.ndarray:
        """A variable's value after a reset: its initial data when the model gives one, else what
        LiteRT's ResetVariableTensor writes (an int8 tensor's zero point, 0 for any other type)."""
        if self.initial is not None:
            return np.asarray(self.initial, dtype=NUMPY_DTYPES[self.dtype]).reshape(self.shape)
        fill = self.quant.zp if (self.dtype == "int8" and self.quant is not None) else 0
        return np.full(self.shape, fill, dtype=NUMPY_DTYPES[self.dtype])

    def __repr__(self) -> str:
        return f"Tensor({self.id}, {self.name!r}, {self.shape}, {self.dtype})"


@dataclass
class LoweringContext:
    """What the reader, the passes and the patch planner found about one op beyond its TFLite
    builtin options, for its lowering: typed fields (checked by mypy), never keys mixed into
    `Op.options`, which holds only what the model's flatbuffer says."""

    builtin_code: Optional[int] = None  # the operator code as read (custom ops keep theirs)
    custom_options: Optional[bytes] = None  # a CUSTOM op's raw (flexbuffer) options
    custom_function: Optional[str] = None  # --custom-ops: the te_custom_ function this op calls
    intermediates: list[Tensor] = field(default_factory=list)  # quantization-only tensors (integer LSTM)
    subgraphs: dict[str, "Graph"] = field(default_factory=dict)  # IF: then/else; WHILE: cond/body
    # passes.normalize_uint8: a legacy uint8 op, its tensors shifted to int8 (zero point - 128),
    # and which positions held uint8 (ops mixing types, e.g. CAST, need to know after the shift).
    legacy_uint8: bool = False
    uint8_inputs: list[int] = field(default_factory=list)
    uint8_outputs: list[int] = field(default_factory=list)
    # passes: a PAD fused into this VALID convolution (top, bottom, left, right).
    explicit_padding: Optional[tuple[int, int, int, int]] = None
    # patches: this op lowered for one band of rows, and (depthwise) the kernel form the full
    # layer took, which the band must keep so the stage's buffers stay what was planned.
    band: bool = False
    dw_direct: Optional[bool] = None
    # layout: a multi-output op whose other outputs became views keeps every output here.
    all_outputs: Optional[list[Tensor]] = None
    # resize: a RESIZE_BILINEAR fused with the ARG_MAX / ARG_MIN reading it.
    fused_arg: Optional[str] = None
    resize_index: Optional[int] = None


@dataclass(eq=False)
class Op:
    index: int  # index of the op in the original model (for error messages and reports)
    kind: str  # BuiltinOperator name, e.g. "CONV_2D"
    inputs: list[Optional[Tensor]]
    outputs: list[Tensor]
    options: dict[str, Any] = field(default_factory=dict)  # the model's builtin options, as read
    context: LoweringContext = field(default_factory=LoweringContext)

    def input(self, i: int) -> Tensor:
        """Input `i`, which the op requires (`inputs[i]` is None where the model leaves an optional
        input out): a model that leaves it out, or gives fewer inputs, is refused in one line."""
        t = self.inputs[i] if -len(self.inputs) <= i < len(self.inputs) else None
        if t is None:
            raise LoweringError(f"{self.kind} at op index {self.index}: input {i} is missing")
        return t

    def __repr__(self) -> str:
        return f"Op({self.index}, {self.kind})"


@dataclass
class Graph:
    name: str
    tensors: list[Tensor]
    ops: list[Op]
    inputs: list[Tensor]
    outputs: list[Tensor]
    source: str = ""  # the model file, for messages
    # Resource variables' initial values by (container, shared_name), from CALL_ONCE init subgraphs.
    variable_init: dict[tuple[str, str], "Tensor"] = field(default_factory=dict)
    # --custom-ops: the te_custom_ functions the application writes (ops.custom.CustomFunction)
    custom_functions: list[Any] = field(default_factory=list)

    def consumers(self, tensor: Tensor) -> list[Op]:
        return [op for op in self.ops if any(t is tensor for t in op.inputs)]

    def producer(self, tensor: Tensor) -> Optional[Op]:
        for op in self.ops:
            if any(t is tensor for t in op.outputs):
                return op
        return None
