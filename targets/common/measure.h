/*
 * tinyengine emulated targets: instruction counting, stack painting and
 * semihosting helpers shared by the harness and the startup code.
 *
 * Instruction counting relies on QEMU's "-icount shift=0": every guest
 * instruction advances virtual time by 1 ns, and SysTick (processor clock,
 * reload 0xFFFFFF) ticks at the board's CPU clock.  te_measure_init()
 * calibrates instructions per tick at boot with a loop of known length, so the
 * same firmware reports instruction counts on every board (40 per tick on the
 * mps2 boards, 31.25 on mps3-an547, 62.5 on microbit, ...).
 */
#ifndef TE_TARGETS_MEASURE_H
#define TE_TARGETS_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- instruction counting (SysTick) ---- */

void SysTick_Handler(void); /* counts counter wraps */

typedef struct {
    uint64_t ticks; /* SysTick tick index of the edge found at the start */
    uint32_t after; /* instructions from that edge to the end of the sync */
} te_mark_t;

/* Start SysTick and calibrate.  Must run before any other te_measure_*. */
void te_measure_init(void);

/* Guest instructions per SysTick tick, times 1000 (40000 on mps2 boards). */
uint32_t te_instructions_per_tick_milli(void);

/* Fixed cost (instructions) that te_measure_end() subtracts: the harness's
 * own begin/end overhead, measured on an empty window at init. */
uint32_t te_measure_overhead(void);

/* Mark the start of a measured window (waits for a SysTick edge first). */
void te_measure_begin(te_mark_t *mark);

/* Instructions executed since te_measure_begin(mark), overhead removed.
 * Both ends are located on a SysTick edge to one instruction, so the count
 * is exact when instructions per tick is an integer (mps2 boards) and
 * within +-1 otherwise. */
uint64_t te_measure_end(const te_mark_t *mark);

/* Diagnostics: fine-sync delay chosen at init, and sync windows that missed
 * their edge since init (each costs a few instructions of accuracy). */
uint32_t te_measure_sync_delay(void);
uint32_t te_measure_sync_retries(void);

/* Known workload: 2 * n + small constant instructions (n >= 1). */
void te_known_loop(uint32_t n);

/* ---- per-op profiling (profile builds: -DTE_PROFILE) ----
 *
 * The generated invoke calls TE_PROFILE_HOOK(step) after every op when the
 * macro is defined; with TE_PROFILE this header maps it to te_profile_hook()
 * (build_firmware(profile=True) compiles the model with -DTE_PROFILE
 * -include measure.h).  Between te_profile_arm() and te_profile_hook(
 * TE_PROFILE_STOP) every hook closes a window on a SysTick edge (exact, like
 * te_measure_end) and opens the next one, so each op's count excludes the
 * hook's own instructions (its fixed cost, calibrated by te_profile_init(),
 * is subtracted).  When not armed a hook costs ~17 instructions and records
 * nothing.  The hooks run on the measurement stack: no stack of the model. */
#define TE_PROFILE_START (-1)
#define TE_PROFILE_STOP (-2)
#ifndef TE_PROFILE_MAX_STEPS
#define TE_PROFILE_MAX_STEPS 512
#endif

void te_profile_hook(int32_t step);
/* Calibrate the hook cost (after te_measure_init). */
void te_profile_init(void);
/* Clear the counts and arm: the next hook (TE_PROFILE_START) opens the first
 * window, every following one closes the window of op <step>, until
 * TE_PROFILE_STOP closes the last one (the tail) and disarms. */
void te_profile_arm(void);
/* After TE_PROFILE_STOP: steps seen (highest step + 1), instructions of op
 * <step> (0 if it never reported), instructions from the last op hook to
 * TE_PROFILE_STOP (invoke epilogue), and the total of all windows (the
 * armed invoke's instruction count, hooks excluded). */
uint32_t te_profile_steps(void);
int64_t te_profile_count(uint32_t step);
int64_t te_profile_tail(void);
int64_t te_profile_total(void);
/* Calibrated fixed cost subtracted per window; steps outside
 * [0, TE_PROFILE_MAX_STEPS) (their instructions are in the total only). */
uint32_t te_profile_hook_overhead(void);
uint32_t te_profile_dropped(void);

#if defined(TE_PROFILE) && !defined(TE_PROFILE_HOOK)
#define TE_PROFILE_HOOK(step) te_profile_hook((int32_t)(step))
#endif

/* ---- stack high-water ---- */

/* Paint the free stack below the caller's frame (at most max_bytes of it)
 * and remember the caller's stack pointer.  Call right before the code to
 * measure, in the same function. */
void te_stack_paint(size_t max_bytes);

/* Bytes of stack used below the painted point since te_stack_paint().
 * Returns (size_t)-1 if the painted region was exhausted (overflow risk). */
size_t te_stack_used(void);

/* Bytes between the stack limit (end of .bss / heap start) and the
 * current stack pointer. */
size_t te_stack_free(void);

/* ---- semihosting (direct calls: no newlib stdio/malloc needed) ---- */
int te_semihost(int op, void *arg);
void te_semihost_puts(const char *s);          /* SYS_WRITE0 (QEMU: stderr) */
void te_semihost_exit(int code) __attribute__((noreturn)); /* SYS_EXIT(_EXTENDED) */

/* Host files.  Modes as in SYS_OPEN: TE_SH_RB, TE_SH_WB; ":tt" opened with
 * TE_SH_W is the host console (stdout).  Return -1 on error. */
#define TE_SH_W 4
#define TE_SH_RB 1
#define TE_SH_WB 5
int te_sh_open(const char *path, int mode);
int te_sh_close(int handle);
int te_sh_read(int handle, void *buf, size_t n);        /* bytes read */
int te_sh_write(int handle, const void *buf, size_t n); /* bytes written */
int te_sh_seek(int handle, size_t pos);                 /* 0 on success */

#ifdef __cplusplus
}
#endif

#endif /* TE_TARGETS_MEASURE_H */
