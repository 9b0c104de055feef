"""tinyengine-qemu development platform: emulated Cortex-M boards for QEMU.

Nothing to customise: boards/*.json describe the boards, builder/main.py builds and runs.
The toolchain is arm-none-eabi-gcc from PATH (Debian/Ubuntu: gcc-arm-none-eabi and
libnewlib-arm-none-eabi), or PlatformIO's toolchain-gccarmnoneeabi when a project asks for it
with `platform_packages = platformio/toolchain-gccarmnoneeabi`.
"""
from platformio.public import PlatformBase


class TinyengineqemuPlatform(PlatformBase):
    pass
