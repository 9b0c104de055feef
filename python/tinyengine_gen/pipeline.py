"""The generator's stages in order: read -> passes -> lower -> plan -> codegen."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from .codegen import GeneratedModel, c_identifier, generate
from .errors import InternalError, TinyEngineError, UnsupportedModelError, printable
from .ir import Graph
from .ops import REGISTRY, KernelCall
from .ops.custom import lower_custom
from .passes import run_passes
from .patches import plan_patches
from .planner import Plan, plan_arena
from .reader import read_model
from .validate import MAX_TENSOR_BYTES, validate

MAX_ARENA_BYTES = MAX_TENSOR_BYTES  # the generated offsets are uint32 and kernels index with int32


@dataclass
class Options:
    name: Optional[str] = None
    planner_strategy: Optional[str] = None  # None: try all, keep the smallest arena
    in_place: bool = True
    patch: bool = False  # run the memory-heavy early stage band by band (smallest arena)
    int8_io: bool = False  # float model edges (QUANTIZE in, DEQUANTIZE out) left to the caller
    sram_budget: Optional[int] = None  # bytes: layer by layer if it fits, else the cheapest patch stage that fits
    custom_ops: bool = False  # ops without a kernel call the application's te_custom_<name>() (te_custom.h)


@dataclass
class Planned:
    graph: Graph
    calls: list[KernelCall]
    plan: Plan
    notes: list[str] = field(default_factory=list)  # what the user should know (one line each)


@dataclass
class Compiled:
    graph: Graph
    calls: list[KernelCall]
    plan: Plan
    model: GeneratedModel
    notes: list[str] = field(default_factory=list)


def lower(graph: Graph) -> list[KernelCall]:
    return [lower_custom(op, graph) if op.context.custom_function is not None else REGISTRY[op.kind](op, graph)
            for op in graph.ops]


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Runs one stage; an exception that is not a TinyEngineError is a bug in that stage, reported
    as one line (InternalError) rather than a traceback."""
    try:
        yield
    except (TinyEngineError, KeyboardInterrupt):
        raise
    except RecursionError:
        raise InternalError(f"internal error in {name}: recursion too deep; please report this model") from None
    except Exception as exc:
        detail = printable(f"{type(exc).__name__}: {exc}", 160)
        raise InternalError(f"internal error in {name}: {detail}; please report it with the model") from exc


def _int8_io_notes(before: list[tuple[str, str]], graph: Graph) -> list[str]:
    """What --int8-io changed: nothing on an all-8-bit model; an edge that stays float says why."""
    if not any(dtype == "float32" for _, dtype in before):
        return ["--int8-io has no effect: the model's inputs and outputs are already 8-bit"]
    notes = []
    for kind, tensors in (("input", graph.inputs), ("output", graph.outputs)):
        for i, t in enumerate(tensors):
            if t.dtype != "float32":
                continue
            if kind == "input":
                users = [op.kind for op in graph.consumers(t)]
                why = ("its QUANTIZE does not give per-tensor 8-bit values" if users == ["QUANTIZE"]
                       else f"it is read by {', '.join(users) or 'no op'}, not by one QUANTIZE")
            else:
                op = graph.producer(t)
                why = ("its DEQUANTIZE does not read per-tensor 8-bit values" if op is not None and op.kind == "DEQUANTIZE"
                       else f"it comes from a float {op.kind if op is not None else 'constant'}, not from a DEQUANTIZE")
            notes.append(f"--int8-io: {kind} {i} stays float32: {why}")
    return notes


def plan_model(path: str | Path, options: Optional[Options] = None) -> Planned:
    """Everything up to the arena plan (no C): what budgets and reports need."""
    options = options or Options()
    path = Path(path)
    name = c_identifier(options.name or path.stem)
    with stage("the reader"):
        graph = validate(read_model(path, name))
    edges = [(t.name, t.dtype) for t in (*graph.inputs, *graph.outputs)]
    try:
        with stage("the graph passes"):
            graph = run_passes(graph, int8_io=options.int8_io, custom_ops=options.custom_ops)
        notes = _int8_io_notes(edges, graph) if options.int8_io else []
        with stage("lowering"):
            calls = lower(graph)
    except InternalError:
        raise
    except TinyEngineError as exc:  # a problem with one op or tensor: say which model file it is in
        if graph.source and not str(exc).startswith(graph.source):
            exc.args = (f"{graph.source}: {exc}",)
        raise
    with stage("the planner"):
        if options.patch or options.sram_budget is not None:
            calls, plan = plan_patches(graph, calls, minimise=options.patch, budget=options.sram_budget,
                                       strategy=options.planner_strategy, in_place=options.in_place)
        else:
            plan = plan_arena(graph, calls, strategy=options.planner_strategy, in_place=options.in_place)
    if plan.arena_size > MAX_ARENA_BYTES:
        raise UnsupportedModelError(f"{graph.source or name}: the arena would need {plan.arena_size:,} bytes, "
                                    "more than tinyengine's limit of 1 GiB")
    return Planned(graph=graph, calls=calls, plan=plan, notes=notes)


def compile_model(path: str | Path, options: Optional[Options] = None) -> Compiled:
    options = options or Options()
    path = Path(path)
    name = c_identifier(options.name or path.stem)
    p = plan_model(path, options)
    with stage("code generation"):
        model = generate(p.graph, p.calls, p.plan, name=name, model_path=path.name, int8_io=options.int8_io)
    return Compiled(graph=p.graph, calls=p.calls, plan=p.plan, model=model, notes=p.notes)
