# CMake toolchain file: arm-none-eabi-gcc for a bare-metal Cortex-M (default: Cortex-M4F, as on
# QEMU's mps2-an386). Pick another core with -DTE_ARM_FLAGS="-mcpu=cortex-m55 -mfloat-abi=hard".
# tinyengine's kernels select DSP / Helium code from the compiler's own feature macros, so the
# -mcpu here is all it takes.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(TE_ARM_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
    CACHE STRING "CPU flags for every compile and link")

find_program(TE_ARM_GCC arm-none-eabi-gcc)
if(NOT TE_ARM_GCC)
  message(FATAL_ERROR "arm-none-eabi-gcc not found (Debian/Ubuntu: apt install gcc-arm-none-eabi libnewlib-arm-none-eabi)")
endif()
set(CMAKE_C_COMPILER "${TE_ARM_GCC}")
set(CMAKE_ASM_COMPILER "${TE_ARM_GCC}")
# No host startup files or libraries when CMake probes the compiler.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_C_FLAGS_INIT "${TE_ARM_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${TE_ARM_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${TE_ARM_FLAGS} -Wl,--gc-sections")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
