# tinyengine for CMake: the kernel library and build-time model generation.
#
# Plain CMake (any toolchain; the kernels pick their SIMD path from the compiler's -mcpu):
#
#   add_subdirectory(<tinyengine> tinyengine)      # or: include(<tinyengine>/cmake/tinyengine.cmake)
#   add_executable(app main.c)
#   tinyengine_add_model(TARGET app MODEL model.tflite [NAME kws])
#
# tinyengine_add_model(TARGET <target> MODEL <file.tflite>
#                      [NAME <c-name>]            # C prefix: <name>_invoke(), <NAME>_ARENA_SIZE; default
#                                                 # from the file name, as tinyengine-gen does
#                      [OUTPUT_DIR <dir>]         # default ${CMAKE_CURRENT_BINARY_DIR}/tinyengine/<name>
#                      [PLANNER <strategy>]       # tinyengine-gen --planner
#                      [SRAM_BUDGET <bytes>]      # tinyengine-gen --sram-budget: fail unless the arena fits
#                                                 # (patch-based only when layer by layer does not fit)
#                      [PATCH_BASED]              # tinyengine-gen --patch: band-by-band early layers
#                      [INT8_IO]                  # tinyengine-gen --int8-io: 8-bit edges on float models
#                      [CUSTOM_OPS]               # tinyengine-gen --custom-ops: your te_custom_<name>() functions
#                      [GENERATOR_ARGS <args>...] # any further tinyengine-gen options
#                      [HEADER_VAR <var>] [SOURCE_VAR <var>])
#   Generates <name>.c/<name>.h at build time (re-run when the model or the generator changes,
#   not otherwise), compiles <name>.c into a static library linked to <target> together with the
#   `tinyengine` kernel library, and puts <name>.h on <target>'s include path. A relative MODEL is
#   relative to the calling CMakeLists.txt. A missing model fails the configure step; a broken
#   model or an unsupported op fails the build at the generation step with tinyengine-gen's
#   one-line message (and no stale generated code is left behind).
#
# tinyengine_generate(MODEL <file> NAME <name> OUTPUT_DIR <dir> [GENERATOR_ARGS ...] [ONLY_THIS_MODEL]
#                     SOURCE_VAR <var> HEADER_VAR <var>)
#   Only the generation rule (for build systems that compile the sources themselves; Zephyr's glue
#   uses it). Must be called in the directory that adds the returned source to a target. Besides
#   <name>.c/.h it writes <name>.json, the generator's summary (arena, weights, inputs/outputs,
#   options). ONLY_THIS_MODEL removes other models' generated files from OUTPUT_DIR.
#
# Cache variables:
#   TINYENGINE_PYTHON          interpreter for the generator (default: Zephyr's PYTHON_EXECUTABLE,
#                              else Python3_EXECUTABLE, else the one find_package(Python3) finds)
#   TINYENGINE_FORCE_PORTABLE  build the portable C kernels even where DSP/Helium is available
# Variables: TINYENGINE_VERSION (from python/tinyengine_gen/__init__.py).
include_guard(GLOBAL)
cmake_minimum_required(VERSION 3.20)

get_filename_component(_te_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set_property(GLOBAL PROPERTY TINYENGINE_ROOT "${_te_root}")
# The version lives in one place, the generator's package (python/tinyengine_gen/__init__.py).
file(STRINGS "${_te_root}/python/tinyengine_gen/__init__.py" _te_version REGEX "^__version__ = ")
string(REGEX REPLACE "^__version__ = \"([^\"]+)\".*" "\\1" TINYENGINE_VERSION "${_te_version}")
unset(_te_version)
unset(_te_root)

# Interpreter that runs the generator (TINYENGINE_PYTHON if the user set it, else Zephyr's
# PYTHON_EXECUTABLE, else Python3_EXECUTABLE, else find_package(Python3)); checks once per
# interpreter that the generator and its dependencies (requirements.txt) import there.
set(TINYENGINE_PYTHON "" CACHE FILEPATH "Python interpreter for tinyengine-gen (empty: automatic)")
function(_tinyengine_python out_var)
  get_property(root GLOBAL PROPERTY TINYENGINE_ROOT)
  if(TINYENGINE_PYTHON)
    set(py "${TINYENGINE_PYTHON}")
  elseif(PYTHON_EXECUTABLE)
    set(py "${PYTHON_EXECUTABLE}")
  elseif(Python3_EXECUTABLE)
    set(py "${Python3_EXECUTABLE}")
  else()
    find_package(Python3 3.9 COMPONENTS Interpreter)
    if(NOT Python3_Interpreter_FOUND)
      message(FATAL_ERROR "tinyengine: no Python 3.9+ interpreter found for the generator; "
                          "set -DTINYENGINE_PYTHON=/path/to/python3")
    endif()
    set(py "${Python3_EXECUTABLE}")
  endif()
  if(NOT "${_TINYENGINE_PROBED}" STREQUAL "${py}")
    execute_process(
      COMMAND "${py}" "${root}/cmake/tinyengine_generate.py" --probe
      RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err ERROR_STRIP_TRAILING_WHITESPACE)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${err}")
    endif()
    set(_TINYENGINE_PROBED "${py}" CACHE INTERNAL "interpreter checked for tinyengine-gen")
  endif()
  set(${out_var} "${py}" PARENT_SCOPE)
endfunction()

# The C identifier tinyengine-gen derives from a name (python/tinyengine_gen/codegen.py c_identifier).
function(_tinyengine_c_identifier in out_var)
  string(REGEX REPLACE "[^A-Za-z0-9_]" "_" id "${in}")
  string(REGEX REPLACE "^_+|_+$" "" id "${id}")
  string(TOLOWER "${id}" id)
  if(id STREQUAL "")
    set(id model)
  elseif(id MATCHES "^[0-9]")
    set(id "m_${id}")
  endif()
  set(${out_var} "${id}" PARENT_SCOPE)
endfunction()

# The kernel library (one per build tree).
function(_tinyengine_kernel_library)
  if(TARGET tinyengine)
    return()
  endif()
  get_property(root GLOBAL PROPERTY TINYENGINE_ROOT)
  option(TINYENGINE_FORCE_PORTABLE "Build tinyengine's portable C kernels even where DSP/Helium is available" OFF)
  file(GLOB srcs CONFIGURE_DEPENDS "${root}/src/*.c")
  # Created in the directory scope of the first caller; targets are global.
  add_library(tinyengine STATIC ${srcs})
  target_include_directories(tinyengine PUBLIC "${root}/include")
  set_target_properties(tinyengine PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS ON)
  if(TINYENGINE_FORCE_PORTABLE)
    target_compile_definitions(tinyengine PUBLIC TE_FORCE_PORTABLE)
  endif()
  find_library(_TINYENGINE_LIBM m)
  if(_TINYENGINE_LIBM OR CMAKE_CROSSCOMPILING)
    target_link_libraries(tinyengine PUBLIC m)
  endif()
endfunction()

function(tinyengine_generate)
  cmake_parse_arguments(PARSE_ARGV 0 arg "ONLY_THIS_MODEL" "MODEL;NAME;OUTPUT_DIR;SOURCE_VAR;HEADER_VAR;COMMENT" "GENERATOR_ARGS")
  foreach(req MODEL NAME OUTPUT_DIR)
    if(NOT arg_${req})
      message(FATAL_ERROR "tinyengine_generate: ${req} is required")
    endif()
  endforeach()
  get_property(root GLOBAL PROPERTY TINYENGINE_ROOT)
  _tinyengine_python(py)
  get_filename_component(model "${arg_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(IS_DIRECTORY "${model}")
    message(FATAL_ERROR "tinyengine: model ${model} is a directory, not a .tflite file")
  elseif(NOT EXISTS "${model}")
    message(FATAL_ERROR "tinyengine: model not found: ${model}")
  endif()
  set(outdir "${arg_OUTPUT_DIR}")
  set(c_file "${outdir}/${arg_NAME}.c")
  set(h_file "${outdir}/${arg_NAME}.h")
  # Everything the generated code depends on: the model and the generator itself.
  file(GLOB_RECURSE gen_deps CONFIGURE_DEPENDS
       "${root}/python/tinyengine_gen/*.py" "${root}/python/tinyengine_gen/*.j2")
  list(FILTER gen_deps EXCLUDE REGEX "/tinyengine_gen/integrations/") # other build systems' glue
  list(APPEND gen_deps "${root}/cmake/tinyengine_generate.py")
  set(flags "")
  if(NOT CMAKE_GENERATOR MATCHES "Ninja")
    list(APPEND flags --touch-unchanged) # Make has no re-stat: keep outputs newer than the model
  endif()
  if(arg_ONLY_THIS_MODEL)
    list(APPEND flags --only-this-model) # the directory holds this model's files and no other's
  endif()
  if(arg_COMMENT)
    set(comment "${arg_COMMENT}")
  else()
    set(comment "tinyengine: generating ${arg_NAME}.c/.h from ${model}")
  endif()
  add_custom_command(
    OUTPUT "${c_file}" "${h_file}"
    BYPRODUCTS "${outdir}/${arg_NAME}.json"
    COMMAND "${py}" "${root}/cmake/tinyengine_generate.py" ${flags}
            "${model}" -o "${outdir}" --name "${arg_NAME}" ${arg_GENERATOR_ARGS}
    DEPENDS "${model}" ${gen_deps}
    COMMENT "${comment}"
    VERBATIM)
  if(arg_SOURCE_VAR)
    set(${arg_SOURCE_VAR} "${c_file}" PARENT_SCOPE)
  endif()
  if(arg_HEADER_VAR)
    set(${arg_HEADER_VAR} "${h_file}" PARENT_SCOPE)
  endif()
endfunction()

# Generator options from the common settings. OPTION_NAMES
# (cmake or zephyr) makes the generator's "does not fit" errors name this build system's options.
function(tinyengine_generator_args out_var)
  cmake_parse_arguments(PARSE_ARGV 1 arg "PATCH_BASED;NO_PATCH_BASED;INT8_IO;CUSTOM_OPS" "PLANNER;SRAM_BUDGET;OPTION_NAMES" "")
  set(args "")
  if(arg_PLANNER)
    list(APPEND args --planner "${arg_PLANNER}")
  endif()
  if(arg_SRAM_BUDGET)
    list(APPEND args --sram-budget "${arg_SRAM_BUDGET}")
  endif()
  if(arg_PATCH_BASED)
    list(APPEND args --patch)
  endif()
  if(arg_NO_PATCH_BASED)
    list(APPEND args --no-patch)
  endif()
  if(arg_INT8_IO)
    list(APPEND args --int8-io)
  endif()
  if(arg_CUSTOM_OPS)
    list(APPEND args --custom-ops)
  endif()
  if(NOT arg_OPTION_NAMES)
    set(arg_OPTION_NAMES cmake)
  endif()
  list(APPEND args --option-names ${arg_OPTION_NAMES})
  set(${out_var} "${args}" PARENT_SCOPE)
endfunction()

function(tinyengine_add_model)
  cmake_parse_arguments(PARSE_ARGV 0 arg "PATCH_BASED;NO_PATCH_BASED;INT8_IO;CUSTOM_OPS"
                        "TARGET;MODEL;NAME;OUTPUT_DIR;PLANNER;SRAM_BUDGET;HEADER_VAR;SOURCE_VAR" "GENERATOR_ARGS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tinyengine_add_model: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_TARGET OR NOT TARGET "${arg_TARGET}")
    message(FATAL_ERROR "tinyengine_add_model: TARGET must name an existing target (got '${arg_TARGET}')")
  endif()
  if("${arg_MODEL}" STREQUAL "")
    message(FATAL_ERROR "tinyengine_add_model(TARGET ${arg_TARGET}): MODEL is empty; give the .tflite file")
  endif()
  if(arg_NAME)
    _tinyengine_c_identifier("${arg_NAME}" name)
  else()
    get_filename_component(stem "${arg_MODEL}" NAME_WE)
    _tinyengine_c_identifier("${stem}" name)
  endif()
  if(arg_OUTPUT_DIR)
    set(outdir "${arg_OUTPUT_DIR}")
  else()
    set(outdir "${CMAKE_CURRENT_BINARY_DIR}/tinyengine/${name}")
  endif()
  set(opts "")
  foreach(flag PATCH_BASED NO_PATCH_BASED INT8_IO CUSTOM_OPS)
    if(arg_${flag})
      list(APPEND opts ${flag})
    endif()
  endforeach()
  tinyengine_generator_args(gen_args PLANNER "${arg_PLANNER}" SRAM_BUDGET "${arg_SRAM_BUDGET}" ${opts})
  list(APPEND gen_args ${arg_GENERATOR_ARGS})
  tinyengine_generate(MODEL "${arg_MODEL}" NAME "${name}" OUTPUT_DIR "${outdir}"
                      GENERATOR_ARGS ${gen_args} SOURCE_VAR c_file HEADER_VAR h_file)
  _tinyengine_kernel_library()
  set(lib "${arg_TARGET}_tinyengine_${name}")
  if(TARGET "${lib}")
    message(FATAL_ERROR "tinyengine_add_model: target ${arg_TARGET} already has a model named ${name}")
  endif()
  add_library("${lib}" STATIC "${c_file}" "${h_file}")
  target_include_directories("${lib}" PUBLIC "${outdir}")
  target_link_libraries("${lib}" PUBLIC tinyengine)
  set_target_properties("${lib}" PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS ON)
  target_link_libraries("${arg_TARGET}" PRIVATE "${lib}")
  if(arg_HEADER_VAR)
    set(${arg_HEADER_VAR} "${h_file}" PARENT_SCOPE)
  endif()
  if(arg_SOURCE_VAR)
    set(${arg_SOURCE_VAR} "${c_file}" PARENT_SCOPE)
  endif()
endfunction()
