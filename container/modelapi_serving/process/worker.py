"""One worker process: an asyncio event loop serving HTTP on the shared socket.

Predictions run synchronously on the loop: each worker uses one core, and the
supervisor starts one worker per core. Connections are shared fairly, since a
keep-alive connection stays with the worker that accepted it: each wake-up of
the listening socket accepts a single connection, and a worker that already
holds more connections than a sibling steps back so the sibling takes it. It
waits for as long as such a sibling is idle (however long the kernel takes to
run it on a busy machine, up to `MAX_STEP_BACK_SECONDS`), and takes the
connection itself `STEP_BACK_SECONDS` after stepping back when every sibling
with fewer connections is in the middle of a request, so a new connection never
waits for another connection's prediction.
"""

import asyncio
import logging
import os
import select
import socket
import time
from typing import TYPE_CHECKING, Dict, List, Optional, Set, Tuple, Union

from . import batching
from ..errors import error_body
from ..http.connection import HttpConnection
from ..http.messages import DEFERRED, Deferred, Request, Response
from ..http.state import State
from ..config import Config
from ..models.pipeline import Pending
from .scoreboard import NOT_LISTENING, Scoreboard

if TYPE_CHECKING:
    from ..app import App
    from ..models.registry import Registry

log = logging.getLogger("modelapi.worker")

STEP_BACK_SECONDS = 0.005  # how often a worker that stepped back looks again
MAX_STEP_BACK_SECONDS = 1.0  # an idle sibling that has not run for this long is not coming


class Worker:
    """One worker's event loop: it accepts connections, hosts them, and batches their predictions."""

    loop: asyncio.AbstractEventLoop  # set before the loop runs

    def __init__(
        self,
        sock: socket.socket,
        config: Config,
        app: "App",
        scoreboard: Scoreboard,
        slot: int,
        master_pid: int,
        registry: Optional["Registry"] = None,
    ):
        self.sock = sock
        self.config = config
        self.app = app
        self.scoreboard = scoreboard
        self.slot = slot
        self.master_pid = master_pid
        self.handshaking = 0  # accepted, transport not made yet
        self.tasks: Set["asyncio.Task[None]"] = set()  # the loop keeps only weak references to tasks
        self.batch: List[Tuple[Request, Pending]] = []  # prepared predictions from this loop turn
        self.flush_scheduled = False
        self.registry = registry
        self.connections: Set[HttpConnection] = set()
        self.stopping = False

    def busy(self, on: bool) -> None:
        # the supervisor kills a worker whose request has run longer than the timeout
        self.scoreboard.set_busy(self.slot, time.monotonic() if on else 0.0)

    def protocol(self) -> HttpConnection:
        return HttpConnection(self)

    # -- the connections' host -------------------------------------------------------

    def handle(self, request: Request) -> Union[Response, Deferred]:
        """The app's answer, or a prediction queued to be made with the others of this loop turn."""
        self.busy(True)
        try:
            result = self.app.handle(request, self.config.batching)
        finally:
            self.busy(False)
        if isinstance(result, Pending):
            self.enqueue(request, result)
            return DEFERRED
        return result

    def connection_opened(self, connection: HttpConnection) -> None:
        self.connections.add(connection)
        self.connections_changed()

    def connection_closed(self, connection: HttpConnection) -> None:
        self.connections.discard(connection)
        self.connections_changed()

    # -- batching ---------------------------------------------------------------------

    def enqueue(self, request: Request, pending: Pending) -> None:
        """Queue a prediction; all queued in one loop turn are predicted together
        once that turn's reads are done, so batching never waits for requests."""
        self.batch.append((request, pending))
        if not self.flush_scheduled:
            self.flush_scheduled = True
            self.loop.call_soon(self.flush)

    def flush(self) -> None:
        self.flush_scheduled = False
        batch, self.batch = self.batch, []
        groups: Dict[int, List[Tuple[Request, Pending]]] = {}
        for request, pending in batch:
            groups.setdefault(id(pending.handler), []).append((request, pending))
        for items in groups.values():
            self.busy(True)
            try:
                responses = batching.predict_many(items[0][1].handler, [pending for _, pending in items])
            except Exception:  # never leave a connection waiting for an answer
                log.exception("batched prediction failed")
                responses = [
                    Response(
                        500,
                        "application/json",
                        error_body(500, "internal server error; the server log has the details"),
                    )
                ] * len(items)
            finally:
                self.busy(False)
            for (request, _), response in zip(items, responses):
                request.respond(response)

    def held(self) -> int:
        return len(self.connections) + self.handshaking

    def connections_changed(self) -> None:
        # a stopping worker accepts no more: its siblings must not leave connections to it
        self.scoreboard.set_connections(self.slot, NOT_LISTENING if self.stopping else self.held())

    def accept(self) -> None:
        """The listening socket is readable: take the connection, or step back for a sibling that holds fewer."""
        if self.held() > self.scoreboard.fewest_connections_elsewhere(self.slot):
            self.loop.remove_reader(self.sock.fileno())
            self.loop.call_later(STEP_BACK_SECONDS, self._look_again, time.monotonic())
            return
        self._take()

    def _look_again(self, since: float) -> None:
        """After stepping back: listen again if a sibling took the connection, else wait on while a sibling
        that holds fewer is idle (it takes the connection as soon as it runs), else take it now: every
        such sibling is predicting, and the client should not wait for that."""
        if self.stopping:
            return
        if self._connection_pending():
            waited = time.monotonic() - since
            if waited < MAX_STEP_BACK_SECONDS and self.scoreboard.idle_worker_with_fewer(self.slot, self.held()):
                self.loop.call_later(STEP_BACK_SECONDS, self._look_again, since)
                return
            self._take()
        self.loop.add_reader(self.sock.fileno(), self.accept)

    def _connection_pending(self) -> bool:
        poller = select.poll()
        poller.register(self.sock.fileno(), select.POLLIN)
        return bool(poller.poll(0))

    def _take(self) -> None:
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
        self.handshaking += 1
        self.connections_changed()
        task = self.loop.create_task(self._connect(conn))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _connect(self, conn: socket.socket) -> None:
        try:
            await self.loop.connect_accepted_socket(self.protocol, conn)
        except OSError:
            conn.close()
        finally:
            self.handshaking -= 1
            self.connections_changed()

    def tick(self) -> None:
        if self.stopping:
            return
        if os.getppid() != self.master_pid:
            log.warning("supervisor is gone; worker exiting")
            self.stop()
            return
        now = time.monotonic()
        for conn in list(self.connections):
            conn.check_timers(now)
        if self.registry is not None:
            self.registry.sweep()
        self.loop.call_later(self.tick_seconds(), self.tick)

    def tick_seconds(self) -> float:
        # often enough that no deadline is overrun by more than a quarter of itself
        config = self.config
        return min(1.0, min(config.header_timeout, config.body_timeout, config.keepalive_timeout) / 4)

    def stop(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        self.connections_changed()
        try:
            self.loop.remove_reader(self.sock.fileno())
        except (ValueError, OSError):
            pass
        self._drain(time.monotonic() + max(0.5, self.config.shutdown_grace - 1.0))

    def _drain(self, deadline: float) -> None:
        # idle connections close now; a request still arriving gets its answer, then close
        for conn in list(self.connections):
            if conn.idle() or conn.state is State.DRAINING:
                conn.close()
        if not self.connections or time.monotonic() >= deadline:
            for conn in list(self.connections):
                conn.close()
            self.loop.call_later(0.05, self.loop.stop)
        else:
            self.loop.call_later(0.05, self._drain, deadline)
