#!/usr/bin/env python3
"""Latency at every request size: ModelApi's server, a FastAPI + uvicorn server as a user would write
it, and the in-process floor, in one run on one machine.

    /usr/bin/python3 container/bench/sizes.py        # or: npm run bench:sizes
    DURATION=10 REPEAT=1 /usr/bin/python3 container/bench/sizes.py

- the model: a scikit-learn LogisticRegression fitted on iris (4 features), saved once with joblib;
- ModelApi: `container/serve`, one worker per CPU, its defaults;
- FastAPI: `bench/fastapi/app.py` under `uvicorn --workers <CPUs> --timeout-keep-alive 75` (uvloop,
  httptools; keep-alive as long as ours), the model loaded once per worker, `numpy.loadtxt` for CSV
  and `json` for JSON;
- the floor: the same work in this process with nothing in between: parse (`numpy.loadtxt` for CSV,
  `json.loads` + `numpy.asarray` for JSON), `predict`, the JSON answer (`json.dumps`);
- the round trip: `bench/bare_http.py`, which reads each request whole and answers it with as many
  bytes as ModelApi's answer to the same body, doing nothing else: what carrying the request in and
  the answer out over loopback costs any server, which the floor does not contain.

Bodies: iris rows repeated, as CSV (`5.1,3.5,1.4,0.2` per line) and as JSON (`{"instances": [...]}`),
from 1 row to about 5 MB; answers are JSON. For each size the four are measured in turn, request by
request on one keep-alive connection per server (so a change of machine load falls on all four alike),
REPEAT x a size's count of requests; the table gives the median (p50) and p90 in milliseconds.
Then small-request throughput: wrk, 2 threads, 16 connections, DURATION seconds per server, each
request one JSON row (`predict.lua`). The numeric libraries run one thread everywhere, as in the
servers' workers (OMP_NUM_THREADS=1...). Every answer is checked against the floor's before timing.
"""

import http.client
import io
import json
import os
import shutil
import signal
import socket
import statistics
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
WORKERS = int(os.environ.get("WORKERS", str(os.cpu_count() or 1)))
DURATION = int(os.environ.get("DURATION", "15"))
REPEAT = float(os.environ.get("REPEAT", "1"))
FIVE_MB = 5 * 1000 * 1000
# rows per request, and how many requests of that size each server answers
SIZES = [(1, 300), (100, 200), (1_000, 100), (10_000, 40), (100_000, 15), (200_000, 11)]


def iris_rows(n: int) -> np.ndarray:
    from sklearn.datasets import load_iris

    X, _ = load_iris(return_X_y=True)
    return X[np.arange(n) % len(X)]


def csv_body(rows: np.ndarray) -> bytes:
    return ("\n".join(",".join(repr(v) for v in row) for row in rows.tolist()) + "\n").encode()


def json_body(rows: np.ndarray) -> bytes:
    return json.dumps({"instances": rows.tolist()}, separators=(",", ":")).encode()


FORMATS = {"csv": ("text/csv", csv_body), "json": ("application/json", json_body)}


def rows_for_five_mb(fmt: str) -> int:
    per_row = len(FORMATS[fmt][1](iris_rows(1000))) / 1000
    return int(FIVE_MB / per_row)


class Floor:
    """Parse, predict and answer in this process: what the work costs with no server around it."""

    def __init__(self, model_path: str):
        import joblib

        self.model = joblib.load(model_path)

    def answer(self, fmt: str, body: bytes) -> bytes:
        if fmt == "csv":
            rows = np.loadtxt(io.StringIO(body.decode()), delimiter=",", ndmin=2)
            return json.dumps(self.model.predict(rows).tolist(), separators=(",", ":")).encode()
        doc = json.loads(body)
        rows = np.asarray(doc["instances"], dtype=np.float64)
        return json.dumps({"predictions": self.model.predict(rows).tolist()}, separators=(",", ":")).encode()


class Client:
    """One keep-alive connection to a server, on a bare socket: the client's own cost is a few
    microseconds, not the ~100 of http.client's header parsing, so the time is the server's."""

    def __init__(self, port: int):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def answer(self, fmt: str, body: bytes, extra_headers: str = "") -> bytes:
        head = (
            f"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Content-Type: {FORMATS[fmt][0]}\r\nContent-Length: {len(body)}\r\n{extra_headers}\r\n"
        ).encode()
        self.sock.sendall(head + body if len(body) < 65536 else head)
        if len(body) >= 65536:
            self.sock.sendall(body)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head_bytes, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head_bytes.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = next(int(line.split(":", 1)[1]) for line in lines[1:] if line.lower().startswith("content-length:"))
        chunks, have = [rest], len(rest)
        while have < length:
            chunk = self._recv()
            chunks.append(chunk)
            have += len(chunk)
        data = b"".join(chunks)
        data, self.buffer = data[:length], data[length:]
        if status != 200:
            raise RuntimeError(f"port {self.port}: {status} {data[:200]!r}")
        return data

    def _recv(self) -> bytes:
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError(f"port {self.port} closed the connection")
        return chunk


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, proc: subprocess.Popen, log: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server on port {port} exited: {open(log).read()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/ping")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"server on port {port} did not become ready: {open(log).read()[-2000:]}")


def start(cmd, env, log: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    wait_ready(port, proc, log)
    return proc


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def predictions(answer: bytes) -> list:
    doc = json.loads(answer)
    return doc["predictions"] if isinstance(doc, dict) else doc


def wrk(port: int):
    """requests/s, p50 ms, p99 ms, errors: 1-row JSON requests from 16 connections."""
    url = f"http://127.0.0.1:{port}/invocations"
    script = os.path.join(HERE, "predict.lua")
    subprocess.run(["wrk", "-t2", "-c16", "-d2s", "-s", script, url], capture_output=True, check=True)
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{DURATION}s", "--latency", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    rps, p50, p99, errors, _ = line.split()[1:]
    return float(rps), float(p50), float(p99), int(errors)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("sizes.py needs wrk and FastAPI/uvicorn: bash scripts/ensure-deps.sh bench")
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        sys.exit(
            "sizes.py needs FastAPI and uvicorn (python3-fastapi, python3-uvicorn): bash scripts/ensure-deps.sh bench"
        )
    if os.geteuid() == 0:
        os.nice(-10)  # the servers inherit it: all measured at the same raised priority
    load_before = open("/proc/loadavg").read().split()[:3]
    work = tempfile.mkdtemp(prefix="modelapi-sizes.")
    procs = []
    try:
        import joblib
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression

        model_dir = os.path.join(work, "model")
        os.makedirs(model_dir)
        X, y = load_iris(return_X_y=True)
        joblib.dump(LogisticRegression(max_iter=1000).fit(X, y), os.path.join(model_dir, "model.joblib"))
        floor = Floor(os.path.join(model_dir, "model.joblib"))

        ours_port, fastapi_port, bare_port = free_port(), free_port(), free_port()
        env = dict(os.environ, SM_MODEL_DIR=model_dir)
        ours_env = dict(
            env,
            SAGEMAKER_BIND_TO_PORT=str(ours_port),
            MODELAPI_BIND_HOST="127.0.0.1",
            SAGEMAKER_MODEL_SERVER_WORKERS=str(WORKERS),
        )
        fastapi_cmd = [PYTHON, "-m", "uvicorn", "app:app", "--app-dir", os.path.join(HERE, "fastapi")]
        fastapi_cmd += ["--host", "127.0.0.1", "--port", str(fastapi_port), "--workers", str(WORKERS)]
        # keep-alive as long as ours (uvicorn's default 5 s would close a connection between two large requests)
        fastapi_cmd += ["--timeout-keep-alive", "75", "--log-level", "warning", "--no-access-log"]
        print(
            f"starting ModelApi on {ours_port} and FastAPI on {fastapi_port}, {WORKERS} workers each", file=sys.stderr
        )
        procs.append(
            start([PYTHON, os.path.join(CONTAINER, "serve")], ours_env, os.path.join(work, "ours.log"), ours_port)
        )
        procs.append(start(fastapi_cmd, env, os.path.join(work, "fastapi.log"), fastapi_port))
        bare_cmd = [PYTHON, os.path.join(HERE, "bare_http.py"), str(bare_port)]
        procs.append(start(bare_cmd, env, os.path.join(work, "bare.log"), bare_port))
        ours, other, bare = Client(ours_port), Client(fastapi_port), Client(bare_port)

        results = []
        for fmt in FORMATS:
            sizes = SIZES + [(rows_for_five_mb(fmt), 11)]
            for n_rows, count in sizes:
                body = FORMATS[fmt][1](iris_rows(n_rows))
                expected = predictions(floor.answer(fmt, body))
                answers = {name: target.answer(fmt, body) for name, target in (("ModelApi", ours), ("FastAPI", other))}
                for name, answer in answers.items():
                    if predictions(answer) != expected:
                        sys.exit(f"{name} answered {fmt} {n_rows} rows differently from the floor")
                answer_bytes = f"X-Answer-Bytes: {len(answers['ModelApi'])}\r\n"
                times = {"ModelApi": [], "FastAPI": [], "floor": [], "round trip": []}
                runs = [
                    ("ModelApi", ours.answer),
                    ("FastAPI", other.answer),
                    ("floor", floor.answer),
                    ("round trip", lambda fmt, body: bare.answer(fmt, body, answer_bytes)),
                ]
                for i in range(max(3, int(count * REPEAT))):
                    turn = i % len(runs)
                    for name, answer in runs[turn:] + runs[:turn]:  # each goes first in turn
                        began = time.perf_counter()
                        answer(fmt, body)
                        times[name].append((time.perf_counter() - began) * 1000)
                stats = {name: (statistics.median(t), np.percentile(t, 90)) for name, t in times.items()}
                results.append((fmt, n_rows, len(body), stats))
                print(
                    f"{fmt} {n_rows} rows: " + ", ".join(f"{k} {v[0]:.3f} ms" for k, v in stats.items()),
                    file=sys.stderr,
                )
        print("wrk: ModelApi", file=sys.stderr)
        ours_wrk = wrk(ours_port)
        print("wrk: FastAPI", file=sys.stderr)
        fastapi_wrk = wrk(fastapi_port)
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)
    load_after = open("/proc/loadavg").read().split()[:3]

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print()
    print(
        f"LogisticRegression (iris, 4 features), {WORKERS} workers per server, {os.cpu_count()} CPUs ({cpu}), "
        f"nice {os.nice(0)}, load average before {' '.join(load_before)}, after {' '.join(load_after)}."
    )
    print()
    print(
        "| body | rows | bytes | ModelApi p50 / p90 ms | FastAPI p50 / p90 ms | floor p50 / p90 ms "
        "| round trip p50 ms | ModelApi / floor | ModelApi / (floor + round trip) | ModelApi / FastAPI |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for fmt, n_rows, size, stats in results:
        (o50, o90), (f50, f90), (l50, l90) = stats["ModelApi"], stats["FastAPI"], stats["floor"]
        r50 = stats["round trip"][0]
        print(
            f"| {fmt} | {n_rows} | {size} | {o50:.3f} / {o90:.3f} | {f50:.3f} / {f90:.3f} | {l50:.3f} / {l90:.3f} "
            f"| {r50:.3f} | {o50 / l50:.2f} | {o50 / (l50 + r50):.2f} | {o50 / f50:.2f} |"
        )
    print()
    print("Small requests (one JSON row), wrk 2 threads / 16 connections / %d s:" % DURATION)
    print()
    print("| server | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|")
    for name, (rps, p50, p99, errors) in (("ModelApi", ours_wrk), ("FastAPI + uvicorn", fastapi_wrk)):
        print(f"| {name} | {rps:.1f} | {p50:.3f} | {p99:.3f} | {errors} |")
    print()
    ratio, p99_ratio = ours_wrk[0] / fastapi_wrk[0], ours_wrk[2] / fastapi_wrk[2]
    print(f"throughput: {ratio:.2f}x FastAPI's; p99: {p99_ratio:.2f} of FastAPI's")


if __name__ == "__main__":
    main()
