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

/* ---------------------------------------------------------------- exp (double) */

/* optimized-routines math/exp.c (glibc's e_exp.c), N = 128: 2^(k/N) ~= H[k] (1 + T[k]);
 * tab[2k] = bits of T[k], tab[2k+1] = bits of H[k] - (k << 52) / N (math/exp_data.c). */
static const uint64_t te_exp_tab[256] = {
    0x0u, 0x3ff0000000000000u, 0x3c9b3b4f1a88bf6eu, 0x3feff63da9fb3335u,
    0xbc7160139cd8dc5du, 0x3fefec9a3e778061u, 0xbc905e7a108766d1u, 0x3fefe315e86e7f85u,
    0x3c8cd2523567f613u, 0x3fefd9b0d3158574u, 0xbc8bce8023f98efau, 0x3fefd06b29ddf6deu,
    0x3c60f74e61e6c861u, 0x3fefc74518759bc8u, 0x3c90a3e45b33d399u, 0x3fefbe3ecac6f383u,
    0x3c979aa65d837b6du, 0x3fefb5586cf9890fu, 0x3c8eb51a92fdeffcu, 0x3fefac922b7247f7u,
    0x3c3ebe3d702f9cd1u, 0x3fefa3ec32d3d1a2u, 0xbc6a033489906e0bu, 0x3fef9b66affed31bu,
    0xbc9556522a2fbd0eu, 0x3fef9301d0125b51u, 0xbc5080ef8c4eea55u, 0x3fef8abdc06c31ccu,
    0xbc91c923b9d5f416u, 0x3fef829aaea92de0u, 0x3c80d3e3e95c55afu, 0x3fef7a98c8a58e51u,
    0xbc801b15eaa59348u, 0x3fef72b83c7d517bu, 0xbc8f1ff055de323du, 0x3fef6af9388c8deau,
    0x3c8b898c3f1353bfu, 0x3fef635beb6fcb75u, 0xbc96d99c7611eb26u, 0x3fef5be084045cd4u,
    0x3c9aecf73e3a2f60u, 0x3fef54873168b9aau, 0xbc8fe782cb86389du, 0x3fef4d5022fcd91du,
    0x3c8a6f4144a6c38du, 0x3fef463b88628cd6u, 0x3c807a05b0e4047du, 0x3fef3f49917ddc96u,
    0x3c968efde3a8a894u, 0x3fef387a6e756238u, 0x3c875e18f274487du, 0x3fef31ce4fb2a63fu,
    0x3c80472b981fe7f2u, 0x3fef2b4565e27cddu, 0xbc96b87b3f71085eu, 0x3fef24dfe1f56381u,
    0x3c82f7e16d09ab31u, 0x3fef1e9df51fdee1u, 0xbc3d219b1a6fbffau, 0x3fef187fd0dad990u,
    0x3c8b3782720c0ab4u, 0x3fef1285a6e4030bu, 0x3c6e149289cecb8fu, 0x3fef0cafa93e2f56u,
    0x3c834d754db0abb6u, 0x3fef06fe0a31b715u, 0x3c864201e2ac744cu, 0x3fef0170fc4cd831u,
    0x3c8fdd395dd3f84au, 0x3feefc08b26416ffu, 0xbc86a3803b8e5b04u, 0x3feef6c55f929ff1u,
    0xbc924aedcc4b5068u, 0x3feef1a7373aa9cbu, 0xbc9907f81b512d8eu, 0x3feeecae6d05d866u,
    0xbc71d1e83e9436d2u, 0x3feee7db34e59ff7u, 0xbc991919b3ce1b15u, 0x3feee32dc313a8e5u,
    0x3c859f48a72a4c6du, 0x3feedea64c123422u, 0xbc9312607a28698au, 0x3feeda4504ac801cu,
    0xbc58a78f4817895bu, 0x3feed60a21f72e2au, 0xbc7c2c9b67499a1bu, 0x3feed1f5d950a897u,
    0x3c4363ed60c2ac11u, 0x3feece086061892du, 0x3c9666093b0664efu, 0x3feeca41ed1d0057u,
    0x3c6ecce1daa10379u, 0x3feec6a2b5c13cd0u, 0x3c93ff8e3f0f1230u, 0x3feec32af0d7d3deu,
    0x3c7690cebb7aafb0u, 0x3feebfdad5362a27u, 0x3c931dbdeb54e077u, 0x3feebcb299fddd0du,
    0xbc8f94340071a38eu, 0x3feeb9b2769d2ca7u, 0xbc87deccdc93a349u, 0x3feeb6daa2cf6642u,
    0xbc78dec6bd0f385fu, 0x3feeb42b569d4f82u, 0xbc861246ec7b5cf6u, 0x3feeb1a4ca5d920fu,
    0x3c93350518fdd78eu, 0x3feeaf4736b527dau, 0x3c7b98b72f8a9b05u, 0x3feead12d497c7fdu,
    0x3c9063e1e21c5409u, 0x3feeab07dd485429u, 0x3c34c7855019c6eau, 0x3feea9268a5946b7u,
    0x3c9432e62b64c035u, 0x3feea76f15ad2148u, 0xbc8ce44a6199769fu, 0x3feea5e1b976dc09u,
    0xbc8c33c53bef4da8u, 0x3feea47eb03a5585u, 0xbc845378892be9aeu, 0x3feea34634ccc320u,
    0xbc93cedd78565858u, 0x3feea23882552225u, 0x3c5710aa807e1964u, 0x3feea155d44ca973u,
    0xbc93b3efbf5e2228u, 0x3feea09e667f3bcdu, 0xbc6a12ad8734b982u, 0x3feea012750bdabfu,
    0xbc6367efb86da9eeu, 0x3fee9fb23c651a2fu, 0xbc80dc3d54e08851u, 0x3fee9f7df9519484u,
    0xbc781f647e5a3ecfu, 0x3fee9f75e8ec5f74u, 0xbc86ee4ac08b7db0u, 0x3fee9f9a48a58174u,
    0xbc8619321e55e68au, 0x3fee9feb564267c9u, 0x3c909ccb5e09d4d3u, 0x3feea0694fde5d3fu,
    0xbc7b32dcb94da51du, 0x3feea11473eb0187u, 0x3c94ecfd5467c06bu, 0x3feea1ed0130c132u,
    0x3c65ebe1abd66c55u, 0x3feea2f336cf4e62u, 0xbc88a1c52fb3cf42u, 0x3feea427543e1a12u,
    0xbc9369b6f13b3734u, 0x3feea589994cce13u, 0xbc805e843a19ff1eu, 0x3feea71a4623c7adu,
    0xbc94d450d872576eu, 0x3feea8d99b4492edu, 0x3c90ad675b0e8a00u, 0x3feeaac7d98a6699u,
    0x3c8db72fc1f0eab4u, 0x3feeace5422aa0dbu, 0xbc65b6609cc5e7ffu, 0x3feeaf3216b5448cu,
    0x3c7bf68359f35f44u, 0x3feeb1ae99157736u, 0xbc93091fa71e3d83u, 0x3feeb45b0b91ffc6u,
    0xbc5da9b88b6c1e29u, 0x3feeb737b0cdc5e5u, 0xbc6c23f97c90b959u, 0x3feeba44cbc8520fu,
    0xbc92434322f4f9aau, 0x3feebd829fde4e50u, 0xbc85ca6cd7668e4bu, 0x3feec0f170ca07bau,
    0x3c71affc2b91ce27u, 0x3feec49182a3f090u, 0x3c6dd235e10a73bbu, 0x3feec86319e32323u,
    0xbc87c50422622263u, 0x3feecc667b5de565u, 0x3c8b1c86e3e231d5u, 0x3feed09bec4a2d33u,
    0xbc91bbd1d3bcbb15u, 0x3feed503b23e255du, 0x3c90cc319cee31d2u, 0x3feed99e1330b358u,
    0x3c8469846e735ab3u, 0x3feede6b5579fdbfu, 0xbc82dfcd978e9db4u, 0x3feee36bbfd3f37au,
    0x3c8c1a7792cb3387u, 0x3feee89f995ad3adu, 0xbc907b8f4ad1d9fau, 0x3feeee07298db666u,
    0xbc55c3d956dcaebau, 0x3feef3a2b84f15fbu, 0xbc90a40e3da6f640u, 0x3feef9728de5593au,
    0xbc68d6f438ad9334u, 0x3feeff76f2fb5e47u, 0xbc91eee26b588a35u, 0x3fef05b030a1064au,
    0x3c74ffd70a5fddcdu, 0x3fef0c1e904bc1d2u, 0xbc91bdfbfa9298acu, 0x3fef12c25bd71e09u,
    0x3c736eae30af0cb3u, 0x3fef199bdd85529cu, 0x3c8ee3325c9ffd94u, 0x3fef20ab5fffd07au,
    0x3c84e08fd10959acu, 0x3fef27f12e57d14bu, 0x3c63cdaf384e1a67u, 0x3fef2f6d9406e7b5u,
    0x3c676b2c6c921968u, 0x3fef3720dcef9069u, 0xbc808a1883ccb5d2u, 0x3fef3f0b555dc3fau,
    0xbc8fad5d3ffffa6fu, 0x3fef472d4a07897cu, 0xbc900dae3875a949u, 0x3fef4f87080d89f2u,
    0x3c74a385a63d07a7u, 0x3fef5818dcfba487u, 0xbc82919e2040220fu, 0x3fef60e316c98398u,
    0x3c8e5a50d5c192acu, 0x3fef69e603db3285u, 0x3c843a59ac016b4bu, 0x3fef7321f301b460u,
    0xbc82d52107b43e1fu, 0x3fef7c97337b9b5fu, 0xbc892ab93b470dc9u, 0x3fef864614f5a129u,
    0x3c74b604603a88d3u, 0x3fef902ee78b3ff6u, 0x3c83c5ec519d7271u, 0x3fef9a51fbc74c83u,
    0xbc8ff7128fd391f0u, 0x3fefa4afa2a490dau, 0xbc8dae98e223747du, 0x3fefaf482d8e67f1u,
    0x3c8ec3bc41aa2008u, 0x3fefba1bee615a27u, 0x3c842b94c3a9eb32u, 0x3fefc52b376bba97u,
    0x3c8a64a931d185eeu, 0x3fefd0765b6e4540u, 0xbc8e37bae43be3edu, 0x3fefdbfdad9cbe14u,
    0x3c77893b4d91cd9du, 0x3fefe7c1819e90d8u, 0x3c5305c14160cc89u, 0x3feff3c22b8f71f1u,
};
#define TE_EXP_INVLN2N 0x1.71547652b82fep7 /* 128 / ln 2 */
#define TE_EXP_NEGLN2HIN (-0x1.62e42fefa0000p-8)
#define TE_EXP_NEGLN2LON (-0x1.cf79abc9e3b3ap-47)
#define TE_EXP_SHIFT 0x1.8p52
#define TE_EXP_C2 0x1.ffffffffffdbdp-2
#define TE_EXP_C3 0x1.555555555543cp-3
#define TE_EXP_C4 0x1.55555cf172b91p-5
#define TE_EXP_C5 0x1.1111167a4d017p-7

/* scale * (1 + tmp) where scale's exponent has left the double range (|x| > 512 or so). */
static double te_exp_special(double tmp, uint64_t sbits, uint64_t ki)
{
    double scale, y, st;
    if ((ki & 0x80000000u) == 0) {
        sbits -= (uint64_t)1009 << 52; /* k > 0: may overflow */
        scale = te_f64_from_bits(sbits);
        return 0x1p1009 * TE_FMA(scale, tmp, scale);
    }
    sbits += (uint64_t)1022 << 52; /* k < 0: subnormal results rounded once; scale * tmp has two
                                    * uses here, and the FMA build keeps it a plain product */
    scale = te_f64_from_bits(sbits);
    st = scale * tmp;
    y = scale + st;
    if (y < 1.0) {
        double hi, lo;
        lo = scale - y + st;
        hi = 1.0 + y;
        lo = 1.0 - hi + y + lo;
        y = (hi + lo) - 1.0;
        if (y == 0.0) {
            y = 0.0;
        }
    }
    return 0x1p-1022 * y;
}

double te_exp(double x)
{
    uint32_t abstop = (uint32_t)(te_f64_bits(x) >> 52) & 0x7ffu;
    uint64_t ki, idx, top, sbits;
    double kd, r, r2, scale, tail, tmp;

    if (abstop - 0x3c9u >= 0x408u - 0x3c9u) { /* |x| < 2^-54, or |x| >= 512, or inf / NaN */
        if (abstop - 0x3c9u >= 0x80000000u) {
            return 1.0 + x;
        }
        if (abstop >= 0x409u) { /* |x| >= 1024 */
            if (te_f64_bits(x) == 0xfff0000000000000u) {
                return 0.0;
            }
            if (abstop >= 0x7ffu) {
                return 1.0 + x;
            }
            return (te_f64_bits(x) >> 63) ? 0.0 : te_f64_from_bits(0x7ff0000000000000u);
        }
        abstop = 0; /* large |x|: te_exp_special below */
    }
    /* x = k ln2 / N + r, k the nearest integer (the FMA build fuses z = InvLn2N x into the add). */
    kd = TE_FMA(TE_EXP_INVLN2N, x, TE_EXP_SHIFT);
    ki = te_f64_bits(kd);
    kd -= TE_EXP_SHIFT;
    r = TE_FMA(kd, TE_EXP_NEGLN2LON, TE_FMA(kd, TE_EXP_NEGLN2HIN, x));
    idx = 2 * (ki % 128);
    top = ki << 45;
    tail = te_f64_from_bits(te_exp_tab[idx]);
    sbits = te_exp_tab[idx + 1] + top;
    /* tmp = tail + r + r2 (C2 + r C3) + r2 r2 (C4 + r C5), fused as the FMA build fuses it. */
    r2 = r * r;
    tmp = TE_FMA(r2, TE_FMA(r, TE_EXP_C3, TE_EXP_C2), tail + r);
    tmp = TE_FMA(r2 * r2, TE_FMA(r, TE_EXP_C5, TE_EXP_C4), tmp);
    if (abstop == 0) {
        return te_exp_special(tmp, sbits, ki);
    }
    scale = te_f64_from_bits(sbits);
    return TE_FMA(scale, tmp, scale);
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
