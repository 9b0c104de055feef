"""Errors the generator reports to users as one line, never as a traceback."""
from __future__ import annotations

import re

_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


def printable(text: str, limit: int = 60) -> str:
    """Text from a model (a tensor or custom op name) as one short printable line for a message:
    control characters, newlines and non-ASCII become '?', long names are cut."""
    s = _UNPRINTABLE.sub("?", text)
    return s if len(s) <= limit else s[:limit - 3] + "..."



class TinyEngineError(Exception):
    """A problem with the user's input; the CLI prints it on one line."""

    exit_code = 1


class ModelFormatError(TinyEngineError):
    """The file is not a readable .tflite flatbuffer, or its graph breaks the schema's rules."""


class InternalError(TinyEngineError):
    """A bug in tinyengine-gen (an unexpected exception in one of its stages): reported as one line
    asking for a report, with its own exit code."""

    exit_code = 3


class GenerationTimeout(TinyEngineError):
    """Generation ran past its time limit (a build must never hang)."""


class UnsupportedModelError(TinyEngineError):
    """A readable model that tinyengine cannot compile (float-only, dynamic shapes...)."""


class UnsupportedOpError(TinyEngineError):
    """One or more ops have no kernel; exit code 2 so build scripts can tell.

    `problems` holds (op index, op name, detail) per op; the message groups them by name and
    detail ("HARD_SWISH x18 (int8, first at op index 12)") so it stays one short line."""

    exit_code = 2

    def __init__(self, problems: list[tuple[int, str, str]], source: str = "", hint: str = ""):
        self.problems = problems
        groups: dict[tuple[str, str], list[int]] = {}
        for index, name, why in problems:
            groups.setdefault((printable(name), printable(why)), []).append(index)
        listed = ", ".join(
            f"{name}{f' x{len(idx)}' if len(idx) > 1 else ''} ("
            + (f"{why}, " if why else "")
            + (f"first at op index {idx[0]}" if len(idx) > 1 else f"op index {idx[0]}") + ")"
            for (name, why), idx in groups.items()
        )
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}unsupported op{'s' if len(problems) > 1 else ''}: {listed}; "
                         "'tinyengine-gen ops' lists the supported ops and types" + (f"; {hint}" if hint else ""))
