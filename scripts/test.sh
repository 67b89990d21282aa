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
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" --configuration Release --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=$?
done

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
