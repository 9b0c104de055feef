"""Example output shown in READMEs, checked against a real run so that it cannot drift.

A README marks a fenced block as output with a comment line right above it:

    <!-- output: KEY (checked by tests/...) -->
    ```
    lines the program prints
    ```

`assert_readme_output(KEY, text)` fails unless every line of that block is a line of `text`, in
order (other lines may come between). tests/test_readme_outputs.py checks that every marked block
has a test that calls it.
"""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r"^<!-- output: (\S+)[^\n]*-->\n```[^\n]*\n(.*?)^```", re.M | re.S)


def readmes() -> list[Path]:
    return sorted(p for p in REPO.rglob("README*.md")
                  if not any(part.startswith(".") or part in ("build", "node_modules") for part in p.relative_to(REPO).parts))


def readme_blocks() -> dict[str, tuple[Path, list[str]]]:
    blocks: dict[str, tuple[Path, list[str]]] = {}
    for path in readmes():
        for key, body in _BLOCK.findall(path.read_text()):
            assert key not in blocks, f"output block {key} in {path} and {blocks[key][0]}"
            blocks[key] = (path, [ln.strip() for ln in body.splitlines() if ln.strip()])
    return blocks


def assert_readme_output(key: str, text: str) -> None:
    path, expected = readme_blocks()[key]
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").splitlines()]
    pos = 0
    for want in expected:
        try:
            pos = lines.index(want, pos) + 1
        except ValueError:
            raise AssertionError(f"{path.relative_to(REPO)} shows '{want}' (block {key}), which the run no longer "
                                 "prints in that order; the run printed:\n" + "\n".join(lines[-60:])) from None
