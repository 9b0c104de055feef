"""Build script of the tinyengine-qemu platform: bare-metal Cortex-M firmware for QEMU's MPS2 boards.

Compiles the project with arm-none-eabi-gcc for the board's core (board build.cpu / build.fpu /
build.float_abi), adds tinyengine's emulated-target startup (vector table, reset, semihosting
argv, fault report: <tinyengine>/targets/common) and links with the board's linker script from
<tinyengine>/targets/boards and newlib's semihosting (rdimon) syscalls, so printf() and the exit
status of main() reach the host.

Compiler flags and the QEMU command line come from tinyengine's table of emulated cores
(python/tinyengine_gen/targets/cores.py, the same the project's own tests use), matched by the board's
build.qemu_machine; the board manifest (build.cpu / fpu / float_abi) is the fallback.

`pio test` builds the test firmware and runs $BUILD_DIR/program, a launcher this script writes
(QEMU with the firmware, its exit status the firmware's; PlatformIO's native test runner reads the
Unity output it prints through semihosting). `test_testing_command` in platformio.ini replaces it
(needed on Windows, where PlatformIO looks for program.exe).

`pio run -t upload` runs the firmware in qemu-system-arm:
    qemu-system-arm -M <build.qemu_machine> -icount shift=0 -nographic -monitor none
                    -semihosting-config enable=on,target=native -kernel firmware.elf [upload_flags]
from the project directory, streams its output, and fails with the firmware's exit status when
that is not 0 (timeout: board_upload.timeout seconds, default 120).

<tinyengine> is found from the TINYENGINE_DIR environment variable, else as the checkout this
platform directory lives in (examples/platformio/platform-tinyengine-qemu).
"""
# pylint: disable=import-error
import importlib.util
import os
import shutil
import subprocess
import sys

from SCons.Script import AlwaysBuild, Default, DefaultEnvironment

env = DefaultEnvironment()
platform = env.PioPlatform()
board = env.BoardConfig()


def find_targets_dir():
    candidates = []
    if os.environ.get("TINYENGINE_DIR"):
        candidates.append(os.path.join(os.environ["TINYENGINE_DIR"], "targets"))
    candidates.append(os.path.join(os.path.realpath(platform.get_dir()), "..", "..", "..", "targets"))
    for path in candidates:
        if os.path.isfile(os.path.join(path, "common", "startup.c")):
            return os.path.normpath(path)
    sys.stderr.write(
        "Error: tinyengine-qemu needs tinyengine's targets/ directory (startup code, linker "
        "scripts); set TINYENGINE_DIR to your tinyengine checkout (looked in: %s)\n"
        % ", ".join(os.path.normpath(p) for p in candidates))
    env.Exit(1)
    return None


def load_core(targets_dir, machine):
    """tinyengine's own description of the core QEMU emulates on `machine`
    (python/tinyengine_gen/targets/cores.py: compiler flags, QEMU command line), or None."""
    path = os.path.join(os.path.dirname(targets_dir), "python", "tinyengine_gen", "targets", "cores.py")
    if not os.path.isfile(path):
        return None
    try:
        spec = importlib.util.spec_from_file_location("tinyengine_qemu_targets", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while it loads
        spec.loader.exec_module(module)
        return next((c for c in module.CORES.values() if c.machine == machine), None)
    except Exception as exc:  # pylint: disable=broad-except
        sys.stderr.write("Warning: ignoring %s (%s); using the board manifest\n" % (path, exc))
        return None


TARGETS_DIR = find_targets_dir()
COMMON_DIR = os.path.join(TARGETS_DIR, "common")
BOARDS_DIR = os.path.join(TARGETS_DIR, "boards")
MACHINE = board.get("build.qemu_machine", env.subst("$BOARD"))
CORE = load_core(TARGETS_DIR, MACHINE)

env.Replace(
    AR="arm-none-eabi-gcc-ar",
    AS="arm-none-eabi-as",
    CC="arm-none-eabi-gcc",
    CXX="arm-none-eabi-g++",
    GDB="arm-none-eabi-gdb",
    OBJCOPY="arm-none-eabi-objcopy",
    RANLIB="arm-none-eabi-gcc-ranlib",
    SIZETOOL="arm-none-eabi-size",
    LINK="$CXX",
    ARFLAGS=["rc"],
    SIZEPROGREGEXP=r"^(?:\.vectors|\.text|\.rodata|\.ARM\.extab|\.ARM\.exidx|\.data)\s+(\d+).*",
    SIZEDATAREGEXP=r"^(?:\.data|\.bss|\.stack)\s+(\d+).*",
    SIZECHECKCMD="$SIZETOOL -A -d $SOURCES",
    SIZEPRINTCMD="$SIZETOOL -B -d $SOURCES",
    PROGNAME="firmware",
    PROGSUFFIX=".elf",
    QEMU="qemu-system-arm",
)

if CORE is not None:
    machine_flags = ["-mthumb"] + list(CORE.cflags)
else:
    machine_flags = ["-mthumb", "-mcpu=%s" % board.get("build.cpu")]
    if board.get("build.fpu", ""):
        machine_flags.append("-mfpu=%s" % board.get("build.fpu"))
    if board.get("build.float_abi", ""):
        machine_flags.append("-mfloat-abi=%s" % board.get("build.float_abi"))

env.Append(
    ASFLAGS=machine_flags,
    ASPPFLAGS=["-x", "assembler-with-cpp"],
    CCFLAGS=machine_flags + ["-Os", "-ffunction-sections", "-fdata-sections", "-Wall"],
    CXXFLAGS=["-fno-rtti", "-fno-exceptions"],
    CPPDEFINES=[("F_CPU", "$BOARD_F_CPU"), "TINYENGINE_QEMU"],
    CPPPATH=[COMMON_DIR],  # measure.h: instruction counting, stack high-water
    LINKFLAGS=machine_flags + ["-nostartfiles", "--specs=rdimon.specs", "-Wl,--gc-sections"],
    LIBPATH=[BOARDS_DIR],  # the board script INCLUDEs sections.ld
    LIBS=["m"],
)
if not board.get("build.ldscript", ""):
    env.Replace(LDSCRIPT_PATH=os.path.join(BOARDS_DIR, "%s.ld" % env.subst("$BOARD")))

if not shutil.which(env.subst("$CC"), path=env["ENV"].get("PATH")):
    sys.stderr.write(
        "Error: %s not found. Install it (Debian/Ubuntu: apt-get install gcc-arm-none-eabi "
        "libnewlib-arm-none-eabi) or add `platform_packages = platformio/toolchain-gccarmnoneeabi` "
        "to the environment\n" % env.subst("$CC"))
    env.Exit(1)

# The emulated-target runtime: startup.c (vectors, reset, semihosting argv) and measure.c.
env.BuildSources(os.path.join("$BUILD_DIR", "tinyengine_qemu"), COMMON_DIR)

target_elf = env.BuildProgram()
AlwaysBuild(env.Alias("nobuild", target_elf))
target_buildprog = env.Alias("buildprog", target_elf, target_elf)

target_size = env.AddPlatformTarget(
    "size",
    target_elf,
    env.VerboseAction("$SIZEPRINTCMD", "Calculating size $SOURCE"),
    "Program Size",
    "Calculate program size",
)


def qemu_command(elf):
    if CORE is not None:
        cmd = list(CORE.qemu_command(elf))
        cmd[0] = env.subst("$QEMU")
    else:
        cmd = [env.subst("$QEMU"), "-M", MACHINE, "-icount", "shift=0", "-nographic", "-monitor", "none",
               "-semihosting-config", "enable=on,target=native", "-kernel", elf]
    return cmd + list(env.GetProjectOption("upload_flags", []) or [])


LAUNCHER = """#!%(python)s
# Written by the tinyengine-qemu platform: runs the firmware in QEMU for `pio test`. It passes the
# firmware's output through; once Unity has printed its summary the results are in that output,
# so it exits 0 (PlatformIO reads a non-zero status as a crash), else with the firmware's status.
import re, subprocess, sys, threading

proc = subprocess.Popen(%(cmd)r + sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT)
timed_out = []
timer = threading.Timer(%(timeout)r, lambda: (timed_out.append(1), proc.kill()))
timer.start()
summary = False
for line in proc.stdout:
    sys.stdout.buffer.write(line)
    sys.stdout.flush()
    summary = summary or re.search(rb"\\d+ Tests \\d+ Failures \\d+ Ignored", line) is not None
status = proc.wait()
timer.cancel()
if timed_out:
    sys.exit("the firmware did not exit within %(timeout)g s (board_upload.timeout)")
sys.exit(0 if summary else status)
"""


def write_test_launcher():
    """$BUILD_DIR/program: what PlatformIO's native test runner executes (pio test)."""
    path = os.path.join(env.subst("$BUILD_DIR"), "program")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fp:
        fp.write(LAUNCHER % dict(python=env.subst("$PYTHONEXE"), cmd=qemu_command(os.path.abspath(env.subst("$PROGPATH"))),
                                 timeout=float(board.get("upload.timeout", 120))))
    os.chmod(path, 0o755)


def run_in_qemu(target, source, env):  # pylint: disable=unused-argument,redefined-outer-name
    qemu = env.subst("$QEMU")
    if not shutil.which(qemu, path=env["ENV"].get("PATH")):
        sys.stderr.write("Error: %s not found (Debian/Ubuntu: apt-get install qemu-system-arm)\n" % qemu)
        return 127
    cmd = qemu_command(str(source[0]))
    timeout = float(board.get("upload.timeout", 120))
    sys.stdout.flush()
    try:
        proc = subprocess.run(cmd, cwd=env.subst("$PROJECT_DIR"), stdin=subprocess.DEVNULL,
                              timeout=timeout, env=env["ENV"], check=False)
    except subprocess.TimeoutExpired:
        sys.stderr.write("Error: the firmware did not exit within %g s (board_upload.timeout)\n" % timeout)
        return 124
    sys.stdout.flush()
    if proc.returncode != 0:
        sys.stderr.write("Error: the firmware exited with status %d\n" % proc.returncode)
    return proc.returncode


env.AddPlatformTarget(
    "upload",
    target_elf,
    env.VerboseAction(run_in_qemu, "Running $SOURCE in QEMU %s" % MACHINE),
    "Upload",
    "Run the firmware in qemu-system-arm",
)

write_test_launcher()
Default([target_buildprog, target_size])
