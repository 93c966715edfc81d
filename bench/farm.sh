#!/usr/bin/env bash
# Farm overhead (B1 in perf-reliability.md): the same derivations through the farm (hydra-server and
# one hydra-builder with 2 slots, on this machine) and through plain `nix-store --realise --max-jobs 2`,
# in the same run, each round with a fresh salt so both sides really build.
#
#   noop:  COUNT independent derivations that each write one line. Figure: farm time / plain time
#          (target <= 1.3). Farm time runs from the first of the evaluation's steps becoming runnable
#          (steps.runnable_since) to the last build's finish; push-to-finished (with the evaluation and
#          its ingestion) is printed beside it.
#   chain: one job at the top of a chain of DEPTH derivations, each needing the one before. Figure:
#          (farm time - plain time) / DEPTH, the overhead per dependency hop (target <= 50 ms), and
#          the gaps between a step's end and its dependent's claim, from the database.
#   Both also print the CPU time each side used (the farm: server and builder with all their processes, Nix's
#   included, and this database's PostgreSQL backends; plain: nix-store and its builds), which depends far
#   less on the machine's load than the times do.
#
# Usage: bash bench/farm.sh [ROUNDS] [COUNT] [DEPTH]   (defaults 2, 1000, 200)
# Starts its own server and builder under .data/bench-farm, and its own PostgreSQL unless
# HYDRA_BENCH_DATABASE names a server (only its Port is used, host 127.0.0.1, role postgres).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../dev.sh
source "$ROOT/dev.sh"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
bench_args "$@"
DEV_DIR="$ROOT/.data/bench-farm"
ROUNDS="${1:-2}"
COUNT="${2:-1000}"
DEPTH="${3:-200}"

ensure_deps
rm -rf "$DEV_DIR/hydra" "$DEV_DIR/builder" "$DEV_DIR/repo"
mkdir -p "$DEV_DIR"
database="hydra_farm_$$"
if [[ -n "${HYDRA_BENCH_DATABASE:-}" ]]; then
  pg_port="$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$HYDRA_BENCH_DATABASE")"
  trap 'stop_pidfile "$DEV_DIR/builder.pid" hydra-builder.dll || true; stop_pidfile "$DEV_DIR/server.pid" hydra-server.dll || true;
        psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null || true' EXIT
else
  trap 'stop_dev' EXIT
  pg_port="$(pg_start "$DEV_DIR/pg")"
fi
pg_create_database "$pg_port" "$database"
bench_start_farm "$pg_port" "$database" farm-builder

repo="$DEV_DIR/repo"
mkdir -p "$repo"
cp "$ROOT/bench/farm/default.nix" "$repo/"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" -c user.name=bench -c user.email=bench@hydra.invalid commit -q -m farm

api POST /login '{"username":"bench","password":"bench"}' >/dev/null
api PUT /project/farm '{"displayname":"Farm benchmark","enabled":true,"visible":true,"owner":"bench"}' >/dev/null

sql() { psql -h 127.0.0.1 -p "$pg_port" -U postgres -d "$database" -Atc "$1"; }
now_ms() { date +%s%3N; }
load() { cut -d' ' -f1 /proc/loadavg; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

jobset_body() { # SHAPE SALT
  printf '{"nixexprinput":"src","nixexprpath":"default.nix","enabled":1,"visible":true,"checkinterval":0,"schedulingshares":100,"keepnr":3,"inputs":{"src":{"type":"git","value":"file://%s main"},"salt":{"type":"string","value":"%s"},"shape":{"type":"string","value":"%s"},"count":{"type":"string","value":"%s"},"depth":{"type":"string","value":"%s"}}}' \
    "$repo" "$2" "$1" "$COUNT" "$DEPTH"
}

# Creates jobset NAME with SHAPE (disabled, so its first trigger waits), then enables it with SALT and
# pushes, and waits until the evaluation's builds finished. Prints
# "push-to-finished-ms queued-to-finished-ms new-builds builds-not-succeeded".
farm_run() { # NAME SHAPE SALT
  local name="$1" shape="$2" salt="$3" before start evaluation
  api PUT "/jobset/farm/$name" "$(jobset_body "$shape" "$salt" | sed 's/"enabled":1/"enabled":0/')" >/dev/null
  before="$(sql "select coalesce(max(e.id), 0) from evaluations e")"
  start=$(now_ms)
  api PUT "/jobset/farm/$name" "$(jobset_body "$shape" "$salt")" >/dev/null
  api POST "/api/push?jobsets=farm:$name" >/dev/null
  until [[ "$(sql "select count(*) from evaluations e join jobsets j on j.id = e.jobset_id where j.name = '$name' and e.id > $before")" -gt 0 ]]; do sleep 0.05; done
  evaluation="$(sql "select max(e.id) from evaluations e join jobsets j on j.id = e.jobset_id where j.name = '$name'")"
  until [[ "$(sql "select count(*) from builds b join evaluation_members m on m.build_id = b.id where m.evaluation_id = $evaluation and not b.finished")" == 0 ]]; do sleep 0.05; done
  sql "select $(now_ms) - $start,
              round(extract(epoch from (max(b.stop_time) - (select min(s.runnable_since) from steps s join build_steps bs on bs.step_id = s.id
                                                             join evaluation_members x on x.build_id = bs.build_id where x.evaluation_id = $evaluation))) * 1000),
              count(*) filter (where m.is_new),
              count(*) filter (where b.build_status <> 0)
       from evaluation_members m join builds b on b.id = m.build_id
       where m.evaluation_id = $evaluation" | tr '|' ' '
}

# CPU milliseconds used so far by the server's and the builder's sessions (every process started there, with
# the children they reaped: Nix's daemons and builds) and by this database's PostgreSQL backends: the total,
# then each of the three.
farm_cpu_ms() {
  python3 - "$(cat "$DEV_DIR/server.pid")" "$(cat "$DEV_DIR/builder.pid")" "$database" <<'EOF'
import os, sys
server, builder = int(sys.argv[1]), int(sys.argv[2])
parts = {server: 0, builder: 0, 'pg': 0}
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        stat = open(f'/proc/{pid}/stat').read()
        command = open(f'/proc/{pid}/cmdline', 'rb').read().decode(errors='replace')
    except OSError:
        continue
    fields = stat[stat.rindex(')') + 2:].split()
    part = int(fields[3]) if int(fields[3]) in parts else 'pg' if command.startswith('postgres: ') and f' {sys.argv[3]} ' in command else None
    if part is not None:
        parts[part] += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
ms = {k: v * 1000 // os.sysconf('SC_CLK_TCK') for k, v in parts.items()}
print(sum(ms.values()), ms[server], ms[builder], ms['pg'])
EOF
}

# Plain Nix: instantiate SHAPE with SALT, then realise everything with two jobs. Prints milliseconds and CPU milliseconds.
plain_run() { # SHAPE SALT
  local drvs start TIMEFORMAT='%3U %3S'
  mapfile -t drvs < <(nix-instantiate "$ROOT/bench/farm/default.nix" --argstr salt "$2" --argstr shape "$1" \
    --argstr count "$COUNT" --argstr depth "$DEPTH" 2>/dev/null)
  start=$(now_ms)
  { time nix-store --realise --max-jobs 2 "${drvs[@]}" >/dev/null 2>&1; } 2>"$DEV_DIR/plain-cpu"
  echo "$(($(now_ms) - start)) $(awk '{printf "%d", ($1 + $2) * 1000}' "$DEV_DIR/plain-cpu")"
}

log "farm benchmark: $ROUNDS rounds, $COUNT no-op derivations, a chain of $DEPTH; $(nproc) cores"
noop_ratios=()
hops=()
for ((round = 1; round <= ROUNDS; round++)); do
  salt="farm-$(date +%s%N)-$round"
  load_before="$(load)"
  read -r plain plain_cpu <<<"$(plain_run noop "$salt-plain")"
  read -r cpu_before server_before builder_before pg_before <<<"$(farm_cpu_ms)"
  read -r push queue builds failed <<<"$(farm_run "noop$round" noop "$salt")"
  read -r cpu_after server_after builder_after pg_after <<<"$(farm_cpu_ms)"
  farm_cpu=$((cpu_after - cpu_before))
  ratio=$(python3 -c "print(f'{$queue / $plain:.2f}')")
  noop_ratios+=("$ratio")
  printf 'round %d noop:  farm %6d ms from queued to finished (%d builds, %d not succeeded; push-to-finished %d ms), plain nix-store --realise %6d ms, ratio %s (target <= 1.3); CPU per derivation: farm %s ms (server with the evaluation %s, builder with Nix %s, PostgreSQL %s), plain %s ms, ratio %s; load %s -> %s\n' \
    "$round" "$queue" "$builds" "$failed" "$push" "$plain" "$ratio" \
    "$(python3 -c "print(f'{$farm_cpu / $COUNT:.1f}')")" "$(python3 -c "print(f'{($server_after - $server_before) / $COUNT:.1f}')")" \
    "$(python3 -c "print(f'{($builder_after - $builder_before) / $COUNT:.1f}')")" "$(python3 -c "print(f'{($pg_after - $pg_before) / $COUNT:.1f}')")" "$(python3 -c "print(f'{$plain_cpu / $COUNT:.1f}')")" "$(python3 -c "print(f'{$farm_cpu / $plain_cpu:.2f}')")" \
    "$load_before" "$(load)"

  load_before="$(load)"
  read -r plain _ <<<"$(plain_run chain "$salt-plain")"
  read -r push queue builds failed <<<"$(farm_run "chain$round" chain "$salt")"
  hop=$(python3 -c "print(f'{($queue - $plain) / $DEPTH:.1f}')")
  hops+=("$hop")
  # The gaps between a step's end and the claim of the step that waited on it, for this round's chain.
  gaps=$(sql "with e as (select max(e.id) id from evaluations e join jobsets j on j.id = e.jobset_id where j.name = 'chain$round'),
                   s as (select distinct bs.step_id id from build_steps bs join evaluation_members m on m.build_id = bs.build_id join e on e.id = m.evaluation_id),
                   g as (select extract(epoch from (a.started_at - d.finished_at)) * 1000 ms
                         from s join step_dependencies x on x.step_id = s.id join steps d on d.id = x.depends_on_id
                         join step_attempts a on a.step_id = s.id)
              select round(percentile_cont(0.5) within group (order by ms)::numeric, 1) || ' ms median, ' ||
                     round(percentile_cont(0.99) within group (order by ms)::numeric, 1) || ' ms p99' from g")
  # How long the builder held each step (claim to report), at the bottom and the top of the chain: the upload
  # checks every path of the output's closure in the cache, and here the closure grows with the depth.
  held=$(sql "with e as (select max(e.id) id from evaluations e join jobsets j on j.id = e.jobset_id where j.name = 'chain$round'),
                   a as (select a.step_id, extract(epoch from (a.finished_at - a.started_at)) * 1000 ms,
                                ntile(4) over (order by a.step_id) quarter
                         from step_attempts a where a.step_id in (select bs.step_id from build_steps bs join evaluation_members m on m.build_id = bs.build_id join e on e.id = m.evaluation_id))
              select string_agg(round(ms::numeric) || ' ms', ', ' order by quarter) from
                (select quarter, percentile_cont(0.5) within group (order by ms) ms from a group by quarter) q")
  printf 'round %d chain: farm %6d ms from queued to finished (%d steps; push-to-finished %d ms), plain nix-store --realise %6d ms, overhead per hop %s ms (target <= 50); step end to dependent claimed: %s; step held by the builder, median by quarter of the chain (bottom first): %s; load %s -> %s\n' \
    "$round" "$queue" "$DEPTH" "$push" "$plain" "$hop" "$gaps" "$held" "$load_before" "$(load)"
done
printf 'farm: noop median ratio %s, chain median overhead per hop %s ms, over %d rounds\n' \
  "$(printf '%s\n' "${noop_ratios[@]}" | median)" "$(printf '%s\n' "${hops[@]}" | median)" "$ROUNDS"
