#!/usr/bin/env bash
# The main job on this machine's embedded defaults: builds everything, starts a registry on 127.0.0.1, enrols a
# publisher and a client certificate, and shows the trust model working over real mutual TLS. Everything lives under
# .demo/ in the repository; nothing is installed. The registry keeps running until Ctrl-C (DEMO_EXIT=1: stop at the
# end instead).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/.demo"
port="${DEMO_PORT:-3000}"
for tool in openssl curl; do
  command -v "$tool" >/dev/null || { echo "The demo needs $tool: apt-get install -y $tool" >&2; exit 1; }
done

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
aar_() { step "aar $*"; "$aar" "$@"; }

echo "Building (Release)..."
dotnet build Aar.slnx --configuration Release -nologo -v quiet >/dev/null
aar="$PWD/src/Aar.Cli/bin/Release/net10.0/aar"
export AAR_DATA_DIR="$root/registry"

if [ -S "$AAR_DATA_DIR/unix.socket" ] && "$aar" trust list >/dev/null 2>&1; then
  echo "A demo registry is already running with $AAR_DATA_DIR; stop it first (Ctrl-C in its terminal)." >&2
  exit 1
fi
rm -rf "$root"; mkdir -p "$root/publisher" "$root/client"

step "aar serve --listen 127.0.0.1:$port   (data dir $AAR_DATA_DIR, logs in .demo/registry.log)"
"$aar" serve --listen "127.0.0.1:$port" 2>"$root/registry.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; echo; echo "Registry stopped."' EXIT
for _ in $(seq 100); do [ -S "$AAR_DATA_DIR/unix.socket" ] && break; sleep 0.1; done
[ -S "$AAR_DATA_DIR/unix.socket" ] || { cat "$root/registry.log"; exit 1; }
server_fp=$(openssl x509 -in "$AAR_DATA_DIR/certs/server.crt" -outform der | sha256sum | cut -d' ' -f1)
echo "registry up; server certificate fingerprint $server_fp"

# Until the AMS daemon makes them, the two "AMS" certificates are made with openssl (leaf, not CA).
for who in publisher client; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj "/CN=ams-$who" \
    -addext basicConstraints=critical,CA:FALSE -keyout "$root/$who/client.key" -out "$root/$who/client.crt" 2>/dev/null
done
call() { # call <who> <method> <path>
  curl -sS -X "$2" --cacert "$AAR_DATA_DIR/certs/server.crt" --cert "$root/$1/client.crt" --key "$root/$1/client.key" \
    "https://127.0.0.1:$port$3"; echo
}

step "curl … https://127.0.0.1:$port/1.0   (the client is not trusted yet)"; call client GET /1.0
step "cat client.crt | aar trust add"; "$aar" trust add < "$root/client/client.crt"
aar_ trust add --publisher "$root/publisher/client.crt"
aar_ trust list
step "curl … /1.0 as the client"; call client GET /1.0
step "curl -X POST … as the client (read-only role)"; call client POST /1.0/applications
client_fp=$(openssl x509 -in "$root/client/client.crt" -outform der | sha256sum | cut -c1-12)
aar_ trust revoke --yes "$client_fp"
step "curl … /1.0 as the revoked client"; call client GET /1.0
step "cat client.crt | aar trust add   (a revoked certificate can never come back)"; "$aar" trust add < "$root/client/client.crt" || true
aar_ trust list --revoked

cat <<INFO

The registry is running: https://127.0.0.1:$port (server fingerprint $server_fp).
Poke it from another terminal:
  export AAR_DATA_DIR=$AAR_DATA_DIR
  $aar trust list --format json
  curl --cacert \$AAR_DATA_DIR/certs/server.crt --cert $root/publisher/client.crt --key $root/publisher/client.key https://127.0.0.1:$port/1.0
INFO
if [ "${DEMO_EXIT:-0}" = "1" ]; then exit 0; fi
echo "Press Ctrl-C to stop it."
wait $server
