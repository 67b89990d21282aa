#!/usr/bin/env bash
# The main job on this machine's embedded defaults: builds everything, starts a registry (aar) and two management
# services (ams) on 127.0.0.1 — a publisher and a client — connects the publisher the seed's manual way and the
# client with a one-step join token, creates and publishes a sample application generated on the fly, and shows it
# arriving on the client as `ready`. Everything lives under .demo/ in the repository; nothing is installed.
# The three daemons keep running until Ctrl-C, which stops them cleanly (DEMO_EXIT=1: stop at the end instead).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/.demo"
port="${DEMO_PORT:-3000}"

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

echo "Building (Release)…"
dotnet build Aar.slnx --configuration Release -nologo -v quiet >/dev/null
bin="$PWD/src"
aar_bin="$bin/Aar.Cli/bin/Release/net10.0/aar"
ams_bin="$bin/Ams.Cli/bin/Release/net10.0/ams"
amc_bin="$bin/Amc.Cli/bin/Release/net10.0/amc"
registry="$root/registry"; publisher="$root/publisher"; client="$root/client"

aar() { step "aar $*"; "$aar_bin" --data-dir "$registry" "$@"; }
pub() { step "amc $*   (publisher)"; "$amc_bin" --data-dir "$publisher" "$@"; }
cli() { step "amc $*   (client)"; "$amc_bin" --data-dir "$client" "$@"; }

for dir in "$registry" "$publisher" "$client"; do
  if [ -S "$dir/unix.socket" ] && { "$aar_bin" --data-dir "$dir" trust list >/dev/null 2>&1 || "$amc_bin" --data-dir "$dir" config show >/dev/null 2>&1; }; then
    echo "A demo is already running (socket $dir/unix.socket answers); stop it first with Ctrl-C in its terminal." >&2
    exit 1
  fi
done
rm -rf "$root"; mkdir -p "$root"

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo; echo "Registry and both AMS stopped (data kept in .demo/)."
}
trap stop_all EXIT
wait_socket() {
  for _ in $(seq 200); do [ -S "$1/unix.socket" ] && return 0; sleep 0.1; done
  echo "$2 did not start; its log:" >&2; cat "$root/$2.log" >&2; exit 1
}

bold "1. Start a registry and two management services (logs in .demo/*.log)"
step "aar serve --listen 127.0.0.1:$port"
"$aar_bin" serve --data-dir "$registry" --listen "127.0.0.1:$port" 2>"$root/registry.log" & pids+=($!)
step "ams serve   (publisher, amd64)"
"$ams_bin" serve --data-dir "$publisher" --architecture amd64 2>"$root/publisher.log" & pids+=($!)
step "ams serve   (client, amd64)"
"$ams_bin" serve --data-dir "$client" --architecture amd64 2>"$root/client.log" & pids+=($!)
wait_socket "$registry" registry; wait_socket "$publisher" publisher; wait_socket "$client" client

bold "2. Register the publisher by hand, as the seed document does"
pub config trust add "$registry/certs/server.crt"
pub config trust list
fingerprint=$("$amc_bin" --data-dir "$publisher" config trust list --format json | grep -o '"fingerprint": *"[0-9a-f]*"' | head -n1 | grep -o '[0-9a-f]\{64\}')
pub config set registry.url "https://127.0.0.1:$port"
pub config set registry.fingerprint "$fingerprint"
pub config set registry.update_interval 5m
pub config set registry.mode push
step "cat client.crt | aar trust add --publisher --name publisher-amd64   (the publisher's <data>/registry/client.crt)"
"$aar_bin" --data-dir "$registry" trust add --publisher --name publisher-amd64 < "$publisher/registry/client.crt"

bold "3. Register the client in one step with a join token"
step "aar trust token create --expires 15m --name client-amd64"
token=$("$aar_bin" --data-dir "$registry" trust token create --expires 15m --name client-amd64)
echo "$token"
cli registry join "$token"
aar trust list

bold "4. Create and publish a sample application on the publisher"
mkdir -p "$root/sample/extra-data"
cat > "$root/sample/manifest.yaml" <<'YAML'
name: sample
version: "1.0"
instance-type: a2.3
boot-package: com.example.sample
tags: [demo]
extra-data:
  game.obb:
    target: /sdcard/Android/obb/com.example.sample
YAML
head -c 8388608 /dev/urandom > "$root/sample/extra-data/game.obb"
pub application create "$root/sample"
pub application publish sample 0
pub registry sync --wait

bold "5. The client pulls it: ready and immutable"
cli registry sync --wait
cli application ls
cli application show sample --format yaml | sed -n '1,12p'
aar application list

cat <<INFO

Everything is running:
  registry   https://127.0.0.1:$port   data $registry
  publisher  amc --data-dir $publisher …   (registry.mode push)
  client     amc --data-dir $client …      (registry.mode pull)
Poke them from another terminal, e.g.:
  $amc_bin --data-dir $client registry status
  $amc_bin --data-dir $publisher application ls
  $aar_bin --data-dir $registry trust list --format json
INFO
if [ "${DEMO_EXIT:-0}" = "1" ]; then exit 0; fi
echo "Press Ctrl-C to stop them."
wait "${pids[0]}"
