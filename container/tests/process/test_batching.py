"""Requests that arrive together share one predict() call, and each still gets
exactly its own answer; a request the model fails on fails alone."""

import http.client
import json
import time

import pytest

from conftest import body_json, write_inference

# An estimator that logs how many rows each predict() call gets, holds a row
# starting with -1 until the test allows it to go on (so others pile up
# meanwhile) and fails on 666.
MODEL = """
import os, time
import numpy as np

class Recorder:
    n_features_in_ = 2

    def predict(self, X):
        if (X[:, 0] == 666).any():
            raise ValueError("666 is not a number this model likes")
        if (X[:, 0] == -1).any():
            open(os.environ["HELD"], "w").close()
            deadline = time.monotonic() + 30
            while not os.path.exists(os.environ["RELEASE"]) and time.monotonic() < deadline:
                time.sleep(0.01)
        with open(os.environ["BATCH_LOG"], "a") as f:
            f.write(f"{len(X)}\\n")
        return X[:, 0] * 10 + X[:, 1]

def model_fn(model_dir):
    return Recorder()
"""


@pytest.fixture
def recorder(start_server, tmp_path):
    def start(**env):
        model_dir = tmp_path / "m"
        model_dir.mkdir(exist_ok=True)
        write_inference(str(model_dir), MODEL)
        log = tmp_path / "batches.log"
        server = start_server(
            str(model_dir),
            workers=1,
            env={"BATCH_LOG": str(log), "HELD": str(tmp_path / "held"), "RELEASE": str(tmp_path / "release"), **env},
        )
        server.held, server.release = tmp_path / "held", tmp_path / "release"
        return server, log

    return start


def send(conn, rows):
    conn.request("POST", "/invocations", body=json.dumps(rows), headers={"Content-Type": "application/json"})


def receive(conn):
    resp = conn.getresponse()
    return resp.status, resp.read()


def post(conn, rows):
    send(conn, rows)
    return receive(conn)


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def burst(server, bodies):
    """Send `bodies` on established connections while the worker is held in a prediction, then let it go on."""
    conns = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=30) for _ in range(len(bodies) + 1)]
    for conn in conns:
        assert post(conn, [[0, 0]])[0] == 200  # connected and accepted before the burst
    send(conns[0], [[-1, 0]])
    assert wait_for(server.held.exists), "the held request never reached predict()"
    for conn, body in zip(conns[1:], bodies):
        send(conn, body)  # sent in full, waiting in the held worker's sockets
    server.release.touch()
    assert receive(conns[0])[0] == 200
    results = [receive(conn) for conn in conns[1:]]
    for conn in conns:
        conn.close()
    return results


def test_concurrent_requests_share_a_predict_call_and_get_their_own_answers(recorder):
    server, log = recorder()
    bodies = [[[i, 1]] for i in range(6)] + [[[7, 1], [8, 2]], [[1, 2, 3]], [[None, 1]]]
    results = burst(server, bodies)
    for i in range(6):
        assert results[i][0] == 200 and body_json(results[i][1]) == [i * 10 + 1]
    assert results[6][0] == 200 and body_json(results[6][1]) == [71, 82]
    assert results[7][0] == 400  # refused before any prediction
    assert results[8][0] == 400
    sizes = [int(n) for n in log.read_text().split()]
    assert max(sizes) == 8, sizes  # six one-row requests and one two-row request, together


def test_a_request_the_model_fails_on_fails_alone(recorder):
    server, log = recorder()
    bodies = [[[1, 1]], [[666, 0]], [[2, 2]], [[3, 3]]]
    results = burst(server, bodies)
    assert [r[0] for r in results] == [200, 500, 200, 200]
    assert [body_json(results[i][1]) for i in (0, 2, 3)] == [[11], [22], [33]]
    assert "666 is not a number" not in results[1][1].decode()
    assert "666 is not a number this model likes" in server.read_log()


def test_pipelined_requests_on_one_connection_keep_their_order(recorder):
    import socket

    server, _ = recorder()
    wire = b"".join(
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(b), b)
        for b in (json.dumps([[i, 0]]).encode() for i in range(5))
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(wire)
        reader = s.makefile("rb")
        answers = []
        for _ in range(5):
            length = 0
            while True:
                line = reader.readline()
                if line.lower().startswith(b"content-length"):
                    length = int(line.split(b":")[1])
                if line == b"\r\n":
                    break
            answers.append(json.loads(reader.read(length)))
    assert answers == [[0], [10], [20], [30], [40]]


def test_batching_can_be_turned_off(recorder):
    server, log = recorder(MODELAPI_BATCHING="false")
    results = burst(server, [[[i, 1]] for i in range(4)])
    assert [body_json(r[1]) for r in results] == [[1], [11], [21], [31]]
    assert set(log.read_text().split()) == {"1"}
