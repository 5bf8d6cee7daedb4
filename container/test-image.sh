#!/usr/bin/env bash
# Image test, on one build of the unchanged container/Dockerfile (made by scripts/image.sh, as
# `npm run image` makes it):
#   1. the image run as SageMaker runs it (`IMAGE serve`, the model mounted read-only at /opt/ml/model):
#      /ping, a prediction against the fitted model's own output, its label, user and libraries, SIGTERM;
#   2. the container's pytest suite inside the image, with only the image's packages plus the test
#      packages declared in container/apt-packages-test.txt, so an undeclared import fails here;
#   3. the local twin end to end through the image (test/image/twin-image.e2e.ts).
#
# Docker when a daemon answers, else buildah + podman with all image storage in a temporary directory
# that is removed afterwards (docs/image.md). Without either it prints a SKIPPED banner and exits 0,
# unless CI=true or MODELAPI_REQUIRE_IMAGE_TEST=1: then it installs buildah and podman (as root) and
# fails if the test cannot run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
# shellcheck source=../scripts/image-lib.sh
. "$ROOT/scripts/image-lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
STARTED=$(date +%s)
REQUIRE=0
if [ "${CI:-}" = "true" ] || [ "${MODELAPI_REQUIRE_IMAGE_TEST:-}" = "1" ]; then REQUIRE=1; fi
PASSED=0

log() { printf '[test-image] %s\n' "$*" >&2; }
pass() { PASSED=$((PASSED + 1)); log "ok: $*"; }

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
  finish "$PASSED" 1
  exit 1
}
trap 'fail "unexpected error at line $LINENO"' ERR

# -- the Debian mirror comes from apt's own sources, in either format, or the override --------------
mirror_check() {
  local apt
  apt="$(mktemp -d)"
  mkdir -p "$apt/sources.list.d"
  printf 'Types: deb\nURIs: http://mirror.invalid/debian\nSuites: bookworm\n\nTypes: deb\nURIs: http://mirror.invalid/debian-security\nSuites: bookworm-security\n' \
    >"$apt/sources.list.d/debian.sources"
  local got="$(debian_mirror "$apt") $(debian_security_mirror "$apt")"
  rm "$apt/sources.list.d/debian.sources"
  printf '# mirror\ndeb [signed-by=/k.gpg] http://other.invalid/debian bookworm main\ndeb http://other.invalid/debian-security bookworm-security main\n' \
    >"$apt/sources.list"
  got="$got $(debian_mirror "$apt") $(debian_security_mirror "$apt") $(MODELAPI_DEBIAN_MIRROR=http://chosen.invalid/d debian_mirror "$apt")"
  rm -rf "$apt"
  echo "$got"
}
MIRRORS="$(mirror_check)"
[ "$MIRRORS" = "http://mirror.invalid/debian http://mirror.invalid/debian-security http://other.invalid/debian http://other.invalid/debian-security http://chosen.invalid/d" ] \
  || fail "Debian mirrors read from apt's sources: got '$MIRRORS'"
pass "the Debian mirror is read from apt's sources (deb822 and one-line) or MODELAPI_DEBIAN_MIRROR"

# -- choose the engine -----------------------------------------------------------
ENGINE="$(image_engine)"
if [ -z "$ENGINE" ]; then
  if [ "$REQUIRE" = 1 ]; then
    image_install_tools || fail "could not install buildah/podman"
    ENGINE=podman
  else
    skip "no Docker daemon and no buildah/podman on this machine (set CI=true or MODELAPI_REQUIRE_IMAGE_TEST=1 to install them and run)"
  fi
fi
log "engine: $ENGINE"

WORK="$(mktemp -d /tmp/modelapi-image-test.XXXXXX)"
CONTAINER_NAME="modelapi-image-test-$$"
TEST_TAG="localhost/modelapi-serving-tests:$$"
BUILT_HERE=0
if [ "$ENGINE" = podman ]; then
  # Every podman and buildah call below, and the twin's, use this store: nothing outside $WORK changes.
  printf '[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n' "$WORK/storage" "$WORK/run" >"$WORK/storage.conf"
  export CONTAINERS_STORAGE_CONF="$WORK/storage.conf"
  # cleanup removes every image in the store: make sure it is this one
  [ "$(podman info --format '{{.Store.GraphRoot}}' 2>/dev/null)" = "$WORK/storage" ] \
    || { rm -rf "$WORK"; fail "podman does not use the temporary store $WORK/storage (CONTAINERS_STORAGE_CONF)"; }
  mapfile -t RUN_FLAGS < <(podman_run_flags)
else
  RUN_FLAGS=()
fi
cleanup() {
  trap - ERR
  set +e
  if [ "$ENGINE" = docker ]; then
    docker rm -f "$CONTAINER_NAME" >/dev/null 2>&1
    docker rmi "$TEST_TAG" >/dev/null 2>&1
    [ "$BUILT_HERE" = 1 ] && docker rmi "$IMAGE" >/dev/null 2>&1
  else
    podman rm -af >/dev/null 2>&1
    podman rmi -af >/dev/null 2>&1
    # overlay mounts must go before the directory can
    grep -o "$WORK/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# -- build, once, for every part -------------------------------------------------
IMAGE="$(cd "$ROOT" && node -r ts-node/register/transpile-only local/image.ts --name)"
image_exists "$ENGINE" "$IMAGE" || BUILT_HERE=1
T0=$(date +%s)
bash "$ROOT/scripts/image.sh" "$IMAGE" >"$WORK/image.out" 2>"$WORK/build.log" \
  || { tail -n 40 "$WORK/build.log" >&2; fail "building the image failed"; }
[ "$(cat "$WORK/image.out")" = "$IMAGE" ] || fail "scripts/image.sh printed '$(cat "$WORK/image.out")', expected $IMAGE"
grep '^\[image\]' "$WORK/build.log" >&2 || true
if [ "$ENGINE" = docker ]; then SIZE="$(docker image inspect -f '{{.Size}}' "$IMAGE")"
else SIZE="$(podman image inspect -f '{{.Size}}' "$IMAGE")"; fi
pass "built $IMAGE in $(( $(date +%s) - T0 ))s, $(( SIZE / 1048576 )) MiB"

# SageMaker pulls Docker v2 (schema 2) manifests only and refuses OCI ones (aws/amazon-sagemaker-feedback
# issue 180); the component pushes that format (components/image/serving-image.ts), and the local build
# makes it too. podman reports the manifest type of an image in its store; docker's inspect does not.
if [ "$ENGINE" = podman ]; then
  MANIFEST="$(podman image inspect --format '{{.ManifestType}}' "$IMAGE")"
  [ "$MANIFEST" = "application/vnd.docker.distribution.manifest.v2+json" ] \
    || fail "the image's manifest is '$MANIFEST', not a Docker v2 (schema 2) manifest, which SageMaker requires"
  pass "manifest $MANIFEST"
fi

# -- 1. the image as SageMaker runs it -----------------------------------------------
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

"$ENGINE" run -d --name "$CONTAINER_NAME" "${RUN_FLAGS[@]}" -p "127.0.0.1:$PORT:8080" \
  -v "$WORK/model:/opt/ml/model:ro" "$IMAGE" serve >/dev/null 2>"$WORK/run.err" \
  || { cat "$WORK/run.err" >&2; fail "$ENGINE run failed"; }
logs() { "$ENGINE" logs "$CONTAINER_NAME" 2>&1 | tail -30; }
LABEL="$("$ENGINE" image inspect -f '{{index .Config.Labels "com.amazonaws.sagemaker.capabilities.multi-models"}}' "$IMAGE")"

PING=""
for _ in $(seq 300); do
  PING="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/ping" || true)"
  [ "$PING" = 200 ] && break
  sleep 0.1
done
[ "$PING" = 200 ] || { logs >&2; fail "/ping answered ${PING:-nothing}, expected 200"; }
pass "/ping 200"

ANSWER="$(curl -s -H 'Content-Type: application/json' -d "$REQUEST" "http://127.0.0.1:$PORT/invocations" || true)"
[ "$ANSWER" = "$EXPECTED" ] || { logs >&2; fail "prediction was '$ANSWER', the model itself says '$EXPECTED'"; }
pass "prediction matches the model's own: $ANSWER"

[ "$LABEL" = "true" ] || fail "image lacks the multi-models capability label"
pass "multi-models capability label"

# the libraries users' models need import in the image (scipy's build-only dependencies are left out)
IMPORTS='import scipy.optimize, scipy.stats, scipy.interpolate, sklearn.ensemble, sklearn.svm, xgboost, joblib, uvloop; import os; print(os.getuid())'
UID_IN="$("$ENGINE" run --rm "${RUN_FLAGS[@]}" --network none --entrypoint python3 "$IMAGE" -c "$IMPORTS" 2>&1)" \
  || { echo "$UID_IN" >&2; fail "libraries do not import in the image"; }
[ "$UID_IN" = 10001 ] || fail "the server should run as uid 10001, runs as '$UID_IN'"
pass "scipy, scikit-learn, xgboost import; runs as uid $UID_IN"

# SIGTERM (what `docker stop` sends) must stop it promptly
T0=$(date +%s%N)
"$ENGINE" stop -t 10 "$CONTAINER_NAME" >/dev/null
STOP_MS=$(( ($(date +%s%N) - T0) / 1000000 ))
logs | grep -E "stopping|stopped" >&2 || true
[ "$STOP_MS" -lt 5000 ] || fail "the container took ${STOP_MS} ms to stop on SIGTERM"
"$ENGINE" rm -f "$CONTAINER_NAME" >/dev/null 2>&1 || true
pass "stopped on SIGTERM in ${STOP_MS} ms"

# -- 2. the pytest suite inside the image --------------------------------------------
# A derived image adds the declared test packages and the tests on top of the serving image, which
# itself stays as built.
CTX="$WORK/test-context"
mkdir -p "$CTX"
# The package lists go in too: a test checks every import against them (tests/test_dependencies.py).
cp "$HERE/apt-packages.txt" "$HERE/apt-packages-test.txt" "$CTX/"
cp -r "$HERE/tests" "$CTX/tests"
find "$CTX/tests" -name __pycache__ -prune -exec rm -rf {} +
cat >"$CTX/Dockerfile" <<EOF
FROM $IMAGE
USER root
COPY apt-packages-test.txt /tmp/apt-packages-test.txt
RUN set -eux; \\
    packages="\$(sed -e 's/#.*//' /tmp/apt-packages-test.txt | xargs)"; \\
    apt-get update; \\
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \$packages; \\
    apt-get clean; rm -rf /var/lib/apt/lists/* /tmp/apt-packages-test.txt
COPY tests /opt/program/tests
COPY apt-packages.txt apt-packages-test.txt /opt/program/
USER 10001:10001
ENTRYPOINT []
CMD ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "/opt/program/tests"]
EOF
T0=$(date +%s)
image_build "$ENGINE" "$CTX" "$CTX/Dockerfile" "$TEST_TAG" 2>"$WORK/test-build.log" \
  || { tail -n 30 "$WORK/test-build.log" >&2; fail "building the test image failed"; }
log "test image built in $(( $(date +%s) - T0 ))s"
T0=$(date +%s)
STATUS=0
"$ENGINE" run --rm "${RUN_FLAGS[@]}" --network none "$TEST_TAG" >"$WORK/pytest.log" 2>&1 || STATUS=$?
SUMMARY="$(tail -n 1 "$WORK/pytest.log")"
if [ "$STATUS" != 0 ] || ! grep -Eq '[0-9]+ passed' <<<"$SUMMARY"; then
  tail -n 60 "$WORK/pytest.log" >&2
  fail "the pytest suite failed inside the image (exit $STATUS): an import or behaviour the host has and the image lacks?"
fi
pass "pytest inside the image: ${SUMMARY//=/} in $(( $(date +%s) - T0 ))s"
"$ENGINE" rmi "$TEST_TAG" >/dev/null 2>&1 || true

# -- 3. the local twin through the image ------------------------------------------------
T0=$(date +%s)
STATUS=0
(cd "$ROOT" && MODELAPI_TEST_IMAGE="$IMAGE" MODELAPI_TEST_ENGINE="$ENGINE" \
  npx mocha --no-config -r ts-node/register/transpile-only --extension ts --timeout 300000 \
  test/image/twin-image.e2e.ts) >"$WORK/twin.log" 2>&1 || STATUS=$?
cat "$WORK/twin.log" >&2
TWIN_PASSED="$(grep -Eo '[0-9]+ passing' "$WORK/twin.log" | grep -Eo '^[0-9]+' || echo 0)"
TWIN_FAILED="$(grep -Eo '[0-9]+ failing' "$WORK/twin.log" | grep -Eo '^[0-9]+' || echo 0)"
PASSED=$((PASSED + TWIN_PASSED))
if [ "$STATUS" != 0 ] || [ "$TWIN_FAILED" != 0 ] || [ "$TWIN_PASSED" = 0 ]; then
  trap - ERR
  log "FAILED: the twin through the image ($TWIN_FAILED failing, exit $STATUS)"
  finish "$PASSED" "$(( TWIN_FAILED > 0 ? TWIN_FAILED : 1 ))"
  exit 1
fi
log "twin through the image: $TWIN_PASSED passing in $(( $(date +%s) - T0 ))s"

finish "$PASSED" 0
