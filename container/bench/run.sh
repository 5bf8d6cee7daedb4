#!/usr/bin/env bash
# Benchmark: ModelApi's server against a Flask + gunicorn + nginx reference
# server, as commonly deployed. Same model (a scikit-learn LogisticRegression on
# iris), same workers (2), same load: wrk, 16 connections, single-row JSON
# predictions, loopback only. Prints a markdown table.
#
#   bash container/bench/run.sh                    # 20 s per server
#   DURATION=10 bash container/bench/run.sh
#   BENCH_MODEL=forest bash container/bench/run.sh # a 100-tree RandomForest instead
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3
DURATION="${DURATION:-20}"
BENCH_MODEL="${BENCH_MODEL:-logistic}"
WORKERS="${WORKERS:-2}"
CONNECTIONS=16
THREADS=2
OURS_PORT="${OURS_PORT:-18481}"
REF_PORT="${REF_PORT:-18482}"

# prerequisites: container/bench/apt-packages-bench.txt, installed by `bash scripts/ensure-deps.sh bench`
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench needs $tool: bash scripts/ensure-deps.sh bench" >&2; exit 1; }
done
$PY -c 'import gunicorn, flask, pandas' 2>/dev/null || {
  echo "bench needs gunicorn, flask and pandas for the reference server: bash scripts/ensure-deps.sh bench" >&2; exit 1; }

# Both servers and wrk run at the same raised priority when we may raise it, so
# unrelated work on a shared machine disturbs the measurement less.
NICENESS="${NICENESS:--10}"
if [ "$(id -u)" = 0 ] && [ "$NICENESS" != 0 ]; then renice -n "$NICENESS" -p $$ >/dev/null; else NICENESS=0; fi

WORK="$(mktemp -d /tmp/modelapi-bench.XXXXXX)"
chmod 755 "$WORK"  # nginx workers run unprivileged and must reach the gunicorn socket
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "training the model into $WORK/model" >&2
mkdir -p "$WORK/model"
$PY - "$WORK/model/model.joblib" "$BENCH_MODEL" <<'EOF'
import sys
import joblib
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
models = {"logistic": LogisticRegression(max_iter=1000),
          "forest": RandomForestClassifier(n_estimators=100, random_state=0)}
if sys.argv[2] not in models:
    sys.exit(f"BENCH_MODEL must be one of {', '.join(models)}")
joblib.dump(models[sys.argv[2]].fit(X, y), sys.argv[1])
EOF

wait_ready() {  # url
  for _ in $(seq 300); do
    if curl -sf -o /dev/null "$1"; then return 0; fi
    sleep 0.1
  done
  echo "server at $1 did not become ready" >&2
  return 1
}

# RSS and PSS (MiB) averaged over the direct children of a process
worker_memory() {  # parent pid
  local parent="$1" rss=0 pss=0 n=0 kids
  kids="$(cat /proc/"$parent"/task/*/children 2>/dev/null || true)"
  for pid in $kids; do
    r=$(awk '/^VmRSS:/{print $2}' /proc/"$pid"/status 2>/dev/null || echo 0)
    p=$(awk '/^Pss:/{print $2}' /proc/"$pid"/smaps_rollup 2>/dev/null || echo 0)
    rss=$((rss + r)); pss=$((pss + p)); n=$((n + 1))
  done
  if [ "$n" -eq 0 ]; then echo "? ?"; return; fi
  awk -v r="$rss" -v p="$pss" -v n="$n" 'BEGIN{printf "%.0f %.0f\n", r/n/1024, p/n/1024}'
}

run_wrk() {  # url -> "rps p50 p99 errors requests"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$HERE/predict.lua" "$1" >/dev/null  # warm-up
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$HERE/predict.lua" "$1" | awk '/^RESULT/{print $2, $3, $4, $5, $6}'
}

# -- the reference: nginx -> gunicorn (sync workers) -> Flask -> pandas -----------
mkdir -p "$WORK/nginx"
sed -e "s#__PREFIX__#$WORK/nginx#g" -e "s#__PORT__#$REF_PORT#g" -e "s#__SOCKET__#$WORK/gunicorn.sock#g" \
  "$HERE/reference/nginx.conf.template" >"$WORK/nginx/nginx.conf"
SM_MODEL_DIR="$WORK/model" REFERENCE_SOCKET="$WORK/gunicorn.sock" MODEL_SERVER_WORKERS="$WORKERS" \
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
  $PY -m gunicorn -c "$HERE/reference/gunicorn.conf.py" --chdir "$HERE/reference" app:app \
  >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
PIDS+=("$GUNICORN_PID")
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx.log" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_ready "http://127.0.0.1:$REF_PORT/ping"
echo "reference: wrk ${DURATION}s" >&2
read -r REF_RPS REF_P50 REF_P99 REF_ERR REF_N < <(run_wrk "http://127.0.0.1:$REF_PORT/invocations")
read -r REF_RSS REF_PSS < <(worker_memory "$GUNICORN_PID")
kill -TERM "$NGINX_PID" "$GUNICORN_PID"
wait "$NGINX_PID" "$GUNICORN_PID" 2>/dev/null || true
PIDS=()

# -- ModelApi's server ------------------------------------------------------------
SM_MODEL_DIR="$WORK/model" SAGEMAKER_BIND_TO_PORT="$OURS_PORT" MODELAPI_BIND_HOST=127.0.0.1 \
  SAGEMAKER_MODEL_SERVER_WORKERS="$WORKERS" \
  $PY "$HERE/../serve" >"$WORK/serve.log" 2>&1 &
OURS_PID=$!
PIDS+=("$OURS_PID")
wait_ready "http://127.0.0.1:$OURS_PORT/ping"
echo "modelapi: wrk ${DURATION}s" >&2
read -r OURS_RPS OURS_P50 OURS_P99 OURS_ERR OURS_N < <(run_wrk "http://127.0.0.1:$OURS_PORT/invocations")
read -r OURS_RSS OURS_PSS < <(worker_memory "$OURS_PID")
kill -TERM "$OURS_PID"
wait "$OURS_PID" 2>/dev/null || true
PIDS=()

CPU="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
echo
case "$BENCH_MODEL" in
  logistic) MODEL_TEXT="LogisticRegression (iris, 4 features)";;
  forest) MODEL_TEXT="RandomForestClassifier, 100 trees (iris, 4 features)";;
esac
echo "Single-row predictions, ${MODEL_TEXT}, ${WORKERS} workers each, wrk ${THREADS} threads / ${CONNECTIONS} connections / ${DURATION} s on loopback, $(nproc) CPUs (${CPU}), nice ${NICENESS}, load average before the run: ${LOAD_BEFORE}."
echo
echo "| server | requests/s | p50 ms | p99 ms | errors | RSS per worker MiB | PSS per worker MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| Flask + gunicorn (sync) + nginx reference | ${REF_RPS} | ${REF_P50} | ${REF_P99} | ${REF_ERR} | ${REF_RSS} | ${REF_PSS} |"
echo "| ModelApi server | ${OURS_RPS} | ${OURS_P50} | ${OURS_P99} | ${OURS_ERR} | ${OURS_RSS} | ${OURS_PSS} |"
awk -v a="$OURS_RPS" -v b="$REF_RPS" -v c="$OURS_P99" -v d="$REF_P99" \
  'BEGIN{printf "\nthroughput: %.1fx the reference; p99: %.2f of the reference'"'"'s\n", a/b, c/d}'
echo
if [ "$BENCH_MODEL" = logistic ]; then
  echo "command: DURATION=${DURATION} bash container/bench/run.sh"
else
  echo "command: BENCH_MODEL=${BENCH_MODEL} DURATION=${DURATION} bash container/bench/run.sh"
fi
