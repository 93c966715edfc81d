#!/usr/bin/env bash
# Helpers for the benchmark scripts; source after dev.sh (farm helpers) or scripts/pg.sh (database helper).

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
