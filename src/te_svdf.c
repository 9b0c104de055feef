/* tinyengine: SVDF kernels (see include/tinyengine/te_svdf.h).
 *
 * The arithmetic is LiteRT's reference EvalIntegerSVDF (reference/svdf.h): the state moves one
 * value left, the feature dot products (int32) are requantized to int16 into each filter's newest
 * state value, then each unit sums the time dot products of its rank filters, adds the bias and
 * requantizes to int8. Sums are int32 and wrap like the reference's (held as uint32 here), so any
 * order of the same terms gives the same result; requantization is te_multiply_by_quantized_multiplier.
 * A unit's rank filters are consecutive rows of the time weights and of the state, so its time sum
 * is one dot product over rank * n_memory int16 pairs.
 *
 * The feature sums come from te_fully_connected_s8_sums (FULLY_CONNECTED's weight layouts and
 * DSP / Helium paths, the zero point folded into feature_bias). The DSP path (same bytes) also
 * requantizes them with te_rq_doubled where the generator allows it, and fuses the state's move
 * into the time sums (see te_svdf_s8 below); on Helium that fused loop is VMLADAVA.S16.
 */
#include "tinyengine/te_simd.h"
#include "tinyengine/te_svdf.h"

TE_INLINE int16_t svdf_sat16(int32_t v)
{
    return (int16_t)te_clamp_i32(v, -32768, 32767);
}

size_t te_svdf_s8_scratch_bytes(const te_svdf_params *p)
{
    return (size_t)6 * (size_t)p->n_filter; /* one batch's int32 feature sums, then their int16 values */
}

/* Feature matmul of one batch: sum_i feature[f][i] * (x[i] - input_zp), requantized to int16. */
static void svdf_feature(const te_svdf_params *p, const te_svdf_weights *w, const int8_t *x, int32_t *sums,
                         int16_t *values)
{
    int32_t f;
    te_fully_connected_s8_sums(w->feature_fc, w->feature_bias, x, w->feature, sums);
#if defined(TE_USE_DSP)
    if (p->fast1) {
        for (f = 0; f < p->n_filter; ++f) {
            values[f] = svdf_sat16(te_rq_doubled(2 * sums[f], p->mult1, p->half1, -p->shift1));
        }
        return;
    }
#endif
    for (f = 0; f < p->n_filter; ++f) {
        values[f] = svdf_sat16(te_multiply_by_quantized_multiplier(sums[f], p->mult1, p->shift1));
    }
}

TE_INLINE int8_t svdf_out(const te_svdf_params *p, const te_svdf_weights *w, int32_t u, int32_t sum)
{
    const int32_t acc = (int32_t)((uint32_t)sum + (uint32_t)(w->bias ? w->bias[u] : 0));
    return (int8_t)te_ssat8(te_multiply_by_quantized_multiplier(acc, p->mult2, p->shift2) + p->output_zp);
}

#if !defined(TE_USE_DSP)

/* The reference's order: the whole state moves one value left, each filter's newest value is
 * written, then each unit's time sum over its rank filters (consecutive rows: one dot product over
 * rank * n_memory values), bias and rescale. */
void te_svdf_s8(const te_svdf_params *p, const te_svdf_weights *w, const int8_t *input, int8_t *output,
                int16_t *state, void *scratch)
{
    const int32_t n_memory = p->n_memory, n_unit = p->n_filter / p->rank, block = p->rank * n_memory;
    const int32_t batch_len = p->n_filter * n_memory;
    int32_t *sums = (int32_t *)scratch;
    int16_t *values = (int16_t *)(sums + p->n_filter);
    const int32_t n = p->n_batch * batch_len;
    int32_t b, f, u, k = 0;
    /* std::copy(state + 1, state + n, state), two at a time (a one-value loop becomes a memmove
     * call, which moves these 2-byte-offset ranges byte by byte) */
    for (; k + 2 < n; k += 2) {
        const int16_t a = state[k + 1], c = state[k + 2];
        state[k] = a;
        state[k + 1] = c;
    }
    for (; k + 1 < n; ++k) {
        state[k] = state[k + 1];
    }
    for (b = 0; b < p->n_batch; ++b) {
        int16_t *sb = state + (size_t)b * batch_len;
        int8_t *y = output + (size_t)b * n_unit;
        svdf_feature(p, w, input + (size_t)b * p->n_input, sums, values);
        for (f = 0; f < p->n_filter; ++f) {
            sb[f * n_memory + n_memory - 1] = values[f];
        }
        for (u = 0; u < n_unit; ++u) {
            const int16_t *t = w->time + (size_t)u * block, *s = sb + (size_t)u * block;
            uint32_t sum = 0;
            for (k = 0; k < block; ++k) {
                sum += (uint32_t)(t[k] * s[k]);
            }
            y[u] = svdf_out(p, w, u, (int32_t)sum);
        }
    }
}

#else /* TE_USE_DSP */

#if defined(TE_USE_MVE)
/* Helium form of the loop in te_svdf_s8 below: s[k] = s[k + 1] and the sum of t[k] * s[k] for
 * k < n, eight values per step (each step reads its values before writing them one slot lower,
 * and the next step reads above what this one wrote: the same result as the one-by-one move),
 * VMLADAVA.S16 into a wrapping int32 sum; a tail-predicated low-overhead loop. */
TE_INLINE int32_t svdf_time_mve(const int16_t *t, int16_t *s, int32_t n)
{
#if defined(__GNUC__) && defined(__OPTIMIZE__) && !defined(TE_NO_INLINE_ASM)
    register int32_t acc __asm__("r4") = 0; /* VMLADAVA accumulates into an even register */
    const int16_t *s1 = s + 1;
    __asm__ volatile(
        "wlstp.16 lr, %[n], 2f\n\t"
        "1:\n\t"
        "vldrh.16 q0, [%[s1]], #16\n\t"
        "vldrh.16 q1, [%[t]], #16\n\t"
        "vstrh.16 q0, [%[s]], #16\n\t"
        "vmladava.s16 %[acc], q1, q0\n\t"
        "letp    lr, 1b\n\t"
        "2:\n\t"
        : [acc] "+r"(acc), [s1] "+r"(s1), [t] "+r"(t), [s] "+r"(s)
        : [n] "r"(n)
        : "lr", "q0", "q1", "cc", "memory");
    return acc;
#else
    int32_t acc = 0, k;
    for (k = 0; k < n; k += 8) {
        const mve_pred16_t pr = vctp16q((uint32_t)(n - k));
        const int16x8_t v = vldrhq_z_s16(s + k + 1, pr);
        vstrhq_p_s16(s + k, v, pr);
        acc = vmladavaq_p_s16(acc, vldrhq_z_s16(t + k, pr), v, pr);
    }
    return acc;
#endif
}
#endif

/* The state update fused into the time sums: in the reference's move of the whole state one value
 * left, each filter row's newest slot receives the oldest value of the row after it, which is then
 * overwritten. So the new value of filter f is written there first, over that oldest value (which
 * the move discards), and one pass per unit moves its rank * n_memory values left while it sums
 * them against the time weights (unaligned words, two SMLAD per four values). The very last slot of
 * the state has no value after it: it takes its new value directly. */
void te_svdf_s8(const te_svdf_params *p, const te_svdf_weights *w, const int8_t *input, int8_t *output,
                int16_t *state, void *scratch)
{
    const int32_t n_memory = p->n_memory, n_unit = p->n_filter / p->rank, block = p->rank * n_memory;
    const int32_t batch_len = p->n_filter * n_memory;
    int32_t *sums = (int32_t *)scratch;
    int16_t *values = (int16_t *)(sums + p->n_filter);
    int32_t b, f, u;
    for (b = 0; b < p->n_batch; ++b) {
        int16_t *sb = state + (size_t)b * batch_len;
        int8_t *y = output + (size_t)b * n_unit;
        const int32_t last_batch = b == p->n_batch - 1;
        svdf_feature(p, w, input + (size_t)b * p->n_input, sums, values);
        for (f = 0; f + last_batch < p->n_filter; ++f) {
            sb[(f + 1) * n_memory] = values[f]; /* over the oldest value of the next row (or batch) */
        }
        for (u = 0; u < n_unit; ++u) {
            const int16_t *t = w->time + (size_t)u * block;
            int16_t *s = sb + (size_t)u * block;
            const int32_t n = (last_batch && u == n_unit - 1) ? block - 1 : block; /* values with one after them */
            int32_t acc = 0, k = 0;
#if defined(TE_USE_MVE)
            k = n;
            acc = svdf_time_mve(t, s, n);
#endif
            for (; k + 8 <= n; k += 8) {
                const uint32_t v0 = te_read_u32(s + k + 1), v1 = te_read_u32(s + k + 3);
                const uint32_t v2 = te_read_u32(s + k + 5), v3 = te_read_u32(s + k + 7);
                te_write_u32(s + k, v0);
                te_write_u32(s + k + 2, v1);
                te_write_u32(s + k + 4, v2);
                te_write_u32(s + k + 6, v3);
                acc = te_smlad(te_read_u32(t + k), v0, acc);
                acc = te_smlad(te_read_u32(t + k + 2), v1, acc);
                acc = te_smlad(te_read_u32(t + k + 4), v2, acc);
                acc = te_smlad(te_read_u32(t + k + 6), v3, acc);
            }
            for (; k + 4 <= n; k += 4) {
                const uint32_t v0 = te_read_u32(s + k + 1), v1 = te_read_u32(s + k + 3);
                te_write_u32(s + k, v0);
                te_write_u32(s + k + 2, v1);
                acc = te_smlad(te_read_u32(t + k), v0, acc);
                acc = te_smlad(te_read_u32(t + k + 2), v1, acc);
            }
            for (; k < n; ++k) {
                s[k] = s[k + 1];
                acc = (int32_t)((uint32_t)acc + (uint32_t)(t[k] * s[k]));
            }
            if (n < block) { /* the state's last slot */
                s[n] = values[p->n_filter - 1];
                acc = (int32_t)((uint32_t)acc + (uint32_t)(t[n] * s[n]));
            }
            y[u] = svdf_out(p, w, u, acc);
        }
    }
}

#endif /* TE_USE_DSP */
