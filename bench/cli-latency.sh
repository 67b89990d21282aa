#!/usr/bin/env bash
# cli-latency.sh -- wall time of the no-op commands an operator types many times a day ('aar trust list',
# 'amc config show'), against a running registry and AMS on this machine, for two builds of the CLIs:
#   framework  the Release build in bin/ (framework-dependent, JIT at start), what the demo and the tests run
#   r2r        a self-contained ReadyToRun publish for linux-x64, what the .deb packages install
# Prints median, p90 and min in ms over RUNS runs (default 30) after 3 warm-up runs, one line per build and command.
# Usage: bench/cli-latency.sh [OUT_FILE]   (OUT_FILE: also write the lines there, e.g. bench/results/...)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-30}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dotnet build Aar.slnx -c Release -v quiet -nologo >/dev/null
for project in Aar.Cli Amc.Cli Ams.Cli; do
  dotnet publish "src/$project/$project.csproj" -nologo -v quiet -c Release -r linux-x64 --self-contained true \
    -p:PublishReadyToRun=true -p:DebugType=none -o "$work/r2r" >/dev/null
done
fw_aar=src/Aar.Cli/bin/Release/net10.0/aar
fw_amc=src/Amc.Cli/bin/Release/net10.0/amc

# One registry and one AMS, started from the framework build (the daemons are not what is measured).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
src/Aar.Cli/bin/Release/net10.0/aar serve --data-dir "$work/aar" --listen "127.0.0.1:$port" 2>"$work/aar.log" & pids+=($!)
src/Ams.Cli/bin/Release/net10.0/ams serve --data-dir "$work/ams" 2>"$work/ams.log" & pids+=($!)
for socket in "$work/aar/unix.socket" "$work/ams/unix.socket"; do
  for _ in $(seq 300); do [ -S "$socket" ] && break; sleep 0.1; done
  [ -S "$socket" ] || { echo "a daemon did not start" >&2; cat "$work"/*.log >&2; exit 1; }
done

# measure LABEL COMMAND... -- RUNS timed runs after 3 warm-ups; prints "LABEL median p90 min" in ms.
measure() {
  local label=$1; shift
  local i start end times=()
  for i in 1 2 3; do "$@" >/dev/null; done
  for i in $(seq "$runs"); do
    start=$(date +%s%N); "$@" >/dev/null; end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" '{ t[NR] = $1 } END {
    printf "%-32s median %4d ms   p90 %4d ms   min %4d ms   (%d runs)\n", label, t[int((NR + 1) / 2)], t[int(NR * 0.9 + 0.5)], t[1], NR }'
}

{
  echo "# cli-latency $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD) on $(nproc) cores"
  measure "framework aar trust list" "$fw_aar" trust list --data-dir "$work/aar"
  measure "r2r       aar trust list" "$work/r2r/aar" trust list --data-dir "$work/aar"
  measure "framework amc config show" "$fw_amc" config show --data-dir "$work/ams"
  measure "r2r       amc config show" "$work/r2r/amc" config show --data-dir "$work/ams"
  measure "framework aar --version" "$fw_aar" --version
  measure "r2r       aar --version" "$work/r2r/aar" --version
} | tee "${1:-/dev/null}"
