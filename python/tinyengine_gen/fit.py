"""Fitting a model into an SRAM budget: one decision for the CLI's --sram-budget, PlatformIO's
`custom_tinyengine_patch = auto` and every integration's "does not fit" error.

The generator itself picks layer by layer when that fits the budget, else the cheapest
patch-based stage that does (patches.plan_patches). When nothing fits, `advice` says which of the
options the user has not set (patch-based inference, --int8-io) would make it fit, with the arena
each reaches, or the smallest arena reachable at all, in the words of the build system the user
works in (OPTION_NAMES).
"""
from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .pipeline import Options, plan_model

# How each build system spells the options that shrink the arena (keys: Options fields).
OPTION_NAMES: dict[str, dict[str, str]] = {
    "cli": {"patch": "--patch", "int8_io": "--int8-io", "sram_budget": "--sram-budget"},
    "platformio": {"patch": "custom_tinyengine_patch = yes", "int8_io": "custom_tinyengine_int8_io = yes",
                   "sram_budget": "custom_tinyengine_sram_budget"},
    "zephyr": {"patch": "CONFIG_TINYENGINE_PATCH_BASED=y", "int8_io": "CONFIG_TINYENGINE_INT8_IO=y",
               "sram_budget": "CONFIG_TINYENGINE_SRAM_BUDGET"},
    "cmake": {"patch": "PATCH_BASED", "int8_io": "INT8_IO", "sram_budget": "SRAM_BUDGET"},
}
SHRINKING = ("patch", "int8_io")


@dataclass(frozen=True)
class Reach:
    """The arena with some more options switched on (none: the options as given)."""

    options: tuple[str, ...]
    arena: int


def options_text(keys: tuple[str, ...], names: dict[str, str]) -> str:
    return " and ".join(names[k] for k in keys)


def reachable(model: str | Path, options: Options) -> list[Reach]:
    """The arena as configured (no budget; patch-based only if asked), then with each combination
    of the shrinking options not yet set; combinations that gain nothing over a smaller one are
    left out (e.g. --int8-io on an all-8-bit model)."""
    base = dataclasses.replace(options, sram_budget=None)
    out = [Reach((), plan_model(model, base).plan.arena_size)]
    unset = [k for k in SHRINKING if not getattr(options, k)]
    for n in range(1, len(unset) + 1):
        for combo in itertools.combinations(unset, n):
            arena = plan_model(model, dataclasses.replace(base, **{k: True for k in combo})).plan.arena_size
            if all(arena < r.arena for r in out if set(r.options) < set(combo)):
                out.append(Reach(combo, arena))
    return out


def advice(reaches: list[Reach], budget: int, names: dict[str, str]) -> str:
    """'it fits with X (arena N B)' or 'the smallest arena reachable is N B (with X)'."""
    fitting = sorted((r for r in reaches if r.options and r.arena <= budget), key=lambda r: (len(r.options), r.arena))
    if fitting:
        return "it fits with " + ", or with ".join(
            f"{options_text(r.options, names)} (arena {r.arena:,} B)" for r in fitting[:2])
    best = min(reaches, key=lambda r: (r.arena, len(r.options)))
    if not best.options:
        return "no option makes the arena smaller"
    return f"the smallest arena reachable is {best.arena:,} B (with {options_text(best.options, names)})"


def budget_message(model: str | Path, options: Options, budget: int, names: dict[str, str],
                   label: Optional[str] = None) -> str:
    """The one-line error when the model does not fit `budget` (whose origin `label` names)."""
    reaches = reachable(model, options)
    what = label or f"the SRAM budget ({names['sram_budget']})"
    how = "patch-based" if options.patch else "layer by layer"
    return (f"the model does not fit {what} of {budget:,} B: {how} its arena is {reaches[0].arena:,} B; "
            + advice(reaches, budget, names))
