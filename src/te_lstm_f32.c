/* tinyengine: float32 UNIDIRECTIONAL_SEQUENCE_LSTM, operation for operation as LiteRT's float
 * LSTM (lstm_eval.cc EvalFloat / LstmStepFloat) computes it on the host that runs the oracle.
 *
 * LiteRT has one float LSTM kernel (no reference variant): its matrix-vector products go through
 * cpu_backend_gemm to Eigen (x86 builds use Eigen for float GEMM), and its sigmoid / tanh are
 * Eigen's vectorized array functions. So the arithmetic to repeat is Eigen's, as LiteRT 2.x's
 * x86-64 build (SSE4.1, no FMA) runs it; the steps below were read off that build:
 *
 * - matrix x vector (row-major GEMV, n_cell > 1 rows): per row, four lane sums over the columns
 *   j = l (mod 4) of the first 4 floor(cols / 4), each from +0 in column order; then
 *   (lane0 + lane2) + (lane1 + lane3); then the remaining columns one by one; then 0.0f + that
 *   (the zeroed destination). A single row (n_cell == 1) is Eigen's dot product: up to four
 *   packet accumulators over 16-column blocks, folded c0 + (c1 + (c2 + c3)), the same
 *   horizontal sum and tail (te_eigen_dot1).
 * - the bias add and clamp after each product (BiasAndClamp): min(max(acc + b, -FLT_MAX), FLT_MAX).
 * - sigmoid (Eigen's scalar_logistic_op<float>): elements processed 4 at a time use Eigen's own
 *   exp of x/2 (a Cody-Waite reduction and a degree-5 polynomial, then squared), y / (y + 1) and
 *   0 below -104; elements before the first 16-byte boundary of the destination, and the last
 *   (n - head) mod 4, use expf (te_expf) and e / (e + 1). Which elements are which depends on the
 *   destination's address in LiteRT (its scratch tensor, 16-byte aligned, gate g at float offset
 *   g * n_cell * n_batch + b * n_cell): the kernel takes that phase from the lowering.
 * - tanh (Eigen's scalar_tanh_op<float>): the clamped rational approximation (odd degree 7 /
 *   even degree 8), the same for single elements and packets.
 * - the cell update, clipping, output gate product and state copies as the portable tensor utils.
 *
 * The input gate skip for an all-zero input step (IsZeroVector) is repeated too: it changes which
 * buffer holds the bias and so the order of two additions.
 */
#include "tinyengine/te_float.h"

#include <float.h>

#include "tinyengine/te_math.h"

TE_FLOAT_STRICT_BEGIN

/* SSE MINPS / MAXPS (dst, src): the second operand when either is NaN or both are zeros. */
TE_INLINE float te_sse_min(float dst, float src) { return dst < src ? dst : src; }
TE_INLINE float te_sse_max(float dst, float src) { return dst > src ? dst : src; }

/* ---------------------------------------------------------------- Eigen's activations */

/* One element of Eigen's packet sigmoid: exp(min(x, c) / 2) squared. */
static float te_eigen_sigmoid_packet(float xin)
{
    const float x = te_sse_min(0x1.0a2b24p+4f, xin) * 0.5f;
    const float m = te_floorf(x * 0x1.715476p+0f + 0.5f);
    float r = m * -0x1.63p-1f + x;
    float r2, a, b, p, e2, y;
    uint32_t pow2;
    r = m * 0x1.bd0106p-13f + r;
    r2 = r * r;
    a = r2 * 0x1.573be0p-5f + 0x1.fffdc0p-2f;
    b = r2 * 0x1.111ca4p-7f + 0x1.555670p-3f;
    b = b * r;
    p = b + a;
    p = p * r2;
    p = p + (r + 1.0f);
    e2 = te_sse_min(255.0f, te_sse_max(0.0f, m + 127.0f));
    pow2 = (e2 == e2) ? ((uint32_t)(int32_t)e2 << 23) : 0u; /* CVTTPS2DQ of NaN: 0x80000000 << 23 */
    y = te_f32_from_bits(pow2) * p;
    y = y * y;
    y = y / (y + 1.0f);
    return (xin < -104.0f) ? 0.0f : y;
}

/* One element of Eigen's scalar sigmoid path (std::exp). */
static float te_eigen_sigmoid_scalar(float x)
{
    const float e = te_expf(te_sse_min(0x1.0a2b24p+4f, x));
    return e / (e + 1.0f);
}

/* Eigen's array assignment over n values whose destination sits at float offset `phase` (mod 4)
 * from a 16-byte boundary: a scalar head up to the boundary, packets of 4, a scalar tail. */
static void te_eigen_sigmoid(const float *in, float *out, int32_t n, int32_t phase)
{
    int32_t head = (4 - (phase & 3)) & 3, i;
    int32_t packets;
    head = head < n ? head : n;
    packets = (n - head) & ~3;
    for (i = 0; i < n; ++i) {
        const int packet = i >= head && i < head + packets;
        out[i] = packet ? te_eigen_sigmoid_packet(in[i]) : te_eigen_sigmoid_scalar(in[i]);
    }
}

static void te_lstm_activation(int32_t kind, const float *in, float *out, int32_t n, int32_t phase)
{
    int32_t i;
    if (kind == TE_LSTM_F32_SIGMOID) {
        te_eigen_sigmoid(in, out, n, phase);
    } else {
        for (i = 0; i < n; ++i) {
            out[i] = te_eigen_tanhf(in[i]);
        }
    }
}

/* ---------------------------------------------------------------- Eigen's products */

/* Row of a row-major GEMV (Eigen general_matrix_vector_product, SSE packets of 4). */
static float te_eigen_gemv_row(const float *a, const float *x, int32_t cols)
{
    const int32_t n4 = cols & ~3;
    float l0 = 0.f, l1 = 0.f, l2 = 0.f, l3 = 0.f, s;
    int32_t j;
    for (j = 0; j < n4; j += 4) {
        l0 = l0 + a[j] * x[j];
        l1 = l1 + a[j + 1] * x[j + 1];
        l2 = l2 + a[j + 2] * x[j + 2];
        l3 = l3 + a[j + 3] * x[j + 3];
    }
    s = (l0 + l2) + (l1 + l3);
    for (; j < cols; ++j) {
        s = s + a[j] * x[j];
    }
    return s;
}

/* Eigen's dot product (one-row matrix x vector): redux with up to four packet accumulators. */
static float te_eigen_dot1(const float *a, const float *x, int32_t n)
{
    float c[4][4];
    float s;
    int32_t j, k, l, used;
    const int32_t n4 = n & ~3, n16 = n & ~15;
    if (n < 4) {
        if (n == 0) {
            return 0.f;
        }
        s = a[0] * x[0];
        for (j = 1; j < n; ++j) {
            s = s + a[j] * x[j];
        }
        return s;
    }
    used = n4 / 4 < 4 ? n4 / 4 : 4;
    for (k = 0; k < used; ++k) {
        for (l = 0; l < 4; ++l) {
            c[k][l] = a[4 * k + l] * x[4 * k + l];
        }
    }
    for (j = 16; j < n16; j += 16) {
        for (k = 0; k < 4; ++k) {
            for (l = 0; l < 4; ++l) {
                c[k][l] = c[k][l] + a[j + 4 * k + l] * x[j + 4 * k + l];
            }
        }
    }
    if (n >= 16) {
        for (k = 0; k < (n4 - n16) / 4; ++k) {
            for (l = 0; l < 4; ++l) {
                c[k][l] = c[k][l] + a[n16 + 4 * k + l] * x[n16 + 4 * k + l];
            }
        }
    }
    for (k = used - 1; k > 0; --k) { /* c2 += c3; c1 += c2; c0 += c1 */
        for (l = 0; l < 4; ++l) {
            c[k - 1][l] = c[k - 1][l] + c[k][l];
        }
    }
    s = (c[0][0] + c[0][2]) + (c[0][1] + c[0][3]);
    for (j = n4; j < n; ++j) {
        s = s + a[j] * x[j];
    }
    return s;
}

/* MatrixBatchVectorMultiplyAccumulate for one vector: out = clamp(W x + result) (BiasAndClamp
 * with the lowest / largest float). out and result may be the same buffer. */
static void te_lstm_matvec(const float *w, const float *x, const float *result, float *out, int32_t rows,
                           int32_t cols)
{
    int32_t i;
    for (i = 0; i < rows; ++i) {
        const float dot = (rows == 1 ? te_eigen_dot1(w, x, cols) : te_eigen_gemv_row(w + (size_t)i * (size_t)cols, x, cols))
                          + 0.0f;
        float v = dot + result[i];
        v = (v < -FLT_MAX) ? -FLT_MAX : v;
        out[i] = (FLT_MAX < v) ? FLT_MAX : v;
    }
}

/* ---------------------------------------------------------------- one LSTM step (n_batch = 1) */

/* CalculateLstmGateFloat without aux input, peephole or layer norm. */
static void te_lstm_gate(const te_lstm_f32_params *p, const float *x, int input_zero, const float *w_in,
                         const float *w_rec, const float *bias, const float *h, int32_t kind, float *gate,
                         float *acc, int32_t phase)
{
    const int32_t n_cell = p->n_cell;
    int32_t i;
    for (i = 0; i < n_cell; ++i) {
        gate[i] = bias[i];
    }
    if (!input_zero) {
        te_lstm_matvec(w_in, x, gate, acc, n_cell, p->n_input);   /* acc = clamp(W_in x + bias) */
        te_lstm_matvec(w_rec, h, acc, gate, n_cell, n_cell);      /* gate = clamp(W_rec h + acc) */
        te_lstm_activation(kind, gate, gate, n_cell, phase);
    } else {
        te_lstm_matvec(w_rec, h, gate, acc, n_cell, n_cell);      /* acc = clamp(W_rec h + bias) */
        te_lstm_activation(kind, acc, gate, n_cell, phase);
    }
}

void te_lstm_f32(const te_lstm_f32_params *p, const te_lstm_f32_weights *w, const float *input, float *output,
                 float *h_state, float *c_state, float *scratch)
{
    const int32_t n_cell = p->n_cell, n_input = p->n_input;
    float *gate_i = scratch, *gate_f = scratch + n_cell, *gate_c = scratch + 2 * n_cell;
    float *gate_o = scratch + 3 * n_cell, *acc = scratch + 4 * n_cell;
    int32_t b, t, i;
    for (b = 0; b < p->n_batch; ++b) {
        float *h = h_state + (size_t)b * (size_t)n_cell, *c = c_state + (size_t)b * (size_t)n_cell;
        /* LiteRT's scratch tensor holds the gates input, cell, forget, output for all batches. */
        const int32_t base = p->time_major ? 0 : b * n_cell;
        const int32_t stride = n_cell * p->n_batch;
        const int32_t ph_i = base, ph_c = stride + base, ph_f = 2 * stride + base, ph_o = 3 * stride + base;
        for (t = 0; t < p->n_steps; ++t) {
            const size_t row = p->time_major ? (size_t)t * (size_t)p->n_batch + (size_t)b
                                             : (size_t)b * (size_t)p->n_steps + (size_t)t;
            const float *x = input + row * (size_t)n_input;
            float *y = output + row * (size_t)n_cell;
            int input_zero = 1;
            for (i = 0; i < n_input; ++i) {
                if (x[i] != 0.0f) {
                    input_zero = 0;
                    break;
                }
            }
            te_lstm_gate(p, x, input_zero, w->w_in[0], w->w_rec[0], w->bias[0], h, TE_LSTM_F32_SIGMOID, gate_i, acc,
                         ph_i);
            te_lstm_gate(p, x, input_zero, w->w_in[1], w->w_rec[1], w->bias[1], h, TE_LSTM_F32_SIGMOID, gate_f, acc,
                         ph_f);
            te_lstm_gate(p, x, input_zero, w->w_in[2], w->w_rec[2], w->bias[2], h, p->activation, gate_c, acc, ph_c);
            /* UpdateLstmCellFloat: c = f * c, c += g * i, clip. */
            for (i = 0; i < n_cell; ++i) {
                float v = gate_f[i] * c[i];
                v = v + gate_c[i] * gate_i[i];
                if (p->cell_clip > 0.0f) {
                    const float m = (v < p->cell_clip) ? v : p->cell_clip; /* std::min(clip, v) */
                    v = (m < -p->cell_clip) ? -p->cell_clip : m;           /* std::max(m, -clip) */
                }
                c[i] = v;
            }
            te_lstm_gate(p, x, input_zero, w->w_in[3], w->w_rec[3], w->bias[3], h, TE_LSTM_F32_SIGMOID, gate_o, acc,
                         ph_o);
            /* CalculateLstmOutputFloat: h = o * act(c) (written through the cell gate's scratch). */
            te_lstm_activation(p->activation, c, gate_c, n_cell, ph_c);
            for (i = 0; i < n_cell; ++i) {
                h[i] = gate_o[i] * gate_c[i];
                y[i] = h[i];
            }
        }
    }
}

TE_FLOAT_STRICT_END
