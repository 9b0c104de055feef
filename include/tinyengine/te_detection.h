/* tinyengine: TFLite_Detection_PostProcess, the SSD detectors' last op (a custom op that LiteRT
 * registers in its builtin and reference resolvers; tflite/kernels/detection_postprocess.cc).
 *
 * Decodes center-size box encodings against the anchors (double arithmetic and glibc's double
 * exp, te_exp), then runs non-maximum suppression: the fast form (each anchor's best classes,
 * one NMS over the anchors' top score) or the regular one (one NMS per class, results merged by
 * score). Outputs are float: boxes [1, N, 4] (ymin, xmin, ymax, xmax), classes [1, N], scores
 * [1, N] and the detection count [1], N = max_detections * max_classes_per_detection.
 *
 * Ties are broken as LiteRT breaks them: a stable descending sort of the kept scores, libstdc++'s
 * std::partial_sort (heap select, then heap sort) for an anchor's top classes, the first maximum
 * for one class, stable merges of the per-class results. Output slots the reference leaves
 * unwritten (fewer detections than N) are zero, as on a new LiteRT interpreter.
 */
#ifndef TINYENGINE_TE_DETECTION_H
#define TINYENGINE_TE_DETECTION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t num_boxes;                   /* anchors: box encodings [1, num_boxes, box_stride] */
    int32_t box_stride;                  /* values per box encoding (>= 4; the first 4 are used) */
    int32_t num_classes;                 /* classes without the background */
    int32_t num_classes_with_background; /* class predictions [1, num_boxes, this] */
    int32_t max_detections;
    int32_t max_classes_per_detection;   /* fast NMS: classes kept per anchor */
    int32_t detections_per_class;        /* regular NMS: min(detections_per_class, max_detections) */
    int32_t use_regular_nms;
    float score_threshold;
    float iou_threshold;
    float y_scale, x_scale, h_scale, w_scale;
    /* Legacy uint8 inputs (in int8 storage: value - 128, zero points shifted alike). The box
     * encodings and anchors are quantized together (LiteRT reads both as uint8), the class
     * predictions on their own. */
    int32_t boxes_quantized;
    float boxes_scale;
    int32_t boxes_zero_point;
    float anchors_scale;
    int32_t anchors_zero_point;
    int32_t scores_quantized;
    float scores_scale;
    int32_t scores_zero_point;
} te_detection_postprocess_params;

/* Scratch bytes, 4-byte aligned: the decoded boxes, a 256-entry dequantization table (quantized
 * scores only) and one anchor's scores, the NMS work arrays, each anchor's top class indices (fast
 * NMS) and the merged per-class results (regular NMS). k = min(max_classes_per_detection,
 * num_classes). */
#define te_detection_postprocess_scratch_bytes(num_boxes, ncwb, num_classes, k, max_det, det_per_class,      \
                                               scores_quantized)                                              \
    (16 * (num_boxes) + ((scores_quantized) ? 4 * 256 : 0) + 4 * (ncwb) + 20 * (num_boxes) +                \
     ((num_boxes) + 3) / 4 * 4 + 4 * ((max_det) > (det_per_class) ? (max_det) : (det_per_class)) +           \
     4 * (num_boxes) * (k) + 4 * (num_classes) + 16 * ((max_det) + (det_per_class)))

/* boxes / anchors: float, or int8 storage of legacy uint8 (boxes_quantized); scores likewise
 * (scores_quantized). Returns 0, or 1 where the reference's Eval fails (a decoded box with
 * ymin > ymax or xmin > xmax), having written nothing but the scratch. */
int te_detection_postprocess_f32(const te_detection_postprocess_params *p, const void *boxes, const void *scores,
                                 const void *anchors, float *out_boxes, float *out_classes, float *out_scores,
                                 float *out_count, void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_DETECTION_H */
