"""Names from a model (tensor names, the file name) never reach generated C outside a comment.

A model is untrusted input: a tensor called `*/ int x; /*` or `y\\n#error` must not end the
comment it is written in, splice lines or add code to the firmware.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.support.host import REPO, STRICT
from tests.support.optest import generate
from tests.support.tflite_build import OpSpec, TensorSpec, build_model
from tinyengine_gen.codegen import c_comment

HOSTILE_NAMES = [
    "*/ int injected_a = 1; /*",
    "x\n#error injected_b\n",
    "y\\\n*/ int injected_c; /*",
    "z ??/\n*/ int injected_d; /*",
    "w\r\x00\x01\t*/injected_e",
    "\u202e*/ int injected_f; //",
    "v" * 5000 + "*/ int injected_g;",
]


def hostile_model() -> bytes:
    shape = (1, 4)
    tensors = [
        TensorSpec(shape, "int8", scale=0.05, zero_point=0, name=HOSTILE_NAMES[0]),
        TensorSpec(shape, "int8", scale=0.05, zero_point=1, name=HOSTILE_NAMES[1]),
        TensorSpec(shape, "int8", scale=0.1, zero_point=0, name=HOSTILE_NAMES[2]),
        TensorSpec(shape, "int8", scale=0.1, zero_point=0, name=HOSTILE_NAMES[3]),
        TensorSpec(shape, "int8", scale=0.2, zero_point=0, name=HOSTILE_NAMES[4]),
        TensorSpec(shape, "int8", scale=0.2, zero_point=0, name=HOSTILE_NAMES[5]),
        TensorSpec(shape, "int8", scale=0.4, zero_point=0, name=HOSTILE_NAMES[6]),
    ]
    act = {"fused_activation_function": "NONE"}
    ops = [OpSpec("ADD", [0, 1], [2], act), OpSpec("ADD", [2, 3], [4], act), OpSpec("ADD", [4, 5], [6], act)]
    return build_model(tensors, ops, [0, 1, 3, 5], [2, 6])


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_comment_text_cannot_close_or_splice_a_comment(name: str) -> None:
    text = c_comment(name)
    for bad in ("*/", "/*", "\n", "\r", "\\", "??", "\x00"):
        assert bad not in text
    assert text.isascii() and len(text) <= 80


def test_hostile_tensor_and_file_names_stay_inside_comments(tmp_path: Path) -> None:
    model = tmp_path / "evil\n#error injected_path ??=x *\\.tflite"
    model.write_bytes(hostile_model())
    gen = generate(model, tmp_path / "gen", name="m")
    for f in ("m.h", "m.c"):
        # The preprocessed code without comments holds nothing from the names ...
        res = subprocess.run(["gcc", "-E", "-P", "-fpreprocessed", "-std=c99", str(gen / f)],
                             capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        assert "injected" not in res.stdout, res.stdout
        text = (gen / f).read_text()
        assert not re.search(r"^\s*#\s*error", text, re.M) and "??" not in text
    # ... and the whole model compiles warning-free.
    res = subprocess.run(["gcc", *STRICT, f"-I{REPO / 'include'}", f"-I{gen}", "-c", str(gen / "m.c"),
                          "-o", str(tmp_path / "m.o")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
