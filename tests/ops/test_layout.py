"""Data-movement ops against the LiteRT reference, in every type each supports.

To keep the default suite lean, cases are grouped: one model holds many ops (each its own inputs
and outputs), so one generation and one build check them all. `-m slow` adds every type for
every op and random sweeps.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference, build_model_exe, generate
from tests.support.oracle import random_inputs
from tests.support.tflite_build import OpSpec, TensorSpec, build_model, build_single_op_model
from tinyengine_gen.errors import TinyEngineError
from tinyengine_gen.ops import REGISTRY

needs_flip = pytest.mark.skipif("TE_FLIP_SIGN" not in REGISTRY,
                                reason="uint8 model edges need the TE_FLIP_SIGN kernel (not registered yet)")

TYPES = ["int8", "uint8", "int16", "int32", "int64", "float32", "bool"]
QUANT = {"int8": (0.05, -3), "uint8": (0.05, 130), "int16": (0.01, 0)}

@dataclass(frozen=True)
class Ref:
    """A case input that is output `output` of an earlier case `case` (no longer a model output)."""

    case: int
    output: int = 0


Case = tuple[str, list, list[TensorSpec], Optional[dict]]


def spec(shape: tuple[int, ...], dtype: str = "int8", q: Optional[tuple[float, int]] = None,
         data: Optional[np.ndarray] = None) -> TensorSpec:
    q = q or QUANT.get(dtype)
    return TensorSpec(tuple(shape), dtype, scale=q[0] if q else None, zero_point=q[1] if q else None, data=data)


def const(values, dtype: str = "int32") -> TensorSpec:
    v = np.asarray(values)
    return TensorSpec(v.shape, dtype, data=v)


def cases_model(cases: list[Case]) -> bytes:
    """One model running every case side by side: each case's op with its own tensors; the
    non-constant inputs are model inputs, every output a model output."""
    tensors: list[TensorSpec] = []
    ops: list[OpSpec] = []
    model_in: list[int] = []
    case_outs: list[list[int]] = []
    referenced: set[int] = set()
    for kind, inputs, outputs, options in cases:
        idx = []
        for t in inputs:
            if t is None:
                idx.append(-1)
                continue
            if isinstance(t, Ref):
                idx.append(case_outs[t.case][t.output])
                referenced.add(idx[-1])
                continue
            idx.append(len(tensors))
            if t.data is None:
                model_in.append(len(tensors))
            tensors.append(t)
        out_idx = list(range(len(tensors), len(tensors) + len(outputs)))
        tensors += outputs
        case_outs.append(out_idx)
        ops.append(OpSpec(kind, idx, out_idx, options))
    model_out = [i for outs in case_outs for i in outs if i not in referenced]
    return build_model(tensors, ops, model_in, model_out)


# ------------------------------------------------------------------------ every op, every type

def layout_cases(dt: str) -> list[Case]:
    """Each data-movement op once (several shapes/modes where the lowering has branches), for the
    ops LiteRT supports in type `dt`."""
    def x(*shape: int) -> TensorSpec:
        return spec(shape, dt)

    value = TensorSpec((), dt, *(QUANT.get(dt) or (None, None)))
    cases: list[Case] = [
        ("TRANSPOSE", [x(2, 3, 4, 5), const([0, 2, 3, 1])], [x(2, 4, 5, 3)], None),
        ("STRIDED_SLICE", [x(4, 5, 6), const([1, -1, 0]), const([3, 0, 6]), const([1, -2, 2])], [x(2, 2, 3)], None),
        ("SLICE", [x(4, 5, 6), const([1, 1, 2]), const([2, -1, 3])], [x(2, 4, 3)], None),
        ("SLICE", [x(3, 4), spec((2,), "int32"), const([2, 2])], [x(2, 2)], None),  # run-time begin
        ("MIRROR_PAD", [x(2, 3, 4), const([[0, 1], [2, 2], [1, 0]])], [x(3, 7, 5)], {"mode": "REFLECT"}),
        ("MIRROR_PAD", [x(2, 3, 4), const([[1, 1], [3, 3], [0, 4]], "int64")], [x(4, 9, 8)], {"mode": "SYMMETRIC"}),
        ("BROADCAST_TO", [x(3, 1, 4), const([2, 3, 5, 4])], [x(2, 3, 5, 4)], None),
        ("TILE", [x(2, 3), const([2, 3])], [x(4, 9)], None),
        ("REVERSE_V2", [x(3, 4, 5), const([1, 2])], [x(3, 4, 5)], None),
        ("PAD", [x(2, 3, 4), const([[1, 0], [0, 2], [1, 1]])], [x(3, 5, 6)], None),
        ("PADV2", [x(2, 3), const([[0, 1], [2, 0]]), value], [x(3, 5)], None),  # run-time pad value
        ("CONCATENATION", [x(2, 3, 4), x(2, 1, 4)], [x(2, 4, 4)], {"axis": 1}),
        ("GATHER", [x(4, 5, 3), spec((2, 3), "int32")], [x(4, 2, 3, 3)], {"axis": 1}),
        ("GATHER_ND", [x(4, 5, 3), spec((3, 2), "int64")], [x(3, 3)], None),
        ("BATCH_TO_SPACE_ND", [x(8, 3, 2, 3), const([2, 2]), const([[1, 0], [0, 1]])], [x(2, 5, 3, 3)], None),
        ("SPACE_TO_BATCH_ND", [x(2, 3, 4, 3), const([2, 3]), const([[1, 0], [1, 1]])], [x(12, 2, 2, 3)], None),
        ("FILL", [const([2, 3]), value], [x(2, 3)], None),
    ]
    if dt != "bool":
        cases += [
            ("SPLIT", [const([1]), x(3, 4, 5)], [x(3, 2, 5), x(3, 2, 5)], {"num_splits": 2}),
            ("SPLIT_V", [x(3, 7, 2), const([2, -1, 1]), const([1])], [x(3, 2, 2), x(3, 4, 2), x(3, 1, 2)],
             {"num_splits": 3}),
            ("PACK", [x(2, 3), x(2, 3), x(2, 3)], [x(2, 3, 3)], {"axis": 2}),
        ]
    if dt != "int64":
        cases.append(("UNPACK", [x(3, 2, 5)], [x(3, 5), x(3, 5)], {"axis": 1, "num": 2}))
        cases.append(("RESIZE_NEAREST_NEIGHBOR", [x(1, 3, 4, 2), const([5, 7])], [x(1, 5, 7, 2)],
                      {"align_corners": False, "half_pixel_centers": True}))
    if dt not in ("int16", "bool"):
        cases += [("DEPTH_TO_SPACE", [x(2, 3, 4, 8)], [x(2, 6, 8, 2)], {"block_size": 2}),
                  ("SPACE_TO_DEPTH", [x(2, 6, 4, 3)], [x(2, 3, 2, 12)], {"block_size": 2})]
    if dt in ("int32", "int64", "float32"):
        cases.append(("ZEROS_LIKE", [x(2, 3)], [x(2, 3)], None))
    return cases


@pytest.mark.parametrize("dtype", ["int8", pytest.param("uint8", marks=needs_flip), "float32"])
def test_layout_ops(dtype: str) -> None:
    assert_matches_reference(cases_model(layout_cases(dtype)), n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["int16", "int32", "int64", "bool"])
def test_layout_ops_wide_types(dtype: str) -> None:
    assert_matches_reference(cases_model(layout_cases(dtype)), n_sets=2)


# ------------------------------------------------------------------------------ STRIDED_SLICE

def np_index(n: int, begin: list[int], end: list[int], strides: list[int], masks: dict[str, int]) -> tuple:
    """The numpy index equal to a TFLite strided slice (TF defines it to match numpy)."""
    idx: list = []
    for i in range(n):
        if (masks.get("ellipsis_mask", 0) >> i) & 1:
            idx.append(Ellipsis)
        elif (masks.get("new_axis_mask", 0) >> i) & 1:
            idx.append(None)
        elif (masks.get("shrink_axis_mask", 0) >> i) & 1:
            idx.append(begin[i])
        else:
            idx.append(slice(None if (masks.get("begin_mask", 0) >> i) & 1 else begin[i],
                             None if (masks.get("end_mask", 0) >> i) & 1 else end[i], strides[i]))
    return tuple(idx)


def strided_slice_case(shape: tuple[int, ...], begin: list[int], end: list[int], strides: list[int],
                       dtype: str = "int8", **masks: int) -> Case:
    out = np.empty(shape)[np_index(len(begin), begin, end, strides, masks)].shape
    return ("STRIDED_SLICE", [spec(shape, dtype), const(begin), const(end), const(strides)], [spec(out, dtype)],
            dict(masks) or None)


STRIDED_SLICES = [
    ((4, 5, 6), [1, 0, 0], [3, 5, 6], [1, 1, 1], {}),
    ((4, 5, 6), [-3, 4, 5], [-1, 0, 0], [1, -1, -2], {}),                  # negative starts and strides
    ((4, 5, 6), [0, 1, 0], [0, 4, 0], [1, 2, 1], {"begin_mask": 5, "end_mask": 5}),
    ((4, 5, 6), [2, 0, 1], [3, 5, 4], [1, 1, 1], {"shrink_axis_mask": 1}),  # shrink the outer axis
    ((4, 5, 6), [0, 3, 0], [4, 4, 6], [1, 1, 2], {"shrink_axis_mask": 2}),
    ((4, 5, 6), [1, 2], [3, 4], [1, 1], {"ellipsis_mask": 1}),              # ..., 2:4 (last axis)
    ((4, 5, 6), [1, 0, 2], [3, 0, 5], [1, 1, 1], {"new_axis_mask": 2}),     # 1:3, newaxis, 2:5
    ((4, 5, 6), [0, 1, 0], [2, 3, 0], [1, 1, 1], {"ellipsis_mask": 4}),     # 0:2, 1:3, ...
    ((4, 5, 6), [-9, 0, -100], [9, 5, 100], [1, 1, 3], {}),                 # out-of-range ends clamp
    ((2, 3, 4, 5, 6), [0, 1, 0, 2, 1], [2, 3, 4, 5, 6], [1, 1, 2, 1, 2], {}),  # 5-D
    ((3, 8), [1, 0], [2, 8], [1, 1], {}),                                   # a row: contiguous (a view when aligned)
]


def test_strided_slice_masks() -> None:
    cases = [strided_slice_case(*c[:4], **c[4]) for c in STRIDED_SLICES]
    cases.append(("STRIDED_SLICE", [spec((4, 6)), const([1, 2]), const([2, 3]), const([1, 1])], [spec((2, 3))],
                  {"offset": True}))  # offset: end = begin + size
    assert_matches_reference(cases_model(cases), n_sets=2)


def test_run_time_begin_slices() -> None:
    """Begin computed at run time (int32/int64 SLICE, STRIDED_SLICE with offset); the oracle draws
    begins that keep the slice inside the input."""
    cases: list[Case] = [
        ("SLICE", [spec((5, 6, 3)), spec((3,), "int32"), const([2, 4, -1])], [spec((2, 4, 3))], None),
        ("SLICE", [spec((4, 7), "float32"), spec((2,), "int64"), const([1, 3], "int64")], [spec((1, 3), "float32")], None),
        ("STRIDED_SLICE", [spec((5, 6, 4), "int16"), spec((3,), "int32"), const([2, 3, 4]), const([1, 1, 1])],
         [spec((2, 3, 4), "int16")], {"offset": True}),
    ]
    assert_matches_reference(cases_model(cases), n_sets=4)


def test_offset_slice_negative_begin() -> None:
    """A negative run-time begin counts from the end, as in the reference's StartForAxis."""
    model = cases_model([("STRIDED_SLICE", [spec((6, 4)), spec((2,), "int32"), const([3, 4]), const([1, 1])],
                          [spec((3, 4))], {"offset": True})])
    data = np.arange(24, dtype=np.int8).reshape(6, 4)
    for begin in ([3, 0], [0, 0], [-3, 0]):
        assert_matches_reference(model, input_sets=[[data, np.asarray(begin, np.int32)]])


# ------------------------------------------------------------------------------- GATHER family

def test_gather_variants() -> None:
    idx = np.asarray([[2, 0], [1, 1], [0, 3]])
    cases: list[Case] = [
        ("GATHER", [spec((5, 4)), spec((3,), "int16")], [spec((3, 4))], {"axis": 0}),
        ("GATHER", [spec((3, 5, 2), "float32"), spec((2, 2), "int64")], [spec((3, 2, 2, 2), "float32")], {"axis": 1}),
        ("GATHER", [spec((3, 4, 5)), spec((3, 2), "int32")], [spec((3, 2, 5))], {"axis": 1, "batch_dims": 1}),
        ("GATHER", [spec((3, 4, 5), "int16"), spec((3, 2), "int32")], [spec((3, 4, 3, 2), "int16")],
         {"axis": -1, "batch_dims": 0}),
        ("GATHER", [spec((6, 3)), const([5, 0, 5, 2])], [spec((4, 3))], {"axis": 0}),  # constant indices
        ("GATHER_ND", [spec((4, 5, 3)), spec((2, 3), "int32")], [spec((2,))], None),  # full depth: elements
        ("GATHER_ND", [spec((4, 5, 3), "int32"), spec((3, 1), "int16")], [spec((3, 5, 3), "int32")], None),
        ("GATHER_ND", [spec((4, 5, 3)), const(idx)], [spec((3, 3))], None),
        ("GATHER_ND", [spec((1, 48, 48, 4)), spec((5, 3), "int32")], [spec((5, 4))], None),  # movenet-style
    ]
    assert_matches_reference(cases_model(cases), n_sets=3)


def test_gather_index_out_of_range_fails_the_invoke(tmp_path: Path) -> None:
    """LiteRT fails the invoke on an index out of range; the generated code returns non-zero (and
    never reads outside the input)."""
    model = cases_model([("GATHER", [spec((4, 3)), spec((2,), "int32")], [spec((2, 3))], {"axis": 0})])
    gen = generate(model, tmp_path / "gen", "m")
    exe = build_model_exe(gen, "m")
    import subprocess
    for bad in ([0, 4], [-1, 0]):
        stdin = np.zeros((4, 3), np.int8).tobytes() + np.asarray(bad, np.int32).tobytes()
        res = subprocess.run([str(exe)], input=stdin, capture_output=True)
        assert res.returncode != 0 and b"invoke failed with 1" in res.stderr, res.stderr


@pytest.mark.parametrize("kind,inputs,outputs,options,message", [
    ("GATHER", [spec((4, 3)), const([0, 4])], [spec((2, 3))], {"axis": 0}, "outside"),
    ("REVERSE_V2", [spec((3, 4, 5)), const([0, 2])], [spec((3, 4, 5))], None, "not contiguous"),
    ("STRIDED_SLICE", [spec((4, 6)), spec((2,), "int32"), const([2, 3]), const([1, 1])], [spec((2, 3))], None,
     "offset"),
    ("MIRROR_PAD", [spec((2, 3)), const([[0, 0], [3, 0]])], [spec((2, 6))], {"mode": "REFLECT"}, "too large"),
])
def test_layout_errors(kind: str, inputs, outputs, options, message: str, tmp_path: Path) -> None:
    from tinyengine_gen.pipeline import compile_model

    path = tmp_path / "m.tflite"
    path.write_bytes(cases_model([(kind, inputs, outputs, options)]))
    with pytest.raises(TinyEngineError, match=message):
        compile_model(path)


def test_embedding_lookup_dynamic_update_slice_broadcast_args() -> None:
    t = [spec((3, 1, 4)), const([2, 1, 1, 4]), const([3, 1, 4]), TensorSpec((4,), "int32"), spec((2, 3, 1, 4))]
    ops = [OpSpec("BROADCAST_ARGS", [1, 2], [3]), OpSpec("BROADCAST_TO", [0, 3], [4])]  # folded shape
    assert_matches_reference(build_model(t, ops, [0], [4]), n_sets=1)
    cases: list[Case] = [
        ("EMBEDDING_LOOKUP", [spec((5,), "int32"), spec((7, 3, 2), "float32")], [spec((5, 3, 2), "float32")], None),
        ("EMBEDDING_LOOKUP", [spec((4,), "int32"), spec((6, 5))], [spec((4, 5))], None),
        ("DYNAMIC_UPDATE_SLICE", [spec((4, 6, 3)), spec((2, 3, 3)), spec((3,), "int32")], [spec((4, 6, 3))], None),
        ("DYNAMIC_UPDATE_SLICE", [spec((5, 4), "float32"), spec((2, 4), "float32"), spec((2,), "int64")],
         [spec((5, 4), "float32")], None),
        ("DYNAMIC_UPDATE_SLICE", [spec((3, 2), "int16"), spec((3, 2), "int16"), spec((2,), "int32")],
         [spec((3, 2), "int16")], None),  # the whole operand
    ]
    model = cases_model(cases)
    rng = np.random.default_rng(4)
    sets = [random_inputs(model, rng) for _ in range(3)]
    for s in sets[1:]:  # start indices around the edges: clamped
        s[6] = np.asarray([-3, 5, 1], np.int32)
        s[9] = np.asarray([9, -1], np.int64)
    assert_matches_reference(model, input_sets=sets)


# ---------------------------------------------------------------------------------------- views

def test_outermost_splits_are_views(tmp_path: Path) -> None:
    """SPLIT / UNPACK / SLICE along the outermost non-trivial axis at 16-byte boundaries cost no
    copy and no arena: the outputs are views of the input."""
    from tinyengine_gen.pipeline import compile_model

    t = [spec((1, 4, 8, 4)), const([1]), spec((1, 2, 8, 4)), spec((1, 2, 8, 4)),
         spec((1, 2, 8, 4)), spec((1, 2, 8, 4))]
    ops = [OpSpec("SPLIT", [1, 0], [2, 3], {"num_splits": 2}),
           OpSpec("ADD", [2, 3], [4], {"fused_activation_function": "NONE"}),
           OpSpec("ADD", [3, 2], [5], {"fused_activation_function": "NONE"})]
    model = build_model(t, ops, [0], [4, 5])
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    compiled = compile_model(path)
    assert [c.op.kind for c in compiled.calls] == ["ADD", "ADD"]
    assert compiled.plan.arena_size <= 3 * 128  # input + two outputs, no split copies
    assert_matches_reference(model, n_sets=2)


# ------------------------------------------------------------------------------------------ PAD

def pad_model(shape: tuple[int, ...], pads: list[tuple[int, int]], q: tuple[float, int] = (0.05, -7),
              dtype: str = "int8", v2_value: int | None = None, pad_dtype: str = "int32") -> bytes:
    return cases_model([pad_case(shape, pads, q, dtype, v2_value, pad_dtype)])


def pad_case(shape: tuple[int, ...], pads: list[tuple[int, int]], q: tuple[float, int] = (0.05, -7),
             dtype: str = "int8", v2_value: int | None = None, pad_dtype: str = "int32") -> Case:
    out = tuple(d + b + a for d, (b, a) in zip(shape, pads))
    inputs = [TensorSpec(shape, dtype, scale=q[0], zero_point=q[1]),
              TensorSpec((len(shape), 2), pad_dtype, data=np.asarray(pads, np.int64))]
    if v2_value is not None:
        inputs.append(TensorSpec((1,), dtype, scale=q[0], zero_point=q[1], data=np.asarray([v2_value])))
    return ("PADV2" if v2_value is not None else "PAD", inputs, [TensorSpec(out, dtype, scale=q[0], zero_point=q[1])],
            None)


PADS = [
    ((1, 8, 8, 3), [(0, 0), (1, 1), (1, 1), (0, 0)]),     # image style
    ((1, 7, 5, 16), [(0, 0), (0, 1), (0, 1), (0, 0)]),    # asymmetric (stride-2 SAME)
    ((1, 5, 5, 4), [(0, 0), (3, 3), (3, 3), (0, 0)]),
    ((1, 13, 13, 20), [(0, 0), (0, 0), (0, 0), (2, 2)]),  # channels (micronets)
    ((1, 4, 4, 12), [(0, 0), (0, 0), (0, 0), (6, 6)]),
    ((1, 6, 6, 8), [(0, 0), (0, 0), (0, 0), (0, 0)]),     # no padding at all (mcunet)
    ((2, 3, 4, 5), [(1, 0), (0, 2), (3, 1), (1, 1)]),     # every axis
    ((3, 1, 2), [(0, 0), (2, 1), (0, 0)]),                # size-1 dimension padded
    ((9,), [(4, 0)]),
    ((2, 3, 1, 2, 3), [(1, 1), (0, 0), (1, 0), (0, 0), (0, 2)]),  # 5-D
]


def test_pad() -> None:
    cases = [pad_case(s, p) for s, p in PADS]
    cases += [pad_case((1, 3, 4, 2), [(0, 0), (1, 2), (2, 1), (0, 0)], (0.1, zp), pad_dtype="int64")
              for zp in (-128, 0, 127)]
    cases += [pad_case((1, 5, 4, 3), [(0, 0), (2, 1), (1, 2), (1, 1)], v2_value=v) for v in (-128, -7, 0, 127)]
    cases += [pad_case((2, 3, 4), [(1, 0), (0, 2), (1, 1)], (0.01, 0), "int16", v2_value=-300),
              ("PADV2", [spec((2, 3), "float32"), const([[1, 1], [0, 2]]), const([-2.5], "float32")],
               [spec((4, 5), "float32")], None)]
    assert_matches_reference(cases_model(cases), n_sets=2)


def test_pad_then_add_in_place() -> None:
    """micronets pads channels before ADD; mcunet has zero-padding PADs (declared in place)."""
    t = [
        TensorSpec((1, 7, 7, 16), "int8", scale=0.043493, zero_point=6),
        TensorSpec((4, 2), "int32", data=np.asarray([[0, 0], [0, 0], [0, 0], [6, 6]], np.int32)),
        TensorSpec((1, 7, 7, 28), "int8", scale=0.043493, zero_point=6),
        TensorSpec((1, 7, 7, 28), "int8", scale=0.056061, zero_point=6),
        TensorSpec((1, 7, 7, 28), "int8", scale=0.078399, zero_point=6),
        TensorSpec((4, 2), "int32", data=np.zeros((4, 2), np.int32)),
        TensorSpec((1, 7, 7, 28), "int8", scale=0.078399, zero_point=6),
    ]
    ops = [OpSpec("PAD", [0, 1], [2]), OpSpec("ADD", [2, 3], [4], {"fused_activation_function": "NONE"}),
           OpSpec("PAD", [4, 5], [6])]
    assert_matches_reference(build_model(t, ops, [0, 3], [6]), n_sets=3)


@needs_flip
def test_pad_legacy_uint8() -> None:
    cases = [pad_case((1, 4, 5, 3), [(0, 0), (1, 1), (1, 1), (0, 0)], (0.05, 130), "uint8"),
             pad_case((1, 4, 5, 3), [(0, 0), (1, 0), (0, 1), (0, 0)], (0.05, 7), "uint8", v2_value=200)]
    assert_matches_reference(cases_model(cases), n_sets=2)


# ------------------------------------------------------------------------------- CONCATENATION

def concat_case(shapes: list[tuple[int, ...]], axis: int, dtype: str = "int8",
                quants: list[tuple[float, int]] | None = None, out_q: tuple[float, int] = (0.05, -3),
                const_inputs: dict[int, np.ndarray] | None = None) -> Case:
    quants = quants or [out_q] * len(shapes)
    const_inputs = const_inputs or {}
    rank = len(shapes[0])
    ax = axis % rank
    out = list(shapes[0])
    out[ax] = sum(s[ax] for s in shapes)
    inputs = [TensorSpec(s, dtype, scale=q[0], zero_point=q[1], data=const_inputs.get(i))
              for i, (s, q) in enumerate(zip(shapes, quants))]
    return ("CONCATENATION", list(inputs), [TensorSpec(tuple(out), dtype, scale=out_q[0], zero_point=out_q[1])],
            {"axis": axis})


def concat_model(shapes: list[tuple[int, ...]], axis: int, dtype: str = "int8",
                 quants: list[tuple[float, int]] | None = None, out_q: tuple[float, int] = (0.05, -3),
                 const_inputs: dict[int, np.ndarray] | None = None) -> bytes:
    return cases_model([concat_case(shapes, axis, dtype, quants, out_q, const_inputs)])


CONCATS = [
    ([(1, 4, 5, 3), (1, 4, 5, 7)], 3),
    ([(1, 4, 5, 3), (1, 4, 5, 7)], -1),
    ([(1, 4, 5, 3), (1, 2, 5, 3), (1, 1, 5, 3)], 1),
    ([(1, 4, 5, 3), (1, 4, 1, 3)], 2),
    ([(2, 4, 5, 3), (3, 4, 5, 3)], 0),
    ([(5,), (1,), (3,)], 0),
    ([(2, 3, 1), (2, 3, 4), (2, 3, 1), (2, 3, 2)], 2),
    ([(1, 6, 6, 8)], 3),
]


def test_concat() -> None:
    rng = np.random.default_rng(3)
    c = rng.integers(-128, 128, (1, 3, 3, 2)).astype(np.int8)
    cases = [concat_case(s, a) for s, a in CONCATS]
    cases.append(concat_case([(1, 3, 3, 4), (1, 3, 3, 2)], 3, const_inputs={1: c}))
    cases.append(("CONCATENATION", [spec((2, 3), "int16", (0.01, 0)), spec((2, 2), "int16", (0.03, 0))],
                  [spec((2, 5), "int16", (0.02, 0))], {"axis": 1}))  # int16 copies whatever the scales
    assert_matches_reference(cases_model(cases), n_sets=2)
    t = [TensorSpec((1, 3, 2), "int8", scale=0.1, zero_point=0), TensorSpec((1, 3, 4), "int8", scale=0.1, zero_point=0)]
    assert_matches_reference(build_model(t, [OpSpec("CONCATENATION", [0, 0], [1], {"axis": 2})], [0], [1]), n_sets=2)


LEGACY_CONCATS = [
    ([(0.05, 125), (0.05, 125)], (0.05, 125)),        # plain copy
    ([(0.05, 125), (0.1, 100)], (0.05, 125)),          # second input rescaled
    ([(0.023, 0), (0.3, 255), (0.07, 128)], (0.11, 17)),
    ([(0.05, 120), (0.05, 121)], (0.05, 120)),        # same scale, different zero point
    ([(1e-3, 3), (7.0, 250)], (0.5, 128)),
]


@needs_flip
def test_concat_legacy_uint8_rescaling() -> None:
    cases = []
    for quants, out_q in LEGACY_CONCATS:
        cases.append(concat_case([(1, 3, 4, 2 + i) for i in range(len(quants))], 3, "uint8", quants, out_q))
        cases.append(concat_case([(1, 2 + i, 3, 2) for i in range(len(quants))], 1, "uint8", quants, out_q))
    assert_matches_reference(cases_model(cases), n_sets=3)


@needs_flip
def test_concat_legacy_uint8_every_value() -> None:
    # Scales where a fused multiply-add would round one of the 256 values differently: LiteRT's
    # reference (x86-64 wheel) computes q * scale and + bias as two float32 operations.
    quants = [((0.15261323750019073, 156), (0.1083061695098877, 73)),
              ((0.03580089658498764, 220), (0.01869856007397175, 178))]
    model = cases_model([concat_case([(1, 256), (1, 1)], 1, "uint8", [in_q, out_q], out_q) for in_q, out_q in quants])
    every = np.arange(256, dtype=np.uint8).reshape(1, 256)
    zero = np.zeros((1, 1), np.uint8)
    assert_matches_reference(model, input_sets=[[every, zero, every, zero]])


# --------------------------------------------------------------------- RESIZE_NEAREST_NEIGHBOR

def resize_case(shape: tuple[int, ...], size: tuple[int, int], align_corners: bool = False,
                half_pixel_centers: bool = False, dtype: str = "int8") -> Case:
    n, _, _, c = shape
    q = (0.0235, -128 if dtype == "int8" else 0) if dtype in ("int8", "uint8", "int16") else None
    inputs = [spec(shape, dtype, q), TensorSpec((2,), "int32", data=np.asarray(size, np.int32))]
    out = spec((n, size[0], size[1], c), dtype, q)
    return ("RESIZE_NEAREST_NEIGHBOR", inputs, [out],
            {"align_corners": align_corners, "half_pixel_centers": half_pixel_centers})


def resize_model(shape: tuple[int, ...], size: tuple[int, int], align_corners: bool = False,
                 half_pixel_centers: bool = False, dtype: str = "int8") -> bytes:
    return cases_model([resize_case(shape, size, align_corners, half_pixel_centers, dtype)])


RESIZES = [
    ((1, 4, 5, 32), (8, 10)),     # detection.tflite: non-square 2x upsampling
    ((1, 8, 10, 16), (16, 20)),
    ((1, 3, 7, 2), (5, 4)),       # up in H, down in W
    ((2, 5, 3, 1), (5, 11)),
    ((1, 6, 6, 3), (4, 4)),       # downsampling
    ((1, 1, 1, 5), (3, 2)),
    ((1, 4, 4, 2), (1, 1)),
]
MODES = [(False, False), (True, False), (False, True), (True, True)]


def test_resize_nearest() -> None:
    cases = [resize_case(s, z, *m) for s, z in RESIZES for m in MODES]
    assert_matches_reference(cases_model(cases), n_sets=2)


# ---------------------------------------------------------------------------------- TRANSPOSE

def transpose_case(shape: tuple[int, ...], perm: list[int], dtype: str = "int8") -> Case:
    rank = len(shape)
    out = tuple(shape[p % rank] for p in perm)
    q = (0.048543, 6) if dtype in ("int8", "uint8") else None
    inputs = [spec(shape, dtype, q), TensorSpec((rank,), "int32", data=np.asarray(perm, np.int32))]
    return ("TRANSPOSE", inputs, [spec(out, dtype, q)], None)


def transpose_model(shape: tuple[int, ...], perm: list[int], dtype: str = "int8") -> bytes:
    return cases_model([transpose_case(shape, perm, dtype)])


TRANSPOSES = [
    ((1, 3, 3, 160), [0, 3, 1, 2]),   # tinyengine/vww
    ((2, 3, 4, 5), [0, 2, 3, 1]),
    ((2, 3, 4, 5), [3, 2, 1, 0]),
    ((2, 3, 4, 5), [0, 1, 2, 3]),     # identity
    ((2, 3, 4, 5), [1, 0, 2, 3]),     # inner block kept (merged)
    ((5, 7), [1, 0]),
    ((4,), [0]),
    ((2, 3, 1, 5), [2, 3, 0, 1]),
    ((2, 3, 4, 5), [-1, 0, -3, 2]),   # negative entries
    ((2, 3, 2, 3, 2), [4, 2, 0, 3, 1]),
    ((2, 1, 3, 2, 2, 3), [5, 0, 3, 1, 4, 2]),
]


def test_transpose() -> None:
    cases = [transpose_case(s, p) for s, p in TRANSPOSES]
    cases += [transpose_case((3, 4, 5), [2, 0, 1], dt) for dt in ("int16", "float32", "int64", "bool")]
    assert_matches_reference(cases_model(cases), n_sets=2)


# ------------------------------------------------------------------------------------- sweeps

@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12))
def test_layout_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    rank = int(rng.integers(1, 6))
    shape = tuple(int(d) for d in rng.integers(1, 7, rank))
    dt = TYPES[seed % len(TYPES)]
    cases: list[Case] = []
    pads = [(int(rng.integers(0, 3)) * (rng.random() < 0.5), int(rng.integers(0, 3)) * (rng.random() < 0.5))
            for _ in range(rank)]
    cases.append(pad_case(shape, pads, (0.1, int(rng.integers(-128, 128)))))
    cases.append(transpose_case(shape, [int(p) for p in rng.permutation(rank)], dt))
    axis = int(rng.integers(0, rank))
    shapes = [tuple(int(rng.integers(1, 5)) if d == axis else shape[d] for d in range(rank))
              for _ in range(int(rng.integers(1, 4)))]
    cases.append(concat_case(shapes, axis))
    h, w = int(rng.integers(1, 9)), int(rng.integers(1, 9))
    mode = (bool(rng.random() < 0.5), bool(rng.random() < 0.5))
    cases.append(resize_case((1, int(rng.integers(1, 7)), int(rng.integers(1, 7)), 3), (h, w), *mode))
    begin = [int(rng.integers(-d, d)) for d in shape]
    end = [int(rng.integers(-d - 1, d + 2)) for d in shape]
    strides = [int(rng.choice([-2, -1, 1, 2, 3])) for _ in shape]
    masks = {"begin_mask": int(rng.integers(0, 1 << rank)), "end_mask": int(rng.integers(0, 1 << rank))}
    out = np.empty(shape)[np_index(rank, begin, end, strides, masks)].shape
    if all(d > 0 for d in out):
        cases.append(strided_slice_case(shape, begin, end, strides, dt, **masks))
    reps = [int(rng.integers(1, 3)) for _ in shape]
    cases.append(("TILE", [spec(shape, dt), const(reps)], [spec(tuple(d * r for d, r in zip(shape, reps)), dt)], None))
    mp = [(int(rng.integers(0, d)), int(rng.integers(0, d))) for d in shape]
    cases.append(("MIRROR_PAD", [spec(shape, dt), const(mp)],
                  [spec(tuple(d + a + b for d, (a, b) in zip(shape, mp)), dt)], {"mode": "REFLECT"}))
    assert_matches_reference(cases_model(cases), n_sets=1)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_strided_slice_random_masks(seed: int, tmp_path: Path) -> None:
    """Random begin/end/strides with every mask (ellipsis, new axis, shrink): LiteRT gives the output
    shape; each slice the generator accepts must match it byte for byte (it refuses slices that
    read nothing along an axis, whose LiteRT output is left unwritten)."""
    from tests.support.oracle import run_reference
    from tinyengine_gen.pipeline import compile_model

    rng = np.random.default_rng(300 + seed)
    good: list[Case] = []
    while len(good) < 40:
        rank = int(rng.integers(1, 5))
        shape = tuple(int(v) for v in rng.integers(1, 6, rank))
        n = int(rng.integers(1, rank + 2))
        begin, end = [int(v) for v in rng.integers(-6, 6, n)], [int(v) for v in rng.integers(-6, 7, n)]
        strides = [int(rng.choice([-2, -1, 1, 2])) for _ in range(n)]
        masks = {k: int(rng.integers(0, 1 << n)) for k in ("begin_mask", "end_mask")}
        for key, p in (("ellipsis_mask", 0.4), ("new_axis_mask", 0.4), ("shrink_axis_mask", 0.3)):
            if rng.random() < p:
                masks[key] = 1 << int(rng.integers(0, n)) if key == "ellipsis_mask" else int(rng.integers(0, 1 << n))
        probe = cases_model([("STRIDED_SLICE", [spec(shape), const(begin), const(end), const(strides)], [spec((1,))],
                              masks)])
        try:
            want = run_reference(probe, random_inputs(probe, rng))[0]
        except (RuntimeError, ValueError):
            continue  # LiteRT refuses it
        if want.size == 0 or want.ndim == 0:
            continue
        case: Case = ("STRIDED_SLICE", [spec(shape), const(begin), const(end), const(strides)], [spec(want.shape)],
                      masks)
        path = tmp_path / "probe.tflite"
        path.write_bytes(cases_model([case]))
        try:
            compile_model(path)
        except TinyEngineError:
            continue
        good.append(case)
    assert_matches_reference(cases_model(good), n_sets=2)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", TYPES)
def test_layout_ops_every_type_single_op_models(dtype: str) -> None:
    """Each op of layout_cases as its own model (no interplay between ops in one graph)."""
    if dtype == "uint8" and "TE_FLIP_SIGN" not in REGISTRY:
        pytest.skip("needs TE_FLIP_SIGN")
    for case in layout_cases(dtype):
        kind, inputs, outputs, options = case
        assert_matches_reference(build_single_op_model(kind, inputs, outputs, options), n_sets=1)
