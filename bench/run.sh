#!/usr/bin/env bash
# Benchmarks for issue figures. Usage: ./dev.sh bench [ROUNDS]   (or bash bench/run.sh [ROUNDS])
# The queue benchmark first (bench/queue.sh, default sizes), then push-to-finished with ROUNDS rounds.
set -euo pipefail
BENCH="$(dirname "${BASH_SOURCE[0]}")"
bash "$BENCH/queue.sh"
exec bash "$BENCH/push-to-finished.sh" "$@"
