"""The errors of building and running firmware: str() is one line, ``details`` holds tool output."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .run import RunResult


class TargetError(RuntimeError):
    """Base error; str() is one line, ``details`` holds tool output if any."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


class ToolchainMissing(TargetError):
    pass


class BuildError(TargetError):
    pass


class DoesNotFit(BuildError):
    pass


class EmulatorTimeout(TargetError):
    pass


class FirmwareError(TargetError):
    """The firmware faulted, its invoke failed, or the harness reported an error."""

    def __init__(self, message: str, details: str = "", result: "RunResult | None" = None) -> None:
        super().__init__(message, details)
        self.result = result
