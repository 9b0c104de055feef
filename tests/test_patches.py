"""Patch-based inference (python/tinyengine_gen/patches.py): band stages give the reference's
bytes on the host for every kind of op a stage may hold, at every band height, and the arena
and error behaviour users rely on."""
from __future__ import annotations

from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from tests.support import shared_models_dir
from tests.support.optest import assert_matches_reference
from tests.support.tflite_build import OpSpec, TensorSpec, build_model
from tinyengine_gen import patches
from tinyengine_gen.cli import main
from tinyengine_gen.pipeline import Options, compile_model


class Chain:
    """A small NHWC int8 network built layer by layer (random weights and scales)."""

    def __init__(self, shape: tuple[int, int, int], seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.tensors: list[TensorSpec] = [TensorSpec((1, *shape), "int8", scale=0.05, zero_point=3)]
        self.ops: list[OpSpec] = []
        self.scales = [0.05]

    @property
    def last(self) -> int:
        return len(self.tensors) - 1

    def _act(self, shape: tuple[int, ...]) -> int:
        scale = float(self.rng.uniform(0.03, 0.12))
        self.tensors.append(TensorSpec(shape, "int8", scale=scale, zero_point=int(self.rng.integers(-20, 20))))
        return self.last

    def _out_hw(self, size: int, k: int, s: int, padding: str, dil: int = 1) -> int:
        eff = (k - 1) * dil + 1
        return (size + s - 1) // s if padding == "SAME" else (size - eff) // s + 1

    def conv(self, src: int, cout: int, k: int, s: int, padding: str, dil: int = 1, depthwise: bool = False,
             act: str = "RELU") -> int:
        _, h, w, cin = self.tensors[src].shape
        in_scale = self.tensors[src].scale
        in_scale = in_scale if isinstance(in_scale, float) else in_scale[0]
        cw = cout
        wshape = (1, k, k, cout) if depthwise else (cout, k, k, cin)
        wscale = [float(x) for x in self.rng.uniform(0.004, 0.03, cw)]
        self.tensors.append(TensorSpec(wshape, "int8", scale=wscale, zero_point=[0] * cw,
                                       quantized_dimension=3 if depthwise else 0,
                                       data=self.rng.integers(-127, 128, wshape).astype(np.int8)))
        wi = self.last
        self.tensors.append(TensorSpec((cout,), "int32", scale=[float(np.float32(in_scale) * np.float32(x)) for x in wscale],
                                       zero_point=[0] * cout, data=self.rng.integers(-3000, 3000, cout).astype(np.int32)))
        bi = self.last
        oh, ow = self._out_hw(h, k, s, padding, dil), self._out_hw(w, k, s, padding, dil)
        out = self._act((1, oh, ow, cout))
        opts = {"padding": padding, "stride_h": s, "stride_w": s, "dilation_h_factor": dil,
                "dilation_w_factor": dil, "fused_activation_function": act}
        if depthwise:
            opts["depth_multiplier"] = cout // cin
        self.ops.append(OpSpec("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [src, wi, bi], [out], opts))
        return out

    def pool(self, src: int, kind: str, k: int, s: int, padding: str) -> int:
        _, h, w, c = self.tensors[src].shape
        spec = self.tensors[src]
        self.tensors.append(TensorSpec((1, self._out_hw(h, k, s, padding), self._out_hw(w, k, s, padding), c), "int8",
                                       scale=spec.scale, zero_point=spec.zero_point))
        out = self.last
        self.ops.append(OpSpec(kind, [src], [out], {"padding": padding, "stride_h": s, "stride_w": s,
                                                    "filter_height": k, "filter_width": k,
                                                    "fused_activation_function": "NONE"}))
        return out

    def add(self, a: int, b: int) -> int:
        out = self._act(self.tensors[a].shape)
        self.ops.append(OpSpec("ADD", [a, b], [out], {"fused_activation_function": "NONE"}))
        return out

    def fc(self, src: int, units: int, per_channel: bool) -> int:
        """FULLY_CONNECTED over the flattened NHWC tensor `src` (batch 1)."""
        depth = int(np.prod(self.tensors[src].shape))
        in_scale = self.tensors[src].scale
        in_scale = in_scale if isinstance(in_scale, float) else in_scale[0]
        wscale = [float(x) for x in self.rng.uniform(0.002, 0.01, units if per_channel else 1)]
        self.tensors.append(TensorSpec((units, depth), "int8", scale=wscale if per_channel else wscale[0],
                                       zero_point=[0] * units if per_channel else 0,
                                       data=self.rng.integers(-127, 128, (units, depth)).astype(np.int8)))
        wi = self.last
        bscale = [float(np.float32(in_scale) * np.float32(x)) for x in wscale]
        self.tensors.append(TensorSpec((units,), "int32", scale=bscale if per_channel else bscale[0],
                                       zero_point=[0] * units if per_channel else 0,
                                       data=self.rng.integers(-3000, 3000, units).astype(np.int32)))
        bi = self.last
        out = self._act((1, units))
        self.ops.append(OpSpec("FULLY_CONNECTED", [src, wi, bi], [out], {"fused_activation_function": "NONE"}))
        return out

    def model(self) -> bytes:
        return build_model(self.tensors, self.ops, [0], [self.last])


def mobilenet_like(seed: int = 1, hw: tuple[int, int] = (61, 12)) -> bytes:
    """conv s2 -> depthwise -> pointwise -> expansion -> depthwise s2 -> projection -> residual block."""
    n = Chain((*hw, 3), seed)
    x = n.conv(0, 8, 3, 2, "SAME")
    x = n.conv(x, 8, 3, 1, "SAME", depthwise=True, act="RELU6")
    x = n.conv(x, 4, 1, 1, "VALID", act="NONE")
    y = n.conv(x, 12, 1, 1, "VALID")
    y = n.conv(y, 12, 3, 2, "SAME", depthwise=True)
    y = n.conv(y, 8, 1, 1, "VALID", act="NONE")
    z = n.conv(y, 16, 1, 1, "VALID")
    z = n.conv(z, 16, 5, 1, "SAME", depthwise=True)
    z = n.conv(z, 8, 1, 1, "VALID", act="NONE")
    n.add(y, z)
    return n.model()


def pooling_chain(seed: int = 2) -> bytes:
    """Average pooling with SAME padding (its divisor counts real pixels only), max pooling with
    VALID leftovers, a dilated convolution and a 7x7 depthwise with VALID padding."""
    n = Chain((47, 9, 4), seed)
    x = n.conv(0, 8, 3, 1, "SAME")
    x = n.pool(x, "AVERAGE_POOL_2D", 3, 1, "SAME")
    x = n.conv(x, 8, 3, 1, "SAME", dil=2)
    x = n.pool(x, "MAX_POOL_2D", 2, 2, "VALID")
    x = n.conv(x, 8, 3, 1, "VALID", depthwise=True)
    x = n.pool(x, "AVERAGE_POOL_2D", 2, 1, "VALID")
    n.conv(x, 6, 3, 2, "SAME")
    return n.model()


def resnet_like(seed: int = 3) -> bytes:
    n = Chain((33, 10, 3), seed)
    x = n.conv(0, 8, 3, 1, "SAME")
    y = n.conv(x, 8, 3, 1, "SAME")
    y = n.conv(y, 8, 3, 1, "SAME", act="NONE")
    x = n.add(x, y)
    y = n.conv(x, 16, 3, 2, "SAME")
    y = n.conv(y, 16, 3, 1, "SAME", act="NONE")
    s = n.conv(x, 16, 1, 2, "VALID", act="NONE")
    n.add(s, y)
    return n.model()


def fc_sink(seed: int = 4, per_channel: bool = False) -> bytes:
    """A feature extractor whose last map feeds a FULLY_CONNECTED (micro_speech's shape): the
    FC ends the stage and takes the map row by row."""
    n = Chain((29, 11, 1), seed)
    x = n.conv(0, 8, 3, 2, "SAME", depthwise=True)
    x = n.conv(x, 6, 3, 1, "SAME")
    n.fc(x, 5, per_channel)
    return n.model()


MODELS = {"mobilenet_like": mobilenet_like, "pooling_chain": pooling_chain, "resnet_like": resnet_like,
          "fc_sink": fc_sink, "fc_sink_per_channel": lambda: fc_sink(5, per_channel=True)}


def _stage_of(model: bytes, tmp_path: Path, heights=None):
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    with mock.patch.object(patches, "BAND_HEIGHTS", heights or patches.BAND_HEIGHTS):
        c = compile_model(path, Options(patch=True))
    stages = [call for call in c.calls if isinstance(call, patches.StageCall)]
    return c, stages


@pytest.mark.parametrize("rows", [1, 2, 3])
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_band_stage_matches_reference(kind: str, rows: int, tmp_path: Path) -> None:
    model = MODELS[kind]()
    c, stages = _stage_of(model, tmp_path, (rows,))
    assert stages, "a band stage should lower this network's arena"
    assert stages[0].stage.band_rows == rows
    with mock.patch.object(patches, "BAND_HEIGHTS", (rows,)):
        assert_matches_reference(model, n_sets=3, seed=rows, args=("--patch",), workdir=tmp_path / "run")


def test_fully_connected_ends_a_stage(tmp_path: Path) -> None:
    """The FC is inside the stage (its input map is never whole) and the arena falls below the
    map's size."""
    model = fc_sink()
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    layer = compile_model(path)
    patched, stages = _stage_of(model, tmp_path)
    assert stages and stages[0].stage.calls[-1].op.kind == "FULLY_CONNECTED"
    assert stages[0].stage.sink_acc_offset >= 0
    fc_input = layer.calls[-1].inputs[0].root
    assert patched.plan.arena_size < layer.plan.arena_size
    assert patched.plan.arena_size - layer.plan.arena_size < -fc_input.nbytes // 2
    assert patched.model.macs == layer.model.macs


def test_stage_costs_no_extra_macs_and_lowers_the_arena(tmp_path: Path) -> None:
    model = resnet_like()
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    layer = compile_model(path)
    patched, stages = _stage_of(model, tmp_path)
    assert stages and patched.plan.arena_size < layer.plan.arena_size
    assert patched.model.macs == layer.model.macs
    assert patched.plan.lower_bound <= patched.plan.arena_size
    stage = stages[0].stage
    windows = [t for t in stage.tensors if t.windowed]
    assert windows and all(0 < t.capacity < t.rows for t in windows)


def test_sram_budget(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "m.tflite"
    path.write_bytes(resnet_like())
    layer = compile_model(path).plan.arena_size
    smallest = compile_model(path, Options(patch=True)).plan.arena_size
    # Fits layer by layer: no stage.
    roomy = compile_model(path, Options(sram_budget=layer))
    assert roomy.plan.arena_size == layer and not any(isinstance(c, patches.StageCall) for c in roomy.calls)
    # Needs a stage: one that fits (not necessarily the smallest).
    tight = compile_model(path, Options(sram_budget=layer - 1))
    assert smallest <= tight.plan.arena_size <= layer - 1
    # Cannot fit: a one-line error, exit 1, nothing written.
    out = tmp_path / "gen"
    assert main([str(path), "-o", str(out), "--sram-budget", str(smallest // 2)]) == 1
    err = capsys.readouterr().err
    assert "does not fit the SRAM budget" in err and f"{smallest // 2:,}" in err
    assert not list(out.glob("*.c"))
    with pytest.raises(SystemExit) as exc:
        main([str(path), "-o", str(out), "--sram-budget", "lots"])
    assert exc.value.code == 2 and "not a byte count" in capsys.readouterr().err


@pytest.mark.parametrize("name,limit", [("mlcommons-tiny/resnet_ic_int8", 27_498),
                                        ("tflite-micro/person_detect", 41_154),
                                        ("mlcommons-tiny/vww_96_int8", 50_354),
                                        ("tflite-micro/micro_speech_quantized", 3_418)])
def test_patch_arena_on_shared_models(name: str, limit: int) -> None:
    """At most half of TFLite Micro's arena (../shared/baselines) with --patch."""
    model = shared_models_dir() / f"{name}.tflite"
    c = compile_model(model, Options(patch=True))
    assert c.plan.arena_size <= limit


def test_report_shows_the_stage_and_what_it_saves(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """`report --patch`: the stage, its cost (no extra MACs, bytes moved) and the layer-by-layer arena it
    replaces, in the text and as a reference line in the picture."""
    path = tmp_path / "m.tflite"
    path.write_bytes(resnet_like())
    layer = compile_model(path).plan.arena_size
    patched = compile_model(path, Options(patch=True)).plan.arena_size
    svg = tmp_path / "a.svg"
    assert main(["report", str(path), "--patch", "--svg", str(svg)]) == 0
    out = capsys.readouterr().out
    assert "patch stage at call 0" in out and "extra MACs 0" in out and "B moved per inference" in out
    assert f"layer by layer the arena is {layer:,} B: patch-based inference saves {layer - patched:,} B" in out
    assert "layer by layer" in svg.read_text()
    assert main([str(path), "--patch", "-o", str(tmp_path / "gen")]) == 0
    assert "patch-based stage: ops 0-" in capsys.readouterr().out


def test_patch_based_spellings(tmp_path: Path) -> None:
    """--patch-based (what the CMake / Zephyr glue passes) is --patch; --no-patch is the default."""
    path = tmp_path / "m.tflite"
    path.write_bytes(resnet_like())
    for flag in ("--patch", "--patch-based"):
        assert main([str(path), flag, "-q", "-o", str(tmp_path / flag)]) == 0
    assert (tmp_path / "--patch" / "m.h").read_text() == (tmp_path / "--patch-based" / "m.h").read_text()
    assert main([str(path), "--no-patch", "-q", "-o", str(tmp_path / "none")]) == 0
    assert main([str(path), "-q", "-o", str(tmp_path / "default")]) == 0
    assert (tmp_path / "none" / "m.h").read_text() == (tmp_path / "default" / "m.h").read_text()
    assert (tmp_path / "none" / "m.h").read_text() != (tmp_path / "--patch" / "m.h").read_text()


def _band_lowering_wrapped(change):
    """REGISTRY with CONV_2D's lowering passed through `change(call)` on band ops only."""
    conv = patches.REGISTRY["CONV_2D"]

    def lower(op, graph):
        call = conv(op, graph)
        return change(op, call) if op.context.band else call
    return mock.patch.dict(patches.REGISTRY, {"CONV_2D": lower})


def test_a_band_the_lowering_refuses_is_skipped(tmp_path: Path) -> None:
    """A LoweringError on a band op means that split cannot be used: the search goes on without it
    (here every split holds a CONV_2D, so the model stays layer by layer)."""
    path = tmp_path / "m.tflite"
    path.write_bytes(resnet_like())
    layer = compile_model(path)

    def refuse(op, call):
        raise patches.LoweringError(f"CONV_2D at op index {op.index}: no band variant")
    with _band_lowering_wrapped(refuse):
        c = compile_model(path, Options(patch=True))
    assert not any(isinstance(x, patches.StageCall) for x in c.calls)
    assert c.plan.arena_size == layer.plan.arena_size


def test_an_inconsistent_band_lowering_is_an_internal_error(tmp_path: Path) -> None:
    """A band lowered with other constants than its whole op is a bug: reported, never skipped."""
    from tinyengine_gen.errors import InternalError

    path = tmp_path / "m.tflite"
    path.write_bytes(resnet_like())

    def corrupt(op, call):
        bias = next(k for k in call.consts if "bias" in k)
        arr = call.consts[bias]
        call.consts[bias] = patches.ConstArray(arr.ctype, np.asarray(arr.data) + 1, arr.align)
        return call
    with _band_lowering_wrapped(corrupt), pytest.raises(InternalError, match="other constants on a band"):
        compile_model(path, Options(patch=True))
