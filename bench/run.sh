#!/usr/bin/env bash
# Benchmarks for issue figures. Usage: ./dev.sh bench [ROUNDS]   (or bash bench/run.sh [ROUNDS])
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/push-to-finished.sh" "$@"
