/* tinyengine: TRANSPOSE_CONV kernels (see include/tinyengine/te_transpose_conv.h).
 *
 * Output pixel (oy, ox) receives input pixel (iy, ix) through tap (ky, kx) when
 * oy = iy * stride_h - pad_top + ky (and likewise for x). For each output row the taps with
 * (oy + pad_top - ky) divisible by stride_h and the input row in range are listed once, in
 * ascending input-row order (descending ky); the same for columns. The sums are then formed in
 * the reference scatter's order (iy, ix, ic ascending). Integer sums wrap alike in any order;
 * the float ones need this order.
 */
#include "tinyengine/te_transpose_conv.h"

/* The (input index, tap) pairs reaching output coordinate o along one axis, input ascending. */
TE_INLINE int32_t tc_taps(int32_t o, int32_t pad, int32_t stride, int32_t k, int32_t in_size, int32_t *in_idx,
                          int32_t *tap)
{
    int32_t n = 0, t;
    /* i = (o + pad - t) / stride grows as t falls: walk the taps downwards. */
    for (t = k - 1; t >= 0; --t) {
        const int32_t num = o + pad - t;
        if (num < 0 || num % stride != 0) {
            continue;
        }
        if (num / stride >= in_size) {
            continue;
        }
        in_idx[n] = num / stride;
        tap[n] = t;
        ++n;
    }
    return n;
}

/* Taps of one axis are at most k (the stack arrays below bound k at 64 per axis: the generator checks). */
#define TE_TC_MAX_K 64

#define TE_TC_LOOP(ACC_T, ACC_INIT, ADD_TERM, STORE)                                                      \
    do {                                                                                                 \
        int32_t b, oy, ox, oc, a, c, ic;                                                                 \
        int32_t iys[TE_TC_MAX_K], kys[TE_TC_MAX_K], ixs[TE_TC_MAX_K], kxs[TE_TC_MAX_K];                   \
        for (b = 0; b < p->batches; ++b) {                                                               \
            const size_t in_b = (size_t)b * p->in_h * p->in_w * p->in_c;                                 \
            for (oy = 0; oy < p->out_h; ++oy) {                                                          \
                const int32_t ny = tc_taps(oy, p->pad_top, p->stride_h, p->k_h, p->in_h, iys, kys);      \
                for (ox = 0; ox < p->out_w; ++ox) {                                                      \
                    const int32_t nx = tc_taps(ox, p->pad_left, p->stride_w, p->k_w, p->in_w, ixs, kxs); \
                    for (oc = 0; oc < p->out_c; ++oc) {                                                  \
                        ACC_T acc = ACC_INIT;                                                            \
                        for (a = 0; a < ny; ++a) {                                                       \
                            for (c = 0; c < nx; ++c) {                                                   \
                                const size_t px = in_b + ((size_t)iys[a] * p->in_w + ixs[c]) * p->in_c;   \
                                const size_t wo = (((size_t)oc * p->k_h + kys[a]) * p->k_w + kxs[c]) * p->in_c; \
                                for (ic = 0; ic < p->in_c; ++ic) {                                       \
                                    ADD_TERM(input[px + ic], filter[wo + ic]);                           \
                                }                                                                        \
                            }                                                                            \
                        }                                                                                \
                        STORE;                                                                           \
                    }                                                                                    \
                }                                                                                        \
            }                                                                                            \
        }                                                                                                \
    } while (0)

#define TE_TC_S8_TERM(x, w) acc = (int32_t)((uint32_t)acc + (uint32_t)(((int32_t)(x) + p->input_offset) * (int32_t)(w)))
#define TE_TC_S8_STORE                                                                                   \
    do {                                                                                                 \
        int32_t v = rq->bias ? (int32_t)((uint32_t)acc + (uint32_t)rq->bias[oc]) : acc;                  \
        v = te_multiply_by_quantized_multiplier(v, rq->multiplier[oc], rq->shift[oc]) + p->output_offset; \
        *output++ = (int8_t)te_clamp_i32(v, p->act_min, p->act_max);                                      \
    } while (0)

void te_transpose_conv2d_s8(const te_transpose_conv_params *p, const te_requant_per_channel *rq,
                            const int8_t *input, const int8_t *filter, int8_t *output)
{
    TE_TC_LOOP(int32_t, 0, TE_TC_S8_TERM, TE_TC_S8_STORE);
}

#define TE_TC_S16_TERM(x, w) acc += (int32_t)(x) * (int32_t)(w)
#define TE_TC_S16_STORE *output++ = (int16_t)te_requant_s16_apply(rq, acc, oc, p->act_min, p->act_max)

void te_transpose_conv2d_s16(const te_transpose_conv_params *p, const te_requant_s16 *rq,
                             const int16_t *input, const int8_t *filter, int16_t *output)
{
    TE_TC_LOOP(int64_t, 0, TE_TC_S16_TERM, TE_TC_S16_STORE);
}

#define TE_TC_F32_TERM(x, w)                                                                             \
    do {                                                                                                 \
        const float prod = (x) * (w);                                                                    \
        acc += prod;                                                                                     \
    } while (0)
#define TE_TC_F32_STORE                                                                                  \
    do {                                                                                                 \
        float v = acc;                                                                                   \
        if (bias) {                                                                                      \
            v += bias[oc];                                                                               \
        }                                                                                                \
        v = v < p->act_min ? p->act_min : v;                                                             \
        *output++ = v > p->act_max ? p->act_max : v;                                                     \
    } while (0)

/* The reference multiplies, then adds (no fused multiply-add): keep compilers from contracting. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("fp-contract=off")))
#endif
void te_transpose_conv2d_f32(const te_transpose_conv_f32_params *p, const float *bias, const float *input,
                             const float *filter, float *output)
{
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
    TE_TC_LOOP(float, 0.0f, TE_TC_F32_TERM, TE_TC_F32_STORE);
}
