/* Test stand-in for ThrowTheSwitch's Unity, used only where PlatformIO's registry cannot be
 * reached (tests/integration/test_platformio.py): the macros the example's tests use, printing
 * the lines PlatformIO's Unity runner reads ("file:line:test:PASS|FAIL: message", summary). */
#ifndef UNITY_STANDIN_H
#define UNITY_STANDIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void setUp(void);
void tearDown(void);
void UnityBegin(const char *file);
int UnityEnd(void);
void UnityDefaultTestRun(void (*func)(void), const char *name, int line);
void UnityAssertInt(long expected, long actual, int line);
void UnityAssertBytes(const void *expected, const void *actual, size_t n, int line);

#define UNITY_BEGIN() UnityBegin(__FILE__)
#define UNITY_END() UnityEnd()
#define RUN_TEST(func) UnityDefaultTestRun(func, #func, __LINE__)
#define TEST_ASSERT_EQUAL_INT(e, a) UnityAssertInt((long)(e), (long)(a), __LINE__)
#define TEST_ASSERT_EQUAL_INT8_ARRAY(e, a, n) UnityAssertBytes((e), (a), (size_t)(n), __LINE__)

#ifdef __cplusplus
}
#endif
#endif
