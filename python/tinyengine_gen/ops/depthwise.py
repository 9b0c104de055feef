"""DEPTHWISE_CONV_2D lowering.

Matches LiteRT's reference registration (depthwise_conv.cc, kReference):
- int8: reference_integer_ops::DepthwiseConvPerChannel. Per-channel (multiplier, shift) from
  PopulateConvolutionQuantizationParams (double input*filter/output scale, a per-tensor filter
  scale broadcast); the filter zero point is ignored (weights_offset = 0).
- uint8 (legacy, moved to int8 storage by passes.normalize_uint8): reference_ops::DepthwiseConv,
  one multiplier from GetQuantizedConvolutionMultipler (float32 product of scales) and the
  filter offset -filter_zero_point.
The depth multiplier is out_c / in_c, as the reference's ComputeDepthMultiplier takes it from
the shapes (the option is not read for 8-bit types).

Two kernels (src/te_depthwise.c), picked per layer here and run by every build:
- planar: one channel at a time through an int16 window of its input rows (any shape);
- direct: NHWC, one group of 4 channels at a time (depth multiplier 1, channels a multiple of 4,
  no dilation), chosen for strided layers and small maps, where the planar kernel's per-channel
  and per-copied-value costs dominate; on small maps (plane mode, chosen here) each group's input
  is first copied into a plane padded with the input zero point, so no pixel is a border pixel.
  On Cortex-M4, 3x3 layers: planar ~25-35 instructions per output on larger stride-1 maps, direct
  ~35-45 everywhere (planar: 50-110 on <= 6x6 maps and ~45-60 at stride 2).
1-D layers (one row, k_h 1 after swapping H and W for (k, 1) filters over width-1 maps, depth
multiplier 1, no dilation, stride 1 or 2) call te_depthwise_conv2d_s8_1d instead: on DSP builds a
kernel of its own (int16 time series per group of 4 channels, SMLAD on pairs of taps, ~10-20
instructions per output on Cortex-M4 against ~40-85), elsewhere the planar kernel.
All read the model's int8 weights and expand what they use to int16 in scratch.
Both may write over their input (depth multiplier 1), so the call declares inplace=[(0, 0)].
"""
from __future__ import annotations

import numpy as np

from .. import quant as q
from ..ir import Graph, Op
from ..liveness import spare_bytes_at
from .base import ConstArray, KernelCall, depthwise_shape, fused_activation, register, require, require_quant
from .conv import requant_consts

# Most bytes of int16 input rows the planar kernel buffers per channel (scratch, live only
# during the op), and only when the arena has them spare.
WINDOW_BYTES = 4096
# Stride-1 layers with at most this many output pixels per channel use the direct kernel.
DIRECT_MAX_PIXELS = 64
# The direct kernel's plane mode: when copying each group's input into a padded plane and running
# every tap costs less than handling the border pixels one by one over their in-image taps
# (estimated instructions per copied value, per tap and per border pixel, Cortex-M4), and the
# plane fits the arena's spare bytes (at most this many).
PLANE_COPY_COST = 4
DIRECT_TAP3_COST = 8
DIRECT_TAP_COST = 10
BORDER_PIXEL_COST = 100
BORDER_TAP_COST = 14
PLANE_MAX_BYTES = 4096


@register("DEPTHWISE_CONV_2D", simd=("dsp", "mve"), note="any depth multiplier; in place")
def lower_depthwise_conv2d(op: Op, graph: Graph) -> KernelCall:
    require(len(op.inputs) in (2, 3) and len(op.outputs) == 1, op, "expects input, filter[, bias] and one output")
    x, w = op.input(0), op.input(1)
    bias = op.inputs[2] if len(op.inputs) > 2 else None
    y = op.outputs[0]
    legacy = op.context.legacy_uint8
    require_quant(op, x, w, y)
    require(x.dtype == "int8" and y.dtype == "int8" and w.dtype == "int8", op,
            f"needs int8 input/weights/output, got {x.dtype}/{w.dtype}/{y.dtype}")
    require(w.is_const, op, "weights must be constant")
    shape = depthwise_shape(op, x, w, y)
    n, ih, iw, ic, oc, kh, kw, _ = shape.sizes
    sh, sw, dh, dw, oh, ow, pad_top, pad_left = shape.window
    depth_mult = shape.depth_multiplier
    # 1-D layers (streaming keyword spotters, activity recognition): te_depthwise_conv2d_s8_1d. A
    # (k, 1) filter over a width-1 map is, in memory, a (1, k) filter over a height-1 map (NHWC with
    # W = 1, filter [k][1][C] = [1][k][C]): it runs with H and W swapped.
    if iw == ow == kw == 1 and ih > 1 and _one_d(iw, ow, kh, depth_mult, dh, sh, op):
        ih, iw, oh, ow, kh, kw, sh, sw, dh, dw, pad_top, pad_left = iw, ih, ow, oh, kw, kh, sw, sh, dw, dh, pad_left, pad_top
    one_d = _one_d(ih, oh, kw, depth_mult, dw, sw, op) and kh == 1
    if w.q.per_channel:
        require(not legacy, op, "per-channel filter scales need int8 (not uint8) tensors")
        require(w.q.scale.size == oc, op, f"{w.q.scale.size} filter scales for {oc} output channels")
    if bias is not None:
        require(bias.size == oc, op, f"bias has {bias.size} values for {oc} output channels")
    act = fused_activation(op)
    require(act in (q.ACT_NONE, q.ACT_RELU, q.ACT_RELU6, q.ACT_RELU_N1_TO_1), op, f"fused activation {act} not supported")
    act_min, act_max = q.activation_range(act, "int8", y.q.s, y.q.zp)
    # Worst-case |acc| must fit int32 like the reference's accumulator (it never saturates).
    in_off, f_off = -x.q.zp, (-w.q.zp if legacy else 0)
    require(kh * kw * 255 * 255 < 2**31 - 2**24, op, "filter window too large for an int32 accumulator")

    # Weights as the model stores them, int8 [k_h][k_w][out_c] (the kernels add the filter offset
    # as they expand a channel, or a group of 4 channels, to int16): no extra flash.
    consts = {"weights": ConstArray("int8_t", w.const_data.reshape(-1))}
    groups = (oc + 3) // 4
    consts.update(requant_consts(op, oc))
    mults, shifts = consts["multiplier"].data, consts["shift"].data
    require(bool(np.all(mults >= 0)), op, "negative requantization multiplier")
    # The kernels pad with the input zero point and add no input offset per tap: the bias
    # carries input_offset * sum(w + filter_offset) (wrapped to int32 like the kernels' sums).
    bias_data = consts["bias"].data.astype(np.int64) if "bias" in consts else np.zeros(oc, np.int64)
    taps = w.const_data.reshape(kh * kw, oc).astype(np.int64) + f_off
    folded = q.wrap_int32(bias_data + in_off * taps.sum(axis=0)).astype(np.int32)
    consts["bias"] = ConstArray("int32_t", folded)

    # In place: output (p, c) overwrites input (p, c). Both kernels write an output row only once
    # no later output needs the input rows it lands on, which holds when each output row maps
    # into input rows at or above it: output no wider or taller than the input, top padding
    # smaller than the (dilated) filter.
    eff_h, eff_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    # A band of a patch stage (patches.py) runs out of place and keeps the whole op's kernel.
    band = op.context.band
    can_inplace = depth_mult == 1 and ow <= iw and oh <= ih and pad_top <= eff_h - 1 and not band
    ring_rows = max(1, pad_top + 2 - sh)  # direct kernel in place: output rows held back
    direct = depth_mult == 1 and oc % 4 == 0 and dh == 1 and dw == 1 and (sh * sw > 1 or oh * ow <= DIRECT_MAX_PIXELS)
    if op.context.dw_direct is not None:
        direct = op.context.dw_direct
    direct = direct and not one_d

    # Planar kernel: int16 window rows of one channel, padded, read in pairs of taps.
    kwp = (kw + 1) // 2
    row_len = max(pad_left + iw, (ow - 1) * sw + max(2 * kwp, eff_w))
    row_len += row_len % 2
    # The window holds the whole padded channel when it fits (one pass, no sliding), else as many
    # rows as fit, at least the filter's height + stride_h (two output rows per pass). It may use
    # what the arena has spare while this op runs (estimated from tensor lifetimes), up to
    # WINDOW_BYTES.
    padded_rows = (oh - 1) * sh + eff_h
    # arena bytes not live while this op runs: room for scratch that does not raise the arena
    spare = 0 if band else spare_bytes_at(graph, op, x if can_inplace else None)
    buf_rows = min(padded_rows, max(eff_h + sh, min(WINDOW_BYTES, spare) // (2 * row_len)))
    # one channel's weights, a column of accumulators, the window
    scratch = 4 * kh * kwp + 4 * buf_rows + 2 * buf_rows * row_len

    plane = 0
    if direct:
        # Per group of 4 channels: the 4 folded biases, then per channel (multiplier, hi, e - 1, 0)
        # for te_requant_fast (e = -shift in FAST_REQUANT_FOLDED_E, hi its constant with the
        # output offset), or, for a group holding any other shift, (multiplier, shift, zp_out, 1)
        # for the generic arithmetic.
        e = -shifts.astype(np.int64)
        e_min, e_max = q.FAST_REQUANT_FOLDED_E
        fast = ((e >= e_min) & (e <= e_max)).reshape(groups, 4).all(axis=1).repeat(4)
        ef = np.where(fast, e, 2)
        hi = np.where(fast, q.fast_requant_hi(ef, y.q.zp), shifts)
        per_ch = np.stack([mults.astype(np.int64), hi, np.where(fast, ef - 1, y.q.zp),
                           (~fast).astype(np.int64)], axis=1)
        requant4 = np.concatenate([folded.astype(np.int64).reshape(groups, 4), per_ch.reshape(groups, 16)], axis=1)
        consts["requant4"] = ConstArray("int32_t", q.wrap_int32(requant4).astype(np.int32))
        for role in ("bias", "multiplier", "shift"):  # all in requant4 (rq is then all NULL)
            del consts[role]
        # one group's int16 weights, a ring of output rows of one group of 4 channels
        scratch = 8 * kh * kw + (ring_rows * ow * 4 if can_inplace else 0)
        # Plane mode: each group's input copied into a zero-point padded plane, so that every output
        # pixel is an interior one (small maps, where border pixels would be most of them), when the
        # plane costs no more arena than the arena has spare here (or than the other mode's scratch).
        plane_w = max(pad_left + iw, (ow - 1) * sw + kw)
        plane_h = (oh - 1) * sh + kh
        plane_scratch = 8 * kh * kw + 4 * plane_w * plane_h
        room = max(scratch, min(PLANE_MAX_BYTES, spare))
        if _plane_cost(ih, iw, oh, ow, kh, kw, sh, sw, pad_top, pad_left) < 0 and plane_scratch <= room:
            scratch, plane = plane_scratch, plane_w
        # The Helium kernel (src/te_depthwise.c, dw_mve) runs direct layers too, through an int8
        # window of buf_rows rows (the direct kernel does not read buf_rows): as many as the
        # direct kernel's scratch holds, at least a filter's height.
        room = scratch - mve_window_bytes(0, 0)
        buf_rows = min(padded_rows, max(eff_h, room // row_len))

    params = dict(
        batches=n, in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, depth_mult=depth_mult,
        k_h=kh, k_w=kw, stride_h=sh, stride_w=sw, dil_h=dh, dil_w=dw, pad_top=pad_top, pad_left=pad_left,
        input_offset=in_off, filter_offset=f_off, output_offset=y.q.zp, act_min=act_min, act_max=act_max,
        row_len=row_len, buf_rows=buf_rows, ring_rows=ring_rows if can_inplace else 0, plane_w=plane,
    )
    # The kernels' own need (what the choices above were made with) and the Helium kernel's window.
    scratch = dw_s8_scratch_bytes(params, direct)
    variant = (f"{kh}x{kw}/s{sh}" + (f" x{depth_mult}" if depth_mult > 1 else "") + (" uint8" if legacy else "")
               + (" direct" if direct else ""))
    # Planar layers with 7-8 wide filters, an even stride_w and the whole int8 range:
    # te_depthwise_conv2d_s8_wide (DSP builds read two weight pairs and two input pairs per LDRD;
    # elsewhere the same as te_depthwise_conv2d_s8), so that models without such a layer do not
    # link that code.
    wide = not direct and not one_d and dw == 1 and kwp == 4 and sw % 2 == 0 and (act_min, act_max) == (-128, 127)
    template = "depthwise_conv2d_wide.c.j2" if wide else "depthwise_conv2d.c.j2"
    if one_d:
        # DSP builds run the 1-D kernel, the others te_depthwise_conv2d_s8 (the planar kernel).
        template = "depthwise_conv2d_1d.c.j2"
        scratch = max(scratch, dw_1d_scratch_bytes(params))
        variant += " 1d"
    return KernelCall(op=op, template=template, header="tinyengine/te_depthwise.h",
                      inputs=[x], outputs=[y], params=params, consts=consts, scratch_bytes=scratch,
                      inplace=[(0, 0)] if can_inplace else [], macs=n * oh * ow * oc * kh * kw, note=variant)


def _one_d(ih: int, oh: int, kw: int, depth_mult: int, dw: int, sw: int, op: Op) -> bool:
    """The 1-D kernel's shapes (after the swap): one row in and out, k_h 1 (checked by the caller),
    depth multiplier 1, no dilation, stride 1 or 2; not a band of a patch stage, nor a layer whose
    kernel a test forces."""
    return (ih == oh == 1 and kw > 1 and depth_mult == 1 and dw == 1 and sw in (1, 2)
            and not op.context.band and op.context.dw_direct is None)


def dw_1d_scratch_bytes(p: dict) -> int:
    """te_depthwise_conv2d_s8_1d_scratch_bytes (te_depthwise.h): the int16 weights and time series
    of a group of 4 channels (te_dw_1d_weights_len and te_dw_1d_series_len values per channel).
    Checked by tests/test_scratch_sizes.py."""
    series = max(p["pad_left"] + p["in_w"], p["stride_w"] * p["out_w"] + p["k_w"] + 1)
    series += series % 2
    return 8 * ((p["k_w"] + 4) & ~1) + 8 * series


def _plane_cost(ih: int, iw: int, oh: int, ow: int, kh: int, kw: int, sh: int, sw: int, pad_top: int,
                pad_left: int) -> int:
    """Estimated instructions per group of 4 channels (Cortex-M4) of the direct kernel's plane mode
    minus those of its other mode: the plane costs its copy and every padded tap; the other mode
    runs interior pixels the same way and each border pixel over its in-image taps only."""
    def valid(o: int, pad: int, s: int, k: int, n: int) -> int:
        start = o * s - pad
        return max(0, min(k, n - start) - max(0, -start))

    tap = DIRECT_TAP3_COST if kh == kw == 3 else DIRECT_TAP_COST
    rows = [valid(y, pad_top, sh, kh, ih) for y in range(oh)]
    cols = [valid(x, pad_left, sw, kw, iw) for x in range(ow)]
    plane = ih * iw * PLANE_COPY_COST + oh * ow * kh * kw * tap
    other = 0
    for r in rows:
        for c in cols:
            other += kh * kw * tap if (r, c) == (kh, kw) else BORDER_PIXEL_COST + r * c * BORDER_TAP_COST
    return plane - other


def dw_s8_scratch_bytes(p: dict, direct: bool) -> int:
    """te_depthwise_conv2d_s8_scratch_bytes (te_depthwise.h) for the kernel parameters p: the
    largest need over the builds (the planar or direct kernel's, and the Helium kernel's window).
    tests/test_scratch_sizes.py checks this copy against the C function."""
    if direct:
        plane_h = (p["out_h"] - 1) * p["stride_h"] + p["k_h"]
        own = 8 * p["k_h"] * p["k_w"] + (4 * p["plane_w"] * plane_h if p["plane_w"] > 0
                                         else 4 * p["ring_rows"] * p["out_w"])
    else:
        own = 4 * p["k_h"] * ((p["k_w"] + 1) // 2) + 4 * p["buf_rows"] + 2 * p["buf_rows"] * p["row_len"]
    return max(own, mve_window_bytes(p["row_len"], p["buf_rows"]))


def mve_window_bytes(row_len: int, buf_rows: int) -> int:
    """Scratch of the Helium depthwise kernel: its int8 window and 16 bytes past it (its last step
    of four outputs may read up to 3 * stride_w bytes past a row). The planar kernel's int16 window
    and its other buffers are nearly always larger (dw_s8_scratch_bytes takes the maximum)."""
    return row_len * buf_rows + 16


