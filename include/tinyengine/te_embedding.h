/* tinyengine: hybrid EMBEDDING_LOOKUP (embedding_lookup.cc EvalHybrid): rows of an int8 table,
 * picked by an int32 lookup, dequantized to float with the table's scale (one per tensor, or one
 * per row): output = (float)value * scale. */
#ifndef TINYENGINE_TE_EMBEDDING_H
#define TINYENGINE_TE_EMBEDDING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t lookups;  /* entries in the lookup */
    int32_t rows;     /* rows in the table */
    int32_t cols;     /* values per row (the table's trailing dimensions flattened) */
    int32_t per_row;  /* scales holds one scale per row (else one for the table) */
} te_embedding_lookup_params;

/* Returns 0, or 1 for an index outside [0, rows) (the reference's Eval fails too), having written
 * the rows before it. */
int te_embedding_lookup_hybrid_f32(const te_embedding_lookup_params *p, const int8_t *table, const int32_t *lookup,
                                   const float *scales, float *output);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_EMBEDDING_H */
