/* Every kernel scratch size as the C library defines it (functions and header macros), exported
 * with plain integer arguments for tests/test_scratch_sizes.py (ctypes), which checks the
 * generator's copies of these formulas against them. Test support only: not part of the library. */
#include <string.h>

#include "tinyengine/te_conv.h"
#include "tinyengine/te_depthwise.h"
#include "tinyengine/te_detection.h"
#include "tinyengine/te_float.h"
#include "tinyengine/te_fully_connected.h"
#include "tinyengine/te_lstm.h"
#include "tinyengine/te_resize.h"
#include "tinyengine/te_svdf.h"

long ts_conv2d_s8(int k_h, int k_w, int filter_in_c, int out_c)
{
    return (long)te_conv2d_s8_scratch_bytes(k_h, k_w, filter_in_c, out_c);
}

long ts_conv2d_1x1_s8(int in_c) { return (long)te_conv2d_1x1_s8_scratch_bytes(in_c); }

long ts_conv2d_s16(int k_h, int k_w, int filter_in_c, int out_c)
{
    return (long)te_conv2d_s16_scratch_bytes(k_h, k_w, filter_in_c, out_c);
}

long ts_depthwise_conv2d_s8(int k_h, int k_w, int out_h, int out_w, int stride_h, int row_len, int buf_rows,
                            int ring_rows, int plane_w, int direct)
{
    te_dw_params p;
    memset(&p, 0, sizeof p);
    p.k_h = k_h;
    p.k_w = k_w;
    p.out_h = out_h;
    p.out_w = out_w;
    p.stride_h = stride_h;
    p.row_len = row_len;
    p.buf_rows = buf_rows;
    p.ring_rows = ring_rows;
    p.plane_w = plane_w;
    return (long)te_depthwise_conv2d_s8_scratch_bytes(&p, direct);
}

long ts_depthwise_conv2d_s8_1d(int k_w, int in_w, int out_w, int stride_w, int pad_left)
{
    te_dw_params p;
    memset(&p, 0, sizeof p);
    p.k_w = k_w;
    p.in_w = in_w;
    p.out_w = out_w;
    p.stride_w = stride_w;
    p.pad_left = pad_left;
    return (long)te_depthwise_conv2d_s8_1d_scratch_bytes(&p);
}

long ts_depthwise_conv2d_s16(int k_h, int k_w, int out_c)
{
    return (long)te_depthwise_conv2d_s16_scratch_bytes(k_h, k_w, out_c);
}

long ts_fully_connected_s16(int accum_depth) { return (long)te_fully_connected_s16_scratch_bytes(accum_depth); }

long ts_lstm_s8(int n_cell, int in_cols, int rec_cols, int projection)
{
    te_lstm_params p;
    memset(&p, 0, sizeof p);
    p.n_cell = n_cell;
    p.in_cols = in_cols;
    p.rec_cols = rec_cols;
    p.flags = projection ? TE_LSTM_PROJECTION : 0;
    return (long)te_lstm_s8_scratch_bytes(&p);
}

long ts_lstm_f32(int n_cell) { return (long)te_lstm_f32_scratch_bytes(n_cell); }

long ts_svdf_s8(int n_filter)
{
    te_svdf_params p;
    memset(&p, 0, sizeof p);
    p.n_filter = n_filter;
    return (long)te_svdf_s8_scratch_bytes(&p);
}

long ts_resize_bilinear(int out_w) { return (long)te_resize_bilinear_scratch_bytes(out_w); }

long ts_bilinear_pos_size(void) { return (long)sizeof(te_bilinear_pos); }

long ts_detection_postprocess(int num_boxes, int ncwb, int num_classes, int k, int max_det, int per_class,
                              int scores_quantized)
{
    return (long)te_detection_postprocess_scratch_bytes(num_boxes, ncwb, num_classes, k, max_det, per_class,
                                                        scores_quantized);
}
