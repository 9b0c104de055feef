#include "unity.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static const char *test_file = "";
static const char *test_name = "";
static int tests, failures;
static jmp_buf abort_frame;

void UnityBegin(const char *file)
{
    test_file = file;
    tests = failures = 0;
}

static void fail(int line, const char *message)
{
    printf("%s:%d:%s:FAIL: %s\n", test_file, line, test_name, message);
    failures++;
    longjmp(abort_frame, 1);
}

void UnityAssertInt(long expected, long actual, int line)
{
    char message[64];
    if (expected != actual) {
        snprintf(message, sizeof message, "Expected %ld Was %ld", expected, actual);
        fail(line, message);
    }
}

void UnityAssertBytes(const void *expected, const void *actual, size_t n, int line)
{
    if (memcmp(expected, actual, n) != 0)
        fail(line, "Memory Mismatch");
}

void UnityDefaultTestRun(void (*func)(void), const char *name, int line)
{
    test_name = name;
    tests++;
    if (setjmp(abort_frame) == 0) {
        setUp();
        func();
        tearDown();
        printf("%s:%d:%s:PASS\n", test_file, line, name);
    }
}

int UnityEnd(void)
{
    printf("\n-----------------------\n%d Tests %d Failures 0 Ignored\n%s\n", tests, failures, failures ? "FAIL" : "OK");
    return failures;
}
