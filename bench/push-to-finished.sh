#!/usr/bin/env bash
# Push-to-finished: time from `POST /api/push` until every build of the example jobset has
# finished, against the same derivations built by plain `nix-store --realise` on this machine.
# Each round uses a fresh salt, so both sides really build (nothing is cached); the farm runs
# the whole path: git fetch, evaluation, ingestion, dispatch, hydra-builder, upload to the cache.
#
# Usage: bash bench/push-to-finished.sh [ROUNDS]   (default 3). Prints one line per round and
# the median ratio farm/plain. Starts its own PostgreSQL, server and builder under .data/bench.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../dev.sh
source "$ROOT/dev.sh"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
bench_args "$@"
DEV_DIR="$ROOT/.data/bench"
ROUNDS="${1:-3}"

ensure_deps
rm -rf "$DEV_DIR"
mkdir -p "$DEV_DIR"
trap 'stop_dev' EXIT

pg_port="$(pg_start "$DEV_DIR/pg")"
pg_create_database "$pg_port" hydra
bench_start_farm "$pg_port" hydra bench-builder

repo="$DEV_DIR/example-repo"
mkdir -p "$repo"
cp -a "$ROOT/examples/." "$repo/"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" -c user.name=bench -c user.email=bench@hydra.invalid commit -q -m examples

api POST /login '{"username":"bench","password":"bench"}' >/dev/null
api PUT /project/bench '{"displayname":"Benchmark","enabled":true,"visible":true,"owner":"bench"}' >/dev/null

psql_scalar() { psql -h 127.0.0.1 -p "$pg_port" -U postgres -d hydra -Atc "$1"; }
now_ms() { date +%s%3N; }

ratios=()
for ((round = 1; round <= ROUNDS; round++)); do
  salt="bench-$(date +%s%N)-$round"

  # Plain Nix: instantiate, then realise with two jobs in parallel (the builder's --max-jobs).
  mapfile -t drvs < <(nix-instantiate "$ROOT/examples/default.nix" --argstr salt "$salt-plain" 2>/dev/null)
  start=$(now_ms)
  nix-store --realise --keep-going --max-jobs 2 "${drvs[@]}" >/dev/null 2>&1 || true
  plain=$(($(now_ms) - start))

  # The farm: a jobset whose salt input is new, pushed and waited for.
  jobset="round$round"
  api PUT "/jobset/bench/$jobset" "{\"nixexprinput\":\"src\",\"nixexprpath\":\"default.nix\",\"enabled\":1,\"visible\":true,\"checkinterval\":0,\"schedulingshares\":100,\"keepnr\":3,\"inputs\":{\"src\":{\"type\":\"git\",\"value\":\"file://$repo main\"},\"salt\":{\"type\":\"string\",\"value\":\"$salt-farm\"}}}" >/dev/null
  # PUT of a new jobset triggers it too; wait for that check, so the timed push starts clean.
  until [[ "$(psql_scalar "select count(*) from jobsets where name = '$jobset' and trigger_time is null and last_checked_at is not null")" == 1 ]]; do sleep 0.1; done
  until [[ "$(psql_scalar "select count(*) from builds b join jobsets j on j.id = b.jobset_id where j.name = '$jobset' and not b.finished")" == 0 ]]; do sleep 0.1; done
  api PUT "/jobset/bench/$jobset" "{\"nixexprinput\":\"src\",\"nixexprpath\":\"default.nix\",\"enabled\":1,\"visible\":true,\"checkinterval\":0,\"schedulingshares\":100,\"keepnr\":3,\"inputs\":{\"src\":{\"type\":\"git\",\"value\":\"file://$repo main\"},\"salt\":{\"type\":\"string\",\"value\":\"$salt-timed\"}}}" >/dev/null
  until [[ "$(psql_scalar "select count(*) from jobsets where name = '$jobset' and trigger_time is null")" == 1 ]]; do sleep 0.1; done
  before=$(psql_scalar "select count(*) from evaluations e join jobsets j on j.id = e.jobset_id where j.name = '$jobset'")
  start=$(now_ms)
  api POST "/api/push?jobsets=bench:$jobset" >/dev/null
  until [[ "$(psql_scalar "select count(*) from evaluations e join jobsets j on j.id = e.jobset_id where j.name = '$jobset'")" -gt "$before" ]]; do sleep 0.02; done
  until [[ "$(psql_scalar "select count(*) from builds b join jobsets j on j.id = b.jobset_id where j.name = '$jobset' and not b.finished")" == 0 ]]; do sleep 0.02; done
  farm=$(($(now_ms) - start))
  nbuilds=$(psql_scalar "select count(*) from builds b join jobsets j on j.id = b.jobset_id join evaluation_members m on m.build_id = b.id where j.name = '$jobset' and m.is_new and m.evaluation_id = (select max(id) from evaluations e where e.jobset_id = j.id)")
  # Where the time went, from the database's own timestamps (ms after the push).
  phases=$(psql_scalar "with e as (select e.id, e.created_at, e.checkout_seconds, e.eval_seconds from evaluations e join jobsets j on j.id = e.jobset_id where j.name = '$jobset' order by e.id desc limit 1),
    b as (select b.* from builds b join evaluation_members m on m.build_id = b.id join e on e.id = m.evaluation_id where m.is_new)
    select concat_ws(' ',
      'fetch', round((select checkout_seconds from e)::numeric * 1000), 'nix-eval', round((select eval_seconds from e)::numeric * 1000),
      'evaluated', round(extract(epoch from (select created_at from e)) * 1000 - $start),
      'first-step-started', round(extract(epoch from (select min(a.started_at) from step_attempts a join build_steps bs on bs.step_id = a.step_id join b on b.id = bs.build_id)) * 1000 - $start),
      'last-build-finished', round(extract(epoch from (select max(stop_time) from b)) * 1000 - $start))")
  ratio=$(python3 -c "print(f'{$farm / $plain:.2f}')")
  ratios+=("$ratio")
  printf 'round %d: farm push-to-finished %5d ms (%s new builds), plain nix-store --realise %5d ms, ratio %s\n' "$round" "$farm" "$nbuilds" "$plain" "$ratio"
  printf '         phases (ms after push): %s\n' "$phases"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf 'push-to-finished / plain nix-store --realise: median ratio %s over %d rounds\n' "$median" "$ROUNDS"
