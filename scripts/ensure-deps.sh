#!/usr/bin/env bash
# Installs what ModelApi needs on this machine, so that `npm start` and `npm test` work from a fresh clone.
#   runtime: npm packages + the Debian packages the model server runs on (container/apt-packages.txt)
#   test:    runtime + the container's test packages (container/apt-packages-test.txt)
#            + the image tools the image test needs (buildah, podman, debootstrap, ...)
#            + chromium for the API docs browser test + flake8, black and mypy for the Python lint
#            + boto3 and the AWS CLI, which the twin's tests call its runtime with
#   bench:   runtime + what the container's benchmarks need (container/bench/apt-packages-bench.txt)
#            + the container's test packages, whose request corpus and helpers the benchmarks reuse
# Installs only what is missing; says exactly what to install when it cannot (not root, no sudo).
set -euo pipefail
mode=${1:-runtime}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

log() { printf '[modelapi] %s\n' "$*" >&2; }

ensure_npm() {
  local stamp=node_modules/.modelapi-lock.sha256
  local want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    return
  fi
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
}

package_list() {
  grep -v '^\s*#' "$1" | tr -s ' \t' '\n' | sed '/^$/d'
}

debian_packages() {
  package_list container/apt-packages.txt
  if [[ $mode == test ]]; then
    package_list container/apt-packages-test.txt
    printf '%s\n' buildah podman debootstrap fuse-overlayfs slirp4netns uidmap runc
    # The browser test drives Debian's Chromium through playwright-core (no browser download).
    printf '%s\n' chromium
    # Python lint, format and type checks (scripts/lint.sh)
    printf '%s\n' flake8 black mypy
    # The twin's runtime called as docs/local.md shows, with boto3 and the AWS CLI (test/local/twin.test.ts)
    printf '%s\n' python3-boto3 awscli
  fi
  if [[ $mode == bench ]]; then
    package_list container/bench/apt-packages-bench.txt
    # reliability.py and process_model.py import from container/tests (the HTTP corpus, conftest's helpers).
    package_list container/apt-packages-test.txt
  fi
}

ensure_debian() {
  local missing=()
  local pkg
  while read -r pkg; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done < <(debian_packages)
  [[ ${#missing[@]} -eq 0 ]] && return
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo)
    else
      log "missing Debian packages: ${missing[*]}"
      log "install them with: sudo apt-get install -y ${missing[*]}"
      exit 1
    fi
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    # A fresh machine has no package lists yet; fetch them once and try again.
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

case $mode in
  runtime|test|bench) ;;
  *) log "usage: ensure-deps.sh runtime|test|bench"; exit 2 ;;
esac
ensure_debian
ensure_npm
