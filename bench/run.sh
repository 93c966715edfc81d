#!/usr/bin/env bash
# Benchmarks for issue figures. Usage: ./dev.sh bench [ROUNDS]   (or bash bench/run.sh [ROUNDS])
# In turn, each with its baseline measured in the same run:
#   bench/queue.sh            claim+complete in-process vs a bare SKIP LOCKED queue; dispatch round with a big backlog
#   bench/worker-protocol.sh  claims over HTTP with 32 workers vs plain requests; enqueue-to-pickup with and without NOTIFY
#   bench/farm.sh             no-op derivations and a 200-deep chain through the farm vs nix-store --realise
#   bench/push-to-finished.sh the example jobset from push to finished vs nix-store --realise, ROUNDS rounds
# The machine's load is printed beside each figure: on a shared machine compare the ratios, not the rates.
set -euo pipefail
BENCH="$(dirname "${BASH_SOURCE[0]}")"
ROOT="$(cd "$BENCH/.." && pwd)"
# shellcheck source=lib.sh
source "$BENCH/lib.sh"
bench_args "$@"
bash "$BENCH/queue.sh"
bash "$BENCH/worker-protocol.sh"
bash "$BENCH/farm.sh"
exec bash "$BENCH/push-to-finished.sh" "$@"
