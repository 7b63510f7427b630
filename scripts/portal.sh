#!/usr/bin/env bash
# The portal's entry point behind `npm start` and `npm test`.
# Brings the pinned Node toolchain and the dependencies up to date, then runs the
# asked-for command. Safe to run again: each step does nothing when already done.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/lib/toolchain.sh

usage() {
  cat <<USAGE
usage: npm start | npm test | npm run start:prod | npm run bench
  start             install what is missing, build the frontend, start the portal on embedded defaults
  test              install what is missing, then type check, lint, unit, database and browser tests
  start-production  start the backend with NODE_ENV=production (PostgreSQL; see README)
  bench             run every benchmark in bench/
USAGE
}

cmd="${1:-}"
shift || true
case "$cmd" in
  start)
    ensure_node
    ensure_deps
    ensure_app_build
    exec bash scripts/lib/run-backend.sh development "$@"
    ;;
  start-production)
    ensure_node
    ensure_deps
    ensure_app_build
    exec bash scripts/lib/run-backend.sh production "$@"
    ;;
  test)
    ensure_node
    ensure_deps
    exec bash scripts/lib/test-all.sh "$@"
    ;;
  bench)
    ensure_node
    ensure_deps
    ensure_app_build
    exec bash scripts/lib/bench-all.sh "$@"
    ;;
  install)
    ensure_node
    ensure_deps
    ;;
  *)
    usage
    exit 2
    ;;
esac
