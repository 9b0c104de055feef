"""PlatformIO extra script of the tinyengine library (library.json -> build.extraScript).

With `lib_deps = tinyengine=...` and `custom_tinyengine_model = model.tflite`, `pio run`
generates <name>.c/.h/.json into $BUILD_DIR/tinyengine_model/ as an SCons step (only when the
model, the options or the generator change), compiles and links it, and checks that the arena and
the rest of the firmware fit the board's RAM. The generation itself, the budget decision and the
messages are the generator's (tinyengine_gen.integrations.build, tinyengine_gen.fit); this script
only wires them into SCons. Options (environment section of platformio.ini):

  custom_tinyengine_model        the .tflite, relative to the project (TINYENGINE_MODEL overrides it)
  custom_tinyengine_name         C prefix: model -> model.h, model_invoke(), MODEL_ARENA_SIZE
  custom_tinyengine_sram_budget  bytes (K/M suffix): the arena must fit (--sram-budget)
  custom_tinyengine_patch        no (default) / yes (--patch) / auto: fit the board's RAM less what
                                 the rest of the firmware uses: layer by layer if it fits, else
                                 patch-based, else an error naming the options that would fit
  custom_tinyengine_int8_io      no (default) / yes (--int8-io)
  custom_tinyengine_custom_ops   no (default) / yes (--custom-ops): ops tinyengine lacks call
                                 te_custom_<name>() functions the application writes (te_custom.h)
  custom_tinyengine_ram_check    yes (default) / no

Targets: `pio run -t tinyengine_report` prints the per-layer report and writes
$BUILD_DIR/tinyengine_model/<name>_arena.svg; `pio run -v` shows the generator's command line.
"""
# pylint: disable=undefined-variable,import-error
import json
import os
import re
import subprocess
import sys
from importlib import metadata

from SCons.Node import Node
from SCons.Script import ARGUMENTS, DefaultEnvironment

Import("env", "pio_lib_builder")  # noqa: F821  (SCons SConscript global)

from platformio import fs  # noqa: E402  (available inside PlatformIO's SCons)

TAG = "tinyengine"
LIB_DIR = os.path.realpath(pio_lib_builder.path)  # noqa: F821
PY_DIR = os.path.join(LIB_DIR, "python")
VERBOSE = int(ARGUMENTS.get("PIOVERBOSE", 0))
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


def parse_switch(name, allowed=("yes", "no"), default="no"):
    text = option(name, default) or default
    value = {"1": "yes", "true": "yes", "on": "yes", "0": "no", "false": "no", "off": "no"}.get(text.lower(), text.lower())
    if value not in allowed:
        fail("%s = %r: expected one of %s" % (name, text, ", ".join(allowed)))
    return value


# --------------------------------------------------------------------------------------------
# CPU flags: the kernels choose their SIMD path from __ARM_FEATURE_DSP / __ARM_FEATURE_MVE, so
# the only job is that the board's -mcpu (and the project's float ABI) reach compiler and linker.


def _flags(scope, e=None):
    return [f for f in (e or env).get(scope, []) if isinstance(f, str)]  # noqa: F821


def board_cpu():
    board = env.BoardConfig() if "BOARD" in env else None  # noqa: F821
    if board is None or board.get("build.cpu", ""):
        return board.get("build.cpu", "") if board else ""
    mcu = board.get("build.mcu", "").lower()
    return next((core for prefix, core in MCU_CPU if mcu.startswith(prefix)), "")


def configure_cpu():
    if not any(f.startswith(("-mcpu=", "-march=")) for f in _flags("CCFLAGS")):
        cpu = board_cpu()
        if cpu:  # the platform passes no -mcpu (unusual): compile the library for the board's core
            env.Append(CCFLAGS=["-mcpu=" + cpu, "-mthumb"], ASFLAGS=["-mcpu=" + cpu, "-mthumb"])  # noqa: F821
        else:
            note("warning: the board names no CPU (build.cpu); the kernels use their portable C path")
    # -mfloat-abi / -mfpu (or -mcpu) only in the compiler flags (e.g. build_flags) make the link fail
    # with "uses VFP register arguments": the linker must select the same multilib.
    linker_env = DefaultEnvironment()
    fix = []
    for prefix in ("-mcpu=", "-march=", "-mfloat-abi=", "-mfpu="):
        compiled = [f for f in _flags("CCFLAGS") if f.startswith(prefix)]
        linked = [f for f in _flags("LINKFLAGS", linker_env) if f.startswith(prefix)]
        if compiled and not linked:
            fix.append(compiled[-1])
        elif compiled and linked[-1] != compiled[-1]:
            note("warning: the code is compiled with %s but linked with %s (build_flags vs. the board?); "
                 "expect link errors such as 'uses VFP register arguments'" % (compiled[-1], linked[-1]))
    linker_env.Append(LINKFLAGS=fix)


def kernel_path():
    """What te_common.h selects with these flags, e.g. 'Arm DSP kernels for cortex-m4' (or '')."""
    flags = [f for f in _flags("CCFLAGS") if f.startswith(("-mcpu=", "-march=", "-mfpu=", "-mfloat-abi=", "-mthumb"))]
    probe = ('#include "tinyengine/te_common.h"\n#if defined(TE_USE_MVE)\nTE_PATH=Helium\n'
             "#elif defined(TE_USE_DSP)\nTE_PATH=Arm DSP\n#else\nTE_PATH=portable C\n#endif\n")
    cmd = ([env.subst("$CC")] + flags + env.subst("$_CPPDEFFLAGS").split()  # noqa: F821
           + ["-I", os.path.join(LIB_DIR, "include"), "-E", "-P", "-x", "c", "-"])
    try:
        out = subprocess.run(cmd, input=probe, capture_output=True, text=True, timeout=30,
                             env=dict(os.environ, PATH=env["ENV"].get("PATH", os.environ.get("PATH", "")))).stdout  # noqa: F821
    except (OSError, subprocess.SubprocessError):
        return ""
    match = re.search(r"^TE_PATH=(.+)$", out, re.M)
    cpu = next((f[len("-mcpu="):] for f in reversed(flags) if f.startswith("-mcpu=")), "")
    if not match:
        return ""
    hint = " (Helium needs -mfloat-abi=softfp or hard)" if (
        cpu.split("+")[0] in ("cortex-m55", "cortex-m85") and match.group(1) != "Helium") else ""
    return "%s kernels%s%s" % (match.group(1), " for " + cpu if cpu else "", hint)


# --------------------------------------------------------------------------------------------
# The generator runs in PlatformIO's Python ($PYTHONEXE, this process's interpreter).


def ensure_python_deps(python):
    """Install what requirements.txt (the generator's one dependency list) names and is missing."""
    with open(os.path.join(LIB_DIR, "requirements.txt"), encoding="utf-8") as fp:
        wanted = [ln.strip() for ln in fp if ln.strip() and not ln.startswith("#")]
    missing = []
    for req in wanted:
        try:
            metadata.version(re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0])
        except metadata.PackageNotFoundError:
            missing.append(req)
    if not missing:
        return
    note("installing the generator's Python dependencies (%s) into PlatformIO's Python %s" % (", ".join(missing), python))
    proc = subprocess.run([python, "-m", "pip", "install", "--disable-pip-version-check", "-q"] + missing,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        fail("could not install %s into PlatformIO's Python (%s)%s. Install them yourself with: "
             '"%s" -m pip install -r "%s"' % (", ".join(missing), python, ": " + detail[-1] if detail else "",
                                                python, os.path.join(LIB_DIR, "requirements.txt")))


def generator_files():
    """The generator's code and templates (not this glue): a new generator regenerates the model."""
    found = []
    for root, dirs, files in os.walk(os.path.join(PY_DIR, "tinyengine_gen")):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "integrations"))
        found += [os.path.join(root, f) for f in sorted(files) if f.endswith((".py", ".j2"))]
    return found


def ram_used(elf_path):
    """Bytes of RAM the linked image reserves: every allocated, writable, non-code section."""
    from elftools.elf.constants import SH_FLAGS
    from elftools.elf.elffile import ELFFile

    want = SH_FLAGS.SHF_ALLOC | SH_FLAGS.SHF_WRITE
    with open(elf_path, "rb") as fp:
        return sum(s["sh_size"] for s in ELFFile(fp).iter_sections()
                   if s["sh_flags"] & want == want and not s["sh_flags"] & SH_FLAGS.SHF_EXECINSTR)


def remove_quietly(paths):
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass


def main():  # pylint: disable=too-many-locals,too-many-statements
    configure_cpu()
    override = os.environ.get("TINYENGINE_MODEL", "").strip()
    configured = option("custom_tinyengine_model")
    if not override and not configured:
        path = kernel_path()
        note("no custom_tinyengine_model in [env:%s] (nor TINYENGINE_MODEL): building the kernels only%s"
             % (env["PIOENV"], " (%s)" % path if path else ""))  # noqa: F821
        return
    origin = "TINYENGINE_MODEL=%s" % override if override else "custom_tinyengine_model = %s" % configured
    model = os.path.normpath(os.path.join(env.subst("$PROJECT_DIR"), os.path.expanduser(override or configured)))  # noqa: F821
    name = option("custom_tinyengine_name", "model") or "model"
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        fail("custom_tinyengine_name = %r: use a lower-case C identifier, e.g. %s"
             % (name, re.sub(r"\W", "_", name).strip("_").lower() or "model"))
    budget_opt = option("custom_tinyengine_sram_budget")
    budget = parse_bytes(budget_opt, "custom_tinyengine_sram_budget") if budget_opt else None
    patch = parse_switch("custom_tinyengine_patch", ("yes", "no", "auto"))
    int8_io = parse_switch("custom_tinyengine_int8_io") == "yes"
    custom_ops = parse_switch("custom_tinyengine_custom_ops") == "yes"
    ram_check = parse_switch("custom_tinyengine_ram_check", default="yes") == "yes"
    board_id = env.get("BOARD", "")  # noqa: F821
    board_ram = int(env.BoardConfig().get("upload.maximum_ram_size", 0) or 0) if board_id else 0  # noqa: F821
    if patch == "auto" and not board_ram:
        note("warning: custom_tinyengine_patch = auto needs the board's RAM (board_upload.maximum_ram_size); "
             "running layer by layer")

    python = env.subst("$PYTHONEXE")  # noqa: F821
    ensure_python_deps(python)
    sysenv = dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
                  PYTHONPATH=os.pathsep.join(p for p in (PY_DIR, os.environ.get("PYTHONPATH")) if p))
    gen_dir = os.path.join(env.subst("$BUILD_DIR"), "tinyengine_model")  # noqa: F821
    gen_c, gen_h, summary_path, ram_file = (os.path.join(gen_dir, name + ext) for ext in (".c", ".h", ".json", ".ram.json"))
    gen_o = os.path.join(gen_dir, name + env.subst("$OBJSUFFIX"))  # noqa: F821
    progpath = env.subst("$PROGPATH")  # noqa: F821
    firmware = [progpath] + [os.path.splitext(progpath)[0] + ext for ext in (".bin", ".hex", ".uf2")]
    auto = patch == "auto" and board_ram > 0

    def known_rest():
        """RAM the rest of the firmware used at the last link (auto mode), or 0."""
        try:
            with open(ram_file, encoding="utf-8") as fp:
                return int(json.load(fp)["rest"])
        except (OSError, ValueError, KeyError):
            return 0

    def generator_args(rest):
        args = ["--int8-io"] if int8_io else []
        args += ["--custom-ops"] if custom_ops else []
        args += ["--patch"] if patch == "yes" else []
        limits = [(budget, "the SRAM budget (custom_tinyengine_sram_budget)")] if budget is not None else []
        if auto:
            limits.append((board_ram - rest, "the RAM board %s leaves for the model (board_upload.maximum_ram_size "
                           "%d B less %d B for the rest of the firmware)" % (board_id, board_ram, rest)))
        if limits:
            limit, label = min(limits)
            args += ["--sram-budget", str(max(limit, 1)), "--sram-budget-label", label]
        return args + ["--option-names", "platformio"]

    def cleanup():
        remove_quietly([gen_c, gen_h, summary_path, gen_o] + firmware)  # nothing stale to link or upload

    def run_generator(rest):
        cmd = [python, "-m", "tinyengine_gen.integrations.build", model, "-o", gen_dir, "--name", name,
               "--only-this-model"] + generator_args(rest)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=sysenv)
        if proc.stdout.strip():
            print(proc.stdout.strip())
        if proc.returncode == 0:
            return 0
        cleanup()
        lines = proc.stderr.strip().splitlines()
        if lines and lines[-1].startswith("tinyengine-gen: error:"):  # the generator's one line
            sys.stderr.write("%s (model from %s)\n" % (lines[-1], origin))
        else:  # a crash: show everything, it is a bug to report
            sys.stderr.write(proc.stderr or "tinyengine-gen exited with status %d\n" % proc.returncode)
        return 1

    def command_text(rest):
        return " ".join([os.path.basename(python), "-m", "tinyengine_gen", model, "-o", gen_dir, "--name", name]
                        + generator_args(rest))

    rest = known_rest() if auto else 0
    env["TINYENGINE_GEN_COMMAND"] = command_text(rest)  # noqa: F821  (a changed command regenerates)
    action = env.Action(lambda target, source, env: run_generator(rest),  # noqa: F821
                        "$TINYENGINE_GEN_COMMAND" if VERBOSE else "Generating %s.c, %s.h from %s" % (
                            name, name, override or configured), varlist=["TINYENGINE_GEN_COMMAND"])
    model_node = [env.File(model)] if os.path.isfile(model) else []  # noqa: F821
    nodes = env.Command([gen_c, gen_h], model_node + generator_files(), action)  # noqa: F821
    if not model_node:
        env.AlwaysBuild(nodes)  # noqa: F821  (no source to sign: the generator reports the missing file)
    env.Append(CPPPATH=[gen_dir])  # noqa: F821  (reaches the project too)
    obj = env.Object(gen_o, gen_c)  # noqa: F821
    DefaultEnvironment().Append(PIOBUILDFILES=obj)

    def read_summary():
        with open(summary_path, encoding="utf-8") as fp:
            return json.load(fp)

    def ram_error(used, arena):
        """The post-link error, with the options that would make the model fit (tinyengine-gen fit)."""
        cmd = [python, "-m", "tinyengine_gen", "fit", model, "--sram-budget", str(max(board_ram - (used - arena), 1)),
               "--option-names", "platformio"] + (["--int8-io"] if int8_io else []) + (["--patch"] if patch == "yes" else [])
        cmd += ["--custom-ops"] if custom_ops else []
        advice = subprocess.run(cmd, capture_output=True, text=True, env=sysenv).stdout.strip()
        return ("RAM does not fit: model arena %d + rest of the firmware %d (.data, .bss, stack and heap reserves) = "
                "%d bytes > %d bytes of board %s (board_upload.maximum_ram_size)%s"
                % (arena, used - arena, used, board_ram, board_id, "; " + advice if advice else ""))

    def check_ram(target, source, env):  # pylint: disable=unused-argument,redefined-outer-name
        if not os.path.isfile(progpath) or not os.path.isfile(summary_path):
            return 0
        used, arena = ram_used(progpath), read_summary()["arena_bytes"]
        if used > board_ram:
            remove_quietly(firmware)
            sys.stderr.write("%s: error: %s\n" % (TAG, ram_error(used, arena)))
            return 1
        note("RAM %d of %d bytes: model arena %d + rest of the firmware %d" % (used, board_ram, arena, used - arena))
        return 0

    def fit_before_link(target, source, env):  # pylint: disable=redefined-outer-name
        """auto: link once without deciding (a probe), measure what the rest of the firmware uses, and
        when the model's arena does not fit what is left, regenerate for that budget and recompile
        what includes the header before the real link."""
        probe = env.File(os.path.join(gen_dir, "probe.elf"))
        link = env.subst("$LINKCOM", target=[probe], source=program_sources)
        if VERBOSE:
            print(link)
        if subprocess.run(link, shell=True, env=env["ENV"], cwd=env.subst("$PROJECT_DIR")).returncode != 0:
            return 1
        arena = read_summary()["arena_bytes"]
        rest = ram_used(probe.get_abspath()) - arena
        with open(str(target[0]), "w", encoding="utf-8") as fp:  # the next generation's budget
            json.dump({"rest": rest, "board_ram": board_ram}, fp)
        if arena + rest <= board_ram:
            return 0
        note("custom_tinyengine_patch = auto: the rest of the firmware uses %d B, %d B are left for the model's "
             "arena (%d B): generating for that budget" % (rest, board_ram - rest, arena))
        if run_generator(rest) != 0:
            return 1
        header = env.File(gen_h)
        for node in program_sources:  # SCons built these before the header changed: build them again now
            if node.get_abspath() == os.path.abspath(gen_o) or header in (node.implicit or []):
                if node.builder.action([node], node.sources, node.get_build_env()) != 0:
                    return 1
        return 0

    program_sources = []  # the program's objects, known when PlatformIO declares the program
    if auto and ram_check:
        def emitter(target, source, env):  # pylint: disable=redefined-outer-name
            program_sources[:] = source
            libs = [lib for lib in env.Flatten(env.get("LIBS", [])) if isinstance(lib, Node)]
            fit = env.Command(ram_file, list(source) + libs,
                              env.Action(fit_before_link, "Fitting %s's arena to board %s" % (name, board_id)))
            env.Depends(target, fit)
            return target, source

        DefaultEnvironment().Append(PROGEMITTER=[emitter])  # runs when PlatformIO declares the program
    if ram_check and board_ram:
        # With PlatformIO's own size check ("Checking size ..."), after the link and before `upload`.
        env.Alias("checkprogsize", progpath, env.Action(check_ram, None))  # noqa: F821

    svg = os.path.join(gen_dir, name + "_arena.svg")
    report = [python, "-m", "tinyengine_gen", "report", model, "--name", name, "--svg", svg] + generator_args(rest)
    DefaultEnvironment().AddCustomTarget(
        "tinyengine_report", None,
        env.Action(lambda target, source, env: subprocess.run(report, env=sysenv).returncode,  # noqa: F821
                   " ".join(report) if VERBOSE else "Per-layer report of %s (%s)" % (name, svg)),
        title="tinyengine report", description="Per-layer MACs and arena of the model, and %s" % os.path.basename(svg))

    path = kernel_path()
    note("%s -> %s.h%s%s" % (origin, name, " (custom_tinyengine_patch = auto: fit %d B of board %s)" % (
        board_ram, board_id) if auto else "", ", " + path if path else ""))


main()
