"""A structure-aware mutator for .tflite flatbuffers, for fuzzing the generator.

It never re-serialises: it finds where each interesting scalar of the flatbuffer lives (tensor
shapes, types, buffer indices, quantization scales / zero points / dimension, op input and output
indices, opcode indices, builtin codes, the first byte of every builtin option field, subgraph
inputs and outputs) and overwrites it in place with values chosen to break assumptions (0, -1,
huge, NaN, inf, out of range, a neighbour's index). Byte-level mutations (flips, overwrites,
truncation) complement it. Everything is driven by a numpy Generator, so a seed reproduces a case.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import tflite


@dataclass(frozen=True)
class Field:
    pos: int  # absolute byte offset in the model
    fmt: str  # struct format of the stored scalar ('<i', '<I', '<b', '<B', '<f', '<q')
    role: str  # what it is, e.g. "tensor.shape", "op.inputs", "quant.scale"


def _slot(tab, index: int) -> int:
    return tab.Offset(4 + 2 * index)


def _scalar(tab, index: int, fmt: str, role: str, out: list[Field]) -> None:
    off = _slot(tab, index)
    if off:
        out.append(Field(tab.Pos + off, fmt, role))


def _vector(tab, index: int, fmt: str, role: str, out: list[Field]) -> None:
    off = _slot(tab, index)
    if not off:
        return
    start, n = tab.Vector(off), tab.VectorLen(off)
    size = struct.calcsize(fmt)
    out.extend(Field(start + i * size, fmt, role) for i in range(min(n, 64)))


def _table_fields(tab, role: str, out: list[Field]) -> None:
    """The first byte of every field present in a table whose layout we do not model."""
    vtable = tab.Pos - struct.unpack_from("<i", tab.Bytes, tab.Pos)[0]
    vt_size = struct.unpack_from("<H", tab.Bytes, vtable)[0]
    for slot in range(4, vt_size, 2):
        off = struct.unpack_from("<H", tab.Bytes, vtable + slot)[0]
        if off:
            out.append(Field(tab.Pos + off, "<b", role))


def scalar_fields(model: bytes) -> list[Field]:
    """Every mutable scalar the mutator knows about, in model order."""
    out: list[Field] = []
    m = tflite.Model.GetRootAs(model, 0)
    for i in range(m.OperatorCodesLength()):
        code = m.OperatorCodes(i)
        _scalar(code._tab, 0, "<b", "opcode.deprecated_builtin_code", out)
        _scalar(code._tab, 3, "<i", "opcode.builtin_code", out)
        _scalar(code._tab, 2, "<i", "opcode.version", out)
    for s in range(m.SubgraphsLength()):
        sg = m.Subgraphs(s)
        _vector(sg._tab, 1, "<i", "subgraph.inputs", out)
        _vector(sg._tab, 2, "<i", "subgraph.outputs", out)
        for t in range(sg.TensorsLength()):
            tensor = sg.Tensors(t)
            _vector(tensor._tab, 0, "<i", "tensor.shape", out)
            _scalar(tensor._tab, 1, "<b", "tensor.type", out)
            _scalar(tensor._tab, 2, "<I", "tensor.buffer", out)
            _scalar(tensor._tab, 5, "<b", "tensor.is_variable", out)
            q = tensor.Quantization()
            if q is not None:
                _vector(q._tab, 2, "<f", "quant.scale", out)
                _vector(q._tab, 3, "<q", "quant.zero_point", out)
                _scalar(q._tab, 6, "<i", "quant.quantized_dimension", out)
        for o in range(sg.OperatorsLength()):
            op = sg.Operators(o)
            _scalar(op._tab, 0, "<I", "op.opcode_index", out)
            _vector(op._tab, 1, "<i", "op.inputs", out)
            _vector(op._tab, 2, "<i", "op.outputs", out)
            options = op.BuiltinOptions()
            if options is not None:
                _table_fields(options, "op.options", out)
    return out


INTERESTING_INTS = [0, 1, -1, 2, 3, 7, 127, 128, 255, 256, -128, -129, 32767, -32768, 65535,
                    2**31 - 1, -(2**31), 2**32 - 1, 2**16 + 1]
INTERESTING_FLOATS = [0.0, -0.0, -1.0, float("nan"), float("inf"), float("-inf"), 1e-45, 3e38, 1e-30, 1e30]


def _value_for(field: Field, rng: np.random.Generator, current: float | int, count: int) -> float | int:
    if field.fmt == "<f":
        choice = rng.integers(0, 3)
        if choice == 0:
            return float(rng.choice(INTERESTING_FLOATS))
        value = float(current) * float(rng.choice([0.5, 2.0, 1e6, 1e-6, -1.0]))
        return value if abs(value) <= 3.4e38 else float("inf") * (1 if value > 0 else -1)
    lo, hi = {"<b": (-128, 127), "<B": (0, 255), "<i": (-(2**31), 2**31 - 1), "<I": (0, 2**32 - 1),
              "<q": (-(2**63), 2**63 - 1)}[field.fmt]
    choice = rng.integers(0, 4)
    if choice == 0:
        value = int(rng.choice(INTERESTING_INTS))
    elif choice == 1:
        value = int(current) + int(rng.integers(-3, 4))
    elif choice == 2:
        value = int(rng.integers(-1, max(count, 2)))  # a plausible index, sometimes one past the end
    else:
        value = int(rng.integers(lo, hi, endpoint=True, dtype=np.int64)) if field.fmt != "<q" else \
            int(rng.choice([2**40, -(2**40), 2**62]))
    return min(max(value, lo), hi)


def mutate(model: bytes, rng: np.random.Generator, fields: list[Field] | None = None) -> bytes:
    """One mutant: 1-3 structure-aware field changes, or a byte-level change."""
    data = bytearray(model)
    fields = scalar_fields(model) if fields is None else fields
    kind = rng.integers(0, 10)
    if kind < 7 and fields:
        for _ in range(int(rng.integers(1, 4))):
            f = fields[int(rng.integers(0, len(fields)))]
            current = struct.unpack_from(f.fmt, data, f.pos)[0]
            count = max(8, len(fields) // 8)
            struct.pack_into(f.fmt, data, f.pos, _value_for(f, rng, current, count))
        return bytes(data)
    if kind < 9:
        for _ in range(int(rng.integers(1, 9))):
            pos = int(rng.integers(0, min(len(data), 1 << 16)))
            data[pos] = int(rng.integers(0, 256)) if rng.random() < 0.5 else data[pos] ^ (1 << int(rng.integers(0, 8)))
        return bytes(data)
    return bytes(data[: int(rng.integers(8, len(data)))])


def set_field(model: bytes, role: str, nth: int, value: float | int) -> bytes:
    """The model with the nth field of `role` (in scalar_fields order) set to `value`."""
    fields = [f for f in scalar_fields(model) if f.role == role]
    data = bytearray(model)
    struct.pack_into(fields[nth].fmt, data, fields[nth].pos, value)
    return bytes(data)
