"""What the example firmwares (examples/cmake, samples/kws) feed their model and print.

Both fill every input with the same LCG byte pattern and print one line per output tensor:
    output <k>: <n> bytes: <hex>
The tests reproduce the input here, run LiteRT's reference on it and compare bytes.
"""
from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np

from tests.support.oracle import model_io, run_reference
from tests.support.tflite_build import TensorSpec, build_single_op_model

REPO = Path(__file__).resolve().parents[2]
KWS_MODEL = REPO / "examples" / "models" / "kws_ref_model.tflite"

_OUTPUT_LINE = re.compile(r"^output (\d+): (\d+) bytes: ([0-9a-f]*)\s*$", re.M)


def lcg_bytes(n: int, k: int) -> bytes:
    """The examples' input k: bits 31..24 of s = s * 1664525 + 1013904223, s0 = 0x7E57DA7A + k."""
    s = (0x7E57DA7A + k) & 0xFFFFFFFF
    out = bytearray(n)
    for i in range(n):
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        out[i] = s >> 24
    return bytes(out)


def example_inputs(model: Path | bytes) -> list[np.ndarray]:
    inputs, _ = model_io(model)
    arrays = []
    for k, info in enumerate(inputs):
        count = int(np.prod(info.shape)) if info.shape else 1
        raw = lcg_bytes(count * info.dtype.itemsize, k)
        arrays.append(np.frombuffer(raw, dtype=info.dtype).reshape(info.shape))
    return arrays


def reference_outputs(model: Path | bytes) -> list[bytes]:
    return [np.ascontiguousarray(o).tobytes() for o in run_reference(model, example_inputs(model))]


def parse_outputs(text: str) -> list[bytes]:
    found = {int(k): (int(n), bytes.fromhex(h)) for k, n, h in _OUTPUT_LINE.findall(text)}
    assert found, f"no 'output <k>: ...' lines in the firmware's output:\n{text}"
    assert sorted(found) == list(range(len(found))), text
    for k, (n, data) in found.items():
        assert len(data) == n, f"output {k}: {n} bytes announced, {len(data)} printed"
    return [found[k][1] for k in range(len(found))]


def fc_model(seed: int = 1) -> bytes:
    """A second model (one int8 FULLY_CONNECTED, 64 -> 16) for 'the model changed' cases."""
    rng = np.random.default_rng(seed)
    inputs = [
        TensorSpec((1, 64), "int8", scale=0.05, zero_point=3),
        TensorSpec((16, 64), "int8", scale=0.02, zero_point=0,
                   data=rng.integers(-127, 128, (16, 64)).astype(np.int8)),
        TensorSpec((16,), "int32", scale=0.001, zero_point=0,
                   data=rng.integers(-2000, 2000, 16).astype(np.int32)),
    ]
    out = TensorSpec((1, 16), "int8", scale=0.25, zero_point=-3)
    return build_single_op_model("FULLY_CONNECTED", inputs, [out], {"fused_activation_function": "NONE"})


def unsupported_op_model() -> tuple[str, bytes]:
    """(op, model) for a one-op model tinyengine-gen refuses: an int8 SIN (TFLite has SIN for float
    only, so no engine supports this one)."""
    x = TensorSpec((1, 8), "int8", scale=0.1, zero_point=0)
    y = TensorSpec((1, 8), "int8", scale=1 / 128, zero_point=0)
    return "SIN", build_single_op_model("SIN", [x], [y])


def missing_tools(*tools: str) -> list[str]:
    return [t for t in tools if shutil.which(t) is None]


def run(cmd: list[str], timeout: float, **kw) -> tuple[subprocess.CompletedProcess, float]:
    """Run a build command; stdout and stderr together in .stdout; returns (result, seconds)."""
    t0 = time.monotonic()
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=timeout, **kw)
    return res, time.monotonic() - t0


def run_until(cmd: list[str], marker: str, timeout: float) -> str:
    """Run an emulator that never exits by itself; collect its output until `marker` appears."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    assert proc.stdout is not None
    buf = b""
    deadline = time.monotonic() + timeout
    try:
        while marker.encode() not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                buf += chunk
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    text = buf.decode(errors="replace").replace("\r\n", "\n")
    assert marker in text, f"'{marker}' not printed within {timeout} s:\n{text}"
    return text
