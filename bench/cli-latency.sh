#!/usr/bin/env bash
# cli-latency.sh -- wall time of the no-op commands an operator types many times a day ('aar trust list',
# 'amc config show'), against a running registry and AMS on this machine, for three builds of the CLIs:
#   package    what the .deb packages install (packaging/publish.sh): Native AOT aar and amc
#   r2r        a self-contained ReadyToRun publish, what the packages installed before the CLIs were native
#   framework  the Release build in bin/ (framework-dependent, JIT at start), what the demo and the tests run
# Prints median, p90 and min in ms over RUNS runs (default 30) after 3 warm-ups, one line per build and command, and
# the load average before and after (the machine is shared: run it when the load is low, and repeat). LEVERS=1 adds
# the runtime knobs short of Native AOT on the ReadyToRun build, COMPOSITE=1 a composite ReadyToRun publish.
# Usage: bench/cli-latency.sh [OUT_FILE]   (OUT_FILE: also write the lines there, e.g. bench/results/...)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-30}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for project in Aar.Cli Amc.Cli Ams.Cli; do dotnet build "src/$project" -c Release -v quiet -nologo >/dev/null; done
packaging/publish.sh aar "$work/package/aar" >/dev/null
packaging/publish.sh amc "$work/package/amc" >/dev/null
for project in Aar.Cli Amc.Cli; do
  dotnet publish "src/$project/$project.csproj" -nologo -v quiet -c Release -r linux-x64 --self-contained true \
    -p:PublishReadyToRun=true -p:DebugType=none -o "$work/r2r" >/dev/null
  # COMPOSITE=1: also a composite ReadyToRun publish (the framework compiled with the program; slow to build).
  if [ "${COMPOSITE:-0}" = 1 ]; then
    dotnet publish "src/$project/$project.csproj" -nologo -v quiet -c Release -r linux-x64 --self-contained true \
      -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -p:DebugType=none \
      -o "$work/composite" >/dev/null
  fi
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
# Three trusted clients, so that 'aar trust list' prints a table with rows.
for name in one two three; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj "/CN=$name" -days 30 \
    2>/dev/null | "$fw_aar" trust add --name "$name" --quiet --data-dir "$work/aar"
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

load() { cut -d' ' -f1-3 /proc/loadavg; }
{
  echo "# cli-latency $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD) on $(nproc) cores, load average $(load)"
  measure "package   aar trust list" "$work/package/aar/aar" trust list --data-dir "$work/aar"
  measure "r2r       aar trust list" "$work/r2r/aar" trust list --data-dir "$work/aar"
  measure "framework aar trust list" "$fw_aar" trust list --data-dir "$work/aar"
  measure "package   amc config show" "$work/package/amc/amc" config show --data-dir "$work/ams"
  measure "r2r       amc config show" "$work/r2r/amc" config show --data-dir "$work/ams"
  measure "framework amc config show" "$fw_amc" config show --data-dir "$work/ams"
  measure "package   aar --version" "$work/package/aar/aar" --version
  measure "r2r       aar --version" "$work/r2r/aar" --version
  measure "framework aar --version" "$fw_aar" --version
  if [ "${LEVERS:-0}" = 1 ]; then
    measure "r2r TieredPGO=0  amc config show" env DOTNET_TieredPGO=0 "$work/r2r/amc" config show --data-dir "$work/ams"
    measure "r2r TC=0         amc config show" env DOTNET_TieredCompilation=0 "$work/r2r/amc" config show --data-dir "$work/ams"
    measure "r2r QJFL=0       amc config show" env DOTNET_TC_QuickJitForLoops=0 "$work/r2r/amc" config show --data-dir "$work/ams"
    measure "r2r ReadyToRun=0 amc config show" env DOTNET_ReadyToRun=0 "$work/r2r/amc" config show --data-dir "$work/ams"
  fi
  if [ "${COMPOSITE:-0}" = 1 ]; then
    measure "r2r composite    amc config show" "$work/composite/amc" config show --data-dir "$work/ams"
    measure "r2r composite    aar trust list" "$work/composite/aar" trust list --data-dir "$work/aar"
  fi
  echo "# load average after: $(load)"
} | tee "${1:-/dev/null}"
