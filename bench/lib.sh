#!/usr/bin/env bash
# Helpers for the benchmark scripts; source after dev.sh (farm helpers) or scripts/pg.sh (database helper).

# Handles a benchmark's arguments before it starts anything; call it first with "$@". -h or --help prints the
# comment block at the top of the script and exits 0. The arguments are counts, rounds and sizes, so an option
# or a word that is not a number is an error (exit 2) rather than a benchmark run with nonsense.
bench_args() { # ARGS...
  local script arg
  script="$ROOT/bench/$(basename "$0")"
  for arg in "$@"; do
    if [[ "$arg" == -h || "$arg" == --help ]]; then
      sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$script"
      exit 0
    fi
  done
  for arg in "$@"; do
    if [[ ! "$arg" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
      if [[ "$arg" == -* ]]; then
        printf '%s: unknown option %s\n' "bench/$(basename "$0")" "$arg" >&2
      else
        printf '%s: %s is not a number; the arguments are counts and sizes\n' "bench/$(basename "$0")" "$arg" >&2
      fi
      printf "Run 'bash bench/%s --help' for usage.\n" "$(basename "$0")" >&2
      exit 2
    fi
  done
}
# Points HYDRA_BENCH_DATABASE at a server whose role may create databases: the one it names already,
# else a private cluster in DIR, stopped when the script exits.
bench_database() { # DIR
  if [[ -z "${HYDRA_BENCH_DATABASE:-}" ]]; then
    BENCH_PG_DIR="$1"
    trap 'pg_stop "$BENCH_PG_DIR" || true' EXIT
    HYDRA_BENCH_DATABASE="Host=127.0.0.1;Port=$(pg_start "$BENCH_PG_DIR");Username=postgres"
    export HYDRA_BENCH_DATABASE
  fi
}

# Builds the solution, migrates database DATABASE on 127.0.0.1:PORT, creates the admin `bench` (password
# `bench`) and a worker token, and starts hydra-server and one hydra-builder with 2 slots under $DEV_DIR
# (pid files there, so stop_dev / stop_pidfile stop them). Sets SERVER_URL.
bench_start_farm() { # PORT DATABASE BUILDER-NAME
  local port="$1" database="$2" builder="$3" token
  log "building Hydra.sln (Release)"
  dotnet build "$ROOT/Hydra.sln" -c Release --nologo -v quiet >/dev/null
  export ConnectionStrings__Hydra="Host=127.0.0.1;Port=$port;Username=postgres;Database=$database"
  export Hydra__DataDir="$DEV_DIR/hydra"
  export Serilog__MinimumLevel__Default=Warning
  hydra_server migrate 2>/dev/null
  hydra_server create-user bench --password bench --role admin >/dev/null 2>&1
  token="$(hydra_server create-worker "$builder" 2>/dev/null | tail -n 1)"
  printf '%s\n' "$token" >"$DEV_DIR/worker-token"

  SERVER_URL="http://127.0.0.1:$(free_port 3100)"
  spawn server "$DEV_DIR/server.log" bash -c 'cd "$1" && shift && exec dotnet "$@"' _ "$ROOT/Hydra.Web" "$SERVER_DLL" serve --urls "$SERVER_URL"
  wait_for_health "$(cat "$DEV_DIR/server.pid")"
  mkdir -p "$DEV_DIR/builder"
  spawn builder "$DEV_DIR/builder.log" dotnet "$BUILDER_DLL" --server "$SERVER_URL" --token-file "$DEV_DIR/worker-token" \
    --systems "$(nix_system)" --max-jobs 2 --name "$builder" --work-dir "$DEV_DIR/builder"
}
