#!/usr/bin/env bash
# Generate the example model with --custom-ops, build it with the Clamp op (clamp_op.c) on the
# host and run it:  bash examples/custom_op/build.sh [OUTDIR] [16 input values]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$here/build}"
[ $# -gt 0 ] && shift
python="${PYTHON:-$repo/.venv/bin/python}"
"$python" -m tinyengine_gen "$here/clamp_model.tflite" -o "$out" --name clamp_model --custom-ops
gcc -std=c99 -Wall -Wextra -Werror -O2 -I"$repo/include" -I"$out" "$here/main.c" "$here/clamp_op.c" \
    "$out/clamp_model.c" "$repo"/src/*.c -o "$out/clamp_demo" -lm
"$out/clamp_demo" "$@"
