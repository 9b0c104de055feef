#!/usr/bin/env bash
# The main job on a fresh machine: set up, generate C for the bundled keyword-spotting model,
# build it into firmware for an emulated Cortex-M4 (QEMU mps2-an386), run one inference on a
# deterministic sample input, and print the result, the instruction count and the memory report.
#   bash examples/demo.sh [MODEL.tflite] [--core m3|m4|m7|m33|m55]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo/tools/bootstrap.sh"
model="$repo/examples/models/kws_ref_model.tflite"
labels="down,go,left,no,off,on,right,stop,up,yes,silence,unknown"
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
  model="$1"; labels=""; shift
fi
exec "$repo/.venv/bin/tinyengine-gen" run "$model" --core m4 ${labels:+--labels "$labels"} --report "$@"
