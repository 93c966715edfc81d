# shellcheck shell=bash
# Shared helpers for dev.sh and the scripts in scripts/. Source it; it defines functions only
# (plus HYDRA_ROOT), so sourcing twice is harmless.

HYDRA_ROOT="${HYDRA_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Nix settings every process of the farm shares: a local store (we run as root, no daemon), no
# substituters from the internet (the farm's own cache is passed explicitly where it is wanted),
# and no sandbox (Debian's nix-bin does not support it).
export_nix_env() {
  export NIX_REMOTE=local
  NIX_CONFIG=$'experimental-features = nix-command\nsubstituters =\nsandbox = false'
  # Debian's nix-bin creates the nixbld group; a hand-installed Nix might not have it.
  if ! getent group nixbld >/dev/null 2>&1; then
    NIX_CONFIG+=$'\nbuild-users-group ='
  fi
  export NIX_CONFIG
}

# Runs apt-get install for the given Debian packages, as root or through sudo.
apt_install() {
  local sudo=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: $*"
    sudo=(sudo)
  fi
  log "installing $* with apt-get"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Postgres server binaries: $PG_BIN, else the newest /usr/lib/postgresql/*/bin (15 preferred).
find_pg_bin() {
  if [[ -n "${PG_BIN:-}" && -x "$PG_BIN/pg_ctl" ]]; then
    printf '%s\n' "$PG_BIN"
    return 0
  fi
  local candidate
  for candidate in /usr/lib/postgresql/15/bin $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV); do
    if [[ -x "$candidate/pg_ctl" && -x "$candidate/initdb" ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

# Makes sure the tools the farm needs exist, installing missing ones from Debian's archive.
# The .NET SDK cannot come from Debian's archive, so its absence is an error with a pointer.
ensure_deps() {
  local missing=()
  command -v git >/dev/null 2>&1 || missing+=(git)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v zstd >/dev/null 2>&1 || missing+=(zstd) # the cache recompresses uploaded NARs with it
  command -v xz >/dev/null 2>&1 || missing+=(xz-utils) # channels serve store-paths.xz and nixexprs.tar.xz
  command -v nix-store >/dev/null 2>&1 || missing+=(nix-bin)
  find_pg_bin >/dev/null || missing+=(postgresql)
  if ((${#missing[@]} > 0)); then
    apt_install "${missing[@]}"
  fi
  command -v nix-store >/dev/null 2>&1 || die "nix-store still missing after installing nix-bin"
  find_pg_bin >/dev/null || die "PostgreSQL server binaries not found under /usr/lib/postgresql (set PG_BIN)"
  command -v dotnet >/dev/null 2>&1 ||
    die "the .NET 10 SDK is required: https://learn.microsoft.com/dotnet/core/install/linux-debian"
  export_nix_env
}

# The browser tests drive Debian's Chromium (Playwright never downloads a browser here):
# installs it when missing and exports HYDRA_CHROMIUM for the tests.
ensure_chromium() {
  local chromium="${HYDRA_CHROMIUM:-/usr/bin/chromium}"
  if [[ ! -x "$chromium" ]]; then
    apt_install chromium
  fi
  [[ -x "$chromium" ]] || die "$chromium still missing after installing chromium (set HYDRA_CHROMIUM)"
  export HYDRA_CHROMIUM="$chromium"
}

# Prints a TCP port that is free on 127.0.0.1: $1 if given and free, else one the kernel picks.
free_port() {
  local preferred="${1:-}"
  if [[ -n "$preferred" ]] && ! port_in_use "$preferred"; then
    printf '%s\n' "$preferred"
    return 0
  fi
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return 0
  fi
  local port
  for ((port = 20000 + RANDOM % 20000; port < 65000; port++)); do
    if ! port_in_use "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  die "no free TCP port found"
}

# True when something accepts connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Escapes a string for use inside a JSON string literal.
json_escape() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '%s' "$s"
}

# True when pid $1 is alive and its command line contains $2 (guards against reused pids).
pid_matches() {
  local pid="$1" pattern="$2"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# Stops the process recorded in pid file $1 (if its command line still contains $2):
# SIGTERM, up to 30 s for a graceful exit, then SIGKILL. Removes the pid file.
stop_pidfile() {
  local file="$1" pattern="$2" name pid i
  name="$(basename "$file" .pid)"
  [[ -f "$file" ]] || return 0
  pid="$(cat "$file")"
  if pid_matches "$pid" "$pattern"; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
      pid_matches "$pid" "$pattern" || break
      sleep 0.1
    done
    if pid_matches "$pid" "$pattern"; then
      warn "$name did not stop in 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$file"
}
