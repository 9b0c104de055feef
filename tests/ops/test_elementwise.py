"""The element-wise family against the LiteRT reference: every op in every type it takes, same
shapes and broadcasting (a trailing vector, a broadcast first input of lower rank, 5-D and 6-D,
scalars), every fused activation, extreme scales and zero points, legacy uint8, in place.

To keep the default run lean, one model holds many ops of one type (each its own output), so
one build checks a whole row of the op table; `-m slow` adds random sweeps per op and type.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference, first_call
from tests.support.oracle import model_io
from tests.support.tflite_build import DTYPES, OpSpec, TensorSpec, build_model, build_single_op_model
from tinyengine_gen.errors import TinyEngineError
from tinyengine_gen.pipeline import compile_model

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
WITH_ACT = {"ADD", "SUB", "MUL", "DIV"}
DIVIDING = {"DIV", "FLOOR_DIV", "FLOOR_MOD"}
COMPARISONS = ["EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"]
Q = tuple[float, int]


def add_model(shape1: tuple[int, ...], shape2: tuple[int, ...], out_shape: tuple[int, ...], act: str = "NONE",
              q1: Q = (0.05, 3), q2: Q = (0.1, -7), qo: Q = (0.12, 1), dtype: str = "int8",
              const2: Optional[np.ndarray] = None) -> bytes:
    """One ADD (the target tests use it too)."""
    inputs = [
        TensorSpec(shape1, dtype, scale=q1[0], zero_point=q1[1]),
        TensorSpec(shape2, dtype, scale=q2[0], zero_point=q2[1], data=const2),
    ]
    out = TensorSpec(out_shape, dtype, scale=qo[0], zero_point=qo[1])
    return build_single_op_model("ADD", inputs, [out], {"fused_activation_function": act})


def binary_model(kind: str, s1: tuple[int, ...], s2: tuple[int, ...], dtype: str, act: Optional[str] = None,
                 q1: Optional[Q] = None, q2: Optional[Q] = None, qo: Optional[Q] = None,
                 options: Optional[dict] = None) -> bytes:
    """One binary op; quantization only where given."""
    out_dtype = "bool" if kind in COMPARISONS else dtype
    out_shape = tuple(int(d) for d in np.broadcast_shapes(s1, s2))
    ins = [TensorSpec(s1, dtype, *(q1 or (None, None))), TensorSpec(s2, dtype, *(q2 or (None, None)))]
    out = TensorSpec(out_shape, out_dtype, *((qo or (None, None)) if out_dtype != "bool" else (None, None)))
    opts = dict(options or {})
    if kind in WITH_ACT:
        opts.setdefault("fused_activation_function", act or "NONE")
    return build_single_op_model(kind, ins, [out], opts or None)


# ---- one model per type: many ops, each its own output -------------------------------------------

X, Y, Z, W = (1, 3, 4, 5), (1, 3, 4, 5), (5,), (3, 1, 1)


@dataclass
class Family:
    """Inputs x, y (same shape), z (a trailing vector), w (lower rank, broadcast first) of one type,
    their quantization, and the output quantization per op kind."""

    dtype: str
    kinds: list[str]
    in_q: Optional[list[Q]] = None
    out_q: Optional[dict[str, Q]] = None
    options: Optional[dict] = None


def family_model(f: Family, acts: bool = True) -> tuple[bytes, list[str]]:
    """x op y (with each fused activation where the op has one), x op z, w op y per kind;
    returns the model and a label per output."""
    qs = f.in_q or [(None, None)] * 4  # type: ignore[list-item]
    tensors = [TensorSpec(s, f.dtype, *qs[i], name=n) for i, (s, n) in enumerate(zip((X, Y, Z, W), "xyzw"))]
    ops, outputs, labels = [], [], []
    for kind in f.kinds:
        out_dtype = "bool" if kind in COMPARISONS else f.dtype
        oq = (f.out_q or {}).get(kind, qs[0]) if out_dtype != "bool" else (None, None)
        pairs = [(0, 1, a) for a in (ACTS if (acts and kind in WITH_ACT) else ["NONE"])] + [(0, 2, "RELU"), (3, 1, "NONE")]
        for a, b, act in pairs:
            shape = tuple(int(d) for d in np.broadcast_shapes(tensors[a].shape, tensors[b].shape))
            tensors.append(TensorSpec(shape, out_dtype, *oq, name=f"{kind}_{'xyzw'[a]}{'xyzw'[b]}_{act}"))
            opts = dict(f.options or {})
            if kind in WITH_ACT:
                opts["fused_activation_function"] = act
            ops.append(OpSpec(kind, [a, b], [len(tensors) - 1], opts or None))
            outputs.append(len(tensors) - 1)
            labels.append(tensors[-1].name)
    return build_model(tensors, ops, [0, 1, 2, 3], outputs), labels


def _values(dtype: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Full-range values mixed with small ones (so that equal values, exact quotients and
    remainders occur), and special floats."""
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "float32":
        v = rng.uniform(-4, 4, shape).astype(np.float32)
        special = np.array([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -3.0, 6.0, 1e-30, -7.5], np.float32)
        mask = rng.random(shape) < 0.25
        v[mask] = rng.choice(special, int(mask.sum()))
        return v
    info = np.iinfo(DTYPES[dtype][1])
    v = rng.integers(info.min, info.max, shape, dtype=DTYPES[dtype][1], endpoint=True)
    small = rng.integers(-9, 10, shape) if info.min < 0 else rng.integers(120, 137, shape)
    mask = rng.random(shape) < 0.4
    v[mask] = small[mask].astype(v.dtype)
    return v


def family_inputs(model: bytes, f: Family, n_sets: int, seed: int = 0) -> list[list[np.ndarray]]:
    """Random sets whose divisors (y, z) are neither 0 nor their zero point: the reference
    refuses to run on those (test_zero_divisor_fails checks that the generated code does too)."""
    rng = np.random.default_rng(seed)
    infos, _ = model_io(model)
    sets = []
    for _ in range(n_sets):
        s = [_values(f.dtype, i.shape, rng) for i in infos]
        for k in [k for k in (1, 2) if k < len(s) and f.dtype != "bool"]:
            if f.dtype == "float32":
                s[k][s[k] == 0] = 1.5
                continue
            zp = infos[k].zero_point or 0
            bad = (s[k] == 0) | (s[k].astype(np.int64) == zp)
            s[k][bad] = np.array(zp + 3 if zp + 3 <= np.iinfo(s[k].dtype).max else zp - 3).astype(s[k].dtype)
            s[k][s[k] == 0] = 5
        sets.append(s)
    return sets


def check_family(f: Family, n_sets: int = 3, seed: int = 0, acts: bool = True) -> None:
    model, labels = family_model(f, acts)
    try:
        assert_matches_reference(model, input_sets=family_inputs(model, f, n_sets, seed))
    except AssertionError as e:
        msg = str(e)
        for j, label in enumerate(labels):
            msg = msg.replace(f"output {j}:", f"output {j} ({label}):")
        raise AssertionError(msg) from None


INT8_Q = [(0.05, 3), (0.1, -7), (0.08, 10), (0.03, -20)]
INT8_OUT = {"ADD": (0.12, 1), "SUB": (0.12, -1), "MUL": (0.15, -5), "DIV": (0.25, 2), "SQUARED_DIFFERENCE": (0.3, -100)}
INT16_Q = [(0.001, 0), (0.002, 0), (0.0015, 0), (0.0007, 0)]
INT16_OUT = {"ADD": (0.003, 0), "SUB": (0.0031, 0), "MUL": (0.07, 0), "DIV": (0.01, 0)}

FAMILIES = {
    "int8": Family("int8", ["ADD", "SUB", "MUL", "DIV", "SQUARED_DIFFERENCE", "MAXIMUM", "MINIMUM", "FLOOR_DIV",
                            "FLOOR_MOD", *COMPARISONS], INT8_Q, INT8_OUT),
    "uint8": Family("uint8", ["ADD", "SUB", "MUL", "DIV", "MAXIMUM", "MINIMUM", *COMPARISONS],
                    [(s, z + 128) for s, z in INT8_Q], {k: (s, z + 128) for k, (s, z) in INT8_OUT.items()}),
    "int16": Family("int16", ["ADD", "SUB", "MUL", "DIV", "MAXIMUM", "MINIMUM", "FLOOR_DIV", "FLOOR_MOD",
                              *COMPARISONS], INT16_Q, INT16_OUT),
    "int32": Family("int32", ["ADD", "SUB", "MUL", "DIV", "SQUARED_DIFFERENCE", "MAXIMUM", "MINIMUM", "FLOOR_DIV",
                              "FLOOR_MOD", *COMPARISONS]),
    "int64": Family("int64", ["ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM", "FLOOR_MOD", *COMPARISONS]),
    "float32": Family("float32", ["ADD", "SUB", "MUL", "DIV", "SQUARED_DIFFERENCE", "MAXIMUM", "MINIMUM",
                                  "FLOOR_DIV", "FLOOR_MOD", *COMPARISONS]),
    "bool": Family("bool", ["EQUAL", "NOT_EQUAL", "LOGICAL_AND", "LOGICAL_OR"]),
}


@pytest.mark.parametrize("dtype", list(FAMILIES))
def test_every_op_of_a_type(dtype: str) -> None:
    check_family(FAMILIES[dtype])


def test_int16_power_of_two_scales() -> None:
    """ADD / SUB int16 with power-of-two scales take the reference's shift-only path (ADD with
    one input at the output scale; SUB any)."""
    f = Family("int16", ["SUB"], [(2.0**-9, 0), (2.0**-12, 0), (2.0**-10, 0), (2.0**-9, 0)],
               {"SUB": (2.0**-9, 0)})
    check_family(f)
    # Shifts of 3 and of 18 (gemmlowp's 16-bit RoundingDivideByPOT rounds every value >= 0 up
    # from exponent 16 on).
    ins = [TensorSpec(X, "int16", 2.0**-10, 0), TensorSpec(X, "int16", 2.0**-13, 0), TensorSpec(X, "int16", 2.0**-28, 0)]
    ops = [OpSpec("ADD", [0, 1], [3 + i], {"fused_activation_function": a}) for i, a in enumerate(ACTS)]
    ops += [OpSpec("ADD", [2, 0], [3 + len(ACTS)], {"fused_activation_function": "NONE"}),
            OpSpec("SUB", [0, 2], [4 + len(ACTS)], {"fused_activation_function": "NONE"})]
    outs = [TensorSpec(X, "int16", 2.0**-10, 0) for _ in range(len(ACTS) + 2)]
    model = build_model(ins + outs, ops, [0, 1, 2], list(range(3, 3 + len(outs))))
    assert_matches_reference(model, n_sets=3)
    call, _, _ = first_call(model, "ADD")
    assert call.params["fn"] == "te_add_pot_s16"


@pytest.mark.parametrize("case", ["s8_rank6", "f32_rank5_scalar"])
def test_high_rank_and_scalar_broadcast(case: str) -> None:
    if case == "s8_rank6":
        tensors = [TensorSpec((2, 1, 3, 1, 2, 3), "int8", 0.05, 3), TensorSpec((1, 2, 1, 4, 1, 3), "int8", 0.1, -7),
                   TensorSpec((), "int8", 0.07, 1)]
        shape = (2, 2, 3, 4, 2, 3)
        ops = [OpSpec("ADD", [0, 1], [3], {"fused_activation_function": "RELU"}),
               OpSpec("MUL", [0, 1], [4], {"fused_activation_function": "NONE"}),
               OpSpec("SUB", [2, 1], [5], {"fused_activation_function": "NONE"}),
               OpSpec("MAXIMUM", [0, 2], [6])]
        tensors += [TensorSpec(shape, "int8", 0.12, 1), TensorSpec(shape, "int8", 0.02, -3),
                    TensorSpec((1, 2, 1, 4, 1, 3), "int8", 0.1, 0), TensorSpec((2, 1, 3, 1, 2, 3), "int8", 0.05, 3)]
    else:
        tensors = [TensorSpec((2, 3, 1, 4, 2), "float32"), TensorSpec((3, 5, 1, 1), "float32"),
                   TensorSpec((1,), "float32")]
        shape = (2, 3, 5, 4, 2)
        ops = [OpSpec("MUL", [0, 1], [3], {"fused_activation_function": "RELU6"}),
               OpSpec("ADD", [2, 0], [4], {"fused_activation_function": "NONE"}),
               OpSpec("DIV", [0, 2], [5], {"fused_activation_function": "NONE"}),
               OpSpec("SQUARED_DIFFERENCE", [1, 0], [6])]
        tensors += [TensorSpec(shape, "float32"), TensorSpec((2, 3, 1, 4, 2), "float32"),
                    TensorSpec((2, 3, 1, 4, 2), "float32"), TensorSpec(shape, "float32")]
    model = build_model(tensors, ops, [0, 1, 2], [3, 4, 5, 6])
    assert_matches_reference(model, n_sets=2)


def test_special_floats() -> None:
    """Infinities and NaN: the activation clamp (NONE clamps to +-FLT_MAX), MAXIMUM / MINIMUM
    and the comparisons with NaN, a float division by zero, FLOOR_MOD by zero."""
    vals = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -1.0, 3e38, -3e38, 7.0], np.float32)
    a, b = np.meshgrid(vals, vals)
    kinds = ["ADD", "SUB", "MUL", "DIV", "MAXIMUM", "MINIMUM", "FLOOR_MOD", "SQUARED_DIFFERENCE", "LESS",
             "EQUAL", "NOT_EQUAL", "GREATER_EQUAL"]
    shape = a.shape
    tensors = [TensorSpec(shape, "float32"), TensorSpec(shape, "float32")]
    ops = []
    for k in kinds:
        tensors.append(TensorSpec(shape, "bool" if k in COMPARISONS else "float32"))
        ops.append(OpSpec(k, [0, 1], [len(tensors) - 1], {"fused_activation_function": "NONE"} if k in WITH_ACT else None))
    model = build_model(tensors, ops, [0, 1], list(range(2, len(tensors))))
    assert_matches_reference(model, input_sets=[[a.astype(np.float32), b.astype(np.float32)]])


def test_add_n_select_logical_not() -> None:
    """ADD_N (int32, float32), SELECT (rank-one and same-shape conditions), SELECT_V2
    (broadcasting all three), LOGICAL_NOT."""
    t = [TensorSpec((2, 3, 4), "float32"), TensorSpec((2, 3, 4), "float32"), TensorSpec((2, 3, 4), "float32"),
         TensorSpec((2, 3, 4), "int32"), TensorSpec((2, 3, 4), "int32"),
         TensorSpec((2,), "bool"), TensorSpec((2, 3, 4), "bool"), TensorSpec((3, 1), "bool"),
         TensorSpec((2, 3, 4), "int8", 0.1, 2), TensorSpec((2, 3, 4), "int8", 0.2, -1), TensorSpec((4,), "int16")]
    outs = [TensorSpec((2, 3, 4), "float32"), TensorSpec((2, 3, 4), "int32"), TensorSpec((2, 3, 4), "int8", 0.1, 2),
            TensorSpec((2, 3, 4), "float32"), TensorSpec((3, 4), "int16"), TensorSpec((2,), "bool"),
            TensorSpec((2, 3, 4), "bool")]
    n = len(t)
    ops = [OpSpec("ADD_N", [0, 1, 2], [n]), OpSpec("ADD_N", [3, 4], [n + 1]),
           OpSpec("SELECT", [5, 8, 9], [n + 2]), OpSpec("SELECT", [6, 0, 1], [n + 3]),
           OpSpec("SELECT_V2", [7, 10, 10], [n + 4]), OpSpec("LOGICAL_NOT", [5], [n + 5]),
           OpSpec("LOGICAL_NOT", [6], [n + 6])]
    model = build_model(t + outs, ops, list(range(n)), list(range(n, n + len(outs))))
    assert_matches_reference(model, n_sets=3)


@pytest.mark.parametrize("q1,q2,qo", [
    ((0.039394, -128), (0.104195, 4), (0.050946, -128)),   # resnet_ic style, RELU output zp -128
    ((0.5, 127), (0.5, -128), (1.0, 0)),                     # equal input scales
    ((1e-3, 0), (2.0, 10), (2.5, -5)),                       # very different scales
    ((0.02, -3), (0.03, 5), (0.0004, 2)),                   # tiny output scale (saturates)
    ((3.0, -100), (0.01, 100), (6.0, 127)),
])
def test_quantization_extremes(q1: Q, q2: Q, qo: Q) -> None:
    kinds = ["ADD", "SUB", "MUL", "DIV"]
    out_q = {k: qo for k in kinds}
    out_q["MUL"] = (qo[0] * max(q1[0], q2[0]) * 8, qo[1])
    check_family(Family("int8", kinds, [q1, q2, q2, q1], out_q), n_sets=2, acts=False)


def test_squeeze_excite_mul_and_constant_operand() -> None:
    """The MCUNet / MobileNetV3 squeeze-excite product: a per-channel (1,1,1,C) vector times a
    feature map, either order; and an ADD of a constant vector."""
    rng = np.random.default_rng(1)
    c = rng.integers(-128, 128, (1, 1, 1, 8)).astype(np.int8)
    tensors = [TensorSpec((1, 6, 5, 8), "int8", 0.05, -3), TensorSpec((1, 1, 1, 8), "int8", 1 / 256, -128),
               TensorSpec((1, 1, 1, 8), "int8", 0.1, -7, data=c),
               TensorSpec((1, 6, 5, 8), "int8", 0.03, -10), TensorSpec((1, 6, 5, 8), "int8", 0.03, 4),
               TensorSpec((1, 6, 5, 8), "int8", 0.12, 1)]
    ops = [OpSpec("MUL", [0, 1], [3], {"fused_activation_function": "NONE"}),
           OpSpec("MUL", [1, 0], [4], {"fused_activation_function": "RELU6"}),
           OpSpec("ADD", [0, 2], [5], {"fused_activation_function": "NONE"})]
    assert_matches_reference(build_model(tensors, ops, [0, 1], [3, 4, 5]), n_sets=3)


def test_add_in_place_chain(tmp_path: Path) -> None:
    """x -> ADD(x, y) -> MUL(t, y) -> SUB(t, t): the planner lets outputs overwrite dying inputs."""
    shape = (1, 4, 6, 5)
    tensors = [
        TensorSpec(shape, "int8", scale=0.05, zero_point=2),    # 0 x
        TensorSpec(shape, "int8", scale=0.07, zero_point=-3),   # 1 y
        TensorSpec(shape, "int8", scale=0.09, zero_point=1),    # 2 t1
        TensorSpec(shape, "int8", scale=0.11, zero_point=-1),   # 3 t2
        TensorSpec(shape, "int8", scale=0.2, zero_point=0),     # 4 out
    ]
    ops = [OpSpec("ADD", [0, 1], [2], {"fused_activation_function": "NONE"}),
           OpSpec("MUL", [2, 1], [3], {"fused_activation_function": "NONE"}),
           OpSpec("SUB", [3, 3], [4], {"fused_activation_function": "RELU"})]
    model = build_model(tensors, ops, [0, 1], [4])
    assert_matches_reference(model, n_sets=3)
    path = tmp_path / "chain.tflite"
    path.write_bytes(model)
    applied = compile_model(path).plan.in_place
    # op 0 overwrites x (y lives on), op 1 overwrites t1, op 2 overwrites t2 (read twice)
    assert [step for step, _ in applied] == [0, 1, 2], applied


def test_zero_divisor_fails(tmp_path: Path) -> None:
    """A zero divisor makes the reference's invoke fail; the generated invoke returns non-zero."""
    from tests.support.host import run_host
    from tests.support.optest import build_model_exe, generate

    model = binary_model("FLOOR_DIV", (4,), (4,), "int32")
    gen = generate(model, tmp_path / "gen")
    exe = build_model_exe(gen, "m", extra=())
    ok = [np.array([7, -7, 8, 9], np.int32), np.array([2, 2, -3, 4], np.int32)]
    assert run_host(exe, [ok], [((4,), np.int32)])[0][0].tolist() == [3, -4, -3, 2]
    with pytest.raises(AssertionError, match="invoke failed"):
        run_host(exe, [[ok[0], np.array([2, 0, 1, 1], np.int32)]], [((4,), np.int32)])


@pytest.mark.parametrize("kind,dtype,why", [
    ("SQUARED_DIFFERENCE", "uint8", "uint8"),
    ("FLOOR_DIV", "int64", "int64"),
    ("MUL", "int16", "zero point 0"),
    ("LOGICAL_AND", "int8", "int8"),
])
def test_refused(kind: str, dtype: str, why: str, tmp_path: Path) -> None:
    q = (0.1, 3) if dtype in ("int8", "uint8", "int16") else None
    model = binary_model(kind, (2, 3), (2, 3), dtype, q1=q, q2=q, qo=q)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    with pytest.raises(TinyEngineError, match=why):
        compile_model(path)


# ---- slow: random sweeps per op and type -----------------------------------------------------------

SWEEP = [(k, d) for d, f in FAMILIES.items() for k in f.kinds] + [
    ("ADD_N", "float32"), ("ADD_N", "int32"), ("LOGICAL_NOT", "bool")]


def _random_shapes(rng: np.random.Generator) -> tuple[tuple[int, ...], tuple[int, ...]]:
    rank = int(rng.integers(1, 7))
    out = tuple(int(d) for d in rng.integers(1, 5, rank))
    s1 = tuple(d if rng.random() < 0.6 else 1 for d in out)
    s2 = tuple(d if rng.random() < 0.6 else 1 for d in out)
    s2 = s2[int(rng.integers(0, rank)):] or (1,)
    return s1, s2


@pytest.mark.slow
@pytest.mark.parametrize("kind,dtype", SWEEP)
def test_random_sweep(kind: str, dtype: str) -> None:
    rng = np.random.default_rng(abs(hash((kind, dtype))) % 2**32)
    for trial in range(3):
        if kind == "ADD_N":
            shape = tuple(int(d) for d in rng.integers(1, 6, 3))
            n = int(rng.integers(2, 5))
            t = [TensorSpec(shape, dtype) for _ in range(n + 1)]
            model = build_model(t, [OpSpec("ADD_N", list(range(n)), [n])], list(range(n)), [n])
            assert_matches_reference(model, n_sets=2, seed=trial)
            continue
        if kind == "LOGICAL_NOT":
            shape = tuple(int(d) for d in rng.integers(1, 6, 3))
            model = build_single_op_model(kind, [TensorSpec(shape, "bool")], [TensorSpec(shape, "bool")])
            assert_matches_reference(model, n_sets=2, seed=trial)
            continue
        s1, s2 = _random_shapes(rng)
        if kind in ("SQUARED_DIFFERENCE", "FLOOR_DIV", "FLOOR_MOD") or kind in COMPARISONS or kind in WITH_ACT:
            # Some reference kernels broadcast over at most 4 or 5 dimensions.
            s1, s2 = s1[-4:], s2[-4:]
        quantized = dtype in ("int8", "uint8", "int16")
        scales = np.exp(rng.uniform(np.log(1e-3), np.log(4.0), 3))
        zps = rng.integers(-128, 128, 3) if dtype != "int16" else np.zeros(3, int)
        if dtype == "uint8":
            zps = zps + 128
        if kind in ("ADD", "SUB"):
            scales[2] = max(scales[2], 2 * max(scales[0], scales[1]) / (1 << 15) * 1.01)
        if kind in COMPARISONS:
            scales = np.minimum(scales, 0.9)
        qs = [(float(scales[i]), int(zps[i])) for i in range(3)] if quantized else [None] * 3
        act = ACTS[trial % 4] if kind in WITH_ACT else None
        model = binary_model(kind, s1, s2, dtype, act, *qs)
        f = Family(dtype, [kind])
        sets = family_inputs(model, f, 2, seed=trial) if kind in DIVIDING else None
        assert_matches_reference(model, n_sets=2, seed=trial, input_sets=sets)


SEANET = Path(__file__).resolve().parents[2].parent / "shared" / "models-coverage" / "tflite-micro" / "seanet"


@pytest.mark.slow
@pytest.mark.skipif(not SEANET.is_dir(), reason="../shared/models-coverage is not here")
@pytest.mark.parametrize("kind", ["add", "sub"])
def test_seanet_int16_layers(kind: str) -> None:
    """TFLite Micro's int16 SEANet ADD / SUB layers (general-scale int16, broadcasting SUB)."""
    models = sorted((SEANET / kind).glob("*.tflite"))
    assert models
    for m in models:
        assert_matches_reference(m, n_sets=2)
