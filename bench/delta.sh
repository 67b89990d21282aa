#!/usr/bin/env bash
# delta.sh -- delta transfer benchmark (docs/benchmarks.md, "Delta transfer"), one run on 127.0.0.1: a random package
# of SIZE_MIB (default 1 GiB) changed by 1, 5 and 20 % in place and by insertions, and an APK-shaped zip rebuilt with
# some entries changed; for each new version, side by side:
#   ours-delta   the publisher's upload by difference (bench/deltabench: chunk the package, ask the registry which
#                chunks it holds, send the rest, the registry assembles and verifies), over mTLS to `aar serve`
#   ours-whole   the whole-package upload of the same file (as before delta uploads), and the whole download (GET)
#   rsync        push to an rsync daemon on loopback whose module holds the old version (the efficiency reference)
#   zsync        download: zsyncmake on the new version, zsync -i old against nginx
#   casync       download: casync make into a chunk store, casync extract --seed=old over nginx
# Bytes on the wire: ours = the registry's HTTP bytes received + sent during the operation (its metrics, inside TLS);
# rsync = --stats sent +
# received; zsync and casync = response bytes nginx logged for the fetch. Changed = the bytes the generator changed.
# Prints one RESULT line per tool and scenario, and writes them to OUT (default bench/results/delta-<date>-<commit>.txt).
# Needs: dotnet SDK, python3, openssl; installs rsync, zsync, casync and nginx with apt-get if missing.
# Env: WORK=/tmp/aar-delta  SIZE_MIB=1024  BUILD=1 (0: reuse the builds)  KEEP=0  AAR_PORT=39743 NGX_PORT=38743 RSYNC_PORT=38773
#      SCENARIOS="in1 in5 in20 ins1 ins5 ins20 ins5s apk"  PEERS="rsync zsync casync"
#      FRESH_RUNS=1 (N: the fresh-package pair N times, each with new random files, the order alternating, and a
#      median of the ratios: one pair is within this VM's spread for the same upload)
# Scenarios: inP = P % overwritten in 1 MiB blocks; insP = P % inserted in 1 MiB blocks; ins5s = 5 % inserted in
# 64 KiB blocks (many small edits: each costs about one chunk more than its own bytes); apk = the zip rebuild.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/.." && pwd)
WORK=${WORK:-/tmp/aar-delta}; SIZE_MIB=${SIZE_MIB:-1024}; BUILD=${BUILD:-1}; KEEP=${KEEP:-0}
AAR_PORT=${AAR_PORT:-39743}; MET_PORT=${MET_PORT:-39744}; NGX_PORT=${NGX_PORT:-38743}; RSYNC_PORT=${RSYNC_PORT:-38773}
SCENARIOS=${SCENARIOS-in1 in5 in20 ins1 ins5 ins20 ins5s apk}; PEERS=${PEERS-rsync zsync casync}; FRESH_RUNS=${FRESH_RUNS:-1}
commit=$(git -C "$repo" rev-parse --short HEAD)
OUT=${OUT:-$here/results/delta-$(date -u +%Y-%m-%d)-$commit.txt}
. "$here/lib.sh"
for p in rsync zsync casync nginx; do command -v "$p" >/dev/null || need+=("$p"); done
[ -n "${need[*]:-}" ] && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null

pids=()
cleanup() {
  local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  # rsync's daemon may run as a child of the one started here: its pid file names the listener.
  [ -f "$WORK/rsyncd.pid" ] && kill "$(cat "$WORK/rsyncd.pid")" 2>/dev/null || true
  [ "$KEEP" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
rm -rf "$WORK"; mkdir -p "$WORK"/{files,rsync,www,out}; cd "$WORK"

if [ "$BUILD" = 1 ]; then
  echo "building aar and deltabench (Release)"
  dotnet publish "$repo/src/Aar.Cli" -c Release -o "$repo/artifacts/delta-bench/aar" -v quiet -nologo >/dev/null
  dotnet publish "$repo/bench/deltabench" -c Release -o "$repo/artifacts/delta-bench/deltabench" -v quiet -nologo >/dev/null
fi
bin=$repo/artifacts/delta-bench
aar() { dotnet "$bin/aar/aar.dll" "$@"; }

# --- our registry, one publisher certificate
bench_make_certs "$WORK/certs"
dotnet "$bin/aar/aar.dll" serve --data-dir "$WORK/aar" --listen "127.0.0.1:$AAR_PORT" --max-blob-size 16GiB --metrics-listen "127.0.0.1:$MET_PORT" --log-format text > aar.log 2>&1 & pids+=($!); AAR_PID=$!
bench_wait_port "$AAR_PORT"
aar trust add -p --data-dir "$WORK/aar" "$WORK/certs/client.crt" >/dev/null
pin=$(openssl x509 -in "$WORK/aar/certs/server.crt" -outform der | sha256sum | cut -d' ' -f1)
db() { dotnet "$bin/deltabench/deltabench.dll" "https://127.0.0.1:$AAR_PORT" "$WORK/certs/client.crt" "$WORK/certs/client.key" "$pin" "$@"; }
# http_bytes -- HTTP bytes the registry received + sent so far (only this benchmark talks to it)
http_bytes() { curl -s "http://127.0.0.1:$MET_PORT/metrics" | awk '/^[a-z_]*http_(received|sent)_bytes_total/ {s+=$NF} END{printf "%.0f", s}'; }
# ours ARGS -- one deltabench call, its output plus wire=<HTTP bytes it cost>
ours() { local b0 r; b0=$(http_bytes); r=$(db "$@"); echo "$r wire=$(( $(http_bytes) - b0 ))"; }

# --- the peers: an rsync daemon and nginx (zsync and casync fetch from it), both on loopback
cat > rsyncd.conf <<CONF
pid file = $WORK/rsyncd.pid
use chroot = no
[bench]
  uid = root
  gid = root
  path = $WORK/rsync
  read only = no
CONF
rsync --daemon --no-detach --config="$WORK/rsyncd.conf" --port="$RSYNC_PORT" --address=127.0.0.1 & pids+=($!)
cat > nginx.conf <<CONF
daemon off; pid $WORK/nginx.pid; error_log $WORK/nginx.err;
events {}
http { log_format bytes '\$body_bytes_sent'; access_log $WORK/nginx.access bytes;
  server { listen 127.0.0.1:$NGX_PORT; root $WORK/www; sendfile on; } }
CONF
nginx -c "$WORK/nginx.conf" & pids+=($!)
bench_wait_port "$RSYNC_PORT"; bench_wait_port "$NGX_PORT"
ngx_bytes() { awk '{s+=$1} END{print s+0}' "$WORK/nginx.access"; }

kv() { grep -o "$1=[^ ]*" <<<"$2" | cut -d= -f2; }
result() { echo "RESULT $*" | tee -a "$OUT.tmp"; }
: > "$OUT.tmp"
echo "aar pid $AAR_PID :$AAR_PORT; $(rsync --version | head -1); zsync $(dpkg-query -W -f='${Version}' zsync); casync $(dpkg-query -W -f='${Version}' casync); nginx $(dpkg-query -W -f='${Version}' nginx)" | tee -a "$OUT.tmp"
echo "commit $commit, $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT.tmp"

# --- inputs
python3 "$here/delta_files.py" base files/base.bin "$SIZE_MIB" >/dev/null
declare -A changed old
for s in $SCENARIOS; do
  case $s in
    ins*s) changed[$s]=$(python3 "$here/delta_files.py" insert files/base.bin "files/$s.bin" "$(tr -dc 0-9 <<<"$s")" 75 64); old[$s]=files/base.bin ;;
    ins*) changed[$s]=$(python3 "$here/delta_files.py" insert files/base.bin "files/$s.bin" "${s#ins}" "7${s#ins}"); old[$s]=files/base.bin ;;
    in*) changed[$s]=$(python3 "$here/delta_files.py" inplace files/base.bin "files/$s.bin" "${s#in}" "3${s#in}"); old[$s]=files/base.bin ;;
    apk) changed[$s]=$(python3 "$here/delta_files.py" apk files/apk0.bin files/apk.bin 1); old[$s]=files/apk0.bin ;;
  esac
done

# --- the old versions on the registry (whole), recorded as delta sources before anything is timed
for f in files/base.bin $( [[ " $SCENARIOS " == *" apk "* ]] && echo files/apk0.bin ); do
  db upload-whole "$f" >/dev/null; db wait-recorded "$f" >/dev/null
done

# --- a fresh package: today's whole path against the delta path deciding by itself (chunking included)
ratios=""
for r in $(seq 1 "$FRESH_RUNS"); do
  python3 "$here/delta_files.py" base files/fresh1.bin "$SIZE_MIB" >/dev/null
  python3 "$here/delta_files.py" base files/fresh2.bin "$SIZE_MIB" >/dev/null
  if [ $((r % 2)) = 1 ]; then
    w=$(ours upload-whole files/fresh1.bin); db wait-recorded files/fresh1.bin >/dev/null
    d=$(ours upload-delta files/fresh2.bin); db wait-recorded files/fresh2.bin >/dev/null
  else
    d=$(ours upload-delta files/fresh2.bin); db wait-recorded files/fresh2.bin >/dev/null
    w=$(ours upload-whole files/fresh1.bin); db wait-recorded files/fresh1.bin >/dev/null
  fi
  ratio=$(awk -v a="$(kv seconds "$d")" -v b="$(kv seconds "$w")" 'BEGIN{printf "%.3f", a/b}'); ratios="$ratios $ratio"
  result "test=fresh run=$r tool=ours-whole size=$(stat -c %s files/fresh1.bin) $w"
  result "test=fresh run=$r tool=ours-delta size=$(stat -c %s files/fresh2.bin) $d ratio_to_whole=$ratio"
done
[ "$FRESH_RUNS" = 1 ] || result "test=fresh-summary runs=$FRESH_RUNS median_ratio_to_whole=$(tr ' ' '\n' <<<"$ratios" | grep . | bench_median) target=1.05"

for s in $SCENARIOS; do
  f=files/$s.bin; o=${old[$s]}; size=$(stat -c %s "$f"); ch=${changed[$s]}
  # ours: the delta upload, then the same file whole (its blob removed first), then the whole download
  d=$(ours upload-delta "$f")
  db wait-recorded "$f" >/dev/null
  hex=$(sha256sum "$f" | cut -d' ' -f1)
  rm -f "$WORK/aar/blobs/sha256/${hex:0:2}/$hex"
  w=$(ours upload-whole "$f")
  g=$(ours download "$f" "$WORK/out/$s.bin"); rm -f "$WORK/out/$s.bin"
  result "test=$s tool=ours-delta size=$size changed=$ch $d wire_per_changed=$(awk -v a="$(kv wire "$d")" -v b="$ch" 'BEGIN{printf "%.3f", a/b}') time_to_whole=$(awk -v a="$(kv seconds "$d")" -v b="$(kv seconds "$w")" 'BEGIN{printf "%.3f", a/b}')"
  result "test=$s tool=ours-whole size=$size changed=$ch $w"
  result "test=$s tool=ours-whole-download size=$size changed=$ch $g"
  db wait-recorded "$f" >/dev/null

  if [[ " $PEERS " == *" rsync "* ]]; then
  # rsync: the daemon's module holds the old version under the new one's name
  cp "$o" "$WORK/rsync/pkg.bin"; sync
  t0=$(date +%s.%N)
  r=$(rsync --stats --no-whole-file "$f" "rsync://127.0.0.1:$RSYNC_PORT/bench/pkg.bin")
  t1=$(date +%s.%N)
  sent=$(grep -o 'Total bytes sent: [0-9,]*' <<<"$r" | tr -dc 0-9); recv=$(grep -o 'Total bytes received: [0-9,]*' <<<"$r" | tr -dc 0-9)
  cmp -s "$f" "$WORK/rsync/pkg.bin" || { echo "rsync result differs" >&2; exit 1; }
  result "test=$s tool=rsync size=$size changed=$ch seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}') wire=$((sent + recv)) wire_per_changed=$(awk -v a="$((sent + recv))" -v b="$ch" 'BEGIN{printf "%.3f", a/b}')"

  fi
  if [[ " $PEERS " == *" zsync "* ]]; then
  # zsync: the server side (zsyncmake) untimed beside the client's fetch, which is timed
  cp "$f" "$WORK/www/$s.bin"
  t0=$(date +%s.%N); (cd "$WORK/www" && zsyncmake -u "$s.bin" -o "$s.zsync" "$s.bin" >/dev/null 2>&1); t1=$(date +%s.%N)
  : > "$WORK/nginx.access"
  t2=$(date +%s.%N)
  (cd "$WORK/out" && zsync -q -i "$WORK/$o" -o "$s.bin" "http://127.0.0.1:$NGX_PORT/$s.zsync" >/dev/null 2>&1)
  t3=$(date +%s.%N)
  cmp -s "$f" "$WORK/out/$s.bin" || { echo "zsync result differs" >&2; exit 1; }
  z=$(ngx_bytes); rm -f "$WORK/out/$s.bin" "$WORK/out/$s.bin.zs-old"
  result "test=$s tool=zsync size=$size changed=$ch seconds=$(awk -v a="$t2" -v b="$t3" 'BEGIN{printf "%.3f", b-a}') make_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}') wire=$z wire_per_changed=$(awk -v a="$z" -v b="$ch" 'BEGIN{printf "%.3f", a/b}')"

  fi
  if [[ " $PEERS " == *" casync "* ]]; then
  # casync: chunk store made from the new version (untimed beside the fetch), extract seeded with the old one
  t0=$(date +%s.%N); casync make --store="$WORK/www/store.castr" "$WORK/www/$s.caibx" "$f" >/dev/null; t1=$(date +%s.%N)
  : > "$WORK/nginx.access"
  t2=$(date +%s.%N)
  casync extract --store="http://127.0.0.1:$NGX_PORT/store.castr" --seed="$WORK/$o" "http://127.0.0.1:$NGX_PORT/$s.caibx" "$WORK/out/$s.bin" >/dev/null 2>&1
  t3=$(date +%s.%N)
  cmp -s "$f" "$WORK/out/$s.bin" || { echo "casync result differs" >&2; exit 1; }
  c=$(ngx_bytes); rm -rf "$WORK/out/$s.bin" "$WORK/www/store.castr" "$WORK/www/$s."*
  result "test=$s tool=casync size=$size changed=$ch seconds=$(awk -v a="$t2" -v b="$t3" 'BEGIN{printf "%.3f", b-a}') make_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}') wire=$c wire_per_changed=$(awk -v a="$c" -v b="$ch" 'BEGIN{printf "%.3f", a/b}')"
  fi
  rm -f "$f"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); aar peak RSS $(bench_rss_mb "$AAR_PID" VmHWM) MB" | tee -a "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "results in $OUT"
