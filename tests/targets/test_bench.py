"""`tinyengine-gen bench` on a small subset (hello_world + the bundled KWS model on M4).

Checks that it runs end to end, writes CSV/JSON with the documented columns,
gives identical instruction counts on two independent runs (fresh work dirs),
computes the ratios against a tiny fake baselines CSV (TFLM cmsis_nn row,
TinyEngine layer-int and patch-int rows; ref rows and other cores ignored),
skips the models named by --skip and unreadable ones with a note, and that the
per-op profile (bench --profile and `run --profile`) adds up to the measured
inference.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from tests.support import shared_models_dir
from tests.support.host import REPO
from tinyengine_gen import bench, cli, targets

_ok, _why = targets.toolchain_status(need_qemu=True)
pytestmark = [pytest.mark.emulated, pytest.mark.skipif(not _ok, reason=f"emulated targets unavailable: {_why}")]

SHARED = shared_models_dir()
KWS = REPO / "examples" / "models" / "kws_ref_model.tflite"
HELLO = SHARED / "tflite-micro" / "hello_world_int8.tflite"
HELLO_REL = "tflite-micro/hello_world_int8.tflite"

# KWS is found by file name (mlcommons-tiny/kws_ref_model.tflite); hello_world by relative path.
FAKE_BASELINES = """model,engine,mode,cpu,instructions,arena_bytes,text_bytes,exact_vs_litert_ref,notes
mlcommons-tiny/kws_ref_model.tflite,tflm,cmsis_nn,m4,10000000,20000,100000,yes,fake
mlcommons-tiny/kws_ref_model.tflite,tflm,ref,m4,1,1,1,yes,fake: must be ignored
mlcommons-tiny/kws_ref_model.tflite,tflm,cmsis_nn,m7,1,1,1,yes,fake: other core
tflite-micro/hello_world_int8.tflite,tflm,cmsis_nn,m4,8000,64,50000,yes,fake
tflite-micro/hello_world_int8.tflite,tinyengine,layer-fpreq,m4,1,1,1,no,fake: must be ignored
tflite-micro/hello_world_int8.tflite,tinyengine,layer-int,m4,6000,40,20000,no,fake
tflite-micro/hello_world_int8.tflite,tinyengine,patch-int-2x2-s5,m4,7000,16,21000,no,fake
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("bench")
    models = root / "models"
    (models / "tflite-micro").mkdir(parents=True)
    shutil.copy(KWS, models / "kws_ref_model.tflite")
    have_hello = HELLO.is_file()
    if have_hello:
        shutil.copy(HELLO, models / HELLO_REL)
    # skipped (--skip skipped_model) and unreadable: rows with a note, no build
    (models / "tflite-micro" / "skipped_model.tflite").write_bytes(b"not used")
    (models / "broken.tflite").write_bytes(b"this is not a flatbuffer")
    baselines = root / "baselines.csv"
    baselines.write_text(FAKE_BASELINES)
    out = root / "out"
    buf = io.StringIO()
    with redirect_stdout(buf):
        rc = cli.main(["bench", "--models", str(models), "--cores", "m4", "--baselines", str(baselines),
                       "--out", str(out), "--workdir", str(root / "work1"), "--skip", "skipped_model", "-q"])
    return dict(root=root, models=models, baselines=baselines, out=out, rc=rc, stdout=buf.getvalue(),
                have_hello=have_hello)


def _rows(setup: dict) -> dict[str, dict]:
    data = json.loads((setup["out"] / "bench.json").read_text())
    return {r["model"]: r for r in data["rows"]}


def test_bench_runs_and_prints_table(setup: dict) -> None:
    assert setup["rc"] == 0, setup["stdout"]
    text = setup["stdout"]
    assert "kws_ref_model.tflite" in text and "MAC/instr" in text and "xTFLM instr" in text
    assert "bench.csv" in text and "bench.json" in text


def test_csv_and_json_have_the_columns(setup: dict) -> None:
    with open(setup["out"] / "bench.csv", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == bench.COLUMNS
        csv_rows = list(reader)
    data = json.loads((setup["out"] / "bench.json").read_text())
    assert data["columns"] == bench.COLUMNS
    assert set(data["meta"]) >= {"generator", "gcc", "qemu", "opt", "cores"}
    assert data["meta"]["opt"] == "-O3" and data["meta"]["cores"] == {"m4": "mps2-an386"}
    assert [(r["model"], r["core"]) for r in csv_rows] == [(r["model"], r["core"]) for r in data["rows"]]
    for c, j in zip(csv_rows, data["rows"]):
        assert set(j) >= set(bench.COLUMNS)
        for k in ("instructions", "arena_bytes", "stack_bytes", "flash_bytes", "macs"):
            assert c[k] == ("" if j[k] is None else str(j[k]))
    expect = {"kws_ref_model.tflite", "broken.tflite", "tflite-micro/skipped_model.tflite"}
    if setup["have_hello"]:
        expect.add(HELLO_REL)
    assert {r["model"] for r in data["rows"]} == expect


def test_measured_rows(setup: dict) -> None:
    rows = _rows(setup)
    kws = rows["kws_ref_model.tflite"]
    assert kws["status"] == "ok" and kws["core"] == "m4"
    assert kws["kernel_calls"] == 12 and kws["macs"] > 2_600_000
    assert kws["instructions"] > kws["macs"] // 4
    assert kws["macs_per_instruction"] == round(kws["macs"] / kws["instructions"], 4)
    assert 0 < kws["stack_bytes"] < 4096 and kws["arena_bytes"] > 0
    assert kws["flash_bytes"] == kws["model_flash_bytes"] + kws["kernel_flash_bytes"]
    assert kws["model_flash_bytes"] > 20_000  # weights
    assert kws["firmware_flash_bytes"] > kws["flash_bytes"]
    # generation times (CPU seconds): as benchmarked, and with --patch
    assert 0 < kws["gen_seconds"] < 60 and 0 < kws["patch_gen_seconds"] < 60
    assert "patch gen s" in setup["stdout"]


def test_skipped_models_have_a_note(setup: dict) -> None:
    rows = _rows(setup)
    skipped = rows["tflite-micro/skipped_model.tflite"]
    assert skipped["status"] == "skipped" and "skip" in skipped["note"] and skipped["instructions"] is None
    broken = rows["broken.tflite"]
    assert broken["status"] == "skipped" and broken["note"].startswith("generator:")


def test_ratios_against_fake_baselines(setup: dict) -> None:
    rows = _rows(setup)
    kws = rows["kws_ref_model.tflite"]
    assert kws["baseline_model"] == "mlcommons-tiny/kws_ref_model.tflite"
    assert kws["tflm_instructions"] == 10_000_000
    assert kws["vs_tflm_instructions"] == round(kws["instructions"] / 10_000_000, 4)
    assert kws["vs_tflm_arena"] == round(kws["arena_bytes"] / 20_000, 4)
    assert 0 < kws["min_arena_bytes"] <= kws["arena_bytes"]
    assert kws["vs_tflm_min_arena"] == round(kws["min_arena_bytes"] / 20_000, 4)
    assert kws["vs_tflm_flash"] == round(kws["flash_bytes"] / 100_000, 4)
    assert kws["te_mode"] is None and kws["vs_te_instructions"] is None and kws["vs_te_patch_arena"] is None
    if not setup["have_hello"]:
        pytest.skip("hello_world_int8.tflite not in the shared models")
    h = rows[HELLO_REL]
    assert h["status"] == "ok"
    assert h["vs_tflm_instructions"] == round(h["instructions"] / 8000, 4)
    assert h["te_mode"] == "layer-int" and h["te_instructions"] == 6000
    assert h["vs_te_instructions"] == round(h["instructions"] / 6000, 4)
    assert h["vs_te_arena"] == round(h["arena_bytes"] / 40, 4)
    assert h["vs_te_flash"] == round(h["flash_bytes"] / 20000, 4)
    assert h["te_patch_mode"] == "patch-int-2x2-s5" and h["vs_te_patch_arena"] == round(h["min_arena_bytes"] / 16, 4)
    assert h["min_arena_bytes"] == h["arena_bytes"] and h["min_arena_options"] == ""  # no stage helps an MLP


def test_second_run_is_identical_and_profile_adds_up(setup: dict) -> None:
    """Fresh work dir, API call, with --profile: same numbers, per-op counts sum to the inference."""
    first = _rows(setup)
    res = bench.run_bench(setup["models"], ["m4"], baselines=setup["baselines"], workdir=setup["root"] / "work2",
                          out_dir=setup["root"] / "out2", skip=["skipped_model"], profile=True)
    second = {r.model: r.public() for r in res["rows"]}
    for model, r in first.items():
        if r["status"] != "ok":
            continue
        s = second[model]
        for k in ("instructions", "arena_bytes", "stack_bytes", "flash_bytes", "macs", "vs_tflm_instructions"):
            assert s[k] == r[k], (model, k)
        ops = s["op_profile"]
        assert len(ops) == s["kernel_calls"] and all(o["instructions"] is not None for o in ops)
        total = sum(o["instructions"] for o in ops) + s["profile_tail"]
        assert total == s["profile_instructions"]
        # hooks excluded: the profiled inference costs what the plain one does, to a few
        # instructions per op (register allocation around the hook calls)
        assert abs(s["profile_instructions"] - s["instructions"]) <= 2 * len(ops) + 4, model
    kws_ops = second["kws_ref_model.tflite"]["op_profile"]
    assert [o["kind"] for o in kws_ops][:3] == ["CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D"]
    assert all(o["instructions"] > o["macs"] // 4 for o in kws_ops if o["macs"] > 10_000)
    text = bench.format_profiles(res["rows"], top=3)
    heaviest = max(kws_ops, key=lambda o: o["instructions"])  # which op that is depends on the kernels
    assert heaviest["kind"] in text and "per-op total" in text


def test_run_profile_flag(tmp_path: Path) -> None:
    model = HELLO if HELLO.is_file() else KWS
    buf = io.StringIO()
    with redirect_stdout(buf):
        rc = cli.main(["run", str(model), "--core", "m4", "--profile", "--workdir", str(tmp_path)])
    out = buf.getvalue()
    assert rc == 0, out
    assert "instructions per inference" in out and "FULLY_CONNECTED" in out and "MACs/instr" in out
    assert "per-op total" in out
