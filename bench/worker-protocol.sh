#!/usr/bin/env bash
# Worker-protocol benchmarks (bench/worker-protocol): claims per second over HTTP with 32 simulated
# workers against the real hydra-server on Kestrel loopback, and enqueue-to-pickup latency with idle
# long-polling workers, with NOTIFY and with Hydra:Queue:UseNotify=false. Private PostgreSQL unless
# HYDRA_BENCH_DATABASE names a server whose role may create databases.
#
# Usage: bash bench/worker-protocol.sh [STEPS] [WORKERS] [SAMPLES] [ROUNDS]   (defaults 10000, 32, 200, 3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../scripts/pg.sh
source "$ROOT/scripts/pg.sh"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
bench_args "$@"
export_nix_env

bench_database "$ROOT/.data/bench-protocol/pg"
log "worker-protocol benchmark (bench/worker-protocol)"
# The server's content root is its project directory, as with `dotnet run`.
cd "$ROOT/Hydra.Web"
dotnet run -c Release --project "$ROOT/bench/worker-protocol" -- "$@"
