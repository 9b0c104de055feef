"""IF and WHILE: subgraphs generated as code, bytes equal to LiteRT's reference (which runs the
subgraphs with its reference kernels)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.host import run_host
from tests.support.optest import assert_matches_reference, build_model_exe, generate
from tests.support.oracle import model_io
from tests.support.tflite_build import OpSpec, SubgraphSpec, TensorSpec, build_model

Q = dict(scale=0.05, zero_point=-2)


def q8(shape: tuple[int, ...], **kw) -> TensorSpec:
    return TensorSpec(shape, "int8", **{**Q, **kw})


def if_model(nested: bool = False) -> bytes:
    """out = cond ? x + y : x * y (int8); with nested, the else branch is itself an IF on a second
    condition choosing x * y or x - y."""
    s = (2, 5)
    then = SubgraphSpec([q8(s), q8(s), q8(s)], [OpSpec("ADD", [0, 1], [2], {"fused_activation_function": "NONE"})],
                        [0, 1], [2], name="then")
    mul = SubgraphSpec([q8(s), q8(s), q8(s, scale=0.1)], [OpSpec("MUL", [0, 1], [2], {"fused_activation_function": "NONE"})],
                       [0, 1], [2], name="mul")
    if not nested:
        # then: subgraph 1, else: subgraph 2 (MUL)
        mul.tensors[2] = q8(s)
        t = [TensorSpec((1,), "bool"), q8(s), q8(s), q8(s)]
        ops = [OpSpec("IF", [0, 1, 2], [3], {"then_subgraph_index": 1, "else_subgraph_index": 2})]
        return build_model(t, ops, [0, 1, 2], [3], subgraphs=[then, mul])
    mul.tensors[2] = q8(s)
    sub = SubgraphSpec([q8(s), q8(s), q8(s)], [OpSpec("SUB", [0, 1], [2], {"fused_activation_function": "NONE"})],
                       [0, 1], [2], name="sub")
    # else (subgraph 2): IF(c2, x, y) with then = MUL (3), else = SUB (4); c2 is passed as an input
    inner = SubgraphSpec([TensorSpec((1,), "bool"), q8(s), q8(s), q8(s)],
                         [OpSpec("IF", [0, 1, 2], [3], {"then_subgraph_index": 3, "else_subgraph_index": 4})],
                         [0, 1, 2], [3], name="inner_if")
    then3 = SubgraphSpec([TensorSpec((1,), "bool"), q8(s), q8(s), q8(s)],
                         [OpSpec("ADD", [1, 2], [3], {"fused_activation_function": "NONE"})], [0, 1, 2], [3], name="then3")
    t = [TensorSpec((1,), "bool"), TensorSpec((1,), "bool"), q8(s), q8(s), q8(s)]
    ops = [OpSpec("IF", [0, 1, 2, 3], [4], {"then_subgraph_index": 1, "else_subgraph_index": 2})]
    return build_model(t, ops, [0, 1, 2, 3], [4], subgraphs=[then3, inner, mul, sub])


def test_if_int8() -> None:
    model = if_model()
    rng = np.random.default_rng(0)
    sets = [[np.array([c]), rng.integers(-128, 128, (2, 5), dtype=np.int8), rng.integers(-128, 128, (2, 5), dtype=np.int8)]
            for c in (True, False, False, True)]
    assert_matches_reference(model, input_sets=sets)


def test_if_nested() -> None:
    model = if_model(nested=True)
    rng = np.random.default_rng(1)
    sets = [[np.array([a]), np.array([b]), rng.integers(-128, 128, (2, 5), dtype=np.int8),
             rng.integers(-128, 128, (2, 5), dtype=np.int8)] for a, b in ((True, False), (False, True), (False, False))]
    assert_matches_reference(model, input_sets=sets)


def while_model(trips: int | None = None) -> bytes:
    """i, acc, x, n -> while i < n: i += 1, acc = acc * 0.5 + x (float); returns all four. With
    trips, i = 0 and n = trips are constants and acc, x the only inputs."""
    s = (3,)
    f = "float32"
    cond = SubgraphSpec([TensorSpec((1,), "int32"), TensorSpec(s, f), TensorSpec(s, f), TensorSpec((1,), "int32"),
                         TensorSpec((1,), "bool")], [OpSpec("LESS", [0, 3], [4])], [0, 1, 2, 3], [4], name="cond")
    body = SubgraphSpec([TensorSpec((1,), "int32"), TensorSpec(s, f), TensorSpec(s, f), TensorSpec((1,), "int32"),
                         TensorSpec((1,), "int32", data=np.array([1], np.int32)), TensorSpec((1,), "int32"),
                         TensorSpec((1,), f, data=np.array([0.5], np.float32)), TensorSpec(s, f), TensorSpec(s, f)],
                        [OpSpec("ADD", [0, 4], [5], {"fused_activation_function": "NONE"}),
                         OpSpec("MUL", [1, 6], [7], {"fused_activation_function": "NONE"}),
                         OpSpec("ADD", [7, 2], [8], {"fused_activation_function": "NONE"})],
                        [0, 1, 2, 3], [5, 8, 2, 3], name="body")
    t = [TensorSpec((1,), "int32"), TensorSpec(s, f), TensorSpec(s, f), TensorSpec((1,), "int32"),
         TensorSpec((1,), "int32"), TensorSpec(s, f), TensorSpec(s, f), TensorSpec((1,), "int32")]
    inputs = [0, 1, 2, 3]
    if trips is not None:
        t[0] = TensorSpec((1,), "int32", data=np.array([0], np.int32))
        t[3] = TensorSpec((1,), "int32", data=np.array([trips], np.int32))
        inputs = [1, 2]
    ops = [OpSpec("WHILE", [0, 1, 2, 3], [4, 5, 6, 7], {"cond_subgraph_index": 1, "body_subgraph_index": 2})]
    return build_model(t, ops, inputs, [4, 5, 6, 7], subgraphs=[cond, body])


def while_sets(rng: np.random.Generator, trips: list[int]) -> list[list[np.ndarray]]:
    return [[np.array([0], np.int32), rng.uniform(-1, 1, 3).astype(np.float32), rng.uniform(-1, 1, 3).astype(np.float32),
             np.array([n], np.int32)] for n in trips]


def test_while_data_dependent_trip_count() -> None:
    model = while_model()
    assert_matches_reference(model, input_sets=while_sets(np.random.default_rng(2), [0, 1, 7, 30]))


def test_while_bound_stops_the_loop(tmp_path: Path) -> None:
    """A trip count past TE_WHILE_MAX_ITERATIONS: the invoke returns non-zero instead of looping on."""
    model = while_model()
    gen = generate(model, tmp_path, "m")
    exe = build_model_exe(gen, "m", extra=("-DTE_WHILE_MAX_ITERATIONS=10",))
    _, outs = model_io(model)
    rng = np.random.default_rng(3)
    run_host(exe, while_sets(rng, [10]), [(o.shape, o.dtype) for o in outs])
    with pytest.raises(AssertionError, match="invoke failed"):
        run_host(exe, while_sets(rng, [11]), [(o.shape, o.dtype) for o in outs])


def test_recursive_subgraph_is_refused(tmp_path: Path) -> None:
    """A WHILE whose body runs the same WHILE again: LiteRT would recurse; one clear error here."""
    from tinyengine_gen.errors import TinyEngineError
    from tinyengine_gen.pipeline import compile_model

    s = (1,)
    i32 = "int32"
    cond = SubgraphSpec([TensorSpec(s, i32), TensorSpec(s, "bool")], [OpSpec("CAST", [0], [1])], [0], [1], name="cond")
    body = SubgraphSpec([TensorSpec(s, i32), TensorSpec(s, i32)],
                        [OpSpec("WHILE", [0], [1], {"cond_subgraph_index": 1, "body_subgraph_index": 2})], [0], [1],
                        name="body")
    model = build_model([TensorSpec(s, i32), TensorSpec(s, i32)],
                        [OpSpec("WHILE", [0], [1], {"cond_subgraph_index": 1, "body_subgraph_index": 2})], [0], [1],
                        subgraphs=[cond, body])
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    with pytest.raises(TinyEngineError, match="recursively"):
        compile_model(path)


def test_if_branches_with_views_constants_and_unused_inputs() -> None:
    """then: (RESHAPE(x) viewed back, a constant); else: (y ADD y, x passed through). Each branch
    leaves one input unused; outputs are a view, a constant and a pass-through."""
    s = (2, 3)
    f = "float32"
    const = np.arange(6, dtype=np.float32).reshape(s) - 2.5
    then = SubgraphSpec([TensorSpec(s, f), TensorSpec(s, f), TensorSpec((6,), f), TensorSpec(s, f),
                         TensorSpec(s, f, data=const), TensorSpec((2,), "int32", data=np.array([6], np.int32)[:1].repeat(1)),
                         TensorSpec((2,), "int32", data=np.array([2, 3], np.int32))],
                        [OpSpec("RESHAPE", [0, 5], [2]), OpSpec("RESHAPE", [2, 6], [3])], [0, 1], [3, 4], name="then")
    then.tensors[5] = TensorSpec((1,), "int32", data=np.array([6], np.int32))
    other = SubgraphSpec([TensorSpec(s, f), TensorSpec(s, f), TensorSpec(s, f)],
                         [OpSpec("ADD", [1, 1], [2], {"fused_activation_function": "NONE"})], [0, 1], [2, 0], name="else")
    t = [TensorSpec((1,), "bool"), TensorSpec(s, f), TensorSpec(s, f), TensorSpec(s, f), TensorSpec(s, f)]
    model = build_model(t, [OpSpec("IF", [0, 1, 2], [3, 4], {"then_subgraph_index": 1, "else_subgraph_index": 2})],
                        [0, 1, 2], [3, 4], subgraphs=[then, other])
    rng = np.random.default_rng(6)
    sets = [[np.array([c]), rng.uniform(-2, 2, s).astype(np.float32), rng.uniform(-2, 2, s).astype(np.float32)]
            for c in (True, False, True)]
    assert_matches_reference(model, input_sets=sets)
