"""Errors the generator reports to users as one line, never as a traceback."""
from __future__ import annotations


class TinyEngineError(Exception):
    """A problem with the user's input; the CLI prints it on one line."""

    exit_code = 1


class ModelFormatError(TinyEngineError):
    """The file is not a readable .tflite flatbuffer."""


class UnsupportedModelError(TinyEngineError):
    """A readable model that tinyengine cannot compile (float-only, dynamic shapes...)."""


class UnsupportedOpError(TinyEngineError):
    """One or more ops have no kernel; exit code 2 so build scripts can tell."""

    exit_code = 2

    def __init__(self, problems: list[tuple[int, str, str]], supported: list[str]):
        self.problems = problems
        self.supported = supported
        listed = "; ".join(
            f"{name} at op index {index}" + (f" ({why})" if why else "")
            for index, name, why in problems
        )
        super().__init__(
            f"unsupported op{'s' if len(problems) > 1 else ''}: {listed}. "
            f"Supported ops: {', '.join(supported)}"
        )
