#!/usr/bin/env bash
# Queue benchmarks (bench/queue): claim+complete throughput and a dispatch round with a 300,000-step
# backlog, in-process against a private PostgreSQL (or HYDRA_BENCH_DATABASE when set).
#
# Usage: bash bench/queue.sh [CLAIMS] [BACKLOG] [CLAIMERS] [ROUNDS]   (defaults 20000, 300000, 16, 3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../scripts/pg.sh
source "$ROOT/scripts/pg.sh"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
bench_args "$@"

bench_database "$ROOT/.data/bench-queue/pg"
log "queue benchmark (bench/queue)"
dotnet run -c Release --project "$ROOT/bench/queue" -- "$@"
