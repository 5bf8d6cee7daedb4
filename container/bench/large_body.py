#!/usr/bin/env python3
"""Peak memory of the model server's worker for one large CSV body: read whole, or spooled to a file
and answered part by part.

    /usr/bin/python3 container/bench/large_body.py          # or: npm run bench:large-body
    SIZES_MB=50,200 /usr/bin/python3 container/bench/large_body.py
    SIZES_MB=1000 PATHS=parts CHUNK_BYTES=4194304 /usr/bin/python3 container/bench/large_body.py

- the model: a scikit-learn LogisticRegression fitted on iris (4 features), saved with joblib;
- the body: iris rows with noise, `%.4f` per value (about 28 bytes a row), SIZES_MB megabytes
  (default 50), written to a file and sent from it, so the client holds none of it in memory;
- the server: `container/serve`, one worker, `MODELAPI_MAX_BODY_BYTES` 1 GiB (as an asynchronous
  endpoint sets it); "whole" sets `MODELAPI_SPOOL_BYTES` above the body size, so the body is read
  into memory and decoded at once as before; "parts" keeps the defaults (bodies over 8 MiB are
  spooled, decoded and predicted 1 MiB at a time, or CHUNK_BYTES: `MODELAPI_STREAM_CHUNK_BYTES`);
  PATHS (default `whole,parts`) picks which are measured;
- measured: the worker's peak resident memory (`VmHWM` in /proc/<pid>/status) once the model is
  loaded and after the answer, their difference (what the request cost), and the request's time;
  the two answers are checked to be the same bytes (SHA-256).
"""

import hashlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CONTAINER = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"
MB = 1000 * 1000
MIB = 1024 * 1024
SIZES_MB = [int(s) for s in os.environ.get("SIZES_MB", "50").split(",") if s.strip()]
PATHS = [p.strip() for p in os.environ.get("PATHS", "whole,parts").split(",") if p.strip()]
CHUNK_BYTES = os.environ.get("CHUNK_BYTES", "").strip()


def fit_model(model_dir: str) -> None:
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    os.makedirs(model_dir, exist_ok=True)
    joblib.dump(LogisticRegression(max_iter=1000).fit(X, y), os.path.join(model_dir, "model.joblib"))


def write_body(path: str, size: int) -> int:
    """A CSV of at least `size` bytes, written a block of rows at a time; its length."""
    from sklearn.datasets import load_iris

    X, _ = load_iris(return_X_y=True)
    rng = np.random.default_rng(0)
    written = 0
    with open(path, "wb") as f:
        while written < size:
            block = X[rng.integers(0, len(X), 20000)] + rng.normal(0, 0.05, (20000, 4))
            text = ("\n".join(",".join("%.4f" % v for v in row) for row in block) + "\n").encode()
            f.write(text)
            written += len(text)
    return written


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker_pid(master: int) -> int:
    with open(f"/proc/{master}/task/{master}/children") as f:
        return int(f.read().split()[0])


def peak_rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def serve(model_dir: str, tmp: str, env: dict) -> "tuple[subprocess.Popen, int]":
    port = free_port()
    full = dict(os.environ)
    full.update(
        {
            "SM_MODEL_DIR": model_dir,
            "SAGEMAKER_BIND_TO_PORT": str(port),
            "MODELAPI_BIND_HOST": "127.0.0.1",
            "SAGEMAKER_MODEL_SERVER_WORKERS": "1",
            "MODELAPI_MAX_BODY_BYTES": str(1024 * MIB),
            "MODELAPI_BODY_TIMEOUT": "600",
            "SAGEMAKER_MODEL_SERVER_TIMEOUT": "600",
            "MODELAPI_SPOOL_DIR": tmp,
            **env,
        }
    )
    log = open(os.path.join(tmp, f"serve-{port}.log"), "wb")
    proc = subprocess.Popen([PYTHON, os.path.join(CONTAINER, "serve")], env=full, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/ping")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not start")


def measure(model_dir: str, tmp: str, body_path: str, length: int, env: dict) -> "tuple[int, int, float, str, int]":
    """(peak RSS once loaded, peak RSS after the answer, seconds, answer SHA-256, answer bytes)."""
    proc, port = serve(model_dir, tmp, env)
    try:
        pid = worker_pid(proc.pid)
        before = peak_rss(pid)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        start = time.monotonic()
        with open(body_path, "rb") as body:
            conn.request(
                "POST", "/invocations", body=body, headers={"Content-Type": "text/csv", "Content-Length": str(length)}
            )
        response = conn.getresponse()
        digest, size = hashlib.sha256(), 0
        while block := response.read(1024 * 1024):
            digest.update(block)
            size += len(block)
        seconds = time.monotonic() - start
        if response.status != 200:
            raise RuntimeError(f"status {response.status}")
        return before, peak_rss(pid), seconds, digest.hexdigest(), size
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="large-body-")
    try:
        model_dir = os.path.join(tmp, "model")
        fit_model(model_dir)
        print("| body | path | peak RSS loaded | peak RSS after | request cost | time | answer |")
        print("|---|---|---|---|---|---|---|")
        for size_mb in SIZES_MB:
            body_path = os.path.join(tmp, "body.csv")
            length = write_body(body_path, size_mb * MB)
            digests = set()
            paths = {
                "whole": {"MODELAPI_SPOOL_BYTES": str(2 * length)},
                "parts": {"MODELAPI_STREAM_CHUNK_BYTES": CHUNK_BYTES} if CHUNK_BYTES else {},
            }
            for name in PATHS:
                env = paths[name]
                before, after, seconds, digest, size = measure(model_dir, tmp, body_path, length, env)
                digests.add(digest)
                label = f"parts of {CHUNK_BYTES} bytes" if CHUNK_BYTES and name == "parts" else name
                print(
                    f"| {length / MB:.0f} MB | {label} | {before / MIB:.0f} MiB | {after / MIB:.0f} MiB "
                    f"| {(after - before) / MIB:.0f} MiB | {seconds:.1f} s | {size / MB:.1f} MB |",
                    flush=True,
                )
            if len(digests) != 1:
                sys.exit("the paths gave different answers")
            os.unlink(body_path)
        if len(PATHS) > 1:
            print("answers: the same bytes on every path")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
