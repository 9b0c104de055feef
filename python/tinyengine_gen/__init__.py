"""tinyengine_gen: turns an int8 .tflite model into self-contained C.

Pipeline: reader (flatbuffer -> IR) -> passes (folding, aliases, dtype
normalisation) -> lowering (IR op -> kernel call) -> planner (one arena) ->
codegen (jinja2 templates -> <name>.h / <name>.c).
"""
from .errors import TinyEngineError, UnsupportedOpError

__all__ = ["TinyEngineError", "UnsupportedOpError", "__version__"]
__version__ = "0.1.0"
