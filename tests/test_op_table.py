"""The README's op table is the registry's: `tinyengine-gen ops --readme README.md` rewrites it."""
from __future__ import annotations

import pytest

from tests.support.host import REPO
from tinyengine_gen import passes  # noqa: F401  (registers the ops the passes handle)
from tinyengine_gen.ops import ENTRIES, readme_with_op_table
from tinyengine_gen.ops.base import register


def test_readme_op_table_matches_the_registry() -> None:
    text = (REPO / "README.md").read_text()
    assert readme_with_op_table(text) == text, \
        "README.md's op table is stale: run `tinyengine-gen ops --readme README.md`"


def test_each_kind_and_type_has_one_lowering() -> None:
    for kind, entries in ENTRIES.items():
        types = [d for e in entries for d in e.dtypes]
        assert len(types) == len(set(types)), kind
    with pytest.raises(ValueError, match="registered twice"):
        register("ADD", dtypes=("int8",))(lambda op, graph: None)
