/* tinyengine: CONV_2D kernels.
 *
 * Portable path: TFLite's reference ConvPerChannel loop and arithmetic (accumulate
 * (x + input_offset) * (w + filter_offset) over the window, skip padded taps, add
 * bias, MultiplyByQuantizedMultiplier, add the output zero point, clamp). Its bytes
 * are the contract.
 *
 * DSP path (M4/M7/M33/M55, or TE_EMULATE_DSP on a host): the same int32 sums in a
 * different order, which is exact because int32 addition wraps associatively. Two
 * output pixels are expanded to int16 columns (input offset added, padded taps 0),
 * then every pair of output channels is a 2x2 block of SMLAD dot products.
 * Columns are stored in SXTB16 order ([x0 x2 x1 x3] per group of 4) so weights are
 * expanded straight from flash with SXTB16 / SXTB16-ROR8.
 */
#include "tinyengine/te_conv.h"
#include "tinyengine/te_simd.h"

TE_INLINE int8_t te_conv_requantize(const te_conv_params *p, const te_requant_per_channel *rq,
                                    int32_t acc, int32_t oc)
{
    acc = te_multiply_by_quantized_multiplier(acc, rq->multiplier[oc], rq->shift[oc]);
    acc += p->output_offset;
    return (int8_t)te_clamp_i32(acc, p->act_min, p->act_max);
}

static void conv_portable(const te_conv_params *p, const te_requant_per_channel *rq,
                          const int8_t *input, const int8_t *filter, int8_t *output)
{
    const int32_t groups = p->in_c / p->filter_in_c;
    const int32_t filters_per_group = p->out_c / groups;
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t in_y0 = oy * p->stride_h - p->pad_top;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t in_x0 = ox * p->stride_w - p->pad_left;
                for (oc = 0; oc < p->out_c; ++oc) {
                    const int32_t group = oc / filters_per_group;
                    const int8_t *w_oc = filter + (size_t)oc * p->k_h * p->k_w * p->filter_in_c;
                    int32_t acc = 0;
                    for (ky = 0; ky < p->k_h; ++ky) {
                        const int32_t in_y = in_y0 + p->dil_h * ky;
                        if (in_y < 0 || in_y >= p->in_h) {
                            continue;
                        }
                        for (kx = 0; kx < p->k_w; ++kx) {
                            const int32_t in_x = in_x0 + p->dil_w * kx;
                            const int8_t *x;
                            const int8_t *w;
                            if (in_x < 0 || in_x >= p->in_w) {
                                continue;
                            }
                            x = in_b + ((size_t)in_y * p->in_w + in_x) * p->in_c + group * p->filter_in_c;
                            w = w_oc + ((size_t)ky * p->k_w + kx) * p->filter_in_c;
                            for (ic = 0; ic < p->filter_in_c; ++ic) {
                                acc += ((int32_t)w[ic] + p->filter_offset) * ((int32_t)x[ic] + p->input_offset);
                            }
                        }
                    }
                    if (rq->bias) {
                        acc += rq->bias[oc];
                    }
                    *output++ = te_conv_requantize(p, rq, acc, oc);
                }
            }
        }
    }
}

#if defined(TE_USE_DSP)

/* Position of flattened tap index k in a column stored in SXTB16 order (full groups of 4
 * permuted [0 2 1 3]; a tail shorter than 4 stays in natural order). */
TE_INLINE int32_t te_col_pos(int32_t k, int32_t k_full)
{
    static const uint8_t perm[4] = {0, 2, 1, 3};
    return k < k_full ? ((k & ~3) | perm[k & 3]) : k;
}

/* im2col of one output pixel into `col` (K int16 values). */
static void conv_im2col_dsp(const te_conv_params *p, const int8_t *in_b, int32_t oy, int32_t ox, int16_t *col)
{
    const int32_t fic = p->filter_in_c;
    const int32_t k_total = p->k_h * p->k_w * fic;
    const int32_t k_full = k_total & ~3;
    const int32_t in_y0 = oy * p->stride_h - p->pad_top;
    const int32_t in_x0 = ox * p->stride_w - p->pad_left;
    const uint32_t offset2 = ((uint32_t)(uint16_t)p->input_offset) | ((uint32_t)(uint16_t)p->input_offset << 16);
    int32_t ky, kx, ic, k = 0;
    for (ky = 0; ky < p->k_h; ++ky) {
        const int32_t in_y = in_y0 + p->dil_h * ky;
        for (kx = 0; kx < p->k_w; ++kx, k += fic) {
            const int32_t in_x = in_x0 + p->dil_w * kx;
            const int inside = in_y >= 0 && in_y < p->in_h && in_x >= 0 && in_x < p->in_w;
            const int8_t *x = in_b + ((size_t)in_y * p->in_w + in_x) * p->in_c;
            if ((fic & 3) == 0) {
                /* Whole groups of 4 channels: two SXTB16 + SADD16 per 4 bytes. */
                uint32_t *dst = (uint32_t *)(void *)(col + k);
                if (!inside) {
                    memset(dst, 0, (size_t)fic * 2);
                    continue;
                }
                for (ic = 0; ic < fic; ic += 4) {
                    const uint32_t v = te_read_u32(x + ic);
                    *dst++ = te_sadd16(te_sxtb16(v), offset2);
                    *dst++ = te_sadd16(te_sxtb16_ror8(v), offset2);
                }
            } else {
                for (ic = 0; ic < fic; ++ic) {
                    col[te_col_pos(k + ic, k_full)] = (int16_t)(inside ? (int32_t)x[ic] + p->input_offset : 0);
                }
            }
        }
    }
}

/* The hot block: rows w0, w1 against columns c0, c1 over K taps (2 outputs x 2 channels). */
static void conv_block_2x2_dsp(const int8_t *w0, const int8_t *w1, const int16_t *c0, const int16_t *c1,
                               int32_t k_total, int32_t acc[4])
{
    const int32_t k_full = k_total & ~3;
    int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    int32_t k;
    for (k = 0; k < k_full; k += 4) {
        const uint32_t wa = te_read_u32(w0 + k), wb = te_read_u32(w1 + k);
        const uint32_t x0a = te_read_u32(c0 + k), x0b = te_read_u32(c0 + k + 2);
        const uint32_t x1a = te_read_u32(c1 + k), x1b = te_read_u32(c1 + k + 2);
        const uint32_t w0e = te_sxtb16(wa), w0o = te_sxtb16_ror8(wa);
        const uint32_t w1e = te_sxtb16(wb), w1o = te_sxtb16_ror8(wb);
        a00 = te_smlad(w0e, x0a, a00);
        a01 = te_smlad(w0e, x1a, a01);
        a10 = te_smlad(w1e, x0a, a10);
        a11 = te_smlad(w1e, x1a, a11);
        a00 = te_smlad(w0o, x0b, a00);
        a01 = te_smlad(w0o, x1b, a01);
        a10 = te_smlad(w1o, x0b, a10);
        a11 = te_smlad(w1o, x1b, a11);
    }
    for (; k < k_total; ++k) {
        a00 += (int32_t)w0[k] * c0[k];
        a01 += (int32_t)w0[k] * c1[k];
        a10 += (int32_t)w1[k] * c0[k];
        a11 += (int32_t)w1[k] * c1[k];
    }
    acc[0] = a00; acc[1] = a01; acc[2] = a10; acc[3] = a11;
}

/* Dot products of weight rows w0 (and w1) with columns c0 (and c1) over K taps. */
static void conv_block_dsp(const int8_t *w0, const int8_t *w1, const int16_t *c0, const int16_t *c1,
                           int32_t k_total, int32_t acc[4])
{
    const int32_t k_full = k_total & ~3;
    int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    int32_t k;
    for (k = 0; k < k_full; k += 4) {
        const uint32_t wa = te_read_u32(w0 + k);
        const uint32_t x0a = te_read_u32(c0 + k), x0b = te_read_u32(c0 + k + 2);
        const uint32_t w0e = te_sxtb16(wa), w0o = te_sxtb16_ror8(wa);
        a00 = te_smlad(w0e, x0a, a00);
        a00 = te_smlad(w0o, x0b, a00);
        if (c1) {
            const uint32_t x1a = te_read_u32(c1 + k), x1b = te_read_u32(c1 + k + 2);
            a01 = te_smlad(w0e, x1a, a01);
            a01 = te_smlad(w0o, x1b, a01);
            if (w1) {
                const uint32_t wb = te_read_u32(w1 + k);
                const uint32_t w1e = te_sxtb16(wb), w1o = te_sxtb16_ror8(wb);
                a10 = te_smlad(w1e, x0a, a10);
                a10 = te_smlad(w1o, x0b, a10);
                a11 = te_smlad(w1e, x1a, a11);
                a11 = te_smlad(w1o, x1b, a11);
            }
        } else if (w1) {
            const uint32_t wb = te_read_u32(w1 + k);
            a10 = te_smlad(te_sxtb16(wb), x0a, a10);
            a10 = te_smlad(te_sxtb16_ror8(wb), x0b, a10);
        }
    }
    for (; k < k_total; ++k) {
        a00 += (int32_t)w0[k] * c0[k];
        if (c1) a01 += (int32_t)w0[k] * c1[k];
        if (w1) {
            a10 += (int32_t)w1[k] * c0[k];
            if (c1) a11 += (int32_t)w1[k] * c1[k];
        }
    }
    acc[0] = a00; acc[1] = a01; acc[2] = a10; acc[3] = a11;
}

/* Every output channel for one or two expanded columns; results to o0 (and o1). */
static void conv_columns_dsp(const te_conv_params *p, const te_requant_per_channel *rq, const int8_t *filter,
                             int32_t k_total, const int16_t *c0, const int16_t *c1, int8_t *o0, int8_t *o1)
{
    int32_t oc;
    for (oc = 0; oc < p->out_c; oc += 2) {
        const int pair = oc + 1 < p->out_c;
        const int8_t *w0 = filter + (size_t)oc * k_total;
        int32_t acc[4];
        acc[0] = acc[1] = rq->bias ? rq->bias[oc] : 0;
        acc[2] = acc[3] = (pair && rq->bias) ? rq->bias[oc + 1] : 0;
        if (pair && c1) {
            conv_block_2x2_dsp(w0, w0 + k_total, c0, c1, k_total, acc);
        } else {
            conv_block_dsp(w0, pair ? w0 + k_total : NULL, c0, c1, k_total, acc);
        }
        o0[oc] = te_conv_requantize(p, rq, acc[0], oc);
        if (c1) o1[oc] = te_conv_requantize(p, rq, acc[1], oc);
        if (pair) {
            o0[oc + 1] = te_conv_requantize(p, rq, acc[2], oc + 1);
            if (c1) o1[oc + 1] = te_conv_requantize(p, rq, acc[3], oc + 1);
        }
    }
}

static void conv_dsp(const te_conv_params *p, const te_requant_per_channel *rq,
                     const int8_t *input, const int8_t *filter, int8_t *output, int16_t *cols)
{
    const int32_t k_total = p->k_h * p->k_w * p->filter_in_c;
    const int32_t pixels = p->out_h * p->out_w;
    int32_t b, px;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        int8_t *out_b = output + (size_t)b * pixels * p->out_c;
        for (px = 0; px < pixels; px += 2) {
            const int two = px + 1 < pixels;
            int16_t *c0 = cols, *c1 = two ? cols + k_total + (k_total & 1) : NULL;
            int8_t *o0 = out_b + (size_t)px * p->out_c;
            conv_im2col_dsp(p, in_b, px / p->out_w, px % p->out_w, c0);
            if (two) {
                conv_im2col_dsp(p, in_b, (px + 1) / p->out_w, (px + 1) % p->out_w, c1);
            }
            conv_columns_dsp(p, rq, filter, k_total, c0, c1, o0, o0 + p->out_c);
        }
    }
}

/* One pixel's channels to int16 in SXTB16 order, no offset (the 1x1 kernel folds it into the bias). */
static void expand_pixel_dsp(const int8_t *x, int32_t n, int16_t *col)
{
    const int32_t n_full = n & ~3;
    uint32_t *dst = (uint32_t *)(void *)col;
    int32_t k;
    for (k = 0; k < n_full; k += 4) {
        const uint32_t v = te_read_u32(x + k);
        *dst++ = te_sxtb16(v);
        *dst++ = te_sxtb16_ror8(v);
    }
    for (; k < n; ++k) {
        col[k] = x[k];
    }
}

#endif /* TE_USE_DSP */

void te_conv2d_s8(const te_conv_params *p, const te_requant_per_channel *rq,
                  const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
#if defined(TE_USE_DSP)
    if (p->filter_offset == 0 && p->filter_in_c == p->in_c && scratch != NULL) {
        conv_dsp(p, rq, input, filter, output, (int16_t *)scratch);
        return;
    }
#endif
    (void)scratch;
    conv_portable(p, rq, input, filter, output);
}

void te_conv2d_1x1_s8(const te_conv_params *p, const te_requant_per_channel *rq,
                      const int8_t *input, const int8_t *filter, int8_t *output, void *scratch)
{
    const int32_t c_in = p->in_c;
    int32_t b, oy, ox;
#if defined(TE_USE_DSP)
    int16_t *c0 = (int16_t *)scratch, *c1 = c0 + c_in + (c_in & 1);
    for (b = 0; b < p->batches; ++b) {
        for (oy = 0; oy < p->out_h; ++oy) {
            const int8_t *row = input + ((size_t)b * p->in_h + (size_t)oy * p->stride_h) * p->in_w * c_in;
            for (ox = 0; ox < p->out_w; ox += 2) {
                const int two = ox + 1 < p->out_w;
                const int8_t *x0 = row + (size_t)ox * p->stride_w * c_in;
                expand_pixel_dsp(x0, c_in, c0);
                if (two) {
                    expand_pixel_dsp(x0 + (size_t)p->stride_w * c_in, c_in, c1);
                }
                conv_columns_dsp(p, rq, filter, c_in, c0, two ? c1 : NULL, output, output + p->out_c);
                output += (size_t)(two ? 2 : 1) * p->out_c;
            }
        }
    }
#else
    int32_t oc;
    (void)scratch;
    for (b = 0; b < p->batches; ++b) {
        for (oy = 0; oy < p->out_h; ++oy) {
            const int8_t *row = input + ((size_t)b * p->in_h + (size_t)oy * p->stride_h) * p->in_w * c_in;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int8_t *x = row + (size_t)ox * p->stride_w * c_in;
                for (oc = 0; oc < p->out_c; ++oc) {
                    const int8_t *w = filter + (size_t)oc * c_in;
                    int32_t acc = rq->bias[oc];
                    int32_t k;
                    for (k = 0; k < c_in; ++k) {
                        acc += (int32_t)w[k] * x[k];
                    }
                    *output++ = te_conv_requantize(p, rq, acc, oc);
                }
            }
        }
    }
#endif
}
