"""Resource variables (VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE, initialised by a CALL_ONCE
init subgraph) against LiteRT over a sequence of calls: the generated model keeps them in its state
region between invokes, starting from the init subgraph's constants (evaluated at generation time).

LiteRT's reset_all_variables() leaves resource variables as they are; <name>_reset() restores the
initial values, as a new interpreter has them (the oracle's repeat uses one)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import OpSpec, SubgraphSpec, TensorSpec, build_model
from tinyengine_gen import ops as _ops  # noqa: F401  (registers the lowerings)
from tinyengine_gen.errors import TinyEngineError
from tinyengine_gen.passes import run_passes
from tinyengine_gen.pipeline import lower
from tinyengine_gen.reader import read_model_bytes

Q = dict(scale=0.05, zero_point=3)


def accumulator_model(shape: tuple[int, ...] = (1, 8), *, init: np.ndarray | None = None, init_ops: str = "const",
                      dtype: str = "int8", assign_shape: tuple[int, ...] | None = None, name: str = "acc") -> bytes:
    """y = ADD(read(acc), x); acc = y; outputs y and the value read. The init subgraph assigns
    `init` to acc (init_ops "const"), assigns nothing ("none"), or computes it ("add")."""
    q = Q if dtype == "int8" else {}
    n = int(np.prod(shape))
    main = [TensorSpec((), "resource", name="h"), TensorSpec(shape, dtype, name="v", **q),
            TensorSpec(shape, dtype, name="x", **q), TensorSpec(shape, dtype, name="y", **q)]
    ops = [OpSpec("CALL_ONCE", [], [], {"init_subgraph_index": 1}),
           OpSpec("VAR_HANDLE", [], [0], {"container": "", "shared_name": name}),
           OpSpec("READ_VARIABLE", [0], [1]),
           OpSpec("ADD", [1, 2], [3], {"fused_activation_function": "NONE"}),
           OpSpec("ASSIGN_VARIABLE", [0, 3], [])]
    outputs = [3, 1]
    if assign_shape is not None:  # assign a tensor of another shape
        main.append(TensorSpec(assign_shape, dtype, name="other", data=np.zeros(assign_shape), **q))
        ops[-1] = OpSpec("ASSIGN_VARIABLE", [0, 4], [])
    value = init if init is not None else (np.arange(n) * 5 - 20).reshape(shape)
    init_tensors = [TensorSpec((), "resource", name="h0"), TensorSpec(shape, dtype, data=value, name="init", **q)]
    init_graph = [OpSpec("VAR_HANDLE", [], [0], {"container": "", "shared_name": name}),
                  OpSpec("ASSIGN_VARIABLE", [0, 1], [])]
    if init_ops == "none":
        init_graph = init_graph[:1]
    elif init_ops == "add":
        init_tensors.append(TensorSpec(shape, dtype, name="sum", **q))
        init_graph = [init_graph[0], OpSpec("ADD", [1, 1], [2], {"fused_activation_function": "NONE"}),
                      OpSpec("ASSIGN_VARIABLE", [0, 2], [])]
    return build_model(main, ops, [2], outputs, [SubgraphSpec(init_tensors, init_graph)])


def test_accumulator_sequence() -> None:
    """Six calls (the accumulator saturates), then the same six after a reset."""
    model = accumulator_model((2, 5))
    rng = np.random.default_rng(1)
    sets = [[rng.integers(-128, 128, size=(2, 5), dtype=np.int8)] for _ in range(6)]
    assert_matches_reference(model, input_sets=sets)


def test_two_handles_share_one_variable_and_read_is_a_copy() -> None:
    graph = run_passes(read_model_bytes(accumulator_model(), "m"))
    calls = lower(graph)
    assert [c.op.kind for c in calls] == ["READ_VARIABLE", "ADD", "ASSIGN_VARIABLE"]
    var = calls[0].inputs[0]
    assert var.is_variable and calls[2].outputs[0] is var and var.initial is not None
    assert calls[0].outputs[0] is not var  # the value read is its own buffer (output 1 after the assign)


@pytest.mark.parametrize("kw,message", [
    (dict(init_ops="none"), "no constant initial value"),
    (dict(init_ops="add"), "only constant variable assignments"),
    (dict(assign_shape=(1, 4)), "keep one shape"),
])
def test_unsupported_variable_uses_are_named(kw: dict, message: str) -> None:
    with pytest.raises(TinyEngineError, match=message):
        lower(run_passes(read_model_bytes(accumulator_model(**kw), "m")))
