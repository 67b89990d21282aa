#!/usr/bin/env bash
# fleet.sh -- a fleet of simulated AMS clients on one registry node and on two (bench/fleet: each client its own
# runtime certificate, trusted through the admin socket, and its own mTLS connection; signed listing polled every
# INTERVAL + up to 5 % jitter; after STEADY s a new BLOB_MIB version is published and DOWNLOADERS clients fetch it).
#   single  = one `aar serve` on the embedded stores (SQLite + blob files)
#   cluster = two `aar serve` nodes on PostgreSQL + Ceph radosgw behind HAProxy (as bench/scale-out.sh sets them up)
#   bench/fleet.sh                                  # both targets, ~10 min on 2 cores
#   TARGETS=single CLIENTS=200 INTERVAL=10 STEADY=10 bench/fleet.sh     # smoke run, ~1 min
# Env: WORK=/tmp/aar-bench-fleet TARGETS="single cluster" CLIENTS=1000 DOWNLOADERS=8 INTERVAL=60 STEADY=60
#      DEADLINE=240 BLOB_MIB=64 SEED_APPS=200 OUT= (a copy of the RESULT lines). The cluster needs postgresql-15,
#      radosgw ceph-mon ceph-osd and haproxy (bash .ci/run installs them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(dirname "$here")
. "$here/lib.sh"
WORK=${WORK:-/tmp/aar-bench-fleet}; TARGETS=${TARGETS:-single cluster}
export CLIENTS=${CLIENTS:-1000} DOWNLOADERS=${DOWNLOADERS:-8} INTERVAL=${INTERVAL:-60} STEADY=${STEADY:-60}
export DEADLINE=${DEADLINE:-240} BLOB_MIB=${BLOB_MIB:-64} SEED_APPS=${SEED_APPS:-200}
SINGLE_PORT=4300; A_PORT=4301; B_PORT=4302; LB_PORT=4310; PG_PORT=55443; S3_PORT=7491; MON_PORT=6796
export PG_DIR=$WORK/pg PG_PORT CEPH_DIR=$WORK/ceph CEPH_STORE=bluestore S3_PORT CEPH_MON_PORT=$MON_PORT
rm -rf "$WORK/single" "$WORK/a" "$WORK/b" "$WORK/sim"; mkdir -p "$WORK" && cd "$WORK"
ulimit -n 65536 2>/dev/null || true   # 1,000 TLS connections on each side

pids=(); cluster_up=0
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  if [ "$cluster_up" = 1 ]; then
    bash "$repo/scripts/ci/ceph-s3.sh" stop >/dev/null 2>&1 || true
    bash "$repo/scripts/ci/postgres.sh" stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

echo "building aar and bench/fleet (Release)"
dotnet publish "$repo/src/Aar.Cli" -c Release -o "$WORK/aar" -v quiet -nologo >/dev/null
dotnet publish "$here/fleet" -c Release -o "$WORK/fleet" -v quiet -nologo >/dev/null
log=$WORK/results.txt; : > "$log"
# simulate TARGET URL DATA_DIR SERVER_CERT "PIDS": one bounded run of the simulator, its RESULT lines tagged.
simulate() {
  local target=$1 load0; load0=$(cut -d' ' -f1 /proc/loadavg)
  FLEET_URL=$2 FLEET_DATA_DIR=$3 FLEET_SERVER_CERT=$4 FLEET_SERVER_PIDS=$5 FLEET_WORK=$WORK/sim/$target \
    timeout $(( INTERVAL + STEADY + DEADLINE + 300 )) dotnet "$WORK/fleet/fleet.dll" | tee "$WORK/$target.out" || echo "fleet ($target) did not finish cleanly"
  sed -n "s/^RESULT /RESULT target=$target /p" "$WORK/$target.out" | sed "s/\$/ load_before=$load0 load_after=$(cut -d' ' -f1 /proc/loadavg)/" >> "$log"
}

if [[ " $TARGETS " == *" single "* ]]; then
  dotnet "$WORK/aar/aar.dll" serve --data-dir single --listen "127.0.0.1:$SINGLE_PORT" --max-blob-size 16GiB > single.log 2>&1 & pids+=($!); SINGLE_PID=$!
  bench_wait_port "$SINGLE_PORT"
  simulate single "https://127.0.0.1:$SINGLE_PORT" "$WORK/single" "$WORK/single/certs/server.crt" "$SINGLE_PID"
  kill "$SINGLE_PID"; wait "$SINGLE_PID" 2>/dev/null || true
fi

if [[ " $TARGETS " == *" cluster "* ]]; then
  echo "starting PostgreSQL and radosgw (bluestore)"
  cluster_up=1
  admin=$(bash "$repo/scripts/ci/postgres.sh" start | tail -n 1)
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "DROP DATABASE IF EXISTS aar_fleet" -c "CREATE DATABASE aar_fleet" >/dev/null
  database="${admin/Database=postgres/Database=aar_fleet}"
  eval "$(bash "$repo/scripts/ci/ceph-s3.sh" start | tail -n 1)"
  export AAR_S3_ACCESS_KEY=$AAR_TEST_S3_ACCESS_KEY AAR_S3_SECRET_KEY=$AAR_TEST_S3_SECRET_KEY
  shared=(--database "$database" --blob-store s3 --s3-endpoint "$AAR_TEST_S3_ENDPOINT" --s3-bucket aar-fleet --s3-create-bucket)
  dotnet "$WORK/aar/aar.dll" serve --data-dir a --listen "127.0.0.1:$A_PORT" --max-blob-size 16GiB "${shared[@]}" > a.log 2>&1 & pids+=($!); A_PID=$!
  bench_wait_port "$A_PORT"
  # Both nodes answer as one registry: the same TLS identity and the same signing key (docs/scale-out.md).
  mkdir -p b/certs && cp a/certs/server.crt a/certs/server.key a/certs/signing.key b/certs/ && chmod 600 b/certs/server.key b/certs/signing.key
  dotnet "$WORK/aar/aar.dll" serve --data-dir b --listen "127.0.0.1:$B_PORT" --max-blob-size 16GiB "${shared[@]}" > b.log 2>&1 & pids+=($!); B_PID=$!
  cat > haproxy.cfg <<CFG
global
    maxconn 8000
defaults
    mode tcp
    maxconn 8000
    timeout connect 2s
    timeout client 10m
    timeout server 10m
frontend registry
    bind 127.0.0.1:$LB_PORT
    default_backend nodes
backend nodes
    balance roundrobin
    server a 127.0.0.1:$A_PORT check inter 1s
    server b 127.0.0.1:$B_PORT check inter 1s
CFG
  /usr/sbin/haproxy -db -f haproxy.cfg > haproxy.log 2>&1 & pids+=($!)
  for port in "$B_PORT" "$LB_PORT"; do bench_wait_port "$port"; done
  sleep 2   # HAProxy's first health checks
  simulate cluster "https://127.0.0.1:$LB_PORT" "$WORK/a" "$WORK/a/certs/server.crt" "$A_PID $B_PID"
fi

echo; echo "=== summary (commit $(git -C "$repo" rev-parse --short HEAD), $(date -u +%FT%TZ), $(nproc) cores)"
grep '^RESULT' "$log" | sed 's/^RESULT //'
[ -z "${OUT:-}" ] || cp "$log" "$OUT"
