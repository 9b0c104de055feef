/* The example's custom op, "Clamp": y = min(max(x, lo), hi) elementwise on int8 tensors of one
 * shape and quantization; its custom options are two bytes, lo and hi as int8 (quantized values).
 * tinyengine-gen --custom-ops makes the generated model call this function for every Clamp op
 * (tinyengine/te_custom.h has the signature and the tensor description). */
#include <stddef.h>
#include <stdint.h>

#include "tinyengine/te_custom.h"

int te_custom_clamp(const te_custom_op *op, const te_tensor *inputs, int32_t num_inputs,
                    const te_tensor *outputs, int32_t num_outputs)
{
    const te_tensor *in = &inputs[0], *out = &outputs[0];
    const int8_t *x;
    int8_t *y, lo, hi;
    size_t i;
    if (num_inputs != 1 || num_outputs != 1 || op->options == NULL || op->options_size != 2) {
        return 1; /* not the op this function was written for: <model>_invoke() returns 1 */
    }
    if (in->dtype != TE_DTYPE_INT8 || out->dtype != TE_DTYPE_INT8 || in->bytes != out->bytes ||
        in->num_scales != 1 || out->num_scales != 1 || in->scale[0] != out->scale[0] ||
        in->zero_point[0] != out->zero_point[0]) {
        return 2; /* clamping quantized values needs one quantization on both sides */
    }
    lo = (int8_t)op->options[0];
    hi = (int8_t)op->options[1];
    x = (const int8_t *)in->data;
    y = (int8_t *)out->data;
    for (i = 0; i < in->bytes; ++i) {
        y[i] = x[i] < lo ? lo : (x[i] > hi ? hi : x[i]);
    }
    return 0;
}
