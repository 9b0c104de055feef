"""Test session setup: the generator package comes from the source tree."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for p in (REPO / "python", REPO):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))
