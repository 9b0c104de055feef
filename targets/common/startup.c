/*
 * tinyengine emulated targets: shared startup for every Cortex-M board.
 *
 * Vector table, reset handler (FPU/MVE enable, .data copy, .bss zeroing),
 * semihosting command line -> argc/argv, exit status, fault reporting.
 * Linked with -nostartfiles --specs=rdimon.specs: newlib's crt0 is not
 * used; the harness talks to the host with direct semihosting calls
 * (measure.c) and newlib's rdimon syscalls stay available for anything
 * that wants printf.
 */
#include <stdint.h>
#include <string.h>

#include "measure.h"

extern uint32_t __stack[];        /* top of the stack region */
extern uint32_t __data_start__[]; /* .data run address */
extern uint32_t __data_end__[];
extern uint32_t __data_load__[];  /* .data load address */
extern uint32_t __bss_start__[];
extern uint32_t __bss_end__[];

extern int main(int argc, char **argv);
/* newlib rdimon: weak, so it is only linked (and then initialised) when
 * something uses newlib's I/O, e.g. a printf left in a kernel. */
extern void initialise_monitor_handles(void) __attribute__((weak));

void Reset_Handler(void) __attribute__((noreturn));
void te_fault_handler(void);
void SysTick_Handler(void);

/* Exceptions nobody handles report themselves as faults. */
void NMI_Handler(void) __attribute__((weak, alias("te_fault_handler")));
void HardFault_Handler(void) __attribute__((weak, alias("te_fault_handler")));
void MemManage_Handler(void) __attribute__((weak, alias("te_fault_handler")));
void BusFault_Handler(void) __attribute__((weak, alias("te_fault_handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("te_fault_handler")));
void SecureFault_Handler(void) __attribute__((weak, alias("te_fault_handler")));
void SVC_Handler(void) __attribute__((weak, alias("te_fault_handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("te_fault_handler")));
void PendSV_Handler(void) __attribute__((weak, alias("te_fault_handler")));

typedef void (*te_vector_t)(void);

/* No external interrupts are used; 16 system entries + 16 spare. */
__attribute__((section(".vectors"), used, aligned(128))) const te_vector_t te_vectors[32] = {
    (te_vector_t)__stack,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    SecureFault_Handler,
    0,
    0,
    0,
    SVC_Handler,
    DebugMon_Handler,
    0,
    PendSV_Handler,
    SysTick_Handler,
    te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler,
    te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler,
    te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler,
    te_fault_handler, te_fault_handler, te_fault_handler, te_fault_handler,
};

/* ---- command line (semihosting SYS_GET_CMDLINE) ---- */

#define TE_CMDLINE_MAX 256
#define TE_ARGV_MAX 8
static char te_cmdline[TE_CMDLINE_MAX];
static char *te_argv[TE_ARGV_MAX + 1];

static int te_get_args(void)
{
    uint32_t block[2] = {(uint32_t)(uintptr_t)te_cmdline, TE_CMDLINE_MAX - 1};
    int argc = 0;
    char *p = te_cmdline;
    if (te_semihost(0x15 /* SYS_GET_CMDLINE */, block) != 0)
        te_cmdline[0] = '\0';
    te_cmdline[TE_CMDLINE_MAX - 1] = '\0';
    while (*p && argc < TE_ARGV_MAX) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        te_argv[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    te_argv[argc] = 0;
    return argc;
}

/* ---- reset ---- */

__attribute__((noinline, noreturn)) static void te_c_start(void)
{
    const uint32_t *src = __data_load__;
    uint32_t *dst = __data_start__;
    int argc, rc;
    if (src != dst)
        while (dst < __data_end__)
            *dst++ = *src++;
    for (dst = __bss_start__; dst < __bss_end__;)
        *dst++ = 0;

    if (initialise_monitor_handles)
        initialise_monitor_handles();
    argc = te_get_args();
    te_measure_init();
    rc = main(argc, te_argv);
    te_semihost_exit(rc);
}

void Reset_Handler(void)
{
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__) || \
    defined(__ARM_ARCH_8_1M_MAIN__)
    /* Vector table where this image put it (boards boot from 0x0 or 0x10000000). */
    *(volatile uint32_t *)0xE000ED08u = (uint32_t)(uintptr_t)te_vectors;
#endif
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    /* CPACR: full access to CP10/CP11 = FPU and, on Armv8.1-M, MVE (Helium). */
    *(volatile uint32_t *)0xE000ED88u |= (0xFu << 20);
    __asm volatile("dsb\n\tisb" ::: "memory");
#endif
    /* Nothing above used the FPU; everything below may. */
    te_c_start();
}

/* ---- faults ---- */

static char *te_hex(char *p, uint32_t v)
{
    int i;
    *p++ = '0';
    *p++ = 'x';
    for (i = 28; i >= 0; i -= 4)
        *p++ = "0123456789abcdef"[(v >> i) & 0xFu];
    return p;
}

static char *te_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

/* Print one machine-readable line and exit with status 126. */
void te_fault_report(uint32_t *frame, uint32_t exc_return);
__attribute__((used, noinline)) void te_fault_report(uint32_t *frame, uint32_t exc_return)
{
    char line[160];
    char *p = line;
    uint32_t ipsr;
    (void)exc_return;
    __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
    p = te_str(p, "\nTE_FAULT {\"exception\":\"");
    p = te_hex(p, ipsr & 0x1FFu);
    p = te_str(p, "\",\"pc\":\"");
    p = te_hex(p, frame[6]);
    p = te_str(p, "\",\"lr\":\"");
    p = te_hex(p, frame[5]);
#if __ARM_ARCH >= 7 && !defined(__ARM_ARCH_8M_BASE__)
    p = te_str(p, "\",\"cfsr\":\"");
    p = te_hex(p, *(volatile uint32_t *)0xE000ED28u);
    p = te_str(p, "\",\"bfar\":\"");
    p = te_hex(p, *(volatile uint32_t *)0xE000ED38u);
#endif
    p = te_str(p, "\"}\n");
    *p = '\0';
    te_semihost_puts(line);
    te_semihost_exit(126);
}

__attribute__((naked)) void te_fault_handler(void)
{
    /* Pass the stacked exception frame (MSP or PSP) to te_fault_report. */
    __asm volatile(
        "    .syntax unified\n"
        "    mov   r1, lr\n"
        "    movs  r0, #4\n"
        "    tst   r1, r0\n"
        "    bne   1f\n"
        "    mrs   r0, msp\n"
        "    b     2f\n"
        "1:  mrs   r0, psp\n"
        "2:  ldr   r2, =te_fault_report\n"
        "    bx    r2\n"
        "    .ltorg\n");
}

/* crti/crtn are not linked (-nostartfiles); newlib may still reference these. */
void _init(void);
void _fini(void);
__attribute__((weak)) void _init(void) {}
__attribute__((weak)) void _fini(void) {}
