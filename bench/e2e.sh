#!/usr/bin/env bash
# e2e.sh -- the end-to-end benchmark (target in docs/benchmarks.md): a 1 GiB package created on a publisher AMS until it is
# `ready` on a client AMS, against the raw upload + download of the same file to Debian's docker-registry (mTLS), in
# one run on 127.0.0.1. Each iteration does both, alternating, so that a change of machine load hits both sides.
#
#   ours:  amc application create <dir>      publisher: tar streamed over the unix socket, hashed, fsynced, validated
#          amc application publish <app> 0
#          amc registry sync --wait          publisher: chunked mTLS upload to aar, version created on the registry
#          amc registry sync --wait          client: list, download, verify SHA-256, validate, import as `ready`
#   raw:   blob_push.sh + http_get.sh        docker-registry POST + monolithic PUT, then GET (as bench/run.sh does)
#
# Target: ours <= 2 x (raw push + raw pull); every process's peak RSS (VmHWM) < 200 MB.
# One warm-up iteration (discarded), then RUNS iterations; medians. Every iteration uses a fresh application name, so
# the package (a tar that contains the manifest) has a new digest and nothing is deduplicated anywhere; it is deleted
# on the publisher, the registry and the client afterwards (untimed).
# Needs: dotnet SDK, curl, openssl, GNU time (/usr/bin/time); installs docker-registry with apt-get if missing.
# Env: WORK=/tmp/aar-e2e  RUNS=3  SIZE_MIB=1024  AAR_PORT=39643  REG_PORT=35643  BUILD=1 (0: use the binaries
#      already published to artifacts/bench-bin)  KEEP=0 (1: keep WORK and the logs)  OUT=<file> (also write the RESULT lines there)
#      WATCH=0 (1: split each transfer phase by polling the AMS every 50 ms; costs CPU on our side only, so off for
#      the headline figures)
#      DELTA_PCT=0 (P > 0: after the runs above, RUNS update runs: an application's version 0 goes through the whole
#      path, then version 1, its extra data with P % rewritten in place in 1 MiB blocks, goes publisher -> registry ->
#      client by difference; each update is timed like a run and compared with its own version 0, test=e2e-delta)
#      DELTA_MODE=inplace (insert: P % inserted in 1 MiB blocks; insert-small: P % inserted in 64 KiB blocks, the
#      scattered small edits where the fine level of a delta matters)
#      DELTA_PERF= (client or aar: record `perf` call graphs of that process during each update's download or
#      upload by difference, to WORK/perf-<who>-<run>.data, and print its top symbols; costs that process CPU)
#      LINK_MBIT= (N: the registries' ports on the loopback interface are shaped to N Mbit/s each way with tc htb, for
#      both aar and docker-registry, as a fleet reaches its registry over a network rather than over loopback, where
#      the network is faster than the disk; needs root; the shaping is removed when the script ends)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/.." && pwd)
. "$here/lib.sh"
WORK=${WORK:-/tmp/aar-e2e}; RUNS=${RUNS:-3}; SIZE_MIB=${SIZE_MIB:-1024}
AAR_PORT=${AAR_PORT:-39643}; REG_PORT=${REG_PORT:-35643}; BUILD=${BUILD:-1}; KEEP=${KEEP:-0}; OUT=${OUT:-}
WATCH=${WATCH:-0}; DELTA_PCT=${DELTA_PCT:-0}; DELTA_MODE=${DELTA_MODE:-inplace}; LINK_MBIT=${LINK_MBIT:-}
DELTA_PERF=${DELTA_PERF:-}
# perf resolves .NET frames through the runtime's perf map.
[ -z "$DELTA_PERF" ] || export DOTNET_PerfMapEnabled=1
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time (/usr/bin/time) is needed to read amc's peak memory: apt-get install time" >&2; exit 2; }
bench_install_peers docker-registry

# --- everything this script creates lives under WORK; the trap stops what it started and removes WORK.
pids=()
cleanup() {
  local rc=$? p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -z "$LINK_MBIT" ] || tc qdisc del dev lo root 2>/dev/null || true
  if [ "$KEEP" = 1 ] || [ $rc -ne 0 ]; then echo "kept $WORK (logs: $WORK/*.log)" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$WORK"; mkdir -p "$WORK"/{files,amc}
if [ -n "$LINK_MBIT" ]; then
  # Class 1:2 carries what the registries send (downloads), 1:3 what they receive (uploads); everything else on lo
  # (the AMS's unix sockets are not on lo at all) goes through 1:1, unshaped.
  tc qdisc add dev lo root handle 1: htb default 1
  tc class add dev lo parent 1: classid 1:1 htb rate 100gbit quantum 200000
  for c in 2 3; do tc class add dev lo parent 1: classid 1:$c htb rate "${LINK_MBIT}mbit" ceil "${LINK_MBIT}mbit" burst 1m cburst 1m quantum 200000; done
  for port in "$AAR_PORT" "$REG_PORT"; do
    tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip sport "$port" 0xffff flowid 1:2
    tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip dport "$port" 0xffff flowid 1:3
  done
  echo "registry ports $AAR_PORT and $REG_PORT shaped to $LINK_MBIT Mbit/s each way on lo"
fi
cd "$WORK"
log=$WORK/results.txt; : > "$log"
result() { echo "RESULT $*" | tee -a "$log"; }

BIN=$repo/artifacts/bench-bin
if [ "$BUILD" = 1 ] || [ ! -x "$BIN/amc/amc" ]; then
  echo "publishing aar, ams and amc (Release, ReadyToRun) to $BIN"
  bench_publish "$repo" "$BIN"
  [ "$DELTA_PCT" = 0 ] || dotnet publish "$repo/bench/deltabench" -c Release -o "$BIN/deltabench" -nologo -v quiet >/dev/null
fi
aar_bin=$BIN/aar/aar; ams_bin=$BIN/ams/ams; amc_bin=$BIN/amc/amc

# --- the peer: docker-registry with TLS and required client certificates (shared with run.sh)
bench_make_certs "$WORK/certs"
export CERT=$WORK/certs/client.crt KEY=$WORK/certs/client.key
bench_registry_yml "$WORK" "$REG_PORT" > registry.yml
docker-registry serve registry.yml > registry.log 2>&1 & pids+=($!); REG_PID=$!

# --- ours: a registry and two management services, each with its own data dir and socket. The executables are
# started directly (not through a function) so that $! is the process whose /proc we read.
"$aar_bin" serve --data-dir "$WORK/aar" --listen "127.0.0.1:$AAR_PORT" --max-blob-size 16GiB > aar.log 2>&1 & pids+=($!); AAR_PID=$!
"$ams_bin" serve --data-dir "$WORK/pub" --architecture amd64 > pub.log 2>&1 & pids+=($!); PUB_PID=$!
"$ams_bin" serve --data-dir "$WORK/cli" --architecture amd64 > cli.log 2>&1 & pids+=($!); CLI_PID=$!
bench_wait_port "$REG_PORT"; bench_wait_port "$AAR_PORT"
for d in pub cli; do for _ in $(seq 100); do [ -S "$WORK/$d/unix.socket" ] && break; sleep 0.2; done; done

# Every amc call runs under GNU time: its peak RSS (kB) and CPU seconds go to amc/<n>.time, collected at the end.
amc_n=0
amc() {  # amc pub|cli ARGS...
  local who=$1; shift; amc_n=$((amc_n + 1))
  "$TIME" -f '%M %U %S' -o "$WORK/amc/$amc_n.time" "$amc_bin" --data-dir "$WORK/$who" "$@"
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }

# --- enrol both AMS with one-step join tokens (the publisher as publisher). The automatic sync interval is pushed
# out so that only our explicit `sync --wait` passes move anything while we time them.
"$aar_bin" --data-dir "$WORK/aar" trust token create --publisher --expires 15m --name bench-publisher 2>/dev/null > pub.token
"$aar_bin" --data-dir "$WORK/aar" trust token create --expires 15m --name bench-client 2>/dev/null > cli.token
for who in pub cli; do
  amc "$who" registry join "$(cat $who.token)" >/dev/null
  amc "$who" config set registry.update_interval 24h >/dev/null
  amc "$who" registry sync --wait >/dev/null   # the first (empty) pass, out of the timing
done

"$here/mkfile.sh" files/big.bin "$SIZE_MIB"
bytes=$(stat -c %s files/big.bin); digest=$(cat files/big.bin.sha256)
R=https://127.0.0.1:$REG_PORT
echo "aar pid $AAR_PID :$AAR_PORT, publisher ams pid $PUB_PID, client ams pid $CLI_PID, docker-registry $(dpkg-query -W -f='${Version}' docker-registry) pid $REG_PID :$REG_PORT"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# make_package NAME -- a package directory whose extra data is a hard link to the one random file (no copy).
make_package() {
  mkdir -p "pkg/$1/extra-data"
  ln -f files/big.bin "pkg/$1/extra-data/big.obb"
  cat > "pkg/$1/manifest.yaml" <<YAML
name: $1
version: "1.0"
instance-type: a2.3
boot-package: com.example.bench
extra-data:
  big.obb:
    target: /sdcard/Android/obb/com.example.bench
YAML
}

# watch_transfer WHO OUT -- in the background, polls the AMS's local API (curl on its unix socket: cheap, unlike
# starting amc) every 50 ms and writes to OUT the time the package's bytes had all moved ("full"), so a phase splits
# into the transfer itself and what follows it (the version created on the registry; verify, validate, import on
# the client). Stops when OUT.stop exists.
watch_transfer() {
  local who=$1 out=$2 body b t
  while [ ! -e "$out.stop" ]; do
    body=$(curl -s --unix-socket "$WORK/$who/unix.socket" http://ams/1.0/registry 2>/dev/null || true)
    b=$(grep -o '"bytes": *[0-9]*' <<<"$body" | head -n1 | grep -o '[0-9]*$' || true)
    t=$(grep -o '"total": *[0-9]*' <<<"$body" | head -n1 | grep -o '[0-9]*$' || true)
    [ -n "$b" ] && [ ! -e "$out.seen" ] && now > "$out.seen"
    if [ -n "$b" ] && [ "$b" = "$t" ]; then now > "$out"; return 0; fi
    sleep 0.05
  done
}
# phase_split START END WATCHFILE -> "before_s/transfer_s/after_s": until the transfer first showed, until its
# bytes had all moved, and the rest ("?" when the watcher missed a moment shorter than its 50 ms poll)
phase_split() {
  local seen="?" full="?" a="?" b="?" c="?"
  [ -s "$3.seen" ] && seen=$(cat "$3.seen") && a=$(secs "$1" "$seen")
  [ -s "$3" ] && full=$(cat "$3") && c=$(secs "$full" "$2")
  [ "$seen" != "?" ] && [ "$full" != "?" ] && b=$(secs "$seen" "$full")
  echo "$a/$b/$c"
}

# e2e_run NAME LABEL -- the timed path; prints one RESULT line with each phase's seconds and the daemons' CPU seconds.
e2e_run() {
  local name=$1 label=$2 t0 t1 t2 t3 t4 c0a c0p c0c
  make_package "$name"
  c0a=$(bench_cpu_s "$AAR_PID"); c0p=$(bench_cpu_s "$PUB_PID"); c0c=$(bench_cpu_s "$CLI_PID")
  t0=$(now)
  amc pub application create "pkg/$name" -t 10m >/dev/null 2>amc.err || { cat amc.err >&2; return 1; }
  t1=$(now)
  amc pub application publish "$name" 0 >/dev/null
  t2=$(now)
  rm -f up.t* down.t*
  local wp=0 wc=0
  [ "$WATCH" = 1 ] && { watch_transfer pub up.t & wp=$!; }
  amc pub registry sync --wait >/dev/null
  t3=$(now); touch up.t.stop; [ "$wp" = 0 ] || wait $wp || true
  [ "$WATCH" = 1 ] && { watch_transfer cli down.t & wc=$!; }
  amc cli registry sync --wait >/dev/null
  # `sync --wait` returns when the pass ends, and the pass imports the version as `ready` in one step; `amc wait`
  # confirms it (and would catch a pass that ended without it).
  amc cli wait "$name" -c status=ready -t 5m >/dev/null
  t4=$(now); touch down.t.stop; [ "$wc" = 0 ] || wait $wc || true
  result "test=e2e run=$label name=$name create_s=$(secs "$t0" "$t1") publish_s=$(secs "$t1" "$t2")" \
    "upload_s=$(secs "$t2" "$t3") download_s=$(secs "$t3" "$t4") total_s=$(secs "$t0" "$t4")" \
    "upload_split=$(phase_split "$t2" "$t3" up.t) download_split=$(phase_split "$t3" "$t4" down.t)" \
    "aar_cpu_s=$(secs "$c0a" "$(bench_cpu_s "$AAR_PID")") pub_cpu_s=$(secs "$c0p" "$(bench_cpu_s "$PUB_PID")")" \
    "cli_cpu_s=$(secs "$c0c" "$(bench_cpu_s "$CLI_PID")") load=$(cut -d' ' -f1 /proc/loadavg)"
}

# e2e_forget NAME -- delete the application on the publisher and on the registry (directly with `aar`: a publisher
# pass with no application left removes nothing by design, see docs/registry-sync.md), then a client pass replays the
# registry's deletion record. Untimed; checks that it is really gone from the client.
e2e_forget() {
  amc pub application delete "$1" --yes >/dev/null
  "$aar_bin" --data-dir "$WORK/aar" application delete "$1" -a amd64 --yes >/dev/null
  amc cli registry sync --wait >/dev/null
  if "$amc_bin" --data-dir "$WORK/cli" application show "$1" >/dev/null 2>&1; then
    echo "$1 is still on the client after the deletion passes" >&2; return 1
  fi
  rm -rf "pkg/$1"
}

# raw_run LABEL -- docker-registry push then pull of the same file, one run each; the blob is deleted before the push.
raw_run() {
  local c0 push pull
  c0=$(bench_cpu_s "$REG_PID")
  push=$(CACERT=$WORK/certs/server.crt "$here/blob_push.sh" "$R" bench/big files/big.bin 1 | sed -n 's/^push run 1: .* B in \([0-9.]*\) s.*/\1/p')
  pull=$(CACERT=$WORK/certs/server.crt VERIFY=0 "$here/blob_pull.sh" "$R" bench/big "$digest" 1 | sed -n 's/^pull run 1: .* B in \([0-9.]*\) s.*/\1/p')
  [ -n "$push" ] && [ -n "$pull" ] || { echo "raw push/pull failed" >&2; return 1; }
  result "test=raw run=$1 push_s=$push pull_s=$pull sum_s=$(awk -v a="$push" -v b="$pull" 'BEGIN{printf "%.2f", a+b}')" \
    "registry_cpu_s=$(secs "$c0" "$(bench_cpu_s "$REG_PID")") load=$(cut -d' ' -f1 /proc/loadavg)"
}

for i in $(seq 0 "$RUNS"); do
  label=$i; [ "$i" = 0 ] && label=warmup
  echo "--- iteration $label"
  e2e_run "e2e-$label" "$label"
  e2e_forget "e2e-$label"
  raw_run "$label"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- summary: medians over the timed runs (the warm-up excluded)
field() {  # field TEST KEY -> the KEY values of the timed runs of TEST, one per line
  grep "^RESULT test=$1 " "$log" | grep -v 'run=warmup' | tr ' ' '\n' | sed -n "s/^$2=//p"
}
med() { field "$1" "$2" | bench_median; }
e2e_total=$(med e2e total_s); raw_sum=$(med raw sum_s)
# ratio per iteration (ours / raw of the same iteration), then its median: robust to load changing between iterations
ratios=$(paste <(field e2e total_s) <(field raw sum_s) | awk '{printf "%.2f\n", $1/$2}')
mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN{printf "%.0f", b/s/1e6}'; }
amc_peak_mb=$(cat amc/*.time | awk '{if ($1>m) m=$1} END{printf "%.0f", m/1024}')
amc_cpu_max=$(cat amc/*.time | awk '{c=$2+$3; if (c>m) m=c} END{printf "%.2f", m}')
echo
echo "=== end to end, $bytes B, medians of $RUNS runs after a warm-up (MB/s = 10^6 B/s of the package's payload)"
result "test=e2e-summary runs=$RUNS create_s=$(med e2e create_s) publish_s=$(med e2e publish_s) upload_s=$(med e2e upload_s)" \
  "download_s=$(med e2e download_s) total_s=$e2e_total total_MBps=$(mbps "$e2e_total")" \
  "aar_cpu_s=$(med e2e aar_cpu_s) pub_cpu_s=$(med e2e pub_cpu_s) cli_cpu_s=$(med e2e cli_cpu_s)"
result "test=raw-summary runs=$RUNS push_s=$(med raw push_s) pull_s=$(med raw pull_s) sum_s=$raw_sum" \
  "push_MBps=$(mbps "$(med raw push_s)") pull_MBps=$(mbps "$(med raw pull_s)") registry_cpu_s=$(med raw registry_cpu_s)"
result "test=ratio e2e_over_raw_of_medians=$(awk -v a="$e2e_total" -v b="$raw_sum" 'BEGIN{printf "%.2f", a/b}')" \
  "median_per_run_ratio=$(echo "$ratios" | bench_median) per_run=$(echo "$ratios" | paste -sd, -) target=2.00"
result "test=peak-rss-MB aar=$(bench_rss_mb "$AAR_PID" VmHWM) ams_publisher=$(bench_rss_mb "$PUB_PID" VmHWM)" \
  "ams_client=$(bench_rss_mb "$CLI_PID" VmHWM) amc_max=$amc_peak_mb docker_registry=$(bench_rss_mb "$REG_PID" VmHWM)" \
  "amc_invocations=$amc_n amc_max_cpu_s=$amc_cpu_max target=200"

# --- updates by difference (DELTA_PCT > 0): version 0 whole, then version 1 (P % of its extra data changed) by
# difference on both sides. The registry records a new blob's chunks as delta sources in the background; the update
# waits for that (bench/deltabench wait-recorded, with the benchmark's own publisher certificate), untimed.
if [ "$DELTA_PCT" != 0 ]; then
  case "$DELTA_MODE" in
    inplace) python3 "$here/delta_files.py" inplace files/big.bin files/big-delta.bin "$DELTA_PCT" 35 ;;
    insert) python3 "$here/delta_files.py" insert files/big.bin files/big-delta.bin "$DELTA_PCT" 35 ;;
    insert-small) python3 "$here/delta_files.py" insert files/big.bin files/big-delta.bin "$DELTA_PCT" 35 64 ;;
    *) echo "DELTA_MODE is inplace, insert or insert-small, not '$DELTA_MODE'" >&2; exit 1 ;;
  esac > files/big-delta.changed
  "$aar_bin" --data-dir "$WORK/aar" trust add -p certs/client.crt >/dev/null
  pin=$(openssl x509 -in "$WORK/aar/certs/server.crt" -outform der | sha256sum | cut -d' ' -f1)
  wait_recorded() {  # wait_recorded FILE -- until the registry holds every chunk of FILE
    dotnet "$BIN/deltabench/deltabench.dll" "https://127.0.0.1:$AAR_PORT" certs/client.crt certs/client.key "$pin" wait-recorded "$1" >/dev/null
  }
  perf_start() {  # perf_start PID NAME -- call graphs of PID until perf_stop
    perf_out=$WORK/perf-$2.data
    perf record -F 997 -g -p "$1" -o "$perf_out" >/dev/null 2>&1 & perf_pid=$!
    sleep 0.3
  }
  perf_stop() {
    kill -INT "$perf_pid"; wait "$perf_pid" || true
    echo "--- perf: top symbols of $perf_out (self, then children)"
    perf report -i "$perf_out" --no-children --sort dso,sym -g none --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25 || true
  }
  newest_package() { ls -t "$WORK/pub/packages/sha256" | grep -E '^[0-9a-f]{64}$' | head -n1; }
  for i in $(seq 1 "$RUNS"); do
    name=e2e-delta-$i
    e2e_run "$name" "delta-base-$i"
    wait_recorded "$WORK/pub/packages/sha256/$(newest_package)"
    mkdir -p "pkg/$name-1/extra-data"; cp "pkg/$name/manifest.yaml" "pkg/$name-1/"
    ln -f files/big-delta.bin "pkg/$name-1/extra-data/big.obb"
    amc pub application update "$name" "pkg/$name-1" -t 10m >/dev/null
    amc pub application publish "$name" 1 >/dev/null
    c0a=$(bench_cpu_s "$AAR_PID"); c0p=$(bench_cpu_s "$PUB_PID"); c0c=$(bench_cpu_s "$CLI_PID")
    [ "$DELTA_PERF" != aar ] || perf_start "$AAR_PID" "aar-$i"
    t2=$(now); amc pub registry sync --wait >/dev/null
    [ "$DELTA_PERF" != aar ] || perf_stop
    [ "$DELTA_PERF" != client ] || perf_start "$CLI_PID" "client-$i"
    t3=$(now); amc cli registry sync --wait >/dev/null
    amc cli wait "$name" -c status=ready -t 5m >/dev/null
    t4=$(now)
    [ "$DELTA_PERF" != client ] || perf_stop
    moved=$(curl -s --unix-socket "$WORK/cli/unix.socket" http://ams/1.0/registry | tr -d ' \n' | grep -o '"\(fetched\|reused\)":[0-9]*' | tr -d '"' | paste -sd, - || true)
    result "test=e2e-delta run=$i name=$name mode=$DELTA_MODE changed=$(cat files/big-delta.changed) upload_s=$(secs "$t2" "$t3") download_s=$(secs "$t3" "$t4")" \
      "total_s=$(secs "$t2" "$t4") aar_cpu_s=$(secs "$c0a" "$(bench_cpu_s "$AAR_PID")") pub_cpu_s=$(secs "$c0p" "$(bench_cpu_s "$PUB_PID")")" \
      "cli_cpu_s=$(secs "$c0c" "$(bench_cpu_s "$CLI_PID")") client_delta=${moved:-none} load=$(cut -d' ' -f1 /proc/loadavg)"
    e2e_forget "$name"
  done
  # the whole path of the same runs: upload + download of version 0 (create and publish are local, the same for both)
  whole=$(grep "^RESULT test=e2e run=delta-base-" "$log" | tr ' ' '\n' | awk -F= '/^upload_s=/{u=$2} /^download_s=/{print u+$2}' | bench_median)
  delta=$(field e2e-delta total_s | bench_median)
  result "test=e2e-delta-summary runs=$RUNS changed_pct=$DELTA_PCT upload_s=$(med e2e-delta upload_s) download_s=$(med e2e-delta download_s)" \
    "delta_s=$delta whole_s=$whole delta_over_whole=$(awk -v a="$delta" -v b="$whole" 'BEGIN{printf "%.3f", a/b}') target=0.20"
fi
[ -z "$OUT" ] || cp "$log" "$OUT"
