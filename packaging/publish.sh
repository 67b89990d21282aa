#!/usr/bin/env bash
# Publishes one program for linux-x64 exactly as the Debian packages install it (build-debs.sh packages it,
# bench/cli-latency.sh measures it). Usage: packaging/publish.sh aar|amc|ams DIR
#   aar  DIR/aar: the admin CLI, Native AOT (no .NET needed, ~20 ms a command); 'aar serve' and 'aar migrate' exec
#        DIR/server/aar, the registry as a self-contained ReadyToRun build (JIT tiers and PGO for the transfer paths)
#   amc  DIR/amc: the AMS client, Native AOT
#   ams  DIR/ams: the management service, self-contained ReadyToRun
# Native AOT needs a C toolchain and zlib headers (gcc or clang, zlib1g-dev); the build fails on any trim or AOT
# warning (TreatWarningsAsErrors), so what is published has none.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: packaging/publish.sh aar|amc|ams DIR" >&2; exit 1; }
program=$1
dir=$2
common=(-nologo -v quiet -c Release -r linux-x64 -p:DebugType=none -p:PublishDocumentationFile=false
  -p:PublishReferencesDocumentationFiles=false)

native() { dotnet publish "src/$1/$1.csproj" "${common[@]}" -p:NativeCli=true -o "$2"; }
ready_to_run() {
  dotnet publish "src/$1/$1.csproj" "${common[@]}" --self-contained true -p:PublishReadyToRun=true -o "$2"
}

case "$program" in
  aar)
    native Aar.Cli "$dir"
    # The registry's SQLite library, copied beside every publish of the project; only the server build loads it.
    rm -f "$dir/libe_sqlite3.so"
    ready_to_run Aar.Cli "$dir/server"
    ;;
  amc) native Amc.Cli "$dir" ;;
  ams) ready_to_run Ams.Cli "$dir" ;;
  *) echo "publish.sh: unknown program '$program' (aar, amc or ams)" >&2; exit 1 ;;
esac
