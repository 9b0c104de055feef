/*
 * The tinyengine module under twister: the model named in prj.conf (the bundled keyword-spotting
 * model, generated as model.h, the default name) runs and gives LiteRT's reference bytes.
 */
#include <string.h>
#include <zephyr/ztest.h>

#include "model.h"

ZTEST(tinyengine, test_api)
{
	zassert_equal(MODEL_NUM_INPUTS, 1);
	zassert_equal(MODEL_NUM_OUTPUTS, 1);
	zassert_equal(model_input_bytes(0), 490);
	zassert_equal(model_output_bytes(0), 12);
}

/* Zero input: LiteRT BUILTIN_REF gives these bytes; an inference overwrites its input, so it is
 * filled again before each call (the same bytes every time: no hidden state). */
ZTEST(tinyengine, test_reference_bytes)
{
	static const uint8_t expected[12] = {0xff, 0x80, 0x80, 0x80, 0x80, 0xff,
					     0x80, 0x80, 0x80, 0x80, 0x80, 0x81};

	for (int round = 0; round < 2; round++) {
		memset(model_input(0), 0, MODEL_INPUT0_BYTES);
		zassert_equal(model_invoke(), 0);
		zassert_mem_equal(model_output(0), expected, sizeof(expected));
	}
}

ZTEST_SUITE(tinyengine, NULL, NULL, NULL, NULL, NULL);
