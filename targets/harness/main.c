/*
 * tinyengine emulated-target harness, generic over the generated model.
 *
 * Build with  -DTE_MODEL=<name> -DTE_MODEL_UPPER=<NAME> -include <name>.h
 *
 * Usage (semihosting command line, all optional):
 *     fw.elf [input_file [output_file [K]]]     defaults: te_input.bin te_output.bin 0
 * relative to QEMU's working directory.  The sets are one sequence of calls
 * (the model's state, e.g. an LSTM's, carries over from set to set); K > 0
 * calls <name>_reset() after every K sets.
 *
 * input_file : N input sets back to back; one set = input 0 bytes, input 1
 *              bytes, ... (sizes from <name>_input_bytes()).
 * output_file: N output sets back to back, same layout with the outputs.
 *
 * One warm-up invoke on set 0 and a <name>_reset(), then per set: read the inputs, invoke
 * (instruction count and stack measured around the invoke only), write
 * the outputs.  On stdout, one line per set, then one summary line:
 *   TE_SET <index> <instructions>
 *   TE_RESULT {"model":..., "status":0, "sets":N, "instructions_first":...,
 *              "warmup_instructions":..., "stack_bytes":..., ...}
 * The exit status is invoke's status (125 for a harness error).
 *
 * Profile build (-DTE_PROFILE, model compiled with -DTE_PROFILE -include
 * measure.h): the first measured inference (set 0) runs with the model's
 * TE_PROFILE_HOOK(step) calls armed and is counted per op; right after its
 * TE_SET line comes
 *   TE_PROFILE <instructions of op 0> <op 1> ... <op k-1>
 * and its TE_SET count is the sum of the per-op counts plus the invoke's
 * epilogue (the hooks' own instructions excluded).  TE_RESULT then also
 * carries "profile_steps", "profile_tail", "profile_hook_overhead" and
 * "profile_dropped".  The other sets are measured as usual (each op's hook
 * then costs ~17 instructions doing nothing).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "measure.h"

/* Host I/O goes through direct semihosting calls (measure.c), not newlib's
 * stdio or rdimon syscalls: those link malloc and stdio buffers (2+ KB of
 * RAM, too much on a 16 KB part) for nothing. */
static int te_stdout = -1;

#if !defined(TE_MODEL) || !defined(TE_MODEL_UPPER)
#error "build with -DTE_MODEL=<name> -DTE_MODEL_UPPER=<NAME> -include <name>.h"
#endif

#define TE_CAT2(a, b) a##b
#define TE_CAT(a, b) TE_CAT2(a, b)
#define TE_STR2(a) #a
#define TE_STR(a) TE_STR2(a)
#define TE_FN(suffix) TE_CAT(TE_MODEL, suffix)
#define TE_UP(suffix) TE_CAT(TE_MODEL_UPPER, suffix)

#define TE_NUM_INPUTS TE_UP(_NUM_INPUTS)
#define TE_NUM_OUTPUTS TE_UP(_NUM_OUTPUTS)
#define TE_ARENA_SIZE TE_UP(_ARENA_SIZE)

#ifndef TE_INPUT_FILE
#define TE_INPUT_FILE "te_input.bin"
#endif
#ifndef TE_OUTPUT_FILE
#define TE_OUTPUT_FILE "te_output.bin"
#endif
#ifndef TE_STACK_PAINT_BYTES /* stack below the harness that is painted */
#define TE_STACK_PAINT_BYTES (256u * 1024u)
#endif
#define TE_HARNESS_ERROR 125

/* ---- tiny buffered writer to stdout (no stdio, no malloc) ---- */

static char te_buf[128];
static size_t te_len;

static void te_flush(void)
{
    if (te_len)
        (void)te_sh_write(te_stdout, te_buf, te_len);
    te_len = 0;
}

static void te_puts(const char *s)
{
    while (*s) {
        if (te_len == sizeof te_buf)
            te_flush();
        te_buf[te_len++] = *s++;
    }
}

static void te_putu(uint64_t v)
{
    char tmp[24];
    int i = 0;
    do {
        tmp[i++] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v);
    while (i) {
        if (te_len == sizeof te_buf)
            te_flush();
        te_buf[te_len++] = tmp[--i];
    }
}

static void te_puti(int64_t v)
{
    if (v < 0) {
        te_puts("-");
        te_putu((uint64_t)(-v));
    } else {
        te_putu((uint64_t)v);
    }
}

/* ---- results ---- */

static int read_full(int fd, void *dst, size_t n)
{
    char *p = (char *)dst;
    size_t got = 0;
    while (got < n) {
        int r = te_sh_read(fd, p + got, n - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return (int)got;
}

/* 1 = a full set was read, 0 = clean end of file, -1 = truncated set. */
static int read_set(int fd)
{
    int i;
    for (i = 0; i < TE_NUM_INPUTS; i++) {
        size_t n = TE_FN(_input_bytes)(i);
        int got = read_full(fd, TE_FN(_input)(i), n);
        if (i == 0 && got == 0 && n != 0)
            return 0;
        if ((size_t)got != n)
            return -1;
    }
    return 1;
}

static int write_set(int fd)
{
    int i;
    for (i = 0; i < TE_NUM_OUTPUTS; i++) {
        size_t n = TE_FN(_output_bytes)(i);
        if (te_sh_write(fd, TE_FN(_output)(i), n) != (int)n)
            return -1;
    }
    return 0;
}

/* Measured invoke: instructions and stack used by the model only. */
static int invoke_measured(uint64_t *insns, size_t *stack)
{
    te_mark_t mark;
    int rc;
    size_t used;
    te_stack_paint(TE_STACK_PAINT_BYTES);
    te_measure_begin(&mark);
    rc = TE_FN(_invoke)();
    *insns = te_measure_end(&mark);
    used = te_stack_used();
    if (used == (size_t)-1 || *stack == (size_t)-1)
        *stack = (size_t)-1;
    else if (used > *stack)
        *stack = used;
    return rc;
}

#ifdef TE_PROFILE
/* Set 0 of a profile build: per-op windows replace the outer measurement
 * (nesting the two would count the hooks). */
static int invoke_profiled(uint64_t *insns, size_t *stack)
{
    int rc;
    size_t used;
    int64_t total;
    te_profile_arm();
    te_stack_paint(TE_STACK_PAINT_BYTES);
    te_profile_hook(TE_PROFILE_START);
    rc = TE_FN(_invoke)();
    te_profile_hook(TE_PROFILE_STOP);
    total = te_profile_total();
    *insns = total > 0 ? (uint64_t)total : 0u;
    used = te_stack_used();
    if (used == (size_t)-1 || *stack == (size_t)-1)
        *stack = (size_t)-1;
    else if (used > *stack)
        *stack = used;
    return rc;
}

static void te_report_profile(void)
{
    uint32_t i, n = te_profile_steps();
    te_puts("TE_PROFILE");
    for (i = 0; i < n; i++) {
        te_puts(" ");
        te_puti(te_profile_count(i));
    }
    te_puts("\n");
    te_flush();
}
#endif

/* Per-set counts go out as one line each right after the set ran
 * ("TE_SET <index> <instructions>"), so any number of sets needs no RAM and
 * a printf left in the model cannot break the summary line. */
static uint64_t te_first, te_min, te_max, te_total;

static void te_report_set(uint32_t index, uint64_t insns)
{
    te_puts("\nTE_SET ");
    te_putu(index);
    te_puts(" ");
    te_putu(insns);
    te_puts("\n");
    te_flush();
    if (index == 0)
        te_first = te_min = te_max = insns;
    if (insns < te_min)
        te_min = insns;
    if (insns > te_max)
        te_max = insns;
    te_total += insns;
}

static int te_report(int status, const char *error, uint32_t sets, uint64_t warmup, size_t stack)
{
    uint32_t i;
    te_puts("\nTE_RESULT {\"model\":\"" TE_STR(TE_MODEL) "\",\"status\":");
    te_puti(status);
    if (error) {
        te_puts(",\"error\":\"");
        te_puts(error);
        te_puts("\"");
    }
    te_puts(",\"sets\":");
    te_putu(sets);
    te_puts(",\"instructions_first\":");
    te_putu(te_first);
    te_puts(",\"instructions_min\":");
    te_putu(te_min);
    te_puts(",\"instructions_max\":");
    te_putu(te_max);
    te_puts(",\"instructions_total\":");
    te_putu(te_total);
    te_puts(",\"instructions_per_tick_milli\":");
    te_putu(te_instructions_per_tick_milli());
    te_puts(",\"measure_overhead\":");
    te_putu(te_measure_overhead());
    te_puts(",\"sync_delay\":");
    te_putu(te_measure_sync_delay());
    te_puts(",\"sync_retries\":");
    te_putu(te_measure_sync_retries());
    te_puts(",\"warmup_instructions\":");
    te_putu(warmup);
    te_puts(",\"stack_bytes\":");
    if (stack == (size_t)-1)
        te_puts("-1");
    else
        te_putu(stack);
    te_puts(",\"stack_painted_bytes\":");
    te_putu(TE_STACK_PAINT_BYTES);
    te_puts(",\"stack_free_bytes\":");
    te_putu(te_stack_free());
    te_puts(",\"arena_bytes\":");
    te_putu((uint64_t)(TE_ARENA_SIZE));
#ifdef TE_PROFILE
    te_puts(",\"profile_steps\":");
    te_putu(te_profile_steps());
    te_puts(",\"profile_tail\":");
    te_puti(te_profile_tail());
    te_puts(",\"profile_hook_overhead\":");
    te_putu(te_profile_hook_overhead());
    te_puts(",\"profile_dropped\":");
    te_putu(te_profile_dropped());
#endif
    te_puts(",\"input_bytes\":[");
    for (i = 0; i < (uint32_t)TE_NUM_INPUTS; i++) {
        if (i)
            te_puts(",");
        te_putu(TE_FN(_input_bytes)((int)i));
    }
    te_puts("],\"output_bytes\":[");
    for (i = 0; i < (uint32_t)TE_NUM_OUTPUTS; i++) {
        if (i)
            te_puts(",");
        te_putu(TE_FN(_output_bytes)((int)i));
    }
    te_puts("]}\n");
    te_flush();
    return status;
}

int main(int argc, char **argv)
{
    const char *in_path = argc > 1 ? argv[1] : TE_INPUT_FILE;
    const char *out_path = argc > 2 ? argv[2] : TE_OUTPUT_FILE;
    uint32_t reset_every = 0;
    uint64_t warmup = 0, n;
    size_t stack = 0;
    uint32_t sets = 0;
    int ifd, ofd, rc, r;

    te_stdout = te_sh_open(":tt", TE_SH_W);
    if (argc > 3) {
        const char *k = argv[3];
        while (*k >= '0' && *k <= '9')
            reset_every = reset_every * 10u + (uint32_t)(*k++ - '0');
    }
#ifdef TE_PROFILE
    te_profile_init();
#endif
    ifd = te_sh_open(in_path, TE_SH_RB);
    if (ifd < 0)
        return te_report(TE_HARNESS_ERROR, "cannot open input file", 0, 0, 0);
    r = read_set(ifd);
    if (r <= 0)
        return te_report(TE_HARNESS_ERROR, r == 0 ? "empty input file" : "truncated input set",
                         0, 0, 0);
    ofd = te_sh_open(out_path, TE_SH_WB);
    if (ofd < 0)
        return te_report(TE_HARNESS_ERROR, "cannot open output file", 0, 0, 0);

    /* Warm-up on set 0 (also the stack measurement of a first call). */
    rc = invoke_measured(&warmup, &stack);
    if (rc != 0)
        return te_report(rc, "invoke failed", 0, warmup, stack);
    TE_FN(_reset)(); /* the sequence starts from the initial state */
    if (te_sh_seek(ifd, 0) != 0)
        return te_report(TE_HARNESS_ERROR, "cannot rewind input file", 0, warmup, stack);

    for (;;) {
        r = read_set(ifd);
        if (r == 0)
            break;
        if (r < 0)
            return te_report(TE_HARNESS_ERROR, "truncated input set", sets, warmup, stack);
#ifdef TE_PROFILE
        if (sets == 0) {
            rc = invoke_profiled(&n, &stack);
            te_report_set(sets, n);
            te_report_profile();
        } else
#endif
        {
            rc = invoke_measured(&n, &stack);
            te_report_set(sets, n);
        }
        sets++;
        if (rc != 0)
            return te_report(rc, "invoke failed", sets, warmup, stack);
        if (write_set(ofd) != 0)
            return te_report(TE_HARNESS_ERROR, "cannot write output file", sets, warmup, stack);
        if (reset_every && sets % reset_every == 0)
            TE_FN(_reset)();
    }
    te_sh_close(ofd);
    te_sh_close(ifd);
    return te_report(0, 0, sets, warmup, stack);
}
