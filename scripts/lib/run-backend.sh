#!/usr/bin/env bash
# Runs the backend (which also serves the built frontend) as one plain Node process.
#   run-backend.sh development [--config extra.yaml ...]
#   run-backend.sh production  [--config extra.yaml ...]
# The TypeScript sources are compiled on load by the same SWC require hook that
# `backstage-cli package start` uses, without its file watcher. This is also the
# production answer under npm: Backstage's bundling of the backend calls
# `yarn pack`, and workspace packages point `main` at their TypeScript sources.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mode="$1"
shift

configs=(--config "$ROOT/app-config.yaml")
case "$mode" in
  development)
    export NODE_ENV=development
    [ -f "$ROOT/app-config.local.yaml" ] && configs+=(--config "$ROOT/app-config.local.yaml")
    mkdir -p "$ROOT/data/sqlite" "$ROOT/data/scaffolder"
    # The secret store encrypts with a key from config; in development each
    # checkout makes its own on first start and keeps it beside its data.
    keyfile="$ROOT/data/secrets-key.yaml"
    if [ ! -f "$keyfile" ]; then
      (umask 077 && node -e '
        const key = require("node:crypto").randomBytes(32).toString("base64");
        process.stdout.write(`pipelinePortal:\n  clusters:\n    secrets:\n      database:\n        keys:\n          - id: local\n            secret: ${key}\n`);
      ' > "$keyfile")
    fi
    configs+=(--config "$keyfile")
    ;;
  production)
    export NODE_ENV=production
    configs+=(--config "$ROOT/app-config.production.yaml")
    ;;
  *)
    echo "usage: run-backend.sh development|production [--config file ...]" >&2
    exit 2
    ;;
esac

cd "$ROOT/packages/backend"
exec node --enable-source-maps \
  --require "$(node -p 'require.resolve("@backstage/cli-node/config/nodeTransform.cjs")')" \
  src/index.ts "${configs[@]}" "$@"
