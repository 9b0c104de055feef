"""TFLite_Detection_PostProcess (the SSD detectors' last op, a custom op in LiteRT's reference
resolver): box decoding and fast / regular NMS, float and legacy uint8 inputs, against LiteRT.

Output slots LiteRT never writes (past the fast NMS's detections, a detection's classes beyond
num_classes, the regular NMS's slots past max_detections) hold whatever its arena held (an
earlier call's values, or other bytes); tinyengine writes zeros there. Every slot LiteRT writes
must match byte for byte, the others must be zero. Scores sit on a coarse grid, so ties (which
the reference orders with std::stable_sort, std::partial_sort and std::inplace_merge) are common.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pytest
from flatbuffers import flexbuffers

from tests.support.host import run_host
from tests.support.optest import KERNEL_VARIANTS, build_model_exe, generate
from tests.support.oracle import model_io, run_reference
from tests.support.tflite_build import OpSpec, TensorSpec, build_model

CODE = "TFLite_Detection_PostProcess"


def dp_model(num_boxes: int, num_classes: int, background: bool, options: dict[str, Any], rng: np.random.Generator,
             boxes_dtype: str = "float32", scores_dtype: str = "float32", stride: int = 4,
             out_slots: Optional[int] = None, anchors: Optional[np.ndarray] = None) -> bytes:
    """One postprocess op; anchors are constants (centers in [0.1, 0.9], sizes in [0.05, 0.5])."""
    ncwb = num_classes + int(background)
    anchors = anchors if anchors is not None else np.stack([rng.uniform(0.1, 0.9, num_boxes), rng.uniform(0.1, 0.9, num_boxes),
                        rng.uniform(0.05, 0.5, num_boxes), rng.uniform(0.05, 0.5, num_boxes)], 1).astype(np.float32)
    q_box = dict(scale=0.05, zero_point=128) if boxes_dtype == "uint8" else {}
    q_anchor = dict(scale=1 / 256, zero_point=0) if boxes_dtype == "uint8" else {}
    q_score = dict(scale=1 / 256, zero_point=0) if scores_dtype == "uint8" else {}
    if boxes_dtype == "uint8":
        anchors = np.clip(np.round(anchors * 256), 1, 255).astype(np.uint8)
    slots = out_slots if out_slots is not None else options["max_detections"] * options["max_classes_per_detection"]
    t = [TensorSpec((1, num_boxes, stride), boxes_dtype, **q_box), TensorSpec((1, num_boxes, ncwb), scores_dtype, **q_score),
         TensorSpec((num_boxes, 4), boxes_dtype, data=anchors, **q_anchor),
         TensorSpec((1, slots, 4), "float32"), TensorSpec((1, slots), "float32"), TensorSpec((1, slots), "float32"),
         TensorSpec((1,), "float32")]
    op = OpSpec("CUSTOM", [0, 1, 2], [3, 4, 5, 6], custom_code=CODE, custom_options=bytes(flexbuffers.Dumps(options)))
    return build_model(t, [op], [0, 1], [3, 4, 5, 6])


def options(max_det: int, max_cls: int, num_classes: int, regular: bool = False, per_class: int = 100,
            score: float = 0.3, iou: float = 0.5) -> dict[str, Any]:
    return dict(max_detections=max_det, max_classes_per_detection=max_cls, detections_per_class=per_class,
                use_regular_nms=regular, nms_score_threshold=score, nms_iou_threshold=iou, num_classes=num_classes,
                y_scale=10.0, x_scale=10.0, h_scale=5.0, w_scale=5.0)


def input_sets(model: bytes, rng: np.random.Generator, n: int, grid: int = 16) -> list[list[np.ndarray]]:
    (boxes, scores), _ = model_io(model)
    sets = []
    for k in range(n):
        if boxes.dtype == np.uint8:
            b = rng.integers(0, 256, boxes.shape).astype(np.uint8)
        else:
            b = (rng.standard_normal(boxes.shape) * (1 + k)).astype(np.float32)
        if scores.dtype == np.uint8:
            s = (rng.integers(0, 256 // grid, scores.shape) * grid).astype(np.uint8)
        else:
            s = (rng.integers(0, grid + 1, scores.shape) / grid).astype(np.float32)
        sets.append([b, s])
    return sets


def written_slots(opts: dict[str, Any], count: int, slots: int) -> np.ndarray:
    """Which output slots LiteRT writes, given the detection count it returned."""
    mask = np.zeros(slots, bool)
    max_cls, k = opts["max_classes_per_detection"], min(opts["max_classes_per_detection"], opts["num_classes"])
    if opts["use_regular_nms"]:
        mask[:opts["max_detections"]] = True
    else:
        for s in range(count):
            mask[s * max_cls:s * max_cls + k] = True
    return mask


def check(model: bytes, opts: dict[str, Any], sets: list[list[np.ndarray]]) -> list[int]:
    """Every slot LiteRT writes equals its bytes, every other slot is zero, for each set (a new
    LiteRT interpreter per set, one generated process for all); returns LiteRT's counts."""
    work = Path(tempfile.mkdtemp(prefix="dp-"))
    gen = generate(model, work, "m")
    _, outs = model_io(model)
    wants = [run_reference(model, s) for s in sets]
    counts = [int(w[3][0]) for w in wants]
    for variant, flags in KERNEL_VARIANTS.items():
        exe = build_model_exe(gen, "m", extra=flags, exe_name=f"m_{variant}")
        got = run_host(exe, sets, [(o.shape, o.dtype) for o in outs])
        for k, (want, g) in enumerate(zip(wants, got)):
            mask = written_slots(opts, counts[k], outs[1].shape[1])
            for j, (w, x) in enumerate(zip(want, g)):
                if j < 3:
                    per_slot = (4 if j == 0 else 1)
                    m = np.repeat(mask, per_slot)
                    w = np.where(m, w.reshape(-1), 0).astype(np.float32)
                    x = x.reshape(-1)
                assert w.tobytes() == x.tobytes(), (f"{variant}, set {k}, output {j}:\nreference {w.reshape(-1)[:40]}\n"
                                                    f"generated {x.reshape(-1)[:40]}")
    return counts


CASES = {
    # SSD's usual settings: one class per detection, a background class
    "fast_1class": dict(num_boxes=64, num_classes=5, background=True, options=options(10, 1, 5)),
    # an anchor's top 3 classes (std::partial_sort), no background, a stride of 6 values per box
    "fast_3classes": dict(num_boxes=48, num_classes=6, background=False, options=options(6, 3, 6, score=0.5),
                          stride=6),
    # more classes per detection than classes: the extra slots stay zero
    "fast_more_slots": dict(num_boxes=20, num_classes=2, background=True, options=options(4, 3, 2)),
    "regular": dict(num_boxes=64, num_classes=4, background=True, options=options(8, 1, 4, regular=True, per_class=3)),
    "regular_2slots": dict(num_boxes=40, num_classes=3, background=False,
                           options=options(5, 2, 3, regular=True, per_class=100, iou=0.3)),
    "uint8_fast": dict(num_boxes=64, num_classes=5, background=True, options=options(10, 1, 5),
                       boxes_dtype="uint8", scores_dtype="uint8"),
    "uint8_regular": dict(num_boxes=64, num_classes=3, background=True,
                          options=options(10, 1, 3, regular=True, per_class=4), boxes_dtype="uint8",
                          scores_dtype="uint8"),
    "float_boxes_uint8_scores": dict(num_boxes=32, num_classes=4, background=True, options=options(5, 2, 4),
                                     scores_dtype="uint8"),
}


DEFAULT = {"fast_3classes", "regular", "uint8_fast", "float_boxes_uint8_scores"}  # the rest: -m slow


@pytest.mark.parametrize("case", [pytest.param(c, marks=[] if c in DEFAULT else [pytest.mark.slow])
                                  for c in sorted(CASES)])
def test_detection_postprocess(case: str) -> None:
    rng = np.random.default_rng(sorted(CASES).index(case))
    model = dp_model(rng=rng, **CASES[case])
    counts = check(model, CASES[case]["options"], input_sets(model, rng, 4))
    assert any(c > 0 for c in counts), "no detections: the case tests nothing"


@pytest.mark.slow
def test_ssd_sized_uint8() -> None:
    """ssd_mobilenet_v1's shape: 1917 anchors, 90 classes and a background, uint8 inputs."""
    rng = np.random.default_rng(11)
    opts = options(10, 1, 90, score=0.5, iou=0.6)
    model = dp_model(1917, 90, True, opts, rng, boxes_dtype="uint8", scores_dtype="uint8")
    counts = check(model, opts, input_sets(model, rng, 3, grid=8))
    assert max(counts) == 10


def test_after_dequantize_in_a_graph() -> None:
    """An int8 detector's tail: int8 box encodings and logits -> DEQUANTIZE -> postprocess (float)."""
    rng = np.random.default_rng(5)
    nb, nc = 24, 3
    anchors = np.stack([rng.uniform(0.1, 0.9, nb), rng.uniform(0.1, 0.9, nb), rng.uniform(0.05, 0.5, nb),
                        rng.uniform(0.05, 0.5, nb)], 1).astype(np.float32)
    opts = options(5, 1, nc, regular=True, per_class=2)
    t = [TensorSpec((1, nb, 4), "int8", scale=0.04, zero_point=-3), TensorSpec((1, nb, nc + 1), "int8", scale=1 / 64,
                                                                               zero_point=-128),
         TensorSpec((1, nb, 4), "float32"), TensorSpec((1, nb, nc + 1), "float32"),
         TensorSpec((nb, 4), "float32", data=anchors),
         TensorSpec((1, 5, 4), "float32"), TensorSpec((1, 5), "float32"), TensorSpec((1, 5), "float32"),
         TensorSpec((1,), "float32")]
    ops = [OpSpec("DEQUANTIZE", [0], [2]), OpSpec("DEQUANTIZE", [1], [3]),
           OpSpec("CUSTOM", [2, 3, 4], [5, 6, 7, 8], custom_code=CODE, custom_options=bytes(flexbuffers.Dumps(opts)))]
    model = build_model(t, ops, [0, 1], [5, 6, 7, 8])
    sets = [[rng.integers(-128, 128, (1, nb, 4)).astype(np.int8), rng.integers(-128, 128, (1, nb, nc + 1)).astype(np.int8)]
            for _ in range(3)]
    assert max(check(model, opts, sets)) > 0


def test_invalid_box_fails_as_the_reference_does(tmp_path: Path) -> None:
    """A negative anchor height decodes to ymin > ymax: LiteRT's invoke fails, the generated invoke
    returns non-zero (the harness reports it)."""
    rng = np.random.default_rng(2)
    opts = options(3, 1, 2)
    anchors = np.array([[0.5, 0.5, 0.2, 0.2], [0.5, 0.5, -0.2, 0.2]], np.float32)
    model = dp_model(2, 2, True, opts, rng, anchors=anchors)
    sets = input_sets(model, rng, 1)
    with pytest.raises(RuntimeError):
        run_reference(model, sets[0])
    exe = build_model_exe(generate(model, tmp_path, "m"), "m")
    _, outs = model_io(model)
    with pytest.raises(AssertionError, match="invoke failed with 1"):
        run_host(exe, sets, [(o.shape, o.dtype) for o in outs])


@pytest.mark.parametrize("change, message", [
    (dict(nms_iou_threshold=0.0), "nms_iou_threshold 0.0 is not in"),
    (dict(num_classes=7), "num_classes 7 does not fit"),
    (dict(max_classes_per_detection=0), "max_classes_per_detection 0 must be positive"),
    (dict(use_regular_nms=True, detections_per_class=0), "regular NMS needs detections_per_class"),
])
def test_bad_options_are_one_clear_error(change: dict[str, Any], message: str, tmp_path: Path) -> None:
    from tinyengine_gen.ops.base import LoweringError
    from tinyengine_gen.pipeline import compile_model

    opts = {**options(3, 1, 2), **change}
    model = dp_model(4, 2, True, opts, np.random.default_rng(0), out_slots=3)
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    with pytest.raises(LoweringError, match=message):
        compile_model(path)
