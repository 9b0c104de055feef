"""`tinyengine-gen report`: the arena over time as text (with and without in-place pairs, the lower
bound and the gap) and as an SVG picture."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support import shared_models_dir
from tests.test_cli_errors import assert_one_line_error, run_cli
from tinyengine_gen.pipeline import Options, compile_model
from tinyengine_gen.report import baseline_plan, format_report, op_labels, report_svg

SVG = "{http://www.w3.org/2000/svg}"
TOYCAR = shared_models_dir() / "mlcommons-tiny" / "toycar_fullint_micro.tflite"  # float edges: in place helps
VWW = shared_models_dir() / "tinyengine" / "vww.tflite"


def _number(pattern: str, text: str) -> int:
    m = re.search(pattern, text)
    assert m, (pattern, text[-800:])
    return int(m.group(1).replace(",", ""))


@pytest.mark.parametrize("model", [TOYCAR, VWW], ids=["toycar", "vww"])
def test_report_text(model: Path) -> None:
    c = compile_model(model)
    base = baseline_plan(c)
    text = format_report(c, base, [("TFLM", 219808)])
    lines = text.splitlines()
    header = lines[0]
    for col in ("live B no-inplace", "live B", "bound B", "high-water B", "over"):
        assert col in header
    # One row per kernel call, numbered in order.
    rows = [ln for ln in lines[2:2 + len(c.calls)]]
    assert [int(r.split()[0]) for r in rows] == list(range(len(c.calls)))
    arena = _number(r"\narena ([\d,]+) B", text)
    bound = _number(r"lower bound ([\d,]+) B, gap", text)
    gap = _number(r"gap ([\d,]+) B", text)
    assert arena == c.plan.arena_size and bound == c.plan.lower_bound and gap == arena - bound >= 0
    assert _number(r"without in-place pairs: arena ([\d,]+) B", text) == base.arena_size >= arena
    assert "in place saves" in text and "peak: " in text and "vs TFLM 219,808 B: " in text
    # The live column is the plan's, and never above the arena.
    for s, row in enumerate(rows):
        assert f"{c.plan.live_bytes[s]:,}" in row and f"{base.live_bytes[s]:,}" in row
    assert max(c.plan.live_bytes) <= arena


def test_in_place_shows_in_report() -> None:
    """toycar quantizes a float input: the QUANTIZE writes over it, and the arena shrinks."""
    c = compile_model(TOYCAR)
    base = baseline_plan(c)
    assert c.plan.arena_size < base.arena_size
    text = format_report(c, base)
    q = next(i for i, call in enumerate(c.calls) if call.op.kind == "QUANTIZE")
    row = text.splitlines()[2 + q]
    assert " in0 " in row + " "


def test_svg_is_valid_and_shows_every_buffer(tmp_path: Path) -> None:
    c = compile_model(VWW)
    svg = report_svg(c, references=[("TinyEngine", 93992)])
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    width, height = float(root.get("width")), float(root.get("height"))
    assert width > 600 and height > 400
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    # One box (with a tooltip) per buffer, one bar per call (with and without in-place).
    assert sum(t.startswith(("tensor ", "scratch ")) for t in titles) == len(c.plan.buffers)
    assert sum(t.startswith("call ") and "without in-place" in t for t in titles) == len(c.calls)
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "lower bound" in texts and "TinyEngine" in texts
    for label in op_labels(c)[:3]:
        assert label[:20] in texts
    # Every shape stays inside the picture.
    for r in root.iter(f"{SVG}rect"):
        x, y = float(r.get("x")), float(r.get("y"))
        assert -0.5 <= x <= width and -0.5 <= y <= height


def test_cli_report_svg_and_options(tmp_path: Path) -> None:
    out = tmp_path / "arena.svg"
    res = run_cli("report", str(TOYCAR), "--svg", str(out), "--reference", "TFLM=5136")
    assert res.returncode == 0, res.stderr
    assert "lower bound" in res.stdout and "gap" in res.stdout and "vs TFLM 5,136 B" in res.stdout
    ET.fromstring(out.read_text())
    on = _number(r"\narena ([\d,]+) B", res.stdout)
    off = run_cli("report", str(TOYCAR), "--no-in-place")
    assert off.returncode == 0, off.stderr
    assert _number(r"\narena ([\d,]+) B", off.stdout) > on
    assert compile_model(TOYCAR, Options(in_place=False)).plan.arena_size == _number(r"\narena ([\d,]+) B", off.stdout)


def test_cli_report_bad_reference() -> None:
    assert_one_line_error(run_cli("report", str(TOYCAR), "--reference", "TFLM=lots"), 1, "--reference")


def test_cli_unknown_planner_strategy() -> None:
    assert_one_line_error(run_cli("report", str(TOYCAR), "--planner", "magic"), 1, "unknown planner strategy")
