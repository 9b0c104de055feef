"""float32 on emulated cores gives LiteRT's bytes: soft-float M3 (libgcc's IEEE float and double
routines), M4 (single-precision FPU, double in software) and M55 (double-precision FPU with FMA,
Helium); the float models on every core.

- te_math: the element-wise ops (EXP, LOG, TANH, SIN, COS, LOGISTIC, ELU) over a wide sample of
  float bit patterns and over the inputs whose results lie nearest a float rounding boundary
  (found on the host with its double functions: the cases where any slip in the evaluation shows);
- the float compute kernels (conv, depthwise, FC, pools, softmax, log-softmax) on finite inputs
  with subnormals and signed zeros (an operation that makes a NaN from non-NaN inputs gives the
  FPU's default NaN, whose sign differs between x86 and Arm; see README);
- the float LSTM and GELU (Eigen's products, activations and erfc, as LiteRT's x86 build runs them);
- models: hello_world_float over a sequence of inputs, trained_lstm_float, the MNIST model (int8
  body, float LOG_SOFTMAX edge) on every core for many inputs.

Default (kept short): the math sample on M3, M4 and M55; the CNN on M4, the LSTM, trained_lstm_float
and MNIST on M3, GELU on M55; `-m slow`: everything on every core, wider samples.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Optional

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from tests.ops.test_float import (
    conv_f32_model,
    dw_f32_model,
    fc_f32_model,
    float_cnn_model,
    lstm_f32_model,
    pool_f32_model,
    unary_fanout_model,
)
from tests.support import shared_models_dir
from tests.support.host import REPO
from tests.support.optest import generate
from tests.support.oracle import load_model_bytes, model_io, random_inputs, run_reference
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]

CORES = ["m3", "m4", "m55"]
MATH_FUNCTIONS = ["expf", "logf", "expm1f", "tanhf", "sinf", "cosf"]
HELLO_FLOAT = shared_models_dir().parent / "models-coverage" / "tflite-micro" / "hello_world_float.tflite"
MNIST = shared_models_dir() / "tinyengine" / "mnist_lenet_300_100.tflite"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("objcache")


@pytest.fixture(scope="module")
def ties_tool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    exe = tmp_path_factory.mktemp("ties") / "math_check"
    cmd = ["gcc", "-std=c99", "-O2", f"-I{REPO / 'include'}", str(REPO / "tests" / "support" / "math_check.c"),
           str(REPO / "src" / "te_math.c"), "-o", str(exe), "-lm"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return exe


def near_ties(tool: Path, n: int, stride: int) -> np.ndarray:
    """For every te_math function, the n inputs (of every stride-th float) nearest a tie."""
    found = []
    for fn in MATH_FUNCTIONS:
        out = subprocess.run([str(tool), "ties", fn, str(n), str(stride)], capture_output=True, text=True,
                             check=True).stdout.split()
        found += [int(h, 16) for h in out]
    return np.array(found, np.uint32).view(np.float32)


def bit_patterns(n: int, seed: int) -> np.ndarray:
    """n float bit patterns spread over every sign and exponent (NaNs and infinities included)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32).view(np.float32)


def scaled(x: np.ndarray, factor: float) -> np.ndarray:
    """x * factor in float32 (small factors make subnormals), NaNs and infinities kept."""
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        return (x * np.float32(factor)).astype(np.float32)


def run_on_core(model: bytes, core: str, work: Path, cache: Path, sets: list[list[np.ndarray]],
                oracle: Optional[Interpreter] = None, nan_bits: bool = True) -> None:
    """Generate, build for `core`, run the sets in one QEMU run (one process: a sequence of calls),
    compare every output byte with LiteRT's (one interpreter for the whole sequence)."""
    gen = generate(model, work / "gen", "model")
    elf = targets.build_firmware(core, gen, "model", work / "fw", cache_dir=cache)
    result = targets.run_firmware(core, elf, [[np.ascontiguousarray(a).tobytes() for a in s] for s in sets])
    _, outs = model_io(model)
    if oracle is None and _has_state(gen):
        # The generated model keeps its state (variable tensors) from call to call, as LiteRT
        # does on one interpreter: compare the sequence with one interpreter.
        oracle = Interpreter(model_content=load_model_bytes(model), num_threads=1,
                             experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
        oracle.allocate_tensors()
    for k, inputs in enumerate(sets):
        wants = run_reference(model, inputs) if oracle is None else _invoke(oracle, inputs)
        for j, (want, o) in enumerate(zip(wants, outs)):
            got = np.frombuffer(result.outputs[k][j], dtype=o.dtype).reshape(o.shape)
            w, g = want, got
            if not nan_bits:
                both = np.isnan(w) & np.isnan(g)
                w, g = np.where(both, 0, w).astype(w.dtype), np.where(both, 0, g).astype(g.dtype)
            if g.tobytes() != w.tobytes():
                fw, fg = w.reshape(-1), g.reshape(-1)
                bad = np.flatnonzero(fw.view(np.uint32) != fg.view(np.uint32))
                x = inputs[0].reshape(-1)
                where = ", ".join(f"x={x[i] if x.size == fw.size else '?'!r} want {fw[i]!r} got {fg[i]!r}"
                                  for i in bad[:3])
                raise AssertionError(f"{core}: set {k}, output {j}: {bad.size} of {fw.size} differ: {where}")


def _has_state(gen: Path) -> bool:
    """Whether the generated model keeps state between invokes (<NAME>_STATE_SIZE > 0)."""
    m = re.search(r"#define MODEL_STATE_SIZE\s+(\d+)", (gen / "model.h").read_text())
    return bool(m and int(m.group(1)) > 0)


def _invoke(interpreter: Interpreter, inputs: list[np.ndarray]) -> list[np.ndarray]:
    for detail, value in zip(interpreter.get_input_details(), inputs):
        interpreter.set_tensor(detail["index"], value)
    interpreter.invoke()
    return [interpreter.get_tensor(d["index"]).copy() for d in interpreter.get_output_details()]


@pytest.mark.parametrize("core", CORES)
def test_math_ops_on_core(core: str, tmp_path: Path, cache: Path, ties_tool: Path) -> None:
    """EXP, LOG, TANH, SIN, COS, LOGISTIC on 4096 bit patterns and 6 x 256 near-ties (each list
    through every op)."""
    ties = near_ties(ties_tool, 256, 4099)
    n = ties.size
    model = unary_fanout_model((n,))
    run_on_core(model, core, tmp_path, cache, [[bit_patterns(n, 1)], [ties], [scaled(bit_patterns(n, 2), 1e-30)]])


@pytest.mark.slow
@pytest.mark.parametrize("core", CORES + ["m0plus", "m7", "m33"])
def test_math_ops_on_core_wide(core: str, tmp_path: Path, cache: Path, ties_tool: Path) -> None:
    """6 x 2048 near-ties from every 7th float, and 16 sets of 12288 bit patterns."""
    ties = near_ties(ties_tool, 2048, 7)
    n = 1024 if core == "m0plus" else ties.size
    model = unary_fanout_model((n,))
    sets = [[ties[i:i + n]] for i in range(0, ties.size, n)] + [[bit_patterns(n, s)] for s in range(16)]
    try:
        run_on_core(model, core, tmp_path, cache, sets)
    except targets.DoesNotFit as exc:
        pytest.skip(str(exc))


def by_default(*cores: str) -> list:
    """Every core of CORES, the ones not named marked slow (the default run stays short)."""
    return [pytest.param(c, marks=[] if c in cores else [pytest.mark.slow]) for c in CORES]


@pytest.mark.parametrize("core", by_default())
def test_elu_on_core(core: str, tmp_path: Path, cache: Path) -> None:
    model = build_single_op_model("ELU", [TensorSpec((4096,), "float32")], [TensorSpec((4096,), "float32")])
    oracle = Interpreter(model_content=model, num_threads=1,
                         experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    oracle.allocate_tensors()
    run_on_core(model, core, tmp_path, cache, [[bit_patterns(4096, 3)], [scaled(bit_patterns(4096, 4), 1e-36)]],
                oracle=oracle)


def finite_inputs(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Several magnitudes, some subnormals and signed zeros, no infinities or NaNs."""
    n = int(np.prod(shape))
    x = (rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-3, 2, n)).astype(np.float32)
    if n >= 8:
        x[rng.choice(n, 4, replace=False)] = np.array([0.0, -0.0, 1e-40, -3e-39], np.float32)
    return x.reshape(shape)


KERNEL_MODELS = {
    "cnn": lambda: float_cnn_model(seed=3),
    "conv_groups_dilated": lambda: conv_f32_model((1, 9, 8, 6), 6, (3, 3), (1, 2), "SAME", act="RELU6",
                                                  dilation=(2, 1), groups=2, seed=4),
    "depthwise_mult3": lambda: dw_f32_model((1, 7, 6, 3), 3, (3, 3), (2, 1), "SAME", act="RELU", seed=5),
    "fc_keep_dims": lambda: fc_f32_model((2, 3, 13), 7, keep_num_dims=True, seed=6),
    "l2_pool": lambda: pool_f32_model("L2_POOL_2D", (1, 6, 7, 5), (2, 3), (2, 2), "SAME"),
    # every lane phase of Eigen's sigmoid, cell clipping
    "lstm": lambda: lstm_f32_model(3, 4, 7, 5, seed=8, cell_clip=0.7),
    "lstm_one_cell": lambda: lstm_f32_model(2, 3, 37, 1, seed=9),
    # GELU exact (Eigen's erfc: packet lanes with its own exp, a 3-value scalar tail with te_expf)
    # and approximate (Eigen's tanh)
    "gelu": lambda: gelu_pair_model(1027),
}


def gelu_pair_model(n: int) -> bytes:
    tensors = [TensorSpec((n,), "float32", name="x"), TensorSpec((n,), "float32", name="exact"),
               TensorSpec((n,), "float32", name="approx")]
    ops = [OpSpec("GELU", [0], [1], {"approximate": False}), OpSpec("GELU", [0], [2], {"approximate": True})]
    return build_model(tensors, ops, [0], [1, 2])


# Default: each kernel family on one core (the soft-float M3 for the LSTM's Eigen arithmetic, M55's
# vectorizing compiler for GELU); -m slow: every model on every core.
KERNEL_DEFAULTS = {("cnn", "m4"), ("lstm", "m3"), ("gelu", "m55")}


@pytest.mark.parametrize("name,core", [pytest.param(n, c, marks=[] if (n, c) in KERNEL_DEFAULTS else [pytest.mark.slow])
                                       for n in KERNEL_MODELS for c in CORES])
def test_float_kernels_on_core(name: str, core: str, tmp_path: Path, cache: Path) -> None:
    model = KERNEL_MODELS[name]()
    ins, _ = model_io(model)
    rng = np.random.default_rng(7)
    run_on_core(model, core, tmp_path, cache, [[finite_inputs(i.shape, rng) for i in ins] for _ in range(3)])


@pytest.mark.parametrize("core", by_default())
def test_hello_world_float_on_core(core: str, tmp_path: Path, cache: Path) -> None:
    if not HELLO_FLOAT.is_file():
        pytest.skip(f"{HELLO_FLOAT} not found")
    model = load_model_bytes(HELLO_FLOAT)
    xs = np.linspace(-0.5, 7.0, 40, dtype=np.float32)
    run_on_core(model, core, tmp_path, cache, [[np.array([[x]], np.float32)] for x in xs])


LSTM_FLOAT = HELLO_FLOAT.with_name("trained_lstm_float.tflite")


@pytest.mark.parametrize("core", by_default("m3"))
def test_trained_lstm_float_on_core(core: str, tmp_path: Path, cache: Path) -> None:
    """28 LSTM steps (Eigen's GEMV, sigmoid and tanh as LiteRT's x86 build runs them), FC, SOFTMAX."""
    if not LSTM_FLOAT.is_file():
        pytest.skip(f"{LSTM_FLOAT} not found")
    model = load_model_bytes(LSTM_FLOAT)
    rng = np.random.default_rng(12)
    run_on_core(model, core, tmp_path, cache, [random_inputs(model, rng) for _ in range(4)])


MNIST_CORES = ["m0plus", "m3", "m4", "m7", "m33", "m55"]


@pytest.mark.parametrize("core", [pytest.param(c, marks=[] if c == "m3" else [pytest.mark.slow])
                                  for c in MNIST_CORES])
def test_mnist_float_edge_on_core(core: str, tmp_path: Path, cache: Path) -> None:
    """The MNIST model ends in a float LOG_SOFTMAX (te_expf / te_logf): exact on every core."""
    if not MNIST.is_file():
        pytest.skip(f"{MNIST} not found")
    model = load_model_bytes(MNIST)
    rng = np.random.default_rng(11)
    sets = [random_inputs(model, rng) for _ in range(24)]
    try:
        run_on_core(model, core, tmp_path, cache, sets)
    except targets.DoesNotFit as exc:
        pytest.skip(str(exc))
