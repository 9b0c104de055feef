/* tinyengine: SVDF kernels (see include/tinyengine/te_svdf.h).
 *
 * The arithmetic is LiteRT's reference EvalIntegerSVDF (reference/svdf.h): the state moves one
 * value left, the feature dot products (int32) are requantized to int16 into each filter's newest
 * state value, then each unit sums the time dot products of its rank filters, adds the bias and
 * requantizes to int8. Sums are int32 and wrap like the reference's (held as uint32 here), so
 * any order of the same terms gives the same result; requantization is te_multiply_by_quantized_multiplier.
 *
 * A unit's rank filters are consecutive rows of the time weights and of the state, so its time sum
 * is one dot product over rank * n_memory int16 pairs.
 *
 * The feature sums come from te_fully_connected_s8_accumulate (FULLY_CONNECTED's weight layouts
 * and DSP / Helium paths, the zero point folded into feature_bias). DSP path of the rest (same
 * bytes): the time sums run two int16 pairs per SMLAD, the state shift moves unaligned words.
 */
#include "tinyengine/te_simd.h"
#include "tinyengine/te_svdf.h"

TE_INLINE int16_t svdf_sat16(int32_t v)
{
    return (int16_t)te_clamp_i32(v, -32768, 32767);
}

TE_INLINE int8_t svdf_sat8(int32_t v)
{
#if defined(TE_USE_DSP)
    return (int8_t)te_ssat8(v);
#else
    return (int8_t)te_clamp_i32(v, -128, 127);
#endif
}

size_t te_svdf_s8_scratch_bytes(const te_svdf_params *p)
{
    return (size_t)4 * (size_t)p->n_filter; /* one batch's int32 feature sums */
}

/* sum_k a[k] * b[k], int32 wrapping. */
static int32_t svdf_dot16(const int16_t *a, const int16_t *b, int32_t n)
{
#if defined(TE_USE_DSP)
    int32_t acc = 0, k = 0;
    for (; k + 4 <= n; k += 4) { /* two pairs per SMLAD (unaligned words where n_memory is odd) */
        acc = te_smlad(te_read_u32(a + k), te_read_u32(b + k), acc);
        acc = te_smlad(te_read_u32(a + k + 2), te_read_u32(b + k + 2), acc);
    }
    for (; k < n; ++k) {
        acc = (int32_t)((uint32_t)acc + (uint32_t)(a[k] * b[k]));
    }
    return acc;
#else
    uint32_t acc = 0;
    int32_t k;
    for (k = 0; k < n; ++k) {
        acc += (uint32_t)(a[k] * b[k]);
    }
    return (int32_t)acc;
#endif
}

/* s[k] = s[k + 1] for k < n - 1: the reference's std::copy(state + 1, state + n, state). Not the
 * library memmove: the two pointers are 2 bytes apart, which a word-copying memmove takes byte by
 * byte. */
static void svdf_shift(int16_t *s, int32_t n)
{
    int32_t k = 0;
#if defined(TE_USE_DSP)
    /* unaligned words (LDR / STR allow them on these cores), four read before four are written */
    for (; k + 9 <= n; k += 8) {
        const uint32_t a = te_read_u32(s + k + 1), b = te_read_u32(s + k + 3);
        const uint32_t c = te_read_u32(s + k + 5), d = te_read_u32(s + k + 7);
        te_write_u32(s + k, a);
        te_write_u32(s + k + 2, b);
        te_write_u32(s + k + 4, c);
        te_write_u32(s + k + 6, d);
    }
#else
    for (; k + 2 < n; k += 2) { /* two at a time: a one-value loop would become a memmove call */
        const int16_t a = s[k + 1], b = s[k + 2];
        s[k] = a;
        s[k + 1] = b;
    }
#endif
    for (; k + 1 < n; ++k) {
        s[k] = s[k + 1];
    }
}

void te_svdf_s8(const te_svdf_params *p, const te_svdf_weights *w, const int8_t *input, int8_t *output,
                int16_t *state, void *scratch)
{
    const int32_t n_memory = p->n_memory, n_unit = p->n_filter / p->rank, block = p->rank * n_memory;
    const int32_t batch_len = p->n_filter * n_memory, state_len = p->n_batch * batch_len;
    int32_t b, u;
    /* Left shift the activation state (the values moved into the newest slots are overwritten next). */
    svdf_shift(state, state_len);
    for (b = 0; b < p->n_batch; ++b) {
        int16_t *sb = state + (size_t)b * batch_len;
        int8_t *y = output + (size_t)b * n_unit;
        int32_t *sums = (int32_t *)scratch;
        int16_t *newest = sb + n_memory - 1;
        /* Feature matmul: sum_i feature[f][i] * (x[i] - input_zp), requantized to each filter's newest value. */
        te_fully_connected_s8_begin(w->feature_fc, w->feature_bias, sums);
        te_fully_connected_s8_accumulate(w->feature_fc, input + (size_t)b * p->n_input, 0, p->n_input, w->feature,
                                         sums);
        for (u = 0; u < p->n_filter; ++u, newest += n_memory) {
            *newest = svdf_sat16(te_multiply_by_quantized_multiplier(sums[u], p->mult1, p->shift1));
        }
        /* Time, reduce over the rank, bias, rescale. */
        for (u = 0; u < n_unit; ++u) {
            const int32_t sum = svdf_dot16(w->time + (size_t)u * block, sb + (size_t)u * block, block);
            const int32_t acc = (int32_t)((uint32_t)sum + (uint32_t)(w->bias ? w->bias[u] : 0));
            y[u] = svdf_sat8(te_multiply_by_quantized_multiplier(acc, p->mult2, p->shift2) + p->output_zp);
        }
    }
}
