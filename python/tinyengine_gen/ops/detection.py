"""TFLite_Detection_PostProcess (src/te_detection.c): the SSD detectors' box decoding and
non-maximum suppression, a custom op that LiteRT registers in its reference resolver
(tflite/kernels/detection_postprocess.cc).

The op's settings come from its flexbuffer custom options, read as LiteRT's Init reads them
(a missing key reads as 0 / false; detections_per_class defaults to 100). LiteRT's Prepare and
Eval checks that do not depend on the data are made here, at generation time; the one that does
(a decoded box with ymin > ymax or xmin > xmax) makes the generated invoke return non-zero, as
LiteRT's invoke fails.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flatbuffers import flexbuffers

from ..ir import Graph, Op, Tensor
from .base import KernelCall, register, require, require_quant
from .quantize import c_float

KIND = "CUSTOM:TFLite_Detection_PostProcess"
HEADER = "tinyengine/te_detection.h"
NUM_DETECTIONS_PER_CLASS = 100  # kNumDetectionsPerClass: detections_per_class when the key is missing


def scratch_bytes(num_boxes: int, ncwb: int, num_classes: int, k: int, max_det: int, per_class: int,
                  scores_quantized: bool) -> int:
    """te_detection_postprocess_scratch_bytes (te_detection.h)."""
    return (16 * num_boxes + (4 * 256 if scores_quantized else 0) + 4 * ncwb + 20 * num_boxes
            + (num_boxes + 3) // 4 * 4 + 4 * max(max_det, per_class) + 4 * num_boxes * k + 4 * num_classes
            + 16 * (max_det + per_class))


def _options(op: Op) -> dict[str, Any]:
    raw = op.context.custom_options
    require(isinstance(raw, (bytes, bytearray)) and len(raw) > 0, op, "no custom options (flexbuffer map) given")
    assert isinstance(raw, (bytes, bytearray))
    try:
        values = flexbuffers.Loads(bytes(raw))
    except Exception:  # noqa: BLE001 - any malformed flexbuffer is one clear error
        values = None
    require(isinstance(values, dict), op, "custom options are not a flexbuffer map")
    assert isinstance(values, dict)
    return values


def _int(values: dict[str, Any], key: str, op: Op, default: int = 0) -> int:
    v = values.get(key)
    if v is None:
        return default
    require(isinstance(v, (int, float, bool)) and np.isfinite(float(v)), op, f"option {key} is not a number")
    return int(v)


def _float(values: dict[str, Any], key: str, op: Op) -> float:
    v = values.get(key)
    if v is None:
        return 0.0
    require(isinstance(v, (int, float, bool)), op, f"option {key} is not a number")
    return float(np.float32(float(v)))


def _legacy(op: Op, position: int) -> bool:
    return op.context.legacy_uint8 and position in op.context.uint8_inputs


@register(KIND, dtypes=("float32", "uint8"),
          note="SSD box decoding and NMS (fast and regular), float outputs; uint8 box and score inputs")
def lower_detection_postprocess(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) == 3 and all(t is not None for t in op.inputs) and len(op.outputs) == 4, op,
            "needs 3 inputs (box encodings, class predictions, anchors) and 4 outputs")
    boxes, scores, anchors = op.inputs[0], op.inputs[1], op.inputs[2]
    assert boxes is not None and scores is not None and anchors is not None
    values = _options(op)
    max_det = _int(values, "max_detections", op)
    max_cls = _int(values, "max_classes_per_detection", op)
    per_class_opt = _int(values, "detections_per_class", op, NUM_DETECTIONS_PER_CLASS)
    regular = bool(values.get("use_regular_nms", False))
    num_classes = _int(values, "num_classes", op)
    score_threshold = _float(values, "nms_score_threshold", op)
    iou_threshold = _float(values, "nms_iou_threshold", op)
    scale = {k: _float(values, f"{k}_scale", op) for k in ("y", "x", "h", "w")}

    require(len(boxes.shape) == 3 and len(scores.shape) == 3 and len(anchors.shape) == 2, op,
            f"box encodings {boxes.shape} and class predictions {scores.shape} must be rank 3, anchors "
            f"{anchors.shape} rank 2")
    num_boxes, stride, ncwb = int(boxes.shape[1]), int(boxes.shape[2]), int(scores.shape[2])
    require(boxes.shape[0] == 1 and scores.shape[0] == 1, op, "batch size must be 1")
    require(stride >= 4, op, f"box encodings need at least 4 values per box, got {stride}")
    require(int(scores.shape[1]) == num_boxes, op,
            f"class predictions cover {scores.shape[1]} boxes, box encodings {num_boxes}")
    require(tuple(anchors.shape) == (num_boxes, 4), op, f"anchors must be [{num_boxes}, 4], got {anchors.shape}")
    require(num_classes >= 1 and ncwb - num_classes in (0, 1), op,
            f"num_classes {num_classes} does not fit {ncwb} class predictions per box (at most one background)")
    require(max_det >= 0, op, f"max_detections {max_det} is negative")
    require(0.0 < iou_threshold <= 1.0, op, f"nms_iou_threshold {iou_threshold} is not in (0, 1]")
    per_class = min(per_class_opt, max_det)
    if regular:
        require(per_class > 0, op, "regular NMS needs detections_per_class and max_detections above 0")
    require(max_cls > 0, op, f"max_classes_per_detection {max_cls} must be positive")
    slots = max_det * max_cls
    want = [(1, slots, 4), (1, slots), (1, slots), (1,)]
    for t, shape, what in zip(op.outputs, want, ("boxes", "classes", "scores", "count")):
        require(t.dtype == "float32" and tuple(t.shape) == shape, op,
                f"output {what} must be float32 {list(shape)}, got {t.dtype} {list(t.shape)}")

    boxes_q, scores_q = _legacy(op, 0), _legacy(op, 1)
    params: dict[str, Any] = dict(
        num_boxes=num_boxes, box_stride=stride, num_classes=num_classes, num_classes_with_background=ncwb,
        max_detections=max_det, max_classes_per_detection=max_cls, detections_per_class=per_class,
        use_regular_nms=int(regular), score_threshold=_c_float_any(score_threshold),
        iou_threshold=c_float(iou_threshold), y_scale=_c_float_any(scale["y"]), x_scale=_c_float_any(scale["x"]),
        h_scale=_c_float_any(scale["h"]), w_scale=_c_float_any(scale["w"]),
        boxes_quantized=int(boxes_q), boxes_scale="0.0f", boxes_zero_point=0, anchors_scale="0.0f",
        anchors_zero_point=0, scores_quantized=int(scores_q), scores_scale="0.0f", scores_zero_point=0)
    if boxes_q:
        require(_legacy(op, 2), op, "uint8 box encodings need uint8 anchors (LiteRT reads them as uint8)")
        require_quant(op, boxes, anchors)
        params.update(boxes_scale=c_float(boxes.q.s), boxes_zero_point=boxes.q.zp,
                      anchors_scale=c_float(anchors.q.s), anchors_zero_point=anchors.q.zp)
    else:
        _require_float(op, boxes, "box encodings")
        _require_float(op, anchors, "anchors")
    if scores_q:
        require_quant(op, scores)
        params.update(scores_scale=c_float(scores.q.s), scores_zero_point=scores.q.zp)
    else:
        _require_float(op, scores, "class predictions")
    k = min(max_cls, num_classes)
    return KernelCall(op=op, template="detection_postprocess.c.j2", header=HEADER, inputs=[boxes, scores, anchors],
                      outputs=list(op.outputs), params=dict(args=params),
                      scratch_bytes=scratch_bytes(num_boxes, ncwb, num_classes, k, max_det, per_class, scores_q),
                      note="regular NMS" if regular else "fast NMS")


def _require_float(op: Op, t: Tensor, what: str) -> None:
    require(t.dtype == "float32", op, f"{what} must be float32 or uint8, got {t.dtype}")


def _c_float_any(value: float) -> str:
    """A float literal that may be infinite or NaN (a model's scale or threshold may be)."""
    v = float(np.float32(value))
    if v != v:
        return "NAN"
    if v in (float("inf"), float("-inf")):
        return "INFINITY" if v > 0 else "-INFINITY"
    return f"{v!r}f"
