"""Per-layer report: op, shapes, MACs, the arena over time (live bytes per call with and without
in-place pairs, the lower bound, the high-water mark), what defines the peak, and an SVG picture."""
from __future__ import annotations

from typing import Optional

from .pipeline import Compiled
from .planner import Plan, plan_arena
from .plot import render_svg, short_name

BAR = 24


def baseline_plan(c: Compiled) -> Plan:
    """The same graph planned without in-place pairs (what the in-place work saves)."""
    return plan_arena(c.graph, c.calls, in_place=False)


def _shapes(call) -> str:
    s = " ".join("x".join(map(str, t.shape)) for t in call.inputs if not t.root.is_const)
    return s + " -> " + " ".join("x".join(map(str, t.shape)) for t in call.outputs)


SHORT_KINDS = {"CONV_2D": "CONV", "DEPTHWISE_CONV_2D": "DW", "FULLY_CONNECTED": "FC", "AVERAGE_POOL_2D": "AVGPOOL",
               "MAX_POOL_2D": "MAXPOOL", "RESIZE_NEAREST_NEIGHBOR": "RESIZE", "CONCATENATION": "CONCAT"}


def op_labels(c: Compiled) -> list[str]:
    """One short label per kernel call, e.g. '7 DW 3x3/s2'."""
    return [f"{i} {SHORT_KINDS.get(call.op.kind, call.op.kind)}" + (f" {call.note}" if call.note else "")
            for i, call in enumerate(c.calls)]


def peak_steps(plan: Plan) -> list[int]:
    """The calls with the most bytes live (where the arena is reached when the gap is 0)."""
    top = max(plan.live_bytes, default=0)
    return [s for s, v in enumerate(plan.live_bytes) if v == top]


def stage_lines(c: Compiled, layer_arena: Optional[int] = None) -> list[str]:
    """What the patch-based stages cost: no extra MACs (halo rows are cached), bytes moved, band
    calls; and the layer-by-layer arena they replace, when known."""
    out = []
    for step, call in enumerate(c.calls):
        st = call.band_stage()
        if st is not None:
            out.append(f"patch stage at call {step}: {st.describe()} ({', '.join(x.op.kind for x in st.calls)}): "
                       f"extra MACs 0 (halo rows cached), {st.moved_bytes:,} B moved per inference, "
                       f"{st.band_calls} band calls, windows {st.window_bytes:,} B + kernel scratch "
                       f"{st.kernel_scratch:,} B")
    if out and layer_arena:
        saved = layer_arena - c.plan.arena_size
        out.append(f"layer by layer the arena is {layer_arena:,} B: patch-based inference saves {saved:,} B "
                   f"({100.0 * saved / layer_arena:.1f}%)")
    return out


def format_report(c: Compiled, baseline: Optional[Plan] = None,
                  references: Optional[list[tuple[str, int]]] = None, layer_arena: Optional[int] = None) -> str:
    """The text report. `baseline`: the plan without in-place pairs (computed when None);
    `layer_arena`: the arena without patch-based stages (for the stages' summary)."""
    plan = c.plan
    if baseline is None:
        baseline = baseline_plan(c)
    scale = max(baseline.arena_size, plan.arena_size, 1)
    pairs = plan.inplace_pairs
    rows = [("#", "op", "model op", "inputs -> outputs", "MACs", "live B no-inplace", "live B", "bound B",
             "high-water B", "over", f"live (#) / no in-place (-), of {scale:,} B")]
    for step, call in enumerate(c.calls):
        over = ",".join((f"in{i}" if o == 0 else f"out{o}<in{i}") for o, i in pairs.get(step, []))
        live, live0 = plan.live_bytes[step], baseline.live_bytes[step]
        n, n0 = round(BAR * live / scale), round(BAR * live0 / scale)
        bar = "#" * n + "-" * max(n0 - n, 0)
        rows.append((str(step), call.op.kind + (f" [{call.note}]" if call.note else ""),
                     str(call.op.index) if call.op.index >= 0 else "-", _shapes(call), f"{call.macs:,}",
                     f"{live0:,}", f"{live:,}", f"{plan.bound_per_step[step]:,}", f"{plan.high_water[step]:,}",
                     over, bar))
    left = (1, 3, 9, 10)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i in left else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths))).rstrip()
             for r in rows]
    lines.insert(1, "-" * max(len(x) for x in lines))
    m = c.model
    gap = plan.arena_size - plan.lower_bound
    why = "" if gap else ": optimal"
    if gap and plan.proven_optimal:
        why = ": no placement with these in-place pairs does better (exhaustive search)"
    lines += [
        "",
        f"model {m.name}: {len(c.calls)} kernel calls, {m.macs:,} MACs",
        f"arena {plan.arena_size:,} B (planner {plan.strategy}; lower bound {plan.lower_bound:,} B, "
        f"gap {gap:,} B{why})",
    ]
    saved = baseline.arena_size - plan.arena_size
    pct = 100.0 * saved / baseline.arena_size if baseline.arena_size else 0.0
    lines.append(f"without in-place pairs: arena {baseline.arena_size:,} B (lower bound {baseline.lower_bound:,} B); "
                 f"in place saves {saved:,} B ({pct:.1f}%)")
    lines.append(f"in place: {len(plan.pairs)} of {plan.candidates} offered pairs applied "
                 f"({len(plan.in_place)} ops write over their input)")
    lines += stage_lines(c, layer_arena)
    peaks = peak_steps(plan)
    if peaks:
        s = peaks[0]
        at_peak = sorted((b for b in plan.buffers if b.first <= s <= b.last), key=lambda b: -b.size)
        what = ", ".join(f"{'scratch' if b.scratch_of is not None else short_name(b.name, 32)} {b.size:,} B"
                         for b in at_peak[:4]) + (", ..." if len(at_peak) > 4 else "")
        more = f" (and {len(peaks) - 1} more)" if len(peaks) > 1 else ""
        lines.append(f"peak: {plan.live_bytes[s]:,} B live at call {s} ({c.calls[s].op.kind}){more}: {what}")
    for label, value in references or []:
        if value > 0:
            lines.append(f"vs {label} {value:,} B: {plan.arena_size / value:.3f}x")
    lines.append(f"weights and constants {m.weight_bytes:,} B (flash)")
    return "\n".join(lines)


def report_svg(c: Compiled, baseline: Optional[Plan] = None,
               references: Optional[list[tuple[str, int]]] = None) -> str:
    if baseline is None:
        baseline = baseline_plan(c)
    return render_svg(c.plan, op_labels(c), f"{c.model.name}: arena over time", baseline=baseline,
                      references=references)
