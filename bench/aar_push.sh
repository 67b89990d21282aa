#!/usr/bin/env bash
# aar_push.sh BASE_URL FILE RUNS MODE DATA_DIR  -- upload FILE to an aar registry, timed end to end; MB/s median.
#   MODE=mono:    PUT BASE/1.0/blobs/<digest> with the file as body (curl -T, streamed)          -> 201
#   MODE=chunked: POST BASE/1.0/uploads?digest= (as the AMS does; NAME_DIGEST=0 leaves the digest out, so an
#                 S3 registry stages under uploads/ and copies at completion), then PATCH 64 MiB chunks with
#                 Content-Range (CHUNK_MIB), then PUT <location>?digest=&size=                  -> 201
# The blob file is removed from DATA_DIR before each run so every run stores (hashes, fsyncs, renames) it anew; with
# BLOB_DELETE set (a shell command given the blob's hex digest as $1, e.g. an S3 DELETE), that command removes it instead.
# Same TLS env as http_get.sh (CACERT, CERT, KEY, CURL_HTTP, CURL_EXTRA) and SERVER_PIDS. STEPS=1 (chunked) also prints
# each run's request times: the start, the slowest and median chunk, and the completion (which moves the blob into place).
set -euo pipefail
[ $# -ge 5 ] || { echo "usage: $0 BASE_URL FILE RUNS mono|chunked DATA_DIR" >&2; exit 2; }
base=${1%/}; f=$2; runs=$3; mode=$4; data=$5; chunk_mib=${CHUNK_MIB:-64}
tls=(); if [ -n "${CACERT:-}" ]; then tls+=(--cacert "$CACERT"); else tls+=(-k); fi
[ -n "${CERT:-}" ] && tls+=(--cert "$CERT" --key "${KEY:?KEY needed with CERT}")
c() { curl -sS ${CURL_HTTP:---http1.1} "${tls[@]}" ${CURL_EXTRA:-} "$@"; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
[ -f "$f.sha256" ] || echo "sha256:$(sha256sum "$f" | cut -d' ' -f1)" > "$f.sha256"
digest=$(cat "$f.sha256"); hex=${digest#sha256:}; bytes=$(stat -c %s "$f")
blob="$data/blobs/sha256/${hex:0:2}/$hex"
if [ "$mode" = chunked ]; then
  parts="$f.parts-$chunk_mib"
  [ -d "$parts" ] || { mkdir -p "$parts.tmp" && split -b "${chunk_mib}M" -d -a 4 "$f" "$parts.tmp/part-" && mv "$parts.tmp" "$parts"; }
fi
rates=(); c0=$(bench_server_cpu_s)
for i in $(seq 1 "$runs"); do
  if [ -n "${BLOB_DELETE:-}" ]; then bash -c "$BLOB_DELETE" _ "$hex"; else rm -f "$blob"; fi
  t0=$(date +%s.%N)
  if [ "$mode" = mono ]; then
    code=$(c -o /dev/null -w '%{http_code}' -X PUT -H 'Expect:' -H 'Content-Type: application/octet-stream' -T "$f" "$base/1.0/blobs/$digest")
  else
    start="$base/1.0/uploads"; [ "${NAME_DIGEST:-1}" = 0 ] || start+="?digest=$digest"
    loc=$(c -o /dev/null -D - -X POST -H 'Content-Length: 0' "$start" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
    ts=$(date +%s.%N); steps=()
    [ -n "$loc" ] || { echo "no Location from POST /1.0/uploads" >&2; exit 1; }
    off=0
    for part in "$parts"/part-*; do
      len=$(stat -c %s "$part")
      pc=$(c -o /dev/null -w '%{http_code}' -X PATCH -H 'Expect:' -H 'Content-Type: application/octet-stream' \
           -H "Content-Range: bytes $off-$((off + len - 1))/*" -T "$part" "$base$loc")
      [ "$pc" = 202 ] || { echo "PATCH at $off returned $pc" >&2; exit 1; }
      off=$((off + len)); steps+=("$(date +%s.%N)")
    done
    code=$(c -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Length: 0' "$base$loc?digest=$digest&size=$bytes")
    if [ -n "${STEPS:-}" ]; then
      te=$(date +%s.%N)
      chunks=$(printf '%s\n' "$ts" "${steps[@]}" | awk 'NR>1{printf "%.3f\n", $1-p} {p=$1}' | sort -n)
      n=$(wc -l <<<"$chunks")
      echo "steps: start $(awk -v a="$t0" -v b="$ts" 'BEGIN{printf "%.3f", b-a}') s, $n chunks: median $(sed -n "$(( (n + 1) / 2 ))p" <<<"$chunks") s, max $(tail -n 1 <<<"$chunks") s; completion $(awk -v a="${steps[-1]}" -v b="$te" 'BEGIN{printf "%.3f", b-a}') s"
    fi
  fi
  t1=$(date +%s.%N)
  [ "$code" = 201 ] || { echo "upload returned $code" >&2; exit 1; }
  s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f", b-a}'); r=$(awk -v b="$bytes" -v s="$s" 'BEGIN{printf "%.1f", b/s/1e6}'); rates+=("$r")
  echo "aar-push-$mode run $i: $bytes B in ${s:0:6} s  $r MB/s"
done
[ -n "${BLOB_DELETE:-}" ] || [ "$(stat -c %s "$blob")" = "$bytes" ] || { echo "stored blob has the wrong size" >&2; exit 1; }
cpuinfo=$(bench_server_cpu_per_gb "$c0" "$((bytes * runs))")
echo "RESULT test=aar-push-$mode bytes=$bytes runs=$runs median_MBps=$(printf '%s\n' "${rates[@]}" | bench_median) base=$base$cpuinfo"
