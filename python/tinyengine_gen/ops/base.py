"""What lowering an op produces, and helpers shared by op families.

A lowering turns one IR op into a KernelCall: the C template that calls the
kernel, the constants it needs in flash, the params, and what it asks of the
planner (scratch bytes, which outputs may overwrite which inputs).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

import numpy as np

from ..errors import LoweringError
from ..ir import Graph, Op, Tensor

if TYPE_CHECKING:
    from ..patches import BandStage


@dataclass
class ConstArray:
    """A constant array emitted into flash (weights, biases, requantization tables)."""

    ctype: str  # C element type, e.g. "int8_t", "int32_t", "te_fp64_scale"
    data: Any  # np.ndarray, or a list of C initialiser strings for struct arrays
    align: int = 4
    # The array's contents in Helium (TE_USE_MVE) builds when their kernel wants another layout: an
    # np.ndarray of the same size (flash stays the same on every core).
    mve_data: Any = None


@dataclass
class KernelCall:
    op: Op
    template: str  # file under templates/ops/
    header: str  # kernel header to include, e.g. "tinyengine/te_conv.h"
    inputs: list[Tensor]  # tensors read (arena or constant)
    outputs: list[Tensor]  # tensors written (arena)
    params: dict[str, Any] = field(default_factory=dict)
    consts: dict[str, ConstArray] = field(default_factory=dict)
    scratch_bytes: int = 0  # kernel scratch, live only during this call
    inplace: list[tuple[int, int]] = field(default_factory=list)  # (output idx, input idx) may share
    macs: int = 0
    note: str = ""  # short description for reports (kernel variant)
    # Control flow (IF / WHILE): the subgraphs the call runs, each lowered and planned on its own
    # (ops.control_flow.Nested); codegen renders their code into the template's `nested`.
    nested: list[Any] = field(default_factory=list)

    def band_stage(self) -> Optional[BandStage]:
        """The patch-based stage this call runs band by band (patches.StageCall), else None: how
        the CLI, codegen, report and summary tell a stage from a kernel call."""
        return None


Lowering = Callable[[Op, Graph], KernelCall]

# Activation types an op can be lowered for. "uint8" means legacy uint8 models (moved to int8
# storage by passes.normalize_uint8; the lowering sees int8 tensors and op.context.legacy_uint8).
TYPE_NAMES = ("int8", "uint8", "int16", "int32", "int64", "float32", "bool")
SIMD_PATHS = ("dsp", "mve")  # kernel paths beyond the portable C one (Arm DSP, Helium)


@dataclass(frozen=True)
class OpEntry:
    """One registered lowering: the TFLite op it handles, for which activation types, and which
    SIMD kernel paths exist beside the portable C one (the README's op table lists these)."""

    kind: str
    dtypes: tuple[str, ...]
    lowering: Lowering
    simd: tuple[str, ...] = ()
    note: str = ""  # one short qualifier for the op table, e.g. "float model edges"


# Ops whose activation input is not their first input: kind -> index of the activation input
# (TRANSPOSE_CONV's data comes third; SPLIT's axis and EMBEDDING_LOOKUP's lookup come first).
# register(..., type_input=i) adds its kinds.
ACTIVATION_INPUT = {"TRANSPOSE_CONV": 2}
TYPE_INPUT = ACTIVATION_INPUT


def type_key(op: Op) -> str:
    """The activation type an op instance is lowered for: the dtype of its first input (legacy
    uint8 ops are in int8 storage by now), or of its first output for ops without inputs."""
    k = ACTIVATION_INPUT.get(op.kind, 0)
    first = (op.inputs[k] if len(op.inputs) > k else None) if k else None
    first = first or next((t for t in op.inputs if t is not None), None) or (op.outputs[0] if op.outputs else None)
    if first is None:
        return "none"
    if op.context.legacy_uint8 and first.dtype == "int8":
        return "uint8"
    return first.dtype


ENTRIES: dict[str, list[OpEntry]] = {}


def lowering_for(op: Op) -> Optional[Lowering]:
    """The lowering registered for this op's kind and type key, None when there is none."""
    key = type_key(op)
    for entry in ENTRIES.get(op.kind, []):
        if key in entry.dtypes:
            return entry.lowering
    return None


# kind -> evaluates an op whose inputs are all constants at generation time (passes.fold_constants):
# one array per output, or None to leave the op for run time. Filled by @folder in op families.
Folder = Callable[[Op], Optional[list[np.ndarray]]]
FOLDERS: dict[str, Folder] = {}


def folder(*kinds: str) -> Callable[[Folder], Folder]:
    def deco(fn: Folder) -> Folder:
        for k in kinds:
            FOLDERS[k] = fn
        return fn
    return deco


# kind -> a lowering that dispatches on the op's type key: `REGISTRY[op.kind](op, graph)`.
REGISTRY: dict[str, Lowering] = {}
# Ops handled before lowering (folded or turned into aliases by passes).
PASS_HANDLED: set[str] = set()


def _dispatch(kind: str) -> Lowering:
    def lower(op: Op, graph: Graph) -> KernelCall:
        fn = lowering_for(op)
        if fn is None:
            raise LoweringError(f"{op.kind} at op index {op.index}: {type_key(op)} tensors are not supported "
                                f"(supported: {', '.join(supported_types(op.kind))})")
        return fn(op, graph)
    lower.__name__ = f"lower_{kind.lower()}"
    return lower


def supported_types(kind: str) -> list[str]:
    return [d for d in TYPE_NAMES if any(d in e.dtypes for e in ENTRIES.get(kind, []))]


def register(*kinds: str, dtypes: tuple[str, ...] = ("int8", "uint8"), simd: tuple[str, ...] = (),
             note: str = "", type_input: int = 0) -> Callable[[Lowering], Lowering]:
    """Register a lowering for ops `kinds` with activation types `dtypes` (the dtype of input
    `type_input`, 0 unless the op's data comes later). Two lowerings of one kind must not share a
    type; each type of a kind is one lowering (and one reference kernel)."""
    unknown = [d for d in dtypes if d not in TYPE_NAMES] + [s for s in simd if s not in SIMD_PATHS]
    if unknown:
        raise ValueError(f"register{kinds}: unknown type or SIMD path {unknown}")

    def deco(fn: Lowering) -> Lowering:
        for k in kinds:
            entries = ENTRIES.setdefault(k, [])
            clash = [d for e in entries for d in e.dtypes if d in dtypes]
            if clash:
                raise ValueError(f"{k}: types {clash} are registered twice")
            entries.append(OpEntry(kind=k, dtypes=tuple(dtypes), lowering=fn, simd=tuple(simd), note=note))
            if type_input:
                TYPE_INPUT[k] = type_input
            if k not in REGISTRY:
                REGISTRY[k] = _dispatch(k)
        return fn
    return deco


def fused_activation(op: Op) -> str:
    return str(op.options.get("fused_activation_function", "NONE"))


def require(cond: bool, op: Op, what: str) -> None:
    if not cond:
        raise LoweringError(f"{op.kind} at op index {op.index}: {what}")


def variable_state(op: Op, graph: Graph, t: Optional[Tensor], what: str) -> Tensor:
    """A stateful op's state input (LSTM, SVDF), which keeps its value between invokes in the
    arena's state region. It must be a variable tensor that no op writes and that is no model input
    or output; a constant given instead (LiteRT refuses those) becomes a variable that starts from,
    and resets to, its data."""
    require(t is not None, op, f"missing {what} tensor")
    assert t is not None
    require(t not in graph.inputs and t not in graph.outputs and graph.producer(t) is None and t.alias_of is None,
            op, f"{what} tensor '{t.name}' must be a variable tensor (not a model input or output)")
    if t.is_const:
        t.initial, t.data = t.data, None
    t.is_variable = True
    return t


def all_present(op: Op, tensors: Sequence[Optional[Tensor]]) -> list[Tensor]:
    """Tensors an op has already checked are all there (optional inputs it requires), typed so."""
    present = [t for t in tensors if t is not None]
    require(len(present) == len(tensors), op, "a required input is missing")
    return present


def require_quant(op: Op, *tensors: Optional[Tensor]) -> None:
    for t in tensors:
        require(t is not None and t.quant is not None, op,
                f"tensor '{t.name if t else '?'}' has no quantization parameters (tinyengine needs int8 quantized models)")


def out_size(padding: str, in_size: int, k: int, stride: int, dilation: int = 1) -> int:
    eff = (k - 1) * dilation + 1
    if padding == "SAME":
        return (in_size + stride - 1) // stride
    return (in_size + stride - eff) // stride


def same_padding(padding: str, in_size: int, k: int, stride: int, dilation: int, out: int) -> tuple[int, int]:
    """TFLite ComputePaddingWithOffset: (before, after); SAME puts the odd pixel after."""
    if padding != "SAME":
        return 0, 0
    eff = (k - 1) * dilation + 1
    total = max((out - 1) * stride + eff - in_size, 0)
    return total // 2, total // 2 + total % 2


def strides_and_dilations(op: Op) -> tuple[int, int, int, int]:
    """(stride_h, stride_w, dilation_h, dilation_w) of a convolution, checked positive."""
    o = op.options
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    dh, dw = int(o.get("dilation_h_factor", 1)), int(o.get("dilation_w_factor", 1))
    require(sh > 0 and sw > 0 and dh > 0 and dw > 0, op, "strides and dilations must be positive")
    return sh, sw, dh, dw


def window_geometry(op: Op, ih: int, iw: int, kh: int, kw: int, sh: int, sw: int,
                    dh: int = 1, dw: int = 1) -> tuple[int, int, int, int]:
    """(out_h, out_w, pad_top, pad_left) of a sliding-window op: SAME/VALID as TFLite computes
    them, or the explicit padding a fused PAD left in op.context.explicit_padding
    (top, bottom, left, right), which behaves as VALID over the padded input."""
    explicit = op.context.explicit_padding
    if explicit is not None:
        top, bottom, left, right = explicit
        oh = out_size("VALID", ih + top + bottom, kh, sh, dh)
        ow = out_size("VALID", iw + left + right, kw, sw, dw)
        return oh, ow, top, left
    padding = str(op.options.get("padding", "VALID"))
    oh, ow = out_size(padding, ih, kh, sh, dh), out_size(padding, iw, kw, sw, dw)
    return oh, ow, same_padding(padding, ih, kh, sh, dh, oh)[0], same_padding(padding, iw, kw, sw, dw, ow)[0]


@dataclass(frozen=True)
class ConvShape:
    """The sizes of a 2-D convolution and its sliding window, checked: what every lowering of
    CONV_2D (OHWI filter) and DEPTHWISE_CONV_2D ([1, H, W, C] filter) reads, whatever the types."""

    n: int
    ih: int
    iw: int
    ic: int
    oc: int
    kh: int
    kw: int
    fic: int  # filter input channels (CONV_2D: ic / groups; depthwise: 1)
    sh: int
    sw: int
    dh: int
    dw: int
    oh: int
    ow: int
    pad_top: int
    pad_left: int

    @property
    def depth_multiplier(self) -> int:
        return self.oc // self.ic

    @property
    def sizes(self) -> tuple[int, int, int, int, int, int, int, int]:
        """(n, ih, iw, ic, oc, kh, kw, fic)"""
        return self.n, self.ih, self.iw, self.ic, self.oc, self.kh, self.kw, self.fic

    @property
    def window(self) -> tuple[int, int, int, int, int, int, int, int]:
        """(sh, sw, dh, dw, oh, ow, pad_top, pad_left)"""
        return self.sh, self.sw, self.dh, self.dw, self.oh, self.ow, self.pad_top, self.pad_left


def _window_shape(op: Op, y: Tensor, n: int, ih: int, iw: int, ic: int, oc: int, kh: int, kw: int,
                  fic: int) -> ConvShape:
    padding = str(op.options.get("padding", "VALID"))
    require(padding in ("SAME", "VALID"), op, f"unknown padding {padding}")
    sh, sw, dh, dw = strides_and_dilations(op)
    oh, ow, pad_top, pad_left = window_geometry(op, ih, iw, kh, kw, sh, sw, dh, dw)
    require(oh > 0 and ow > 0, op, f"output would be {oh}x{ow}: filter larger than the (dilated) input")
    require(tuple(int(d) for d in y.shape) == (n, oh, ow, oc), op,
            f"output shape {y.shape} does not match {(n, oh, ow, oc)}")
    return ConvShape(n, ih, iw, ic, oc, kh, kw, fic, sh, sw, dh, dw, oh, ow, pad_top, pad_left)


def conv_shape(op: Op, x: Tensor, w: Tensor, y: Tensor) -> ConvShape:
    """CONV_2D: NHWC input, OHWI filter, channel groups (ic a multiple of the filter's)."""
    require(len(x.shape) == 4 and len(w.shape) == 4, op, "expects 4-D NHWC input and OHWI filter")
    n, ih, iw, ic = (int(d) for d in x.shape)
    oc, kh, kw, fic = (int(d) for d in w.shape)
    require(min(ih, iw, ic, oc, kh, kw, fic) > 0, op, "empty input or filter dimension")
    require(ic % fic == 0 and oc % (ic // fic) == 0, op, "channel groups do not divide the channels")
    return _window_shape(op, y, n, ih, iw, ic, oc, kh, kw, fic)


def depthwise_shape(op: Op, x: Tensor, w: Tensor, y: Tensor) -> ConvShape:
    """DEPTHWISE_CONV_2D: NHWC input and output, [1, H, W, C] filter, C a multiple of the input's."""
    require(len(x.shape) == 4 and len(w.shape) == 4 and len(y.shape) == 4, op,
            "expects 4-D NHWC input/output and a [1, H, W, C] filter")
    n, ih, iw, ic = (int(d) for d in x.shape)
    one, kh, kw, oc = (int(d) for d in w.shape)
    require(one == 1, op, f"filter must be [1, H, W, C], got {w.shape}")
    require(min(ih, iw, ic, kh, kw, oc) > 0, op, "empty input or filter dimension")
    require(oc % ic == 0, op, f"filter channels {oc} are not a multiple of input channels {ic}")
    return _window_shape(op, y, n, ih, iw, ic, oc, kh, kw, 1)


def i32(values: np.ndarray) -> ConstArray:
    return ConstArray("int32_t", np.asarray(values, dtype=np.int32))
