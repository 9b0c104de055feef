"""The integer LSTM's optional parts (layer normalization, projection, CIFG, peephole: int8
activations with an int16 cell state kept between invokes) and int8 ELU on emulated Cortex-M4
(DSP build: phase A in hand-written assembly, the table activations, the SMLAD projection) and
Cortex-M55, against LiteRT over a sequence of calls and again after <name>_reset().

LiteRT runs no int16 (16x8) LSTM or SVDF (their Prepare refuses non-int8 integer inputs), so
there are none here; the int8 SVDF's int16 state is test_svdf_on_cores.py's. ELU is not in the
reference resolver: its builtin int8 kernel is the oracle.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from tests.ops.test_lstm import lstm_model
from tests.support.oracle import random_inputs
from tests.support.tflite_build import TensorSpec, build_single_op_model
from tests.targets.test_float_on_cores import run_on_core
from tests.targets.test_ops_on_cores import CORES, cache, check_on_core  # noqa: F401  (fixture)
from tinyengine_gen import targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]

LSTM: dict[str, Callable[[], bytes]] = {
    # the KWS form: layer norm and a projection to fewer outputs, clipped; 13 cells (a 4-column tail)
    "ln_proj": lambda: lstm_model(2, 4, 10, 13, seed=41, layer_norm=True, projection=True, n_output=6,
                                  proj_clip=0.25),
    # CIFG, peephole and layer norm, time-major, the generic requantization
    "cifg_peep_ln": lambda: lstm_model(2, 3, 9, 8, seed=42, cifg=True, peephole=True, layer_norm=True,
                                       time_major=True, gate_gain=3.0),
    # every part, the peephole weights spread over a projected time-major step
    "all": lambda: lstm_model(3, 3, 7, 10, seed=43, cifg=True, peephole=True, layer_norm=True, projection=True,
                              n_output=4, time_major=True),
}


def lstm_cases() -> list:
    return [pytest.param(build, core, id=f"{name}-{core}",
                         marks=[] if (name, core) == ("ln_proj", "m4") else [pytest.mark.slow])
            for name, build in LSTM.items() for core in CORES]


@pytest.mark.parametrize("build,core", lstm_cases())
def test_lstm_variants_on_core(build: Callable[[], bytes], core: str, tmp_path: Path, cache: Path) -> None:  # noqa: F811
    model = build()
    rng = np.random.default_rng(7)
    sets = [random_inputs(model, rng) for _ in range(4)]
    sets.append([np.full(s.shape, 127, s.dtype) for s in sets[0]])
    check_on_core(model, core, tmp_path, cache, input_sets=sets)


@pytest.mark.slow
@pytest.mark.parametrize("core", CORES)
def test_elu_s8_on_core(core: str, tmp_path: Path, cache: Path) -> None:  # noqa: F811
    shape = (1, 16, 16)
    model = build_single_op_model("ELU", [TensorSpec(shape, "int8", scale=0.05, zero_point=3)],
                                  [TensorSpec(shape, "int8", scale=0.03, zero_point=-20)])
    oracle = Interpreter(model_content=model, num_threads=1,
                         experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    oracle.allocate_tensors()
    every_byte = (np.arange(256) - 128).astype(np.int8).reshape(shape)
    run_on_core(model, core, tmp_path, cache, [[every_byte]], oracle=oracle)
