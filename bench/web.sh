#!/usr/bin/env bash
# Page latency on a seeded farm (bench/web): seeds 1,000,000 builds / 5,000,000 steps / 20,000 evaluations
# (one of 100,000 builds) / 300,000 unfinished steps at scale 1, then 16 clients fetch each kind of page.
#
# Usage: bash bench/web.sh [SCALE] [CLIENTS] [REQUESTS]   (defaults 1, 16, 400)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../scripts/pg.sh
source "$ROOT/scripts/pg.sh"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
bench_args "$@"

bench_database "$ROOT/.data/bench-web/pg"
log "web benchmark (bench/web)"
dotnet run -c Release --project "$ROOT/bench/web" -- "$@"
