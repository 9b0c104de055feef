/* tinyengine: float32 SVDF, operation for operation as LiteRT's float SVDF (svdf.cc EvalFloat ->
 * reference_ops::EvalFloatSVDF) computes it on the host that runs the oracle. Its tensor utils are
 * the NEON ones there (LiteRT's x86 build defines USE_NEON over NEON_2_SSE, with SSE4.1), so the
 * sums run in 4 lanes; measured against the oracle, the sequential portable order differs in the
 * last bit for 28 of 32 outputs of a 40-wide feature product, the lane order in none:
 *
 * - the state array moves one value towards the start, over all batches and filters at once;
 * - the feature product (MatrixBatchVectorMultiplyAccumulate into a zeroed result): 4 lane sums
 *   of the first 4 * floor(n_input / 4) columns (lane l: columns l, l + 4, ..., from 0.0f),
 *   added ((l0 + l1) + l2) + l3 to 0.0f, then the remaining columns' products one by one;
 * - per filter, the time dot product over the memory (VectorVectorDotProduct): the same lanes,
 *   then the remaining products added to their sum;
 * - per unit, its rank time products (ReductionSumVector): summed in the same lanes (vector adds)
 *   and tail, then added to the bias (or 0.0f), so bias + (t0 + t1), not (bias + t0) + t1;
 * - the activation as ApplyActivationToVector: std::max(0.0f, v), std::max(-1.0f, std::min(v, 1.0f))
 *   and std::max(0.0f, std::min(v, 6.0f)), std::max(a, b) being (a < b) ? b : a; NONE leaves the sum.
 *
 * The reference computes every filter's feature value before any time product; here each batch's
 * feature values are computed before its outputs, which reads the same state values (a batch's
 * time products read only its own filters), and lets the output overwrite the input in place.
 * Compiled without multiply-add contraction (te_math.h): the lanes' multiply and add are NEON_2_SSE's
 * separate _mm_mul_ps and _mm_add_ps. */
#include "tinyengine/te_svdf.h"

#include "tinyengine/te_math.h"

TE_FLOAT_STRICT_BEGIN

/* The 4-lane form of the tensor utils' products on the oracle's build (their NEON code, which
 * LiteRT's x86 build runs through NEON_2_SSE): lane l sums the products of columns l, l + 4, ...
 * of the first 4 * floor(n / 4) from 0.0f; the lanes add in order ((l0 + l1) + l2) + l3. */
static float te_svdf_f32_lanes(const float *a, const float *b, int32_t n4)
{
    float l0 = 0.0f, l1 = 0.0f, l2 = 0.0f, l3 = 0.0f;
    int32_t i;
    for (i = 0; i < n4; i += 4) {
        l0 = l0 + a[i] * b[i];
        l1 = l1 + a[i + 1] * b[i + 1];
        l2 = l2 + a[i + 2] * b[i + 2];
        l3 = l3 + a[i + 3] * b[i + 3];
    }
    return ((l0 + l1) + l2) + l3;
}

/* VectorVectorDotProduct: the lanes, then the remaining columns one by one. */
static float te_svdf_f32_dot(const float *a, const float *b, int32_t n)
{
    const int32_t n4 = n & ~3;
    float acc = te_svdf_f32_lanes(a, b, n4);
    int32_t i;
    for (i = n4; i < n; ++i) {
        acc += a[i] * b[i];
    }
    return acc;
}

/* std::max(lo, v) and std::min(v, hi) as the reference calls them (NaN -> the bound for max). */
TE_INLINE float te_std_max(float a, float b) { return (a < b) ? b : a; }
TE_INLINE float te_std_min(float a, float b) { return (b < a) ? b : a; }

void te_svdf_f32(const te_svdf_f32_params *p, const te_svdf_f32_weights *w, const float *input, float *output,
                 float *state)
{
    const int32_t n_input = p->n_input, n_filter = p->n_filter, n_memory = p->n_memory, rank = p->rank;
    const int32_t n_unit = n_filter / rank;
    const int32_t total = p->n_batch * n_filter * n_memory;
    int32_t b, f, u, r, i;

    for (i = 0; i + 1 < total; ++i) {
        state[i] = state[i + 1];
    }
    for (b = 0; b < p->n_batch; ++b) {
        const float *x = input + (size_t)b * (size_t)n_input;
        float *s = state + (size_t)b * (size_t)n_filter * (size_t)n_memory;
        float *y = output + (size_t)b * (size_t)n_unit;
        for (f = 0; f < n_filter; ++f) {
            /* MatrixBatchVectorMultiplyAccumulate into a zeroed result: the lanes are added to
             * 0.0f, then the remaining columns' products to that one by one. */
            const float *row = w->feature + (size_t)f * (size_t)n_input;
            float r = 0.0f + te_svdf_f32_lanes(row, x, n_input & ~3);
            for (i = n_input & ~3; i < n_input; ++i) {
                r += row[i] * x[i];
            }
            s[(size_t)f * (size_t)n_memory + (size_t)(n_memory - 1)] = r;
        }
        for (u = 0; u < n_unit; ++u) {
            /* ReductionSumVector: the unit's rank time products summed in 4 lanes (each from 0.0f,
             * in filter order), then the rest one by one; the sum is added to the bias (or 0.0f). */
            const float *tu = w->time + (size_t)u * (size_t)rank * (size_t)n_memory;
            const float *su = s + (size_t)u * (size_t)rank * (size_t)n_memory;
            const int32_t rank4 = rank & ~3;
            float t[4] = { 0.0f, 0.0f, 0.0f, 0.0f };
            float sum, acc;
            for (r = 0; r < rank4; ++r) {
                t[r & 3] = t[r & 3] + te_svdf_f32_dot(tu + (size_t)r * (size_t)n_memory,
                                                      su + (size_t)r * (size_t)n_memory, n_memory);
            }
            sum = ((t[0] + t[1]) + t[2]) + t[3];
            for (r = rank4; r < rank; ++r) {
                sum += te_svdf_f32_dot(tu + (size_t)r * (size_t)n_memory, su + (size_t)r * (size_t)n_memory, n_memory);
            }
            acc = (w->bias != NULL ? w->bias[u] : 0.0f) + sum;
            switch (p->activation) {
            case TE_SVDF_F32_RELU:
                acc = te_std_max(0.0f, acc);
                break;
            case TE_SVDF_F32_RELU_N1_TO_1:
                acc = te_std_max(-1.0f, te_std_min(acc, 1.0f));
                break;
            case TE_SVDF_F32_RELU6:
                acc = te_std_max(0.0f, te_std_min(acc, 6.0f));
                break;
            default:
                break;
            }
            y[u] = acc;
        }
    }
}

TE_FLOAT_STRICT_END
