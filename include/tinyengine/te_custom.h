/* tinyengine: ops you implement yourself.
 *
 * A model with an op tinyengine does not provide (a CUSTOM op, or a builtin op or type it lacks)
 * is generated with `tinyengine-gen --custom-ops`: the generated code then calls one C function per
 * such op kind, which your application defines:
 *
 *   int te_custom_<name>(const te_custom_op *op, const te_tensor *inputs, int32_t num_inputs,
 *                        const te_tensor *outputs, int32_t num_outputs);
 *
 * <name> is the custom code (or the builtin op's name), lower case, every character other than
 * a-z, 0-9 and _ replaced by _ (the generator prints the list, and the generated header declares
 * each function). Return 0 on success; any other value stops the inference and <model>_invoke()
 * returns it. A function you did not write fails the link under its own name.
 *
 * The call happens where the op stands in the graph; inputs are read-only (constant inputs point
 * into flash) and live in the arena (or flash) only during the call; outputs are written in full.
 * Inputs and outputs never overlap. No state is kept for you between calls: keep your own if the
 * op needs it (and reset it with the model's).
 */
#ifndef TINYENGINE_TE_CUSTOM_H
#define TINYENGINE_TE_CUSTOM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Element types (te_tensor.dtype). */
#define TE_DTYPE_INT8 1
#define TE_DTYPE_UINT8 2
#define TE_DTYPE_INT16 3
#define TE_DTYPE_INT32 4
#define TE_DTYPE_INT64 5
#define TE_DTYPE_FLOAT32 6
#define TE_DTYPE_BOOL 7

typedef struct {
    void *data;                  /* the values, row-major; NULL for an omitted optional input */
    int32_t dtype;               /* TE_DTYPE_* */
    int32_t rank;
    const int32_t *shape;        /* rank dimensions */
    size_t bytes;                /* data size */
    /* Quantization, real = scale * (q - zero_point): num_scales 0 (none), 1 (per tensor) or one
     * per index of dimension quantized_dimension (per channel). */
    int32_t num_scales;
    const float *scale;
    const int32_t *zero_point;
    int32_t quantized_dimension;
} te_tensor;

typedef struct {
    const char *name;            /* the custom code or builtin name as in the model (printable ASCII) */
    int32_t builtin_code;        /* 32 (CUSTOM) or the builtin operator's code */
    int32_t model_op_index;      /* the op's index in the model */
    const uint8_t *options;      /* a CUSTOM op's custom options, as the model stores them (often a
                                  * flexbuffer); NULL for builtin ops (their options are listed in a
                                  * comment at the call in the generated code) */
    size_t options_size;
} te_custom_op;

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_CUSTOM_H */
