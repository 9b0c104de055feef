/* tinyengine: TFLite_Detection_PostProcess (see te_detection.h), as LiteRT's
 * tflite/kernels/detection_postprocess.cc computes it, step by step. */
#include "tinyengine/te_detection.h"

#include <stddef.h>
#include <string.h>

#include "tinyengine/te_math.h"

TE_FLOAT_STRICT_BEGIN

typedef struct {
    int32_t index; /* anchor * num_classes_with_background + class + label_offset */
    float score;
} te_box_info;

/* The scratch carved as te_detection_postprocess_scratch_bytes counts it. */
typedef struct {
    float *decoded;       /* [num_boxes][4]: ymin, xmin, ymax, xmax */
    float *score_lut;     /* [256] dequantized score of each stored byte (quantized scores), or NULL */
    float *score_row;     /* [ncwb]: one anchor's dequantized scores */
    float *class_scores;  /* [num_boxes]: one class's scores, or each anchor's top score */
    float *keep_scores;   /* [num_boxes] */
    int32_t *keep_index;  /* [num_boxes] */
    int32_t *sorted;      /* [num_boxes] */
    int32_t *sort_tmp;    /* [num_boxes] */
    int32_t *selected;    /* [max(max_detections, detections_per_class)] */
    int32_t *top_classes; /* [num_boxes][k] */
    int32_t *row_classes; /* [num_classes] */
    te_box_info *merged;  /* [max_detections + detections_per_class] */
    te_box_info *merge_tmp;
    uint8_t *active;      /* [num_boxes] */
} te_dp_work;

static int32_t te_dp_k(const te_detection_postprocess_params *p)
{
    return p->max_classes_per_detection < p->num_classes ? p->max_classes_per_detection : p->num_classes;
}

static int32_t te_dp_per_class(const te_detection_postprocess_params *p)
{
    return p->detections_per_class < p->max_detections ? p->detections_per_class : p->max_detections;
}

static void te_dp_carve(const te_detection_postprocess_params *p, void *scratch, te_dp_work *w)
{
    const int32_t n = p->num_boxes, per_class = te_dp_per_class(p);
    const int32_t sel = p->max_detections > per_class ? p->max_detections : per_class;
    uint8_t *b = (uint8_t *)scratch;
    w->decoded = (float *)(void *)b;
    b += 16 * (size_t)n;
    w->score_lut = NULL;
    if (p->scores_quantized) {
        w->score_lut = (float *)(void *)b;
        b += 4 * 256;
    }
    w->score_row = (float *)(void *)b;
    b += 4 * (size_t)p->num_classes_with_background;
    w->class_scores = (float *)(void *)b;
    b += 4 * (size_t)n;
    w->keep_scores = (float *)(void *)b;
    b += 4 * (size_t)n;
    w->keep_index = (int32_t *)(void *)b;
    b += 4 * (size_t)n;
    w->sorted = (int32_t *)(void *)b;
    b += 4 * (size_t)n;
    w->sort_tmp = (int32_t *)(void *)b;
    b += 4 * (size_t)n;
    w->selected = (int32_t *)(void *)b;
    b += 4 * (size_t)sel;
    w->top_classes = (int32_t *)(void *)b;
    b += 4 * (size_t)n * (size_t)te_dp_k(p);
    w->row_classes = (int32_t *)(void *)b;
    b += 4 * (size_t)p->num_classes;
    w->merged = (te_box_info *)(void *)b;
    b += 8 * (size_t)(p->max_detections + p->detections_per_class);
    w->merge_tmp = (te_box_info *)(void *)b;
    b += 8 * (size_t)(p->max_detections + p->detections_per_class);
    w->active = b;
}

/* ---- decoding (DecodeCenterSizeBoxes) ---- */

/* Dequantizer: (float(x) - zero_point) * scale, in float. In int8 storage both x and the zero
 * point are 128 lower, and their difference, an exact small integer, is the same. */
static float te_dp_dequantize(int8_t x, int32_t zero_point, float scale)
{
    return ((float)x - (float)zero_point) * scale;
}

static void te_dp_decode(const te_detection_postprocess_params *p, const void *boxes, const void *anchors,
                         float *decoded)
{
    int32_t i;
    for (i = 0; i < p->num_boxes; ++i) {
        float y, x, h, w, ay, ax, ah, aw, ycenter, xcenter, half_h, half_w;
        if (p->boxes_quantized) {
            const int8_t *b = (const int8_t *)boxes + (size_t)i * (size_t)p->box_stride;
            const int8_t *a = (const int8_t *)anchors + 4 * (size_t)i;
            y = te_dp_dequantize(b[0], p->boxes_zero_point, p->boxes_scale);
            x = te_dp_dequantize(b[1], p->boxes_zero_point, p->boxes_scale);
            h = te_dp_dequantize(b[2], p->boxes_zero_point, p->boxes_scale);
            w = te_dp_dequantize(b[3], p->boxes_zero_point, p->boxes_scale);
            ay = te_dp_dequantize(a[0], p->anchors_zero_point, p->anchors_scale);
            ax = te_dp_dequantize(a[1], p->anchors_zero_point, p->anchors_scale);
            ah = te_dp_dequantize(a[2], p->anchors_zero_point, p->anchors_scale);
            aw = te_dp_dequantize(a[3], p->anchors_zero_point, p->anchors_scale);
        } else {
            const float *b = (const float *)boxes + (size_t)i * (size_t)p->box_stride;
            const float *a = (const float *)anchors + 4 * (size_t)i;
            y = b[0];
            x = b[1];
            h = b[2];
            w = b[3];
            ay = a[0];
            ax = a[1];
            ah = a[2];
            aw = a[3];
        }
        /* float(double(y) / double(y_scale) * double(anchor.h) + double(anchor.y)), and so on. */
        ycenter = (float)((double)y / (double)p->y_scale * (double)ah + (double)ay);
        xcenter = (float)((double)x / (double)p->x_scale * (double)aw + (double)ax);
        half_h = (float)(0.5 * te_exp((double)h / (double)p->h_scale) * (double)ah);
        half_w = (float)(0.5 * te_exp((double)w / (double)p->w_scale) * (double)aw);
        decoded[4 * i + 0] = ycenter - half_h;
        decoded[4 * i + 1] = xcenter - half_w;
        decoded[4 * i + 2] = ycenter + half_h;
        decoded[4 * i + 3] = xcenter + half_w;
    }
}

/* ---- sorting, as the reference's standard library calls order ties ---- */

/* std::stable_sort of indices 0..n-1 by values[i] > values[j]: any stable sort gives the same
 * order; this one merges runs bottom-up through tmp. */
static void te_dp_stable_argsort(const float *values, int32_t n, int32_t *idx, int32_t *tmp)
{
    int32_t width, i;
    for (i = 0; i < n; ++i) {
        idx[i] = i;
    }
    for (width = 1; width < n; width *= 2) {
        int32_t lo;
        for (lo = 0; lo < n - width; lo += 2 * width) {
            const int32_t mid = lo + width, hi = (lo + 2 * width < n) ? lo + 2 * width : n;
            int32_t a = lo, b = mid, k = 0;
            while (a < mid && b < hi) {
                tmp[k++] = (values[idx[b]] > values[idx[a]]) ? idx[b++] : idx[a++]; /* ties: the left run first */
            }
            while (a < mid) {
                tmp[k++] = idx[a++];
            }
            while (b < hi) {
                tmp[k++] = idx[b++];
            }
            memcpy(idx + lo, tmp, (size_t)k * sizeof *idx);
        }
    }
}

/* libstdc++'s heap algorithms (std::__adjust_heap / __push_heap / __make_heap / __pop_heap) on
 * indices with comp(i, j) = values[i] > values[j]: std::partial_sort is heap select + heap sort. */
#define TE_DP_COMP(i, j) (values[(i)] > values[(j)])

static void te_dp_push_heap(const float *values, int32_t *first, int32_t hole, int32_t top, int32_t value)
{
    int32_t parent = (hole - 1) / 2;
    while (hole > top && TE_DP_COMP(first[parent], value)) {
        first[hole] = first[parent];
        hole = parent;
        parent = (hole - 1) / 2;
    }
    first[hole] = value;
}

static void te_dp_adjust_heap(const float *values, int32_t *first, int32_t hole, int32_t len, int32_t value)
{
    const int32_t top = hole;
    int32_t child = hole;
    while (child < (len - 1) / 2) {
        child = 2 * (child + 1);
        if (TE_DP_COMP(first[child], first[child - 1])) {
            child--;
        }
        first[hole] = first[child];
        hole = child;
    }
    if ((len & 1) == 0 && child == (len - 2) / 2) {
        child = 2 * (child + 1);
        first[hole] = first[child - 1];
        hole = child - 1;
    }
    te_dp_push_heap(values, first, hole, top, value);
}

static void te_dp_pop_heap(const float *values, int32_t *first, int32_t last, int32_t result)
{
    const int32_t value = first[result];
    first[result] = first[0];
    te_dp_adjust_heap(values, first, 0, last, value);
}

static void te_dp_partial_sort(const float *values, int32_t *idx, int32_t middle, int32_t n)
{
    int32_t i;
    if (middle >= 2) { /* std::__make_heap */
        int32_t parent = (middle - 2) / 2;
        for (;;) {
            te_dp_adjust_heap(values, idx, parent, middle, idx[parent]);
            if (parent == 0) {
                break;
            }
            parent--;
        }
    }
    for (i = middle; i < n; ++i) { /* std::__heap_select */
        if (TE_DP_COMP(idx[i], idx[0])) {
            te_dp_pop_heap(values, idx, middle, i);
        }
    }
    for (i = middle; i > 1; --i) { /* std::__sort_heap */
        te_dp_pop_heap(values, idx, i - 1, i - 1);
    }
}

/* ArgMaxVector<float>: the first maximum; NaNs skipped, all NaN gives 0. */
static int32_t te_dp_argmax(const float *v, int32_t n)
{
    int32_t i, best = 0;
    float max_value = v[0];
    for (i = 1; i < n; ++i) {
        const float c = v[i];
        if (c == c && (max_value != max_value || c > max_value)) {
            max_value = c;
            best = i;
        }
    }
    return max_value != max_value ? 0 : best;
}

/* ---- scores ---- */

/* The class predictions of one anchor as floats: the input row, or (quantized) its bytes through
 * the dequantization table, which LiteRT's DequantizeClassPredictions would give for every byte. */
static const float *te_dp_row(const te_detection_postprocess_params *p, te_dp_work *w, const void *scores, int32_t row)
{
    const size_t at = (size_t)row * (size_t)p->num_classes_with_background;
    int32_t c;
    if (w->score_lut == NULL) {
        return (const float *)scores + at;
    }
    for (c = 0; c < p->num_classes_with_background; ++c) {
        w->score_row[c] = w->score_lut[(uint8_t)((const int8_t *)scores)[at + (size_t)c]];
    }
    return w->score_row;
}

static float te_dp_score(const te_detection_postprocess_params *p, const te_dp_work *w, const void *scores,
                         int32_t row, int32_t col)
{
    const size_t at = (size_t)row * (size_t)p->num_classes_with_background + (size_t)col;
    return w->score_lut == NULL ? ((const float *)scores)[at] : w->score_lut[(uint8_t)((const int8_t *)scores)[at]];
}

/* ---- non-maximum suppression ---- */

static float te_dp_max(float a, float b) { return a < b ? b : a; } /* std::max<float> */
static float te_dp_min(float a, float b) { return b < a ? b : a; } /* std::min<float> */

/* ComputeIntersectionOverUnion */
static float te_dp_iou(const float *decoded, int32_t i, int32_t j)
{
    const float *bi = decoded + 4 * i, *bj = decoded + 4 * j;
    const float area_i = (bi[2] - bi[0]) * (bi[3] - bi[1]);
    const float area_j = (bj[2] - bj[0]) * (bj[3] - bj[1]);
    float ymin, xmin, ymax, xmax, inter;
    if (area_i <= 0 || area_j <= 0) {
        return 0.0f;
    }
    ymin = te_dp_max(bi[0], bj[0]);
    xmin = te_dp_max(bi[1], bj[1]);
    ymax = te_dp_min(bi[2], bj[2]);
    xmax = te_dp_min(bi[3], bj[3]);
    inter = te_dp_max(ymax - ymin, 0.0f) * te_dp_max(xmax - xmin, 0.0f);
    return inter / (area_i + area_j - inter);
}

/* NonMaxSuppressionSingleClassHelper: the selected anchors, best first, in w->selected. */
static int32_t te_dp_nms_single(const te_detection_postprocess_params *p, te_dp_work *w, const float *scores,
                                int32_t max_detections)
{
    int32_t i, kept = 0, selected = 0, active_count, output_size;
    for (i = 0; i < p->num_boxes; ++i) {
        if (scores[i] >= p->score_threshold) {
            w->keep_scores[kept] = scores[i];
            w->keep_index[kept] = i;
            kept++;
        }
    }
    te_dp_stable_argsort(w->keep_scores, kept, w->sorted, w->sort_tmp);
    output_size = kept < max_detections ? kept : max_detections;
    active_count = kept;
    if (kept > 0) { /* also tells GCC -O1 the size is not negative (-Wstringop-overflow) */
        memset(w->active, 1, (size_t)kept);
    }
    for (i = 0; i < kept; ++i) {
        int32_t j, box;
        if (active_count == 0 || selected >= output_size) {
            break;
        }
        if (!w->active[i]) {
            continue;
        }
        box = w->keep_index[w->sorted[i]];
        w->selected[selected++] = box;
        w->active[i] = 0;
        active_count--;
        for (j = i + 1; j < kept; ++j) {
            if (w->active[j] && te_dp_iou(w->decoded, box, w->keep_index[w->sorted[j]]) > p->iou_threshold) {
                w->active[j] = 0;
                active_count--;
            }
        }
    }
    return selected;
}

/* ValidateBoxes: the reference's NMS fails on a box with ymin > ymax or xmin > xmax. */
static int te_dp_boxes_valid(const te_detection_postprocess_params *p, const float *decoded)
{
    int32_t i;
    for (i = 0; i < p->num_boxes; ++i) {
        const float *b = decoded + 4 * i;
        if (b[0] > b[2] || b[1] > b[3]) {
            return 0;
        }
    }
    return 1;
}

static void te_dp_copy_box(float *dst, const float *decoded, int32_t anchor)
{
    memcpy(dst, decoded + 4 * anchor, 4 * sizeof *dst);
}

/* NonMaxSuppressionMultiClassFastHelper */
static void te_dp_fast(const te_detection_postprocess_params *p, te_dp_work *w, const void *scores, float *out_boxes,
                       float *out_classes, float *out_scores, float *out_count)
{
    const int32_t k = te_dp_k(p);
    const int32_t label_offset = p->num_classes_with_background - p->num_classes;
    int32_t row, s, count;
    for (row = 0; row < p->num_boxes; ++row) {
        const float *box_scores = te_dp_row(p, w, scores, row) + label_offset;
        int32_t *top = w->top_classes + (size_t)row * (size_t)k;
        if (k == 1) {
            top[0] = te_dp_argmax(box_scores, p->num_classes);
        } else {
            int32_t c;
            for (c = 0; c < p->num_classes; ++c) {
                w->row_classes[c] = c;
            }
            te_dp_partial_sort(box_scores, w->row_classes, k, p->num_classes);
            memcpy(top, w->row_classes, (size_t)k * sizeof *top);
        }
        w->class_scores[row] = box_scores[top[0]];
    }
    count = te_dp_nms_single(p, w, w->class_scores, p->max_detections);
    for (s = 0; s < count; ++s) {
        const int32_t anchor = w->selected[s];
        const int32_t *top = w->top_classes + (size_t)anchor * (size_t)k;
        int32_t col;
        for (col = 0; col < k; ++col) {
            const int32_t slot = p->max_classes_per_detection * s + col;
            te_dp_copy_box(out_boxes + 4 * slot, w->decoded, anchor);
            out_classes[slot] = (float)top[col];
            out_scores[slot] = te_dp_score(p, w, scores, anchor, top[col] + label_offset);
        }
    }
    out_count[0] = (float)count;
}

/* std::inplace_merge of merged[0, mid) and merged[mid, end) by score, descending; stable. */
static void te_dp_merge(te_box_info *merged, te_box_info *tmp, int32_t mid, int32_t end)
{
    int32_t a = 0, b = mid, k = 0;
    memcpy(tmp, merged, (size_t)mid * sizeof *tmp);
    while (a < mid && b < end) {
        merged[k++] = (merged[b].score > tmp[a].score) ? merged[b++] : tmp[a++];
    }
    while (a < mid) {
        merged[k++] = tmp[a++];
    }
}

/* NonMaxSuppressionMultiClassRegularHelper (one thread: the classes in order). */
static void te_dp_regular(const te_detection_postprocess_params *p, te_dp_work *w, const void *scores,
                          float *out_boxes, float *out_classes, float *out_scores, float *out_count)
{
    const int32_t ncwb = p->num_classes_with_background, label_offset = ncwb - p->num_classes;
    const int32_t per_class = te_dp_per_class(p);
    int32_t col, i, size = 0;
    for (col = 0; col < p->num_classes; ++col) {
        int32_t row, count;
        for (row = 0; row < p->num_boxes; ++row) {
            w->class_scores[row] = te_dp_score(p, w, scores, row, col + label_offset);
        }
        count = te_dp_nms_single(p, w, w->class_scores, per_class);
        if (count == 0) {
            continue;
        }
        for (i = 0; i < count; ++i) {
            w->merged[size + i].score = w->class_scores[w->selected[i]];
            w->merged[size + i].index = w->selected[i] * ncwb + col + label_offset;
        }
        te_dp_merge(w->merged, w->merge_tmp, size, size + count);
        size = size + count < p->max_detections ? size + count : p->max_detections;
    }
    for (i = 0; i < size; ++i) {
        const int32_t anchor = w->merged[i].index / ncwb;
        te_dp_copy_box(out_boxes + 4 * i, w->decoded, anchor);
        out_classes[i] = (float)(w->merged[i].index - anchor * ncwb - label_offset);
        out_scores[i] = w->merged[i].score;
    }
    out_count[0] = (float)size;
}

int te_detection_postprocess_f32(const te_detection_postprocess_params *p, const void *boxes, const void *scores,
                                 const void *anchors, float *out_boxes, float *out_classes, float *out_scores,
                                 float *out_count, void *scratch)
{
    const size_t slots = (size_t)p->max_detections * (size_t)p->max_classes_per_detection;
    te_dp_work w;
    te_dp_carve(p, scratch, &w);
    te_dp_decode(p, boxes, anchors, w.decoded);
    if ((p->num_classes > 0 || !p->use_regular_nms) && !te_dp_boxes_valid(p, w.decoded)) {
        return 1;
    }
    if (p->scores_quantized) {
        /* optimized_ops::Dequantize: float(double(scale) * (q - zero_point)); the product of a
         * float and a 9-bit integer is exact in double, so one float multiply rounds the same.
         * Indexed by the stored byte (int8 storage: value - 128). */
        int32_t b;
        for (b = 0; b < 256; ++b) {
            w.score_lut[b] = (float)((int32_t)(int8_t)(uint8_t)b - p->scores_zero_point) * p->scores_scale;
        }
    }
    memset(out_boxes, 0, 4 * slots * sizeof *out_boxes);
    memset(out_classes, 0, slots * sizeof *out_classes);
    memset(out_scores, 0, slots * sizeof *out_scores);
    if (p->use_regular_nms) {
        te_dp_regular(p, &w, scores, out_boxes, out_classes, out_scores, out_count);
    } else {
        te_dp_fast(p, &w, scores, out_boxes, out_classes, out_scores, out_count);
    }
    return 0;
}

TE_FLOAT_STRICT_END
