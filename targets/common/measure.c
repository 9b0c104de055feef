/*
 * tinyengine emulated targets: SysTick instruction counting, stack painting,
 * semihosting.  See measure.h.
 */
#include "measure.h"

#include <string.h>

#define SYST_CTRL (*(volatile uint32_t *)0xE000E010u)
#define SYST_LOAD (*(volatile uint32_t *)0xE000E014u)
#define SYST_VAL (*(volatile uint32_t *)0xE000E018u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define ICSR_PENDSTSET (1u << 26)
#define SYST_RELOAD 0xFFFFFFu

#define TE_CAL_ITERATIONS 2000000u /* 4e6 instructions: ~1e5 ticks */
#define TE_EDGE_LOOP_INSNS 4u      /* instructions per te_sync_edge iteration */
#define TE_STACK_PATTERN 0xA5C3E10Fu

/* SysTick exceptions taken (raised when VAL reaches 0, once per 2^24 ticks). */
static volatile uint32_t te_systick_wraps;
static uint32_t te_ipt_milli = 40000u; /* instructions per tick x 1000 */
static uint32_t te_overhead;           /* empty-window result, subtracted */
static uint32_t te_delay = 20u;        /* te_fine_sync delay, set at init */
static uint32_t te_sync_retries;       /* diagnostics: windows that missed */

void SysTick_Handler(void)
{
    te_systick_wraps++;
}

/* ------------------------------------------------------------------------ */
/* Assembly helpers with exact, compiler-independent instruction counts.    */
/* Thumb-1 only so that they assemble for ARMv6-M as well.                  */

uint32_t te_sync_edge(volatile uint32_t *val);
__attribute__((naked, noinline)) uint32_t te_sync_edge(volatile uint32_t *val)
{
    (void)val;
    /* Spin until SysTick VAL changes; returns the number of iterations,
     * each TE_EDGE_LOOP_INSNS (4) instructions long. */
    __asm volatile(
        "    .syntax unified\n"
        "    ldr   r1, [r0]\n"
        "    movs  r2, #0\n"
        "1:  ldr   r3, [r0]\n"
        "    adds  r2, r2, #1\n"
        "    cmp   r3, r1\n"
        "    beq   1b\n"
        "    movs  r0, r2\n"
        "    bx    lr\n");
}

__attribute__((naked, noinline)) void te_known_loop(uint32_t n)
{
    (void)n;
    __asm volatile(
        "    .syntax unified\n"
        "1:  subs  r0, r0, #1\n"
        "    bne   1b\n"
        "    bx    lr\n");
}

/*
 * Locate a SysTick edge to one instruction.  A coarse loop (4 instructions
 * per iteration, k iterations) finds edge E0; a delay of exactly d + 2
 * instructions then puts a window of 7 consecutive loads of VAL over the
 * next edge E1 = E0 + one tick.  n = number of window loads that still saw
 * the old value: the edge lies right before load n, valid when 1 <= n <= 6.
 *   entry -> E1    : TE_SYNC_PRE + 4k + d + n instructions
 *   E1 -> return   : TE_SYNC_POST - n
 *   failed attempt : TE_SYNC_FAIL + 4k + d
 * (counted from the code below; -icount counts instructions, not cycles.)
 */
typedef struct {
    uint32_t n;  /* window loads before E1 (0..7) */
    uint32_t k;  /* coarse iterations */
    uint32_t v1; /* VAL right after E1 */
    uint32_t v0; /* VAL right after E0 */
} te_sync_t;
#define TE_SYNC_PRE 9u
#define TE_SYNC_POST 43u
#define TE_SYNC_FAIL 52u

void te_fine_sync(volatile uint32_t *val, uint32_t d, te_sync_t *out);
__attribute__((naked, noinline)) void te_fine_sync(volatile uint32_t *val, uint32_t d, te_sync_t *out)
{
    (void)val;
    (void)d;
    (void)out;
    __asm volatile(
        "    .syntax unified\n"
        "    push  {r2, r4, r5, r6, r7}\n" /* 1 */
        "    mov   r4, r8\n"               /* 2 */
        "    push  {r4}\n"                 /* 3 */
        "    movs  r4, #0\n"               /* 4: k */
        "    ldr   r2, [r0]\n"             /* 5 */
        "1:  ldr   r3, [r0]\n"             /* coarse: 4 per iteration */
        "    adds  r4, r4, #1\n"
        "    cmp   r3, r2\n"
        "    beq   1b\n"
        "    mov   ip, r3\n"               /* V0 */
        "    mov   r8, r4\n"               /* k */
        "    lsrs  r1, r1, #1\n"           /* delay: 2 + d instructions */
        "    bcc   2f\n"
        "    nop\n"
        "2:  subs  r1, r1, #1\n"
        "    bne   2b\n"
        "    ldr   r1, [r0]\n"             /* window: 7 loads */
        "    ldr   r2, [r0]\n"
        "    ldr   r3, [r0]\n"
        "    ldr   r4, [r0]\n"
        "    ldr   r5, [r0]\n"
        "    ldr   r6, [r0]\n"
        "    ldr   r7, [r0]\n"
        "    ldr   r0, [sp, #4]\n"         /* out */
        "    str   r7, [r0, #8]\n"         /* v1 */
        "    mov   r0, ip\n"
        "    subs  r1, r1, r0\n"           /* 0 where the load saw V0 */
        "    subs  r2, r2, r0\n"
        "    subs  r3, r3, r0\n"
        "    subs  r4, r4, r0\n"
        "    subs  r5, r5, r0\n"
        "    subs  r6, r6, r0\n"
        "    subs  r7, r7, r0\n"
        "    rsbs  r7, r7, #0\n"           /* C = (x == 0) */
        "    movs  r0, #0\n"
        "    adcs  r0, r0\n"
        "    movs  r7, #0\n"
        "    rsbs  r1, r1, #0\n"
        "    adcs  r0, r7\n"
        "    rsbs  r2, r2, #0\n"
        "    adcs  r0, r7\n"
        "    rsbs  r3, r3, #0\n"
        "    adcs  r0, r7\n"
        "    rsbs  r4, r4, #0\n"
        "    adcs  r0, r7\n"
        "    rsbs  r5, r5, #0\n"
        "    adcs  r0, r7\n"
        "    rsbs  r6, r6, #0\n"
        "    adcs  r0, r7\n"
        "    ldr   r2, [sp, #4]\n"
        "    str   r0, [r2, #0]\n"         /* n */
        "    mov   r3, r8\n"
        "    str   r3, [r2, #4]\n"         /* k */
        "    mov   r3, ip\n"
        "    str   r3, [r2, #12]\n"        /* v0 */
        "    pop   {r4}\n"
        "    mov   r8, r4\n"
        "    pop   {r2, r4, r5, r6, r7}\n"
        "    bx    lr\n");
}

/* ------------------------------------------------------------------------ */

/* Ticks elapsed since SysTick start; *val gets the VAL sample used. */
static uint64_t te_read_ticks(uint32_t *val)
{
    uint32_t primask, v2, w, pend;
    __asm volatile("mrs %0, primask" : "=r"(primask));
    __asm volatile("cpsid i" ::: "memory");
    v2 = SYST_VAL;
    pend = SCB_ICSR & ICSR_PENDSTSET; /* after the VAL read */
    w = te_systick_wraps;
    __asm volatile("msr primask, %0" ::"r"(primask) : "memory");
    if (val)
        *val = v2;
    /* The exception is raised when VAL reaches 0 (not at the reload); one
     * not taken yet is still pending. */
    if (pend)
        w++;
    /* VAL == 0 is the last tick of the period that exception closed.
     * (Before the first reload VAL also reads 0, with no exception.) */
    if (v2 == 0)
        return w ? ((uint64_t)(w - 1) << 24) + SYST_RELOAD : 0u;
    return ((uint64_t)w << 24) + (SYST_RELOAD - v2);
}

/* Sync to an edge; returns its tick index.  *before: instructions from the
 * call to the edge, *after: from the edge to the return of te_fine_sync. */
static uint64_t te_sync(uint32_t *before, uint32_t *after)
{
    te_sync_t s;
    uint32_t pre = 0, v_now;
    uint64_t now;
    int tries;
    for (tries = 0;; tries++) {
        te_fine_sync(&SYST_VAL, te_delay, &s);
        if ((s.n >= 1 && s.n <= 6) || tries == 16)
            break;
        /* Missed window (near a counter wrap): retry, ~exact cost. */
        pre += TE_SYNC_FAIL + 4u * s.k + te_delay + 6u;
        te_sync_retries++;
    }
    now = te_read_ticks(&v_now);
    *before = pre + TE_SYNC_PRE + 4u * s.k + te_delay + s.n;
    *after = TE_SYNC_POST - s.n;
    return now - ((s.v1 - v_now) & SYST_RELOAD);
}

void te_measure_begin_impl(te_mark_t *mark) __attribute__((used, noinline, noclone));
void te_measure_begin_impl(te_mark_t *mark)
{
    uint32_t before, after;
    mark->ticks = te_sync(&before, &after);
    mark->after = after;
}

static int64_t te_measure_raw(const te_mark_t *mark)
{
    uint32_t before, after;
    uint64_t ticks = te_sync(&before, &after) - mark->ticks;
    int64_t milli = (int64_t)(ticks * te_ipt_milli) - 1000 * (int64_t)(mark->after + before);
    return milli >= 0 ? (milli + 500) / 1000 : -((-milli + 500) / 1000);
}

uint64_t te_measure_end_impl(const te_mark_t *mark) __attribute__((used, noinline, noclone));
uint64_t te_measure_end_impl(const te_mark_t *mark)
{
    int64_t n = te_measure_raw(mark) - (int64_t)te_overhead;
    return n > 0 ? (uint64_t)n : 0u;
}

/* te_measure_begin/end run on a stack of their own, so that the stack
 * high-water measured around a window is the measured code's only.
 * Measured depth: <= 320 bytes at -O0, ~120 at -O3, plus one exception
 * frame (up to 104 bytes with FP context). */
#if defined(__ARM_FP)
#define TE_MEASURE_STACK_BYTES 768
#else
#define TE_MEASURE_STACK_BYTES 512
#endif
#define TE_XSTR2(x) #x
#define TE_XSTR(x) TE_XSTR2(x)
__attribute__((used, aligned(8))) uint64_t te_measure_stack[TE_MEASURE_STACK_BYTES / 8];

__attribute__((naked, noinline)) void te_measure_begin(te_mark_t *mark)
{
    (void)mark;
    __asm volatile(
        "    .syntax unified\n"
        "    mov   r2, sp\n"
        "    ldr   r3, =te_measure_stack + " TE_XSTR(TE_MEASURE_STACK_BYTES) "\n"
        "    mov   sp, r3\n"
        "    push  {r2, lr}\n"
        "    bl    te_measure_begin_impl\n"
        "    pop   {r2, r3}\n"
        "    mov   sp, r2\n"
        "    bx    r3\n"
        "    .ltorg\n");
}

__attribute__((naked, noinline)) uint64_t te_measure_end(const te_mark_t *mark)
{
    (void)mark;
    __asm volatile(
        "    .syntax unified\n"
        "    mov   r2, sp\n"
        "    ldr   r3, =te_measure_stack + " TE_XSTR(TE_MEASURE_STACK_BYTES) "\n"
        "    mov   sp, r3\n"
        "    push  {r2, lr}\n"
        "    bl    te_measure_end_impl\n"
        "    pop   {r2, r3}\n"
        "    mov   sp, r2\n"
        "    bx    r3\n"
        "    .ltorg\n");
}

void te_measure_init(void)
{
    te_mark_t m;
    uint32_t k, round, i;
    uint64_t ticks, insns;
    int64_t r, lo;
    te_sync_t s;

    SYST_CTRL = 0;
    SYST_LOAD = SYST_RELOAD;
    SYST_VAL = 0;
    te_systick_wraps = 0;
    SYST_CTRL = 7u; /* processor clock, interrupt, enable */

    /* 1. Instructions per tick, coarse: a loop of known length between two
     *    edges found by a 4-instruction polling loop. */
    (void)te_sync_edge(&SYST_VAL);
    m.ticks = te_read_ticks(0);
    te_known_loop(TE_CAL_ITERATIONS);
    k = te_sync_edge(&SYST_VAL);
    ticks = te_read_ticks(0) - m.ticks;
    insns = 2ull * TE_CAL_ITERATIONS + (uint64_t)k * TE_EDGE_LOOP_INSNS;
    if (ticks != 0)
        te_ipt_milli = (uint32_t)((insns * 1000u + ticks / 2u) / ticks);

    /* 2. Delay that centres the fine-sync window on the next edge
     *    (window hits n in 1..6; aim for the middle over many phases). */
    te_delay = te_ipt_milli / 1000u > 15u ? te_ipt_milli / 1000u - 13u : 2u;
    for (round = 0; round < 16; round++) {
        uint32_t nmin = 7, nmax = 0;
        for (i = 0; i < 16; i++) {
            te_known_loop(1u + i);
            te_fine_sync(&SYST_VAL, te_delay, &s);
            if (s.v0 <= 1u)
                continue; /* wrap nearby: not representative */
            if (s.n < nmin)
                nmin = s.n;
            if (s.n > nmax)
                nmax = s.n;
        }
        if (nmax >= 7u || nmin + nmax > 8u)
            te_delay += 1u; /* window too early: loads before the edge */
        else if ((nmin == 0u || nmin + nmax < 6u) && te_delay > 2u)
            te_delay -= 1u;
        else
            break;
    }

    /* 3. Instructions per tick again, from exactly located edges: two
     *    loops of different lengths, so that the constant cost of the code
     *    around them cancels. */
    {
        uint32_t b0, a0, b1, a1, pass;
        int64_t part[2];
        uint64_t tk[2];
        for (pass = 0; pass < 2; pass++) {
            uint32_t n = pass ? TE_CAL_ITERATIONS : 1000u;
            uint64_t t0 = te_sync(&b0, &a0);
            te_known_loop(n);
            tk[pass] = te_sync(&b1, &a1) - t0;
            part[pass] = 2 * (int64_t)n + a0 + b1;
        }
        if (tk[1] > tk[0] && part[1] > part[0])
            te_ipt_milli = (uint32_t)(((uint64_t)(part[1] - part[0]) * 1000u + (tk[1] - tk[0]) / 2u) /
                                      (tk[1] - tk[0]));
    }

    /* 4. Fixed cost of an empty window (same path as a real measurement). */
    te_overhead = 0;
    lo = 0;
    for (i = 0; i < 8; i++) {
        te_known_loop(1u + 3u * i);
        te_measure_begin(&m);
        r = (int64_t)te_measure_end(&m);
        if (i == 0 || r < lo)
            lo = r;
    }
    te_overhead = (uint32_t)lo;
    te_sync_retries = 0;
}

uint32_t te_instructions_per_tick_milli(void) { return te_ipt_milli; }
uint32_t te_measure_overhead(void) { return te_overhead; }
uint32_t te_measure_sync_delay(void) { return te_delay; }
uint32_t te_measure_sync_retries(void) { return te_sync_retries; }

/* ------------------------------------------------------------------------ */
/* Per-op profiling (see measure.h).  A hook closes the open window with an  */
/* exact edge sync (te_measure_raw), books it, and opens the next window     */
/* with a second sync, so the bookkeeping between the two syncs is never     */
/* counted; what is counted of the hook itself (its return after the sync,   */
/* the argument set-up and call of the next hook, its entry up to the sync)  */
/* is the same for every hook and is calibrated away by te_profile_init().   */

static te_mark_t te_prof_mark;
static int32_t te_prof_counts[TE_PROFILE_MAX_STEPS];
static uint32_t te_prof_armed;    /* hooks measure only when armed */
static uint32_t te_prof_window;   /* a window is open */
static uint32_t te_prof_calib;    /* calibrating: keep the minimum raw window */
static uint32_t te_prof_nsteps, te_prof_ndropped, te_prof_ovh;
static int64_t te_prof_tail_n, te_prof_total_n, te_prof_cal_min;

void te_profile_hook_impl(int32_t step) __attribute__((used, noinline, noclone));
void te_profile_hook_impl(int32_t step)
{
    int64_t n;
    if (!te_prof_armed)
        return;
    /* Same path up to this sync for every armed hook. */
    n = te_measure_raw(&te_prof_mark);
    if (te_prof_window) {
        if (te_prof_calib) {
            if (te_prof_cal_min < 0 || n < te_prof_cal_min)
                te_prof_cal_min = n;
        } else {
            n -= (int64_t)te_prof_ovh;
            te_prof_total_n += n;
            if (step == TE_PROFILE_STOP) {
                te_prof_tail_n = n;
            } else if (step >= 0 && step < TE_PROFILE_MAX_STEPS) {
                te_prof_counts[step] += (int32_t)n;
                if ((uint32_t)step + 1u > te_prof_nsteps)
                    te_prof_nsteps = (uint32_t)step + 1u;
            } else {
                te_prof_ndropped++;
            }
        }
    }
    if (step == TE_PROFILE_STOP && !te_prof_calib) {
        te_prof_armed = 0;
        te_prof_window = 0;
        return;
    }
    te_prof_window = 1;
    te_measure_begin_impl(&te_prof_mark);
}

/* Runs te_profile_hook_impl on the measurement stack (the model's stack
 * high-water does not see the hooks). */
__attribute__((naked, noinline)) void te_profile_hook(int32_t step)
{
    (void)step;
    __asm volatile(
        "    .syntax unified\n"
        "    mov   r2, sp\n"
        "    ldr   r3, =te_measure_stack + " TE_XSTR(TE_MEASURE_STACK_BYTES) "\n"
        "    mov   sp, r3\n"
        "    push  {r2, lr}\n"
        "    bl    te_profile_hook_impl\n"
        "    pop   {r2, r3}\n"
        "    mov   sp, r2\n"
        "    bx    r3\n"
        "    .ltorg\n");
}

/* Two hooks back to back, called the way generated code calls them
 * (argument in r0, then bl): the raw window between them is the overhead. */
void te_profile_calib_pair(void);
__attribute__((naked, noinline)) void te_profile_calib_pair(void)
{
    __asm volatile(
        "    .syntax unified\n"
        "    push  {r4, lr}\n"
        "    movs  r0, #0\n"
        "    bl    te_profile_hook\n"
        "    movs  r0, #1\n"
        "    bl    te_profile_hook\n"
        "    pop   {r4, pc}\n");
}

void te_profile_init(void)
{
    uint32_t i;
    te_prof_calib = 1;
    te_prof_cal_min = -1;
    te_prof_armed = 1;
    for (i = 0; i < 8; i++) {
        te_prof_window = 0;
        te_known_loop(1u + 3u * i);
        te_profile_calib_pair();
    }
    te_prof_ovh = te_prof_cal_min > 0 ? (uint32_t)te_prof_cal_min : 0u;
    te_prof_armed = 0;
    te_prof_window = 0;
    te_prof_calib = 0;
}

void te_profile_arm(void)
{
    memset(te_prof_counts, 0, sizeof te_prof_counts);
    te_prof_nsteps = 0;
    te_prof_ndropped = 0;
    te_prof_tail_n = 0;
    te_prof_total_n = 0;
    te_prof_window = 0;
    te_prof_calib = 0;
    te_prof_armed = 1;
}

uint32_t te_profile_steps(void) { return te_prof_nsteps; }
int64_t te_profile_count(uint32_t step)
{
    return step < TE_PROFILE_MAX_STEPS ? (int64_t)te_prof_counts[step] : 0;
}
int64_t te_profile_tail(void) { return te_prof_tail_n; }
int64_t te_profile_total(void) { return te_prof_total_n; }
uint32_t te_profile_hook_overhead(void) { return te_prof_ovh; }
uint32_t te_profile_dropped(void) { return te_prof_ndropped; }

/* ------------------------------------------------------------------------ */
/* Stack painting.                                                          */

extern char __stack_limit[]; /* linker script: lowest stack address */
uint32_t te_paint_bottom;
uint32_t te_paint_top;

/* Naked so it uses no stack of its own: paints [bottom, caller SP). */
__attribute__((naked, noinline)) void te_stack_paint(size_t max_bytes)
{
    (void)max_bytes;
    __asm volatile(
        "    .syntax unified\n"
        "    mov   r3, sp\n"
        "    ldr   r1, =__stack_limit\n"
        "    subs  r2, r3, r0\n"
        "    bcc   1f\n"          /* max_bytes > sp: use the limit */
        "    cmp   r2, r1\n"
        "    bhs   2f\n"
        "1:  mov   r2, r1\n"
        "2:  adds  r2, r2, #3\n"  /* align up to 4 */
        "    movs  r0, #3\n"
        "    bics  r2, r2, r0\n"
        "    ldr   r0, =te_paint_bottom\n"
        "    str   r2, [r0]\n"
        "    ldr   r0, =te_paint_top\n"
        "    str   r3, [r0]\n"
        "    ldr   r0, =0xA5C3E10F\n"
        "3:  cmp   r2, r3\n"
        "    bhs   4f\n"
        "    str   r0, [r2]\n"
        "    adds  r2, r2, #4\n"
        "    b     3b\n"
        "4:  bx    lr\n"
        "    .ltorg\n");
}

size_t te_stack_used(void)
{
    const uint32_t *p = (const uint32_t *)te_paint_bottom;
    const uint32_t *top = (const uint32_t *)te_paint_top;
    if (p >= top)
        return 0;
    if (*p != TE_STACK_PATTERN)
        return (size_t)-1;
    while (p < top && *p == TE_STACK_PATTERN)
        p++;
    return (size_t)((const char *)top - (const char *)p);
}

size_t te_stack_free(void)
{
    uint32_t sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    return sp > (uint32_t)__stack_limit ? sp - (uint32_t)__stack_limit : 0u;
}

/* ------------------------------------------------------------------------ */
/* Semihosting.                                                             */

int te_semihost(int op, void *arg)
{
    register int r0 __asm("r0") = op;
    register void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void te_semihost_puts(const char *s)
{
    te_semihost(0x04 /* SYS_WRITE0 */, (void *)s);
}

int te_sh_open(const char *path, int mode)
{
    uint32_t block[3] = {(uint32_t)(uintptr_t)path, (uint32_t)mode, (uint32_t)strlen(path)};
    return te_semihost(0x01 /* SYS_OPEN */, block);
}

int te_sh_close(int handle)
{
    uint32_t block[1] = {(uint32_t)handle};
    return te_semihost(0x02 /* SYS_CLOSE */, block);
}

int te_sh_read(int handle, void *buf, size_t n)
{
    uint32_t block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, (uint32_t)n};
    int left = te_semihost(0x06 /* SYS_READ: returns bytes not read */, block);
    return left < 0 || (size_t)left > n ? -1 : (int)(n - (size_t)left);
}

int te_sh_write(int handle, const void *buf, size_t n)
{
    uint32_t block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, (uint32_t)n};
    int left = te_semihost(0x05 /* SYS_WRITE: returns bytes not written */, block);
    return left < 0 || (size_t)left > n ? -1 : (int)(n - (size_t)left);
}

int te_sh_seek(int handle, size_t pos)
{
    uint32_t block[2] = {(uint32_t)handle, (uint32_t)pos};
    return te_semihost(0x0A /* SYS_SEEK */, block);
}

void te_semihost_exit(int code)
{
    uint32_t block[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)code};
    te_semihost(0x20 /* SYS_EXIT_EXTENDED */, block);
    /* Fallback for hosts without the extension: reason code only. */
    te_semihost(0x18 /* SYS_EXIT */, (void *)(uintptr_t)(code == 0 ? 0x20026u : 0x20023u));
    for (;;) {
    }
}
