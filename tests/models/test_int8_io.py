"""--int8-io: a float model's input QUANTIZE and output DEQUANTIZE are left to the caller. The
8-bit tensors the model then takes and gives must equal the reference's own 8-bit tensors at
those edges (read from LiteRT with every intermediate tensor kept)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from tests.support import shared_models_dir
from tests.support.host import run_host
from tests.support.optest import build_model_exe, generate
from tests.support.oracle import load_model_bytes, random_inputs
from tinyengine_gen.pipeline import Options, compile_model

SHARED = shared_models_dir()
FLOAT_EDGED = [SHARED / "tinyengine" / "vww.tflite", SHARED / "tinyengine" / "detection.tflite",
               SHARED / "mlcommons-tiny" / "toycar_fullint_micro.tflite",
               SHARED / "tinyengine" / "mnist_lenet_300_100.tflite"]


def reference_edges(model: bytes, inputs: list[np.ndarray], in_names: list[str], out_names: list[str]):
    interpreter = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
                              num_threads=1, experimental_preserve_all_tensors=True)
    interpreter.allocate_tensors()
    for d, v in zip(interpreter.get_input_details(), inputs):
        interpreter.set_tensor(d["index"], v)
    interpreter.invoke()
    by_name = {d["name"]: d["index"] for d in interpreter.get_tensor_details()}
    return ([interpreter.get_tensor(by_name[n]).copy() for n in in_names],
            [interpreter.get_tensor(by_name[n]).copy() for n in out_names])


@pytest.mark.parametrize("args", [("--int8-io",), ("--int8-io", "--patch")], ids=["layers", "patch"])
@pytest.mark.parametrize("model", FLOAT_EDGED, ids=[p.stem for p in FLOAT_EDGED])
def test_int8_edges_match_reference(model: Path, args: tuple, tmp_path: Path) -> None:
    mb = load_model_bytes(model)
    c = compile_model(model, Options(int8_io=True))
    assert all(t.dtype == "int8" for t in c.graph.inputs)
    in_names = [t.name for t in c.graph.inputs]
    out_names = [t.name for t in c.graph.outputs]
    gen = generate(model, tmp_path / "gen", "model", args)
    header = (gen / "model.h").read_text()
    assert "--int8-io" in header and "MODEL_INPUT0_ZERO_POINT" in header
    rng = np.random.default_rng(7)
    sets, wants = [], []
    for _ in range(2):
        q_in, q_out = reference_edges(mb, random_inputs(mb, rng), in_names, out_names)
        sets.append(q_in)
        wants.append(q_out)
    exe = build_model_exe(gen, "model", extra=("-DTE_EMULATE_DSP",))
    got = run_host(exe, sets, [(tuple(t.shape), np.dtype(t.dtype)) for t in c.graph.outputs])
    for want, have in zip(wants, got):
        for w, h in zip(want, have):
            assert w.tobytes() == h.tobytes()


def test_int8_io_lets_patches_drop_the_float_input() -> None:
    """vww's 76,800 B float input is whole while its first stage runs; its 8-bit copy is a quarter."""
    model = SHARED / "tinyengine" / "vww.tflite"
    full = compile_model(model, Options(patch=True)).plan.arena_size
    peeled = compile_model(model, Options(patch=True, int8_io=True)).plan.arena_size
    assert peeled < full - 40_000
