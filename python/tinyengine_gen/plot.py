"""The arena as a picture: a hand-written SVG (no plotting library).

Top panel: where every buffer sits, time (kernel call) across, arena offset up. A buffer is a
box from its first to its last call; an in-place chain (outputs written over dying inputs) keeps
one colour; kernel scratch is grey. The arena size and the lower bound are horizontal lines.
Bottom panel: bytes live during each call, with in-place pairs (the plan) and without (grey),
and the per-call lower bound. Hovering a box in a browser shows its tensor, size and lifetime.
"""
from __future__ import annotations

from typing import Optional
from xml.sax.saxutils import escape

from .planner import ALIGN, Plan

PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#86bcb6", "#8cd17d", "#f1ce63", "#a0cbe8", "#ffbe7d", "#d4a6c8", "#79706e"]
SCRATCH = "#bab0ac"
FONT = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""


def short_name(name: str, limit: int = 40) -> str:
    """TFLite tensor names are long paths ('model/conv2d/Conv2D;model/bn/...'): keep the tail."""
    n = name.split(";")[0]
    parts = [p for p in n.split("/") if p]
    n = "/".join(parts[-2:]) if len(parts) > 1 else n
    return n if len(n) <= limit else n[:limit - 1] + "…"


def _kb(n: float) -> str:
    return f"{n / 1024:.0f} KB" if n >= 10 * 1024 else (f"{n / 1024:.1f} KB" if n >= 1024 else f"{int(n)} B")


def _nice_ticks(top: int, count: int = 5) -> list[int]:
    """Round tick values: multiples of 1, 2, 5 x 10^k bytes below 1 KB, of KB above."""
    if top <= 0:
        return [0]
    unit = 1024 if top >= 4 * 1024 else 1
    raw = top / count / unit
    mag = 1
    while mag * 10 <= raw:
        mag *= 10
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw) * unit
    ticks, v = [], 0.0
    while v <= top * 1.0001:
        ticks.append(int(v))
        v += step
    return ticks


def _chains(plan: Plan) -> dict[int, int]:
    """id(buffer) -> chain number (buffers tied by applied in-place pairs share one)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for p in plan.pairs:
        ra, rb = find(id(p.src)), find(id(p.dst))
        if ra != rb:
            parent[rb] = ra
    roots: dict[int, int] = {}
    out = {}
    for b in plan.buffers:
        if b.scratch_of is not None:
            continue
        r = find(id(b))
        out[id(b)] = roots.setdefault(r, len(roots))
    return out


def render_svg(plan: Plan, ops: list[str], title: str, baseline: Optional[Plan] = None,
               references: Optional[list[tuple[str, int]]] = None) -> str:
    """ops: one label per kernel call; baseline: the plan without in-place pairs (grey bars);
    references: (label, bytes) horizontal lines, e.g. another engine's arena."""
    steps = len(ops)
    col = max(8.0, min(28.0, 960.0 / max(steps, 1)), 640.0 / max(steps, 1))
    left, right, top_margin = 110.0, 250.0, 64.0
    plot_w = col * steps
    h1, gap, h2, label_h = 380.0, 46.0, 190.0, 140.0
    width = left + plot_w + right
    height = top_margin + h1 + gap + h2 + label_h + 10
    refs = [(lbl, v) for lbl, v in (references or []) if v > 0]
    ymax = max([plan.arena_size, 1] + ([baseline.arena_size] if baseline else []) + [v for _, v in refs])
    ymax = int(ymax * 1.04) + 1
    y1 = top_margin + h1  # panel 1 baseline (offset 0)
    y2 = y1 + gap + h2  # panel 2 baseline (0 bytes)

    def sy1(v: float) -> float:
        return y1 - v / ymax * h1

    def sy2(v: float) -> float:
        return y2 - v / ymax * h2

    def sx(step: float) -> float:
        return left + step * col

    out: list[str] = []
    add = out.append
    add(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" {FONT} font-size="11">')
    add(f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="white"/>')
    add(f'<text x="{left:.0f}" y="24" font-size="16" font-weight="bold">{escape(title)}</text>')
    sub = (f"arena {plan.arena_size:,} B · lower bound {plan.lower_bound:,} B · gap {plan.gap:,} B · "
           f"planner {plan.strategy} · {len(plan.pairs)} in-place pairs")
    if baseline is not None:
        sub += f" · without in-place {baseline.arena_size:,} B"
    add(f'<text x="{left:.0f}" y="44" fill="#444">{escape(sub)}</text>')

    # Panel frames, grid and axes.
    for ybase, h, sy, label in ((y1, h1, sy1, "arena offset"), (y2, h2, sy2, "live bytes")):
        add(f'<rect x="{left:.1f}" y="{ybase - h:.1f}" width="{plot_w:.1f}" height="{h:.1f}" '
            f'fill="#fafafa" stroke="#999" stroke-width="0.8"/>')
        for t in _nice_ticks(ymax, 5 if h < 250 else 8):
            if t > ymax:
                continue
            yy = sy(t)
            add(f'<line x1="{left:.1f}" y1="{yy:.1f}" x2="{left + plot_w:.1f}" y2="{yy:.1f}" stroke="#e4e4e4"/>')
            add(f'<text x="{left - 6:.1f}" y="{yy + 4:.1f}" text-anchor="end" fill="#555">{_kb(t)}</text>')
        add(f'<text transform="translate(16,{ybase - h / 2:.1f}) rotate(-90)" text-anchor="middle" '
            f'fill="#333">{label}</text>')

    # Peak calls (the most bytes live) shaded in both panels.
    peak = max(plan.live_bytes, default=0)
    for s in range(steps):
        if plan.live_bytes and plan.live_bytes[s] == peak:
            for ybase, h in ((y1, h1), (y2, h2)):
                add(f'<rect x="{sx(s):.1f}" y="{ybase - h:.1f}" width="{col:.1f}" height="{h:.1f}" '
                    f'fill="#fde0dd" opacity="0.6"/>')

    # Panel 1: buffers in (time x offset).
    chain = _chains(plan)
    buffers = sorted(plan.buffers, key=lambda b: (b.first, b.offset))
    for b in buffers:
        x0, x1 = sx(b.first), sx(b.last + 1)
        ya, yb = sy1(b.offset + b.size), sy1(b.offset)
        colour = SCRATCH if b.scratch_of is not None else PALETTE[chain.get(id(b), 0) % len(PALETTE)]
        kind = "scratch" if b.scratch_of is not None else "tensor"
        tip = (f"{kind} {b.name}: {b.size:,} B at offset {b.offset:,}, calls {b.first}..{b.last}")
        add(f'<rect x="{x0 + 0.5:.1f}" y="{ya:.1f}" width="{max(x1 - x0 - 1, 1):.1f}" '
            f'height="{max(yb - ya, 0.8):.1f}" fill="{colour}" fill-opacity="0.85" stroke="#333" '
            f'stroke-width="0.4"><title>{escape(tip)}</title></rect>')
        w, h = x1 - x0, yb - ya
        if b.scratch_of is None and w >= 70 and h >= 13:
            chars = int((w - 6) / 6.2)
            add(f'<text x="{x0 + 4:.1f}" y="{ya + min(h / 2 + 4, 14):.1f}" font-size="10" fill="#111">'
                f'{escape(short_name(b.name, chars))}</text>')
    # In-place pairs: a small marker where an output is written over its input.
    for p in plan.pairs:
        yy = sy1(p.dst.offset + min(p.dst.size, p.src.size) / 2)
        add(f'<circle cx="{sx(p.step) + col / 2:.1f}" cy="{yy:.1f}" r="{min(3.0, col / 3):.1f}" fill="white" '
            f'stroke="#111" stroke-width="0.8"><title>{escape(p.dst.name)} written over {escape(p.src.name)}'
            f'</title></circle>')

    def hline(y: float, colour: str, text: str, dash: str = "") -> None:
        d = f' stroke-dasharray="{dash}"' if dash else ""
        add(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" stroke="{colour}" '
            f'stroke-width="1.4"{d}/>')
        add(f'<text x="{left + plot_w + 6:.1f}" y="{y + 4:.1f}" fill="{colour}">{escape(text)}</text>')

    hline(sy1(plan.arena_size), "#c0392b", f"arena {_kb(plan.arena_size)}")
    if plan.lower_bound < plan.arena_size:
        hline(sy1(plan.lower_bound), "#e67e22", f"bound {_kb(plan.lower_bound)}", "5,3")
    for lbl, v in refs:
        hline(sy1(v), "#7f8c8d", f"{lbl} {_kb(v)}", "2,3")

    # Panel 2: live bytes per call.
    for s in range(steps):
        if baseline is not None:
            v = baseline.live_bytes[s]
            add(f'<rect x="{sx(s) + 1:.1f}" y="{sy2(v):.1f}" width="{max(col - 2, 1):.1f}" height="{y2 - sy2(v):.1f}" '
                f'fill="#d0d0d0"><title>call {s} without in-place: {v:,} B live</title></rect>')
        v = plan.live_bytes[s]
        inset = col * 0.22 if baseline is not None else 1
        add(f'<rect x="{sx(s) + inset:.1f}" y="{sy2(v):.1f}" width="{max(col - 2 * inset, 1):.1f}" '
            f'height="{y2 - sy2(v):.1f}" fill="#4e79a7"><title>call {s} {escape(ops[s])}: {v:,} B live '
            f'(bound {plan.bound_per_step[s]:,} B, high-water {plan.high_water[s]:,} B)</title></rect>')
    pts = " ".join(f"{sx(s):.1f},{sy2(v):.1f} {sx(s + 1):.1f},{sy2(v):.1f}" for s, v in enumerate(plan.bound_per_step))
    add(f'<polyline points="{pts}" fill="none" stroke="#e67e22" stroke-width="1.3" stroke-dasharray="4,2"/>')
    add(f'<line x1="{left:.1f}" y1="{sy2(plan.arena_size):.1f}" x2="{left + plot_w:.1f}" '
        f'y2="{sy2(plan.arena_size):.1f}" stroke="#c0392b" stroke-width="1.2"/>')
    for _label, v in refs:
        add(f'<line x1="{left:.1f}" y1="{sy2(v):.1f}" x2="{left + plot_w:.1f}" y2="{sy2(v):.1f}" '
            f'stroke="#7f8c8d" stroke-width="1.2" stroke-dasharray="2,3"/>')

    # Call labels under panel 2.
    fs = 10 if col >= 11 else 8
    for s, label in enumerate(ops):
        x = sx(s) + col / 2 + fs / 3
        add(f'<text transform="translate({x:.1f},{y2 + 6:.1f}) rotate(-65)" text-anchor="end" '
            f'font-size="{fs}" fill="#333">{escape(label if len(label) <= 24 else label[:23] + "…")}</text>')
    add(f'<text x="{left - 6:.1f}" y="{y2 + 16:.1f}" text-anchor="end" fill="#333">call</text>')

    # Legend.
    lx, ly = left + plot_w + 12, y2 - h2 + 4
    items = [("#4e79a7", "live, in place (plan)")]
    if baseline is not None:
        items.append(("#d0d0d0", "live, no in-place"))
    for i, (color, label) in enumerate(items):
        add(f'<rect x="{lx:.1f}" y="{ly + i * 18:.1f}" width="12" height="12" fill="{color}"/>')
        add(f'<text x="{lx + 18:.1f}" y="{ly + i * 18 + 10:.1f}">{escape(label)}</text>')
    k = len(items)
    add(f'<line x1="{lx:.1f}" y1="{ly + k * 18 + 6:.1f}" x2="{lx + 12:.1f}" y2="{ly + k * 18 + 6:.1f}" '
        f'stroke="#e67e22" stroke-width="1.3" stroke-dasharray="4,2"/>')
    add(f'<text x="{lx + 18:.1f}" y="{ly + k * 18 + 10:.1f}">lower bound per call</text>')
    add(f'<line x1="{lx:.1f}" y1="{ly + (k + 1) * 18 + 6:.1f}" x2="{lx + 12:.1f}" y2="{ly + (k + 1) * 18 + 6:.1f}" '
        f'stroke="#c0392b" stroke-width="1.3"/>')
    add(f'<text x="{lx + 18:.1f}" y="{ly + (k + 1) * 18 + 10:.1f}">arena</text>')
    add(f'<rect x="{lx:.1f}" y="{ly + (k + 2) * 18:.1f}" width="12" height="12" fill="#fde0dd"/>')
    add(f'<text x="{lx + 18:.1f}" y="{ly + (k + 2) * 18 + 10:.1f}">peak call(s)</text>')
    ly1 = y1 - 76
    add(f'<rect x="{lx:.1f}" y="{ly1:.1f}" width="12" height="12" fill="{PALETTE[0]}" fill-opacity="0.85"/>')
    add(f'<text x="{lx + 18:.1f}" y="{ly1 + 10:.1f}">tensor (colour: in-place chain)</text>')
    add(f'<rect x="{lx:.1f}" y="{ly1 + 18:.1f}" width="12" height="12" fill="{SCRATCH}"/>')
    add(f'<text x="{lx + 18:.1f}" y="{ly1 + 28:.1f}">kernel scratch</text>')
    add(f'<circle cx="{lx + 6:.1f}" cy="{ly1 + 42:.1f}" r="3" fill="white" stroke="#111"/>')
    add(f'<text x="{lx + 18:.1f}" y="{ly1 + 46:.1f}">output over its input</text>')
    add(f'<text x="{lx:.1f}" y="{ly1 + 66:.1f}" fill="#666" font-size="10">offsets aligned to {ALIGN} B</text>')
    add("</svg>")
    return "\n".join(out) + "\n"

