"""Every README block marked as program output is checked against a run by some test."""
from __future__ import annotations

from tests.support.readme_output import REPO, readme_blocks


def test_every_output_block_has_a_test() -> None:
    blocks = readme_blocks()
    assert {"platformio-qemu", "cmake-example", "zephyr-sample"} <= set(blocks), sorted(blocks)
    sources = "\n".join(p.read_text() for p in (REPO / "tests").rglob("test_*.py"))
    for key, (path, lines) in blocks.items():
        assert lines, f"empty output block {key} in {path}"
        assert f'assert_readme_output("{key}"' in sources, f"no test checks the output block {key} of {path}"
