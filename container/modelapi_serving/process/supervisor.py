"""The supervisor: binds the port, forks the workers and keeps them alive.

It stays small on purpose (it never imports numpy or the model): it replaces a
worker that dies, kills one whose request runs past
`SAGEMAKER_MODEL_SERVER_TIMEOUT`, and on SIGTERM/SIGINT stops every worker
(SIGKILL after a short grace period) and exits.
"""

import dataclasses
import errno
import logging
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import time
from types import FrameType
from typing import Dict, List, Optional, Tuple

from ..config import Config, ConfigError
from ..models.entrypoint import resolve_container_code
from ..models.loading import ModelLoadError
from .scoreboard import NOT_LISTENING, Scoreboard

log = logging.getLogger("modelapi.supervisor")

FAST_DEATH = 5.0  # a worker dying sooner than this after start is respawned with a back-off


def setup_logging(level: str) -> None:
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s",
    )


def bind(config: Config) -> socket.socket:
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((config.host, config.port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


class Supervisor:
    """Forks the workers, replaces those that die or hang, and stops them all on SIGTERM/SIGINT."""

    def __init__(self, config: Config, sock: socket.socket, registry_dir: Optional[str] = None):
        self.config = config
        self.sock = sock
        self.registry_dir = registry_dir
        self.scoreboard = Scoreboard(config.workers)
        self.workers: Dict[int, Tuple[int, float]] = {}  # pid -> (slot, started)
        self.respawn_at: Dict[int, float] = {}  # slot -> monotonic time
        self.backoff: Dict[int, float] = {}  # slot -> seconds
        self.stopping = False
        self.pid = os.getpid()

    # -- workers ------------------------------------------------------------

    def spawn(self, slot: int) -> None:
        self.scoreboard.reset(slot)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                signal.set_wakeup_fd(-1)
                os.close(self.wake_r)
                os.close(self.wake_w)
                for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD, signal.SIGHUP):
                    signal.signal(sig, signal.SIG_DFL)
                from . import worker_process

                worker_process.run(self.sock, self.config, slot, self.scoreboard, self.pid, self.registry_dir)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                logging.getLogger("modelapi.worker").exception("worker crashed")
                code = 1
            finally:
                logging.shutdown()
                os._exit(code)
        self.workers[pid] = (slot, time.monotonic())
        log.info("started worker %d (slot %d)", pid, slot)

    def reap(self) -> None:
        while self.workers:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            entry = self.workers.pop(pid, None)
            if entry is None:
                continue
            slot, started = entry
            # a dead worker must not look like the least loaded one
            self.scoreboard.set_connections(slot, NOT_LISTENING)
            self.scoreboard.set_busy(slot, 0.0)
            if self.stopping:
                continue
            if os.WIFSIGNALED(status):
                how = f"was killed by signal {os.WTERMSIG(status)}"
            else:
                how = f"exited with status {os.WEXITSTATUS(status)}"
            lived = time.monotonic() - started
            delay = 0.0
            if lived < FAST_DEATH:
                delay = self.backoff.get(slot, 0.5)
                self.backoff[slot] = min(delay * 2, 10.0)
            else:
                self.backoff.pop(slot, None)
            log.error("worker %d %s after %.1fs; replacing it%s", pid, how, lived, f" in {delay:.1f}s" if delay else "")
            self.respawn_at[slot] = time.monotonic() + delay

    def respawn_due(self) -> None:
        now = time.monotonic()
        for slot, due in list(self.respawn_at.items()):
            if due <= now:
                del self.respawn_at[slot]
                self.spawn(slot)

    def check_timeouts(self) -> None:
        now = time.monotonic()
        for pid, (slot, _started) in list(self.workers.items()):
            began = self.scoreboard.busy_since(slot)
            if began and now - began > self.config.timeout:
                log.error(
                    "worker %d has handled one request for %.0fs, over the %ds timeout; killing it",
                    pid,
                    now - began,
                    self.config.timeout,
                )
                self.scoreboard.set_busy(slot, 0.0)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    # -- main loop ----------------------------------------------------------

    def _on_signal(self, signum: int, _frame: Optional[FrameType]) -> None:
        if signum in (signal.SIGTERM, signal.SIGINT):
            self.stopping = True

    def run(self) -> None:
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGCHLD, self._on_signal)
        for slot in range(self.config.workers):
            self.spawn(slot)
        log.info(
            "serving on %s:%d with %d workers (%s mode)",
            self.config.host,
            self.sock.getsockname()[1],
            self.config.workers,
            "multi-model" if self.registry_dir else "single-model",
        )
        while not self.stopping:
            try:
                select.select([self.wake_r], [], [], 0.5)
            except InterruptedError:
                pass
            try:
                while os.read(self.wake_r, 512):
                    pass
            except (BlockingIOError, InterruptedError):
                pass
            self.reap()
            if self.stopping:
                break
            self.respawn_due()
            self.check_timeouts()
        self.shutdown()

    def shutdown(self) -> None:
        log.info("stopping %d workers", len(self.workers))
        self.stopping = True
        for pid in list(self.workers):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + self.config.shutdown_grace
        while self.workers and time.monotonic() < deadline:
            self.reap()
            time.sleep(0.02)
        for pid in list(self.workers):
            log.warning("worker %d did not stop in time; killing it", pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        while self.workers:
            try:
                pid, _ = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            self.workers.pop(pid, None)
        self.sock.close()
        if self.registry_dir:
            shutil.rmtree(self.registry_dir, ignore_errors=True)
        log.info("stopped")


def main(argv: List[str]) -> int:
    if argv and argv[0] != "serve":
        print(f"this image only serves models: expected `serve`, got {' '.join(argv)!r}", file=sys.stderr)
        return 2
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(config.log_level)
    if config.multi_model:
        # as AWS's images import the container-level script before the model server starts
        try:
            config = dataclasses.replace(config, container_code=resolve_container_code(os.environ, config.model_dir))
        except ModelLoadError as exc:
            print(f"configuration error: {exc}", file=sys.stderr)
            return 2
    try:
        sock = bind(config)
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", config.host, config.port, os.strerror(exc.errno) if exc.errno else exc)
        return 1 if exc.errno != errno.EACCES else 13
    registry_dir = None
    if config.multi_model:
        registry_dir = tempfile.mkdtemp(prefix="modelapi-models-")
    Supervisor(config, sock, registry_dir).run()
    return 0
