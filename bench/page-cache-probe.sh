#!/usr/bin/env bash
# page-cache-probe.sh -- the experiment behind the "raw push got slower" caveat of docs/benchmarks.md (end to end):
# docker-registry's push of the same 1 GiB file (a) after 25 s without any page-cache frees, and (b) right after
# 3 GiB of just-written files were deleted (what an e2e iteration's deletions did before drop-behind). On a VM with
# free page reporting, (b) writes into recycled pages and (a) into pages the host took back.
# Env: WORK=/tmp/aar-probe  PAIRS=3  REG_PORT=35990. Needs what e2e.sh needs, plus python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
WORK=${WORK:-/tmp/aar-probe}; PAIRS=${PAIRS:-3}; REG_PORT=${REG_PORT:-35990}
bench_install_peers docker-registry
rm -rf "$WORK"; mkdir -p "$WORK/files"; cd "$WORK"
bench_make_certs "$WORK/certs"; export CERT=$WORK/certs/client.crt KEY=$WORK/certs/client.key
bench_registry_yml "$WORK" "$REG_PORT" > registry.yml
docker-registry serve registry.yml > registry.log 2>&1 & reg=$!
trap 'kill $reg 2>/dev/null; rm -rf "$WORK"' EXIT
bench_wait_port "$REG_PORT"
"$here/mkfile.sh" files/big.bin 1024 >/dev/null
push() {
  CACERT=$WORK/certs/server.crt "$here/blob_push.sh" "https://127.0.0.1:$REG_PORT" probe/big files/big.bin 1 \
    | sed -n 's/^push run 1: .* B in \([0-9.]*\) s.*/\1/p'
}
write_gib() {  # write_gib FILE -- 1 GiB in 256 KiB writes
  python3 - "$1" <<'PY'
import os, sys
buf = os.urandom(256 * 1024)
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
for _ in range(4096): os.write(fd, buf)
os.close(fd)
PY
}
for i in $(seq "$PAIRS"); do
  sleep 25; echo "RESULT pair=$i case=idle-25s push_s=$(push)"
  for k in 1 2 3; do write_gib "$WORK/f$k"; done; rm -f "$WORK"/f1 "$WORK"/f2 "$WORK"/f3
  echo "RESULT pair=$i case=after-3GiB-freed push_s=$(push)"
done
