"""Patch-based execution: a CNN's memory-heavy early stage, run band by band.

MCUNetV2 runs the first layers of a CNN on spatial patches so that, of the big early tensors,
only the stage's input and output are ever whole in memory; the peak falls to what the later
layers need. Here a patch is a *band*: full-width rows of the stage's last tensor. Bands
instead of a 2-D grid because a band of an NHWC tensor is contiguous, so every kernel runs
unchanged on a band (a pointer and a row count; padding given per call), the stage's input is
read in place and its output written in place, with no copies at the edges.

Halo rows are cached, not recomputed. Each tensor made and used inside the stage lives in a
small *window* of rows. Band by band, every op computes only its new output rows; the rows of
its input still needed later (the receptive-field overlap) stay in the window and are moved to
its top (one memmove) before the producer appends new rows. So the stage costs exactly the
layer-by-layer MACs (extra MACs: 0), plus the moves, reported as bytes moved per inference.

Exactness: a band call is the op itself over fewer input rows, with explicit top and bottom
padding where the band meets the tensor's real edge; a window never hides a real input row
from a kernel. Conv/depthwise pad with the input zero point exactly as the whole op does, max
and average pooling clip their windows to the real rows (the rows a band leaves out are never
inside any of its windows), elementwise ops are row-local. So every output byte equals the
layer-by-layer result.

A stage may end in a FULLY_CONNECTED that reads the flattened last tensor (a *sink*, e.g.
micro_speech's depthwise -> FC): that tensor is then never whole either. Its rows are fed to
the FC as they are made (te_fully_connected_s8_accumulate into out_depth int32 sums in the
stage scratch) and dropped; te_fully_connected_s8_finish requantizes after the last band. The
sums are the same integers in any split, so the output bytes are the whole FC's.

The stage is one KernelCall (StageCall) to the planner: it reads the stage's external inputs,
writes its outputs (tensors used after the stage) and owns one scratch area holding every
window plus the largest scratch of its band calls. `choose_stage` searches the split (which
run of ops) and the band height for the smallest peak or, under a byte budget, the fewest band
calls that fit.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Optional, Union

import numpy as np

from .errors import InternalError, TinyEngineError
from .ir import Graph, Op, Tensor
from .ops import REGISTRY, ConstArray, KernelCall
from .ops.base import LoweringError
from .planner import align_up

if TYPE_CHECKING:
    from .planner import Plan
# Ops a stage may hold: sliding windows over rows, and row-local elementwise ops.
WINDOW_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "AVERAGE_POOL_2D")
ROW_LOCAL_OPS = ("ADD", "QUANTIZE", "DEQUANTIZE", "TE_FLIP_SIGN")
BAND_HEIGHTS = (1, 2, 3, 4, 6, 8, 12, 16)


class PatchError(TinyEngineError):
    """No stage arrangement meets the request (e.g. the SRAM budget)."""


class BandRefused(Exception):
    """An op's lowering refuses one of its band geometries (a LoweringError on the band op): that
    split and band height cannot be used. The only failure the candidate search skips; anything
    else (an internal inconsistency included) propagates."""


# Band lowerings, shared by every candidate of one search: key -> KernelCall, or the refusal.
LoweringCache = dict[tuple, Union[KernelCall, BandRefused]]


@dataclass(frozen=True)
class RowMap:
    """Which input rows an op's output rows [a, b) read: [first(a), end(b))."""

    kernel: int  # effective (dilated) window height
    stride: int
    pad_top: int
    in_rows: int
    sink: bool = False  # a FULLY_CONNECTED fed row by row ("output rows" = input rows consumed)

    def first(self, out_row: int) -> int:
        return min(self.in_rows, max(0, out_row * self.stride - self.pad_top))

    def end(self, out_end: int) -> int:
        if out_end <= 0:
            return 0
        return min(self.in_rows, (out_end - 1) * self.stride - self.pad_top + self.kernel)


def _nhwc(t: Tensor) -> bool:
    """Batch-1 NHWC, and the whole of its buffer (a view such as a RESHAPE of a flat model input
    qualifies: its rows are still contiguous byte ranges of the root's buffer)."""
    return len(t.shape) == 4 and int(t.shape[0]) == 1 and t.nbytes == t.root.nbytes


def _activations(call: KernelCall) -> list[Tensor]:
    return [t for t in call.inputs if not t.root.is_const]


def row_map(call: KernelCall) -> Optional[RowMap]:
    """The op's row map, or None when it cannot run on bands."""
    kind = call.op.kind
    ins = _activations(call)
    if kind == "FULLY_CONNECTED":
        src = fc_sink_source(call)
        return None if src is None else RowMap(1, 1, 0, int(src.shape[1]), sink=True)
    if not ins or len(call.outputs) != 1 or not all(_nhwc(t) for t in ins + call.outputs):
        return None
    y = call.outputs[0]
    if kind in WINDOW_OPS:
        p = call.params
        if int(p.get("batches", 1)) != 1:
            return None
        eff = (int(p["k_h"]) - 1) * int(p.get("dil_h", 1)) + 1
        return RowMap(eff, int(p["stride_h"]), int(p["pad_top"]), int(ins[0].shape[1]))
    if kind in ROW_LOCAL_OPS:
        if any(tuple(t.shape) != tuple(y.shape) for t in ins):
            return None  # broadcasts are not row-local
        return RowMap(1, 1, 0, int(y.shape[1]))
    return None


def fc_sink_source(call: KernelCall) -> Optional[Tensor]:
    """The NHWC root a FULLY_CONNECTED reads flattened (batch 1), or None when it cannot consume
    it in row pieces. Its input is then a view of the whole root, bytes in NHWC order, so input
    row r is the columns [r * row_bytes, (r + 1) * row_bytes)."""
    ins = _activations(call)
    if call.op.kind != "FULLY_CONNECTED" or len(ins) != 1 or len(call.outputs) != 1:
        return None
    if int(call.params.get("batches", 0)) != 1:
        return None
    root = ins[0].root
    if len(root.shape) != 4 or int(root.shape[0]) != 1 or root.dtype != "int8":
        return None
    if ins[0].nbytes != root.nbytes or int(call.params["accum_depth"]) != root.size:
        return None
    return root


def _row_bytes(t: Tensor) -> int:
    return t.nbytes // int(t.shape[1])


@dataclass(eq=False)
class StageTensor:
    tensor: Tensor  # the root
    rows: int
    row_bytes: int
    windowed: bool  # made and used only inside the stage: lives in a window of rows
    capacity: int = 0  # window rows
    offset: int = 0  # window offset in the stage scratch

    @property
    def name(self) -> str:
        return self.tensor.name


@dataclass
class RowRef:
    """Where a band call's input or output starts: a row of a whole tensor, or a row position
    in a window."""

    tensor: StageTensor
    row: int  # absolute row (whole tensors) or row position inside the window

    @property
    def byte_offset(self) -> int:
        return self.row * self.tensor.row_bytes


@dataclass
class Move:
    """Keep a window's rows still needed: rows [src, src + count) move to position 0."""

    tensor: StageTensor
    src: int
    count: int


@dataclass
class BandCall:
    call: KernelCall  # lowered for the band's geometry; consts identical to `origin`'s
    origin: int  # index of the op inside the stage
    ins: list[Union[RowRef, Tensor]]  # per call input: a row ref, or a constant tensor
    outs: list[RowRef]


@dataclass
class SinkBegin:
    """acc[o] = bias[o]: the sink's sums start (first band)."""

    call: KernelCall  # the whole FULLY_CONNECTED
    origin: int


@dataclass
class SinkAccumulate:
    """Rows [first_row, first_row + rows) of the sink's input, at `src` (a window position),
    added to the sums."""

    call: KernelCall
    origin: int
    src: RowRef
    first_row: int
    rows: int

    @property
    def first(self) -> int:
        return self.first_row * self.src.tensor.row_bytes

    @property
    def count(self) -> int:
        return self.rows * self.src.tensor.row_bytes


@dataclass
class SinkFinish:
    """The sums requantized into the FC's (whole) output (last band)."""

    call: KernelCall
    origin: int
    out: RowRef


SinkAction = Union[SinkBegin, SinkAccumulate, SinkFinish]
Action = Union[Move, BandCall, SinkBegin, SinkAccumulate, SinkFinish]


@dataclass
class BandStage:
    calls: list[KernelCall]  # the whole-op calls the stage replaces, in order
    first_step: int  # index of calls[0] in the layer-by-layer call list
    band_rows: int  # rows of the stage's last tensor per band
    tensors: list[StageTensor]
    bands: list[list[Action]]
    window_bytes: int  # every window (and the sink's sums), aligned
    kernel_scratch: int  # the largest band call scratch
    moved_bytes: int  # bytes memmoved per inference (the price of caching halos)
    sink_acc_offset: int = -1  # where the sink's int32 sums sit in the stage scratch (-1: no sink)

    @cached_property
    def band_calls(self) -> int:
        return sum(isinstance(a, BandCall) for band in self.bands for a in band)

    def describe(self) -> str:
        last = self.first_step + len(self.calls) - 1
        return (f"ops {self.first_step}-{last} in {len(self.bands)} bands of {self.band_rows} row"
                f"{'s' if self.band_rows > 1 else ''}")


@dataclass(eq=False)
class StageCall(KernelCall):
    stage: Optional[BandStage] = None

    def band_stage(self) -> Optional[BandStage]:
        return self.stage


def _band_op(call: KernelCall, ins: list[Tensor], out: Tensor, pads: Optional[tuple[int, int, int, int]]) -> Op:
    op = call.op
    # Keep the whole op's kernel variant (its consts depend on it) and stay out of place.
    context = dataclasses.replace(op.context, band=True)
    if pads is not None:
        context.explicit_padding = pads
    if op.kind == "DEPTHWISE_CONV_2D":
        context.dw_direct = "requant4" in call.consts
    replaced = iter(ins)
    inputs = [next(replaced) if (t is not None and not t.root.is_const) else t for t in op.inputs]
    return Op(index=op.index, kind=op.kind, inputs=inputs, outputs=[out], options=dict(op.options), context=context)


def _band_tensor(t: Tensor, rows: int) -> Tensor:
    return Tensor(id=-1, name=f"{t.name}[band]", shape=(1, rows) + tuple(t.shape[2:]), dtype=t.dtype, quant=t.quant)


def _same_consts(a: dict[str, ConstArray], b: dict[str, ConstArray]) -> bool:
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = a[k].data, b[k].data
        if isinstance(x, np.ndarray) != isinstance(y, np.ndarray):
            return False
        if isinstance(x, np.ndarray):
            if x.shape != y.shape or not np.array_equal(x, y):
                return False
        elif list(x) != list(y):
            return False
    return True


def _horizontal_pads(call: KernelCall) -> tuple[int, int]:
    """(left, right) padding of the whole op, right as what the output width needs."""
    p = call.params
    x = _activations(call)[0]
    iw = int(x.shape[2])
    eff_w = (int(p["k_w"]) - 1) * int(p.get("dil_w", 1)) + 1
    ow = int(call.outputs[0].shape[2])
    right = max(0, (ow - 1) * int(p["stride_w"]) + eff_w - iw - int(p["pad_left"]))
    return int(p["pad_left"]), right


def build_stage(graph: Graph, calls: list[KernelCall], first: int, last: int, band_rows: int,
                outside_readers: Optional[set[int]] = None,
                lowered: Optional[LoweringCache] = None) -> Optional[BandStage]:
    """Calls[first..last] as a band stage; None when they cannot run on bands (also when an op's
    lowering refuses a band geometry). `lowered` shares band lowerings between calls on the same
    `calls` list (a candidate search).

    The schedule is pulled by demand: band after band, the stage's last tensor (the driver)
    needs band_rows more rows; an op asked for rows of its output first makes sure its inputs
    hold the rows those need (recursively), then computes its rows, band_rows at a time. A
    window keeps only the rows some consumer still needs, so with band_rows = 1 every window
    holds about a filter's height of rows."""
    inner = calls[first:last + 1]
    maps = [m for m in (row_map(c) for c in inner) if m is not None]
    if len(maps) < len(inner) or len(inner) < 2:
        return None
    if any(m.sink for m in maps[:-1]):
        return None  # a FULLY_CONNECTED can only end a stage
    producer: dict[int, int] = {}  # id(root) -> inner index of its producer
    for i, c in enumerate(inner):
        producer[id(c.outputs[0].root)] = i
    if outside_readers is None:
        outside_readers = _outside_readers(graph, calls, first, last)
    sink = maps[-1].sink
    if sink:
        # The FC's input must be made in the stage and read by nothing else.
        src = fc_sink_source(inner[-1])
        assert src is not None
        if id(src) not in producer or id(src) in outside_readers:
            return None
        if sum(1 for c in inner for t in _activations(c) if t.root is src) != 1:
            return None
        driver = src
    else:
        driver = inner[-1].outputs[0].root
    if int(driver.shape[1]) < 2 * band_rows:
        return None

    tensors: dict[int, StageTensor] = {}
    sink_key = id(inner[-1].outputs[0].root) if sink else None
    for c in inner:
        for t in _activations(c) + c.outputs:
            r = t.root
            if id(r) not in tensors:
                if id(r) == sink_key:  # the FC's output: whole, written once by the finish
                    tensors[id(r)] = StageTensor(tensor=r, rows=1, row_bytes=r.nbytes, windowed=False)
                    continue
                windowed = id(r) in producer and id(r) not in outside_readers
                tensors[id(r)] = StageTensor(tensor=r, rows=int(t.shape[1]), row_bytes=_row_bytes(t),
                                             windowed=windowed)
            elif id(r) != sink_key and (tensors[id(r)].rows, tensors[id(r)].row_bytes) != (int(t.shape[1]), _row_bytes(t)):
                return None  # two views of one buffer with different rows
    # Per op, computed once: the roots it reads that the stage makes (in input order, once
    # each), its inputs (a constant, or the key and stage tensor of an activation), and its
    # consumers with their row maps and output keys.
    deps: list[list[int]] = []
    inputs: list[list[tuple[Tensor, int, Optional[StageTensor]]]] = []
    consumers: dict[int, list[tuple[RowMap, int]]] = {}
    for i, c in enumerate(inner):
        keys = list(dict.fromkeys(id(t.root) for t in _activations(c)))
        deps.append([key for key in keys if key in producer])
        for key in keys:
            consumers.setdefault(key, []).append((maps[i], id(c.outputs[0].root)))
        inputs.append([(t, -1, None) if t.root.is_const else (t, id(t.root), tensors[id(t.root)])
                       for t in c.inputs])
    horizontal = [_horizontal_pads(c) if c.op.kind in WINDOW_OPS else (0, 0) for c in inner]

    done: dict[int, int] = {key: 0 for key in producer}  # rows computed so far
    window_base: dict[int, int] = {key: 0 for key in producer}  # row at window position 0
    capacity: dict[int, int] = {key: 0 for key in producer}
    actions: list[Action] = []
    if lowered is None:
        lowered = {}
    cache = lowered

    def still_needed(key: int) -> int:
        """The lowest row of `key` a consumer will still read."""
        lo = done[key]
        for m, out_key in consumers.get(key, []):
            lo = min(lo, m.first(done[out_key]))
        return lo

    def produce(key: int, upto: int) -> None:
        i = producer[key]
        c, m = inner[i], maps[i]
        st = tensors[key]
        while done[key] < upto:
            a = done[key]
            b = min(st.rows, a + band_rows)
            lo, up = m.first(a), m.end(b)
            for dep in deps[i]:
                produce(dep, up)
            if st.windowed:
                base = min(still_needed(key), a)
                if base > window_base[key]:
                    keep = done[key] - base
                    if keep > 0:
                        actions.append(Move(st, base - window_base[key], keep))
                    window_base[key] = base
                capacity[key] = max(capacity[key], b - window_base[key])
            ins: list[Union[RowRef, Tensor]] = []
            for t, src_key, src in inputs[i]:
                if src is None:
                    ins.append(t)
                else:
                    ins.append(RowRef(src, lo - window_base[src_key] if src.windowed else lo))
            out_ref = RowRef(st, a - window_base[key] if st.windowed else a)
            actions.append(BandCall(call=_lower_band(graph, c, m, lo, up, a, b, cache, horizontal[i]), origin=i,
                                    ins=ins, outs=[out_ref]))
            done[key] = b

    bands: list[list[Action]] = []
    n_rows = int(driver.shape[1])
    fc, fc_index = inner[-1], len(inner) - 1
    if sink:
        actions.append(SinkBegin(call=fc, origin=fc_index))
    try:
        for end in list(range(band_rows, n_rows, band_rows)) + [n_rows]:
            produce(id(driver), end)
            if sink_key is not None:
                # The new rows go into the sums at once; the window then lets them go.
                fed = done[sink_key]
                src_st = tensors[id(driver)]
                actions.append(SinkAccumulate(call=fc, origin=fc_index,
                                              src=RowRef(src_st, fed - window_base[id(driver)] if src_st.windowed else fed),
                                              first_row=fed, rows=end - fed))
                done[sink_key] = end
            if end == n_rows:  # every whole output complete
                for key, st in tensors.items():
                    if key in producer and not st.windowed and key != sink_key:
                        produce(key, st.rows)
                if sink_key is not None:
                    actions.append(SinkFinish(call=fc, origin=fc_index, out=RowRef(tensors[sink_key], 0)))
            bands.append(actions)
            actions = []
    except BandRefused:
        return None
    offset = 0
    for key, st in tensors.items():
        if st.windowed:
            st.capacity = capacity[key]
            st.offset = offset
            offset += align_up(st.capacity * st.row_bytes)
    sink_acc_offset = -1
    if sink:
        sink_acc_offset = offset
        offset += align_up(4 * int(fc.params["out_depth"]))
    moved = sum(a.count * a.tensor.row_bytes for band in bands for a in band if isinstance(a, Move))
    kernel_scratch = max((a.call.scratch_bytes for band in bands for a in band if isinstance(a, BandCall)), default=0)
    return BandStage(calls=inner, first_step=first, band_rows=band_rows, tensors=list(tensors.values()),
                     bands=bands, window_bytes=offset, kernel_scratch=kernel_scratch, moved_bytes=moved,
                     sink_acc_offset=sink_acc_offset)


def _lower_band(graph: Graph, c: KernelCall, m: RowMap, lo: int, up: int, a: int, b: int,
                cache: LoweringCache, horizontal: Optional[tuple[int, int]] = None) -> KernelCall:
    """The op over input rows [lo, up) making output rows [a, b), with the whole op's constants.
    BandRefused when the op's lowering rejects the band (a LoweringError); an InternalError when
    it accepts it with other constants (a bug: the band would compute something else)."""
    pads = None
    if c.op.kind in WINDOW_OPS:
        top = lo - (a * m.stride - m.pad_top)
        bottom = max(0, (b - 1) * m.stride - m.pad_top + m.kernel - m.in_rows)
        left, right = horizontal if horizontal is not None else _horizontal_pads(c)
        pads = (top, bottom, left, right)
    key = (id(c), up - lo, b - a, pads)
    if key not in cache:
        band_ins = [_band_tensor(t, up - lo) for t in _activations(c)]
        band_out = _band_tensor(c.outputs[0], b - a)
        try:
            call = REGISTRY[c.op.kind](_band_op(c, band_ins, band_out, pads), graph)
        except LoweringError as exc:
            cache[key] = BandRefused(str(exc))
        else:
            if not _same_consts(call.consts, c.consts):
                raise InternalError(f"internal error in the patch planner: {c.op.kind} at op index {c.op.index} "
                                    "lowers to other constants on a band; please report it with the model")
            cache[key] = call
    found = cache[key]
    if isinstance(found, BandRefused):
        raise BandRefused(*found.args)
    return found


def _outside_readers(graph: Graph, calls: list[KernelCall], first: int, last: int) -> set[int]:
    """Roots read by calls outside [first, last] or that are graph outputs."""
    out = {id(t.root) for t in graph.outputs}
    for s, c in enumerate(calls):
        if first <= s <= last:
            continue
        for t in c.inputs:
            out.add(id(t.root))
    return out


def stage_call(stage: BandStage, graph: Graph, calls: list[KernelCall]) -> StageCall:
    """The one call the planner and codegen see for the stage."""
    inner_ids = set()
    outputs: list[Tensor] = []
    for c in stage.calls:
        for t in c.outputs:
            inner_ids.add(id(t.root))
    external: list[Tensor] = []
    seen: set[int] = set()
    for c in stage.calls:
        for t in _activations(c):
            r = t.root
            if id(r) not in inner_ids and id(r) not in seen:
                seen.add(id(r))
                external.append(r)
    for st in stage.tensors:
        if not st.windowed and id(st.tensor) in inner_ids:
            outputs.append(st.tensor)
    first = stage.calls[0].op
    op = Op(index=first.index, kind="PATCH_STAGE", inputs=list(external), outputs=outputs,
            options={"ops": [c.op.index for c in stage.calls]})
    note = stage.describe()
    return StageCall(op=op, template="", header="", inputs=external, outputs=outputs,
                     scratch_bytes=stage.window_bytes + stage.kernel_scratch,
                     macs=sum(c.macs for c in stage.calls), note=note, stage=stage)


def apply_stage(graph: Graph, calls: list[KernelCall], stage: BandStage) -> list[KernelCall]:
    first, last = stage.first_step, stage.first_step + len(stage.calls) - 1
    return calls[:first] + [stage_call(stage, graph, calls)] + calls[last + 1:]


def _runs(calls: list[KernelCall]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive calls that can run on bands."""
    runs = []
    start = None
    for i, c in enumerate([*calls, None]):
        ok = c is not None and row_map(c) is not None
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            if i - start >= 2:
                runs.append((start, i - 1))
            start = None
    return runs


@dataclass
class StageChoice:
    calls: list[KernelCall]
    stage: Optional[BandStage]
    estimate: int  # the planner's lower bound for these calls
    order: int = 0  # place in the enumeration (run, last op, band height): the final tie-break

    @cached_property
    def cost(self) -> tuple[int, int]:
        assert self.stage is not None
        return self.stage.band_calls, self.stage.moved_bytes


@dataclass
class _Split:
    """Calls[first..last] as a stage, before any band height is chosen: what the planner's lower
    bound of such a stage is made of, from the layer-by-layer plan (no lowering, no schedule)."""

    first: int
    last: int
    readers: set[int]  # roots read after the stage (or graph outputs)
    outside: int  # the largest per-step bound at the calls the stage leaves alone
    crossing: int  # bytes of the buffers live at the stage call (everything but its windows)
    biggest: int  # the largest of those buffers, and of the ones live outside
    windows: list[tuple[int, int]]  # (rows, row bytes) of the windows the schedule surely fills
    sink_bytes: int  # the FULLY_CONNECTED sink's int32 sums (0: no sink)
    order: int  # enumeration index of (first, last) among the splits
    # Per inner op (None for the sink FULLY_CONNECTED): its output rows, the rows the stage must
    # make whatever the demand (all for the driver and the outputs read later, else 0), and its
    # consumers inside the stage with their row maps.
    schedule: list[Optional[tuple[int, int, list[tuple[int, RowMap]]]]] = field(default_factory=list)

    def bound(self, band_rows: int) -> int:
        """At most the estimate of this split at this band height: every window holds at least
        one band of rows (its first), the kernel scratch is at least 0."""
        scratch = sum(align_up(min(band_rows, rows) * rb) for rows, rb in self.windows) + self.sink_bytes
        return max(self.outside, self.crossing + scratch, self.biggest)

    def band_calls(self, band_rows: int) -> int:
        """The band calls build_stage schedules at this height (when it builds the stage), from the
        demand alone: an op makes its rows band_rows at a time from row 0 until it has what its
        consumers' last bands read (all of them if the stage must output them)."""
        made = [0] * len(self.schedule)
        calls = 0
        for i in range(len(self.schedule) - 1, -1, -1):
            entry = self.schedule[i]
            if entry is None:
                continue
            rows, need, consumers = entry
            for j, m in consumers:
                if made[j] > 0:
                    need = max(need, m.end(made[j]))
            if need > 0:
                made[i] = min(rows, -(-need // band_rows) * band_rows)
                calls += -(-made[i] // band_rows)
        return calls


class CandidateSearch:
    """The (split, band height) candidates of one call list, built lazily in order of a cheap
    lower bound, so that only those that may be among the best are lowered and scheduled.

    A candidate's estimate is the planner's lower bound of the calls with the stage in place.
    Outside the stage the per-step bounds are the layer-by-layer plan's (the stage changes no
    buffer live there, and no in-place pair there); at the stage's call they are the buffers
    live across it plus its scratch (windows and band-call scratch, no in-place pairs). So the
    estimate comes from the layer plan and the built stage, and `_Split.bound` bounds it from
    below before anything is built (tests/test_patch_search.py checks both against
    planner.lower_bound)."""

    def __init__(self, graph: Graph, calls: list[KernelCall], layer_plan) -> None:
        self.graph, self.calls = graph, calls
        self.lowered: LoweringCache = {}
        self.built: dict[tuple[int, int], Optional[StageChoice]] = {}
        steps = len(calls)
        per_step = list(layer_plan.bound_per_step) + [0] * (steps - len(layer_plan.bound_per_step))
        before = [0] * (steps + 1)  # before[s]: the largest bound at steps < s
        for s in range(steps):
            before[s + 1] = max(before[s], per_step[s])
        after = [0] * (steps + 1)  # after[s]: the largest bound at steps >= s
        for s in range(steps - 1, -1, -1):
            after[s] = max(after[s + 1], per_step[s])
        tensors = [b for b in layer_plan.buffers if b.scratch_of is None]
        runs = _runs(calls)
        self.maps: dict[int, Optional[RowMap]] = {i: row_map(calls[i]) for a, b in runs for i in range(a, b + 1)}
        self.splits: list[_Split] = []
        for run_first, run_last in runs:
            for last in range(run_first + 1, run_last + 1):
                self.splits.append(self._split(run_first, last, tensors, before[run_first], after[last + 1]))

    def _split(self, first: int, last: int, tensors: list, before: int, after: int) -> _Split:
        calls = self.calls
        readers = _outside_readers(self.graph, calls, first, last)
        inner = calls[first:last + 1]
        producer = {id(c.outputs[0].root): i for i, c in enumerate(inner) if c.outputs}
        sink_key, sink_bytes = None, 0
        if inner[-1].op.kind == "FULLY_CONNECTED" and inner[-1].outputs:
            sink_key = id(inner[-1].outputs[0].root)
            sink_bytes = align_up(4 * int(inner[-1].params.get("out_depth", 0)))
        windowed = {key for key in producer if key not in readers and key != sink_key}
        # Ops the schedule runs for sure: those the stage's outputs (the driver included) depend on.
        todo = [i for key, i in producer.items() if key not in windowed] + [len(inner) - 1]
        if sink_key is not None:
            src = fc_sink_source(inner[-1])
            if src is not None and id(src) in producer:
                todo.append(producer[id(src)])
        run: set[int] = set()
        while todo:
            i = todo.pop()
            if i in run:
                continue
            run.add(i)
            todo.extend(producer[id(t.root)] for t in _activations(inner[i]) if id(t.root) in producer)
        windows = []
        for key, i in producer.items():
            if key in windowed and i in run:
                t = inner[i].outputs[0]
                if len(t.shape) == 4:
                    windows.append((int(t.shape[1]), _row_bytes(t)))
        crossing, biggest = 0, 0
        for b in tensors:
            if id(b.tensors[0]) in windowed:
                continue
            biggest = max(biggest, b.span)
            if b.first <= last and b.last >= first:
                crossing += b.span
        schedule: list[Optional[tuple[int, int, list[tuple[int, RowMap]]]]] = []
        consumers: dict[int, list[tuple[int, RowMap]]] = {}
        for j, c in enumerate(inner):
            m = self.maps[first + j]
            if m is None or m.sink:
                continue
            for key in dict.fromkeys(id(t.root) for t in _activations(c)):
                if key in producer:
                    consumers.setdefault(key, []).append((j, m))
        driver = id(inner[-1].outputs[0].root) if inner[-1].outputs else None
        if sink_key is not None:
            src = fc_sink_source(inner[-1])
            driver = None if src is None else id(src)
        for c in inner:
            out_key = id(c.outputs[0].root) if c.outputs else None
            if out_key is None or out_key == sink_key or not _nhwc(c.outputs[0]):
                schedule.append(None)
                continue
            rows = int(c.outputs[0].shape[1])
            must = out_key == driver or out_key not in windowed
            schedule.append((rows, rows if must else 0, consumers.get(out_key, [])))
        return _Split(first=first, last=last, readers=readers, outside=max(before, after), crossing=crossing,
                      biggest=biggest, windows=windows, sink_bytes=sink_bytes, order=len(self.splits),
                      schedule=schedule)

    def _build(self, split: _Split, h: int) -> Optional[StageChoice]:
        key = (split.order, h)
        if key not in self.built:
            stage = build_stage(self.graph, self.calls, split.first, split.last, BAND_HEIGHTS[h], split.readers,
                                self.lowered)
            choice = None
            if stage is not None:
                scratch = align_up(stage.window_bytes + stage.kernel_scratch)
                estimate = max(split.outside, split.crossing + scratch, split.biggest)
                choice = StageChoice(apply_stage(self.graph, self.calls, stage), stage, estimate,
                                     order=split.order * len(BAND_HEIGHTS) + h)
            self.built[key] = choice
        return self.built[key]

    def _by_bound(self) -> list[tuple[int, int, _Split, int]]:
        return sorted((sp.bound(rows), sp.order * len(BAND_HEIGHTS) + h, sp, h)
                      for sp in self.splits for h, rows in enumerate(BAND_HEIGHTS))

    def best(self, count: int, below: Optional[int] = None) -> list[StageChoice]:
        """The `count` best candidates by (estimate, cost, order) among those whose estimate is
        below `below`: exactly those a full enumeration would rank first."""
        found: list[StageChoice] = []
        for bound, _, split, h in self._by_bound():
            if below is not None and bound >= below:
                break
            if len(found) >= count:
                worst = found[count - 1]
                if bound > worst.estimate:
                    break  # every candidate left estimates above the count-th best
                if bound == worst.estimate and split.band_calls(BAND_HEIGHTS[h]) > worst.cost[0]:
                    continue  # at best a tie on the estimate, and more band calls
            choice = self._build(split, h)
            if choice is None or (below is not None and choice.estimate >= below):
                continue
            found.append(choice)
            found.sort(key=lambda c: (c.estimate, c.cost, c.order))
        return found[:count]

    def fitting(self, budget: int, count: Optional[int] = None) -> list[StageChoice]:
        """The `count` (default: all) first candidates by (cost, order) among those whose estimate
        is at most `budget`."""
        todo = sorted((split.band_calls(rows), split.order * len(BAND_HEIGHTS) + h, split, h)
                      for split in self.splits for h, rows in enumerate(BAND_HEIGHTS) if split.bound(rows) <= budget)
        found: list[StageChoice] = []
        for calls, _, split, h in todo:
            if count is not None and len(found) >= count and calls > found[count - 1].cost[0]:
                break  # every candidate left makes more band calls than the count-th
            choice = self._build(split, h)
            if choice is not None and choice.estimate <= budget:
                found.append(choice)
                found.sort(key=lambda c: (c.cost, c.order))
        return found if count is None else found[:count]


def candidates(graph: Graph, calls: list[KernelCall], estimate) -> list[StageChoice]:
    """Every (split, band height) that can run on bands, with estimate(calls with it) (the full
    enumeration CandidateSearch prunes; for tests and tools)."""
    out = []
    lowered: LoweringCache = {}
    order = 0
    for run_first, run_last in _runs(calls):
        for last in range(run_first + 1, run_last + 1):
            readers = _outside_readers(graph, calls, run_first, last)
            for rows in BAND_HEIGHTS:
                stage = build_stage(graph, calls, run_first, last, rows, readers, lowered)
                if stage is not None:
                    new_calls = apply_stage(graph, calls, stage)
                    out.append(StageChoice(new_calls, stage, estimate(new_calls), order=order))
                order += 1
    return out


SEARCH_PLANS = 8  # candidates planned at most (the estimate is the planner's bound; it nearly always reaches it)


def _full(plan: Plan) -> Plan:
    """The full plan of a quick one (planner.plan_arena)."""
    return plan.refine() if plan.refine is not None else plan


def _smallest(search: CandidateSearch, layer_plan: Plan, plan: Callable[[list[KernelCall]], Plan]
              ) -> tuple[Optional[StageChoice], Plan]:
    """The candidate with the smallest arena and its plan (None and the layer-by-layer plan when
    none is smaller). `plan(calls)` plans a call list quickly.

    Each candidate is planned quickly first (the greedy strategies: when they meet the bound
    that is the full plan), then, in search order, fully only if its estimate (the planner's
    bound) is below the best arena found: the local search is what costs, and a candidate whose
    estimate is not below the best cannot be smaller. On equal arenas the first in search order
    (by estimate, band calls, bytes moved) wins, except that a candidate is not planned fully
    just for a tie."""
    ranked = search.best(SEARCH_PLANS, below=layer_plan.arena_size)
    best: Optional[int] = None  # index into ranked
    best_plan = layer_plan
    gaps: list[tuple[int, Plan]] = []  # quick plans the full planner may improve
    for i, choice in enumerate(ranked):
        if choice.estimate >= best_plan.arena_size:
            break  # sorted by estimate: none of the rest can be smaller
        quick = plan(choice.calls)
        if quick.arena_size < best_plan.arena_size:
            best, best_plan = i, quick
        if quick.arena_size <= choice.estimate:
            break  # the bound: no candidate after it can be smaller
        if quick.refine is not None:
            gaps.append((i, quick))
    for i, quick in gaps:
        if ranked[i].estimate >= best_plan.arena_size:
            continue
        full = _full(quick)
        if full.arena_size < best_plan.arena_size or i == best:  # (the full plan is never larger)
            best, best_plan = i, full
        if full.arena_size <= ranked[i].estimate:
            break  # the bound: the gaps after it rank after it and cannot be smaller
    return (None, layer_plan) if best is None else (ranked[best], best_plan)


def plan_patches(graph: Graph, calls: list[KernelCall], *, minimise: bool, budget: Optional[int],
                 strategy: Optional[str] = None, in_place: bool = True):
    """(calls, plan) with the best band stage, or the layer-by-layer ones when no stage helps.

    minimise: the smallest arena any stage gives (see _smallest for ties). budget: layer by
    layer when that fits, else the stage with the fewest band calls (then least moved) whose
    arena fits, else the stage with the smallest arena if that fits; PatchError when none does.

    Only the candidates that can matter are built and planned: the SEARCH_PLANS best by estimate
    below the layer-by-layer arena (a candidate estimated at or above the best arena so far
    cannot win), or under a budget the SEARCH_PLANS cheapest estimated to fit."""
    from .planner import plan_arena

    def plan(new_calls: list[KernelCall]) -> Plan:
        return plan_arena(graph, new_calls, strategy=strategy, in_place=in_place, quick=True)

    layer_plan = plan_arena(graph, calls, strategy=strategy, in_place=in_place)
    if budget is not None and layer_plan.arena_size <= budget:
        return calls, layer_plan
    search = CandidateSearch(graph, calls, layer_plan)
    if budget is None:
        choice, best_plan = _smallest(search, layer_plan, plan)
        return (calls, layer_plan) if choice is None else (choice.calls, best_plan)
    # The cheapest candidates estimated to fit, in order of cost: the first whose plan fits.
    # Planned quickly first: one whose quick plan fits, fits (the full plan is no larger); one
    # whose quick plan does not may still fit when planned fully, which is done only for those
    # ahead of the first that fits quickly.
    fitting = search.fitting(budget, SEARCH_PLANS)
    gaps: list[tuple[StageChoice, Plan]] = []
    for choice in fitting:
        quick = plan(choice.calls)
        if quick.arena_size <= budget:
            for gap, gap_plan in gaps:
                full = _full(gap_plan)
                if full.arena_size <= budget:
                    return gap.calls, full
            return choice.calls, _full(quick)
        if quick.refine is not None and choice.estimate <= budget:
            gaps.append((choice, quick))
    # None fits quickly (their stages may lie away from what sizes the arena: the estimate is
    # the planner's bound, not its result): the smallest arena, if it fits.
    smallest, smallest_plan = _smallest(search, layer_plan, plan)
    if smallest is not None and smallest_plan.arena_size <= budget:
        return smallest.calls, smallest_plan
    for gap, gap_plan in gaps:
        full = _full(gap_plan)
        if full.arena_size <= budget:
            return gap.calls, full
    if smallest is None and not search.best(1):
        raise PatchError(f"the model does not fit the SRAM budget of {budget:,} B: layer by layer it needs "
                         f"{layer_plan.arena_size:,} B, and no run of convolution/pooling layers can be "
                         "split into bands")
    raise PatchError(f"the model does not fit the SRAM budget of {budget:,} B: layer by layer it needs "
                     f"{layer_plan.arena_size:,} B, with patch-based inference {smallest_plan.arena_size:,} B")
