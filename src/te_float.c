/* tinyengine: float32 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, pools and element-wise
 * transcendental ops, operation for operation as LiteRT's float reference kernels (te_float.h).
 */
#include "tinyengine/te_float.h"

#include <float.h>

#include "tinyengine/te_math.h"

TE_FLOAT_STRICT_BEGIN

/* ActivationFunctionWithMinMax: std::min(std::max(x, lo), hi), NaN passing through. */
TE_INLINE float te_act_f32(float x, float lo, float hi)
{
    x = (x < lo) ? lo : x;
    return (hi < x) ? hi : x;
}

/* ---------------------------------------------------------------- CONV_2D */

/* Output channels [oc, oc + n) of one output pixel (n <= 4, one group): each sum runs over the
 * in-image taps in the reference's order, filter row, filter column, input channel. */
static void te_conv2d_f32_pixel(const te_conv2d_f32_params *p, const float *in_batch, const float *filter,
                                const float *bias, float *out, int32_t iy0, int32_t ix0, int32_t oc, int32_t n,
                                int32_t in_c0)
{
    const int32_t fic = p->filter_in_c;
    const int32_t filter_stride = p->k_h * p->k_w * fic; /* one output channel's filter */
    float t0 = 0.f, t1 = 0.f, t2 = 0.f, t3 = 0.f;
    int32_t ky, kx, c;
    for (ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = iy0 + p->dil_h * ky;
        if (iy < 0 || iy >= p->in_h) {
            continue;
        }
        for (kx = 0; kx < p->k_w; ++kx) {
            const int32_t ix = ix0 + p->dil_w * kx;
            const float *x, *w;
            if (ix < 0 || ix >= p->in_w) {
                continue;
            }
            x = in_batch + ((size_t)iy * (size_t)p->in_w + (size_t)ix) * (size_t)p->in_c + (size_t)in_c0;
            w = filter + (size_t)oc * (size_t)filter_stride + ((size_t)ky * (size_t)p->k_w + (size_t)kx) * (size_t)fic;
            if (n == 4) {
                const float *w1 = w + filter_stride, *w2 = w1 + filter_stride, *w3 = w2 + filter_stride;
                for (c = 0; c < fic; ++c) {
                    const float v = x[c];
                    t0 += v * w[c];
                    t1 += v * w1[c];
                    t2 += v * w2[c];
                    t3 += v * w3[c];
                }
            } else {
                for (c = 0; c < fic; ++c) {
                    t0 += x[c] * w[c];
                }
            }
        }
    }
    out[oc] = te_act_f32(t0 + (bias ? bias[oc] : 0.0f), p->act_min, p->act_max);
    if (n == 4) {
        out[oc + 1] = te_act_f32(t1 + (bias ? bias[oc + 1] : 0.0f), p->act_min, p->act_max);
        out[oc + 2] = te_act_f32(t2 + (bias ? bias[oc + 2] : 0.0f), p->act_min, p->act_max);
        out[oc + 3] = te_act_f32(t3 + (bias ? bias[oc + 3] : 0.0f), p->act_min, p->act_max);
    }
}

void te_conv2d_f32(const te_conv2d_f32_params *p, const float *input, const float *filter,
                   const float *bias, float *output)
{
    const int32_t groups = p->in_c / p->filter_in_c;
    const int32_t per_group = p->out_c / groups;
    int32_t b, oy, ox, oc;
    for (b = 0; b < p->batches; ++b) {
        const float *in_batch = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                float *out = output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox)
                                          * (size_t)p->out_c;
                for (oc = 0; oc < p->out_c;) {
                    const int32_t group = oc / per_group;
                    const int32_t group_end = (group + 1) * per_group;
                    const int32_t n = (group_end - oc >= 4) ? 4 : 1;
                    te_conv2d_f32_pixel(p, in_batch, filter, bias, out, iy0, ix0, oc, n, group * p->filter_in_c);
                    oc += n;
                }
            }
        }
    }
}

/* ---------------------------------------------------------------- DEPTHWISE_CONV_2D */

/* One output pixel, all channels: the output row holds the running sums, taps outer and channels
 * inner, so each channel's sum still runs over filter row then column as the reference's. */
void te_depthwise_conv2d_f32(const te_depthwise_conv2d_f32_params *p, const float *input, const float *filter,
                             const float *bias, float *output)
{
    const int32_t dm = p->depth_multiplier;
    int32_t b, oy, ox, ky, kx, c, m;
    for (b = 0; b < p->batches; ++b) {
        const float *in_batch = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                float *out = output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox)
                                          * (size_t)p->out_c;
                for (c = 0; c < p->out_c; ++c) {
                    out[c] = 0.f;
                }
                for (ky = 0; ky < p->k_h; ++ky) {
                    const int32_t iy = iy0 + p->dil_h * ky;
                    if (iy < 0 || iy >= p->in_h) {
                        continue;
                    }
                    for (kx = 0; kx < p->k_w; ++kx) {
                        const int32_t ix = ix0 + p->dil_w * kx;
                        const float *x, *w;
                        if (ix < 0 || ix >= p->in_w) {
                            continue;
                        }
                        x = in_batch + ((size_t)iy * (size_t)p->in_w + (size_t)ix) * (size_t)p->in_c;
                        w = filter + ((size_t)ky * (size_t)p->k_w + (size_t)kx) * (size_t)p->out_c;
                        if (dm == 1) {
                            for (c = 0; c < p->out_c; ++c) {
                                out[c] += x[c] * w[c];
                            }
                        } else {
                            for (c = 0; c < p->in_c; ++c) {
                                const float v = x[c];
                                for (m = 0; m < dm; ++m) {
                                    out[c * dm + m] += v * w[c * dm + m];
                                }
                            }
                        }
                    }
                }
                for (c = 0; c < p->out_c; ++c) {
                    out[c] = te_act_f32(out[c] + (bias ? bias[c] : 0.0f), p->act_min, p->act_max);
                }
            }
        }
    }
}

/* ---------------------------------------------------------------- FULLY_CONNECTED */

void te_fully_connected_f32(const te_fully_connected_f32_params *p, const float *input, const float *weights,
                            const float *bias, float *output)
{
    const size_t depth = (size_t)p->accum_depth;
    int32_t b, oc, d;
    for (b = 0; b < p->batches; ++b) {
        const float *x = input + (size_t)b * depth;
        float *out = output + (size_t)b * (size_t)p->out_c;
        for (oc = 0; oc + 4 <= p->out_c; oc += 4) {
            const float *w0 = weights + (size_t)oc * depth, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
            float t0 = 0.f, t1 = 0.f, t2 = 0.f, t3 = 0.f;
            for (d = 0; d < p->accum_depth; ++d) {
                const float v = x[d];
                t0 += v * w0[d];
                t1 += v * w1[d];
                t2 += v * w2[d];
                t3 += v * w3[d];
            }
            out[oc] = te_act_f32(t0 + (bias ? bias[oc] : 0.0f), p->act_min, p->act_max);
            out[oc + 1] = te_act_f32(t1 + (bias ? bias[oc + 1] : 0.0f), p->act_min, p->act_max);
            out[oc + 2] = te_act_f32(t2 + (bias ? bias[oc + 2] : 0.0f), p->act_min, p->act_max);
            out[oc + 3] = te_act_f32(t3 + (bias ? bias[oc + 3] : 0.0f), p->act_min, p->act_max);
        }
        for (; oc < p->out_c; ++oc) {
            const float *w = weights + (size_t)oc * depth;
            float t = 0.f;
            for (d = 0; d < p->accum_depth; ++d) {
                t += x[d] * w[d];
            }
            out[oc] = te_act_f32(t + (bias ? bias[oc] : 0.0f), p->act_min, p->act_max);
        }
    }
}

/* ---------------------------------------------------------------- pools */

typedef enum { TE_POOL_AVG, TE_POOL_MAX, TE_POOL_L2 } te_pool_kind;

/* The output row of a pixel holds the channels' running values; taps outer, channels inner. */
static void te_pool2d_f32(const te_pool_f32_params *p, const float *input, float *output, te_pool_kind kind)
{
    int32_t b, oy, ox, ky, kx, c;
    for (b = 0; b < p->batches; ++b) {
        const float *in_batch = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)p->channels;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            const int32_t ky_start = iy0 < 0 ? -iy0 : 0;
            const int32_t ky_end = (p->k_h < p->in_h - iy0) ? p->k_h : p->in_h - iy0;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                const int32_t kx_start = ix0 < 0 ? -ix0 : 0;
                const int32_t kx_end = (p->k_w < p->in_w - ix0) ? p->k_w : p->in_w - ix0;
                float *out = output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox)
                                          * (size_t)p->channels;
                float count_f = 0.f; /* the average pool's float filter_count */
                int32_t count = 0;   /* the L2 pool's int filter_count */
                for (c = 0; c < p->channels; ++c) {
                    out[c] = (kind == TE_POOL_MAX) ? -FLT_MAX : 0.f;
                }
                for (ky = ky_start; ky < ky_end; ++ky) {
                    for (kx = kx_start; kx < kx_end; ++kx) {
                        const float *x = in_batch + ((size_t)(iy0 + ky) * (size_t)p->in_w + (size_t)(ix0 + kx))
                                                        * (size_t)p->channels;
                        if (kind == TE_POOL_AVG) {
                            for (c = 0; c < p->channels; ++c) {
                                out[c] += x[c];
                            }
                        } else if (kind == TE_POOL_MAX) {
                            for (c = 0; c < p->channels; ++c) {
                                out[c] = (out[c] < x[c]) ? x[c] : out[c]; /* std::max(max, x) */
                            }
                        } else {
                            for (c = 0; c < p->channels; ++c) {
                                out[c] += x[c] * x[c];
                            }
                        }
                        count_f += 1.f;
                        count += 1;
                    }
                }
                for (c = 0; c < p->channels; ++c) {
                    float v = out[c];
                    if (kind == TE_POOL_AVG) {
                        v = v / count_f;
                    } else if (kind == TE_POOL_L2) {
                        v = te_sqrtf(v / (float)count);
                    }
                    out[c] = te_act_f32(v, p->act_min, p->act_max);
                }
            }
        }
    }
}

void te_avg_pool2d_f32(const te_pool_f32_params *p, const float *input, float *output)
{
    te_pool2d_f32(p, input, output, TE_POOL_AVG);
}

void te_max_pool2d_f32(const te_pool_f32_params *p, const float *input, float *output)
{
    te_pool2d_f32(p, input, output, TE_POOL_MAX);
}

void te_l2_pool2d_f32(const te_pool_f32_params *p, const float *input, float *output)
{
    te_pool2d_f32(p, input, output, TE_POOL_L2);
}

/* ---------------------------------------------------------------- element-wise */

#define TE_UNARY_F32(name, expr)                                                       \
    void name(const te_unary_f32_params *p, const float *input, float *output)         \
    {                                                                                  \
        int32_t i;                                                                     \
        for (i = 0; i < p->size; ++i) {                                                \
            const float x = input[i];                                                  \
            output[i] = (expr);                                                        \
        }                                                                              \
    }

TE_UNARY_F32(te_exp_f32, te_expf(x))
TE_UNARY_F32(te_log_f32, te_logf(x))
TE_UNARY_F32(te_tanh_f32, te_tanhf(x))
TE_UNARY_F32(te_sin_f32, te_sinf(x))
TE_UNARY_F32(te_cos_f32, te_cosf(x))
TE_UNARY_F32(te_elu_f32, x < 0.0f ? te_expm1f(x) : x)

/* ---------------------------------------------------------------- GELU */

/* LiteRT's float GELU (reference_ops::Gelu) evaluates an Eigen array expression, so its erfc and
 * tanh are Eigen's vectorized ones, as LiteRT's x86-64 build (SSE4.1, no FMA) runs them; the steps
 * below were read off that build. The output tensor is 16-byte aligned in LiteRT, so its first
 * 4 * floor(n / 4) values take Eigen's packet path (4 at a time) and the last n % 4 its scalar
 * path, which for erfc calls expf instead of Eigen's own exp. tanh: one formula for both. */

TE_INLINE float te_sse_minf(float dst, float src) { return dst < src ? dst : src; }
TE_INLINE float te_sse_maxf(float dst, float src) { return dst > src ? dst : src; }

/* Eigen's scalar_tanh_op<float>: clamped rational approximation (odd 7 / even 8). */
float te_eigen_tanhf(float xin)
{
    const float x = te_sse_maxf(-0x1.fa12acp+2f, te_sse_minf(0x1.fa12acp+2f, xin));
    const float x2 = x * x;
    const float x3 = x * x2;
    float p = x2 * 0x1.df2a3cp-27f + 0x1.60c7b8p-16f;
    float q = x2 * 0x1.ae58p-21f + 0x1.5cdb2cp-12f;
    p = p * x2 + 0x1.cd78fep-9f;
    p = p * x2 + 0x1.1279ecp-3f;
    p = p * x3;
    q = q * x2 + 0x1.a988c0p-6f;
    q = q * x2 + 0x1.de9244p-2f;
    q = q * x2 + 1.0f;
    p = p + x;
    return p / q;
}

/* Eigen's pexp_float for one lane (its pldexp: 2^b three times and 2^(m - 3b); the same bits as
 * its fast ldexp wherever that one runs), then max(x, .) and 0 below -104. */
static float te_eigen_pexp_lane(float x)
{
    const float a = te_sse_minf(0x1.62e45ap+6f, x);
    const float m = te_floorf(a * 0x1.715476p+0f + 0.5f);
    float r = m * -0x1.63p-1f + a;
    float r2, u, v, y, e, c;
    int32_t n, b;
    r = m * 0x1.bd0106p-13f + r;
    r2 = r * r;
    u = r2 * 0x1.6850e4p-10f + 0x1.555b98p-5f;
    v = r2 * 0x1.123bccp-7f + 0x1.55548ep-3f;
    u = u * r2 + 0x1.fffff8p-2f;
    v = v * r;
    v = v + u;
    v = v * r2;
    y = v + (r + 1.0f);
    e = te_sse_minf(278.0f, te_sse_maxf(-278.0f, m));
    if (e != e) {
        return x; /* NaN lane: NaN */
    }
    n = (int32_t)e;
    b = (n >= 0) ? n / 4 : -((3 - n) / 4); /* floor(n / 4) */
    c = te_f32_from_bits((uint32_t)(b + 127) << 23);
    y = y * c;
    y = y * c;
    y = y * c;
    y = te_f32_from_bits((uint32_t)(n - 3 * b + 127) << 23) * y;
    y = te_sse_maxf(x, y);
    return (x < -104.0f) ? 0.0f : y;
}

/* Eigen's erfc for float: one lane of its packet path (packet != 0) or its scalar path. */
static float te_eigen_erfc(float z, int packet)
{
    const float zc = te_sse_minf(11.0f, te_sse_maxf(-11.0f, z));
    const float z2 = zc * zc;
    float p = z2 * 0x1.268bd4p-11f + -0x1.42082ap-8f;
    float t, hi, lo, err, e, q, num, den, r;
    p = p * z2 + 0x1.b5937p-6f;
    p = p * z2 + -0x1.ce077cp-4f;
    p = p * z2 + 0x1.812660p-2f;
    p = p * z2 + -0x1.20dd74p+0f;
    if (!(1.0f < z2)) {
        return p * zc + 1.0f;
    }
    /* zc^2 = z2 + err exactly (Dekker), exp(-zc^2) ~ exp(-z2) (1 - err). */
    t = zc * 4097.0f;
    hi = (zc - t) + t;
    lo = zc - hi;
    err = ((hi * hi - z2) + hi * lo) + hi * lo;
    err = lo * lo + err;
    e = packet ? (104.0f < z2 ? 0.0f : te_eigen_pexp_lane(-z2)) : te_expf(-z2);
    e = e - err * e;
    q = 1.0f / z2;
    num = q * 0x1.a21fdcp-4f + 0x1.b781f4p-2f;
    num = num * q + 0x1.4b8fd0p-2f;
    num = num * q + 0x1.ba2370p-5f;
    den = q * 0x1.1aa6c8p-6f + 0x1.90c3bap-2f;
    den = den * q + 1.0f;
    den = den * q + 0x1.3e53b6p-1f;
    den = den * q + 0x1.87d5c8p-4f;
    den = den * zc;
    r = num / den;
    r = r * e;
    return ((zc < 0.0f) ? 2.0f : 0.0f) + r;
}

void te_gelu_f32(const te_gelu_f32_params *p, const float *input, float *output)
{
    const int32_t packets = p->size & ~3;
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const float x = input[i];
        float g;
        if (p->approximate) {
            const float inner = (x * x * x * 0.044715f + x) * 0x1.988454p-1f; /* * (float)sqrt(2 / pi) */
            g = te_eigen_tanhf(inner) + 1.0f;
        } else {
            g = te_eigen_erfc(x * -0x1.6a09e6p-1f, i < packets); /* erfc(x * -(float)M_SQRT1_2) */
        }
        output[i] = (0.5f * x) * g;
    }
}

TE_FLOAT_STRICT_END
