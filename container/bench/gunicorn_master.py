#!/usr/bin/env python3
"""The model server's workers under gunicorn's master process instead of ours.

An evaluation aid for container/bench/process_model.sh, not part of the image:
a gunicorn worker class that runs the same asyncio worker (same HTTP protocol,
same batching, same app) on the socket gunicorn binds, with gunicorn's
heartbeat standing in for our scoreboard's request timeout. What gunicorn has
no counterpart for is the scoreboard's connection counts, so each worker accepts
whatever the kernel hands it.

    SM_MODEL_DIR=... SAGEMAKER_BIND_TO_PORT=... /usr/bin/python3 container/bench/gunicorn_master.py
"""

import asyncio
import gc
import os
import sys

from gunicorn.app.base import BaseApplication
from gunicorn.workers.base import Worker as GunicornWorker

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from modelapi_serving.config import Config  # noqa: E402


class NoScoreboard:
    """Nothing shared between workers: every worker takes every connection it is offered."""

    def set_busy(self, slot, since):
        pass

    def set_connections(self, slot, count):
        pass

    def fewest_connections_elsewhere(self, slot):
        return sys.maxsize


class AsyncioWorker(GunicornWorker):
    def run(self):
        from modelapi_serving.app import App
        from modelapi_serving.process.worker import Worker

        try:
            import uvloop

            loop = uvloop.new_event_loop()
        except ImportError:
            loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        config = Config.from_env()
        app = App(config)
        app.load_model()
        sock = self.sockets[0].sock
        worker = Worker(sock, config, app, NoScoreboard(), 0, self.ppid)
        worker.loop = loop
        gc.collect()
        gc.freeze()
        sock.setblocking(False)
        loop.add_reader(sock.fileno(), worker.accept)

        def heartbeat():
            self.notify()  # gunicorn kills a worker that misses its heartbeat for `timeout` s
            if not self.alive:
                worker.stop()
                return
            loop.call_later(1.0, heartbeat)

        loop.call_later(1.0, heartbeat)
        loop.call_later(1.0, worker.tick)
        self.log.info("worker %d listening (slot 0)", os.getpid())
        loop.run_forever()


class Master(BaseApplication):
    def __init__(self, config):
        self.config = config
        super().__init__()

    def load_config(self):
        self.cfg.set("bind", f"{self.config.host}:{self.config.port}")
        self.cfg.set("workers", self.config.workers)
        self.cfg.set("timeout", self.config.timeout)
        self.cfg.set("worker_class", "gunicorn_master.AsyncioWorker")
        self.cfg.set("backlog", 1024)

    def load(self):
        return None  # the workers serve the model themselves, not a WSGI app


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    Master(Config.from_env()).run()
