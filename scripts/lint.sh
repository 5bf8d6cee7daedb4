#!/usr/bin/env bash
# Lint and format checks for both languages, as `npm test` and CI run them:
#   TypeScript: ESLint (typescript-eslint) and Prettier; Python: flake8, black and mypy (Debian's packages).
# `npm run format` rewrites what the format checks would refuse.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# One line length for both languages; Prettier reads its own from .prettierrc.json.
PY_LINE_LENGTH=120
python_sources=(container local/train_example.py)

passed=0 failed=0
check() {
    local name=$1; shift
    if "$@"; then
        echo "ok: $name"
        passed=$((passed + 1))
    else
        echo "FAILED: $name ($*)"
        failed=$((failed + 1))
    fi
}

if [[ ${1:-} == --fix ]]; then
    npx prettier --log-level warn --write .
    black --quiet -l "$PY_LINE_LENGTH" "${python_sources[@]}"
    exit 0
fi

check eslint npx eslint --max-warnings 0 .
check prettier npx prettier --log-level warn --check .
# E203 (space before ":" in slices) is how black formats them; flake8 would refuse black's own output.
check flake8 flake8 --max-line-length "$PY_LINE_LENGTH" --extend-ignore E203 "${python_sources[@]}"
check black black --quiet --check -l "$PY_LINE_LENGTH" "${python_sources[@]}"
# The model server's type hints (configuration and the modules held to full typing: container/mypy.ini).
check mypy mypy --config-file container/mypy.ini container/modelapi_serving
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
