#!/usr/bin/env bash
# Every test of the project, in the order that fails fastest: type check, lint,
# formatting, unit and database tests (SQLite and PostgreSQL), then the browser
# and start-up tests against the portal started as a user starts it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source scripts/lib/toolchain.sh
source scripts/lib/system.sh

export CI=true
ensure_system_packages
ensure_postgres

failed=()
step() {
  local name="$1"
  shift
  local start=$SECONDS
  log "== $name"
  if "$@"; then
    log "== $name: passed in $((SECONDS - start)) s"
  else
    log "== $name: FAILED after $((SECONDS - start)) s"
    failed+=("$name")
  fi
}

step "type check (tsc)" npx tsc --noEmit
step "lint (eslint)" npx backstage-cli repo lint
step "formatting (prettier)" npx prettier --check --loglevel warn .
# Without --experimental-vm-modules, Jest's SWC transform turns the ESM-only
# libraries (@kubernetes/client-node, @octokit/rest) into CommonJS; tests
# therefore import plugins statically, never with import().
step "unit and database tests (jest)" npx backstage-cli repo test --passWithNoTests=false
step "frontend build" ensure_app_build
step "browser and start-up tests (chromium)" node --test --test-concurrency=1 e2e/*.test.mjs

if [ ${#failed[@]} -gt 0 ]; then
  log "failed: ${failed[*]}"
  exit 1
fi
log "all tests passed"
