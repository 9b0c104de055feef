"""Packaging glue that pyproject.toml cannot express: the wheel carries the kernel library and the
emulated-board support (src/, include/, targets/) under tinyengine_gen/runtime/, so that an
installed `tinyengine-gen run` and `bench` work without a checkout. A checkout (or an editable
install) keeps using the repository's own copies (tinyengine_gen.targets.runtime_root)."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RUNTIME_DIRS = ("src", "include", "targets")


class BuildPyWithRuntime(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        root = Path(__file__).resolve().parent
        dest = Path(self.build_lib) / "tinyengine_gen" / "runtime"
        for name in RUNTIME_DIRS:
            shutil.rmtree(dest / name, ignore_errors=True)
            shutil.copytree(root / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.o"))


setup(cmdclass={"build_py": BuildPyWithRuntime})
