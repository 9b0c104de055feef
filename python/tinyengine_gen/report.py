"""Per-layer report: op, shapes, MACs, live bytes and arena high-water."""
from __future__ import annotations

from .pipeline import Compiled


def format_report(c: Compiled) -> str:
    plan = c.plan
    rows = [("#", "op", "model op", "inputs -> outputs", "MACs", "live B", "arena high-water B")]
    for step, call in enumerate(c.calls):
        live = [b for b in plan.buffers if b.first <= step <= b.last]
        high = max((b.offset + b.size for b in live), default=0)
        shapes = " ".join("x".join(map(str, t.shape)) for t in call.inputs if not t.root.is_const)
        shapes += " -> " + " ".join("x".join(map(str, t.shape)) for t in call.outputs)
        rows.append((str(step), call.op.kind + (f" [{call.note}]" if call.note else ""),
                     str(call.op.index) if call.op.index >= 0 else "-", shapes, f"{call.macs:,}",
                     f"{plan.live_bytes[step]:,}", f"{high:,}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i in (1, 3) else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    m = c.model
    lines += [
        "",
        f"model {m.name}: {len(c.calls)} kernel calls, {m.macs:,} MACs",
        f"arena {plan.arena_size:,} B (planner {plan.strategy}; lower bound {plan.lower_bound:,} B, "
        f"gap {plan.arena_size - plan.lower_bound:,} B)",
        f"weights and constants {m.weight_bytes:,} B (flash)",
    ]
    if plan.in_place:
        lines.append(f"in place: {len(plan.in_place)} ops write over their input")
    return "\n".join(lines)
