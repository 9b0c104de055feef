"""CONV_2D lowering."""
from __future__ import annotations

import numpy as np

from .. import quant as q
from ..errors import LoweringError
from ..ir import Graph, Op
from .base import ConstArray, ConvShape, KernelCall, conv_shape, i32, register, require, require_quant


def requant_consts(op: Op, out_c: int) -> dict[str, ConstArray]:
    """Bias and per-channel (multiplier, shift), computed as TFLite's Prepare does."""
    x, w = op.input(0), op.input(1)
    bias = op.inputs[2] if len(op.inputs) > 2 else None
    y = op.outputs[0]
    if op.context.legacy_uint8:
        # uint8 models: one multiplier from the float32 product of scales.
        m, s = q.legacy_conv_multiplier(x.q.s, w.q.s, y.q.s)
        mults, shifts = np.full(out_c, m, np.int32), np.full(out_c, s, np.int32)
    else:
        mults, shifts = q.conv_per_channel_multipliers(x.q.s, w.q.scale, y.q.s, out_c)
    consts = {"multiplier": i32(mults), "shift": i32(shifts)}
    if bias is not None:
        require(bias.is_const and bias.dtype == "int32", op, "bias must be a constant int32 tensor")
        consts["bias"] = i32(bias.const_data.reshape(-1))
    return consts


def _round_up(n: int, m: int) -> int:
    return (n + m - 1) // m * m


def conv_scratch_bytes(k_total: int, out_c: int) -> int:
    """te_conv2d_s8_scratch_bytes: the largest of the SIMD paths' needs (DSP: 4 int16 columns of K
    rounded to 4 and one int8 window; Helium: out_c folded biases and five int8 windows of K rounded
    to 16), so one generated model runs on every core."""
    return max(9 * _round_up(k_total, 4), 5 * _round_up(k_total, 16) + 4 * out_c)


def conv_1x1_scratch_bytes(in_c: int) -> int:
    """te_conv2d_1x1_s8_scratch_bytes: the DSP path's 4 int16 columns, the in-place portable
    kernel's copy of one input pixel, or Helium's five rows of in_c rounded up to 16 (in_c > 16,
    else one; never the largest)."""
    return max(8 * _round_up(in_c, 4), in_c, 5 * _round_up(in_c, 16) if in_c > 16 else 16)


def conv_s16_scratch_bytes(k_total: int, out_c: int) -> int:
    """te_conv2d_s16_scratch_bytes: per output channel 16 bytes of requantization constants, two
    int16 columns of K taps rounded up to 4 and their interleaved copy (SIMD paths only)."""
    return 16 * out_c + 8 * _round_up(k_total, 4)


def conv_1x1_inplace(in_c: int, out_c: int, stride_h: int, stride_w: int) -> list[tuple]:
    """In-place pair of a pointwise convolution (te_conv2d_1x1_s8_inplace; the proof is in
    src/te_conv.c): output pixel q, written after its input pixel was read, lands at or below
    the input pixels still to be read when
      - out_c <= in_c (any stride): both start together;
      - out_c > in_c, stride 1: both end together (the wider output starts below the input).
    A wider output at stride > 1 is never in place."""
    if out_c <= in_c:
        return [(0, 0)]
    if stride_h == stride_w == 1:
        return [(0, 0, "end")]
    return []


def conv_entry(shape: ConvShape) -> str:
    """The int8 kernel of a convolution: "1x1" (pointwise: te_conv2d_1x1_s8), "rows" (channel counts
    a multiple of 4, dil_w 1, one group: te_conv2d_s8_rows, whose DSP path expands each filter row's
    in-image taps at once), "rgb3x3" (3x3 over 3 channels, dil_w 1, one group, the RGB stem:
    te_conv2d_s8_rgb3x3, with its own column and K = 27 loops on DSP builds) or "generic"
    (te_conv2d_s8). On builds without a DSP path, rows and rgb3x3 are te_conv2d_s8."""
    s = shape
    no_padding = s.oh == (s.ih - 1) // s.sh + 1 and s.ow == (s.iw - 1) // s.sw + 1 and s.pad_top == s.pad_left == 0
    if s.kh == s.kw == 1 and no_padding and s.fic == s.ic:
        return "1x1"
    if s.fic == s.ic and s.ic % 4 == 0 and s.dw == 1:
        return "rows"
    if s.fic == s.ic == 3 and s.kh == s.kw == 3 and s.dw == 1:
        return "rgb3x3"
    return "generic"


def _links_generic_conv(graph: Graph, stem: Op) -> bool:
    """Whether another int8 CONV_2D of the graph takes te_conv2d_s8: then the stem takes it too,
    as te_conv2d_s8_rgb3x3's code would be a second copy of most of it (flash)."""
    for other in graph.ops:
        if other is stem or other.kind != "CONV_2D" or not other.outputs:
            continue
        try:  # (a layer this refuses is refused in its own lowering, with its own message)
            x, w, y = other.input(0), other.input(1), other.outputs[0]
            if x.dtype == "int8" and conv_entry(conv_shape(other, x, w, y)) == "generic":
                return True
        except LoweringError:
            continue
    return False


@register("CONV_2D", simd=("dsp", "mve"), note="any kernel, stride, dilation, groups")
def lower_conv2d(op: Op, graph: Graph) -> KernelCall:
    x, w = op.input(0), op.input(1)
    y = op.outputs[0]
    require_quant(op, x, w, y)
    require(x.dtype == "int8" and y.dtype == "int8" and w.dtype == "int8", op,
            f"needs int8 input/weights/output, got {x.dtype}/{w.dtype}/{y.dtype}")
    require(w.is_const, op, "weights must be constant")
    shape = conv_shape(op, x, w, y)
    n, ih, iw, ic, oc, kh, kw, fic = shape.sizes
    sh, sw, dh, dw, oh, ow, pad_top, pad_left = shape.window
    o = op.options
    act_min, act_max = q.activation_range(str(o.get("fused_activation_function", "NONE")), "int8",
                                          y.q.s, y.q.zp)
    params = dict(
        batches=n, in_h=ih, in_w=iw, in_c=ic, out_h=oh, out_w=ow, out_c=oc, k_h=kh, k_w=kw,
        filter_in_c=fic, stride_h=sh, stride_w=sw, dil_h=dh, dil_w=dw, pad_top=pad_top, pad_left=pad_left,
        input_offset=-x.q.zp, filter_offset=-w.q.zp if not w.q.per_channel else 0,
        output_offset=y.q.zp, act_min=act_min, act_max=act_max,
    )
    consts = {"weights": ConstArray("int8_t", w.data)}
    consts.update(requant_consts(op, oc))
    macs = n * oh * ow * oc * kh * kw * fic
    entry = conv_entry(shape)
    if entry == "rgb3x3" and _links_generic_conv(graph, op):
        entry = "generic"
    if entry == "1x1":
        # Fold the input offset into the bias: the kernel's inner loop is then a plain int8 dot product.
        # sum (w + fo)(x + io) = sum w x + io (sum w + K fo) + fo sum x; the last term (legacy uint8
        # models only) is the kernel's, per pixel.
        bias = consts["bias"].data if "bias" in consts else np.zeros(oc, np.int32)
        wsum = w.const_data.reshape(oc, -1).astype(np.int64).sum(axis=1) + ic * params["filter_offset"]
        folded = (bias.astype(np.int64) + params["input_offset"] * wsum)
        consts["bias"] = i32(q.wrap_int32(folded).astype(np.int32))  # int32 wrap, as the kernel's sum
        return KernelCall(op=op, template="conv2d_1x1.c.j2", header="tinyengine/te_conv.h", inputs=[x], outputs=[y],
                          params=params, consts=consts, macs=macs, note=f"1x1/s{sh}",
                          scratch_bytes=conv_1x1_scratch_bytes(ic), inplace=conv_1x1_inplace(ic, oc, sh, sw))
    template = {"rows": "conv2d_rows.c.j2", "rgb3x3": "conv2d_rgb3x3.c.j2"}.get(entry, "conv2d.c.j2")
    return KernelCall(op=op, template=template, header="tinyengine/te_conv.h",
                      inputs=[x], outputs=[y],
                      params=params, consts=consts, macs=macs, note=f"{kh}x{kw}/s{sh}",
                      scratch_bytes=conv_scratch_bytes(kh * kw * fic, oc))
