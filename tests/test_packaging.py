"""One version, one dependency list, one address, a licence: the packaging files agree."""
from __future__ import annotations

import json
import re
from pathlib import Path

import tomllib

import tinyengine_gen

REPO = Path(__file__).resolve().parents[1]


def test_version_and_metadata_are_single_sourced() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    library = json.loads((REPO / "library.json").read_text())
    assert set(pyproject["project"]["dynamic"]) == {"version", "dependencies"}
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "tinyengine_gen.__version__"}
    assert library["version"] == tinyengine_gen.__version__, "library.json must carry __init__.py's version"
    assert library["homepage"] == pyproject["project"]["urls"]["Homepage"]
    assert library["license"] == pyproject["project"]["license"] == "Apache-2.0"
    assert (REPO / "LICENSE").read_text().lstrip().startswith("Apache License")


def test_one_dependency_list() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["tool"]["setuptools"]["dynamic"]["dependencies"] == {"file": ["requirements.txt"]}
    module = (REPO / "zephyr" / "module.yml").read_text()
    assert re.search(r"requirement-files:\s*\n\s*- requirements\.txt\s*$", module, re.M), module
    script = (REPO / "python" / "tinyengine_gen" / "integrations" / "platformio_extra_script.py").read_text()
    assert '"requirements.txt"' in script
    reqs = [ln for ln in (REPO / "requirements.txt").read_text().splitlines() if ln and not ln.startswith("#")]
    assert {re.split(r"[<>=]", r)[0] for r in reqs} == {"tflite", "numpy", "jinja2", "pyyaml"}
