#!/usr/bin/env bash
# Container test (docs/operations.md, "In a container"): builds packaging/Containerfile with podman from the aar
# package, runs the image with a data volume on a free loopback port, and checks that the registry serves as the
# user aar: 'aar status' and 'aar trust token create' through podman exec, and the mutual-TLS port answering a TLS
# handshake. No container registry is needed: unless BASE names an image that is already present, the base image is
# made from Debian's archive with debootstrap (minbase bookworm) and imported once.
# Needs root and podman, runc, debootstrap (apt-get install podman runc debootstrap). Safe to re-run.
# The base image it makes is kept (localhost/aar-test-debian-bookworm-minbase) for the next run; podman rmi removes it.
# Usage: packaging/test-container.sh [DEB_DIR]   (DEB_DIR: use an aar package built there instead of building)
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'test-container: %s\n' "$*"; }
fail() { printf 'test-container: FAILED: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then say "SKIPPED: needs root."; exit 0; fi
for tool in podman debootstrap openssl ss; do
  command -v "$tool" >/dev/null || { say "SKIPPED: $tool is not installed."; exit 0; }
done
base="${BASE:-localhost/aar-test-debian-bookworm-minbase}"
image=localhost/aar-test-registry
name="aar-test-$$"
volume="aar-test-data-$$"
# runc where installed: crun refuses a host with hybrid cgroups (v1 controllers plus a v2 hierarchy). The limits
# are given explicitly because podman's defaults may exceed what this host lets a process raise them to.
podman_run_flags=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
podman=(podman)
if command -v runc >/dev/null; then podman=(podman --runtime runc); fi

work="$(mktemp -d)"
cleanup() {
  "${podman[@]}" rm -f "$name" >/dev/null 2>&1 || true
  "${podman[@]}" volume rm -f "$volume" >/dev/null 2>&1 || true
  "${podman[@]}" rmi -f "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

debs="${1:-$work/debs}"
if [ -z "${1:-}" ]; then
  packaging/build-debs.sh "$debs" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "build-debs.sh"; }
fi
context="$work/context"
mkdir -p "$context"
cp "$(ls "$debs"/aar_*_amd64.deb | head -n1)" "$context/"

if ! "${podman[@]}" image exists "$base"; then
  say "making the base image $base from Debian's archive (debootstrap --variant=minbase bookworm)"
  debootstrap --variant=minbase bookworm "$work/rootfs" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap"; }
  tar -C "$work/rootfs" -c . | "${podman[@]}" import - "$base" >"$work/import.log" 2>&1
  rm -rf "$work/rootfs"
fi

# Host networking for the build's apt-get (Debian's archive), as for the debootstrap above.
"${podman[@]}" build "${podman_run_flags[@]}" --network host --build-arg "BASE=$base" -f packaging/Containerfile -t "$image" "$context" \
  >"$work/podman-build.log" 2>&1 || { cat "$work/podman-build.log" >&2; fail "podman build"; }
say "built $image from packaging/Containerfile on $base"

port=""
for candidate in $(shuf -i 20000-29999 -n 20); do
  if [ -z "$(ss -Hltn "sport = :$candidate")" ]; then port=$candidate; break; fi
done
[ -n "$port" ] || fail "no free port"
"${podman[@]}" run -d "${podman_run_flags[@]}" --name "$name" -p "127.0.0.1:$port:3000" -v "$volume:/var/lib/aar" "$image" >/dev/null
for _ in $(seq 300); do
  if "${podman[@]}" exec "$name" aar status >/dev/null 2>&1; then break; fi
  sleep 0.2
done
"${podman[@]}" exec "$name" aar status >"$work/status.txt" 2>&1 || { cat "$work/status.txt"; "${podman[@]}" logs "$name" >&2; fail "aar status in the container"; }
[ "$("${podman[@]}" exec "$name" id -un)" = aar ] || fail "the container does not run as aar"
"${podman[@]}" exec "$name" aar trust token create --expires 15m --name test >/dev/null || fail "aar trust token create"
# The registry answers a TLS handshake on the published port with its own certificate (the fingerprint AMS pins).
# Any client certificate completes the handshake (the registry decides per request).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=test-container \
  -keyout "$work/client.key" -out "$work/client.crt" 2>/dev/null
served="$(openssl s_client -connect "127.0.0.1:$port" -cert "$work/client.crt" -key "$work/client.key" </dev/null 2>/dev/null | openssl x509 -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)"
stored="$("${podman[@]}" exec "$name" cat /var/lib/aar/certs/server.crt | openssl x509 -outform DER | sha256sum | cut -d' ' -f1)"
[ -n "$served" ] && [ "$served" = "$stored" ] || fail "the TLS port did not present certs/server.crt"
say "container: runs as aar, 'aar status' and 'aar trust token create' work, port $port presents certs/server.crt"
"${podman[@]}" stop -t 30 "$name" >/dev/null
[ "$("${podman[@]}" inspect -f '{{.State.ExitCode}}' "$name")" = 0 ] || fail "the registry did not stop cleanly on SIGTERM"
say "1 passed, 0 failed"
