/*
 * tinyengine Zephyr glue: one boot-time log line saying which model and which kernel path
 * this image carries (compiled with the kernels' own flags, so it reports what they use).
 * Built only with CONFIG_LOG and CONFIG_TINYENGINE_LOG_LEVEL >= INF.
 */
#include <zephyr/init.h>
#include <zephyr/logging/log.h>

#include "tinyengine/te_common.h"
#include TINYENGINE_MODEL_HEADER

LOG_MODULE_REGISTER(tinyengine, CONFIG_TINYENGINE_LOG_LEVEL);

#define TE_CAT2(a, b) a##b
#define TE_CAT(a, b) TE_CAT2(a, b)
#define TE_M(suffix) TE_CAT(TINYENGINE_MODEL_UPPER, suffix)

#if defined(TE_USE_MVE)
#define TE_KERNELS "helium"
#elif defined(TE_USE_DSP)
#define TE_KERNELS "dsp"
#else
#define TE_KERNELS "portable"
#endif

static int tinyengine_log_init(void)
{
	LOG_INF("model %s: arena %u B, weights %u B, %u MACs, kernels %s", TINYENGINE_MODEL_FILE,
		(unsigned int)TE_M(_ARENA_SIZE), (unsigned int)TE_M(_WEIGHT_BYTES),
		(unsigned int)TE_M(_MACS), TE_KERNELS);
	return 0;
}

SYS_INIT(tinyengine_log_init, APPLICATION, 0);
