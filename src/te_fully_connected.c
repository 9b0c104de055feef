/* tinyengine: FULLY_CONNECTED kernels.
 *
 * Portable path: the reference loop (acc += (w + filter_offset) * (x + input_offset)),
 * bias, then the reference's single double-precision rounding (te_requantize_fp64).
 */
#include "tinyengine/te_fully_connected.h"

void te_fully_connected_s8(const te_fc_params *p, const int32_t *bias, const te_fp64_scale *scales,
                           const int8_t *input, const int8_t *filter, int8_t *output)
{
    int32_t b, oc, d;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + (size_t)b * p->accum_depth;
        for (oc = 0; oc < p->out_depth; ++oc) {
            const int8_t *w = filter + (size_t)oc * p->accum_depth;
            int32_t acc = 0;
            for (d = 0; d < p->accum_depth; ++d) {
                acc += ((int32_t)w[d] + p->filter_offset) * ((int32_t)x[d] + p->input_offset);
            }
            if (bias) {
                acc += bias[oc];
            }
            acc = te_requantize_fp64(acc, scales[p->per_channel ? oc : 0]);
            acc += p->output_offset;
            output[(size_t)b * p->out_depth + oc] = (int8_t)te_clamp_i32(acc, p->act_min, p->act_max);
        }
    }
}
