#!/usr/bin/env bash
# Image test: build the unchanged container/Dockerfile, run it the way SageMaker
# does (`IMAGE serve`, the model mounted read-only at /opt/ml/model), then check
# /ping and a prediction against the fitted model's own output.
#
# Uses Docker when a daemon answers, else buildah + podman (see
# BUILDING-IMAGES.md), with all image storage in a temporary directory that is
# removed afterwards. Without either it prints a SKIPPED banner and exits 0,
# unless CI=true or MODELAPI_REQUIRE_IMAGE_TEST=1: then it installs buildah and
# podman (as root) and fails if the test cannot run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
CACHE="${MODELAPI_CACHE_DIR:-/var/cache/modelapi}"
TAG="localhost/modelapi-serving:test"
STARTED=$(date +%s)
REQUIRE=0
if [ "${CI:-}" = "true" ] || [ "${MODELAPI_REQUIRE_IMAGE_TEST:-}" = "1" ]; then REQUIRE=1; fi

log() { printf '[test-image] %s\n' "$*" >&2; }

finish() {  # passed failed
  log "took $(( $(date +%s) - STARTED ))s"
  echo "$1 passed, $2 failed"
}

skip() {
  printf '\n%s\n' "################################################################"
  printf '%s\n' "# IMAGE TEST SKIPPED: $*"
  printf '%s\n\n' "################################################################"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
}

fail() {
  trap - ERR
  log "FAILED: $*"
  finish 0 1
  exit 1
}
trap 'fail "unexpected error at line $LINENO"' ERR

# -- choose the engine -----------------------------------------------------------
ENGINE=""
if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
  ENGINE=docker
elif command -v buildah >/dev/null 2>&1 && command -v podman >/dev/null 2>&1; then
  ENGINE=podman
elif [ "$REQUIRE" = 1 ]; then
  [ "$(id -u)" = 0 ] || fail "buildah/podman are missing and installing them needs root"
  log "installing buildah, podman and debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update && apt-get install -y buildah podman debootstrap fuse-overlayfs slirp4netns uidmap runc; } >&2 \
    || fail "could not install buildah/podman"
  ENGINE=podman
else
  skip "no Docker daemon and no buildah/podman on this machine (set CI=true or MODELAPI_REQUIRE_IMAGE_TEST=1 to install them and run)"
fi
log "engine: $ENGINE"

WORK="$(mktemp -d /tmp/modelapi-image-test.XXXXXX)"
CONTAINER_NAME="modelapi-image-test-$$"
cleanup() {
  set +e
  if [ "$ENGINE" = docker ]; then
    docker rm -f "$CONTAINER_NAME" >/dev/null 2>&1
    docker rmi "$TAG" >/dev/null 2>&1
  else
    podman "${STORE[@]}" rm -f "$CONTAINER_NAME" >/dev/null 2>&1
    podman "${STORE[@]}" rmi -af >/dev/null 2>&1
    # overlay mounts must go before the directory can
    grep -o "$WORK/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
STORE=(--root "$WORK/storage" --runroot "$WORK/run")

# -- the model: fitted here, so the expected answer is the model's own -----------
mkdir -p "$WORK/model"
EXPECTED="$($PY - "$WORK/model/model.joblib" <<'EOF'
import json, sys
import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=1000).fit(X, y)
joblib.dump(model, sys.argv[1])
rows = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3]]
print(json.dumps({"predictions": model.predict(rows).tolist()}, separators=(",", ":")))
EOF
)"
# the image runs unprivileged: the mounted model must be readable by anyone
chmod 755 "$WORK" "$WORK/model"
chmod 644 "$WORK/model/model.joblib"
REQUEST='{"instances": [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3]]}'
PORT="$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# -- build -----------------------------------------------------------------------
T0=$(date +%s)
if [ "$ENGINE" = docker ]; then
  docker build -t "$TAG" "$HERE" >&2 || fail "docker build failed"
else
  if ! podman "${STORE[@]}" image exists docker.io/library/debian:bookworm-slim 2>/dev/null; then
    # no registry here: a debootstrap'd bookworm stands in for debian:bookworm-slim, cached between runs
    MIRROR="$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
    MIRROR="${MIRROR:-http://deb.debian.org/debian}"
    mkdir -p "$CACHE" 2>/dev/null && [ -w "$CACHE" ] || CACHE="$WORK/cache"
    BASE_TAR="$CACHE/debian-bookworm-minbase.tar"
    if [ ! -s "$BASE_TAR" ]; then
      command -v debootstrap >/dev/null || fail "debootstrap is needed to make the base image"
      [ "$(id -u)" = 0 ] || fail "making the debootstrap base image needs root (or docker with debian:bookworm-slim)"
      log "debootstrap bookworm from $MIRROR (cached in $BASE_TAR)"
      mkdir -p "$CACHE"
      ROOTFS="$WORK/rootfs"
      debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
        || { tail -20 "$WORK/debootstrap.log" >&2; fail "debootstrap failed"; }
      rm -f "$ROOTFS/etc/apt/sources.list"
      if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        cp /etc/apt/sources.list.d/debian.sources "$ROOTFS/etc/apt/sources.list.d/"
      else
        echo "deb $MIRROR bookworm main" >"$ROOTFS/etc/apt/sources.list"
      fi
      rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb
      tar --numeric-owner --xattrs -C "$ROOTFS" -cf "$BASE_TAR.partial" .
      mv "$BASE_TAR.partial" "$BASE_TAR"
      rm -rf "$ROOTFS"
    fi
    podman "${STORE[@]}" import --change 'CMD ["bash"]' "$BASE_TAR" docker.io/library/debian:bookworm-slim \
      >"$WORK/import.log" 2>&1 || { cat "$WORK/import.log" >&2; fail "could not import the base image"; }
  fi
  log "building $HERE/Dockerfile"
  buildah "${STORE[@]}" bud --isolation=chroot --pull=never -t "$TAG" "$HERE" >"$WORK/build.log" 2>&1 \
    || { tail -30 "$WORK/build.log" >&2; fail "buildah bud failed"; }
fi
if [ "$ENGINE" = docker ]; then SIZE="$(docker image inspect -f '{{.Size}}' "$TAG")"
else SIZE="$(podman "${STORE[@]}" image inspect -f '{{.Size}}' "$TAG")"; fi
log "built in $(( $(date +%s) - T0 ))s, image size $(( SIZE / 1048576 )) MiB"

# -- run as SageMaker does ---------------------------------------------------------
if [ "$ENGINE" = docker ]; then
  docker run -d --name "$CONTAINER_NAME" -p "127.0.0.1:$PORT:8080" \
    -v "$WORK/model:/opt/ml/model:ro" "$TAG" serve >/dev/null || fail "docker run failed"
  logs() { docker logs "$CONTAINER_NAME" 2>&1 | tail -30; }
  LABEL="$(docker image inspect -f '{{index .Config.Labels "com.amazonaws.sagemaker.capabilities.multi-models"}}' "$TAG")"
else
  HARD_NOFILE="$(ulimit -Hn)"
  podman "${STORE[@]}" run -d --name "$CONTAINER_NAME" --runtime runc \
    --ulimit "nofile=$HARD_NOFILE:$HARD_NOFILE" --ulimit nproc=32768:32768 \
    -p "127.0.0.1:$PORT:8080" -v "$WORK/model:/opt/ml/model:ro" "$TAG" serve >/dev/null 2>"$WORK/run.err" \
    || { cat "$WORK/run.err" >&2; fail "podman run failed"; }
  logs() { podman "${STORE[@]}" logs "$CONTAINER_NAME" 2>&1 | tail -30; }
  LABEL="$(podman "${STORE[@]}" image inspect -f '{{index .Config.Labels "com.amazonaws.sagemaker.capabilities.multi-models"}}' "$TAG")"
fi

PING=""
for _ in $(seq 300); do
  PING="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/ping" || true)"
  [ "$PING" = 200 ] && break
  sleep 0.1
done
[ "$PING" = 200 ] || { logs >&2; fail "/ping answered ${PING:-nothing}, expected 200"; }
log "/ping 200"

ANSWER="$(curl -s -H 'Content-Type: application/json' -d "$REQUEST" "http://127.0.0.1:$PORT/invocations" || true)"
[ "$ANSWER" = "$EXPECTED" ] || { logs >&2; fail "prediction was '$ANSWER', the model itself says '$EXPECTED'"; }
log "prediction matches the model's own: $ANSWER"

[ "$LABEL" = "true" ] || fail "image lacks the multi-models capability label"

# the libraries users' models need import in the image (scipy's build-only dependencies are left out)
IMPORTS='import scipy.optimize, scipy.stats, scipy.interpolate, sklearn.ensemble, sklearn.svm, xgboost, joblib, uvloop; import os; print(os.getuid())'
if [ "$ENGINE" = docker ]; then
  UID_IN="$(docker run --rm --entrypoint python3 "$TAG" -c "$IMPORTS" 2>&1)" || { echo "$UID_IN" >&2; fail "libraries do not import in the image"; }
else
  UID_IN="$(podman "${STORE[@]}" run --rm --runtime runc --ulimit "nofile=$HARD_NOFILE:$HARD_NOFILE" \
    --ulimit nproc=32768:32768 --entrypoint python3 "$TAG" -c "$IMPORTS" 2>&1)" \
    || { echo "$UID_IN" >&2; fail "libraries do not import in the image"; }
fi
[ "$UID_IN" = 10001 ] || fail "the server should run as uid 10001, runs as '$UID_IN'"
log "scipy, scikit-learn, xgboost import; runs as uid $UID_IN"

# SIGTERM (what `docker stop` sends) must stop it promptly
T0=$(date +%s%N)
if [ "$ENGINE" = docker ]; then docker stop -t 10 "$CONTAINER_NAME" >/dev/null
else podman "${STORE[@]}" stop -t 10 "$CONTAINER_NAME" >/dev/null; fi
STOP_MS=$(( ($(date +%s%N) - T0) / 1000000 ))
logs | grep -E "stopping|stopped" >&2 || true
[ "$STOP_MS" -lt 5000 ] || fail "the container took ${STOP_MS} ms to stop on SIGTERM"
log "stopped on SIGTERM in ${STOP_MS} ms"

finish 1 0
