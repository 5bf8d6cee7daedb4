#!/usr/bin/env python3
"""Reliability benchmark of the serving container (a script, not a timed test).

Three phases against the real `serve` process (2 workers, its defaults, a
LogisticRegression on iris), each on loopback:

1. bad input: every raw request of the HTTP differential corpus, seeded
   mutations of it, and malformed or hostile bodies of every content type, each
   on its own connection. Counts the answers by class; a 5xx other than 501/505
   (which name an unsupported coding or version) is unexpected, as is any
   worker that dies.
2. soak: wrk with 64 keep-alive connections for DURATION seconds; errors and
   the workers' RSS sampled every 5 s (flat means: the last sample within
   RSS_SLACK_MIB of the first after warm-up).
3. kill: wrk with 64 connections while a worker is SIGKILLed every KILL_EVERY
   seconds; the supervisor replaces it. Failed requests (socket errors and
   non-2xx) over all requests.

Prints a markdown table with the machine's load average. Usage:

    /usr/bin/python3 container/bench/reliability.py            # 60 s soak, 60 s kill phase
    DURATION=20 KILL_DURATION=20 /usr/bin/python3 container/bench/reliability.py

Needs wrk: `bash scripts/ensure-deps.sh bench` installs it (container/bench/apt-packages-bench.txt).
"""

import gzip
import io
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CONTAINER = os.path.dirname(HERE)
sys.path[:0] = [CONTAINER, os.path.join(CONTAINER, "tests"), os.path.join(CONTAINER, "tests", "http")]

from conftest import children  # noqa: E402  (the tests' own /proc helper)

DURATION = int(os.environ.get("DURATION", "60"))
KILL_DURATION = int(os.environ.get("KILL_DURATION", "60"))
KILL_EVERY = float(os.environ.get("KILL_EVERY", "5"))
CONNECTIONS = 64
WORKERS = 2
PORT = int(os.environ.get("PORT", "18483"))
RSS_SLACK_MIB = 5
RSS_EVERY = 5  # seconds between RSS samples of the soak
EXPECTED_5XX = {501, 505}


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


class Serve:
    def __init__(self, work):
        import joblib
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression

        model_dir = os.path.join(work, "model")
        os.makedirs(model_dir)
        X, y = load_iris(return_X_y=True)
        joblib.dump(LogisticRegression(max_iter=1000).fit(X, y), os.path.join(model_dir, "model.joblib"))
        env = dict(
            os.environ,
            SM_MODEL_DIR=model_dir,
            SAGEMAKER_BIND_TO_PORT=str(PORT),
            MODELAPI_BIND_HOST="127.0.0.1",
            SAGEMAKER_MODEL_SERVER_WORKERS=str(WORKERS),
        )
        self.log_path = os.path.join(work, "serve.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(CONTAINER, "serve")], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.read_log().count("listening (slot") >= WORKERS and self.ping() == 200:
                return
            time.sleep(0.1)
        raise SystemExit("server did not start:\n" + self.read_log())

    def ping(self):
        try:
            with socket.create_connection(("127.0.0.1", PORT), timeout=5) as s:
                s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                return int(read_all(s)[9:12] or 0)
        except (OSError, ValueError):
            return 0

    def read_log(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def workers(self):
        return children(self.proc.pid)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def read_all(sock):
    data = b""
    try:
        while part := sock.recv(65536):
            data += part
    except (ConnectionResetError, socket.timeout):
        pass
    return data


# -- phase 1: bad input ---------------------------------------------------------


def body_cases():
    """(content type, body, extra headers) of malformed or hostile bodies."""
    npy = io.BytesIO()
    import numpy as np

    np.save(npy, np.array([[1, 2, 3, {"x": 1}]], dtype=object), allow_pickle=True)
    pickled = npy.getvalue()
    npz = io.BytesIO()
    np.savez(npz, a=np.zeros(3))
    strings = io.BytesIO()
    np.save(strings, np.array(["a", "b"]))
    huge = "1" + "0" * 400
    rng = random.Random(7)
    cases = [
        ("application/json", b'{"instances": [[1, 2,', {}),
        ("application/json", b"[" * 100000 + b"]" * 100000, {}),
        ("application/json", f"[[{huge},3.5,1.4,0.2]]".encode(), {}),
        ("application/json", f'{{"instances": [{{"a": {huge}}}]}}'.encode(), {}),
        ("application/json", b"[[1e999,3.5,1.4,0.2]]", {}),
        ("application/json", b"[[NaN,3.5,1.4,0.2]]", {}),
        ("application/json", b"[[1,2,3]]", {}),
        ("application/json", b"[[[1,2,3,4]]]", {}),
        ("application/json", b'[[1,2,"x",4]]', {}),
        ("application/json", b'[[1,2,{"a":1},4]]', {}),
        ("application/json", b"[[1,2,3,4],[1,2]]", {}),
        ("application/json", b"[]", {}),
        ("application/json", b"{}", {}),
        ("application/json", b"42", {}),
        ("application/json", b"", {}),
        ("application/json", b"\xff\xfe[[1,2,3,4]]", {}),
        ("application/json", "\ufeff[[5.1,3.5,1.4,0.2]]".encode(), {}),
        ("application/json", b"[[" + b"1," * 100000 + b"1]]", {}),
        ("application/json", b"[[5.1,3.5,1.4,0.2]]", {"Content-Encoding": "gzip"}),
        ("application/json", b"[[5.1,3.5,1.4,0.2]]", {"Content-Encoding": "br"}),
        ("application/json", gzip.compress(b"[" * (20 * 1024 * 1024), mtime=0), {"Content-Encoding": "gzip"}),
        ("application/json", gzip.compress(b"[[5.1,3.5,1.4,0.2]]", mtime=0)[:-6], {"Content-Encoding": "gzip"}),
        ("application/json", b"[[5.1,3.5,1.4,0.2]]", {"Accept": "application/xml"}),
        ("application/json", b"[[5.1,3.5,1.4,0.2]]", {"Accept": "text/csv;q=0"}),
        ("text/csv", b"1,2,x,4\n", {}),
        ("text/csv", b"1,2,3,4\n1,2\n", {}),
        ("text/csv", b"1,\x00,3,4\n", {}),
        ("text/csv", f"{huge},3.5,1.4,0.2\n".encode(), {}),
        ("text/csv", b'"1,2,3,4\n', {}),
        ("text/csv", "\ufeff5.1,3.5,1.4,0.2\n".encode(), {}),
        ("text/csv", b"1,,3,4\n", {}),
        ("application/x-npy", pickled, {}),
        ("application/x-npy", npz.getvalue(), {}),
        ("application/x-npy", strings.getvalue(), {}),
        ("application/x-npy", pickled[:40], {}),
        ("application/xml", b"<rows/>", {}),
        ("text/plain", b"1 2 3 4", {}),
    ]
    for kind in ("application/json", "text/csv", "application/x-npy"):
        for _ in range(3):
            cases.append((kind, rng.randbytes(rng.choice((16, 4096, 70000))), {}))
    return cases


def request_bytes(content_type, body, headers, path="/invocations", method="POST"):
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode() + b"Content-Length: %d\r\n\r\n" % len(body) + body


def bad_inputs():
    from test_differential import CORPUS, mutants

    wires = [wire for wire, _ in CORPUS.values()]
    wires += list(mutants(seed=2026, count=150))
    wires += [request_bytes(*case) for case in body_cases()]
    wires += [
        request_bytes("application/json", b"", {}, "/nope", "GET"),
        request_bytes("application/json", b"", {}, "/invocations", "GET"),
        request_bytes("application/json", b"{}", {}, "/models", "POST"),
        request_bytes("application/json", b"", {}, "/models/x/invoke", "POST"),
        b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n",
        b"GET /ping HTTP/1.1\r\nHost: x\r\nX: " + b" \t" * 30000 + b"\x01\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) + b"\r\n\r\n",
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ]
    return wires


def send_bad(wire):
    """The status of every answer to `wire` sent on one connection then half-closed."""
    with socket.create_connection(("127.0.0.1", PORT), timeout=10) as s:
        try:
            s.sendall(wire)
            s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = read_all(s)
    return [int(part[:3]) for part in data.split(b"HTTP/1.1 ")[1:] if part[:3].isdigit() and part[3:4] == b" "]


def phase_bad_input(serve):
    before = sorted(serve.workers())
    counts = {"2xx": 0, "4xx": 0, "expected 5xx (501/505)": 0, "unexpected 5xx": 0, "closed without answer": 0}
    unexpected = []
    wires = bad_inputs()
    for wire in wires:
        statuses = [s for s in send_bad(wire) if s != 100]
        final = statuses[-1] if statuses else None
        if final is None:
            counts["closed without answer"] += 1
        elif final < 300:
            counts["2xx"] += 1
        elif final < 500:
            counts["4xx"] += 1
        elif final in EXPECTED_5XX:
            counts["expected 5xx (501/505)"] += 1
        else:
            counts["unexpected 5xx"] += 1
            unexpected.append((final, wire[:120]))
    after = sorted(serve.workers())
    deaths = serve.read_log().count("was killed by signal") + serve.read_log().count("exited with")
    return {
        "inputs": len(wires),
        "counts": counts,
        "unexpected": unexpected,
        "worker deaths": deaths + (0 if before == after else 1),
        "ping after": serve.ping(),
    }


# -- phases 2 and 3: wrk ------------------------------------------------------------


def wrk(seconds):
    """Starts wrk; its RESULT line is 'rps p50 p99 errors requests'."""
    return subprocess.Popen(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            os.path.join(HERE, "predict.lua"),
            f"http://127.0.0.1:{PORT}/invocations",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wrk_result(proc):
    out, _ = proc.communicate()
    for line in out.splitlines():
        if line.startswith("RESULT "):
            rps, p50, p99, errors, requests = line.split()[1:]
            return {
                "rps": float(rps),
                "p50": float(p50),
                "p99": float(p99),
                "errors": int(errors),
                "requests": int(requests),
                "raw": out,
            }
    raise SystemExit("wrk gave no result:\n" + out)


def phase_soak(serve):
    proc = wrk(DURATION)
    samples = []
    started = time.monotonic()
    while proc.poll() is None:
        time.sleep(RSS_EVERY)
        if proc.poll() is None:
            samples.append(round(sum(rss_mib(pid) for pid in serve.workers()), 1))
    result = wrk_result(proc)
    result["rss"] = samples
    result["seconds"] = round(time.monotonic() - started)
    return result


def phase_kill(serve):
    proc = wrk(KILL_DURATION)
    kills = []
    stop = threading.Event()

    def killer():
        rng = random.Random(3)
        while not stop.wait(KILL_EVERY):
            workers = serve.workers()
            if proc.poll() is not None or not workers:
                return
            victim = rng.choice(workers)
            os.kill(victim, signal.SIGKILL)
            kills.append(victim)

    thread = threading.Thread(target=killer)
    thread.start()
    result = wrk_result(proc)
    stop.set()
    thread.join()
    time.sleep(1)
    result["kills"] = len(kills)
    result["workers after"] = len(serve.workers())
    result["ping after"] = serve.ping()
    return result


def main():
    if shutil.which("wrk") is None:
        raise SystemExit("the reliability benchmark needs wrk: bash scripts/ensure-deps.sh bench")
    if DURATION <= RSS_EVERY:
        raise SystemExit(f"DURATION must be more than {RSS_EVERY} s: the soak samples RSS every {RSS_EVERY} s")
    work = tempfile.mkdtemp(prefix="modelapi-reliability.")
    serve = Serve(work)
    try:
        load = {"bad input": loadavg()}
        bad = phase_bad_input(serve)
        load["soak"] = loadavg()
        soak = phase_soak(serve)
        load["kill"] = loadavg()
        kill = phase_kill(serve)
        load["end"] = loadavg()
    finally:
        serve.stop()
        shutil.rmtree(work, ignore_errors=True)

    rss = soak["rss"]
    first = rss[1] if len(rss) > 1 else rss[0]  # the first sample is still warming up
    flat = max(rss[1:] or rss) - first <= RSS_SLACK_MIB
    failed = kill["errors"] / max(1, kill["requests"])
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(": ", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    counts = ", ".join(f"{k} {v}" for k, v in bad["counts"].items())
    loads = "; ".join(f"{k} {v}" for k, v in load.items())
    print(
        f"Serving container, {WORKERS} workers, LogisticRegression on iris, loopback, {os.cpu_count()} CPUs ({cpu}); "
        f"load average (1/5/15 min) at the start of each phase: {loads}."
    )
    print()
    print("| phase | what | result | target | met |")
    print("|---|---|---|---|---|")
    bad_met = bad["inputs"] >= 200 and not bad["unexpected"] and not bad["worker deaths"]
    print(
        f"| bad input | {bad['inputs']} malformed or hostile requests, one connection each | {counts}; "
        f"worker deaths {bad['worker deaths']}; /ping after: {bad['ping after']} | >= 200 inputs, 0 unexpected 5xx, "
        f"0 worker deaths | {'yes' if bad_met else 'NO'} |"
    )
    print(
        f"| soak | wrk, {CONNECTIONS} connections, {DURATION} s | {soak['requests']} requests, {soak['rps']:.0f}/s, "
        f"p99 {soak['p99']:.1f} ms, errors {soak['errors']}; worker RSS sum every {RSS_EVERY} s (MiB): "
        f"{' '.join(str(r) for r in rss)} | 0 errors, flat RSS (within {RSS_SLACK_MIB} MiB after warm-up) | "
        f"{'yes' if soak['errors'] == 0 and flat else 'NO'} |"
    )
    print(
        f"| kill | wrk, {CONNECTIONS} connections, {KILL_DURATION} s, a worker SIGKILLed every {KILL_EVERY:g} s | "
        f"{kill['kills']} kills, {kill['requests']} requests, {kill['errors']} failed ({failed:.4%}); workers after: "
        f"{kill['workers after']}, /ping after: {kill['ping after']} | < 0.1 % failed | "
        f"{'yes' if failed < 0.001 and kill['workers after'] == WORKERS else 'NO'} |"
    )
    if bad["unexpected"]:
        print("\nunexpected 5xx:")
        for status, wire in bad["unexpected"]:
            print(f"  {status}: {wire!r}")
    print()
    print(
        f"command: DURATION={DURATION} KILL_DURATION={KILL_DURATION} KILL_EVERY={KILL_EVERY:g} "
        "/usr/bin/python3 container/bench/reliability.py"
    )


if __name__ == "__main__":
    main()
