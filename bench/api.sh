#!/usr/bin/env bash
# The streamed /eval/{id}/builds (docs/api.md): one evaluation of N builds (default 100,000) with an
# output, a product and a metric each, fetched with curl from a Release hydra-server. Prints time to first
# byte, total time and size, and the server's resident memory before and at its peak (VmHWM), against
# GET /build/{id} of one build as the baseline measured in the same run.
#
# Usage: [HEAP_LIMIT_MIB=M] HYDRA_BENCH_DATABASE='Host=127.0.0.1;Port=5432;Username=postgres' bash bench/api.sh [N]
#        (without HYDRA_BENCH_DATABASE a private cluster under .data/bench-api is started and stopped)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../scripts/pg.sh
source "$ROOT/scripts/pg.sh"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
bench_args "$@"
N="${1:-100000}"
SERVER_DLL="$ROOT/Hydra.Web/bin/Release/net10.0/hydra-server.dll"

bench_database "$ROOT/.data/bench-api/pg"
host="$(sed -n 's/.*Host=\([^;]*\).*/\1/p' <<<"$HYDRA_BENCH_DATABASE")"
port="$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$HYDRA_BENCH_DATABASE")"
PSQL="$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)"
sql() { "$PSQL" -h "$host" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
database="hydra_bench_api"
sql -d postgres -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database"

log "building hydra-server (Release)"
dotnet build "$ROOT/Hydra.Web" -c Release --nologo -v quiet >/dev/null
DATA="$(mktemp -d)"
trap 'kill "${server_pid:-0}" 2>/dev/null || true; rm -rf "$DATA"; [[ -n "${BENCH_PG_DIR:-}" ]] && pg_stop "$BENCH_PG_DIR" || true' EXIT
export ConnectionStrings__Hydra="Host=$host;Port=$port;Username=postgres;Database=$database"
export Hydra__DataDir="$DATA" Serilog__MinimumLevel__Default=Warning
(cd "$ROOT/Hydra.Web" && dotnet "$SERVER_DLL" migrate >/dev/null 2>&1)

log "seeding one evaluation of $N builds"
sql -d "$database" <<SQL
INSERT INTO projects (name, display_name, owner, created_at) VALUES ('bench', 'bench', 'bench', now());
INSERT INTO jobsets (project_id, name, nix_expr_input, nix_expr_path, created_at) SELECT id, 'main', 'src', 'release.nix', now() FROM projects;
INSERT INTO evaluations (jobset_id, created_at, has_new_builds, inputs_hash, nix_expr_input, nix_expr_path) SELECT id, now(), true, 'x', 'src', 'release.nix' FROM jobsets;
INSERT INTO builds (jobset_id, job, nix_name, drv_path, system, finished, build_status, queued_at, start_time, stop_time)
  SELECT j.id, 'job' || g, 'pkg-' || g, '/nix/store/' || md5(g::text) || '-pkg.drv', 'x86_64-linux', true, 0, now(), now(), now()
  FROM jobsets j, generate_series(1, $N) g;
INSERT INTO build_outputs (build_id, name, path) SELECT id, 'out', '/nix/store/' || md5(id::text) || '-pkg' FROM builds;
INSERT INTO build_products (build_id, product_nr, type, subtype, path, name) SELECT id, 1, 'nix-build', '', '/nix/store/' || md5(id::text) || '-pkg', 'pkg' FROM builds;
INSERT INTO build_metrics (build_id, name, value, jobset_id, job, timestamp) SELECT id, 'size', id, jobset_id, job, now() FROM builds;
INSERT INTO evaluation_members (evaluation_id, build_id, is_new) SELECT e.id, b.id, true FROM evaluations e, builds b;
ANALYZE;
SQL
eval_id="$(sql -d "$database" -c 'SELECT id FROM evaluations')"
build_id="$(sql -d "$database" -c 'SELECT min(id) FROM builds')"

url="http://127.0.0.1:$(free_port 3200)"
# HEAP_LIMIT_MIB (optional) caps the server's managed heap (DOTNET_GCHeapHardLimit): a response larger than the cap
# that still arrives whole shows the server streams it rather than holding it.
heap_env=()
[[ -n "${HEAP_LIMIT_MIB:-}" ]] && heap_env=(env "DOTNET_GCHeapHardLimit=$(printf '0x%x' $((HEAP_LIMIT_MIB * 1024 * 1024)))")
(cd "$ROOT/Hydra.Web" && exec "${heap_env[@]}" dotnet "$SERVER_DLL" serve --urls "$url") >"$DATA/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do curl -fs "$url/health" >/dev/null 2>&1 && break; sleep 0.5; done
rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$server_pid/status"; }

fetch() { # PATH -> "ttfb total bytes"
  curl -fs -o /dev/null -H 'Accept: application/json' -w '%{time_starttransfer} %{time_total} %{size_download}\n' "$url$1"
}
# Warm up on the one-build request only: a warm-up of the big one would set the memory peak measured below.
for _ in 1 2 3; do fetch "/build/$build_id" >/dev/null; done

before="$(rss VmRSS)"
read -r base_ttfb base_total base_bytes < <(fetch "/build/$build_id")
read -r ttfb total bytes < <(fetch "/eval/$eval_id/builds")
peak="$(rss VmHWM)"
printf 'load: %s\n' "$(uptime)"
printf '%-28s %10s %10s %14s\n' request ttfb_s total_s bytes
printf '%-28s %10s %10s %14s\n' "GET /build/{id} (baseline)" "$base_ttfb" "$base_total" "$base_bytes"
printf '%-28s %10s %10s %14s\n' "GET /eval/{id}/builds" "$ttfb" "$total" "$bytes"
awk -v a="$ttfb" -v b="$base_ttfb" 'BEGIN { printf "ttfb ratio (eval builds / one build): %.1f\n", a / b }'
awk -v r0="$before" -v r1="$peak" -v n="$bytes" 'BEGIN { printf "server RSS before %.0f MiB, peak %.0f MiB; response %.0f MiB\n", r0/1024, r1/1024, n/1048576 }'
