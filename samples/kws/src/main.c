/*
 * tinyengine Zephyr sample: one inference of the model named in prj.conf on a deterministic
 * input, outputs printed over the console.
 *
 * The input is a fixed pseudo-random byte pattern (tests/integration reproduces it in Python to
 * check the outputs against LiteRT's reference): for input k, byte i is bits 31..24 of the
 * (i+1)-th step of the LCG  s = s * 1664525 + 1013904223,  s0 = 0x7E57DA7A + k.
 * A real application copies its features (e.g. MFCCs for keyword spotting) into kws_input(0).
 */
#include <stdint.h>

#include <zephyr/sys/printk.h>

#include "kws.h" /* generated at build time from CONFIG_TINYENGINE_MODEL, CONFIG_TINYENGINE_MODEL_NAME="kws" */

static void fill_input(uint8_t *p, size_t n, uint32_t k)
{
	uint32_t s = 0x7E57DA7Au + k;

	for (size_t i = 0; i < n; i++) {
		s = s * 1664525u + 1013904223u;
		p[i] = (uint8_t)(s >> 24);
	}
}

static void print_bytes(const char *what, int index, const uint8_t *p, size_t n)
{
	printk("%s %d: %u bytes: ", what, index, (unsigned int)n);
	for (size_t i = 0; i < n; i++) {
		printk("%02x", p[i]);
	}
	printk("\n");
}

int main(void)
{
	const KWS_OUTPUT0_TYPE *out;
	size_t best = 0;
	int rc;

	for (int k = 0; k < KWS_NUM_INPUTS; k++) {
		fill_input((uint8_t *)kws_input(k), kws_input_bytes(k), (uint32_t)k);
	}

	rc = kws_invoke();
	printk("tinyengine: kws_invoke() = %d, arena %u B\n", rc, (unsigned int)KWS_ARENA_SIZE);
	if (rc != 0) {
		return 0;
	}

	for (int k = 0; k < KWS_NUM_OUTPUTS; k++) {
		print_bytes("output", k, (const uint8_t *)kws_output(k), kws_output_bytes(k));
	}

	out = (const KWS_OUTPUT0_TYPE *)kws_output(0);
	for (size_t i = 1; i < KWS_OUTPUT0_BYTES / sizeof(*out); i++) {
		if (out[i] > out[best]) {
			best = i;
		}
	}
	printk("top class: %u (value %d)\n", (unsigned int)best, (int)out[best]);
	printk("tinyengine sample done\n");
	return 0;
}
