#!/usr/bin/env bash
# The binary cache against nginx serving the same cache directory as static files (bench/cache; issue 7's
# figures): narinfo lookups on 1 and 64 connections, 404 p99, NAR throughput on 1 and 16 connections, memory
# per in-flight download. Installs nginx and wrk from Debian when missing.
#
# Usage: bash bench/cache.sh [PATHS] [SECONDS] [BIG-NAR-MIB] [STALLED]   (defaults 2000 8 64 32)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../scripts/pg.sh
source "$ROOT/scripts/pg.sh"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
bench_args "$@"

missing=()
command -v nginx >/dev/null || missing+=(nginx)
command -v wrk >/dev/null || missing+=(wrk)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get install -y "${missing[@]}" >/dev/null || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }
fi

bench_database "$ROOT/.data/bench-cache/pg"
log "building hydra-server (Release)"
dotnet build "$ROOT/Hydra.Web" -c Release --nologo -v quiet >/dev/null
export HYDRA_SERVER_DLL="$ROOT/Hydra.Web/bin/Release/net10.0/hydra-server.dll"
log "cache benchmark (bench/cache); uptime: $(uptime)"
dotnet run -c Release --project "$ROOT/bench/cache" -- "$@"
log "uptime after: $(uptime)"
