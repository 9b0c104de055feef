"""The activation / unary family (ops/activation.py, te_activation.c) against LiteRT BUILTIN_REF.

8-bit ops are tables: every input byte (int8 and legacy uint8) goes through the generated C
once per case, over ordinary and extreme scales and zero points. int16 ops get every int16 value
where it is cheap (one 64 Ki-element tensor), float ops random values, specials and ties.
Wide sweeps are `slow`.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

from tests.support import shared_models_dir
from tests.support.optest import assert_matches_reference
from tests.support.oracle import random_inputs, run_reference
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model
from tinyengine_gen.cli import main

SHAPE8 = (1, 16, 16)  # 256 elements: every byte once
# Default run: a few models that each hold many ops (one generation and build per model);
# the per-op tests below them are `slow` (and name the failing case directly).


def every_byte(dtype: str, shape: tuple[int, ...] = SHAPE8) -> list[np.ndarray]:
    n = int(np.prod(shape))
    lo = -128 if dtype == "int8" else 0
    return [(np.arange(n) % 256 + lo).astype(dtype).reshape(shape)]


def every_int16() -> list[np.ndarray]:
    return [np.arange(-32768, 32768, dtype=np.int16).reshape(1, 256, 256)]


def unary(op: str, dtype: str, in_q: tuple, out_q: tuple, shape: tuple[int, ...] = SHAPE8,
          options: dict | None = None, out_dtype: str | None = None) -> bytes:
    x = TensorSpec(shape, dtype, scale=in_q[0], zero_point=in_q[1])
    y = TensorSpec(shape, out_dtype or dtype, scale=out_q[0], zero_point=out_q[1])
    return build_single_op_model(op, [x], [y], options)


def check8(op: str, dtype: str, in_q: tuple, out_q: tuple, options: dict | None = None) -> None:
    """Every input byte; where LiteRT refuses the model (Prepare checks), the generator must too."""
    model = unary(op, dtype, in_q, out_q, options=options)
    try:
        run_reference(model, every_byte(dtype))
    except (RuntimeError, ValueError):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "m.tflite"
            path.write_bytes(model)
            assert main([str(path), "-o", str(Path(d) / "out"), "--quiet"]) != 0, "LiteRT refuses this model"
        return
    assert_matches_reference(model, input_sets=[every_byte(dtype)])


def u8(q: tuple) -> tuple:
    return (q[0], q[1] + 128)


# (input (scale, zp), output (scale, zp)) in int8 terms; uint8 cases shift the zero points.
QUANT8 = [((0.05, 3), (0.03, -20)), ((0.1, -128), (0.1, -128)), ((0.0078125, 127), (0.5, 0)),
          ((2.5, 0), (0.004, 5))]
QUANT8_WIDE = QUANT8 + [((1e-4, -7), (1e-4, 9)), ((30.0, 100), (0.25, -100)), ((0.02, 0), (0.02, 0)),
                        ((0.0123, -60), (0.0456, 77))]

# --- RELU family, LEAKY_RELU, HARD_SWISH (8-bit tables) -----------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("op", ["RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1"])
@pytest.mark.parametrize("dtype", ["int8", "uint8"])
def test_relu_family_8bit(op: str, dtype: str) -> None:
    for in_q, out_q in QUANT8[:2]:
        check8(op, dtype, *((in_q, out_q) if dtype == "int8" else (u8(in_q), u8(out_q))))


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("alpha", [0.1, -0.3, 2.0])
def test_leaky_relu_8bit(dtype: str, alpha: float) -> None:
    in_q, out_q = QUANT8[0]
    if dtype == "uint8":
        in_q, out_q = u8(in_q), u8(out_q)
    check8("LEAKY_RELU", dtype, in_q, out_q, {"alpha": alpha})


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("quant", QUANT8)
def test_hard_swish_8bit(dtype: str, quant: tuple) -> None:
    in_q, out_q = quant
    if dtype == "uint8":
        in_q, out_q = u8(in_q), u8(out_q)
    check8("HARD_SWISH", dtype, in_q, out_q)


@pytest.mark.slow
@pytest.mark.parametrize("op", ["RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1", "HARD_SWISH", "LEAKY_RELU",
                                "TANH", "GELU"])
@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("quant", QUANT8_WIDE)
def test_8bit_tables_wide(op: str, dtype: str, quant: tuple) -> None:
    in_q, out_q = quant
    if dtype == "uint8":
        in_q, out_q = u8(in_q), u8(out_q)
    check8(op, dtype, in_q, out_q, {"alpha": 0.37} if op == "LEAKY_RELU" else None)


def test_hard_swish_rejects_what_litert_rejects() -> None:
    check8("HARD_SWISH", "int8", (1.0, 0), (0.001, 0))  # output multiplier exponent > 0


# --- TANH / GELU / EXP / LOG / ABS / NEG / SQRT (8-bit) -----------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["int8", "uint8"])
def test_tanh_8bit(dtype: str) -> None:
    in_q, out_q = ((0.05, 3), (1 / 128, 0))
    if dtype == "uint8":
        in_q, out_q = u8(in_q), u8(out_q)
    check8("TANH", dtype, in_q, out_q)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("approximate", [False, True])
def test_gelu_8bit(dtype: str, approximate: bool) -> None:
    in_q, out_q = ((0.05, 3), (0.03, -20))
    if dtype == "uint8":
        in_q, out_q = u8(in_q), u8(out_q)
    check8("GELU", dtype, in_q, out_q, {"approximate": approximate})


@pytest.mark.parametrize("op,in_q,out_q", [
    ("EXP", (0.02, 0), (0.03, -128)), ("LOG", (0.05, -128), (0.04, 30)),
    ("ABS", (0.05, 3), (0.03, -100)), ("ABS", (0.05, 3), (0.05, 3)), ("NEG", (0.05, 3), (0.05, 3)),
    ("SQRT", (0.05, -128), (0.02, -128)), ("RSQRT", (0.05, -128), (0.02, -128)),
    ("RSQRT", (0.003, -128), (0.5, 10)),
])
@pytest.mark.slow
def test_unary_int8(op: str, in_q: tuple, out_q: tuple) -> None:
    check8(op, "int8", in_q, out_q)


# --- int16 ---------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("op,options", [("RELU", None), ("RELU6", None), ("LEAKY_RELU", {"alpha": 0.2}),
                                        ("LEAKY_RELU", {"alpha": -1.5})])
def test_int16_requantized(op: str, options: dict | None) -> None:
    m = unary(op, "int16", (6 / 32768, 0), (8 / 32768, 0), (1, 256, 256), options)
    assert_matches_reference(m, input_sets=[every_int16()])


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.3, 3.0, -0.5])
def test_int16_leaky_relu_scaled_up(alpha: float) -> None:
    """Output scale below the input's: the identity branch shifts left (the DSP path's exact form
    there), the alpha branch either way."""
    m = unary("LEAKY_RELU", "int16", (8 / 32768, 0), (6 / 32768, 0), (1, 256, 256), {"alpha": alpha})
    assert_matches_reference(m, input_sets=[every_int16()])


@pytest.mark.slow
@pytest.mark.parametrize("op", ["TANH", "LOGISTIC"])
@pytest.mark.parametrize("in_scale", [2 ** -12, 2 ** -11, 3.0 / 32768, 1e-3])
def test_tanh_logistic_int16(op: str, in_scale: float) -> None:
    m = unary(op, "int16", (in_scale, 0), (2 ** -15, 0), (1, 256, 256))
    assert_matches_reference(m, input_sets=[every_int16()])


@pytest.mark.parametrize("op,in_q,out_q,options", [
    ("GELU", (6 / 32768, 0), (5 / 32768, 0), {"approximate": False}),
    ("EXP", (4 / 32768, 0), (60 / 32768, 0), None),
    ("LOG", (10 / 32768, 0), (3 / 32768, 0), None),
    ("RSQRT", (10 / 32768, 0), (30 / 32768, 0), None),
])
@pytest.mark.slow
def test_int16_tables(op: str, in_q: tuple, out_q: tuple, options: dict | None) -> None:
    m = unary(op, "int16", in_q, out_q, (1, 256, 256), options)
    # RSQRT: LiteRT fails the invoke on negative inputs, so it sees each non-negative value twice.
    sets = [[np.abs(every_int16()[0] // 2)]] if op == "RSQRT" else [every_int16()]
    assert_matches_reference(m, input_sets=sets)


@pytest.mark.slow
@pytest.mark.parametrize("op,in_q,out_q", [("ABS", (6 / 32768, 0), (4 / 32768, 0)), ("ABS", (5 / 32768, 0), (5 / 32768, 0)),
                                         ("NEG", (None, None), (None, None)), ("SQRT", (9 / 32768, 0), (2 / 32768, 0))])
def test_unary_int16(op: str, in_q: tuple, out_q: tuple) -> None:
    m = unary(op, "int16", in_q, out_q, (1, 256, 256))
    # SQRT: LiteRT fails the invoke on negative inputs.
    sets = [[np.abs(every_int16()[0] // 2)]] if op == "SQRT" else [every_int16()]
    assert_matches_reference(m, input_sets=sets)


@pytest.mark.slow
@pytest.mark.parametrize("op,dtype", [("ABS", "int32"), ("NEG", "int32"), ("NEG", "int64")])
def test_unary_int32_int64(op: str, dtype: str) -> None:
    m = unary(op, dtype, (None, None), (None, None), (3, 40))
    info = np.iinfo(dtype)
    a = np.random.default_rng(2).integers(info.min, info.max, (3, 40), dtype=dtype, endpoint=True)
    a[0, :4] = [info.min, info.max, 0, -1]
    assert_matches_reference(m, input_sets=[[a]])


# --- PRELU ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype,alpha_shape", [("int8", (8,)), ("int8", (1, 1, 8)), ("uint8", (8,)),
                                               ("int8", (4, 5, 8)), ("int16", (8,)), ("float32", (8,)),
                                               ("float32", (5, 1))])
@pytest.mark.slow
def test_prelu(dtype: str, alpha_shape: tuple[int, ...]) -> None:
    shape = (1, 4, 5, 8)
    rng = np.random.default_rng(3)
    if dtype == "float32":
        x = TensorSpec(shape, "float32")
        a = TensorSpec(alpha_shape, "float32", data=rng.uniform(-1, 1, alpha_shape).astype(np.float32))
        y = TensorSpec(shape, "float32")
    else:
        adt = "int8" if dtype == "int16" else dtype
        info = np.iinfo(adt)
        zp = {"int8": (3, -10, -5), "uint8": (131, 118, 120), "int16": (0, -10, 0)}[dtype]
        sc = (2 ** -10, 0.01, 2 ** -9) if dtype == "int16" else (0.05, 0.01, 0.04)
        x = TensorSpec(shape, dtype, scale=sc[0], zero_point=zp[0])
        a = TensorSpec(alpha_shape, adt, scale=sc[1], zero_point=zp[1],
                       data=rng.integers(info.min, info.max, alpha_shape, endpoint=True))
        y = TensorSpec(shape, dtype, scale=sc[2], zero_point=zp[2])
    assert_matches_reference(build_single_op_model("PRELU", [x, a], [y]), n_sets=3)


# --- float -----------------------------------------------------------------------------------------

def float_sets(shape: tuple[int, ...], seed: int = 0) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    special = np.array([0.0, -0.0, 1.0, -1.0, 3.0, -3.0, 6.0, -6.0, 0.5, -0.5, 2.5, -2.5, 1e-30, -1e-30,
                        3.4e38, -3.4e38, 7.0, 1.5e-45], np.float32)
    a = rng.uniform(-8, 8, n).astype(np.float32)
    a[:special.size] = special
    b = (rng.standard_normal(n) * 1e3).astype(np.float32)
    return [[a.reshape(shape)], [b.reshape(shape)]]


@pytest.mark.parametrize("op,options", [("RELU", None), ("RELU6", None), ("RELU_N1_TO_1", None),
                                        ("RELU_0_TO_1", None), ("LEAKY_RELU", {"alpha": 0.3}),
                                        ("HARD_SWISH", None), ("ABS", None), ("NEG", None), ("SQUARE", None),
                                        ("FLOOR", None)])
@pytest.mark.slow
def test_float_unary(op: str, options: dict | None) -> None:
    shape = (2, 3, 7)
    m = build_single_op_model(op, [TensorSpec(shape, "float32")], [TensorSpec(shape, "float32")], options)
    assert_matches_reference(m, input_sets=float_sets(shape))


@pytest.mark.slow
@pytest.mark.parametrize("op", ["SQRT", "RSQRT"])
def test_float_sqrt(op: str) -> None:
    shape = (3, 50)
    rng = np.random.default_rng(1)
    vals = [np.abs(rng.standard_normal(shape) * 10).astype(np.float32),
            rng.uniform(0, 1e-3, shape).astype(np.float32), (np.arange(150, dtype=np.float32) ** 3).reshape(shape)]
    m = build_single_op_model(op, [TensorSpec(shape, "float32")], [TensorSpec(shape, "float32")])
    assert_matches_reference(m, input_sets=[[v] for v in vals])


# --- CAST ------------------------------------------------------------------------------------------

CAST_TYPES = ["int8", "uint8", "int16", "int32", "int64", "float32", "bool"]


def cast_inputs(dtype: str, n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return [rng.integers(0, 2, n).astype(np.bool_)]
    if dtype == "float32":
        special = np.array([0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 127.5, 128.0, -128.5, -129.0, 255.9, 256.0,
                            32767.5, 32768.0, -32768.9, -32769.0, 2.0 ** 31, -2.0 ** 31, 3e9, -3e9, 2.0 ** 63,
                            -2.0 ** 63, 1e30, -1e30, np.inf, -np.inf, np.nan], np.float32)
        a = (rng.standard_normal(n) * 10.0 ** rng.integers(0, 12, n)).astype(np.float32)
        a[:special.size] = special
        return [a]
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max, n, endpoint=True, dtype=dtype)
    a[:2] = [info.min, info.max]
    return [a]


@pytest.mark.slow
@pytest.mark.parametrize("src", CAST_TYPES)
def test_cast_every_pair(src: str) -> None:
    """One model per source type casting to every type (all outputs of one graph)."""
    n = 64
    tensors = [TensorSpec((n,), src)] + [TensorSpec((n,), dst) for dst in CAST_TYPES]
    ops = [OpSpec("CAST", [0], [1 + k]) for k in range(len(CAST_TYPES))]
    model = build_model(tensors, ops, [0], list(range(1, 1 + len(CAST_TYPES))))
    assert_matches_reference(model, input_sets=[cast_inputs(src, n, s) for s in range(3)])


# --- L2_NORMALIZATION ------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("dtype,shape,in_q", [("int8", (2, 3, 16), (0.05, 3)), ("int8", (4, 1), (0.1, -128)),
                                              ("uint8", (3, 33), (0.02, 131)), ("float32", (3, 10), None)])
def test_l2_normalization(dtype: str, shape: tuple[int, ...], in_q: tuple | None) -> None:
    out_q = {"int8": (1 / 128, 0), "uint8": (1 / 128, 128)}.get(dtype, (None, None))
    x = TensorSpec(shape, dtype, scale=in_q[0] if in_q else None, zero_point=in_q[1] if in_q else None)
    y = TensorSpec(shape, dtype, scale=out_q[0], zero_point=out_q[1])
    model = build_single_op_model("L2_NORMALIZATION", [x], [y])
    extra = []
    if in_q:  # a row equal to the zero point (sum 0), one with one element off by one (sum 1)
        zero = np.full(shape, in_q[1], dtype)
        zero[0, 0] = in_q[1] + 1
        extra = [[zero]]
    rng = np.random.default_rng(5)
    assert_matches_reference(model, input_sets=[random_inputs(model, rng) for _ in range(3)] + extra)


# --- default run: many ops per model ---------------------------------------------------------------

Spec = tuple  # (op, [input TensorSpec], output TensorSpec, options, input array or None for consts)


def combined(specs: list[Spec]) -> tuple[bytes, list[np.ndarray]]:
    """One model with each spec's op on its own graph input(s); every op output is a model output."""
    tensors: list[TensorSpec] = []
    ops, model_in, model_out, arrays = [], [], [], []
    for op, ins, out, options, data in specs:
        idx = []
        for k, t in enumerate(ins):
            idx.append(len(tensors))
            if t.data is None:
                model_in.append(len(tensors))
                arrays.append(data[k] if isinstance(data, list) else data)
            tensors.append(t)
        tensors.append(out)
        ops.append(OpSpec(op, idx, [len(tensors) - 1], options))
        model_out.append(len(tensors) - 1)
    return build_model(tensors, ops, model_in, model_out), arrays


def q8(dtype: str, q: tuple, shape: tuple[int, ...] = SHAPE8) -> TensorSpec:
    zp = q[1] + (128 if dtype == "uint8" else 0)
    return TensorSpec(shape, dtype, scale=q[0], zero_point=zp)


def table_specs(dtype: str) -> list[Spec]:
    data = every_byte(dtype)[0]
    q0, q1 = ((0.05, 3), (0.03, -20)), ((0.0078125, 127), (0.5, 0))
    specs = [(op, [q8(dtype, q[0])], q8(dtype, q[1]), opt, data) for op, q, opt in [
        ("RELU", q0, None), ("RELU6", q0, None), ("RELU_N1_TO_1", ((0.01, 3), (0.01, 3)), None),
        ("RELU_0_TO_1", ((0.01, -100), (0.005, -128)), None), ("RELU", q1, None),
        ("LEAKY_RELU", q0, {"alpha": 0.1}), ("LEAKY_RELU", q1, {"alpha": -0.3}),
        ("HARD_SWISH", q0, None), ("HARD_SWISH", ((0.1, -128), (0.1, -128)), None),
        ("HARD_SWISH", ((2.5, 0), (0.1, 5)), None), ("TANH", ((0.05, 3), (1 / 128, 0)), None),
        ("GELU", q0, {"approximate": False}), ("GELU", q0, {"approximate": True})]]
    if dtype == "int8":
        specs += [(op, [q8(dtype, q[0])], q8(dtype, q[1]), None, data) for op, q in [
            ("EXP", ((0.02, 0), (0.03, -128))), ("LOG", ((0.05, -128), (0.04, 30))), ("ABS", q0),
            ("ABS", ((0.05, 3), (0.05, 3))), ("NEG", ((0.05, 3), (0.05, 3))),
            ("SQRT", ((0.05, -128), (0.02, -128))), ("RSQRT", ((0.05, -128), (0.02, -128)))]]
    return specs


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
def test_8bit_ops_every_byte(dtype: str) -> None:
    """Every 8-bit op (table or not: PRELU, L2_NORMALIZATION) in one model, every input byte."""
    specs = table_specs(dtype)
    rng = np.random.default_rng(4)
    info = np.iinfo(dtype)
    alpha = TensorSpec((16,), dtype, scale=0.01, zero_point=-10 + (128 if dtype == "uint8" else 0),
                       data=rng.integers(info.min, info.max, 16, endpoint=True))
    specs.append(("PRELU", [q8(dtype, (0.05, 3)), alpha], q8(dtype, (0.04, -5)), None, [every_byte(dtype)[0]]))
    l2_out = (1 / 128, 0)
    specs.append(("L2_NORMALIZATION", [q8(dtype, (0.05, 3))], q8(dtype, l2_out), None, every_byte(dtype)[0]))
    model, arrays = combined(specs)
    assert_matches_reference(model, input_sets=[arrays])


def test_int16_ops_every_value() -> None:
    shape = (1, 256, 256)
    full, nonneg = every_int16()[0], np.abs(every_int16()[0] // 2)

    def t(scale: float) -> TensorSpec:
        return TensorSpec(shape, "int16", scale=scale, zero_point=0)
    specs = [(op, [t(si)], t(so), opt, d) for op, si, so, opt, d in [
        ("RELU", 6 / 32768, 8 / 32768, None, full), ("RELU6", 6 / 32768, 5 / 32768, None, full),
        ("LEAKY_RELU", 6 / 32768, 8 / 32768, {"alpha": 0.2}, full),
        ("LEAKY_RELU", 6 / 32768, 8 / 32768, {"alpha": -1.5}, full),
        ("TANH", 2 ** -12, 2 ** -15, None, full), ("TANH", 2 ** -11, 2 ** -15, None, full),
        ("TANH", 1e-3, 2 ** -15, None, full), ("LOGISTIC", 2 ** -12, 2 ** -15, None, full),
        ("LOGISTIC", 3.0 / 32768, 2 ** -15, None, full), ("GELU", 6 / 32768, 5 / 32768, None, full),
        ("EXP", 4 / 32768, 60 / 32768, None, full), ("LOG", 10 / 32768, 3 / 32768, None, full),
        ("RSQRT", 10 / 32768, 30 / 32768, None, nonneg), ("ABS", 6 / 32768, 4 / 32768, None, full),
        ("ABS", 5 / 32768, 5 / 32768, None, full), ("SQRT", 9 / 32768, 2 / 32768, None, nonneg)]]
    specs.append(("NEG", [TensorSpec(shape, "int16")], TensorSpec(shape, "int16"), None, full))
    alpha = TensorSpec((256,), "int8", scale=0.01, zero_point=-10,
                       data=np.random.default_rng(1).integers(-128, 128, 256))
    specs.append(("PRELU", [t(2 ** -10), alpha], t(2 ** -9), None, [full]))
    model, arrays = combined(specs)
    assert_matches_reference(model, input_sets=[arrays])


def test_float_and_wide_integer_ops() -> None:
    shape = (2, 3, 7)
    sets = float_sets(shape)
    rng = np.random.default_rng(6)

    def f() -> TensorSpec:
        return TensorSpec(shape, "float32")
    specs: list[Spec] = [(op, [f()], f(), opt, None) for op, opt in [
        ("RELU", None), ("RELU6", None), ("RELU_N1_TO_1", None), ("RELU_0_TO_1", None),
        ("LEAKY_RELU", {"alpha": 0.3}), ("HARD_SWISH", None), ("ABS", None), ("NEG", None), ("SQUARE", None),
        ("FLOOR", None), ("SQRT", None), ("RSQRT", None), ("L2_NORMALIZATION", None)]]
    specs.append(("PRELU", [f(), TensorSpec((7,), "float32", data=rng.uniform(-1, 1, 7).astype(np.float32))], f(),
                  None, None))
    wide = []
    for op, dtype in [("ABS", "int32"), ("NEG", "int32"), ("NEG", "int64")]:
        info = np.iinfo(dtype)
        a = rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
        a.reshape(-1)[:4] = [info.min, info.max, 0, -1]
        specs.append((op, [TensorSpec(shape, dtype)], TensorSpec(shape, dtype), None, a))
        wide.append(a)
    model, _ = combined(specs)
    input_sets = []
    for s in sets:
        x = s[0]
        arrays = [np.abs(x) if op in ("SQRT", "RSQRT") else x for op, *_ in specs[:14]] + wide
        input_sets.append(arrays)
    assert_matches_reference(model, input_sets=input_sets)


def test_cast_all_pairs() -> None:
    """Every source type to every type in one model (7 x 7 CASTs)."""
    n = 64
    specs: list[Spec] = []
    for src in CAST_TYPES:
        for dst in CAST_TYPES:
            specs.append(("CAST", [TensorSpec((n,), src)], TensorSpec((n,), dst), None, None))
    model, _ = combined(specs)
    input_sets = [[cast_inputs(src, n, seed)[0] for src in CAST_TYPES for _ in CAST_TYPES] for seed in range(2)]
    assert_matches_reference(model, input_sets=input_sets)


# --- real int16 layers: TFLite Micro's SEANet LEAKY_RELU integration tests ---------------------------

SEANET = sorted((shared_models_dir().parent / "models-coverage" / "tflite-micro" / "seanet" / "leaky_relu")
                .glob("*.tflite"))


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem, marks=[] if i < 2 else [pytest.mark.slow])
                                  for i, p in enumerate(SEANET)])
def test_seanet_int16_leaky_relu(path: Path) -> None:
    assert_matches_reference(path, n_sets=2)


# --- extreme scales: generate, or one clean LoweringError (never an internal error) -----------------

def test_extreme_scales_fail_cleanly() -> None:
    from tinyengine_gen.errors import InternalError, TinyEngineError
    from tinyengine_gen.pipeline import compile_model

    ops = {"int8": ["RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1", "LEAKY_RELU", "HARD_SWISH", "TANH", "GELU",
                    "EXP", "LOG", "ABS", "SQRT", "RSQRT", "L2_NORMALIZATION"],
           "int16": ["RELU", "RELU6", "LEAKY_RELU", "TANH", "LOGISTIC", "GELU", "EXP", "LOG", "RSQRT", "ABS", "SQRT"]}
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "m.tflite"
        for dtype, kinds in ops.items():
            for op in kinds:
                for si, so in [(1e38, 1e-38), (1e-38, 1e-38)]:
                    path.write_bytes(unary(op, dtype, (si, 0), (so, 0), (1, 8),
                                           {"alpha": 0.3} if op == "LEAKY_RELU" else None))
                    try:
                        compile_model(path)
                    except InternalError as exc:
                        raise AssertionError(f"{op} {dtype} scales {si}/{so}: {exc}") from exc
                    except TinyEngineError:
                        pass


# --- ELU (int8): not in LiteRT's reference resolver; its builtin int8 kernel is the oracle --------

def _builtin_reference(model: bytes, x: np.ndarray) -> np.ndarray:
    """LiteRT's builtin kernels without the default delegate (ELU has no BUILTIN_REF kernel)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_content=model, num_threads=1,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    return it.get_tensor(it.get_output_details()[0]["index"]).copy()


ELU_QUANT = [QUANT8[0], ((0.5, 50), (0.01, 100))] + [
    pytest.param(*q, marks=pytest.mark.slow) for q in QUANT8[1:] + [((0.0123, -60), (0.0456, 77))]]


@pytest.mark.parametrize("in_q,out_q", ELU_QUANT)
def test_elu_s8_every_byte(tmp_path: Path, in_q: tuple, out_q: tuple) -> None:
    """EluPrepare's LUTPopulate<int8_t> (expm1f below zero), every input byte, both kernel paths."""
    from tests.support.host import run_host
    from tests.support.optest import KERNEL_VARIANTS, build_model_exe, generate

    model = unary("ELU", "int8", in_q, out_q)
    x = every_byte("int8")[0]
    want = _builtin_reference(model, x)
    gen = generate(model, tmp_path, "m")
    for variant, flags in KERNEL_VARIANTS.items():
        exe = build_model_exe(gen, "m", extra=flags, exe_name=f"m_{variant}")
        got = run_host(exe, [[x]], [(want.shape, want.dtype)])
        assert got[0][0].tobytes() == want.tobytes(), f"{variant}: ELU {in_q} -> {out_q} differs"


def test_elu_refuses_int16(tmp_path: Path) -> None:
    """LiteRT's ELU has no int16 kernel (EluEval: float32 and int8 only): refused in one line."""
    model = unary("ELU", "int16", (1 / 4096, 0), (1 / 4096, 0))
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    assert main([str(path), "-o", str(tmp_path / "out"), "--quiet"]) == 2
