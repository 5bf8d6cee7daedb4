"""One worker process: an asyncio event loop serving HTTP on the shared socket.

Predictions run synchronously on the loop: each worker uses one core, and the
supervisor starts one worker per core. Each wake-up of the listening socket
accepts a single connection, so a worker busy predicting leaves new connections
to an idle sibling instead of hoarding them.
"""

import asyncio
import logging
import os
import signal
import socket
import struct
import time

from .http import HttpProtocol

log = logging.getLogger("modelapi.worker")

HEARTBEAT = struct.Struct("d")


class Worker:
    def __init__(self, sock, config, app, heartbeat, slot, master_pid, registry=None):
        self.sock = sock
        self.config = config
        self.app = app
        self.heartbeat = heartbeat
        self.offset = slot * HEARTBEAT.size
        self.master_pid = master_pid
        self.registry = registry
        self.connections = set()
        self.stopping = False
        self.loop = None

    def busy(self, on):
        # the supervisor kills a worker whose request has run longer than the timeout
        HEARTBEAT.pack_into(self.heartbeat, self.offset, time.monotonic() if on else 0.0)

    def protocol(self):
        return HttpProtocol(self)

    def accept(self):
        try:
            conn, _addr = self.sock.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:  # EMFILE and friends: keep serving the connections we have
            log.warning("accept failed: %s", exc)
            return
        conn.setblocking(False)
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.loop.create_task(self._connect(conn))

    async def _connect(self, conn):
        try:
            await self.loop.connect_accepted_socket(self.protocol, conn)
        except OSError:
            conn.close()

    def tick(self):
        if self.stopping:
            return
        if os.getppid() != self.master_pid:
            log.warning("supervisor is gone; worker exiting")
            self.stop()
            return
        now = time.monotonic()
        for conn in list(self.connections):
            if now - conn.last > self.config.keepalive_timeout:
                conn.close()
        if self.registry is not None:
            self.registry.sweep()
        self.loop.call_later(1.0, self.tick)

    def stop(self):
        if self.stopping:
            return
        self.stopping = True
        try:
            self.loop.remove_reader(self.sock.fileno())
        except (ValueError, OSError):
            pass
        self._drain(time.monotonic() + max(0.5, self.config.shutdown_grace - 1.0))

    def _drain(self, deadline):
        # idle connections close now; a request still arriving gets its answer, then close
        for conn in list(self.connections):
            if conn.idle() or conn.discarding:
                conn.close()
        if not self.connections or time.monotonic() >= deadline:
            for conn in list(self.connections):
                conn.close()
            self.loop.call_later(0.05, self.loop.stop)
        else:
            self.loop.call_later(0.05, self._drain, deadline)


def _set_parent_death_signal():
    """Ask the kernel to SIGTERM this worker if the supervisor dies (Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def run(sock, config, slot, heartbeat, master_pid, registry_dir=None):
    """Body of a forked worker process; returns when the worker should exit."""
    _set_parent_death_signal()
    if os.getppid() != master_pid:
        return
    try:
        import uvloop

        loop = uvloop.new_event_loop()
    except ImportError:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    from .app import App

    registry = None
    if registry_dir is not None:
        from .registry import Registry

        registry = Registry(registry_dir, config.workers, config.memory_headroom_bytes, config.default_accept)
    app = App(config, registry)
    worker = Worker(sock, config, app, heartbeat, slot, master_pid, registry)
    worker.loop = loop
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stop)
    if registry is None:
        app.load_model()
        if app.handler is not None and app.handler.validates_input:
            # finiteness is checked by the handler before predict(); skip sklearn's second check
            try:
                import sklearn

                sklearn.set_config(assume_finite=True)
            except ImportError:
                pass
    sock.setblocking(False)
    loop.add_reader(sock.fileno(), worker.accept)
    loop.call_later(1.0, worker.tick)
    log.info("worker %d listening (slot %d)", os.getpid(), slot)
    try:
        loop.run_forever()
    finally:
        for conn in list(worker.connections):
            conn.close()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
