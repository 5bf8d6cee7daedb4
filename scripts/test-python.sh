#!/usr/bin/env bash
# Runs the serving container's pytest suite with Debian's Python, where python3-sklearn and friends live.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${MODELAPI_PYTHON:-/usr/bin/python3}
cd "$root"
"$python" -m pytest container/tests -q -p no:cacheprovider "$@"
status=$?
# pytest's 5 means it collected nothing: a suite that ran no test has not passed.
if [[ $status -eq 5 ]]; then
  echo "no Python tests were collected" >&2
  exit 1
fi
exit $status
