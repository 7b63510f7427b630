#!/usr/bin/env bash
# Every benchmark in bench/, one after the other; each prints its figures and targets.
#   npm run bench              all of them
#   npm run bench -- startup   only bench/startup (or doubles)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source scripts/lib/toolchain.sh

only="${1:-}"
status=0
for script in bench/startup/run.mjs bench/doubles/*.mjs bench/clusters/*.mjs bench/services/*.mjs bench/trigger/run.mjs bench/tenancy/run.mjs bench/replicas/run.mjs; do
  [ -f "$script" ] || continue
  case "$script" in bench/"$only"*) ;; *) [ -n "$only" ] && continue ;; esac
  log "== $script"
  node "$script" || status=1
done
exit $status
