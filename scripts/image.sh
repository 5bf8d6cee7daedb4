#!/usr/bin/env bash
# `npm run image`: builds the serving image from container/ and prints its name,
# localhost/modelapi-serving:<content tag>, the tag the component gives the image it pushes to ECR, so
# both name the same files. An image already built from the same files is reused, not rebuilt.
#   scripts/image.sh [--rebuild] [NAME]     (NAME: the name to build, as local/image.ts computes it)
# Progress goes to stderr; stdout carries only the image name, for scripts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/image-lib.sh
. "$root/scripts/image-lib.sh"

rebuild=0
name=""
for arg in "$@"; do
  case $arg in
    --rebuild) rebuild=1 ;;
    -*) image_log "usage: scripts/image.sh [--rebuild] [NAME]"; exit 2 ;;
    *) name=$arg ;;
  esac
done

engine="$(image_engine)"
if [ -z "$engine" ]; then
  image_install_tools || exit 1
  engine=podman
fi

if [ -z "$name" ]; then
  name="$(cd "$root" && node -r ts-node/register/transpile-only local/image.ts --name)"
fi

if [ "$rebuild" = 0 ] && image_exists "$engine" "$name"; then
  image_log "$name is built already ($engine)"
  echo "$name"
  exit 0
fi

image_log "building $name from container/ with $engine (a first build downloads Debian's packages: minutes)"
started=$(date +%s)
if ! image_build "$engine" "$root/container" "$root/container/Dockerfile" "$name"; then
  image_log "the build failed (see above)"
  exit 1
fi
image_log "built $name in $(( $(date +%s) - started ))s"
echo "$name"
