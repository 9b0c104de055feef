/* tinyengine: data-movement kernels, for tensors of any element type.
 *
 * These ops move elements without arithmetic, so one kernel per access pattern serves every
 * type: they work in bytes, with the element size (1, 2, 4 or 8) a parameter the generator
 * fills in. The generator turns each op into the pattern's parameters at generation time:
 *
 *   te_walk        the output in row-major order, each output dimension stepping through the
 *                  input by a byte stride (possibly negative or 0) or by a table of byte offsets
 *                  (an entry TE_WALK_PAD writes the fill value): TRANSPOSE, SLICE, STRIDED_SLICE,
 *                  SPLIT, SPLIT_V, UNPACK, DEPTH_TO_SPACE, SPACE_TO_DEPTH, BATCH_TO_SPACE_ND,
 *                  SPACE_TO_BATCH_ND, MIRROR_PAD, BROADCAST_TO, TILE, REVERSE_V2,
 *                  RESIZE_NEAREST_NEIGHBOR (reference_ops::Transpose, Slice, ...: each writes its
 *                  output sequentially from input positions that depend on one index per dimension)
 *   te_pad         PAD / PADV2 (rows of fill, copy, fill)
 *   te_concat      CONCATENATION and PACK (legacy uint8 inputs may be requantized by a table)
 *   te_fill        FILL, ZEROS_LIKE
 *   te_gather, te_gather_nd   GATHER, GATHER_ND with indices read at run time
 *   te_dynamic_slice          SLICE / STRIDED_SLICE (offset) whose begin is read at run time
 */
#ifndef TINYENGINE_TE_LAYOUT_H
#define TINYENGINE_TE_LAYOUT_H

#include "tinyengine/te_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TE_LAYOUT_MAX_DIMS 6

/* A table entry that marks padding (the output element takes the fill value). */
#define TE_WALK_PAD INT32_MIN

typedef struct {
    int32_t ndim;                          /* 1..TE_LAYOUT_MAX_DIMS */
    int32_t elem_size;                     /* bytes per element: 1, 2, 4 or 8 */
    int32_t base;                          /* input byte offset of output element 0 (affine part) */
    int32_t shape[TE_LAYOUT_MAX_DIMS];     /* output extent per dimension, outermost first, all > 0 */
    int32_t stride[TE_LAYOUT_MAX_DIMS];    /* input bytes per step of an affine dimension */
    int32_t table[TE_LAYOUT_MAX_DIMS];     /* -1: affine; else where this dimension's shape[d]
                                            * byte offsets (or TE_WALK_PAD) start in `tables` */
} te_walk_params;

/* output[i0, .., in] = input[base + sum_d offset_d(i_d)] in row-major output order;
 * offset_d(i) = i * stride[d], or tables[table[d] + i]. `tables` and `fill` (one element) may
 * be NULL when no dimension uses them. Not in place. */
void te_walk(const te_walk_params *p, const int32_t *tables, const void *fill, const void *input, void *output);

/* Constant padding over up to TE_LAYOUT_MAX_DIMS dimensions (the generator merges every
 * dimension that has no padding into its outer neighbour); extents in elements. */
typedef struct {
    int32_t ndim;
    int32_t elem_size;
    int32_t in_shape[TE_LAYOUT_MAX_DIMS];
    int32_t pad_before[TE_LAYOUT_MAX_DIMS];
    int32_t pad_after[TE_LAYOUT_MAX_DIMS];
} te_pad_params;

/* `value` is one element: the output zero point (PAD) or PADV2's constant, which may be a
 * tensor computed at run time. Safe in place only when there is no padding at all. */
void te_pad(const te_pad_params *p, const void *value, const void *input, void *output);

typedef struct {
    int32_t outer;              /* product of the dimensions before the axis */
    int32_t num_inputs;
} te_concat_params;

/* For each of `outer` slices, input i contributes copy_bytes[i] consecutive bytes. When
 * lut_index[i] >= 0 (lut_index may be NULL; 8-bit tensors only), input i is requantized through
 * the 256-entry table luts + lut_index[i], indexed by (value + 128). */
void te_concat(const te_concat_params *p, const int32_t *copy_bytes, const void *const *inputs,
               const int8_t *luts, const int32_t *lut_index, void *output);

/* `count` copies of the element at `value` (elem_size bytes). */
void te_fill(void *output, const void *value, int32_t count, int32_t elem_size);

/* reference_ops::Gather: for each batch, outer index and coordinate i, copies inner_bytes from
 * input[((batch * outer + o) * axis_size + index[batch * coords + i]) * inner]. Returns 0, or -1
 * at the first index outside [0, axis_size) (LiteRT fails the invoke; nothing more is written). */
typedef struct {
    int32_t batch;
    int32_t outer;
    int32_t coords;
    int32_t axis_size;
    int32_t inner_bytes;
    int32_t index_size;         /* bytes per index: 2 (int16), 4 (int32) or 8 (int64) */
} te_gather_params;

int te_gather(const te_gather_params *p, const void *input, const void *indices, void *output);

/* reference_ops::GatherNd: slice i is the params slice at the nd coordinates indices[i, :]. */
typedef struct {
    int32_t n_slices;
    int32_t nd;                               /* index depth, 0..TE_LAYOUT_MAX_DIMS */
    int32_t slice_bytes;
    int32_t index_size;
    int32_t dims[TE_LAYOUT_MAX_DIMS];         /* params extents of the indexed dimensions */
    int32_t dim_bytes[TE_LAYOUT_MAX_DIMS];    /* params bytes per step of each indexed dimension */
} te_gather_nd_params;

int te_gather_nd(const te_gather_nd_params *p, const void *params_data, const void *indices, void *output);

/* A slice whose begin is a run-time tensor. Per input dimension d (unmerged, outermost first):
 * SLICE (offset_mode 0): start = begin[d] kept inside [0, in_shape - count]; count = the static
 * output extent. STRIDED_SLICE with offset (offset_mode 1): start and end as the reference's
 * StartForAxis / EndForAxis compute them (end = size[d] + start, clamped, masks applied), count =
 * the loop count, which may be smaller than the static output extent; the reference then writes
 * fewer elements, sequentially, and so does this. begin_index[d] < 0: the dimension has no begin
 * value (a new axis or an ellipsis dimension: start 0 over the whole axis). */
typedef struct {
    int32_t ndim;
    int32_t elem_size;
    int32_t index_size;                         /* bytes per begin value: 4 or 8 */
    int32_t offset_mode;
    int32_t begin_index[TE_LAYOUT_MAX_DIMS];
    int32_t in_shape[TE_LAYOUT_MAX_DIMS];
    int32_t in_stride[TE_LAYOUT_MAX_DIMS];      /* input bytes per element step of the dimension */
    int32_t size[TE_LAYOUT_MAX_DIMS];           /* SLICE: output extent; STRIDED_SLICE: end value */
    int32_t step[TE_LAYOUT_MAX_DIMS];           /* STRIDED_SLICE stride (1 for SLICE) */
    int32_t masks[TE_LAYOUT_MAX_DIMS];          /* bit 0 begin_mask, bit 1 end_mask, bit 2 shrink */
} te_dynamic_slice_params;

/* DYNAMIC_UPDATE_SLICE: output = operand (copied unless it is the same buffer) with `update`
 * written at the run-time start indices, each clamped to [0, operand extent - update extent]. */
typedef struct {
    int32_t ndim;
    int32_t elem_size;
    int32_t index_size;                          /* bytes per start index: 4 or 8 */
    int32_t in_shape[TE_LAYOUT_MAX_DIMS];        /* operand (and output) extents */
    int32_t up_shape[TE_LAYOUT_MAX_DIMS];        /* update extents */
    int32_t out_bytes;
} te_update_slice_params;

void te_update_slice(const te_update_slice_params *p, const void *operand, const void *update, const void *start,
                     void *output);

/* Fills `walk` (ndim, elem_size, base, shape, stride; no tables) from the begin tensor and
 * returns the number of elements the slice writes (0 when some dimension is empty). */
int32_t te_dynamic_slice(const te_dynamic_slice_params *p, const void *begin, te_walk_params *walk);

#ifdef __cplusplus
}
#endif

#endif /* TINYENGINE_TE_LAYOUT_H */
