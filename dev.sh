#!/usr/bin/env bash
# Developer entry point for the Hydra build farm.
#
# Usage: ./dev.sh COMMAND        (./dev.sh --help, or COMMAND --help, prints this)
#
#   up     Install missing tools, start PostgreSQL, build (Release), migrate, create the admin
#          user and a worker token, start hydra-server and one hydra-builder, load the example
#          jobset from examples/, trigger an evaluation, print the URL and credentials, then
#          wait. Ctrl-C stops the builder, the server and PostgreSQL.
#   down   Stop what `up` started (from another terminal, or after a crash).
#   test   Run `dotnet test Hydra.sln` against a private PostgreSQL (unless HYDRA_TEST_DATABASE
#          is set) and print "N passed, N failed, N skipped". Exits non-zero on any failure.
#          Other arguments go to dotnet test, e.g. ./dev.sh test --filter 'FullyQualifiedName~Webhook'.
#          Installs Debian's chromium for the browser tests when missing; their screenshots
#          go to .data/test/results/screenshots.
#   bench  Run the benchmarks (bench/run.sh [ROUNDS]; ./dev.sh bench --help lists them).
#
# Environment:
#   HYDRA_ADMIN_USER      admin user name for `up` (default: admin)
#   HYDRA_ADMIN_PASSWORD  admin password for `up` (default: generated once, kept in
#                         .data/dev/admin-password)
#   HYDRA_PORT            port for hydra-server (default: 3000 if free, else any free port)
#   HYDRA_TEST_DATABASE   Npgsql connection string for `test`; when unset a cluster is started
#   PG_BIN                directory of the PostgreSQL server binaries (default: found under
#                         /usr/lib/postgresql)
#   HYDRA_CHROMIUM        Chromium for the browser tests (default: /usr/bin/chromium)
#
# State lives in .data/ (ignored by git). Nix runs with NIX_REMOTE=local, no substituters and
# no sandbox, for every process started here.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
HYDRA_ROOT="$ROOT"
# shellcheck source=scripts/common.sh
source "$ROOT/scripts/common.sh"
# shellcheck source=scripts/pg.sh
source "$ROOT/scripts/pg.sh"

DEV_DIR="$ROOT/.data/dev"
TEST_DIR="$ROOT/.data/test"
SERVER_DLL="$ROOT/Hydra.Web/bin/Release/net10.0/hydra-server.dll"
BUILDER_DLL="$ROOT/Hydra.Builder/bin/Release/net10.0/hydra-builder.dll"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

usage() { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$ROOT/dev.sh"; }

# A command's arguments: --help prints the usage; up and down take no others (test passes its own to dotnet test).
check_args() { # COMMAND ARGS...
  local cmd="$1" arg
  shift
  for arg in "$@"; do
    if [[ "$arg" == -h || "$arg" == --help ]]; then
      usage
      exit 0
    fi
  done
  if [[ "$cmd" != test && $# -gt 0 ]]; then
    printf '%s takes no arguments, not: %s\nRun ./dev.sh --help for usage.\n' "$cmd" "$*" >&2
    exit 2
  fi
}

# The Nix system of this machine, as builders advertise it.
nix_system() {
  case "$(uname -m)" in
    x86_64) echo x86_64-linux ;;
    aarch64 | arm64) echo aarch64-linux ;;
    i?86) echo i686-linux ;;
    *) echo "$(uname -m)-linux" ;;
  esac
}

# Runs hydra-server the way `dotnet run` would: content root = the project directory.
hydra_server() {
  (cd "$ROOT/Hydra.Web" && dotnet "$SERVER_DLL" "$@")
}

# Prints the admin password: $HYDRA_ADMIN_PASSWORD, else the saved one, else a new one.
admin_password() {
  local file="$DEV_DIR/admin-password" password
  if [[ -n "${HYDRA_ADMIN_PASSWORD:-}" ]]; then
    password="$HYDRA_ADMIN_PASSWORD"
  elif [[ -s "$file" ]]; then
    password="$(cat "$file")"
  else
    password="$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-20)"
  fi
  (umask 077 && printf '%s\n' "$password" >"$file")
  printf '%s\n' "$password"
}

# Copies examples/ into a git repository the evaluator can poll, committing when it changed.
sync_example_repo() {
  local repo="$DEV_DIR/example-repo"
  if [[ ! -d "$repo/.git" ]]; then
    rm -rf "$repo"
    mkdir -p "$repo"
    git -C "$repo" init -q -b main
  fi
  find "$repo" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
  cp -a "$ROOT/examples/." "$repo/"
  git -C "$repo" add -A
  if ! git -C "$repo" diff --cached --quiet; then
    log "committing examples/ into $repo"
    git -C "$repo" -c user.name="Hydra dev" -c user.email="dev@hydra.invalid" \
      commit -q -m "Sync examples/ from the working tree"
  fi
}

# Calls the JSON API with the session cookie; prints the response body; dies on HTTP errors.
# Usage: api METHOD PATH [JSON]
api() {
  local method="$1" path="$2" body="${3:-}" out status
  local args=(-sS -o "$DEV_DIR/api-response" -w '%{http_code}' -X "$method"
    -b "$DEV_DIR/cookies.txt" -c "$DEV_DIR/cookies.txt"
    -H "Origin: $SERVER_URL" -H "Accept: application/json")
  if [[ -n "$body" ]]; then
    args+=(-H "Content-Type: application/json" --data-binary "$body")
  fi
  status="$(curl "${args[@]}" "$SERVER_URL$path")" || die "$method $path: request failed"
  out="$(cat "$DEV_DIR/api-response")"
  if [[ "$status" -lt 200 || "$status" -ge 300 ]]; then
    die "$method $path answered HTTP $status: $out"
  fi
  printf '%s\n' "$out"
}

# Starts a background process in its own session (so Ctrl-C reaches only this script, which
# then stops the processes in order) and records its pid. Usage: spawn NAME LOG CMD...
spawn() {
  local name="$1" logfile="$2"
  shift 2
  printf '\n=== %s started %s ===\n' "$name" "$(date -u +%FT%TZ)" >>"$logfile"
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$DEV_DIR/$name.pid"
}

wait_for_health() {
  local pid="$1" i
  for ((i = 0; i < 240; i++)); do
    if curl -fs -o /dev/null --max-time 2 "$SERVER_URL/health"; then
      return 0
    fi
    if ! pid_matches "$pid" hydra-server.dll; then
      tail -n 40 "$DEV_DIR/server.log" >&2 || true
      die "hydra-server exited during start-up (log: $DEV_DIR/server.log)"
    fi
    sleep 0.5
  done
  die "hydra-server did not answer $SERVER_URL/health within 120 s (log: $DEV_DIR/server.log)"
}

# Stops what `up` starts, in dependency order. Safe to run twice or concurrently with `down`.
stop_dev() {
  stop_pidfile "$DEV_DIR/builder.pid" hydra-builder.dll || true
  stop_pidfile "$DEV_DIR/server.pid" hydra-server.dll || true
  pg_stop "$DEV_DIR/pg" || true
}

public_key_path() {
  local keys="$DEV_DIR/hydra/keys" found
  found="$(find "$keys" -maxdepth 1 -type f \( -name '*.pub' -o -name '*public*' \) 2>/dev/null | head -n 1)"
  if [[ -n "$found" ]]; then
    printf '%s\n' "$found"
  else
    printf '%s/ (no public key file there yet)\n' "$keys"
  fi
}

cmd_up() {
  local name
  mkdir -p "$DEV_DIR"
  for name in server builder; do
    if [[ -f "$DEV_DIR/$name.pid" ]] && pid_matches "$(cat "$DEV_DIR/$name.pid")" "hydra-$name.dll"; then
      die "hydra-$name is already running (pid $(cat "$DEV_DIR/$name.pid")); run ./dev.sh down first"
    fi
  done
  ensure_deps

  trap 'stop_dev; log "stopped"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  local pg_port
  pg_port="$(pg_start "$DEV_DIR/pg")"
  pg_create_database "$pg_port" hydra

  log "building Hydra.sln (Release)"
  dotnet build "$ROOT/Hydra.sln" -c Release --nologo -v minimal
  [[ -f "$SERVER_DLL" ]] || die "build did not produce $SERVER_DLL"
  [[ -f "$BUILDER_DLL" ]] || die "build did not produce $BUILDER_DLL"

  export ConnectionStrings__Hydra="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=hydra"
  export Hydra__DataDir="$DEV_DIR/hydra"
  export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
  mkdir -p "$Hydra__DataDir"

  log "migrating the database"
  hydra_server migrate

  local admin_user="${HYDRA_ADMIN_USER:-admin}" password token
  password="$(admin_password)"
  log "creating user $admin_user"
  hydra_server create-user "$admin_user" --password "$password" --role admin >/dev/null

  log "creating the worker token for local-builder"
  token="$(hydra_server create-worker local-builder | sed '/^[[:space:]]*$/d' | tail -n 1 | tr -d '[:space:]')"
  [[ -n "$token" ]] || die "create-worker printed no token"
  (umask 077 && printf '%s\n' "$token" >"$DEV_DIR/worker-token")

  local port
  port="${HYDRA_PORT:-$(free_port 3000)}"
  SERVER_URL="http://127.0.0.1:$port"
  log "starting hydra-server on $SERVER_URL (log: .data/dev/server.log)"
  # shellcheck disable=SC2016 # $1 and $@ belong to the inner bash
  spawn server "$DEV_DIR/server.log" \
    bash -c 'cd "$1" && shift && exec dotnet "$@"' _ "$ROOT/Hydra.Web" \
    "$SERVER_DLL" serve --urls "$SERVER_URL"
  local server_pid
  server_pid="$(cat "$DEV_DIR/server.pid")"
  wait_for_health "$server_pid"

  sync_example_repo
  local repo_url="file://$DEV_DIR/example-repo"
  log "configuring project example, jobset example ($repo_url main)"
  rm -f "$DEV_DIR/cookies.txt"
  api POST /login "{\"username\":\"$(json_escape "$admin_user")\",\"password\":\"$(json_escape "$password")\"}" >/dev/null
  api PUT /project/example "{\"displayname\":\"Example\",\"description\":\"Example jobs from examples/ (no nixpkgs needed)\",\"enabled\":true,\"visible\":true,\"owner\":\"$(json_escape "$admin_user")\"}" >/dev/null
  api PUT /jobset/example/example "{\"description\":\"examples/default.nix\",\"nixexprinput\":\"src\",\"nixexprpath\":\"default.nix\",\"enabled\":1,\"visible\":true,\"checkinterval\":60,\"schedulingshares\":100,\"keepnr\":3,\"inputs\":{\"src\":{\"type\":\"git\",\"value\":\"$(json_escape "$repo_url") main\",\"emailresponsible\":false}}}" >/dev/null
  api POST "/api/push?jobsets=example:example" >/dev/null
  log "evaluation of example:example triggered"

  log "starting hydra-builder (log: .data/dev/builder.log)"
  mkdir -p "$DEV_DIR/builder"
  spawn builder "$DEV_DIR/builder.log" \
    dotnet "$BUILDER_DLL" --server "$SERVER_URL" --token-file "$DEV_DIR/worker-token" \
    --systems "$(nix_system)" --max-jobs 2 --name local-builder --work-dir "$DEV_DIR/builder"
  local builder_pid
  builder_pid="$(cat "$DEV_DIR/builder.pid")"

  cat <<EOF

Hydra is running.

  Web UI:        $SERVER_URL
  User:          $admin_user
  Password:      $password   (saved in .data/dev/admin-password)
  Jobset:        $SERVER_URL/jobset/example/example
  Binary cache:  $SERVER_URL/cache   (substituter; see $SERVER_URL/cache/nix-cache-info)
  Public key:    $(public_key_path)
  Logs:          .data/dev/server.log, .data/dev/builder.log
  Example repo:  .data/dev/example-repo (edit examples/ and rerun ./dev.sh up to re-sync)

Press Ctrl-C to stop the builder, the server and PostgreSQL.
EOF

  # Returns when either process exits (or at once on Ctrl-C, through the traps above).
  wait -n "$server_pid" "$builder_pid" || true
  if [[ ! -f "$DEV_DIR/server.pid" || ! -f "$DEV_DIR/builder.pid" ]]; then
    log "stopped from outside (./dev.sh down)"
    exit 0
  fi
  if ! pid_matches "$server_pid" hydra-server.dll; then
    warn "hydra-server exited; last lines of .data/dev/server.log:"
    tail -n 20 "$DEV_DIR/server.log" >&2 || true
  fi
  if ! pid_matches "$builder_pid" hydra-builder.dll; then
    warn "hydra-builder exited; last lines of .data/dev/builder.log:"
    tail -n 20 "$DEV_DIR/builder.log" >&2 || true
  fi
  exit 1
}

cmd_down() {
  stop_dev
}

# Counts test outcomes in the trx files under $1 and prints "passed failed skipped".
count_trx() {
  local dir="$1"
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$dir" <<'EOF'
import pathlib, sys
import xml.etree.ElementTree as ET
passed = failed = skipped = 0
for trx in pathlib.Path(sys.argv[1]).rglob("*.trx"):
    for element in ET.parse(trx).iter():
        if element.tag.rsplit("}", 1)[-1] != "UnitTestResult":
            continue
        outcome = element.get("outcome", "")
        if outcome == "Passed":
            passed += 1
        elif outcome == "NotExecuted":
            skipped += 1
        elif outcome in ("Failed", "Error", "Timeout", "Aborted"):
            failed += 1
print(passed, failed, skipped)
EOF
  else
    local outcomes
    outcomes="$(find "$dir" -name '*.trx' -exec cat {} + 2>/dev/null | tr '\n' ' ' |
      grep -o '<UnitTestResult [^>]*>' | grep -o ' outcome="[A-Za-z]*"' || true)"
    printf '%s %s %s\n' \
      "$(grep -c '"Passed"' <<<"$outcomes" || true)" \
      "$(grep -cE '"(Failed|Error|Timeout|Aborted)"' <<<"$outcomes" || true)" \
      "$(grep -c '"NotExecuted"' <<<"$outcomes" || true)"
  fi
}

cmd_test() {
  ensure_deps
  ensure_chromium
  mkdir -p "$TEST_DIR"
  if [[ -z "${HYDRA_TEST_DATABASE:-}" ]]; then
    trap 'pg_stop "$TEST_DIR/pg" || true' EXIT
    local pg_port
    pg_port="$(pg_start "$TEST_DIR/pg")"
    export HYDRA_TEST_DATABASE="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
  fi
  log "HYDRA_TEST_DATABASE=$HYDRA_TEST_DATABASE"

  local results="$TEST_DIR/results" rc=0
  rm -rf "$results"
  mkdir -p "$results"
  # The browser tests save screenshots of the main pages here.
  export HYDRA_SCREENSHOT_DIR="$results/screenshots"
  dotnet test "$ROOT/Hydra.sln" --nologo \
    --logger "trx" --logger "console;verbosity=normal" \
    --results-directory "$results" "$@" || rc=$?

  local passed failed skipped
  read -r passed failed skipped < <(count_trx "$results")
  printf '%s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
  if ((rc != 0)); then
    warn "dotnet test exited with $rc"
    exit "$rc"
  fi
  ((failed == 0)) || exit 1
}

cmd_bench() {
  if [[ -f "$ROOT/bench/run.sh" ]]; then
    # --help needs no tools installed.
    [[ " $* " == *" -h "* || " $* " == *" --help "* ]] || ensure_deps
    exec bash "$ROOT/bench/run.sh" "$@"
  fi
  echo "No benchmarks yet (bench/run.sh does not exist)."
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up | down | test)
      check_args "$cmd" "$@"
      "cmd_$cmd" "$@"
      ;;
    bench) cmd_bench "$@" ;;
    -h | --help | help) usage ;;
    "")
      usage >&2
      exit 2
      ;;
    *)
      printf 'unknown command: %s (./dev.sh --help lists them)\n\n' "$cmd" >&2
      usage >&2
      exit 2
      ;;
  esac
}

# Sourced by bench/run.sh for its helpers; run main only when executed.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
