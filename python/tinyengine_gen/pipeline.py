"""The generator's stages in order: read -> passes -> lower -> plan -> codegen."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from .codegen import GeneratedModel, c_identifier, generate
from .errors import InternalError, TinyEngineError, UnsupportedModelError, printable
from .ir import Graph
from .ops import REGISTRY, KernelCall
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


@dataclass
class Compiled:
    graph: Graph
    calls: list[KernelCall]
    plan: Plan
    model: GeneratedModel


def lower(graph: Graph) -> list[KernelCall]:
    return [REGISTRY[op.kind](op, graph) for op in graph.ops]


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


def compile_model(path: str | Path, options: Optional[Options] = None) -> Compiled:
    options = options or Options()
    path = Path(path)
    name = c_identifier(options.name or path.stem)
    with stage("the reader"):
        graph = validate(read_model(path, name))
    with stage("the graph passes"):
        graph = run_passes(graph, int8_io=options.int8_io)
    with stage("lowering"):
        calls = lower(graph)
    with stage("the planner"):
        if options.patch or options.sram_budget is not None:
            calls, plan = plan_patches(graph, calls, minimise=options.patch, budget=options.sram_budget,
                                       strategy=options.planner_strategy, in_place=options.in_place)
        else:
            plan = plan_arena(graph, calls, strategy=options.planner_strategy, in_place=options.in_place)
    if plan.arena_size > MAX_ARENA_BYTES:
        raise UnsupportedModelError(f"{graph.source or name}: the arena would need {plan.arena_size:,} bytes, "
                                    "more than tinyengine's limit of 1 GiB")
    with stage("code generation"):
        model = generate(graph, calls, plan, name=name, model_path=path.name, int8_io=options.int8_io)
    return Compiled(graph=graph, calls=calls, plan=plan, model=model)
