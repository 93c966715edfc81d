#!/usr/bin/env bash
# A private PostgreSQL cluster for development and tests.
#
#   scripts/pg.sh start DIR   start (or reuse) the cluster in DIR; prints its port on stdout
#   scripts/pg.sh stop DIR    stop it (no-op when it is not running)
#   scripts/pg.sh status DIR  exit 0 and print the port when it runs, exit 1 otherwise
#   scripts/pg.sh dir DIR     print the directory the cluster really lives in (see below)
#
# The cluster listens on 127.0.0.1 only, on a free port, with trust authentication for the
# `postgres` role: it is a throwaway cluster, never a production one. Its Unix socket lives in
# the data directory. fsync is off, for speed; a crash of the machine may lose the cluster.
#
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` OS user, which
# owns DIR and must be able to reach it. When a parent of DIR is closed to that user (a repository
# under /root, say), the cluster lives in /var/tmp/hydra-pg-<hash of DIR> instead and DIR becomes a
# symlink to it; `dir` prints the real place.
#
# Sourcing this file defines pg_start, pg_stop, pg_status and pg_resolve_dir without running them.

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Runs a command as the OS user that owns clusters: `postgres` when we are root, else ourselves.
_pg_as_owner() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# True when the cluster owner can enter directory $1.
_pg_owner_can_enter() {
  _pg_as_owner test -x "$1" -a -r "$1"
}

# Prints the directory the cluster for DIR really uses (DIR itself, or the /var/tmp fallback).
pg_resolve_dir() {
  local dir="$1" parent hash
  [[ -n "$dir" ]] || die "pg: no cluster directory given"
  mkdir -p "$(dirname "$dir")"
  dir="$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")"
  if [[ -L "$dir" ]]; then
    readlink -f "$dir"
    return 0
  fi
  parent="$(dirname "$dir")"
  if [[ $EUID -ne 0 ]] || _pg_owner_can_enter "$parent"; then
    printf '%s\n' "$dir"
    return 0
  fi
  hash="$(printf '%s' "$dir" | sha256sum | cut -c1-12)"
  printf '/var/tmp/hydra-pg-%s\n' "$hash"
}

# Prepares $2 (the real dir) for the cluster requested at $1 and initialises it if it is empty.
_pg_init() {
  local requested="$1" dir="$2" bin="$3"
  if [[ "$dir" != "$requested" && ! -e "$requested" ]]; then
    warn "pg: $(dirname "$requested") is closed to the postgres user; the cluster lives in $dir"
    ln -s "$dir" "$requested"
  fi
  mkdir -p "$dir"
  if [[ $EUID -eq 0 ]]; then
    chown postgres: "$dir"
  fi
  chmod 700 "$dir"
  [[ -f "$dir/PG_VERSION" ]] && return 0

  log "pg: initialising a cluster in $dir"
  _pg_as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C \
    >"$dir.initdb.log" 2>&1 || { cat "$dir.initdb.log" >&2; die "pg: initdb failed"; }
  rm -f "$dir.initdb.log"
  # Appended settings win over the defaults above them. The port is passed at start.
  _pg_as_owner tee -a "$dir/postgresql.conf" >/dev/null <<EOF

# --- hydra dev/test cluster (scripts/pg.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
EOF
}

# Prints the port of the running cluster in $1 and returns 0, or returns 1 when it is stopped.
_pg_running_port() {
  local dir="$1" bin
  bin="$(find_pg_bin)" || return 1
  [[ -f "$dir/postmaster.pid" ]] || return 1
  _pg_as_owner "$bin/pg_ctl" status -D "$dir" >/dev/null 2>&1 || return 1
  sed -n 4p "$dir/postmaster.pid"
}

pg_status() {
  local dir
  dir="$(pg_resolve_dir "$1")"
  _pg_running_port "$dir"
}

# Starts (or reuses) the cluster requested at $1 and prints its port.
pg_start() {
  local requested="$1" dir bin port i
  [[ -n "$requested" ]] || die "pg: no cluster directory given"
  bin="$(find_pg_bin)" || die "pg: PostgreSQL server binaries not found (install postgresql or set PG_BIN)"
  mkdir -p "$(dirname "$requested")"
  requested="$(cd "$(dirname "$requested")" && pwd)/$(basename "$requested")"
  dir="$(pg_resolve_dir "$requested")"
  if port="$(_pg_running_port "$dir")"; then
    log "pg: reusing the cluster in $dir on port $port"
    printf '%s\n' "$port"
    return 0
  fi
  _pg_init "$requested" "$dir" "$bin"
  port="$(free_port "${PG_PORT:-}")"
  log "pg: starting the cluster in $dir on 127.0.0.1:$port"
  if ! _pg_as_owner "$bin/pg_ctl" start -D "$dir" -w -t 60 -l "$dir/server.log" -o "-p $port" >/dev/null; then
    tail -n 30 "$dir/server.log" >&2 || true
    die "pg: the server did not start (log: $dir/server.log)"
  fi
  for ((i = 0; i < 100; i++)); do
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
      printf '%s\n' "$port"
      return 0
    fi
    sleep 0.2
  done
  die "pg: the server on port $port did not become ready (log: $dir/server.log)"
}

pg_stop() {
  local dir bin
  dir="$(pg_resolve_dir "$1")"
  bin="$(find_pg_bin)" || return 0
  if _pg_running_port "$dir" >/dev/null; then
    log "pg: stopping the cluster in $dir"
    _pg_as_owner "$bin/pg_ctl" stop -D "$dir" -m fast -w -t 60 >/dev/null
  fi
}

# Creates database $2 in the cluster on port $1 unless it exists.
pg_create_database() {
  local port="$1" name="$2" bin exists
  bin="$(find_pg_bin)" || die "pg: PostgreSQL binaries not found"
  exists="$("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -XAtq \
    -c "SELECT 1 FROM pg_database WHERE datname = '$name'")"
  if [[ "$exists" != 1 ]]; then
    log "pg: creating database $name"
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Xq -c "CREATE DATABASE \"$name\"" >/dev/null
  fi
}

_pg_main() {
  set -euo pipefail
  local cmd="${1:-}"
  case "$cmd" in
    start) pg_start "${2:?usage: pg.sh start DIR}" ;;
    stop) pg_stop "${2:?usage: pg.sh stop DIR}" ;;
    status) pg_status "${2:?usage: pg.sh status DIR}" ;;
    dir) pg_resolve_dir "${2:?usage: pg.sh dir DIR}" ;;
    -h | --help | help) sed -n '2,18s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" ;;
    *)
      sed -n '2,18s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
      exit 2
      ;;
  esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  _pg_main "$@"
fi
