#!/usr/bin/env bash
# scale-out.sh -- the scale-out benchmark (single node against a two-node cluster), one run on one machine, one random file:
#   single  = one `aar serve` on the embedded stores (SQLite + blob files), the default
#   cluster = two `aar serve` nodes on PostgreSQL + Ceph radosgw (bluestore: real disk IO) behind HAProxy (TCP
#             pass-through, round robin), the scale-out topology of docs/scale-out.md
# Tests per target, each one warm-up then RUNS timed runs (medians): chunked upload session (curl, 64 MiB chunks,
# bench/aar_push.sh), download (curl, bench/http_get.sh), and POLLERS concurrent pollers with nothing new (304, each its
# own mTLS connection, bench/pollers) for POLL_SECONDS. CPU seconds per GB: the aar nodes, and (cluster) the storage
# daemons (radosgw + ceph-osd) on top. Results: $WORK/results.txt and docs/benchmarks.md.
#   bench/scale-out.sh                               # ~5 min on 2 cores, needs ~14 GB free in $WORK
#   RUNS=1 SIZE_MIB=256 POLL_SECONDS=5 bench/scale-out.sh
#   TESTS="upload" STEPS=1 bench/scale-out.sh       # only some tests; STEPS=1 logs each upload's request times
#   S3_PART_MIB=32 bench/scale-out.sh                # the nodes' --s3-part-size (default: aar's own)
#   NAME_DIGEST=0 TESTS=upload bench/scale-out.sh    # sessions started without the digest: S3 stages under uploads/ and copies at the end
# Every test's full output (per-run lines, upload step times) goes to $WORK/<target>-<test>.log.
# Needs (installs nothing): postgresql-15, radosgw ceph-mon ceph-osd, haproxy (bash .ci/run installs them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(dirname "$here")
. "$here/lib.sh"
WORK=${WORK:-/tmp/aar-bench-scale}; RUNS=${RUNS:-3}; SIZE_MIB=${SIZE_MIB:-1024}
POLLERS=${POLLERS:-50}; POLL_SECONDS=${POLL_SECONDS:-10}; TESTS=${TESTS:-upload download pollers}
wants() { [[ " $TESTS " == *" $1 "* ]]; }
SINGLE_PORT=4200; A_PORT=4201; B_PORT=4202; LB_PORT=4210; PG_PORT=55442; S3_PORT=7490; MON_PORT=6795
export PG_DIR=$WORK/pg PG_PORT CEPH_DIR=$WORK/ceph CEPH_STORE=bluestore S3_PORT CEPH_MON_PORT=$MON_PORT
mkdir -p "$WORK/files" && cd "$WORK"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  bash "$repo/scripts/ci/ceph-s3.sh" stop >/dev/null 2>&1 || true
  bash "$repo/scripts/ci/postgres.sh" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "building aar and bench/pollers (Release)"
dotnet publish "$repo/src/Aar.Cli" -c Release -o "$WORK/aar" -v quiet -nologo >/dev/null
dotnet publish "$here/pollers" -c Release -o "$WORK/pollers" -v quiet -nologo >/dev/null
aar() { dotnet "$WORK/aar/aar.dll" "$@"; }
bench_make_certs "$WORK/certs"

echo "starting PostgreSQL and radosgw (bluestore)"
admin=$(bash "$repo/scripts/ci/postgres.sh" start | tail -n 1)
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "DROP DATABASE IF EXISTS aar_bench" -c "CREATE DATABASE aar_bench" >/dev/null
database="${admin/Database=postgres/Database=aar_bench}"
eval "$(bash "$repo/scripts/ci/ceph-s3.sh" start | tail -n 1)"
export AAR_S3_ACCESS_KEY=$AAR_TEST_S3_ACCESS_KEY AAR_S3_SECRET_KEY=$AAR_TEST_S3_SECRET_KEY
endpoint=$AAR_TEST_S3_ENDPOINT; bucket=aar-bench
storage_pids="$(cat "$CEPH_DIR/run/client.rgw.a.pid") $(cat "$CEPH_DIR/run/osd.0.pid")"

rm -rf single a b
shared=(--database "$database" --blob-store s3 --s3-endpoint "$endpoint" --s3-bucket "$bucket" --s3-create-bucket)
[ -z "${S3_PART_MIB:-}" ] || shared+=(--s3-part-size "${S3_PART_MIB}MiB")
dotnet "$WORK/aar/aar.dll" serve --data-dir single --listen "127.0.0.1:$SINGLE_PORT" --max-blob-size 16GiB > single.log 2>&1 & pids+=($!); SINGLE_PID=$!
dotnet "$WORK/aar/aar.dll" serve --data-dir a --listen "127.0.0.1:$A_PORT" --max-blob-size 16GiB "${shared[@]}" > a.log 2>&1 & pids+=($!); A_PID=$!
bench_wait_port "$A_PORT"
mkdir -p b/certs && cp a/certs/server.crt a/certs/server.key b/certs/ && chmod 600 b/certs/server.key
dotnet "$WORK/aar/aar.dll" serve --data-dir b --listen "127.0.0.1:$B_PORT" --max-blob-size 16GiB "${shared[@]}" > b.log 2>&1 & pids+=($!); B_PID=$!
cat > haproxy.cfg <<CFG
defaults
    mode tcp
    timeout connect 2s
    timeout client 10m
    timeout server 10m
    retries 3
    option redispatch
frontend registry
    bind 127.0.0.1:$LB_PORT
    default_backend nodes
backend nodes
    balance roundrobin
    server a 127.0.0.1:$A_PORT check inter 1s
    server b 127.0.0.1:$B_PORT check inter 1s
CFG
/usr/sbin/haproxy -db -f haproxy.cfg > haproxy.log 2>&1 & pids+=($!)
for port in "$SINGLE_PORT" "$B_PORT" "$LB_PORT"; do bench_wait_port "$port"; done
aar trust add -p --data-dir single "$WORK/certs/client.crt" >/dev/null
aar trust add -p --data-dir a "$WORK/certs/client.crt" >/dev/null   # one trust store for both nodes

"$here/mkfile.sh" files/big.bin "$SIZE_MIB"
digest=$(cat files/big.bin.sha256); hex=${digest#sha256:}
S=https://127.0.0.1:$SINGLE_PORT; L=https://127.0.0.1:$LB_PORT
export CERT=$WORK/certs/client.crt KEY=$WORK/certs/client.key
s3_delete='curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AAR_S3_ACCESS_KEY:$AAR_S3_SECRET_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X DELETE "'"$endpoint/$bucket"'/blobs/sha256/$1"'
fingerprint() { openssl x509 -in "$1" -outform der | sha256sum | cut -d' ' -f1; }
echo "single pid $SINGLE_PID :$SINGLE_PORT; nodes $A_PID :$A_PORT, $B_PID :$B_PORT; haproxy :$LB_PORT; PostgreSQL :$PG_PORT; radosgw :$S3_PORT (bluestore)"

log=$WORK/results.txt; : > "$log"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)   # the machine is shared: the load says how much to trust the figures
result() { echo "RESULT $*" | tee -a "$log"; }
# timed TARGET TEST CA PIDS -- CMD...: one warm-up, then the timed runs; adds the storage daemons' CPU per GB (cluster).
timed() {
  local target=$1 test=$2 ca=$3 server_pids=$4; shift 5
  CACERT=$ca SERVER_PIDS=$server_pids RUNS=1 "$@" 1 >/dev/null 2>&1 || true
  local s0; s0=$(bench_cpu_s $storage_pids)
  local line; line=$(CACERT=$ca SERVER_PIDS=$server_pids "$@" "$RUNS" | tee "$WORK/$target-$test.log" | tail -n 1)
  local storage; storage=$(awk -v a="$s0" -v b="$(bench_cpu_s $storage_pids)" -v g="$(( SIZE_MIB * 1048576 * RUNS ))" 'BEGIN{printf "%.2f", (b-a)/(g/1e9)}')
  [ "$target" = cluster ] || storage=0
  result "target=$target test=$test ${line#RESULT } storage_cpu_s_per_GB=$storage"
}
push() { local base=$1 data=$2 runs=$3; "$here/aar_push.sh" "$base" files/big.bin "$runs" chunked "$data"; }
get() { local url=$1 runs=$2; "$here/http_get.sh" "$url" "$runs" get; }
if wants upload || wants download; then
  timed single upload "$WORK/single/certs/server.crt" "$SINGLE_PID" -- push "$S" "$WORK/single"
  BLOB_DELETE=$s3_delete timed cluster upload "$WORK/a/certs/server.crt" "$A_PID $B_PID" -- push "$L" "$WORK/a"
fi
if wants download; then
  timed single download "$WORK/single/certs/server.crt" "$SINGLE_PID" -- get "$S/1.0/blobs/$digest"
  timed cluster download "$WORK/a/certs/server.crt" "$A_PID $B_PID" -- get "$L/1.0/blobs/$digest"
fi

poll() {
  local target=$1 url=$2 ca=$3 server_pids=$4
  local c0; c0=$(bench_cpu_s $server_pids)
  local line; line=$("$WORK/pollers/pollers" "$url" "$CERT" "$KEY" "$(fingerprint "$ca")" "$POLLERS" "$POLL_SECONDS" | tail -n 1)
  local requests; requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$line")
  local cpu; cpu=$(awk -v a="$c0" -v b="$(bench_cpu_s $server_pids)" -v n="$requests" 'BEGIN{printf "%.1f", (b-a)/n*1e6}')
  result "target=$target ${line#RESULT } server_cpu_us_per_request=$cpu"
}
if wants pollers; then
  poll single "$S" "$WORK/single/certs/server.crt" "$SINGLE_PID"
  poll cluster "$L" "$WORK/a/certs/server.crt" "$A_PID $B_PID"
fi

for p in "$SINGLE_PID" "$A_PID" "$B_PID"; do result "test=rss pid=$p peak_MB=$(bench_rss_mb "$p" VmHWM)"; done
echo; echo "=== summary (MB/s = 10^6 B/s, medians of $RUNS after a warm-up; commit $(git -C "$repo" rev-parse --short HEAD), $(date -u +%FT%TZ); load average at start $load_start, at end $(cut -d' ' -f1-3 /proc/loadavg))"
grep '^RESULT' "$log" | sed 's/^RESULT //'
