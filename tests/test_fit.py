"""Fitting a budget (tinyengine_gen.fit), the JSON summary and what --int8-io tells the user."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.support.tflite_build import OpSpec, TensorSpec, build_model
from tests.test_patches import resnet_like
from tinyengine_gen.cli import main
from tinyengine_gen.fit import OPTION_NAMES, budget_message, reachable
from tinyengine_gen.pipeline import Options, compile_model


def float_edged(log_softmax: bool) -> bytes:
    """float in -> QUANTIZE -> FULLY_CONNECTED 256 -> 16 -> DEQUANTIZE -> [LOG_SOFTMAX] -> float out."""
    rng = np.random.default_rng(2)
    tensors = [
        TensorSpec((1, 256), "float32"),
        TensorSpec((1, 256), "int8", scale=0.02, zero_point=1),
        TensorSpec((16, 256), "int8", scale=0.01, zero_point=0, data=rng.integers(-127, 128, (16, 256), dtype=np.int8)),
        TensorSpec((16,), "int32", scale=0.0002, zero_point=0, data=rng.integers(-999, 999, 16, dtype=np.int32)),
        TensorSpec((1, 16), "int8", scale=0.1, zero_point=-2),
        TensorSpec((1, 16), "float32"),
        TensorSpec((1, 16), "float32"),
    ]
    ops = [OpSpec("QUANTIZE", [0], [1]), OpSpec("FULLY_CONNECTED", [1, 2, 3], [4]), OpSpec("DEQUANTIZE", [4], [5])]
    if log_softmax:
        ops.append(OpSpec("LOG_SOFTMAX", [5], [6]))
    return build_model(tensors, ops, [0], [6 if log_softmax else 5])


def test_int8_io_says_what_it_left_float(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "m.tflite"
    path.write_bytes(float_edged(log_softmax=True))
    c = compile_model(path, Options(int8_io=True))
    assert c.graph.inputs[0].dtype == "int8" and c.graph.outputs[0].dtype == "float32"
    assert c.notes == ["--int8-io: output 0 stays float32: it comes from a float LOG_SOFTMAX, not from a DEQUANTIZE"]
    path.write_bytes(float_edged(log_softmax=False))
    assert compile_model(path, Options(int8_io=True)).notes == []
    path.write_bytes(resnet_like())
    assert main([str(path), "-o", str(tmp_path / "g"), "--int8-io"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == ["tinyengine-gen: --int8-io has no effect: the model's inputs and outputs are already 8-bit"]


def test_summary_json(tmp_path: Path) -> None:
    path = tmp_path / "m.tflite"
    path.write_bytes(float_edged(log_softmax=False))
    summary = tmp_path / "s.json"
    assert main([str(path), "-o", str(tmp_path / "g"), "--name", "net", "--int8-io", "-q", "--summary", str(summary)]) == 0
    data = json.loads(summary.read_text())
    header = (tmp_path / "g" / "net.h").read_text()
    assert f"#define NET_ARENA_SIZE   {data['arena_bytes']}\n" in header
    assert data["name"] == "net" and data["files"] == ["net.c", "net.h"] and data["execution"] == "layer by layer"
    assert data["options"] == {"patch": False, "int8_io": True, "sram_budget": None, "planner": None, "in_place": True}
    assert [(e["dtype"], e["shape"], e["bytes"]) for e in data["inputs"]] == [("int8", [1, 256], 256)]
    assert data["outputs"][0]["scale"] == pytest.approx(0.1) and data["outputs"][0]["zero_point"] == -2


def test_budget_names_the_options_that_fit(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "m.tflite"
    path.write_bytes(float_edged(log_softmax=False))
    reaches = reachable(path, Options())
    layer, int8 = reaches[0].arena, next(r.arena for r in reaches if r.options == ("int8_io",))
    assert int8 < layer
    assert not any(r.options == ("patch",) for r in reaches)  # no conv stage: patch gains nothing
    msg = budget_message(path, Options(sram_budget=int8), int8, OPTION_NAMES["platformio"])
    assert msg == (f"the model does not fit the SRAM budget (custom_tinyengine_sram_budget) of {int8:,} B: "
                   f"layer by layer its arena is {layer:,} B; it fits with custom_tinyengine_int8_io = yes "
                   f"(arena {int8:,} B)")
    assert main([str(path), "-o", str(tmp_path / "g"), "--sram-budget", str(int8 - 1), "--option-names", "zephyr",
                 "--sram-budget-label", "the RAM left on the board"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (f"tinyengine-gen: error: the model does not fit the RAM left on the board of {int8 - 1:,} B: "
                   f"layer by layer its arena is {layer:,} B; the smallest arena reachable is {int8:,} B "
                   "(with CONFIG_TINYENGINE_INT8_IO=y)")
    # `fit` answers the same question without generating anything.
    assert main(["fit", str(path), "--sram-budget", str(layer), "--option-names", "cmake"]) == 0
    assert capsys.readouterr().out.strip() == f"the arena ({layer:,} B) fits {layer:,} B"
    assert main(["fit", str(path), "--sram-budget", str(layer - 1), "--option-names", "cmake"]) == 0
    assert capsys.readouterr().out.strip() == f"it fits with INT8_IO (arena {int8:,} B)"


def test_patch_reach_on_a_conv_model(tmp_path: Path) -> None:
    path = tmp_path / "m.tflite"
    path.write_bytes(resnet_like())
    reaches = reachable(path, Options())
    assert [r.options for r in reaches] == [(), ("patch",)]  # --int8-io: nothing to gain on int8 edges
    assert reaches[1].arena == compile_model(path, Options(patch=True)).plan.arena_size < reaches[0].arena
