#!/usr/bin/env bash
# The test command: sets the machine up (tools/bootstrap.sh), then runs the default suite.
# Slow cases (wide sweeps, the full benchmark) are excluded; run them with: tests/run.sh -m slow
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo/tools/bootstrap.sh"
cd "$repo"
exec "$repo/.venv/bin/python" -m pytest -q "$@"
