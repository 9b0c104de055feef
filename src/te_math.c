/* tinyengine: expf, logf, expm1f, tanhf, sinf, cosf and sqrtf with the host reference's bits on
 * every core (see te_math.h for what the reference is and why these match it).
 *
 * expf / logf / sinf / cosf follow the published algorithms of Arm's optimized-routines
 * (https://github.com/ARM-software/optimized-routines, math/; MIT OR Apache-2.0 WITH
 * LLVM-exception), which glibc ships; their tables and polynomial coefficients are those
 * published numbers. Where glibc's x86-64 FMA build (the one LiteRT calls on this host) fuses
 * a multiply and an add, the code below calls TE_FMA, in the same order of operations.
 * expm1f / tanhf follow fdlibm's single-precision algorithms (Sun Microsystems, freely
 * redistributable), glibc's generic build: float arithmetic throughout, no FMA.
 */
#include "tinyengine/te_math.h"

TE_FLOAT_STRICT_BEGIN

/* ---------------------------------------------------------------- bits */

static uint64_t te_f64_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double te_f64_from_bits(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Arithmetic shift right of a negative-capable int32 (C leaves >> of negatives to the compiler). */
static int32_t te_asr32(int32_t v, int s)
{
    const uint32_t u = (uint32_t)v >> s;
    return (int32_t)(v < 0 ? (u | ~(0xffffffffu >> s)) : u);
}

/* Results of invalid operations as the x86 reference produces them: the "real indefinite"
 * default NaN (sign bit set); a NaN input comes back quieted with its payload. */
#define TE_X86_DEFAULT_NAN 0xffc00000u

static float te_quiet_nan(float x)
{
    return te_f32_from_bits(te_f32_bits(x) | 0x00400000u);
}

/* ---------------------------------------------------------------- exact fused multiply-add */

typedef struct {
    uint64_t hi, lo;
} te_u128;

static int te_clz128(te_u128 x)
{
    return x.hi ? te_clz64(x.hi) : 64 + te_clz64(x.lo);
}

static te_u128 te_shl128(te_u128 x, int n) /* 0 <= n < 128 */
{
    te_u128 r;
    if (n == 0) {
        return x;
    }
    if (n >= 64) {
        r.hi = x.lo << (n - 64);
        r.lo = 0;
    } else {
        r.hi = (x.hi << n) | (x.lo >> (64 - n));
        r.lo = x.lo << n;
    }
    return r;
}

static te_u128 te_shr128(te_u128 x, int n) /* 0 <= n < 128 */
{
    te_u128 r;
    if (n == 0) {
        return x;
    }
    if (n >= 64) {
        r.lo = x.hi >> (n - 64);
        r.hi = 0;
    } else {
        r.lo = (x.lo >> n) | (x.hi << (64 - n));
        r.hi = x.hi >> n;
    }
    return r;
}

/* x / 2^n with every shifted-out bit OR-ed into bit 0 ("sticky"), n >= 0. */
static te_u128 te_shr128_sticky(te_u128 x, int n)
{
    te_u128 r;
    int lost;
    if (n == 0) {
        return x;
    }
    if (n >= 128) {
        r.hi = 0;
        r.lo = (x.hi | x.lo) != 0;
        return r;
    }
    r = te_shr128(x, n);
    lost = (te_shl128(r, n).hi != x.hi) || (te_shl128(r, n).lo != x.lo);
    r.lo |= (uint64_t)lost;
    return r;
}

static int te_ge128(te_u128 a, te_u128 b)
{
    return a.hi > b.hi || (a.hi == b.hi && a.lo >= b.lo);
}

/* The 106-bit product of two 53-bit integers. */
static te_u128 te_mul53(uint64_t a, uint64_t b)
{
    const uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    const uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    te_u128 r;
    r.lo = (mid << 32) | (uint32_t)p00;
    r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return r;
}

#define TE_F64_MANT ((uint64_t)0x000fffffffffffffu)
#define TE_F64_HIDDEN ((uint64_t)1 << 52)

/* a * b + c with one rounding to nearest even, in integer arithmetic. Exact for all finite
 * operands, subnormals included; infinities and NaNs go through a * b + c. */
double te_fma_soft(double a, double b, double c)
{
    const uint64_t ua = te_f64_bits(a), ub = te_f64_bits(b), uc = te_f64_bits(c);
    int ea = (int)((ua >> 52) & 0x7ff), eb = (int)((ub >> 52) & 0x7ff), ec = (int)((uc >> 52) & 0x7ff);
    uint64_t ma = ua & TE_F64_MANT, mb = ub & TE_F64_MANT, mc = uc & TE_F64_MANT, mant, sign;
    const int sp = (int)((ua ^ ub) >> 63), sc = (int)(uc >> 63);
    te_u128 p, q, x, y, s, lost;
    int ep, eq, ex, shift, m, l, sx;

    if (ea == 0x7ff || eb == 0x7ff || ec == 0x7ff) {
        return a * b + c;
    }
    if (ea) ma |= TE_F64_HIDDEN; else ea = 1;
    if (eb) mb |= TE_F64_HIDDEN; else eb = 1;
    if (ec) mc |= TE_F64_HIDDEN; else ec = 1;
    if (ma == 0 || mb == 0 || mc == 0) {
        return a * b + c; /* an exact zero term: one rounding at most */
    }
    /* Both terms as integers with their top bit at bit 125 times 2^e: p = a * b, q = c. */
    p = te_mul53(ma, mb);
    shift = te_clz128(p) - 2;
    p = te_shl128(p, shift);
    ep = ea + eb - 2 * 1075 - shift;
    q.hi = 0;
    q.lo = mc;
    shift = te_clz128(q) - 2;
    q = te_shl128(q, shift);
    eq = ec - 1075 - shift;
    /* x the larger magnitude, y aligned to it. x has at least 19 zero low bits, so the sticky
     * bit of y never decides a rounding (the rounding position stays above bit 1). */
    if (ep > eq || (ep == eq && te_ge128(p, q))) {
        x = p; ex = ep; sx = sp; y = te_shr128_sticky(q, ep - eq);
    } else {
        x = q; ex = eq; sx = sc; y = te_shr128_sticky(p, eq - ep);
    }
    if (sp == sc) {
        s.lo = x.lo + y.lo;
        s.hi = x.hi + y.hi + (s.lo < x.lo);
    } else {
        s.lo = x.lo - y.lo;
        s.hi = x.hi - y.hi - (x.lo < y.lo);
        if ((s.hi | s.lo) == 0) {
            return 0.0; /* exact cancellation: +0 when rounding to nearest */
        }
    }
    sign = (uint64_t)sx << 63;
    /* Round s * 2^ex to 53 bits (fewer when the result is subnormal). */
    m = 127 - te_clz128(s);
    l = m - 52;
    if (l + ex < -1074) {
        l = -1074 - ex;
    }
    if (l >= 128) {
        return te_f64_from_bits(sign);
    }
    if (l <= 0) {
        mant = s.lo << (-l);
    } else {
        mant = te_shr128(s, l).lo;
        lost = te_shl128(s, 128 - l); /* the bits below the last kept one, top aligned */
        if (lost.hi > ((uint64_t)1 << 63) || (lost.hi == ((uint64_t)1 << 63) && (lost.lo != 0 || (mant & 1)))) {
            mant += 1;
            if (mant == ((uint64_t)1 << 53)) {
                mant >>= 1;
                l += 1;
            }
        }
    }
    if (mant >= TE_F64_HIDDEN) {
        const int biased = l + ex + 52 + 1023;
        if (biased >= 0x7ff) {
            return te_f64_from_bits(sign | ((uint64_t)0x7ff << 52));
        }
        return te_f64_from_bits(sign | ((uint64_t)biased << 52) | (mant & TE_F64_MANT));
    }
    return te_f64_from_bits(sign | mant); /* subnormal (l + ex == -1074) or zero */
}

/* ---------------------------------------------------------------- expf */

/* 2^(i/32) as doubles, minus i << 47 so that adding k << 47 puts k / 32 into the exponent. */
static const uint64_t te_exp2f_tab[32] = {
    0x3ff0000000000000u, 0x3fefd9b0d3158574u, 0x3fefb5586cf9890fu, 0x3fef9301d0125b51u,
    0x3fef72b83c7d517bu, 0x3fef54873168b9aau, 0x3fef387a6e756238u, 0x3fef1e9df51fdee1u,
    0x3fef06fe0a31b715u, 0x3feef1a7373aa9cbu, 0x3feedea64c123422u, 0x3feece086061892du,
    0x3feebfdad5362a27u, 0x3feeb42b569d4f82u, 0x3feeab07dd485429u, 0x3feea47eb03a5585u,
    0x3feea09e667f3bcdu, 0x3fee9f75e8ec5f74u, 0x3feea11473eb0187u, 0x3feea589994cce13u,
    0x3feeace5422aa0dbu, 0x3feeb737b0cdc5e5u, 0x3feec49182a3f090u, 0x3feed503b23e255du,
    0x3feee89f995ad3adu, 0x3feeff76f2fb5e47u, 0x3fef199bdd85529cu, 0x3fef3720dcef9069u,
    0x3fef5818dcfba487u, 0x3fef7c97337b9b5fu, 0x3fefa4afa2a490dau, 0x3fefd0765b6e4540u,
};
#define TE_EXPF_INVLN2N 0x1.71547652b82fep+5 /* 32 / ln 2 */
#define TE_EXPF_SHIFT 0x1.8p+52              /* rounds to an integer when added */
#define TE_EXPF_C0 0x1.c6af84b912394p-20     /* 2^(r/32) ~ 1 + C2 r + C1 r^2 + C0 r^3 */
#define TE_EXPF_C1 0x1.ebfce50fac4f3p-13
#define TE_EXPF_C2 0x1.62e42ff0c52d6p-6

float te_expf(float x)
{
    const uint32_t ix = te_f32_bits(x);
    const uint32_t abstop = (ix >> 20) & 0x7ff;
    double xd, kd, r, r2, y, z, s;
    uint64_t ki, t;

    if (abstop >= 0x42b) { /* |x| >= 88, or NaN */
        if (ix == 0xff800000u) {
            return 0.0f;
        }
        if (abstop >= 0x7f8) {
            return x + x;
        }
        if (x > 0x1.62e42ep6f) {
            return te_f32_from_bits(0x7f800000u); /* overflow */
        }
        if (x < -0x1.9fe368p6f) {
            return 0.0f; /* underflow */
        }
        if (x < -0x1.9d1d9ep6f) {
            return te_f32_from_bits(1u); /* glibc's "may underflow" result: 2^-149 */
        }
    }
    xd = (double)x;
    /* x * 32 / ln2 = k + r, k the nearest integer. */
    kd = TE_FMA(TE_EXPF_INVLN2N, xd, TE_EXPF_SHIFT);
    ki = te_f64_bits(kd);
    kd -= TE_EXPF_SHIFT;
    r = TE_FMA(TE_EXPF_INVLN2N, xd, -kd);
    /* exp(x) = 2^(k/32) * 2^(r/32). */
    t = te_exp2f_tab[ki % 32] + (ki << 47);
    s = te_f64_from_bits(t);
    z = TE_FMA(TE_EXPF_C0, r, TE_EXPF_C1);
    r2 = r * r;
    y = TE_FMA(TE_EXPF_C2, r, 1.0);
    y = TE_FMA(z, r2, y);
    y = y * s;
    return (float)y;
}

/* ---------------------------------------------------------------- logf */

/* Per subinterval i of [0x3f330000, 2 * 0x3f330000): 1/c and log(c) for c near its centre. */
static const double te_logf_tab[16][2] = {
    {0x1.661ec79f8f3bep+0, -0x1.57bf7808caadep-2}, {0x1.571ed4aaf883dp+0, -0x1.2bef0a7c06ddbp-2},
    {0x1.49539f0f010bp+0, -0x1.01eae7f513a67p-2},  {0x1.3c995b0b80385p+0, -0x1.b31d8a68224e9p-3},
    {0x1.30d190c8864a5p+0, -0x1.6574f0ac07758p-3}, {0x1.25e227b0b8eap+0, -0x1.1aa2bc79c81p-3},
    {0x1.1bb4a4a1a343fp+0, -0x1.a4e76ce8c0e5ep-4}, {0x1.12358f08ae5bap+0, -0x1.1973c5a611cccp-4},
    {0x1.0953f419900a7p+0, -0x1.252f438e10c1ep-5}, {0x1p+0, 0x0p+0},
    {0x1.e608cfd9a47acp-1, 0x1.aa5aa5df25984p-5},  {0x1.ca4b31f026aap-1, 0x1.c5e53aa362eb4p-4},
    {0x1.b2036576afce6p-1, 0x1.526e57720db08p-3}, {0x1.9c2d163a1aa2dp-1, 0x1.bc2860d22477p-3},
    {0x1.886e6037841edp-1, 0x1.1058bc8a07ee1p-2}, {0x1.767dcf5534862p-1, 0x1.4043057b6ee09p-2},
};
#define TE_LOGF_LN2 0x1.62e42fefa39efp-1
#define TE_LOGF_A0 -0x1.00ea348b88334p-2 /* log1p(r) ~ r + A2 r^2 + A1 r^3 + A0 r^4 */
#define TE_LOGF_A1 0x1.5575b0be00b6ap-2
#define TE_LOGF_A2 -0x1.ffffef20a4123p-2
#define TE_LOGF_OFF 0x3f330000u

float te_logf(float x)
{
    uint32_t ix = te_f32_bits(x), tmp, iz;
    int32_t k;
    int i;
    double z, r, r2, y, y0, invc, logc;

    if (ix == 0x3f800000u) {
        return 0.0f;
    }
    if (ix - 0x00800000u >= 0x7f800000u - 0x00800000u) { /* subnormal, zero, negative, inf, NaN */
        if (ix * 2 == 0) {
            return te_f32_from_bits(0xff800000u); /* -inf */
        }
        if (ix == 0x7f800000u) {
            return x;
        }
        if (ix * 2 > 0xff000000u) {
            return te_quiet_nan(x);
        }
        if (ix & 0x80000000u) {
            return te_f32_from_bits(TE_X86_DEFAULT_NAN);
        }
        ix = te_f32_bits(x * 0x1p23f); /* normalise a subnormal */
        ix -= 23u << 23;
    }
    /* x = 2^k z, z in [OFF, 2 OFF) exactly; log(x) = log1p(z/c - 1) + log(c) + k ln2. */
    tmp = ix - TE_LOGF_OFF;
    i = (int)((tmp >> 19) % 16);
    k = te_asr32((int32_t)tmp, 23);
    iz = ix - (tmp & 0xff800000u);
    invc = te_logf_tab[i][0];
    logc = te_logf_tab[i][1];
    z = (double)te_f32_from_bits(iz);
    r = TE_FMA(z, invc, -1.0);
    y0 = TE_FMA((double)k, TE_LOGF_LN2, logc);
    r2 = r * r;
    y = TE_FMA(r, TE_LOGF_A1, TE_LOGF_A2);
    y = TE_FMA(r2, TE_LOGF_A0, y);
    y = TE_FMA(y, r2, r + y0);
    return (float)y;
}

/* ---------------------------------------------------------------- expm1f, tanhf (fdlibm) */

float te_expm1f(float x)
{
    const float o_threshold = 8.8721679688e+01f; /* 0x42b17180 */
    const float ln2_hi = 6.9313812256e-01f;      /* 0x3f317180 */
    const float ln2_lo = 9.0580006145e-06f;      /* 0x3717f7d1 */
    const float invln2 = 1.4426950216e+00f;      /* 0x3fb8aa3b */
    const float q1 = -3.3333335072e-02f, q2 = 1.5873016091e-03f, q3 = -7.9365076090e-05f;
    const float q4 = 4.0082177293e-06f, q5 = -2.0109921195e-07f;
    float hi, lo, c = 0.0f, t, e, hxs, hfx, r1, y;
    int32_t k;
    uint32_t hx = te_f32_bits(x);
    const uint32_t xsb = hx & 0x80000000u;

    hx &= 0x7fffffffu;
    if (hx >= 0x4195b844u) { /* |x| >= 27 ln2 */
        if (hx >= 0x42b17218u) { /* |x| >= 88.72 */
            if (hx > 0x7f800000u) {
                return te_quiet_nan(x);
            }
            if (hx == 0x7f800000u) {
                return xsb == 0 ? x : -1.0f;
            }
            if (x > o_threshold) {
                return te_f32_from_bits(0x7f800000u);
            }
        }
        if (xsb != 0) {
            return -1.0f;
        }
    }
    if (hx > 0x3eb17218u) { /* |x| > ln2 / 2: reduce */
        if (hx < 0x3f851592u) { /* and |x| < 1.5 ln2 */
            if (xsb == 0) {
                hi = x - ln2_hi; lo = ln2_lo; k = 1;
            } else {
                hi = x + ln2_hi; lo = -ln2_lo; k = -1;
            }
        } else {
            k = (int32_t)(invln2 * x + (xsb == 0 ? 0.5f : -0.5f));
            t = (float)k;
            hi = x - t * ln2_hi; /* exact */
            lo = t * ln2_lo;
        }
        x = hi - lo;
        c = (hi - x) - lo;
    } else if (hx < 0x33000000u) { /* |x| < 2^-25 */
        return x;
    } else {
        k = 0;
    }
    hfx = 0.5f * x;
    hxs = x * hfx;
    r1 = 1.0f + hxs * (q1 + hxs * (q2 + hxs * (q3 + hxs * (q4 + hxs * q5))));
    t = 3.0f - r1 * hfx;
    e = hxs * ((r1 - t) / (6.0f - x * t));
    if (k == 0) {
        return x - (x * e - hxs);
    }
    e = (x * (e - c) - c);
    e -= hxs;
    if (k == -1) {
        return 0.5f * (x - e) - 0.5f;
    }
    if (k == 1) {
        if (x < -0.25f) {
            return -2.0f * (e - (x + 0.5f));
        }
        return 1.0f + 2.0f * (x - e);
    }
    if (k <= -2 || k > 56) { /* exp(x) - 1 ~ exp(x) */
        y = 1.0f - (e - x);
        y = te_f32_from_bits(te_f32_bits(y) + ((uint32_t)k << 23));
        return y - 1.0f;
    }
    if (k < 23) {
        t = te_f32_from_bits(0x3f800000u - (0x1000000u >> k)); /* 1 - 2^-k */
        y = t - (e - x);
    } else {
        t = te_f32_from_bits((uint32_t)(0x7f - k) << 23); /* 2^-k */
        y = x - (e + t);
        y += 1.0f;
    }
    return te_f32_from_bits(te_f32_bits(y) + ((uint32_t)k << 23));
}

float te_tanhf(float x)
{
    const uint32_t jx = te_f32_bits(x), ix = jx & 0x7fffffffu;
    float t, z;

    if (ix >= 0x7f800000u) { /* inf or NaN */
        if (ix > 0x7f800000u) {
            return te_quiet_nan(x);
        }
        return (jx >> 31) ? -1.0f : 1.0f;
    }
    if (ix < 0x41b00000u) { /* |x| < 22 */
        if (ix == 0) {
            return x;
        }
        if (ix < 0x24000000u) { /* |x| < 2^-55 */
            return x * (1.0f + x);
        }
        if (ix >= 0x3f800000u) { /* |x| >= 1 */
            t = te_expm1f(2.0f * te_f32_from_bits(ix));
            z = 1.0f - 2.0f / (t + 2.0f);
        } else {
            t = te_expm1f(-2.0f * te_f32_from_bits(ix));
            z = -t / (t + 2.0f);
        }
    } else {
        z = 1.0f - 1.0e-30f;
    }
    return (jx >> 31) ? -z : z;
}

/* ---------------------------------------------------------------- sinf, cosf */

typedef struct {
    double sign[4]; /* sign of the sine in quadrants 0..3 */
    double hpi_inv; /* 2/pi * 2^24 */
    double hpi;     /* pi/2 */
    double c0, c1, c2, c3, c4; /* cosine polynomial (negated in the second table) */
    double s1, s2, s3;         /* sine polynomial */
} te_sincosf_consts;

static const te_sincosf_consts te_sincosf_tab[2] = {
    {{1.0, -1.0, -1.0, 1.0}, 0x1.45F306DC9C883p+23, 0x1.921FB54442D18p0,
     0x1p0, -0x1.ffffffd0c621cp-2, 0x1.55553e1068f19p-5, -0x1.6c087e89a359dp-10, 0x1.99343027bf8c3p-16,
     -0x1.555545995a603p-3, 0x1.1107605230bc4p-7, -0x1.994eb3774cf24p-13},
    {{1.0, -1.0, -1.0, 1.0}, 0x1.45F306DC9C883p+23, 0x1.921FB54442D18p0,
     -0x1p0, 0x1.ffffffd0c621cp-2, -0x1.55553e1068f19p-5, 0x1.6c087e89a359dp-10, -0x1.99343027bf8c3p-16,
     -0x1.555545995a603p-3, 0x1.1107605230bc4p-7, -0x1.994eb3774cf24p-13},
};

/* 4/pi in 32-bit windows that advance by 8 bits (the binary expansion 0xa2f9836e 4e441529 ...). */
static const uint32_t te_inv_pio4[24] = {
    0xa2u,       0xa2f9u,     0xa2f983u,   0xa2f9836eu, 0xf9836e4eu, 0x836e4e44u, 0x6e4e4415u, 0x4e441529u,
    0x441529fcu, 0x1529fc27u, 0x29fc2757u, 0xfc2757d1u, 0x2757d1f5u, 0x57d1f534u, 0xd1f534ddu, 0xf534ddc0u,
    0x34ddc0dbu, 0xddc0db62u, 0xc0db6295u, 0xdb629599u, 0x6295993cu, 0x95993c43u, 0x993c4390u, 0x3c439041u,
};
#define TE_PI63 0x1.921FB54442D18p-62 /* 2 pi 2^-64 */
#define TE_PIO4_TOP12 0x3f4u          /* top 12 bits of pi/4 as a float */

static uint32_t te_abstop12(float x)
{
    return (te_f32_bits(x) >> 20) & 0x7ff;
}

/* Sine of x (x2 = x * x) in quadrant n: the sine polynomial for even n, the cosine one for odd. */
static float te_sinf_poly(double x, double x2, const te_sincosf_consts *p, int n)
{
    if ((n & 1) == 0) {
        const double x3 = x * x2;
        const double s1 = TE_FMA(x2, p->s3, p->s2);
        const double x7 = x3 * x2;
        const double s = TE_FMA(x3, p->s1, x);
        return (float)TE_FMA(x7, s1, s);
    } else {
        const double x4 = x2 * x2;
        const double c2 = TE_FMA(x2, p->c4, p->c3);
        const double c1 = TE_FMA(x2, p->c1, p->c0);
        const double x6 = x4 * x2;
        const double c = TE_FMA(x4, p->c2, c1);
        return (float)TE_FMA(x6, c2, c);
    }
}

/* |x| < 120: x - n pi/2 with n the nearest quadrant (from a 2^24-scaled truncation). */
static double te_reduce_fast(double x, const te_sincosf_consts *p, int *np)
{
    const double r = x * p->hpi_inv;
    const int32_t n = te_asr32((int32_t)r + 0x800000, 24);
    *np = (int)n;
    return TE_FMA(-(double)n, p->hpi, x);
}

/* |x| >= 120 (xi its bits): the exact 2.62 fixed-point remainder of x * 4/pi, in radians. */
static double te_reduce_large(uint32_t xi, int *np)
{
    const uint32_t *arr = &te_inv_pio4[(xi >> 26) & 15];
    const int shift = (int)((xi >> 23) & 7);
    uint64_t n, res0, res1, res2;

    xi = (xi & 0xffffffu) | 0x800000u;
    xi <<= shift;
    res0 = (uint32_t)(xi * arr[0]);
    res1 = (uint64_t)xi * arr[4];
    res2 = (uint64_t)xi * arr[8];
    res0 = (res2 >> 32) | (res0 << 32);
    res0 += res1;
    n = (res0 + ((uint64_t)1 << 61)) >> 62;
    res0 -= n << 62;
    *np = (int)n;
    return (double)(int64_t)res0 * TE_PI63;
}

static float te_sincosf(float y, int cosine)
{
    double x = (double)y;
    double s;
    int n;
    const te_sincosf_consts *p = &te_sincosf_tab[0];
    const uint32_t top = te_abstop12(y);

    if (top < TE_PIO4_TOP12) {
        if (top < 0x398u) { /* |y| < 2^-12 */
            return cosine ? 1.0f : y;
        }
        return te_sinf_poly(x, x * x, p, cosine);
    }
    if (top < 0x42fu) { /* |y| < 120 */
        x = te_reduce_fast(x, p, &n);
        s = p->sign[n & 3];
        if (n & 2) {
            p = &te_sincosf_tab[1];
        }
        return te_sinf_poly(x * s, x * x, p, n ^ cosine);
    }
    if (top < 0x7f8u) {
        const uint32_t xi = te_f32_bits(y);
        const int sign = (int)(xi >> 31);
        x = te_reduce_large(xi, &n);
        s = p->sign[(n + sign) & 3];
        if ((n + sign) & 2) {
            p = &te_sincosf_tab[1];
        }
        return te_sinf_poly(x * s, x * x, p, n ^ cosine);
    }
    return (te_f32_bits(y) & 0x7fffffffu) > 0x7f800000u ? te_quiet_nan(y)
                                                       : te_f32_from_bits(TE_X86_DEFAULT_NAN);
}

float te_sinf(float x)
{
    return te_sincosf(x, 0);
}

float te_cosf(float x)
{
    return te_sincosf(x, 1);
}

/* ---------------------------------------------------------------- floorf */

float te_floorf(float x)
{
    float f;
    if (!(x < 8388608.0f && x > -8388608.0f)) {
        return x != x ? te_quiet_nan(x) : x; /* an integer already, or inf / NaN */
    }
    f = (float)(int32_t)x;
    if (f > x) {
        f -= 1.0f;
    }
    return te_f32_from_bits(te_f32_bits(f) | (te_f32_bits(x) & 0x80000000u)); /* -0.0 and -0.5 keep their sign */
}

/* ---------------------------------------------------------------- sqrtf */

#if defined(__ARM_FP) && (__ARM_FP & 4) && !defined(__SOFTFP__) && (defined(__GNUC__) || defined(__clang__))
#define TE_SQRTF_VSQRT 1 /* the single-precision FPU's VSQRT.F32 is IEEE exact */
#else
/* Correctly rounded square root of a positive finite float given by its bits, digit by digit. */
static float te_sqrtf_soft(uint32_t ix)
{
    uint32_t m = ix & 0x7fffffu;
    uint64_t big, rem, res, one;
    int e = (int)(ix >> 23), s;

    /* x = m 2^e, m a 24-bit integer (subnormals normalised), then e made even. */
    if (e == 0) {
        while (!(m & 0x800000u)) {
            m <<= 1;
            e -= 1;
        }
        e += 1;
    } else {
        m |= 0x800000u;
    }
    e -= 150;
    if (e & 1) {
        m <<= 1;
        e -= 1;
    }
    /* floor(sqrt(m 2^38)) (31 or 32 bits); sqrt(x) = that * 2^((e - 38) / 2). */
    big = (uint64_t)m << 38;
    rem = big;
    res = 0;
    one = (uint64_t)1 << 62;
    while (one > big) {
        one >>= 2;
    }
    while (one != 0) {
        if (rem >= res + one) {
            rem -= res + one;
            res = (res >> 1) + one;
        } else {
            res >>= 1;
        }
        one >>= 2;
    }
    e = (e - 38) / 2;
    /* Keep 24 bits; the square root of a float never lies exactly halfway, so the first dropped
     * bit alone decides the rounding. */
    s = 40 - te_clz64(res);
    m = (uint32_t)(res >> s);
    if ((res >> (s - 1)) & 1u) {
        m += 1;
    }
    e += s;
    if (m == (1u << 24)) {
        m >>= 1;
        e += 1;
    }
    return te_f32_from_bits(((uint32_t)(e + 23 + 127) << 23) + (m - 0x800000u));
}
#endif

float te_sqrtf(float x)
{
    const uint32_t ix = te_f32_bits(x);
    if (ix >= 0x7f800000u || (ix & 0x7fffffffu) == 0) { /* +-0, +inf, negative, NaN */
        if ((ix & 0x7fffffffu) > 0x7f800000u) {
            return te_quiet_nan(x);
        }
        if (ix == 0x7f800000u || (ix & 0x7fffffffu) == 0) {
            return x;
        }
        return te_f32_from_bits(TE_X86_DEFAULT_NAN);
    }
#ifdef TE_SQRTF_VSQRT
    {
        float r;
        __asm__("vsqrt.f32 %0, %1" : "=t"(r) : "t"(x));
        return r;
    }
#else
    return te_sqrtf_soft(ix);
#endif
}

TE_FLOAT_STRICT_END
