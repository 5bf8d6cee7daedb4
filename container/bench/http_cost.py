#!/usr/bin/env python3
"""Cost of one request in process: a keep-alive POST (three headers, the 37-byte JSON body of
`predict.lua`) parsed and answered, with no socket and no load generator to share the CPU with.

    /usr/bin/python3 container/bench/http_cost.py [--app] [--instructions] [CONTAINER_DIR]

- default: the HTTP layer alone, answered by a stub app; `--app`: the version's own app serving a
  linear model (routing, JSON decoding, the checks, `predict`, encoding), as a worker runs it with
  batching off.
- the figure is CPU time per request (`time.process_time`, best of RUNS runs of REQUESTS requests),
  which other work on a busy machine disturbs less than wall time; with `--instructions` it is the
  number of instructions per request, counted by valgrind (callgrind) with a fixed hash seed, the same
  on every run to within a few dozen: the script runs itself twice under valgrind, with REQUESTS and
  2 x REQUESTS requests, and divides the difference, so start-up (imports, loading the model) cancels out.

CONTAINER_DIR (default: this checkout's container/) lets the same measurement run on another
version, e.g. one unpacked with `mkdir /tmp/before && git archive <commit> container | tar -x -C /tmp/before`.
"""

import asyncio
import dataclasses
import os
import re
import subprocess
import sys
import tempfile
import time

FLAGS = {arg for arg in sys.argv[1:] if arg.startswith("--")}
ARGS = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
CONTAINER = os.path.abspath(ARGS[0] if ARGS else os.path.join(os.path.dirname(__file__), ".."))
WITH_APP = "--app" in FLAGS
RUNS = int(os.environ.get("RUNS", "6"))
REQUESTS = int(os.environ.get("REQUESTS", "50000" if not WITH_APP else "5000"))
REQUEST = (
    b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n"
    b"Content-Length: 37\r\n\r\n" + b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}'
)
ANSWER = (200, "application/json", b"[0]")  # the stub's one answer for every version: its making is not measured


class Transport:
    def write(self, data):
        pass

    def close(self):
        pass

    def is_closing(self):
        return False

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass


class StubApp:
    def __init__(self):
        try:  # answers became a `Response` with header fields; earlier versions took a plain tuple
            from modelapi_serving.http.messages import Response

            self.answer = Response(*ANSWER)
        except ImportError:
            self.answer = ANSWER

    def handle(self, *request):
        return self.answer


class Server:
    """What a connection is given, for both shapes of the HTTP layer: the layered package's host
    (`handle(request)`) and the single module's server (`.app.handle(method, target, headers, body)`)."""

    def __init__(self, config, app):
        self.config = config
        self.app = app
        self.connections = set()
        self.stopping = False

    def handle(self, request):
        return self.app.handle(request, False)

    def connection_opened(self, connection):
        self.connections.add(connection)

    def connection_closed(self, connection):
        self.connections.discard(connection)

    def connections_changed(self):
        pass

    def busy(self, on):
        pass


def protocol_class():
    try:
        from modelapi_serving.http.connection import HttpConnection

        return HttpConnection
    except ImportError:  # before the HTTP layer was its own package
        try:
            from modelapi_serving.http11 import HttpProtocol
        except ImportError:
            from modelapi_serving.http import HttpProtocol
        return HttpProtocol


class LinearModel:
    """What a fitted LogisticRegression computes in `predict`, in numpy alone: the measurement is of the
    server's code, not of scikit-learn's (whose scipy does not load under valgrind)."""

    n_features_in_ = 4

    def __init__(self):
        import numpy as np

        self.coef = np.array([[-0.42, 0.97, -2.40, -1.01], [0.53, -0.32, -0.21, -0.94], [-0.11, -0.65, 2.61, 1.95]])
        self.intercept = np.array([9.8, 2.2, -12.0])

    def predict(self, X):
        return (X @ self.coef.T + self.intercept).argmax(axis=1)


def real_app(config_class):
    """The version's App serving `LinearModel`, loaded from a model directory as a worker loads it."""
    import pickle

    from modelapi_serving.app import App

    model_dir = tempfile.mkdtemp(prefix="modelapi-http-cost.")
    with open(f"{model_dir}/model.pkl", "wb") as f:
        pickle.dump(LinearModel(), f)
    app = App(dataclasses.replace(config_class(), model_dir=model_dir, batching=False))
    app.load_model()
    assert app.handler is not None, app.load_error
    return app


async def measure():
    sys.path.insert(0, CONTAINER)
    from modelapi_serving.config import Config

    app = real_app(Config) if WITH_APP else StubApp()
    server = Server(dataclasses.replace(Config(), batching=False), app)
    protocol = protocol_class()(server)
    protocol.connection_made(Transport())
    best = float("inf")
    for _ in range(RUNS):
        started = time.process_time()
        for _ in range(REQUESTS):
            protocol.data_received(REQUEST)
        best = min(best, (time.process_time() - started) / REQUESTS)
    return best


def instructions(requests):
    """Instructions valgrind counts for one run of `requests` requests (RUNS=1)."""
    # a fixed hash seed: with it the count repeats to within a few instructions from run to run
    env = dict(os.environ, RUNS="1", REQUESTS=str(requests), PYTHONHASHSEED="0")
    args = [a for a in sys.argv[1:] if a != "--instructions"]
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__, *args]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stderr
    return int(re.search(r"Collected : (\d+)", out).group(1))


if __name__ == "__main__":
    what = "the app and the HTTP layer" if WITH_APP else "the HTTP layer"
    if "--instructions" in FLAGS:
        per_request = (instructions(2 * REQUESTS) - instructions(REQUESTS)) / REQUESTS
        print(f"{CONTAINER}: {per_request:.0f} instructions per request in {what} (valgrind, {REQUESTS} requests)")
    else:
        cost = asyncio.run(measure())
        print(f"{CONTAINER}: {cost * 1e6:.2f} µs of CPU per request in {what} (best of {RUNS})")
