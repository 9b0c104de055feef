"""PlatformIO extra script of the tinyengine library (library.json -> build.extraScript).

With `lib_deps = tinyengine=...` and `custom_tinyengine_model = path/to/model.tflite` in an
environment of platformio.ini, `pio run`:

* generates <name>.c / <name>.h from the model as an SCons build step into
  $BUILD_DIR/tinyengine_model/ (content signatures: an unchanged model regenerates nothing, changed
  bytes regenerate, a clean build works), compiles <name>.c with the library's flags and links it;
* puts that directory on the include path of the library and of the project (`#include "model.h"`);
* installs the generator's Python dependencies into PlatformIO's interpreter ($PYTHONEXE) when
  they are missing;
* compiles the kernels for the board's CPU (board `build.cpu`, or the -mcpu the platform already
  passes) so the C code picks the Arm DSP / Helium / portable paths itself, and copies
  -mfloat-abi / -mfpu from the compiler flags to the linker flags when only the former have them;
* fails the build, with the numbers, when the model's arena or the linked firmware's RAM
  (arena + .data + .bss + stack/heap reserves) exceed the board's RAM
  (`board_upload.maximum_ram_size`) or `custom_tinyengine_sram_budget`.

Options, all in the environment's section of platformio.ini:
  custom_tinyengine_model        the .tflite, relative to the project directory. The environment
                                 variable TINYENGINE_MODEL overrides it for one-off builds.
                                 Neither set: only the kernels are built (for projects that run
                                 tinyengine-gen themselves) and a notice says so.
  custom_tinyengine_name         C prefix of the generated API (default: model -> model.h,
                                 model_invoke(), MODEL_ARENA_SIZE, ...).
  custom_tinyengine_sram_budget  bytes (suffix K or M allowed): the arena must fit; passed to the
                                 generator as --sram-budget when it has that option.
  custom_tinyengine_patch        yes / no / auto: patch-based inference, passed to the generator
                                 when it has a --patch option; otherwise a warning.
  custom_tinyengine_int8_io      yes / no (default): on a model with float edges, the application
                                 quantizes the input and dequantizes the output itself (the header
                                 gives scale and zero point) and the arena holds no float copy.
  custom_tinyengine_custom_ops   yes / no (default): ops tinyengine lacks call C functions the
                                 application writes (--custom-ops; tinyengine/te_custom.h).
  custom_tinyengine_ram_check    yes (default) / no.

Any failure (missing file, broken model, unsupported op) stops the build with the generator's
one-line message, and the generated files of this build directory, their object file and the
previous firmware are deleted, so nothing built from an earlier model survives.
"""
# pylint: disable=undefined-variable,import-error
import importlib
import os
import re
import subprocess
import sys
from importlib import util as importlib_util

from SCons.Script import DefaultEnvironment  # noqa: E402

Import("env", "pio_lib_builder")  # noqa: F821  (SCons SConscript global)

from platformio import fs  # noqa: E402  (available inside PlatformIO's SCons)

TAG = "tinyengine"
LIB_DIR = os.path.realpath(pio_lib_builder.path)  # noqa: F821
PY_DIR = os.path.join(LIB_DIR, "python")
GEN_PKG_DIR = os.path.join(PY_DIR, "tinyengine_gen")
DEFAULT_NAME = "model"
# Import name -> pip requirement. Keep in step with [project] dependencies in pyproject.toml.
PY_DEPS = {
    "tflite": "tflite>=2.10",
    "numpy": "numpy>=1.21",
    "jinja2": "jinja2>=3.0",
    "yaml": "pyyaml>=5.4",
}
# Fallback when a board manifest has no build.cpu: MCU family prefix -> core.
MCU_CPU = (
    ("stm32f0", "cortex-m0"), ("stm32g0", "cortex-m0plus"), ("stm32l0", "cortex-m0plus"),
    ("stm32c0", "cortex-m0plus"), ("stm32f1", "cortex-m3"), ("stm32f2", "cortex-m3"),
    ("stm32l1", "cortex-m3"), ("stm32f3", "cortex-m4"), ("stm32f4", "cortex-m4"),
    ("stm32g4", "cortex-m4"), ("stm32l4", "cortex-m4"), ("stm32wb", "cortex-m4"),
    ("stm32f7", "cortex-m7"), ("stm32h7", "cortex-m7"), ("stm32l5", "cortex-m33"),
    ("stm32u5", "cortex-m33"), ("nrf51", "cortex-m0"), ("nrf52", "cortex-m4"),
    ("nrf5340", "cortex-m33"), ("rp2040", "cortex-m0plus"), ("rp2350", "cortex-m33"),
    ("samd2", "cortex-m0plus"), ("samd5", "cortex-m4"), ("same5", "cortex-m4"),
    ("same7", "cortex-m7"), ("mk20", "cortex-m4"), ("mk66", "cortex-m4"),
    ("imxrt", "cortex-m7"),
)


def note(message):
    print("%s: %s" % (TAG, message))


def warn(message):
    sys.stderr.write("%s: warning: %s\n" % (TAG, message))


def fail(message):
    sys.stderr.write("%s: error: %s\n" % (TAG, message))
    env.Exit(1)  # noqa: F821


def option(name, default=""):
    # Read from the project directory: with `pio run -c other.ini` the script would otherwise
    # see only defaults (it runs with the library's directory as cwd).
    with fs.cd(env.subst("$PROJECT_DIR")):  # noqa: F821
        value = env.GetProjectOption(name, default)  # noqa: F821
    return value.strip() if isinstance(value, str) else value


def parse_bytes(text, what):
    match = re.fullmatch(r"(\d+)\s*([kKmM]?)(?:i?[bB])?", str(text).strip())
    if not match:
        fail("%s = %r: expected a number of bytes, optionally with K or M (e.g. 256K)" % (what, text))
    return int(match.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2).lower()]


def parse_switch(text, what, allowed=("yes", "no")):
    value = str(text).strip().lower()
    value = {"1": "yes", "true": "yes", "on": "yes", "0": "no", "false": "no", "off": "no"}.get(value, value)
    if value not in allowed:
        fail("%s = %r: expected one of %s" % (what, text, ", ".join(allowed)))
    return value


# --------------------------------------------------------------------------------------------
# CPU flags: the kernels choose their SIMD path from __ARM_FEATURE_DSP / __ARM_FEATURE_MVE, so
# the only job is that the board's -mcpu (and the project's float ABI) reach the compiler.


def _string_flags(scope):
    return [f for f in env.get(scope, []) if isinstance(f, str)]  # noqa: F821


def board_cpu():
    if "BOARD" not in env:  # noqa: F821
        return ""
    board = env.BoardConfig()  # noqa: F821
    cpu = board.get("build.cpu", "")
    if cpu:
        return cpu
    mcu = board.get("build.mcu", "").lower()
    for prefix, core in MCU_CPU:
        if mcu.startswith(prefix):
            return core
    return ""


def configure_cpu():
    ccflags = _string_flags("CCFLAGS")
    if not any(f.startswith(("-mcpu=", "-march=")) for f in ccflags):
        cpu = board_cpu()
        if cpu:
            # The platform passes no -mcpu (unusual): compile the library for the board's core.
            env.Append(CCFLAGS=["-mcpu=" + cpu, "-mthumb"], ASFLAGS=["-mcpu=" + cpu, "-mthumb"])  # noqa: F821
        else:
            warn("the board names no CPU (build.cpu); the kernels use their portable C path")
    # -mfloat-abi / -mfpu (or -mcpu) given only to the compiler, e.g. in build_flags, make the link
    # fail with "uses VFP register arguments": the linker must select the same multilib. The last
    # flag of a kind wins, so compare the effective ones and append to the environment that links.
    linker_env = DefaultEnvironment()
    linkflags = [f for f in linker_env.get("LINKFLAGS", []) if isinstance(f, str)]
    ccflags = _string_flags("CCFLAGS")
    fix = []
    for prefix in ("-mcpu=", "-march=", "-mfloat-abi=", "-mfpu="):
        compiled = [f for f in ccflags if f.startswith(prefix)]
        linked = [f for f in linkflags if f.startswith(prefix)]
        if compiled and not linked:
            fix.append(compiled[-1])
        elif compiled and linked[-1] != compiled[-1]:
            # Two values on one link line confuse GCC's multilib selection: only report it.
            warn("the code is compiled with %s but linked with %s (build_flags vs. the board?); "
                 "expect link errors such as 'uses VFP register arguments'" % (compiled[-1], linked[-1]))
    if fix:
        linker_env.Append(LINKFLAGS=fix)


def kernel_path():
    """What te_common.h selects with these flags: 'Helium', 'Arm DSP' or 'portable C' (or '')."""
    flags = [f for f in _string_flags("CCFLAGS")
             if f.startswith(("-mcpu=", "-march=", "-mfpu=", "-mfloat-abi=", "-mthumb", "-marm"))]
    probe = ('#include "tinyengine/te_common.h"\n'
             "#if defined(TE_USE_MVE)\nTE_PATH=Helium\n#elif defined(TE_USE_DSP)\nTE_PATH=Arm DSP\n"
             "#else\nTE_PATH=portable C\n#endif\n")
    cmd = ([env.subst("$CC")] + flags + env.subst("$_CPPDEFFLAGS").split()  # noqa: F821
           + ["-I", os.path.join(LIB_DIR, "include"), "-E", "-P", "-x", "c", "-"])
    sysenv = dict(os.environ, PATH=env["ENV"].get("PATH", os.environ.get("PATH", "")))  # noqa: F821
    try:
        out = subprocess.run(cmd, input=probe, capture_output=True, text=True, env=sysenv,
                             timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    match = re.search(r"^TE_PATH=(.+)$", out, re.M)
    if not match:
        return ""
    cpu = next((f[len("-mcpu="):] for f in reversed(flags) if f.startswith("-mcpu=")), "")
    hint = ""
    if cpu.split("+")[0] in ("cortex-m55", "cortex-m85") and match.group(1) != "Helium":
        hint = " (Helium needs -mfloat-abi=softfp or hard)"
    return "%s kernels%s%s" % (match.group(1), " for " + cpu if cpu else "", hint)


# --------------------------------------------------------------------------------------------
# The generator's Python dependencies in PlatformIO's interpreter (this process runs in it).


def ensure_python_deps(python):
    missing = [req for mod, req in PY_DEPS.items() if importlib_util.find_spec(mod) is None]
    if not missing:
        return
    note("installing the generator's Python dependencies (%s) into PlatformIO's Python %s"
         % (", ".join(missing), python))
    cmd = [python, "-m", "pip", "install", "--disable-pip-version-check", "-q"] + missing
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        fail("could not install %s into PlatformIO's Python (%s)%s. Install them yourself with: "
             '"%s" -m pip install %s'
             % (", ".join(missing), python, ": " + detail[-1] if detail else "", python,
                " ".join("'%s'" % r for r in missing)))
    importlib.invalidate_caches()


# --------------------------------------------------------------------------------------------
# Generator options that only some versions of tinyengine-gen have.


def generator_help(python, sysenv):
    proc = subprocess.run([python, "-m", "tinyengine_gen", "--help"], capture_output=True,
                          text=True, env=sysenv)
    return proc.stdout if proc.returncode == 0 else ""


def generator_flags(python, sysenv, budget, patch, int8_io=False, custom_ops=False):
    flags = []
    if budget is None and patch is None and not int8_io and not custom_ops:
        return flags
    text = generator_help(python, sysenv)
    if int8_io:
        if re.search(r"--int8-io(?![\w-])", text):
            flags.append("--int8-io")
        else:
            fail("custom_tinyengine_int8_io = yes: this tinyengine-gen has no --int8-io option")
    if custom_ops:
        if re.search(r"--custom-ops(?![\w-])", text):
            flags.append("--custom-ops")
        else:
            fail("custom_tinyengine_custom_ops = yes: this tinyengine-gen has no --custom-ops option")
    if budget is not None:
        if re.search(r"--sram-budget(?![\w-])", text):
            flags += ["--sram-budget", str(budget)]
        else:
            note("this tinyengine-gen has no --sram-budget; custom_tinyengine_sram_budget is only "
                 "checked against the arena it produces")
    if patch is not None:
        choices = re.search(r"--patch[ =]\{([^}]*)\}", text)
        if choices:
            names = [c.strip() for c in choices.group(1).split(",")]
            aliases = {"yes": ("yes", "on", "true", "1"), "no": ("no", "off", "false", "0"),
                       "auto": ("auto",)}
            pick = next((c for c in names if c.lower() in aliases[patch]), None)
            if pick is None:
                fail("custom_tinyengine_patch = %s: this tinyengine-gen accepts --patch {%s}"
                     % (patch, ",".join(names)))
            flags.append("--patch=" + pick)
        elif re.search(r"--patch(?![\w-])", text) and patch != "auto":
            if patch == "yes":
                flags.append("--patch")
            elif re.search(r"--no-patch(?![\w-])", text):
                flags.append("--no-patch")
        elif patch != "auto":
            warn("this tinyengine-gen has no --patch option; custom_tinyengine_patch = %s is ignored"
                 % patch)
    return flags


# --------------------------------------------------------------------------------------------
# Generation as an SCons step, RAM checks, cleanup on failure.


def generator_sources():
    """Every file of the generator package (code, templates, data) except this integration:
    a new generator version regenerates the model code."""
    found = []
    for root, dirs, files in os.walk(GEN_PKG_DIR):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "integrations"))
        found += [os.path.join(root, f) for f in sorted(files)
                  if f.endswith((".py", ".j2", ".yaml", ".yml", ".json", ".txt"))]
    return found


def arena_size(header, name):
    try:
        with open(header, encoding="utf-8", errors="replace") as fp:
            match = re.search(r"^#define\s+%s_ARENA_SIZE\s+(\d+)" % name.upper(), fp.read(), re.M)
    except OSError:
        return None
    return int(match.group(1)) if match else None


def remove_quietly(paths):
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass


def ram_used(elf_path):
    """Bytes of RAM the linked image reserves: every allocated, writable section."""
    try:
        from elftools.elf.constants import SH_FLAGS
        from elftools.elf.elffile import ELFFile
    except ImportError:
        return None
    want = SH_FLAGS.SHF_ALLOC | SH_FLAGS.SHF_WRITE
    total = 0
    with open(elf_path, "rb") as fp:
        for section in ELFFile(fp).iter_sections():
            if section["sh_flags"] & want == want and not section["sh_flags"] & SH_FLAGS.SHF_EXECINSTR:
                total += section["sh_size"]
    return total


def main():  # pylint: disable=too-many-locals,too-many-statements
    configure_cpu()

    override = os.environ.get("TINYENGINE_MODEL", "").strip()
    configured = option("custom_tinyengine_model")
    if not override and not configured:
        path = kernel_path()
        note("no custom_tinyengine_model in [env:%s] (nor TINYENGINE_MODEL): building the kernels "
             "only%s" % (env["PIOENV"], " (%s)" % path if path else ""))  # noqa: F821
        return
    raw = override or configured
    project_dir = env.subst("$PROJECT_DIR")  # noqa: F821
    model = os.path.normpath(os.path.join(project_dir, os.path.expanduser(raw)))

    name = option("custom_tinyengine_name", DEFAULT_NAME) or DEFAULT_NAME
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        fail("custom_tinyengine_name = %r: use a lower-case C identifier, e.g. %s"
             % (name, re.sub(r"\W", "_", name).strip("_").lower() or DEFAULT_NAME))
    budget_opt = option("custom_tinyengine_sram_budget")
    budget = parse_bytes(budget_opt, "custom_tinyengine_sram_budget") if budget_opt else None
    patch_opt = option("custom_tinyengine_patch")
    patch = parse_switch(patch_opt, "custom_tinyengine_patch", ("yes", "no", "auto")) if patch_opt else None
    int8_io = parse_switch(option("custom_tinyengine_int8_io", "no") or "no", "custom_tinyengine_int8_io") == "yes"
    custom_ops = parse_switch(option("custom_tinyengine_custom_ops", "no") or "no",
                              "custom_tinyengine_custom_ops") == "yes"
    ram_check = parse_switch(option("custom_tinyengine_ram_check", "yes") or "yes",
                             "custom_tinyengine_ram_check") == "yes"

    python = env.subst("$PYTHONEXE")  # noqa: F821
    ensure_python_deps(python)
    sysenv = dict(os.environ)
    sysenv["PYTHONPATH"] = os.pathsep.join(p for p in (PY_DIR, os.environ.get("PYTHONPATH")) if p)
    sysenv["PYTHONDONTWRITEBYTECODE"] = "1"
    extra = generator_flags(python, sysenv, budget, patch, int8_io, custom_ops)

    gen_dir = os.path.join(env.subst("$BUILD_DIR"), "tinyengine_model")  # noqa: F821
    gen_c = os.path.join(gen_dir, name + ".c")
    gen_h = os.path.join(gen_dir, name + ".h")
    gen_o = os.path.join(gen_dir, name + env.subst("$OBJSUFFIX"))  # noqa: F821
    progpath = env.subst("$PROGPATH")  # noqa: F821
    firmware = [progpath] + [os.path.splitext(progpath)[0] + ext for ext in (".bin", ".hex", ".uf2")]
    board_ram = 0
    board_id = env.get("BOARD", "")  # noqa: F821
    if board_id:
        board_ram = int(env.BoardConfig().get("upload.maximum_ram_size", 0) or 0)  # noqa: F821

    def cleanup():
        # What an earlier model left behind must not be linked or uploaded.
        remove_quietly([gen_c, gen_h, gen_o] + firmware)

    def generate(target, source, env):  # pylint: disable=unused-argument,redefined-outer-name
        cmd = [python, "-m", "tinyengine_gen", model, "-o", gen_dir, "--name", name] + extra
        proc = subprocess.run(cmd, capture_output=True, text=True, env=sysenv)
        if proc.returncode != 0:
            cleanup()
            lines = proc.stderr.strip().splitlines()
            if lines and lines[-1].startswith("tinyengine-gen: error:"):
                line = lines[-1]  # the generator's one-line message
                if budget is not None and "SRAM budget" in line:  # say where the budget came from
                    line = line.replace("SRAM budget of", "SRAM budget (custom_tinyengine_sram_budget) of", 1)
                sys.stderr.write(line + "\n")
            else:  # a crash: show everything, it is a bug to report
                sys.stderr.write(proc.stderr or "tinyengine-gen exited with status %d\n" % proc.returncode)
            return 1
        if proc.stdout.strip():  # "tinyengine-gen: <files>: arena N B, weights N B, N MACs"
            print(proc.stdout.strip().replace(gen_dir + os.sep, ""))
        arena = arena_size(gen_h, name)
        limits = []
        if budget is not None:
            limits.append((budget, "custom_tinyengine_sram_budget"))
        if ram_check and board_ram:
            limits.append((board_ram, "the RAM of board %s (board_upload.maximum_ram_size)" % board_id))
        for limit, what in limits:
            if arena is not None and arena > limit:
                cleanup()
                sys.stderr.write("%s: error: the model's arena needs %d bytes, more than the %d bytes "
                                 "of %s\n" % (TAG, arena, limit, what))
                return 1
        return 0

    shown = raw  # as the user wrote it
    env["TINYENGINE_GEN_COMMAND"] = " ".join(  # noqa: F821
        [os.path.basename(python), "-m", "tinyengine_gen", model, "--name", name] + extra)
    env["TINYENGINE_GEN_LIMITS"] = "%s %s %s" % (budget, board_ram if ram_check else 0, ram_check)  # noqa: F821
    action = env.Action(  # noqa: F821
        generate, "Generating %s.c, %s.h from %s" % (name, name, shown),
        varlist=["TINYENGINE_GEN_COMMAND", "TINYENGINE_GEN_LIMITS"])

    sources = generator_files = generator_sources()
    if os.path.isfile(model):
        sources = [env.File(model)] + generator_files  # noqa: F821
    nodes = env.Command([gen_c, gen_h], sources, action)  # noqa: F821
    if not os.path.isfile(model):
        # No source to sign: always run, so the generator reports the missing file (and cleans up).
        env.AlwaysBuild(nodes)  # noqa: F821
    env.Append(CPPPATH=[gen_dir])  # noqa: F821  (reaches the project too)
    obj = env.Object(gen_o, gen_c)  # noqa: F821
    DefaultEnvironment().Append(PIOBUILDFILES=obj)

    if ram_check and board_ram:
        def check_ram(target, source, env):  # pylint: disable=unused-argument,redefined-outer-name
            used = ram_used(progpath) if os.path.isfile(progpath) else None
            arena = arena_size(gen_h, name)
            if used is None or arena is None:
                return 0
            if used > board_ram:
                remove_quietly(firmware)
                sys.stderr.write(
                    "%s: error: RAM does not fit: model arena %d + rest of the firmware %d "
                    "(.data, .bss, stack and heap reserves) = %d bytes > %d bytes of board %s "
                    "(board_upload.maximum_ram_size)\n"
                    % (TAG, arena, used - arena, used, board_ram, board_id))
                return 1
            note("RAM %d of %d bytes: model arena %d + rest of the firmware %d"
                 % (used, board_ram, arena, used - arena))
            return 0

        # Runs with PlatformIO's own size check ("Checking size ..."), after the link and before
        # `upload`. (AddPostAction on the program cannot work from a library script: the program
        # node gets its builder only after library scripts ran.)
        env.Alias("checkprogsize", progpath, env.Action(check_ram, None))  # noqa: F821

    path = kernel_path()
    note("%s -> %s.h (model from %s)%s" % (shown, name, "TINYENGINE_MODEL" if override else
                                            "custom_tinyengine_model", ", " + path if path else ""))


main()
