"""Build-system integrations of tinyengine-gen.

platformio_extra_script.py is the PlatformIO library's `build.extraScript` (see library.json at
the repository root and examples/platformio/README.md). It runs inside PlatformIO's SCons, not as
part of this package's import graph.
"""
