#!/usr/bin/env bash
# A throwaway S3-compatible store for tests: single-node Ceph (mon + 1 osd) + radosgw on 127.0.0.1, no systemd,
# auth none. Installs nothing; needs `apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd`.
#
#   scripts/ci/ceph-s3.sh start   # prints the export lines for the S3 test run (endpoint + keys)
#   scripts/ci/ceph-s3.sh stop    # stops the daemons by their pid files (never by name)
#   scripts/ci/ceph-s3.sh status  # exit 0 when radosgw answers
#
# Environment: CEPH_DIR (default /tmp/ceph-s3), CEPH_STORE memstore (default: RAM, fastest, capped at 4 GiB) or
# bluestore (10 GiB sparse file, real disk IO), S3_PORT (7480), CEPH_MON_PORT (6789), S3_ACCESS_KEY, S3_SECRET_KEY.
# Idempotent: `start` on a running cluster only prints the endpoint; `stop` on a stopped one does nothing.
# Pitfalls this setup avoids: slow default paxos intervals, and a race of the osd with auth none at start.
set -euo pipefail
D=${CEPH_DIR:-/tmp/ceph-s3}
STORE=${CEPH_STORE:-memstore}
PORT=${S3_PORT:-7480}; MON_PORT=${CEPH_MON_PORT:-6789}
AK=${S3_ACCESS_KEY:-CIACCESSKEY}
SK=${S3_SECRET_KEY:-CISECRETKEY123456}
ENDPOINT="http://127.0.0.1:$PORT"

up() { curl -s -o /dev/null --max-time 2 "$ENDPOINT/"; }

print_env() {
  echo "export AAR_TEST_S3_ENDPOINT=$ENDPOINT AAR_TEST_S3_ACCESS_KEY=$AK AAR_TEST_S3_SECRET_KEY=$SK"
}

stop() {
  for n in client.rgw.a osd.0 mon.a; do
    f="$D/run/$n.pid"
    [ -f "$f" ] || continue
    p=$(cat "$f")
    rm -f "$f"
    kill "$p" 2>/dev/null || continue
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
}

start() {
  if up; then
    echo "S3 already running at $ENDPOINT" >&2
    print_env
    return 0
  fi
  for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd" >&2; exit 1; }
  done
  stop   # daemons of a half-started earlier run
  rm -rf "$D"; mkdir -p "$D"/{mon,osd/osd.0,rgw,run,log}
  FSID=$(cat /proc/sys/kernel/random/uuid); t0=$(date +%s%N)
  cat > "$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
run dir = $D/run
log file = $D/log/\$name.log
admin socket = $D/run/\$name.asok
pid file = $D/run/\$name.pid
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
paxos propose interval = 0.05
paxos min wait = 0.01
[mon]
mon data = $D/mon/\$name
[osd]
osd data = $D/osd/\$name
osd crush update on start = false
osd class update on start = false
osd objectstore = $STORE
memstore device bytes = 4294967296
bluestore block path = $D/osd/\$name.block
bluestore block create = true
bluestore block size = 10737418240
osd memory target = 1073741824
bluestore cache autotune = false
bluestore cache size = 268435456
[client.rgw.a]
rgw data = $D/rgw
rgw frontends = beast endpoint=127.0.0.1:$PORT
CONF
  C=(-c "$D/ceph.conf")
  monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$D/monmap" >/dev/null
  ceph-authtool --create-keyring "$D/mon.keyring" --gen-key -n mon. >/dev/null
  ceph-mon "${C[@]}" --mkfs -i a --monmap "$D/monmap" --keyring "$D/mon.keyring"
  ceph-mon "${C[@]}" -i a
  [ "$(ceph "${C[@]}" osd create)" = 0 ]
  # The osd must not register itself: with auth none its first mon command can race the monmap (wrong fsid).
  ceph "${C[@]}" osd crush add osd.0 1.0 root=default 2>/dev/null
  ceph-osd "${C[@]}" -i 0 --mkfs --osd-uuid "$(cat /proc/sys/kernel/random/uuid)" >"$D/log/mkfs.log" 2>&1
  ceph-osd "${C[@]}" -i 0 >>"$D/log/osd-stderr.log" 2>&1
  radosgw "${C[@]}" -n client.rgw.a
  for _ in $(seq 1 240); do up && break; sleep 0.25; done
  up || { echo "radosgw not up; see $D/log" >&2; exit 1; }
  radosgw-admin "${C[@]}" user create --uid=ci --display-name=ci --access-key="$AK" --secret-key="$SK" >/dev/null
  echo "S3 ready at $ENDPOINT ($STORE) in $(( ($(date +%s%N)-t0)/1000000 )) ms" >&2
  print_env
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) up ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
