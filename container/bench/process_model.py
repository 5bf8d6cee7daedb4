#!/usr/bin/env python3
"""Our supervisor + scoreboard against gunicorn's master (container/bench/gunicorn_master.py)
running the same asyncio workers: could gunicorn replace our process model?

For each, with 2 workers and a LogisticRegression on iris, on loopback:
- how 16 keep-alive connections opened one after another (as a front end
  fills its pool) are spread over the workers;
- throughput and p99 with wrk (2 threads, 16 connections, DURATION s), as
  container/bench/run.sh measures it.

    /usr/bin/python3 container/bench/process_model.py      # DURATION=20 by default

Needs wrk and gunicorn: `bash scripts/ensure-deps.sh bench`.
"""

import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CONTAINER = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(CONTAINER, "tests"))

from conftest import children  # noqa: E402  (the tests' own /proc helper)

DURATION = int(os.environ.get("DURATION", "20"))
PORT = int(os.environ.get("PORT", "18484"))
ROW = b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}'


def tcp_sockets(pid):
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            count += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
        except OSError:
            pass
    return count


def start(kind, work):
    env = dict(
        os.environ,
        SM_MODEL_DIR=os.path.join(work, "model"),
        SAGEMAKER_BIND_TO_PORT=str(PORT),
        MODELAPI_BIND_HOST="127.0.0.1",
        SAGEMAKER_MODEL_SERVER_WORKERS="2",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    command = [os.path.join(CONTAINER, "serve")] if kind == "ours" else [os.path.join(HERE, "gunicorn_master.py")]
    log = open(os.path.join(work, f"{kind}.log"), "wb")
    proc = subprocess.Popen(["/usr/bin/python3", *command], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with open(log.name, "rb") as f:
            if f.read().count(b"listening (slot") >= 2:
                break
        time.sleep(0.1)
    else:
        raise SystemExit(f"{kind} did not start; see {log.name}")
    time.sleep(0.5)
    return proc


def spread(proc, burst):
    """Connections per worker after 16 keep-alive connections each made one request:
    opened one after another, or all at once (`burst`), as wrk and a cold front end do."""
    workers = children(proc.pid)
    before = {pid: tcp_sockets(pid) for pid in workers}
    conns = [http.client.HTTPConnection("127.0.0.1", PORT, timeout=10) for _ in range(16)]
    if burst:
        for conn in conns:
            conn.connect()
    for conn in conns:
        conn.request("POST", "/invocations", body=ROW, headers={"Content-Type": "application/json"})
        conn.getresponse().read()
        if not burst:
            time.sleep(0.02)
    time.sleep(0.2)
    counts = sorted((tcp_sockets(pid) - before[pid] for pid in workers), reverse=True)
    for conn in conns:
        conn.close()
    time.sleep(0.2)
    return counts


def wrk():
    subprocess.run(
        ["wrk", "-t2", "-c16", "-d2s", "-s", os.path.join(HERE, "predict.lua"), f"http://127.0.0.1:{PORT}/invocations"],
        capture_output=True,
    )
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c16",
            f"-d{DURATION}s",
            "--latency",
            "-s",
            os.path.join(HERE, "predict.lua"),
            f"http://127.0.0.1:{PORT}/invocations",
        ],
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    rps, _p50, p99, errors, _n = line.split()[1:]
    return float(rps), float(p99), int(errors)


def main():
    for tool in ("wrk",):
        if shutil.which(tool) is None:
            raise SystemExit("needs wrk: bash scripts/ensure-deps.sh bench")
    work = tempfile.mkdtemp(prefix="modelapi-process-model.")
    os.makedirs(os.path.join(work, "model"))
    subprocess.run(
        [
            "/usr/bin/python3",
            "-c",
            "import sys, joblib\n"
            "from sklearn.datasets import load_iris\nfrom sklearn.linear_model import LogisticRegression\n"
            "X, y = load_iris(return_X_y=True)\n"
            "joblib.dump(LogisticRegression(max_iter=1000).fit(X, y), sys.argv[1])",
            os.path.join(work, "model", "model.joblib"),
        ],
        check=True,
    )
    rows = []
    try:
        for kind in ("ours", "gunicorn"):
            load = open("/proc/loadavg").read().split()[:3]
            proc = start(kind, work)
            try:
                counts = [spread(proc, burst=False), spread(proc, burst=True), spread(proc, burst=True)]
                rps, p99, errors = wrk()
            finally:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            rows.append((kind, counts, rps, p99, errors, " ".join(load)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    names = {"ours": "process/supervisor.py + scoreboard.py", "gunicorn": "gunicorn master + the same asyncio worker"}
    print(
        "| process model | 16 connections per worker: one by one; at once (twice) | requests/s | p99 ms | errors "
        "| load average before |"
    )
    print("|---|---|---:|---:|---:|---|")
    for kind, counts, rps, p99, errors, load in rows:
        spreads = "; ".join(" / ".join(map(str, c)) for c in counts)
        print(f"| {names[kind]} | {spreads} | {rps:.0f} | {p99:.1f} | {errors} | {load} |")
    print(f"\ncommand: DURATION={DURATION} /usr/bin/python3 container/bench/process_model.py")


if __name__ == "__main__":
    main()
