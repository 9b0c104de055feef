# tinyengine as a Zephyr module: included by the top-level CMakeLists.txt when Zephyr processes
# the module and CONFIG_TINYENGINE=y. Generates the model named by CONFIG_TINYENGINE_MODEL (or
# the CMake or environment variable TINYENGINE_MODEL) at build time into
# <build>/modules/tinyengine/generated/ (<name>.h, <name>.c and the summary <name>.json; nothing
# else: a renamed model's old files are removed) and compiles it with the kernels into the zephyr
# library `tinyengine`.
include(${CMAKE_CURRENT_LIST_DIR}/tinyengine.cmake)
get_property(_te_root GLOBAL PROPERTY TINYENGINE_ROOT)

# The model: -DTINYENGINE_MODEL=<path> (kept in the build directory until -DTINYENGINE_MODEL=
# clears it), else the environment variable TINYENGINE_MODEL (read whenever CMake runs, never
# remembered), else CONFIG_TINYENGINE_MODEL. An empty value counts as unset. Either override
# leaves autoconf.h alone, so only the model and what includes its header are rebuilt.
if(NOT "${TINYENGINE_MODEL}" STREQUAL "")
  set(_te_model "${TINYENGINE_MODEL}")
  set(_te_origin "-DTINYENGINE_MODEL=${TINYENGINE_MODEL}")
elseif(NOT "$ENV{TINYENGINE_MODEL}" STREQUAL "")
  set(_te_model "$ENV{TINYENGINE_MODEL}")
  set(_te_origin "the environment variable TINYENGINE_MODEL=$ENV{TINYENGINE_MODEL}")
else()
  set(_te_model "${CONFIG_TINYENGINE_MODEL}")
  set(_te_origin "CONFIG_TINYENGINE_MODEL=\"${CONFIG_TINYENGINE_MODEL}\"")
endif()
if("${_te_model}" STREQUAL "")
  message(FATAL_ERROR
    "tinyengine: CONFIG_TINYENGINE=y but no model is set. Set CONFIG_TINYENGINE_MODEL to the .tflite "
    "file, relative to the application directory (${APPLICATION_SOURCE_DIR}), in prj.conf, e.g.\n"
    "  CONFIG_TINYENGINE_MODEL=\"models/my_model.tflite\"\n"
    "or pass -DTINYENGINE_MODEL=<path> to west build (after --).")
endif()
get_filename_component(_te_model "${_te_model}" ABSOLUTE BASE_DIR "${APPLICATION_SOURCE_DIR}")
if(IS_DIRECTORY "${_te_model}" OR NOT EXISTS "${_te_model}")
  message(FATAL_ERROR "tinyengine: model not found: ${_te_model} (from ${_te_origin}; a relative path "
                      "is relative to the application directory ${APPLICATION_SOURCE_DIR})")
endif()
message(STATUS "tinyengine ${TINYENGINE_VERSION}: model ${_te_model} (from ${_te_origin})")

if(CONFIG_TINYENGINE_KERNELS_HELIUM AND NOT CONFIG_FPU)
  message(WARNING "tinyengine: CONFIG_TINYENGINE_KERNELS_HELIUM needs CONFIG_FPU=y: without the hardware "
                  "floating-point ABI the compiler has no Helium (MVE), so the kernels use their DSP path")
endif()

_tinyengine_c_identifier("${CONFIG_TINYENGINE_MODEL_NAME}" _te_name)
string(TOUPPER "${_te_name}" _te_NAME)

set(_te_opts "")
if(CONFIG_TINYENGINE_PATCH_BASED)
  list(APPEND _te_opts PATCH_BASED)
endif()
if(CONFIG_TINYENGINE_INT8_IO)
  list(APPEND _te_opts INT8_IO)
endif()
if(CONFIG_TINYENGINE_CUSTOM_OPS)
  list(APPEND _te_opts CUSTOM_OPS)
endif()
set(_te_budget "")
if(CONFIG_TINYENGINE_SRAM_BUDGET GREATER 0)
  set(_te_budget "${CONFIG_TINYENGINE_SRAM_BUDGET}")
endif()
tinyengine_generator_args(_te_args PLANNER "${CONFIG_TINYENGINE_PLANNER}" SRAM_BUDGET "${_te_budget}"
                          ${_te_opts} OPTION_NAMES zephyr)
# The weights live in flash: fail at generation when they alone exceed the board's flash.
if(CONFIG_FLASH_SIZE GREATER 0)
  math(EXPR _te_flash "${CONFIG_FLASH_SIZE} * 1024")
  list(APPEND _te_args --flash-size ${_te_flash} --flash-label "the flash of ${BOARD} (CONFIG_FLASH_SIZE=${CONFIG_FLASH_SIZE} KB)")
endif()
if(NOT "${CONFIG_TINYENGINE_GENERATOR_ARGS}" STREQUAL "")
  separate_arguments(_te_extra UNIX_COMMAND "${CONFIG_TINYENGINE_GENERATOR_ARGS}")
  list(APPEND _te_args ${_te_extra})
endif()
set(_te_outdir "${CMAKE_CURRENT_BINARY_DIR}/generated")
tinyengine_generate(MODEL "${_te_model}" NAME "${_te_name}" OUTPUT_DIR "${_te_outdir}" ONLY_THIS_MODEL
                    GENERATOR_ARGS ${_te_args}
                    SOURCE_VAR _te_c HEADER_VAR _te_h
                    COMMENT "tinyengine: generating ${_te_name}.c/.h from ${_te_model}")
# Every Zephyr library (the application too) may include <name>.h: generate before compiling any.
add_custom_target(tinyengine_generated DEPENDS "${_te_c}" "${_te_h}")
add_dependencies(zephyr_interface tinyengine_generated)

file(GLOB _te_kernels CONFIGURE_DEPENDS "${_te_root}/src/*.c")
zephyr_library_named(tinyengine)
zephyr_library_sources(${_te_kernels} "${_te_c}")
zephyr_include_directories("${_te_root}/include" "${_te_outdir}")
if(CONFIG_TINYENGINE_KERNELS_PORTABLE)
  zephyr_library_compile_definitions(TE_FORCE_PORTABLE)
endif()
if(CONFIG_TINYENGINE_OPTIMIZE_SPEED)
  zephyr_library_compile_options(-O2)
endif()
if(CONFIG_LOG AND CONFIG_TINYENGINE_LOG_LEVEL GREATER_EQUAL 3)
  zephyr_library_sources("${_te_root}/zephyr/tinyengine_zephyr.c")
  get_filename_component(_te_model_file "${_te_model}" NAME)
  set_source_files_properties("${_te_root}/zephyr/tinyengine_zephyr.c" PROPERTIES COMPILE_DEFINITIONS
    "TINYENGINE_MODEL_HEADER=\"${_te_name}.h\";TINYENGINE_MODEL_UPPER=${_te_NAME};TINYENGINE_MODEL_FILE=\"${_te_model_file}\"")
endif()
