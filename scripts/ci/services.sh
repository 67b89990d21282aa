#!/usr/bin/env bash
# services.sh available|start|stop -- the shared services of a scale-out registry, for the tests: PostgreSQL
# (scripts/ci/postgres.sh) and an S3 store on Ceph radosgw (scripts/ci/ceph-s3.sh), plus HAProxy for the two-node tests
# (started by the tests themselves).
#   available  exit 0 when every program is installed (apt: postgresql radosgw ceph-mon ceph-osd haproxy)
#   start      start both services; print the test environment as shell `export` lines (eval them)
#   stop       stop both
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-}" in
  available)
    [ -f postgres.sh ] && [ -f ceph-s3.sh ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v radosgw >/dev/null && command -v ceph-mon >/dev/null \
      && command -v ceph-osd >/dev/null && { command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; } ;;
  start)
    database=$(bash postgres.sh start | tail -n 1)
    s3=$(bash ceph-s3.sh start | tail -n 1)
    echo "export AAR_TEST_DATABASE='$database'"
    echo "$s3" ;;
  stop)
    bash ceph-s3.sh stop || true
    bash postgres.sh stop || true ;;
  *) echo "usage: $0 available|start|stop" >&2; exit 2 ;;
esac
