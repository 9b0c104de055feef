"""Op lowerings: one module per kernel family, each registering the TFLite ops it handles."""
from __future__ import annotations

import importlib
import pkgutil

from .base import PASS_HANDLED, REGISTRY, ConstArray, KernelCall, LoweringError, register

# Import every family module so that its @register decorators run.
for _mod in pkgutil.iter_modules(__path__):
    if _mod.name != "base":
        importlib.import_module(f"{__name__}.{_mod.name}")


def supported_ops() -> list[str]:
    """TFLite ops a model may contain (internal ops the passes insert, named TE_*, are not listed)."""
    return sorted(k for k in set(REGISTRY) | PASS_HANDLED if not k.startswith("TE_"))


__all__ = ["REGISTRY", "PASS_HANDLED", "ConstArray", "KernelCall", "LoweringError", "register", "supported_ops"]
