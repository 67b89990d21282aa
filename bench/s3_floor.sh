#!/usr/bin/env bash
# s3_floor.sh -- what the object store alone takes, with no registry in front: the same Ceph radosgw (bluestore) that
# scale-out.sh starts, a 1 GiB file stored with curl (SigV4, unsigned payload) as one PUT and as multipart uploads of
# PART_MIB parts sent one after the other, as a node sends them. MB/s and the store's CPU s (radosgw + ceph-osd) per GB.
# Env: WORK=/tmp/aar-bench-s3floor  SIZE_MIB=1024  RUNS=2  PART_MIB="8 32 64"  S3_PORT=7490 MON_PORT=6795
#      SIGNED=1 signs each part's payload (its SHA-256 in x-amz-content-sha256, as the registry's SDK does over HTTP);
#      DELETE_PREVIOUS=1 deletes the previous run's object just before each measured run (as bench/scale-out.sh does
#      with the registry's blob), so the store's garbage collection of it falls in the measured window.
# Needs (installs nothing): radosgw ceph-mon ceph-osd, curl 7.75+ (bash .ci/run installs the Ceph packages).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/.." && pwd)
WORK=${WORK:-/tmp/aar-bench-s3floor}; SIZE_MIB=${SIZE_MIB:-1024}; RUNS=${RUNS:-2}; PART_MIB=${PART_MIB:-8 32 64}
IN_FLIGHT=${IN_FLIGHT:-3}; SIGNED=${SIGNED:-0}; DELETE_PREVIOUS=${DELETE_PREVIOUS:-0}
export CEPH_DIR=$WORK/ceph CEPH_STORE=bluestore S3_PORT=${S3_PORT:-7490} CEPH_MON_PORT=${MON_PORT:-6795}
. "$here/lib.sh"
rm -rf "$WORK/parts"; mkdir -p "$WORK/files" "$WORK/parts"; cd "$WORK"
[ -f files/big.bin ] && [ "$(stat -c %s files/big.bin)" = $((SIZE_MIB * 1048576)) ] || "$here/mkfile.sh" files/big.bin "$SIZE_MIB"
trap 'bash "$repo/scripts/ci/ceph-s3.sh" stop >/dev/null 2>&1 || true' EXIT
eval "$(bash "$repo/scripts/ci/ceph-s3.sh" start | tail -n 1)"
storage_pids="$(cat "$CEPH_DIR/run/client.rgw.a.pid") $(cat "$CEPH_DIR/run/osd.0.pid")"
s3() { curl -sSf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AAR_TEST_S3_ACCESS_KEY:$AAR_TEST_S3_SECRET_KEY" -H "x-amz-content-sha256: ${PAYLOAD:-UNSIGNED-PAYLOAD}" "$@"; }
# signed FILE: the x-amz-content-sha256 value for FILE's body (its SHA-256 when SIGNED=1).
signed() { if [ "$SIGNED" = 1 ]; then sha256sum "$1" | cut -d' ' -f1; else echo UNSIGNED-PAYLOAD; fi; }
bucket=$AAR_TEST_S3_ENDPOINT/floorbench
s3 -X PUT "$bucket" -o /dev/null
gb=$(awk -v m="$SIZE_MIB" 'BEGIN{print m * 1048576 / 1e9}')
# measure LABEL -- CMD...: runs CMD, prints MB/s and the store's CPU s/GB for SIZE_MIB.
measure() {
  local label=$1; shift 2
  if [ "$DELETE_PREVIOUS" = 1 ] && [ -n "${previous:-}" ]; then s3 -X DELETE "$bucket/$previous" -o /dev/null; fi
  previous=$last_key
  local c0 t0 t1; c0=$(bench_cpu_s $storage_pids); t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  awk -v l="$label" -v g="$gb" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$(bench_cpu_s $storage_pids)" \
    'BEGIN{printf "RESULT test=%s MBps=%.1f storage_cpu_s_per_GB=%.2f\n", l, g * 1000 / (t1 - t0), (c1 - c0) / g}'
}
# multipart KEY PARALLEL: the parts in parts/ as one multipart upload, PARALLEL part requests at a time.
part() { PAYLOAD=$(signed "parts/$1") s3 -T "parts/$1" "$bucket/$2?partNumber=$3&uploadId=$4" -D - -o /dev/null | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: *//p' > "parts/$1.etag"; }
multipart() {
  local key=$1 parallel=$2 id n=0 xml="<CompleteMultipartUpload>" p
  id=$(s3 -X POST "$bucket/$key?uploads=" | sed -n 's/.*<UploadId>\(.*\)<\/UploadId>.*/\1/p')
  for p in $(cd parts && ls | grep -v etag); do n=$((n + 1)); echo "$p $n"; done \
    | xargs -P "$parallel" -L 1 bash -c 'part "$2" "$0" "$3" "$1"' "$key" "$id" 2>/dev/null \
    || { echo "a part failed" >&2; return 1; }
  n=0
  for p in $(cd parts && ls | grep -v etag); do n=$((n + 1)); xml="$xml<Part><PartNumber>$n</PartNumber><ETag>$(cat "parts/$p.etag")</ETag></Part>"; done
  s3 -X POST --data-binary "$xml</CompleteMultipartUpload>" "$bucket/$key?uploadId=$id" -o /dev/null
  rm -f parts/*.etag
}
export -f s3 part signed; export bucket SIGNED AAR_TEST_S3_ACCESS_KEY AAR_TEST_S3_SECRET_KEY
whole_payload=$(signed files/big.bin)
for r in $(seq 1 "$RUNS"); do last_key=put-$r; measure put -- env PAYLOAD="$whole_payload" bash -c 's3 -T files/big.bin "$bucket/$0" -o /dev/null' "$last_key"; done
for mib in $PART_MIB; do
  rm -f parts/p*; split -b "${mib}M" files/big.bin parts/p
  for r in $(seq 1 "$RUNS"); do last_key=mp-$mib-$r; measure "multipart-${mib}MiB" -- multipart "$last_key" 1; done
  for r in $(seq 1 "$RUNS"); do last_key=mpp-$mib-$r; measure "multipart-${mib}MiB-${IN_FLIGHT}-in-flight" -- multipart "$last_key" "$IN_FLIGHT"; done
done
