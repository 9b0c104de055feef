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
