"""The body of a forked worker process: its event loop, its app and model, loaded once
and kept out of the garbage collector's scans, then the `Worker` serving until stopped.
"""

import asyncio
import gc
import logging
import os
import signal
import socket
import warnings
from typing import Optional

from ..config import Config
from .scoreboard import Scoreboard
from .worker import Worker

log = logging.getLogger("modelapi.worker")


def _set_parent_death_signal() -> None:
    """Ask the kernel to SIGTERM this worker if the supervisor dies (Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def run(
    sock: socket.socket,
    config: Config,
    slot: int,
    scoreboard: Scoreboard,
    master_pid: int,
    registry_dir: Optional[str] = None,
) -> None:
    """Body of a forked worker process; returns when the worker should exit."""
    _set_parent_death_signal()
    if os.getppid() != master_pid:
        return
    loop: asyncio.AbstractEventLoop
    try:
        import uvloop

        loop = uvloop.new_event_loop()
    except ImportError:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    from ..app import App

    registry = None
    if registry_dir is not None:
        from ..models.registry import Registry

        registry = Registry(
            registry_dir, config.workers, config.memory_headroom_bytes, config.default_accept, config.container_code
        )
    app = App(config, registry)
    worker = Worker(sock, config, app, scoreboard, slot, master_pid, registry)
    worker.loop = loop
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stop)
    # rows are checked against the model's features here (count, and names for
    # object rows), so sklearn's notice that an array carries no column names is noise
    warnings.filterwarnings("ignore", message="X does not have valid feature names", category=UserWarning)
    if registry is None:
        app.load_model()
        if app.handler is not None and app.handler.validates_input:
            # finiteness is checked by the handler before predict(); skip sklearn's second check
            try:
                import sklearn

                sklearn.set_config(assume_finite=True)
            except ImportError:
                pass
    # everything loaded so far (libraries, the model) lives as long as the worker:
    # keep it out of the garbage collector's full scans, which would otherwise
    # pause a request now and then for tens of milliseconds
    gc.collect()
    gc.freeze()
    sock.setblocking(False)
    worker.connections_changed()  # listening from now on: siblings may leave connections to this worker
    loop.add_reader(sock.fileno(), worker.accept)
    loop.call_later(worker.tick_seconds(), worker.tick)
    log.info("worker %d listening (slot %d)", os.getpid(), slot)
    try:
        loop.run_forever()
    finally:
        for conn in list(worker.connections):
            conn.close()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
