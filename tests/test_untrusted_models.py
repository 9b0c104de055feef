"""Untrusted models: each malformed model is refused in one short line (no traceback, no hang, no
partial output). The cases are the ones a fuzzing campaign and hand probes found;
tests/test_fuzz_models.py keeps looking.
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pytest

from tests.support.fuzz import set_field
from tests.support.host import run_host
from tests.support.optest import build_model_exe
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model
from tinyengine_gen.cli import main
from tinyengine_gen.errors import UnsupportedOpError


def q8(shape: tuple[int, ...], scale: float = 0.05, zp: int = 0, **kw) -> TensorSpec:
    return TensorSpec(shape, "int8", scale=scale, zero_point=zp, **kw)


def fc(units: int = 16, depth: int = 8, w_scales: list[float] | float = 0.02, w_zps: list[int] | int = 0,
       in_zp: int = 0, bias: bool = True, bias_units: int | None = None) -> bytes:
    rng = np.random.default_rng(0)
    inputs = [q8((1, depth), 0.05, in_zp),
              TensorSpec((units, depth), "int8", scale=w_scales, zero_point=w_zps,
                         data=rng.integers(-127, 128, (units, depth)).astype(np.int8)),
              TensorSpec((bias_units or units,), "int32", scale=0.001, zero_point=0,
                         data=rng.integers(-500, 500, bias_units or units).astype(np.int32)) if bias else None]
    return build_single_op_model("FULLY_CONNECTED", inputs, [q8((1, units), 0.3, -3)],
                                 {"fused_activation_function": "NONE"})


def add_chain(order: list[int] | None = None) -> bytes:
    """x + y -> t; t + y -> out, with the ops stored in `order`."""
    tensors = [q8((1, 4)), q8((1, 4), 0.07, 1), q8((1, 4), 0.1), q8((1, 4), 0.2)]
    ops = [OpSpec("ADD", [0, 1], [2], {"fused_activation_function": "NONE"}),
           OpSpec("ADD", [2, 1], [3], {"fused_activation_function": "NONE"})]
    return build_model(tensors, [ops[i] for i in (order or [0, 1])], [0, 1], [3])


def conv(stride: int = 1) -> bytes:
    rng = np.random.default_rng(1)
    inputs = [q8((1, 5, 5, 2)), TensorSpec((3, 3, 3, 2), "int8", scale=0.02, zero_point=0,
                                           data=rng.integers(-127, 128, (3, 3, 3, 2)).astype(np.int8))]
    return build_single_op_model("CONV_2D", inputs + [None], [q8((1, 5, 5, 3), 0.2)],
                                 {"padding": "SAME", "stride_w": stride, "stride_h": 1})


def reshape_model(specs: list[TensorSpec], ops: list[OpSpec], inputs: list[int], outputs: list[int]) -> bytes:
    return build_model(specs, ops, inputs, outputs)


CASES: dict[str, tuple] = {
    # FULLY_CONNECTED with 2 per-channel scales for 16 outputs read past its scale table.
    "per_channel_scale_count": (lambda: fc(w_scales=[0.02, 0.03], w_zps=[0, 0]), "2 per-channel scales for 16"),
    # Zero points outside the type's range overflowed conv/FC/MEAN arithmetic.
    "zero_point_int32_min": (lambda: fc(in_zp=-(2**31)), "zero point -2147483648, outside the int8 range"),
    "weight_zero_point_out_of_range": (lambda: fc(w_zps=300), "zero point 300, outside the int8 range"),
    "negative_dimension": (lambda: set_field(add_chain(), "tensor.shape", 1, -1), "negative dimension"),
    "four_gib_tensor": (lambda: set_field(set_field(add_chain(), "tensor.shape", 0, 65536), "tensor.shape", 1, 65536),
                        "limit of 1 GiB"),
    "ops_out_of_order": (lambda: add_chain([1, 0]), "not in execution order"),
    "view_of_itself": (lambda: reshape_model([q8((1, 4)), q8((1, 4))], [OpSpec("RESHAPE", [1], [1])], [0], [1]),
                       "both its input and its output"),
    "views_aliasing_each_other": (lambda: reshape_model(
        [q8((1, 4)), q8((4,)), q8((2, 2)), q8((1, 4))],
        [OpSpec("RESHAPE", [2], [1]), OpSpec("RESHAPE", [1], [2]), OpSpec("ADD", [0, 1], [3])], [0], [3]),
        "not in execution order"),
    "stride_zero": (lambda: conv(stride=0), "stride_w = 0"),
    "nan_scale": (lambda: set_field(add_chain(), "quant.scale", 1, float("nan")), "scale nan"),
    "zero_scale": (lambda: set_field(add_chain(), "quant.scale", 2, 0.0), "scale 0.0"),
    "unknown_dtype": (lambda: set_field(add_chain(), "tensor.type", 1, 99), "type tinyengine does not know"),
    "op_writes_a_constant": (lambda: build_model(
        [q8((1, 4)), q8((1, 4), data=np.zeros((1, 4), np.int8)), q8((1, 4))],
        [OpSpec("ADD", [0, 0], [1])], [0], [1]), "writes constant"),
    "constant_output": (lambda: build_model(
        [q8((1, 4)), q8((1, 4), data=np.ones((1, 4), np.int8)), q8((1, 4))],
        [OpSpec("ADD", [0, 0], [2])], [0], [2, 1]), "is a constant"),
    "tensor_index_out_of_range": (lambda: set_field(add_chain(), "op.inputs", 0, 77), "refers to tensor 77"),
    "missing_required_input": (lambda: set_field(fc(), "op.inputs", 1, -1), "input 1 is missing"),
    "wrong_bias_length": (lambda: fc(bias_units=10), "bias tensor 2 't2' has 10 values for 16 output channels"),
}


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def assert_one_line(code: int, err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert code in (1, 2) and len(lines) == 1, (code, err)
    assert lines[0].startswith("tinyengine-gen: error: ") and "Traceback" not in err
    assert len(lines[0]) <= 700 and lines[0].isprintable(), lines[0]
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_model_is_refused_in_one_line(case: str, tmp_path: Path) -> None:
    build, needle = CASES[case]
    model = tmp_path / "bad.tflite"
    model.write_bytes(build())
    code, _, err = run_cli(str(model), "-o", str(tmp_path / "gen"), "--name", "m")
    assert_one_line(code, err, needle, "bad.tflite")
    assert not (tmp_path / "gen").exists() or not any((tmp_path / "gen").iterdir())


def test_output_path_that_is_a_file(tmp_path: Path) -> None:
    model = tmp_path / "ok.tflite"
    model.write_bytes(add_chain())
    target = tmp_path / "file"
    target.write_text("keep me")
    code, _, err = run_cli(str(model), "-o", str(target))
    assert_one_line(code, err, "is not a directory")
    assert target.read_text() == "keep me"


def test_names_with_newlines_stay_on_one_line() -> None:
    text = str(UnsupportedOpError([(3, "CUSTOM:evil\nop\r\x1b[2J", "int8"), (4, "CUSTOM:evil\nop\r\x1b[2J", "int8")],
                                  source="m.tflite"))
    assert "\n" not in text and "\r" not in text and "\x1b" not in text and "x2" in text


def test_model_whose_ops_all_become_views_compiles_warning_free(tmp_path: Path) -> None:
    """input -> RESHAPE -> output: no op is left; the generated C must still build with -Werror."""
    model = build_model([q8((1, 4)), q8((4,))], [OpSpec("RESHAPE", [0], [1])], [0], [1])
    gen = tmp_path / "gen"
    code, _, err = run_cli(_write(tmp_path, model), "-o", str(gen), "--name", "m", "-q")
    assert code == 0, err
    exe = build_model_exe(gen, "m")
    x = np.arange(4, dtype=np.int8).reshape(1, 4)
    assert run_host(exe, [[x]], [((4,), np.int8)])[0][0].tobytes() == x.tobytes()


def _write(tmp_path: Path, model: bytes, name: str = "model.tflite") -> str:
    path = tmp_path / name
    path.write_bytes(model)
    return str(path)
