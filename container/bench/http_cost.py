#!/usr/bin/env python3
"""CPU cost of the HTTP layer per request, in process: one keep-alive POST (three
headers, a 37-byte JSON body) parsed and answered by a stub app, 50,000 times a
run, best of RUNS runs of `time.process_time` (CPU time, so other work on a busy
machine does not count).

    /usr/bin/python3 container/bench/http_cost.py [CONTAINER_DIR]

CONTAINER_DIR (default: this checkout's container/) lets the same measurement
run on another version, e.g. one unpacked with
`mkdir /tmp/before && git archive <commit> container | tar -x -C /tmp/before`.
"""

import asyncio
import dataclasses
import os
import sys
import time

CONTAINER = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, CONTAINER)

from modelapi_serving.config import Config  # noqa: E402

try:
    from modelapi_serving.http11 import HttpProtocol  # noqa: E402
except ImportError:  # older checkouts
    from modelapi_serving.http import HttpProtocol  # noqa: E402

RUNS = int(os.environ.get("RUNS", "6"))
REQUESTS = 50_000
REQUEST = (
    b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n"
    b"Content-Length: 37\r\n\r\n" + b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}'
)


class Transport:
    def write(self, data):
        pass

    def close(self):
        pass

    def is_closing(self):
        return False


class App:
    def handle(self, method, target, headers, body, defer=False):
        return 200, "application/json", b"[0]"


class Server:
    def __init__(self):
        self.app = App()
        self.config = dataclasses.replace(Config(), batching=False)
        self.connections = set()
        self.stopping = False

    def connections_changed(self):
        pass

    def busy(self, on):
        pass


async def measure():
    protocol = HttpProtocol(Server())
    protocol.connection_made(Transport())
    best = float("inf")
    for _ in range(RUNS):
        started = time.process_time()
        for _ in range(REQUESTS):
            protocol.data_received(REQUEST)
        best = min(best, (time.process_time() - started) / REQUESTS)
    return best


if __name__ == "__main__":
    print(f"{CONTAINER}: {asyncio.run(measure()) * 1e6:.2f} µs of CPU per request (best of {RUNS})")
