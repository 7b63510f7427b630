# Sourced by the test and bench scripts: system packages and services the tests use.

apt_install() {
  # Installs Debian packages when a command is missing (CI machines start bare).
  local missing=()
  while [ $# -gt 0 ]; do
    command -v "$1" >/dev/null 2>&1 || missing+=("$2")
    shift 2
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" != 0 ]; then
    log "missing system packages: ${missing[*]} (install them with apt-get, then run again)"
    exit 1
  fi
  log "installing ${missing[*]} (apt-get)"
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

ensure_system_packages() {
  apt_install chromium chromium kubectl kubernetes-client git git
}

ensure_postgres() {
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-postgresql://postgres@127.0.0.1:5432}"
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    return
  fi
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >&2 || true
    for _ in $(seq 1 30); do
      pg_isready -q -h 127.0.0.1 -p 5432 && return
      sleep 1
    done
  fi
  log "PostgreSQL is not reachable on 127.0.0.1:5432 (user postgres, trust auth): the database tests need it"
  exit 1
}
