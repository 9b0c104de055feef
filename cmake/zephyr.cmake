# tinyengine as a Zephyr module: included by the top-level CMakeLists.txt when Zephyr processes
# the module and CONFIG_TINYENGINE=y. Generates the model named by CONFIG_TINYENGINE_MODEL (or
# the CMake/environment variable TINYENGINE_MODEL, read with zephyr_get) into
# ${CMAKE_CURRENT_BINARY_DIR}/generated at build time and compiles it with the kernels into the
# zephyr library `tinyengine`.
include(${CMAKE_CURRENT_LIST_DIR}/tinyengine.cmake)
get_property(_te_root GLOBAL PROPERTY TINYENGINE_ROOT)

# Model: -DTINYENGINE_MODEL=... (or the environment / sysbuild) overrides the Kconfig string
# without touching autoconf.h, so only the model is regenerated and rebuilt.
zephyr_get(TINYENGINE_MODEL)
if(NOT "${TINYENGINE_MODEL}" STREQUAL "")
  set(_te_model "${TINYENGINE_MODEL}")
  set(_te_origin "TINYENGINE_MODEL=${TINYENGINE_MODEL}")
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
                          ${_te_opts} WHO "tinyengine (Kconfig)")
if(NOT "${CONFIG_TINYENGINE_GENERATOR_ARGS}" STREQUAL "")
  separate_arguments(_te_extra UNIX_COMMAND "${CONFIG_TINYENGINE_GENERATOR_ARGS}")
  list(APPEND _te_args ${_te_extra})
endif()
set(_te_outdir "${CMAKE_CURRENT_BINARY_DIR}/generated")
tinyengine_generate(MODEL "${_te_model}" NAME "${_te_name}" OUTPUT_DIR "${_te_outdir}"
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
