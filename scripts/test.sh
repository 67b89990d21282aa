#!/usr/bin/env bash
# Runs every test in the solution and ends with one line: "N passed, N failed, N skipped", summed from the TRX
# result files of all test projects (the real results, not the runner's console text).
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Trust").
set -uo pipefail
cd "$(dirname "$0")/.."

results="TestResults"
rm -rf "$results"
status=0
if ! dotnet build Aar.slnx --configuration Release; then
  echo "The build failed; no test ran." >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# One TRX file per test project, named after it: `dotnet test <solution>` names them by timestamp, and two
# projects finishing in the same second would overwrite each other's results.
shared=no
if [ "${AAR_SHARED_BACKENDS:-auto}" != off ] && bash scripts/ci/services.sh available; then shared=yes; fi

for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  filter=()
  # The scale-out tests run in the second pass, where their services are up.
  [ "$name" = EndToEnd.Tests ] && [ "$shared" = yes ] && filter=(--filter "FullyQualifiedName!~ScaleOut")
  dotnet test "$project" --configuration Release --no-build "${filter[@]}" --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=$?
done

# Second pass: the registry's integration suite again on the shared backends of a scale-out registry (PostgreSQL +
# S3 on a real radosgw), and the scale-out end-to-end tests (two nodes behind HAProxy) with them. The services are
# started here when their programs are installed (.ci/run installs them); otherwise the pass is left out and the
# scale-out tests report themselves skipped, saying what to install.
if [ "$shared" = yes ]; then
  if services_env=$(bash scripts/ci/services.sh start); then
    eval "$services_env"
    trap 'bash scripts/ci/services.sh stop >/dev/null 2>&1' EXIT
    for project in tests/Aar.Server.Tests/Aar.Server.Tests.csproj tests/Aar.Cli.Tests/Aar.Cli.Tests.csproj; do
      name=$(basename "$project" .csproj).shared
      dotnet test "$project" --configuration Release --no-build --filter "Backend!=Embedded" \
        --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=$?
    done
    dotnet test tests/EndToEnd.Tests/EndToEnd.Tests.csproj --configuration Release --no-build --filter "FullyQualifiedName~ScaleOut" \
      --logger "trx;LogFileName=EndToEnd.Tests.scale-out.trx" --results-directory "$results" "$@" || status=$?
  else
    bash scripts/ci/services.sh stop >/dev/null 2>&1
    echo "PostgreSQL or radosgw did not start (see above); the shared-backend pass did not run." >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
else
  echo "Note: PostgreSQL, Ceph radosgw or HAProxy is not installed, so the shared-backend pass was left out and the" >&2
  echo "scale-out tests are skipped. bash .ci/run installs them (apt: postgresql radosgw ceph-mon ceph-osd haproxy)." >&2
fi

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done

if [ "$files" -eq 0 ]; then
  echo "No test results were written (the build probably failed; see above)." >&2
  echo "0 passed, 1 failed"
  exit 1
fi

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  exit "$status"
fi
[ "$failed" -eq 0 ]
