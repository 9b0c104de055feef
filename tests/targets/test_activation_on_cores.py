"""The activation family on emulated Cortex-M4 (te_lut_s8's word loop), Cortex-M55 (its Helium
byte gathers) and, for the float ops that need sqrtf / float -> int conversion, Cortex-M3
(soft-float): LiteRT's reference bytes on each core.

Table ops see every input byte with sizes that leave 1-15 elements after the SIMD blocks; the
int16 kernels every int16 value; float kernels random values and specials.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ops.test_activation import cast_inputs, combined, every_byte, every_int16, float_sets, unary
from tests.support.tflite_build import DTYPES, OpSpec, TensorSpec, build_model, build_single_op_model
from tests.targets.test_ops_on_cores import check_on_core
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("objcache")


def bytes_plus_tail(dtype: str, n: int) -> list[np.ndarray]:
    lo = -128 if dtype == "int8" else 0
    return [(np.arange(n) * 7 % 256 + lo).astype(dtype).reshape(1, n)]


def spread16(n: int) -> list[np.ndarray]:
    return [((np.arange(n) * 65 + 32768) % 65536 - 32768).astype(np.int16).reshape(1, n)]


CASES = {
    # 8-bit tables: 256 + 7 and 256 + 13 elements (word-loop and 16-lane tails)
    "hard_swish_s8": lambda: (unary("HARD_SWISH", "int8", (0.05, 3), (0.03, -20), (1, 263)),
                              bytes_plus_tail("int8", 263)),
    "leaky_relu_u8": lambda: (unary("LEAKY_RELU", "uint8", (0.05, 131), (0.04, 120), (1, 269), {"alpha": 0.1}),
                              bytes_plus_tail("uint8", 269)),
    "relu6_s8": lambda: (unary("RELU6", "int8", (0.05, 3), (0.03, -128)), every_byte("int8")),
    # int16 kernels, every value
    "tanh_s16": lambda: (unary("TANH", "int16", (3.0 / 32768, 0), (2 ** -15, 0), (1, 256, 256)), every_int16()),
    # int16 Helium paths: 1,003 elements (8-lane blocks and a tail of 3)
    "relu6_s16_tail": lambda: (unary("RELU6", "int16", (6 / 32768, 0), (5 / 32768, 0), (1, 1003)), spread16(1003)),
    "leaky_relu_s16_tail": lambda: (unary("LEAKY_RELU", "int16", (6 / 32768, 0), (8 / 32768, 0), (1, 1003),
                                          {"alpha": -0.7}), spread16(1003)),
    "leaky_relu_s16": lambda: (unary("LEAKY_RELU", "int16", (6 / 32768, 0), (8 / 32768, 0), (1, 256, 256),
                                     {"alpha": 0.2}), every_int16()),
    # output scale below the input's: a left shift on the identity branch (DSP: the exact form)
    "leaky_relu_s16_up": lambda: (unary("LEAKY_RELU", "int16", (8 / 32768, 0), (6 / 32768, 0), (1, 1003),
                                        {"alpha": 0.3}), spread16(1003)),
}


@pytest.mark.parametrize("core", ["m4", "m55"])
def test_activation_ops_on_core(core: str, tmp_path: Path, cache: Path) -> None:
    """Every case below in one model (one build per core)."""
    specs = []
    for build in CASES.values():
        model, sets = build()
        specs.append(_single_op_spec(model, sets[0]))
    model, arrays = combined(specs)
    check_on_core(model, core, tmp_path, cache, input_sets=[arrays])


def _single_op_spec(model: bytes, data: np.ndarray) -> tuple:
    """The (op, inputs, output, options, data) of a one-op model built by `unary`."""
    import tflite
    from tflite.BuiltinOperator import BuiltinOperator

    m = tflite.Model.GetRootAsModel(model, 0)
    g = m.Subgraphs(0)
    o = g.Operators(0)
    code = m.OperatorCodes(o.OpcodeIndex())
    builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
    name = next(k for k, v in vars(BuiltinOperator).items() if v == builtin)
    names = {v[0]: k for k, v in DTYPES.items()}

    def spec(i: int) -> TensorSpec:
        t = g.Tensors(i)
        qp = t.Quantization()
        scale = float(qp.Scale(0)) if qp is not None and qp.ScaleLength() else None
        zp = int(qp.ZeroPoint(0)) if scale is not None else None
        return TensorSpec(tuple(t.ShapeAsNumpy()), names[t.Type()], scale=scale, zero_point=zp)
    options = None
    if name == "LEAKY_RELU":
        from tflite.LeakyReluOptions import LeakyReluOptions
        opt = LeakyReluOptions()
        table = o.BuiltinOptions()
        opt.Init(table.Bytes, table.Pos)
        options = {"alpha": float(opt.Alpha())}
    return (name, [spec(o.Inputs(0))], spec(o.Outputs(0)), options, data)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("core", ["m4", "m55"])
def test_activation_on_core(name: str, core: str, tmp_path: Path, cache: Path) -> None:
    model, sets = CASES[name]()
    check_on_core(model, core, tmp_path, cache, input_sets=[sets])


@pytest.mark.parametrize("core", ["m3", "m4"])
def test_float_unary_on_core(core: str, tmp_path: Path, cache: Path) -> None:
    """sqrtf (soft-float on M3, VSQRT on M4F), hard swish, and float -> int casts of specials
    (infinities and NaN only reach the casts: a NaN an FPU creates, e.g. -inf * 0, is positive on
    Arm and negative on x86-64, where the reference ran)."""
    shape = (2, 3, 7)
    tensors = [TensorSpec(shape, "float32"), TensorSpec(shape, "float32"), TensorSpec(shape, "float32"),
               TensorSpec(shape, "float32"), TensorSpec(shape, "float32"), TensorSpec(shape, "int8"),
               TensorSpec(shape, "int32")]
    ops = [OpSpec("HARD_SWISH", [0], [2]), OpSpec("ABS", [0], [3]), OpSpec("SQRT", [3], [4]),
           OpSpec("CAST", [1], [5]), OpSpec("CAST", [1], [6])]
    model = build_model(tensors, ops, [0, 1], [2, 4, 5, 6])
    specials = cast_inputs("float32", 42, 0)[0].reshape(shape)
    sets = [[s[0], specials] for s in float_sets(shape)]
    check_on_core(model, core, tmp_path, cache, input_sets=sets)


@pytest.mark.slow
@pytest.mark.parametrize("core", ["m4", "m55"])
@pytest.mark.parametrize("op,dtype", [("PRELU", "int8"), ("LOGISTIC", "int16"), ("RELU", "int16"),
                                      ("GELU", "int16")])
def test_activation_sweep_on_core(op: str, dtype: str, core: str, tmp_path: Path, cache: Path) -> None:
    if op == "PRELU":
        shape = (1, 4, 5, 8)
        rng = np.random.default_rng(0)
        model = build_single_op_model("PRELU", [TensorSpec(shape, "int8", scale=0.05, zero_point=3),
                                                TensorSpec((8,), "int8", scale=0.01, zero_point=-10,
                                                           data=rng.integers(-128, 128, 8))],
                                      [TensorSpec(shape, "int8", scale=0.04, zero_point=-5)])
        check_on_core(model, core, tmp_path, cache, n_sets=3)
        return
    out_q = (2 ** -15, 0) if op == "LOGISTIC" else (5 / 32768, 0)
    model = unary(op, dtype, (2 ** -11, 0), out_q, (1, 256, 256))
    check_on_core(model, core, tmp_path, cache, input_sets=[every_int16()])
