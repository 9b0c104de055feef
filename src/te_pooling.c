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
#include "tinyengine/te_simd.h"

/* The in-image taps [first, last) of a window starting at `origin`, as the reference clamps them. */
TE_INLINE void te_pool_window(int32_t origin, int32_t k, int32_t size, int32_t *first, int32_t *last)
{
    *first = origin < 0 ? -origin : 0;
    *last = te_min_i32(k, size - origin);
}

/* The reference's rounded mean of a window sum of `count` values (count >= 1). */
TE_INLINE int32_t te_avg_pool_mean(int32_t acc, int32_t count, int32_t legacy_uint8)
{
    if (legacy_uint8) {
        return (acc + 128 * count + count / 2) / count - 128;
    }
    return acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
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
                    /* count 0 is unreachable: the generator rejects models with empty windows. */
                    acc = count > 0 ? te_avg_pool_mean(acc, count, p->legacy_uint8) : 0;
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

#if defined(TE_USE_DSP) && !defined(TE_USE_MVE)
/* DSP path (M4, M7, M33): four channels per word, SXTAB16 adding channels 0 and 2, and 1 and 3,
 * into 16-bit lanes. A lane holds the sum of at most 255 int8 values exactly ([-32640, 32385]),
 * so the lanes move into 32-bit sums before they would take more taps. Then the reference's
 * rounded division channel by channel (te_avg_pool_mean with the rounding terms of the pixel
 * precomputed: the legacy uint8 sum plus 128 * count is never negative, so both rules are
 * (sum + term) / count - offset). The last 1-3 channels read their bytes one by one. */
#define TE_AVG_POOL_LANE_TAPS 255

/* The last 1-3 channels of one tap as a word, byte by byte (never past the last channel). */
TE_INLINE uint32_t te_avg_pool_read(const int8_t *row, int32_t lanes)
{
    uint32_t w = 0;
    int32_t l;
    for (l = 0; l < lanes; ++l) {
        w |= (uint32_t)(uint8_t)row[l] << (8 * l);
    }
    return w;
}

/* The window sums of `lanes` (1-4) channels starting at `tap`: `rows` runs of `row_taps` taps,
 * c_n bytes apart, the runs `row_bytes` apart (out of line: the tap loop gets the registers). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void te_avg_pool_sums(const int8_t *tap0, int32_t rows, int32_t row_taps, size_t row_bytes, int32_t c_n,
                             int32_t lanes, int32_t sum[4])
{
    int32_t r, t, room = TE_AVG_POOL_LANE_TAPS;
    uint32_t sum02 = 0, sum13 = 0;
    sum[0] = sum[1] = sum[2] = sum[3] = 0;
    for (r = 0; r < rows; ++r) {
        const int8_t *tap = tap0 + (size_t)r * row_bytes;
        int32_t left = row_taps;
        while (left > 0) {
            const int32_t run = te_min_i32(left, room);
            left -= run;
            room -= run;
            if (lanes == 4) {
                for (t = run; t > 0; --t, tap += c_n) {
                    const uint32_t w = te_read_u32(tap);
                    sum02 = te_sxtab16(sum02, w);
                    sum13 = te_sxtab16_ror8(sum13, w);
                }
            } else {
                for (t = run; t > 0; --t, tap += c_n) {
                    const uint32_t w = te_avg_pool_read(tap, lanes);
                    sum02 = te_sxtab16(sum02, w);
                    sum13 = te_sxtab16_ror8(sum13, w);
                }
            }
            if (room == 0 || (left == 0 && r == rows - 1)) { /* lanes full, or the window done */
                sum[0] += (int16_t)sum02;
                sum[1] += (int16_t)sum13;
                sum[2] += (int16_t)(sum02 >> 16);
                sum[3] += (int16_t)(sum13 >> 16);
                sum02 = sum13 = 0;
                room = TE_AVG_POOL_LANE_TAPS;
            }
        }
    }
}

static void te_avg_pool2d_dsp(const te_pool_params *p, const int8_t *input, int8_t *output)
{
    const int32_t c_n = p->channels, offset = p->legacy_uint8 ? 128 : 0;
    const size_t in_row_bytes = (size_t)p->in_w * (size_t)c_n;
    int32_t b, oy, ox, c, l, round_pos, round_neg;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * in_row_bytes;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            int32_t fy0, fy1;
            te_pool_window(y0, p->k_h, p->in_h, &fy0, &fy1);
            for (ox = 0; ox < p->out_w; ++ox, output += c_n) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int32_t fx0, fx1, count, rows, row_taps;
                const int8_t *first;
                te_pool_window(x0, p->k_w, p->in_w, &fx0, &fx1);
                rows = fy1 - fy0;
                row_taps = fx1 - fx0;
                count = (rows > 0 && row_taps > 0) ? rows * row_taps : 0;
                if (count <= 0) { /* unreachable: the generator rejects empty windows */
                    rows = 0;
                    count = 1;
                }
                if (row_taps == p->in_w) { /* whole input rows: the window is one run of taps */
                    row_taps = count;
                    rows = rows > 0 ? 1 : 0;
                }
                first = in_b + (size_t)(y0 + fy0) * in_row_bytes + (size_t)(x0 + fx0) * (size_t)c_n;
                round_pos = p->legacy_uint8 ? 128 * count + count / 2 : count / 2;
                round_neg = p->legacy_uint8 ? round_pos : -(count / 2);
                for (c = 0; c < c_n; c += 4) {
                    const int32_t lanes = te_min_i32(4, c_n - c);
                    int32_t sum[4];
                    te_avg_pool_sums(first + c, rows, row_taps, in_row_bytes, c_n, lanes, sum);
                    for (l = 0; l < lanes; ++l) {
                        const int32_t mean = (sum[l] + (sum[l] > 0 ? round_pos : round_neg)) / count - offset;
                        output[c + l] = (int8_t)te_clamp_i32(mean, p->act_min, p->act_max);
                    }
                }
            }
        }
    }
}

/* Max pooling, four channels per word: the running maximum per signed byte lane (SSUB8 and SEL,
 * two instructions per tap for four channels), from -128 as the reference, then the activation
 * clamp the same way where it is narrower than int8. The last 1-3 channels are a partial word
 * (halfword and byte loads and stores: nothing past the last channel is read or written). */
TE_INLINE uint32_t te_max_pool_read(const int8_t *tap, int32_t lanes)
{
    uint16_t h = 0;
    if (lanes == 4) {
        return te_read_u32(tap);
    }
    if (lanes & 2) {
        memcpy(&h, tap, 2);
    }
    return (lanes & 1) ? (uint32_t)h | (uint32_t)(uint8_t)tap[lanes - 1] << (8 * (lanes - 1)) : h;
}

TE_INLINE void te_max_pool_write(int8_t *out, uint32_t m, int32_t lanes)
{
    const uint16_t h = (uint16_t)m;
    if (lanes == 4) {
        te_write_u32(out, m);
        return;
    }
    if (lanes & 2) {
        memcpy(out, &h, 2);
    }
    if (lanes & 1) {
        out[lanes - 1] = (int8_t)(m >> (8 * (lanes - 1)));
    }
}

static void te_max_pool2d_dsp(const te_pool_params *p, const int8_t *input, int8_t *output)
{
    const int32_t c_n = p->channels;
    const size_t in_row_bytes = (size_t)p->in_w * (size_t)c_n;
    const uint32_t lo = 0x01010101u * (uint8_t)p->act_min, hi = 0x01010101u * (uint8_t)p->act_max;
    int32_t b, oy, ox, c, r, t;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * in_row_bytes;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            int32_t fy0, fy1;
            te_pool_window(y0, p->k_h, p->in_h, &fy0, &fy1);
            for (ox = 0; ox < p->out_w; ++ox, output += c_n) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int32_t fx0, fx1, rows, row_taps;
                const int8_t *first;
                te_pool_window(x0, p->k_w, p->in_w, &fx0, &fx1);
                row_taps = fx1 - fx0;
                rows = row_taps > 0 ? fy1 - fy0 : 0; /* an empty window keeps -128 */
                first = in_b + (size_t)(y0 + fy0) * in_row_bytes + (size_t)(x0 + fx0) * (size_t)c_n;
                for (c = 0; c < c_n; c += 4) {
                    const int32_t lanes = te_min_i32(4, c_n - c);
                    uint32_t m = 0x80808080u;
                    const int8_t *row = first + c;
                    for (r = 0; r < rows; ++r, row += in_row_bytes) {
                        for (t = 0; t < row_taps; ++t) {
                            m = te_max_s8x4(m, te_max_pool_read(row + (size_t)t * c_n, lanes));
                        }
                    }
                    /* (clamping a full-range result changes nothing) */
                    te_max_pool_write(output + c, te_min_s8x4(te_max_s8x4(m, lo), hi), lanes);
                }
            }
        }
    }
}
#endif /* TE_USE_DSP && !TE_USE_MVE */

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
    (void)te_avg_pool2d_portable; /* what TE_FORCE_PORTABLE builds on this core */
    te_avg_pool2d_dsp(p, input, output);
    return;
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
    (void)te_max_pool2d_portable; /* what TE_FORCE_PORTABLE builds on this core */
    te_max_pool2d_dsp(p, input, output);
    return;
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
