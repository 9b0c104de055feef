/*
 * Unit tests of the inference code, run by `pio test` on the emulated board (QEMU): the
 * tinyengine-qemu platform runs the test firmware and PlatformIO reads Unity's results from it.
 * Only the library (kernels + the generated model) and this file are built, not src/.
 */
#include <string.h>
#include <unity.h>

#include "model.h"

void setUp(void) {}
void tearDown(void) {}

/* The bundled keyword-spotting model: 49x10 int8 features in, 12 int8 class scores out. */
static void test_shapes(void)
{
    TEST_ASSERT_EQUAL_INT(1, MODEL_NUM_INPUTS);
    TEST_ASSERT_EQUAL_INT(1, MODEL_NUM_OUTPUTS);
    TEST_ASSERT_EQUAL_INT(490, MODEL_INPUT0_BYTES);
    TEST_ASSERT_EQUAL_INT(12, MODEL_OUTPUT0_BYTES);
}

/* Same input, same output bytes, every call (no hidden state; the input is refilled because an
 * inference overwrites the arena). The expected bytes are LiteRT's reference for this input. */
static void test_constant_input_gives_the_reference_bytes(void)
{
    static const int8_t expected[12] = {-1, -128, -128, -128, -128, -1, -128, -128, -128, -128, -128, -127};
    for (int round = 0; round < 2; round++) {
        memset(model_input(0), 0, MODEL_INPUT0_BYTES);
        TEST_ASSERT_EQUAL_INT(0, model_invoke());
        TEST_ASSERT_EQUAL_INT8_ARRAY(expected, model_output(0), 12);
    }
}

int main(void)
{
    UNITY_BEGIN();
    RUN_TEST(test_shapes);
    RUN_TEST(test_constant_input_gives_the_reference_bytes);
    return UNITY_END();
}
