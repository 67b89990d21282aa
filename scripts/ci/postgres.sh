#!/usr/bin/env bash
# A throw-away PostgreSQL 15 for tests: initdb into a directory under /tmp, listen on 127.0.0.1 only, trust auth,
# fsync off (test data is disposable). Idempotent: `start` on a running server only prints its connection string.
# Runs the server as user postgres when invoked as root (PostgreSQL refuses to run as root).
#   scripts/ci/postgres.sh start   prints the admin connection string (for AAR_TEST_DATABASE) on stdout
#   scripts/ci/postgres.sh stop    stops the server and removes its directory
# Env: PG_DIR (default /tmp/aar-postgres), PG_PORT (default 55432), PG_BIN (default /usr/lib/postgresql/15/bin).
set -euo pipefail
dir=${PG_DIR:-/tmp/aar-postgres}
port=${PG_PORT:-55432}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -s /bin/bash -c "$1"
  else
    bash -c "$1"
  fi
}

start() {
  if [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL binaries not found in $bin; install postgresql-15 (apt-get install -y postgresql-15) or set PG_BIN." >&2
    exit 1
  fi
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "'$bin/initdb' -D '$dir/data' -U postgres --auth=trust -E UTF8 --no-sync" >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  if ! as_owner "'$bin/pg_ctl' -D '$dir/data' status" >/dev/null 2>&1; then
    # max_connections: each test server keeps a pool plus one LISTEN connection, and tests run in parallel.
    as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/pg.log' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" -w start" >/dev/null \
      || { tail -n 20 "$dir/pg.log" >&2; exit 1; }
  fi
  echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}

stop() {
  if [ -f "$dir/data/PG_VERSION" ]; then
    as_owner "'$bin/pg_ctl' -D '$dir/data' -m fast stop" >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 1 ;;
esac
