/* tinyengine: pooling kernels.
 *
 * Matches LiteRT's reference pooling (pooling.cc, kReference):
 *  - int8 average: reference_integer_ops::AveragePool. Sum the in-image window, then round to
 *    nearest with halves away from zero: (sum +/- count/2) / count, C division truncating;
 *  - uint8 average (legacy models): reference_ops::AveragePool on uint8, (sum + count/2) / count
 *    on a non-negative sum. In int8 storage (u = s + 128) that is floor((sum_s + count/2) / count),
 *    which differs from the int8 rule when the sum is negative: it is computed here as
 *    (sum_s + 128 * count + count/2) / count - 128, the uint8 arithmetic itself;
 *  - max (int8 and uint8 alike, the shift preserves order): reference_integer_ops::MaxPool,
 *    start from -128 (uint8: 0), take the maximum over the in-image window, clamp.
 * The fused activation is a clamp to [act_min, act_max], computed as
 * CalculateActivationRangeQuantized does for the output tensor.
 */
#include "tinyengine/te_pooling.h"

/* The in-image taps [first, last) of a window starting at `origin`, as the reference clamps them. */
TE_INLINE void te_pool_window(int32_t origin, int32_t k, int32_t size, int32_t *first, int32_t *last)
{
    *first = origin < 0 ? -origin : 0;
    *last = te_min_i32(k, size - origin);
}

static void te_avg_pool2d_portable(const te_pool_params *p, const int8_t *input, int8_t *output)
{
    const int32_t c_n = p->channels;
    int32_t b, oy, ox, c, fy, fx;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            int32_t fy0, fy1;
            te_pool_window(y0, p->k_h, p->in_h, &fy0, &fy1);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int32_t fx0, fx1, count;
                te_pool_window(x0, p->k_w, p->in_w, &fx0, &fx1);
                count = (fy1 > fy0 && fx1 > fx0) ? (fy1 - fy0) * (fx1 - fx0) : 0;
                for (c = 0; c < c_n; ++c) {
                    int32_t acc = 0;
                    for (fy = fy0; fy < fy1 && fx0 < fx1; ++fy) {
                        const int8_t *row = in_b + ((size_t)(y0 + fy) * p->in_w + (size_t)(x0 + fx0)) * c_n + c;
                        for (fx = fx0; fx < fx1; ++fx) {
                            acc += *row;
                            row += c_n;
                        }
                    }
                    if (count <= 0) {
                        /* Unreachable: the generator rejects models with empty windows. */
                        acc = 0;
                    } else if (p->legacy_uint8) {
                        acc = (acc + 128 * count + count / 2) / count - 128;
                    } else {
                        acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    }
                    *output++ = (int8_t)te_clamp_i32(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}

static void te_max_pool2d_portable(const te_pool_params *p, const int8_t *input, int8_t *output)
{
    const int32_t c_n = p->channels;
    int32_t b, oy, ox, c, fy, fx;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            int32_t fy0, fy1;
            te_pool_window(y0, p->k_h, p->in_h, &fy0, &fy1);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int32_t fx0, fx1;
                te_pool_window(x0, p->k_w, p->in_w, &fx0, &fx1);
                for (c = 0; c < c_n; ++c) {
                    int32_t max = -128;
                    for (fy = fy0; fy < fy1 && fx0 < fx1; ++fy) {
                        const int8_t *row = in_b + ((size_t)(y0 + fy) * p->in_w + (size_t)(x0 + fx0)) * c_n + c;
                        for (fx = fx0; fx < fx1; ++fx) {
                            max = te_max_i32(max, *row);
                            row += c_n;
                        }
                    }
                    *output++ = (int8_t)te_clamp_i32(max, p->act_min, p->act_max);
                }
            }
        }
    }
}

#if defined(TE_USE_MVE)
#include <arm_mve.h>

/* Helium paths: per output pixel, the channels in vectors (average: 4 int32 lanes, max: 16 int8
 * lanes, the last vector predicated), the in-image window of the reference summed (or maxed) tap
 * by tap. The average's rounded division by count is exact with a multiply-high: for n = |sum| +
 * count / 2 (legacy uint8: sum + 128 * count + count / 2, never negative) and M = ceil(2^32 /
 * count) = (2^32 + e) / count with e < count, floor(n * M / 2^32) = floor(n / count) whenever
 * n * e < 2^32, true for count <= 4096 (n < 256 * count); the sign of an int8 sum is restored
 * afterwards ((acc +/- count / 2) / count truncates toward zero). Larger windows divide lane by
 * lane (C division, as the portable loop). */
static void te_avg_pool2d_mve(const te_pool_params *p, const int8_t *input, int8_t *output)
{
    const int32_t c_n = p->channels, legacy = p->legacy_uint8;
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    int32_t b, oy, ox, c, fy, fx, l;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            int32_t fy0, fy1;
            te_pool_window(y0, p->k_h, p->in_h, &fy0, &fy1);
            for (ox = 0; ox < p->out_w; ++ox, output += c_n) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int32_t fx0, fx1, count;
                uint32_t mult;
                int32_t add;
                te_pool_window(x0, p->k_w, p->in_w, &fx0, &fx1);
                count = (fy1 > fy0 && fx1 > fx0) ? (fy1 - fy0) * (fx1 - fx0) : 0;
                if (count <= 0) { /* unreachable: the generator rejects empty windows */
                    fy1 = fy0;
                    count = 1;
                }
                mult = count > 1 ? (uint32_t)(0xFFFFFFFFu / (uint32_t)count) + 1u : 0u; /* ceil(2^32 / count) */
                add = count / 2 + (legacy ? 128 * count : 0);
                for (c = 0; c < c_n; c += 4) {
                    const mve_pred16_t pr = vctp32q((uint32_t)(c_n - c));
                    int32x4_t acc = vdupq_n_s32(0), sign, q;
                    uint32x4_t n;
                    for (fy = fy0; fy < fy1; ++fy) {
                        const int8_t *row = in_b + ((size_t)(y0 + fy) * p->in_w + (size_t)(x0 + fx0)) * c_n + c;
                        for (fx = fx0; fx < fx1; ++fx, row += c_n) {
                            acc = vaddq_s32(acc, vldrbq_z_s32(row, pr));
                        }
                    }
                    sign = legacy ? vdupq_n_s32(0) : vshrq_n_s32(acc, 31);
                    n = vreinterpretq_u32_s32(vaddq_n_s32(legacy ? acc : vabsq_s32(acc), add));
                    if (count > 4096) {
                        uint32_t d[4];
                        vst1q_u32(d, n);
                        for (l = 0; l < 4; ++l) {
                            d[l] /= (uint32_t)count;
                        }
                        q = vreinterpretq_s32_u32(vld1q_u32(d));
                    } else {
                        q = vreinterpretq_s32_u32(count > 1 ? vmulhq_u32(n, vdupq_n_u32(mult)) : n);
                    }
                    q = vsubq_s32(veorq_s32(q, sign), sign);
                    if (legacy) {
                        q = vsubq_s32(q, vdupq_n_s32(128));
                    }
                    vstrbq_p_s32(output + c, vminq_s32(vmaxq_s32(q, lo), hi), pr);
                }
            }
        }
    }
}

static void te_max_pool2d_mve(const te_pool_params *p, const int8_t *input, int8_t *output)
{
    const int32_t c_n = p->channels;
    const int8x16_t lo = vdupq_n_s8((int8_t)p->act_min), hi = vdupq_n_s8((int8_t)p->act_max);
    int32_t b, oy, ox, c, fy, fx;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            int32_t fy0, fy1;
            te_pool_window(y0, p->k_h, p->in_h, &fy0, &fy1);
            for (ox = 0; ox < p->out_w; ++ox, output += c_n) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int32_t fx0, fx1;
                te_pool_window(x0, p->k_w, p->in_w, &fx0, &fx1);
                for (c = 0; c < c_n; c += 16) {
                    const mve_pred16_t pr = vctp8q((uint32_t)(c_n - c));
                    int8x16_t m = vdupq_n_s8(-128);
                    for (fy = fy0; fy < fy1 && fx0 < fx1; ++fy) {
                        const int8_t *row = in_b + ((size_t)(y0 + fy) * p->in_w + (size_t)(x0 + fx0)) * c_n + c;
                        for (fx = fx0; fx < fx1; ++fx, row += c_n) {
                            m = vmaxq_s8(m, vldrbq_z_s8(row, pr));
                        }
                    }
                    vstrbq_p_s8(output + c, vminq_s8(vmaxq_s8(m, lo), hi), pr);
                }
            }
        }
    }
}
#endif /* TE_USE_MVE */

void te_avg_pool2d_s8(const te_pool_params *p, const int8_t *input, int8_t *output)
{
#if defined(TE_USE_MVE)
    (void)te_avg_pool2d_portable; /* what TE_FORCE_PORTABLE builds on this core */
    te_avg_pool2d_mve(p, input, output);
    return;
#elif defined(TE_USE_DSP)
    /* Cortex-M DSP path: to be written; must match te_avg_pool2d_portable byte for byte. */
#endif
    te_avg_pool2d_portable(p, input, output);
}

void te_max_pool2d_s8(const te_pool_params *p, const int8_t *input, int8_t *output)
{
#if defined(TE_USE_MVE)
    (void)te_max_pool2d_portable; /* what TE_FORCE_PORTABLE builds on this core */
    te_max_pool2d_mve(p, input, output);
    return;
#elif defined(TE_USE_DSP)
    /* Cortex-M DSP path: to be written; must match te_max_pool2d_portable byte for byte. */
#endif
    te_max_pool2d_portable(p, input, output);
}

/* ======================================================================================
 * int16 pooling: reference_integer_ops::AveragePool / MaxPool for int16 (same loops and
 * rounding as int8, int16 storage; max starts from -32768).
 * ====================================================================================== */

void te_avg_pool2d_s16(const te_pool_params *p, const int16_t *input, int16_t *output)
{
    const int32_t c_n = p->channels;
    int32_t b, oy, ox, c, fy, fx;
    for (b = 0; b < p->batches; ++b) {
        const int16_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            int32_t fy0, fy1;
            te_pool_window(y0, p->k_h, p->in_h, &fy0, &fy1);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int32_t fx0, fx1, count;
                te_pool_window(x0, p->k_w, p->in_w, &fx0, &fx1);
                count = (fy1 > fy0 && fx1 > fx0) ? (fy1 - fy0) * (fx1 - fx0) : 0;
                for (c = 0; c < c_n; ++c) {
                    int32_t acc = 0;
                    for (fy = fy0; fy < fy1 && fx0 < fx1; ++fy) {
                        const int16_t *row = in_b + ((size_t)(y0 + fy) * p->in_w + (size_t)(x0 + fx0)) * c_n + c;
                        for (fx = fx0; fx < fx1; ++fx) {
                            acc += *row;
                            row += c_n;
                        }
                    }
                    if (count <= 0) {
                        acc = 0; /* unreachable: the generator rejects empty windows */
                    } else {
                        acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    }
                    *output++ = (int16_t)te_clamp_i32(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}

void te_max_pool2d_s16(const te_pool_params *p, const int16_t *input, int16_t *output)
{
    const int32_t c_n = p->channels;
    int32_t b, oy, ox, c, fy, fx;
    for (b = 0; b < p->batches; ++b) {
        const int16_t *in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            int32_t fy0, fy1;
            te_pool_window(y0, p->k_h, p->in_h, &fy0, &fy1);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int32_t fx0, fx1;
                te_pool_window(x0, p->k_w, p->in_w, &fx0, &fx1);
                for (c = 0; c < c_n; ++c) {
                    int32_t max = -32768;
                    for (fy = fy0; fy < fy1 && fx0 < fx1; ++fy) {
                        const int16_t *row = in_b + ((size_t)(y0 + fy) * p->in_w + (size_t)(x0 + fx0)) * c_n + c;
                        for (fx = fx0; fx < fx1; ++fx) {
                            max = te_max_i32(max, *row);
                            row += c_n;
                        }
                    }
                    *output++ = (int16_t)te_clamp_i32(max, p->act_min, p->act_max);
                }
            }
        }
    }
}
