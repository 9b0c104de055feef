/* tinyengine: hybrid EMBEDDING_LOOKUP (see te_embedding.h). */
#include "tinyengine/te_embedding.h"

#include <stddef.h>

#include "tinyengine/te_math.h"

TE_FLOAT_STRICT_BEGIN

int te_embedding_lookup_hybrid_f32(const te_embedding_lookup_params *p, const int8_t *table, const int32_t *lookup,
                                   const float *scales, float *output)
{
    int32_t i, j;
    for (i = 0; i < p->lookups; ++i) {
        const int32_t idx = lookup[i];
        const int8_t *row;
        float scale;
        if (idx < 0 || idx >= p->rows) {
            return 1;
        }
        row = table + (size_t)idx * (size_t)p->cols;
        scale = scales[p->per_row ? idx : 0];
        for (j = 0; j < p->cols; ++j) {
            output[(size_t)i * (size_t)p->cols + (size_t)j] = (float)row[j] * scale; /* value_ptr[j] * scaling_factor */
        }
    }
    return 0;
}

TE_FLOAT_STRICT_END
