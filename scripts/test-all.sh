#!/usr/bin/env bash
# Runs every test suite (the TypeScript type check and mocha tests, the container's pytest suite, the image test,
# lint and format checks for both languages),
# keeps going after a failure so one run shows everything, and ends with one summary line.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# The fewest tests each suite must pass, a little under what it passes today, so that a suite that quietly
# shrinks (a stray .only, a test file no longer matched, a module that stops being collected) fails the run.
# When you add tests, raise the suite's number to a little under its new "N passed"/"N passing" count;
# lower one only in the change that removes tests, and say why there.
declare -A minimum=([mocha]=990 [pytest]=1130 [image]=19 [lint]=5)

passed=0 failed=0 skipped=0 broken=()

count() { grep -Eo "[0-9]+ $1" "$2" | tail -n 1 | grep -Eo '^[0-9]+' || echo 0; }
# Mocha's summary lines start with the number; a test's title may hold "202 pending" too.
count_summary() { grep -Eo "^ *[0-9]+ $1" "$2" | tail -n 1 | grep -Eo '[0-9]+' || echo 0; }

run_suite() {
  local name=$1; shift
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$logs/$name.log"
  count_suite "$name" "${PIPESTATUS[0]}"
}

# A suite run beside another: its output is kept in its log and printed by report_suite once it is done.
run_beside() {
  local name=$1; shift
  echo "$*" > "$logs/$name.command"
  "$@" > "$logs/$name.log" 2>&1
  echo $? > "$logs/$name.status"
}

report_suite() {
  local name=$1
  echo "=== $name: $(cat "$logs/$name.command") (ran beside mocha)"
  cat "$logs/$name.log"
  # no status: the suite never finished (killed), which fails the run
  count_suite "$name" "$(cat "$logs/$name.status" 2>/dev/null || echo 255)"
}

count_suite() {
  local name=$1 status=$2
  local words=(passed failed skipped)
  [[ $name == mocha ]] && words=(passing failing pending)
  local p f s
  local counter=count
  [[ $name == mocha ]] && counter=count_summary
  p=$($counter "${words[0]}" "$logs/$name.log")
  f=$($counter "${words[1]}" "$logs/$name.log")
  s=$($counter "${words[2]}" "$logs/$name.log")
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  [[ $status -ne 0 ]] && broken+=("$name (exit $status)")
  local least=${minimum[$name]:-}
  # A skipped image test has already said so in a banner and counts as skipped; CI never skips it.
  if [[ -n $least && $p -lt $least ]] && ! grep -q "IMAGE TEST SKIPPED" "$logs/$name.log"; then
    echo "$name passed $p tests, fewer than its minimum of $least (scripts/test-all.sh)" >&2
    broken+=("$name (passed $p < minimum $least)")
  fi
  return 0
}

# mocha runs TypeScript transpile-only, so the type check is its own step.
run_suite typecheck npm run -s typecheck
# pytest and the image test share nothing with mocha but the CPU, and mocha spends much of its time waiting
# on child processes: they run beside it, one after the other, which saves their whole time (about 6 minutes).
( run_beside pytest bash scripts/test-python.sh; run_beside image bash container/test-image.sh ) &
beside=$!
# a background job ignores Ctrl-C: stopping the run stops the whole process group, that job included
trap 'trap - INT TERM; kill 0' INT TERM
run_suite mocha npm run -s test:ts
wait "$beside"
report_suite pytest
report_suite image
run_suite lint bash scripts/lint.sh

echo
if [[ ${#broken[@]} -gt 0 ]]; then
  echo "failed suites: ${broken[*]}"
  # A suite that crashed before counting still fails the run.
  [[ $failed -eq 0 ]] && failed=1
fi
echo "total: $passed passed, $failed failed, $skipped skipped"
[[ ${#broken[@]} -eq 0 && $failed -eq 0 ]]
