/* Compares tinyengine's te_math functions with the host C library bit for bit.
 *
 *   math_check FUNC FIRST LAST STRIDE     every STRIDE-th float bit pattern in [FIRST, LAST]
 *   math_check fma N SEED                 N random (and adversarial) triples: te_fma_soft vs fma()
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

static const struct {
    const char *name;
    f32_fn ours, host;
} FUNCS[] = {
    {"expf", te_expf, expf},   {"logf", te_logf, logf}, {"expm1f", te_expm1f, expm1f},
    {"tanhf", te_tanhf, tanhf}, {"sinf", te_sinf, sinf}, {"cosf", te_cosf, cosf},
    {"sqrtf", te_sqrtf, sqrtf},
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

int main(int argc, char **argv)
{
    size_t f;
    uint64_t first, last, stride, u, n = 0, bad = 0;
    if (argc == 4 && strcmp(argv[1], "fma") == 0) {
        return check_fma(strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0));
    }
    if (argc != 5) {
        fprintf(stderr, "usage: math_check FUNC FIRST LAST STRIDE | math_check fma N SEED\n");
        return 2;
    }
    for (f = 0; f < sizeof FUNCS / sizeof FUNCS[0]; ++f) {
        if (strcmp(argv[1], FUNCS[f].name) == 0) {
            break;
        }
    }
    if (f == sizeof FUNCS / sizeof FUNCS[0]) {
        fprintf(stderr, "unknown function %s\n", argv[1]);
        return 2;
    }
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
