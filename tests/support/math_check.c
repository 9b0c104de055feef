/* Compares tinyengine's te_math functions with the host C library bit for bit.
 *
 *   math_check FUNC FIRST LAST STRIDE     every STRIDE-th float bit pattern in [FIRST, LAST]
 *   math_check fma N SEED                 N random (and adversarial) triples: te_fma_soft vs fma()
 *   math_check ties FUNC N STRIDE         the N inputs (of every STRIDE-th float) whose exact result
 *                                         lies closest to a rounding boundary of float (by the host's
 *                                         double function), as hex, one per line: the hard cases
 *
 * Prints "checked <n> mismatches <m>" and the first mismatches (input, host, ours) as hex.
 * Exit status 0 when nothing differs. Built by tests/test_te_math.py with the library's flags.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinyengine/te_math.h"

typedef float (*f32_fn)(float);
typedef double (*f64_fn)(double);

static const struct {
    const char *name;
    f32_fn ours, host;
    f64_fn exact; /* the double function: a near-exact value of the result */
} FUNCS[] = {
    {"expf", te_expf, expf, exp},   {"logf", te_logf, logf, log}, {"expm1f", te_expm1f, expm1f, expm1},
    {"tanhf", te_tanhf, tanhf, tanh}, {"sinf", te_sinf, sinf, sin}, {"cosf", te_cosf, cosf, cos},
    {"sqrtf", te_sqrtf, sqrtf, sqrt},      {"floorf", te_floorf, floorf, floor},
};

static uint32_t f2u(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static float u2f(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }
static uint64_t d2u(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static double u2d(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A random double with exponent in [lo, hi] (unbiased), random sign and mantissa. */
static double rnd_double(int lo, int hi)
{
    const uint64_t e = (uint64_t)(lo + (int)(rnd() % (uint64_t)(hi - lo + 1)) + 1023);
    return u2d((rnd() & 0x800fffffffffffffull) | (e << 52));
}

static int check_fma(uint64_t n, uint64_t seed)
{
    uint64_t i, bad = 0;
    rng_state = seed * 2654435761u + 88172645463325252ull;
    for (i = 0; i < n; ++i) {
        double a, b, c;
        const int kind = (int)(i % 6);
        if (kind == 0) { /* anything normal */
            a = rnd_double(-300, 300); b = rnd_double(-300, 300); c = rnd_double(-600, 600);
        } else if (kind == 1) { /* c close to -a*b: cancellation */
            a = rnd_double(-10, 10); b = rnd_double(-10, 10);
            c = -(a * b);
            c = u2d(d2u(c) + (rnd() % 5) - 2);
        } else if (kind == 2) { /* the ranges te_math uses */
            a = rnd_double(-30, 8); b = rnd_double(-30, 8); c = rnd_double(-30, 8);
        } else if (kind == 3) { /* short mantissas: exact halfway cases */
            a = u2d(d2u(rnd_double(-5, 5)) & ~0x3ffffffull); b = u2d(d2u(rnd_double(-5, 5)) & ~0x3ffffffull);
            c = u2d(d2u(rnd_double(-5, 60)) & ~0xffffull);
        } else if (kind == 4) { /* subnormal results and operands */
            a = rnd_double(-1040, -500); b = rnd_double(-560, -10); c = rnd_double(-1074, -1000);
            if (rnd() & 1) c = u2d(rnd() & 0x800fffffffffffffull);
        } else { /* far apart magnitudes */
            a = rnd_double(-3, 3); b = rnd_double(-3, 3); c = rnd_double(-200, 200);
        }
        {
            const double want = fma(a, b, c), got = te_fma_soft(a, b, c);
            if (d2u(want) != d2u(got)) {
                if (bad < 10) {
                    printf("fma(%a, %a, %a): host %a ours %a\n", a, b, c, want, got);
                }
                bad++;
            }
        }
    }
    printf("checked %llu mismatches %llu\n", (unsigned long long)n, (unsigned long long)bad);
    return bad != 0;
}

static size_t find_function(const char *name)
{
    size_t f;
    for (f = 0; f < sizeof FUNCS / sizeof FUNCS[0]; ++f) {
        if (strcmp(name, FUNCS[f].name) == 0) {
            return f;
        }
    }
    fprintf(stderr, "unknown function %s\n", name);
    exit(2);
}

/* Distance of y to the nearest float rounding boundary (a midpoint between adjacent floats), in
 * units of the float ulp at y: 0 is a tie, 0.5 is a float. */
static double tie_distance(double y)
{
    float f = (float)y;
    double lo, hi, mid, ulp;
    if (!isfinite(y) || y == 0.0 || !isfinite(f) || fabs(y) < 0x1p-126) {
        return 1.0;
    }
    lo = (double)f;
    hi = (double)nextafterf(f, y >= lo ? INFINITY : -INFINITY);
    ulp = fabs(hi - lo);
    mid = (lo + hi) / 2;
    return fabs(y - mid) / ulp;
}

static int find_ties(size_t f, size_t n, uint64_t stride)
{
    uint32_t *best = calloc(n, sizeof *best);
    double *dist = malloc(n * sizeof *dist);
    size_t i, worst = 0;
    uint64_t u;
    for (i = 0; i < n; ++i) {
        dist[i] = 2.0;
    }
    for (u = 0; u <= 0xffffffffull; u += stride) {
        const float x = u2f((uint32_t)u);
        const double d = isfinite(x) ? tie_distance(FUNCS[f].exact((double)x)) : 2.0;
        if (d < dist[worst]) {
            dist[worst] = d;
            best[worst] = (uint32_t)u;
            for (i = 0, worst = 0; i < n; ++i) {
                worst = dist[i] > dist[worst] ? i : worst;
            }
        }
    }
    for (i = 0; i < n; ++i) {
        printf("%08x\n", best[i]);
    }
    free(best);
    free(dist);
    return 0;
}

int main(int argc, char **argv)
{
    size_t f;
    uint64_t first, last, stride, u, n = 0, bad = 0;
    if (argc == 4 && strcmp(argv[1], "fma") == 0) {
        return check_fma(strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0));
    }
    if (argc == 5 && strcmp(argv[1], "ties") == 0) {
        return find_ties(find_function(argv[2]), (size_t)strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
    }
    if (argc != 5) {
        fprintf(stderr, "usage: math_check FUNC FIRST LAST STRIDE | math_check fma N SEED | "
                        "math_check ties FUNC N STRIDE\n");
        return 2;
    }
    f = find_function(argv[1]);
    first = strtoull(argv[2], NULL, 0);
    last = strtoull(argv[3], NULL, 0);
    stride = strtoull(argv[4], NULL, 0);
    for (u = first; u <= last; u += stride) {
        const float x = u2f((uint32_t)u);
        const uint32_t want = f2u(FUNCS[f].host(x)), got = f2u(FUNCS[f].ours(x));
        n++;
        if (want != got) {
            if (bad < 10) {
                printf("%s(%08x %a): host %08x ours %08x\n", FUNCS[f].name, (uint32_t)u, (double)x, want, got);
            }
            bad++;
        }
    }
    printf("checked %llu mismatches %llu\n", (unsigned long long)n, (unsigned long long)bad);
    return bad != 0;
}
