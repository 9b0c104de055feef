"""The machine-readable summary of one generation (`tinyengine-gen ... --summary FILE`).

Build integrations read this JSON instead of parsing the header or the generator's messages:
the arena (what RAM checks compare), weights, MACs, each input and output (type, shape, bytes,
quantization), how the model runs (layer by layer or patch-based stages), the options used and
the notes the user should see (e.g. what --int8-io left float).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from . import __version__
from .ir import Tensor
from .patches import StageCall
from .pipeline import Compiled, Options

FORMAT = 1  # bumped when a field changes meaning; new fields may appear at any time


def _edge(index: int, t: Tensor) -> dict[str, Any]:
    quant = t.quant if t.quant is not None and not t.quant.per_channel else None
    return {"index": index, "name": t.name, "dtype": t.dtype, "shape": [int(d) for d in t.shape],
            "bytes": t.nbytes,
            "scale": float(quant.scale.reshape(-1)[0]) if quant is not None else None,
            "zero_point": int(quant.zero_point.reshape(-1)[0]) if quant is not None else None}


def summary(compiled: Compiled, options: Options, model_path: str | Path,
            layer_arena: Optional[int] = None) -> dict[str, Any]:
    m = compiled.model
    stages = [c.stage.describe() for c in compiled.calls if isinstance(c, StageCall) and c.stage is not None]
    return {
        "format": FORMAT,
        "generator": "tinyengine-gen",
        "version": __version__,
        "model": str(Path(model_path).resolve()),
        "name": m.name,
        "files": sorted(m.files()),
        "arena_bytes": m.arena_size,
        "arena_lower_bound_bytes": compiled.plan.lower_bound,
        "layer_by_layer_arena_bytes": layer_arena if stages and layer_arena is not None else m.arena_size,
        "weight_bytes": m.weight_bytes,
        "macs": m.macs,
        "execution": "patch-based" if stages else "layer by layer",
        "patch_stages": stages,
        "inputs": [_edge(i, t) for i, t in enumerate(compiled.graph.inputs)],
        "outputs": [_edge(i, t) for i, t in enumerate(compiled.graph.outputs)],
        "options": {"patch": options.patch, "int8_io": options.int8_io, "sram_budget": options.sram_budget,
                    "planner": options.planner_strategy, "in_place": options.in_place},
        "notes": list(compiled.notes),
    }


def write_summary(path: str | Path, data: dict[str, Any]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)


def read_summary(path: str | Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text())
