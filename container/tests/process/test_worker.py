"""A worker: its model loads before /ping says healthy, and keep-alive connections are shared
fairly between workers."""

import os
import socket
import time

import pytest

from conftest import body_json, fit_logistic, write_inference


ROW = [[5.1, 3.5, 1.4, 0.2]]


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_ping_fails_until_the_model_is_loaded(start_server, tmp_path):
    # model_fn says it has started, then waits for the test's go-ahead: /ping is asked while the model is
    # certainly still loading, and again once it has certainly finished
    loading, release = tmp_path / "loading", tmp_path / "release"
    fit_logistic(str(tmp_path / "m"))
    write_inference(
        str(tmp_path / "m"),
        f"""
import os, time, joblib
def model_fn(model_dir):
    open({str(loading)!r}, "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists({str(release)!r}) and time.monotonic() < deadline:
        time.sleep(0.01)
    return joblib.load(os.path.join(model_dir, "model.joblib"))
""",
    )
    server = start_server(str(tmp_path / "m"), ready=False)

    def ping():
        try:
            return server.request("GET", "/ping", timeout=0.5)[0]
        except OSError:
            return None  # not answered: the loading worker does not accept yet

    assert wait_for(loading.exists, timeout=30), server.read_log()
    for _ in range(3):
        assert ping() != 200, "/ping answered 200 while model_fn was still running"
    assert "model loaded" not in server.read_log()
    release.touch()
    assert wait_for(lambda: ping() == 200, timeout=30), server.read_log()
    assert "model loaded" in server.read_log()


def test_keep_alive_connections_are_shared_fairly_between_workers(start_server, tmp_path):
    import http.client
    from collections import Counter

    fit_logistic(str(tmp_path / "m"))
    write_inference(str(tmp_path / "m"), "import os\ndef predict_fn(data, model):\n    return [os.getpid()]\n")
    server = start_server(str(tmp_path / "m"), workers=2)
    conns = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=5) for _ in range(8)]
    pids = []
    for conn in conns:
        conn.request("POST", "/invocations", body="[[1,2,3,4]]", headers={"Content-Type": "application/json"})
        pids.append(body_json(conn.getresponse().read())[0])
    # each connection stays with its worker
    for conn, pid in zip(conns, pids):
        conn.request("POST", "/invocations", body="[[1,2,3,4]]", headers={"Content-Type": "application/json"})
        assert body_json(conn.getresponse().read())[0] == pid
        conn.close()
    assert sorted(Counter(pids).values()) == [4, 4], pids


class RecordingLoop:
    """The few loop calls a worker makes when it accepts, recorded instead of run."""

    def __init__(self):
        self.later, self.readers, self.tasks = [], [], []

    def call_later(self, delay, callback, *args):
        self.later.append((callback, args))

    def add_reader(self, fd, callback):
        self.readers.append(fd)

    def remove_reader(self, fd):
        self.readers.remove(fd) if fd in self.readers else None

    def create_task(self, coroutine):
        coroutine.close()  # the connection's set-up is not what these tests look at
        self.tasks.append(coroutine)

        class Done:
            def add_done_callback(self, callback):
                pass

        return Done()


@pytest.fixture
def listening_worker():
    """Worker 0 of two on a real listening socket, its loop recorded; worker 1 listens with no connections."""
    from modelapi_serving.config import Config
    from modelapi_serving.process.scoreboard import Scoreboard
    from modelapi_serving.process.worker import Worker

    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    board = Scoreboard(2)
    board.reset(0)
    board.reset(1)
    board.set_connections(1, 0)
    worker = Worker(sock, Config.from_env({}), app=None, scoreboard=board, slot=0, master_pid=os.getpid())
    worker.loop = RecordingLoop()
    worker.handshaking = 1  # holds one connection more than worker 1
    clients = []

    def connect():
        client = socket.create_connection(sock.getsockname())
        clients.append(client)
        deadline = time.monotonic() + 5
        while not worker._connection_pending() and time.monotonic() < deadline:
            time.sleep(0.01)

    yield worker, board, connect
    for client in clients:
        client.close()
    sock.close()


def test_a_worker_holding_more_connections_steps_back_for_its_sibling(listening_worker):
    worker, _, connect = listening_worker
    connect()
    worker.accept()
    assert worker.loop.tasks == [] and worker.loop.later[0][0] == worker._look_again


def test_a_worker_keeps_waiting_while_the_sibling_with_fewer_connections_is_idle(listening_worker):
    # on a busy machine the idle sibling may take long to be scheduled; the connection is still its
    worker, _, connect = listening_worker
    connect()
    worker._look_again(time.monotonic() - 0.5)
    assert worker.loop.tasks == [] and worker.loop.readers == []
    assert worker.loop.later[0][0] == worker._look_again


def test_a_worker_takes_the_connection_when_the_sibling_with_fewer_is_predicting(listening_worker):
    worker, board, connect = listening_worker
    connect()
    board.set_busy(1, time.monotonic())
    worker._look_again(time.monotonic())
    assert len(worker.loop.tasks) == 1 and worker.loop.readers == [worker.sock.fileno()]


def test_a_worker_takes_the_connection_when_the_idle_sibling_has_not_run_for_a_long_time(listening_worker):
    from modelapi_serving.process.worker import MAX_STEP_BACK_SECONDS

    worker, _, connect = listening_worker
    connect()
    worker._look_again(time.monotonic() - MAX_STEP_BACK_SECONDS)
    assert len(worker.loop.tasks) == 1


def test_a_worker_listens_again_without_taking_anything_once_the_sibling_took_the_connection(listening_worker):
    worker, _, _ = listening_worker
    worker._look_again(time.monotonic())  # nothing pending: the sibling accepted it
    assert worker.loop.tasks == [] and worker.loop.later == [] and worker.loop.readers == [worker.sock.fileno()]
