#!/usr/bin/env bash
# Builds examples/ with plain Nix (no Hydra involved): every job must build except `broken` and
# `uses-broken`, which must fail. Useful after editing examples/default.nix.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
command -v nix-build >/dev/null 2>&1 || apt_install nix-bin
export_nix_env

expr="$HYDRA_ROOT/examples/default.nix"
status=0
for job in hello greeting library app docs; do
  if out="$(nix-build "$expr" -A "$job" --no-out-link 2>/dev/null)"; then
    echo "ok      $job -> $out"
  else
    echo "FAILED  $job (expected to build)"
    status=1
  fi
done
for job in broken uses-broken; do
  if nix-build "$expr" -A "$job" --no-out-link >/dev/null 2>&1; then
    echo "BUILT   $job (expected to fail)"
    status=1
  else
    echo "ok      $job failed as expected"
  fi
done
exit "$status"
