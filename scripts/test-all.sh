#!/usr/bin/env bash
# Runs every test suite (the TypeScript type check and mocha tests, the container's pytest suite, the image test),
# keeps going after a failure so one run shows everything, and ends with one summary line.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

passed=0 failed=0 skipped=0 broken=()

count() { grep -Eo "[0-9]+ $1" "$2" | tail -n 1 | grep -Eo '^[0-9]+' || echo 0; }

run_suite() {
  local name=$1; shift
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$logs/$name.log"
  local status=${PIPESTATUS[0]}
  if [[ $name == mocha ]]; then
    passed=$((passed + $(count passing "$logs/$name.log")))
    failed=$((failed + $(count failing "$logs/$name.log")))
    skipped=$((skipped + $(count pending "$logs/$name.log")))
  else
    passed=$((passed + $(count passed "$logs/$name.log")))
    failed=$((failed + $(count failed "$logs/$name.log")))
    skipped=$((skipped + $(count skipped "$logs/$name.log")))
  fi
  [[ $status -ne 0 ]] && broken+=("$name (exit $status)")
  return 0
}

# mocha runs TypeScript transpile-only, so the type check is its own step.
run_suite typecheck npx tsc -p tsconfig.json --noEmit
run_suite mocha npx mocha
run_suite pytest bash scripts/test-python.sh
run_suite image bash container/test-image.sh

echo
if [[ ${#broken[@]} -gt 0 ]]; then
  echo "failed suites: ${broken[*]}"
  # A suite that crashed before counting still fails the run.
  [[ $failed -eq 0 ]] && failed=1
fi
echo "total: $passed passed, $failed failed, $skipped skipped"
[[ ${#broken[@]} -eq 0 && $failed -eq 0 ]]
