#!/usr/bin/env bash
# run.sh -- the storage and transfer benchmark (protocol in docs/benchmarks.md), everything in one run on 127.0.0.1 with TLS and client
# certificates: our registry (aar, Release build) against Debian's docker-registry (upload, download) and nginx
# (download ceiling), on the same 1 GiB random file. Prints one RESULT line per test and a summary.
# Needs: dotnet SDK, curl, openssl, coreutils; installs docker-registry and nginx with apt-get if missing.
# Env: WORK=/tmp/aar-bench  RUNS=5 (after 1 warm-up)  SIZE_MIB=1024  SMALL_MIB=64  CONC=16  ROUNDS=3
#      BIG_MIB=4096 (the RSS test's blob; 0 skips it)  CURL_HTTP=--http1.1  AAR_PORT/REG_PORT/NGX_PORT
#      DOWNLOADS_ONLY=1: store the files once, untimed, and measure only the downloads (single, Range, concurrent)
#      INTERLEAVE=1: the download tests alternate servers run by run (order reversed every other round) and the summary
#      gives per-test medians over the RUNS rounds; for a machine whose load changes while the benchmark runs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/.." && pwd)
WORK=${WORK:-/tmp/aar-bench}; RUNS=${RUNS:-5}; SIZE_MIB=${SIZE_MIB:-1024}; SMALL_MIB=${SMALL_MIB:-64}
CONC=${CONC:-16}; ROUNDS=${ROUNDS:-3}; BIG_MIB=${BIG_MIB:-4096}
AAR_PORT=${AAR_PORT:-39443}; REG_PORT=${REG_PORT:-35443}; NGX_PORT=${NGX_PORT:-38443}
. "$here/lib.sh"
bench_install_peers docker-registry nginx
rm -rf "$WORK/registry" "$WORK/aar-data"
mkdir -p "$WORK"/{certs,registry,www,nginx-tmp,files}
cd "$WORK"

bench_make_certs "$WORK/certs"   # CA, server cert for the peers, one client leaf for all three servers
export CERT=$WORK/certs/client.crt KEY=$WORK/certs/client.key

bench_registry_yml "$WORK" "$REG_PORT" > registry.yml
cat > nginx.conf <<NGX
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  client_body_temp_path $WORK/nginx-tmp/body; proxy_temp_path $WORK/nginx-tmp/proxy;
  fastcgi_temp_path $WORK/nginx-tmp/fcgi; uwsgi_temp_path $WORK/nginx-tmp/uwsgi; scgi_temp_path $WORK/nginx-tmp/scgi;
  types { application/octet-stream bin; }
  server {
    listen 127.0.0.1:$NGX_PORT ssl;
    ssl_certificate $WORK/certs/server.crt; ssl_certificate_key $WORK/certs/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client on; ssl_client_certificate $WORK/certs/ca.crt;
    root $WORK/www;
  }
}
NGX

echo "building aar (Release)"
dotnet publish "$repo/src/Aar.Cli" -c Release -o "$WORK/aar" -v quiet -nologo >/dev/null
aar() { dotnet "$WORK/aar/aar.dll" "$@"; }
# (aar serve is started without the function below, so that $! is the server process itself.)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
docker-registry serve registry.yml > registry.log 2>&1 & pids+=($!)
nginx -c "$WORK/nginx.conf" -p "$WORK" > nginx.out 2>&1 & pids+=($!)
dotnet "$WORK/aar/aar.dll" serve --data-dir "$WORK/aar-data" --listen "127.0.0.1:$AAR_PORT" --max-blob-size 16GiB --log-format text > aar.log 2>&1 & pids+=($!)
for port in "$REG_PORT" "$NGX_PORT" "$AAR_PORT"; do bench_wait_port "$port"; done
aar trust add -p --data-dir "$WORK/aar-data" "$CERT"
REG_PID=${pids[0]}; AAR_PID=${pids[2]}; NGX_PIDS="${pids[1]} $(pgrep -P "${pids[1]}" | tr '\n' ' ')"
AAR_CA=$WORK/aar-data/certs/server.crt; PEER_CA=$WORK/certs/server.crt
echo "docker-registry $(dpkg-query -W -f='${Version}' docker-registry) pid $REG_PID :$REG_PORT; nginx $(dpkg-query -W -f='${Version}' nginx) :$NGX_PORT; aar pid $AAR_PID :$AAR_PORT; curl ${CURL_HTTP:---http1.1}"

"$here/mkfile.sh" files/big.bin "$SIZE_MIB"
"$here/mkfile.sh" files/small.bin "$SMALL_MIB"
ln -f files/big.bin www/big.bin; ln -f files/small.bin www/small.bin
big=$(cat files/big.bin.sha256); small=$(cat files/small.bin.sha256); half=$(( SIZE_MIB * 1024 * 1024 / 2 ))
A=https://127.0.0.1:$AAR_PORT; R=https://127.0.0.1:$REG_PORT; N=https://127.0.0.1:$NGX_PORT

log=$WORK/results.txt; : > "$log"
# Each test: one warm-up run (discarded), then RUNS timed runs.
run() { local ca=$1 pids=$2; shift 2; CACERT=$ca SERVER_PIDS=$pids RUNS=1 "$@" >/dev/null 2>&1 || true; CACERT=$ca SERVER_PIDS=$pids "$@" | tee -a "$log"; }
if [ "${DOWNLOADS_ONLY:-0}" = 1 ]; then
  CACERT=$PEER_CA DELETE_BETWEEN=0 "$here/blob_push.sh" "$R" bench/big files/big.bin 1 >/dev/null
  CACERT=$AAR_CA "$here/aar_push.sh" "$A" files/big.bin 1 mono "$WORK/aar-data" >/dev/null
else
  run "$PEER_CA" "$REG_PID" "$here/blob_push.sh" "$R" bench/big files/big.bin "$RUNS"
  run "$AAR_CA" "$AAR_PID" "$here/aar_push.sh" "$A" files/big.bin "$RUNS" mono "$WORK/aar-data"
  run "$AAR_CA" "$AAR_PID" "$here/aar_push.sh" "$A" files/big.bin "$RUNS" chunked "$WORK/aar-data"
fi
CACERT=$PEER_CA DELETE_BETWEEN=0 "$here/blob_push.sh" "$R" bench/small files/small.bin 1 >/dev/null
CACERT=$AAR_CA "$here/aar_push.sh" "$A" files/small.bin 1 mono "$WORK/aar-data" >/dev/null
# The download tests, one function per server and test; $1 is the number of runs (rounds for the concurrent ones).
pull() { CACERT=$PEER_CA SERVER_PIDS=$REG_PID "$here/blob_pull.sh" "$R" bench/big "$big" "$1"; }
aar_get() { CACERT=$AAR_CA SERVER_PIDS=$AAR_PID "$here/http_get.sh" "$A/1.0/blobs/$big" "$1" aar-get; }
nginx_get() { CACERT=$PEER_CA SERVER_PIDS=$NGX_PIDS "$here/http_get.sh" "$N/big.bin" "$1" nginx-get; }
registry_range() { CACERT=$PEER_CA SERVER_PIDS=$REG_PID CURL_EXTRA="-r $half-" "$here/http_get.sh" "$R/v2/bench/big/blobs/$big" "$1" registry-range-2nd-half; }
aar_range() { CACERT=$AAR_CA SERVER_PIDS=$AAR_PID CURL_EXTRA="-r $half-" "$here/http_get.sh" "$A/1.0/blobs/$big" "$1" aar-range-2nd-half; }
registry_concurrent() { CACERT=$PEER_CA SERVER_PIDS=$REG_PID "$here/concurrent_get.sh" "$R/v2/bench/small/blobs/$small" "$CONC" "$1" registry-concurrent; }
nginx_concurrent() { CACERT=$PEER_CA SERVER_PIDS=$NGX_PIDS "$here/concurrent_get.sh" "$N/small.bin" "$CONC" "$1" nginx-concurrent; }
aar_concurrent() { CACERT=$AAR_CA SERVER_PIDS=$AAR_PID "$here/concurrent_get.sh" "$A/1.0/blobs/$small" "$CONC" "$1" aar-concurrent; }
groups=("pull aar_get nginx_get" "registry_range aar_range" "registry_concurrent nginx_concurrent aar_concurrent")
if [ "${INTERLEAVE:-0}" = 1 ]; then
  # One run of each server in turn, RUNS times, the order reversed every other round: load that comes and goes on a
  # shared machine then falls on every server alike instead of on whichever ran its RUNS runs at that moment.
  # Each RESULT line is one run (one round of CONC for the concurrent tests); the medians are printed below.
  for group in "${groups[@]}"; do
    read -ra tests <<<"$group"
    for t in "${tests[@]}"; do "$t" 1 >/dev/null 2>&1 || true; done
    for r in $(seq 1 "$RUNS"); do
      order=("${tests[@]}"); [ $((r % 2)) = 0 ] && order=($(printf '%s\n' "${tests[@]}" | tac))
      for t in "${order[@]}"; do "$t" 1 | grep '^RESULT' | tee -a "$log"; done
    done
  done
else
  for group in "${groups[@]}"; do
    read -ra tests <<<"$group"
    for t in "${tests[@]}"; do
      if [[ $t == *concurrent ]]; then "$t" 1 >/dev/null 2>&1 || true; "$t" "$ROUNDS" | tee -a "$log"
      else "$t" 1 >/dev/null 2>&1 || true; "$t" "$RUNS" | tee -a "$log"; fi
    done
  done
fi

rss() { bench_rss_mb "$@"; }
echo "RESULT test=aar-rss after_1GiB_runs_peak_MB=$(rss "$AAR_PID" VmHWM) now_MB=$(rss "$AAR_PID" VmRSS)" | tee -a "$log"
if [ "$BIG_MIB" -gt 0 ]; then
  "$here/mkfile.sh" files/huge.bin "$BIG_MIB"
  CACERT=$AAR_CA SERVER_PIDS=$AAR_PID "$here/aar_push.sh" "$A" files/huge.bin 1 mono "$WORK/aar-data" | tee -a "$log"
  CACERT=$AAR_CA SERVER_PIDS=$AAR_PID "$here/http_get.sh" "$A/1.0/blobs/$(cat files/huge.bin.sha256)" 1 aar-get-huge | tee -a "$log"
  echo "RESULT test=aar-rss after_${BIG_MIB}MiB_peak_MB=$(rss "$AAR_PID" VmHWM) now_MB=$(rss "$AAR_PID" VmRSS) registry_peak_MB=$(rss "$REG_PID" VmHWM)" | tee -a "$log"
fi
echo; echo "=== summary (MB/s = 10^6 bytes/s, medians of $RUNS after a warm-up; server CPU s per GB moved)"
grep '^RESULT' "$log" | sed 's/^RESULT //'
if [ "${INTERLEAVE:-0}" = 1 ]; then
  echo; echo "=== interleaved downloads: per test, the median over $RUNS rounds of MB/s and of server CPU s/GB"
  grep '^RESULT' "$log" | awk '
    function median(list,   n, a, i, j, t) { n = split(list, a, " "); for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
      return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
    { test = ""; rate = ""; cpu = ""
      for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "test") test = kv[2]; if (kv[1] ~ /^median_(aggregate_)?MBps$/) rate = kv[2]; if (kv[1] == "server_cpu_s_per_GB") cpu = kv[2] }
      if (test == "" || rate == "" || test ~ /push|rss|huge/) next
      if (!(test in rates)) order[++n] = test
      rates[test] = rates[test] " " rate; cpus[test] = cpus[test] " " cpu }
    END { for (k = 1; k <= n; k++) { t = order[k]; printf "test=%s rounds=%d median_MBps=%.1f median_server_cpu_s_per_GB=%.2f\n", t, split(rates[t], x, " "), median(rates[t]), median(cpus[t]) } }'
fi
