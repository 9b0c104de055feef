/* tinyengine: data-movement kernels (see te_layout.h for which op uses which kernel).
 *
 * None of them does arithmetic on the data, so any type is a byte pattern of elem_size bytes
 * and every loop order that writes the same output gives the reference's bytes. Contiguous runs
 * go through memcpy (the C library's word-wide copy); elements are aligned to their size
 * because the planner aligns every buffer and the generator only emits whole-element offsets.
 */
#include <string.h>

#include "tinyengine/te_layout.h"

/* Copy one element of 1, 2, 4 or 8 bytes (constant-size memcpy: one load and one store). */
TE_INLINE void te_move_elem(uint8_t *dst, const uint8_t *src, int32_t es)
{
    switch (es) {
    case 1: *dst = *src; break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    default: memcpy(dst, src, 8); break;
    }
}

void te_fill(void *output, const void *value, int32_t count, int32_t elem_size)
{
    uint8_t *out = (uint8_t *)output;
    const size_t total = (size_t)count * (size_t)elem_size;
    size_t done;
    if (count <= 0) {
        return;
    }
    if (elem_size == 1) {
        memset(out, *(const uint8_t *)value, total);
        return;
    }
    memcpy(out, value, (size_t)elem_size);
    /* Double the filled prefix until the run is complete. */
    for (done = (size_t)elem_size; done < total; done *= 2) {
        memcpy(out + done, out, done < total - done ? done : total - done);
    }
}

/* ------------------------------------------------------------------------------------ walk */

TE_INLINE int32_t te_walk_offset(const te_walk_params *p, const int32_t *tables, int32_t d, int32_t i)
{
    return p->table[d] >= 0 ? tables[p->table[d] + i] : i * p->stride[d];
}

/* The innermost dimension: one output row. */
static void te_walk_row(const te_walk_params *p, const int32_t *tables, const void *fill,
                        const uint8_t *src, uint8_t *dst)
{
    const int32_t last = p->ndim - 1;
    const int32_t n = p->shape[last];
    const int32_t es = p->elem_size;
    int32_t i;
    if (p->table[last] >= 0) {
        const int32_t *t = tables + p->table[last];
        for (i = 0; i < n; ++i, dst += es) {
            te_move_elem(dst, t[i] == TE_WALK_PAD ? (const uint8_t *)fill : src + t[i], es);
        }
        return;
    }
    {
        const int32_t stride = p->stride[last];
        if (stride == es) {
            memcpy(dst, src, (size_t)n * (size_t)es);
            return;
        }
        switch (es) {
        case 1:
            for (i = 0; i < n; ++i) {
                dst[i] = src[i * stride];
            }
            break;
        case 2:
            for (i = 0; i < n; ++i) {
                memcpy(dst + 2 * i, src + i * stride, 2);
            }
            break;
        case 4:
            for (i = 0; i < n; ++i) {
                memcpy(dst + 4 * i, src + i * stride, 4);
            }
            break;
        default:
            for (i = 0; i < n; ++i) {
                memcpy(dst + 8 * i, src + i * stride, 8);
            }
            break;
        }
    }
}

void te_walk(const te_walk_params *p, const int32_t *tables, const void *fill, const void *input, void *output)
{
    const uint8_t *in = (const uint8_t *)input + p->base;
    uint8_t *out = (uint8_t *)output;
    const int32_t last = p->ndim - 1;
    const size_t row_bytes = (size_t)p->shape[last] * (size_t)p->elem_size;
    int32_t idx[TE_LAYOUT_MAX_DIMS];
    int32_t part[TE_LAYOUT_MAX_DIMS];  /* current offset of each outer dimension */
    int32_t off = 0;                   /* sum of the non-padding parts */
    int32_t pads = 0;                  /* outer dimensions currently at a padding index */
    int32_t d;
    for (d = 0; d < last; ++d) {
        idx[d] = 0;
        part[d] = te_walk_offset(p, tables, d, 0);
        if (part[d] == TE_WALK_PAD) {
            ++pads;
        } else {
            off += part[d];
        }
    }
    for (;;) {
        if (pads > 0) {
            te_fill(out, fill, p->shape[last], p->elem_size);
        } else {
            te_walk_row(p, tables, fill, in + off, out);
        }
        out += row_bytes;
        for (d = last - 1; d >= 0; --d) {
            if (part[d] == TE_WALK_PAD) {
                --pads;
            } else {
                off -= part[d];
            }
            idx[d] = idx[d] + 1 < p->shape[d] ? idx[d] + 1 : 0;
            part[d] = te_walk_offset(p, tables, d, idx[d]);
            if (part[d] == TE_WALK_PAD) {
                ++pads;
            } else {
                off += part[d];
            }
            if (idx[d] != 0) {
                break;
            }
        }
        if (d < 0) {
            return;
        }
    }
}

/* ------------------------------------------------------------------------------------- pad */

void te_pad(const te_pad_params *p, const void *value, const void *input, void *output)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const int32_t es = p->elem_size;
    const int32_t last = p->ndim - 1;
    const int32_t in_n = p->in_shape[last];
    const int32_t before = p->pad_before[last];
    const int32_t after = p->pad_after[last];
    const int32_t out_n = before + in_n + after;
    int32_t idx[TE_LAYOUT_MAX_DIMS] = {0};
    int32_t d;
    for (;;) {
        /* This output row holds input data iff every outer index is inside the input. */
        int inside = 1;
        for (d = 0; d < last; ++d) {
            if (idx[d] < p->pad_before[d] || idx[d] >= p->pad_before[d] + p->in_shape[d]) {
                inside = 0;
                break;
            }
        }
        if (inside) {
            te_fill(out, value, before, es);
            if (out + (size_t)before * es != in) {
                memcpy(out + (size_t)before * es, in, (size_t)in_n * es);
            }
            te_fill(out + (size_t)(before + in_n) * es, value, after, es);
            in += (size_t)in_n * es;
        } else {
            te_fill(out, value, out_n, es);
        }
        out += (size_t)out_n * es;
        for (d = last - 1; d >= 0; --d) {
            if (++idx[d] < p->pad_before[d] + p->in_shape[d] + p->pad_after[d]) {
                break;
            }
            idx[d] = 0;
        }
        if (d < 0) {
            return;
        }
    }
}

/* ---------------------------------------------------------------------------------- concat */

void te_concat(const te_concat_params *p, const int32_t *copy_bytes, const void *const *inputs,
               const int8_t *luts, const int32_t *lut_index, void *output)
{
    uint8_t *out = (uint8_t *)output;
    int32_t k, i, j;
    for (k = 0; k < p->outer; ++k) {
        for (i = 0; i < p->num_inputs; ++i) {
            const int32_t n = copy_bytes[i];
            const uint8_t *src = (const uint8_t *)inputs[i] + (size_t)k * n;
            if (lut_index != NULL && lut_index[i] >= 0) {
                const int8_t *lut = luts + lut_index[i];
                for (j = 0; j < n; ++j) {
                    out[j] = (uint8_t)lut[(int32_t)(int8_t)src[j] + 128];
                }
            } else {
                memcpy(out, src, (size_t)n);
            }
            out += n;
        }
    }
}

/* ---------------------------------------------------------------------------------- gather */

TE_INLINE int64_t te_load_index(const void *indices, int32_t i, int32_t size)
{
    if (size == 2) {
        int16_t v;
        memcpy(&v, (const uint8_t *)indices + 2 * (size_t)i, 2);
        return v;
    }
    if (size == 4) {
        int32_t v;
        memcpy(&v, (const uint8_t *)indices + 4 * (size_t)i, 4);
        return v;
    }
    {
        int64_t v;
        memcpy(&v, (const uint8_t *)indices + 8 * (size_t)i, 8);
        return v;
    }
}

int te_gather(const te_gather_params *p, const void *input, const void *indices, void *output)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const size_t inner = (size_t)p->inner_bytes;
    int32_t b, o, i;
    /* The kernel first rejects any negative index, then copies and stops at one too large. */
    for (i = 0; i < p->batch * p->coords; ++i) {
        if (te_load_index(indices, i, p->index_size) < 0) {
            return -1;
        }
    }
    for (b = 0; b < p->batch; ++b) {
        for (o = 0; o < p->outer; ++o) {
            const uint8_t *slab = in + ((size_t)b * p->outer + o) * (size_t)p->axis_size * inner;
            for (i = 0; i < p->coords; ++i) {
                const int64_t coord = te_load_index(indices, b * p->coords + i, p->index_size);
                if (coord >= p->axis_size) {
                    return -1;
                }
                memcpy(out, slab + (size_t)coord * inner, inner);
                out += inner;
            }
        }
    }
    return 0;
}

int te_gather_nd(const te_gather_nd_params *p, const void *params_data, const void *indices, void *output)
{
    const uint8_t *in = (const uint8_t *)params_data;
    uint8_t *out = (uint8_t *)output;
    int32_t i, j;
    for (i = 0; i < p->n_slices * p->nd; ++i) {
        if (te_load_index(indices, i, p->index_size) < 0) {
            return -1;
        }
    }
    for (i = 0; i < p->n_slices; ++i) {
        size_t from = 0;
        for (j = 0; j < p->nd; ++j) {
            const int64_t coord = te_load_index(indices, i * p->nd + j, p->index_size);
            if (coord >= p->dims[j]) {
                return -1;
            }
            from += (size_t)coord * (size_t)p->dim_bytes[j];
        }
        memcpy(out, in + from, (size_t)p->slice_bytes);
        out += p->slice_bytes;
    }
    return 0;
}

/* ------------------------------------------------------------------------- dynamic slices */

TE_INLINE int32_t te_clamp_axis(int32_t v, int32_t stride, int32_t axis_size)
{
    return stride > 0 ? te_clamp_i32(v, 0, axis_size) : te_clamp_i32(v, -1, axis_size - 1);
}

int32_t te_dynamic_slice(const te_dynamic_slice_params *p, const void *begin, te_walk_params *walk)
{
    int32_t total = 1;
    int32_t d;
    walk->ndim = p->ndim;
    walk->elem_size = p->elem_size;
    walk->base = 0;
    for (d = 0; d < p->ndim; ++d) {
        const int32_t axis_size = p->in_shape[d];
        const int32_t stride = p->step[d];
        int32_t start = 0;
        int32_t count;
        if (p->begin_index[d] >= 0) {
            const int64_t b = te_load_index(begin, p->begin_index[d], p->index_size);
            start = b < INT32_MIN ? INT32_MIN : (b > INT32_MAX ? INT32_MAX : (int32_t)b);
        }
        if (p->offset_mode == 0) {
            /* SLICE: the reference reads out of bounds here; stay inside the input instead. */
            count = p->size[d];
            start = te_clamp_i32(start, 0, axis_size - count);
        } else {
            /* reference_ops::StartForAxis / EndForAxis with params.offset = true. */
            int32_t end;
            if (start < 0) {
                start += axis_size;
            }
            start = te_clamp_axis(start, stride, axis_size);
            if (p->masks[d] & 1) {
                start = stride > 0 ? 0 : axis_size - 1;
            }
            if (p->masks[d] & 4) {
                end = start >= axis_size ? start : start + 1;
            } else {
                end = (int32_t)((uint32_t)p->size[d] + (uint32_t)start);
                if (end < 0) {
                    end += axis_size;
                }
                end = te_clamp_axis(end, stride, axis_size);
                if (p->masks[d] & 2) {
                    end = stride > 0 ? axis_size : -1;
                }
            }
            if (stride > 0) {
                count = end > start ? (end - start + stride - 1) / stride : 0;
            } else {
                count = start > end ? (start - end - stride - 1) / -stride : 0;
            }
        }
        if (count <= 0) {
            return 0;
        }
        walk->shape[d] = count;
        walk->stride[d] = stride * p->in_stride[d];
        walk->table[d] = -1;
        walk->base += start * p->in_stride[d];
        total *= count;
    }
    return total;
}

/* ---------------------------------------------------------------------- DYNAMIC_UPDATE_SLICE */

void te_update_slice(const te_update_slice_params *p, const void *operand, const void *update, const void *start,
                     void *output)
{
    const uint8_t *up = (const uint8_t *)update;
    uint8_t *out = (uint8_t *)output;
    const int32_t last = p->ndim - 1;
    const size_t run = (size_t)p->up_shape[last] * (size_t)p->elem_size;
    size_t stride[TE_LAYOUT_MAX_DIMS];
    int32_t idx[TE_LAYOUT_MAX_DIMS];
    size_t off = 0, total = 1;
    int32_t d;
    for (d = 0; d < p->ndim; ++d) {
        total *= (size_t)p->up_shape[d];
    }
    if (total == (size_t)p->out_bytes / (size_t)p->elem_size) {
        /* The update covers the whole operand: the reference copies it and stops. */
        memcpy(out, up, (size_t)p->out_bytes);
        return;
    }
    if (operand != output) {
        memcpy(out, operand, (size_t)p->out_bytes);
    }
    stride[last] = (size_t)p->elem_size;
    for (d = last - 1; d >= 0; --d) {
        stride[d] = stride[d + 1] * (size_t)p->in_shape[d + 1];
    }
    for (d = 0; d < p->ndim; ++d) {
        /* ClampStartIndices: min(max(0, start), operand extent - update extent). */
        const int64_t s = te_load_index(start, d, p->index_size);
        const int64_t hi = p->in_shape[d] - p->up_shape[d];
        off += (size_t)(s < 0 ? 0 : (s > hi ? hi : s)) * stride[d];
        idx[d] = 0;
    }
    for (;;) {
        memcpy(out + off, up, run);
        up += run;
        for (d = last - 1; d >= 0; --d) {
            if (++idx[d] < p->up_shape[d]) {
                off += stride[d];
                break;
            }
            idx[d] = 0;
            off -= stride[d] * (size_t)(p->up_shape[d] - 1);
        }
        if (d < 0) {
            return;
        }
    }
}
