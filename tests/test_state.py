"""State across calls through the generated API (the op tests use the caller-arena API in one
sequence): the static API starts from the initial state with no reset call (its state bytes are
initialised data) and <name>_reset() restarts it; on a caller's arena the state is exactly the
<NAME>_STATE_SIZE bytes at <NAME>_STATE_OFFSET: saving them, letting another model scribble over
the whole arena and restoring them continues the sequence."""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from tests.ops.test_lstm import lstm_model
from tests.support.host import REPO, SANITIZE, STRICT
from tests.support.optest import generate, state_size
from tests.support.oracle import model_io, random_inputs, run_reference_sequence

MAIN = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "m.h"

#define N 4
static unsigned char in[N][M_INPUT0_BYTES];
static unsigned char arena[M_ARENA_SIZE] __attribute__((aligned(16)));
static unsigned char saved[M_STATE_SIZE];

static void put(const void *p) { fwrite(p, 1, M_OUTPUT0_BYTES, stdout); }

int main(void)
{
    int k;
    if (fread(in, M_INPUT0_BYTES, N, stdin) != N) return 2;
    /* static API: no reset before the first call; then a reset and the same sequence */
    for (k = 0; k < 2 * N; ++k) {
        if (k == N) m_reset();
        memcpy(m_input(0), in[k % N], M_INPUT0_BYTES);
        if (m_invoke() != 0) return 3;
        put(m_output(0));
    }
    /* caller's arena: the state is its STATE_SIZE bytes at STATE_OFFSET and nothing else */
    memset(arena, 0xA5, sizeof arena);
    m_reset_with_arena(arena);
    for (k = 0; k < N; ++k) {
        memcpy(m_input_with_arena(arena, 0), in[k], M_INPUT0_BYTES);
        if (m_invoke_with_arena(arena) != 0) return 4;
        put(m_output_with_arena(arena, 0));
        memcpy(saved, arena + M_STATE_OFFSET, M_STATE_SIZE);
        memset(arena, k, sizeof arena); /* another model ran here */
        memcpy(arena + M_STATE_OFFSET, saved, M_STATE_SIZE);
    }
    return 0;
}
"""


def test_static_api_state_reset_and_save_restore(tmp_path: Path) -> None:
    # a non-zero hidden zero point: the static state starts from initialised (.data) bytes
    model = lstm_model(2, 3, 6, 5, seed=21, hidden_zp=-7, time_major=True)
    gen = generate(model, tmp_path, "m")
    assert state_size(gen, "m") == 16 + 32  # int8 [2, 5] and int16 [2, 5], 16-byte aligned
    (tmp_path / "main.c").write_text(MAIN)
    exe = tmp_path / "state"
    cmd = ["gcc", *STRICT, "-O1", *SANITIZE, f"-I{gen}", f"-I{REPO / 'include'}", str(tmp_path / "main.c"),
           str(gen / "m.c"), str(REPO / "src" / "te_lstm.c"), "-o", str(exe), "-lm"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
    rng = np.random.default_rng(5)
    sets = [random_inputs(model, rng) for _ in range(4)]
    res = subprocess.run([str(exe)], input=b"".join(s[0].tobytes() for s in sets), capture_output=True, timeout=60)
    assert res.returncode == 0, res.stderr.decode(errors="replace")[-2000:]
    _, outs = model_io(model)
    got = np.frombuffer(res.stdout, dtype=outs[0].dtype).reshape(12, *outs[0].shape)
    want = run_reference_sequence(model, sets, repeat_after_reset=True)
    for k in range(12):
        assert got[k].tobytes() == want[k % 8][0].tobytes(), f"call {k}"
