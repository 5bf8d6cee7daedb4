"""Large bodies through the real server: spooled to a file as they arrive, answered part by part
with the bytes of the whole-body path, and the files gone after every kind of ending."""

import os
import socket
import time

import numpy as np
import pytest

from conftest import Server, children, fit_logistic
from http_harness import recv_response

LIMIT = 4 * 1024 * 1024


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(whole, parts, spool_dir): one server that never spools, one that spools every body over 1 KiB."""
    tmp = tmp_path_factory.mktemp("streaming")
    fit_logistic(str(tmp / "model"))
    spool_dir = tmp / "spool"
    spool_dir.mkdir()
    whole = Server(str(tmp), str(tmp / "model"), env={"MODELAPI_MAX_BODY_BYTES": str(LIMIT)}).wait_ready()
    parts = Server(
        str(tmp),
        str(tmp / "model"),
        env={
            "MODELAPI_MAX_BODY_BYTES": str(LIMIT),
            "MODELAPI_SPOOL_BYTES": "1024",
            "MODELAPI_STREAM_CHUNK_BYTES": "1000",
            "MODELAPI_SPOOL_DIR": str(spool_dir),
        },
    ).wait_ready()
    yield whole, parts, str(spool_dir)
    whole.stop()
    parts.stop()


def csv_body(n, bad_line=None):
    rng = np.random.default_rng(1)
    lines = [",".join("%.2f" % v for v in row) for row in rng.uniform(0.1, 8, size=(n, 4))]
    if bad_line is not None:
        lines[bad_line - 1] = "5.1,3.5,?,0.2"
    return ("\n".join(lines) + "\n").encode()


def spool_files(server, spool_dir):
    """The files under `spool_dir` the server's workers hold open (unnamed ones included)."""
    held = []
    for pid in children(server.proc.pid):
        fd_dir = f"/proc/{pid}/fd"
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target.startswith(spool_dir):
                held.append(target)
    return held


def wait_for(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("accept", ["text/csv", "application/json"])
def test_a_spooled_body_gets_the_whole_body_answer_byte_for_byte(servers, accept):
    whole, parts, spool_dir = servers
    body = csv_body(5000)
    expected = whole.post("/invocations", body, "text/csv", accept)
    got = parts.post("/invocations", body, "text/csv", accept)
    assert expected[0] == 200
    assert got[0] == 200 and got[2] == expected[2]
    assert got[1]["content-length"] == str(len(expected[2])) and got[1]["content-type"] == accept
    assert spool_files(parts, spool_dir) == [] and os.listdir(spool_dir) == []


def test_a_chunked_body_is_spooled_too_and_the_connection_serves_the_next_request(servers):
    whole, parts, spool_dir = servers
    body = csv_body(3000)
    expected = whole.post("/invocations", body, "text/csv")[2]
    pieces = [body[i : i + 7000] for i in range(0, len(body), 7000)]
    with socket.create_connection(("127.0.0.1", parts.port), timeout=10) as sock:
        wire = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        head = b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
        reader = sock.makefile("rb")
        for _ in range(2):  # the second request on the same connection after an answer sent from a file
            sock.sendall(head + wire)
            response = recv_response(reader)
            assert response.startswith(b"HTTP/1.1 200 ")
            assert response.split(b"\r\n\r\n", 1)[1] == expected
    assert wait_for(lambda: spool_files(parts, spool_dir) == [])


def test_a_malformed_line_deep_in_a_spooled_body_gets_the_same_400_naming_it(servers):
    whole, parts, spool_dir = servers
    body = csv_body(6000, bad_line=5432)
    expected = whole.post("/invocations", body, "text/csv")
    got = parts.post("/invocations", body, "text/csv")
    assert expected[0] == 400 and b"line 5432, field 3" in expected[2]
    assert got[0] == 400 and got[2] == expected[2]
    assert spool_files(parts, spool_dir) == [] and os.listdir(spool_dir) == []


def test_the_spool_file_is_gone_when_the_client_disconnects_mid_body(servers):
    _, parts, spool_dir = servers
    with socket.create_connection(("127.0.0.1", parts.port), timeout=10) as sock:
        sock.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 2000000\r\n\r\n"
        )
        sock.sendall(csv_body(20000)[:500000])
        # the body goes to a file as it arrives, not to memory
        assert wait_for(lambda: len(spool_files(parts, spool_dir)) == 1), "no spool file while the body arrives"
    assert wait_for(lambda: spool_files(parts, spool_dir) == [])
    assert os.listdir(spool_dir) == []


def test_a_body_over_the_limit_is_refused_from_its_length_before_it_is_sent(servers):
    _, parts, spool_dir = servers
    with socket.create_connection(("127.0.0.1", parts.port), timeout=10) as sock:
        sock.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n"
            % (LIMIT + 1)
        )
        response = recv_response(sock.makefile("rb"))
    assert response.startswith(b"HTTP/1.1 413 ")
    assert spool_files(parts, spool_dir) == []


def test_a_chunked_body_over_the_limit_is_refused_as_it_passes_the_limit_and_its_spool_is_gone(servers):
    _, parts, spool_dir = servers
    piece = b"1.0,2.0,3.0,4.0\n" * 65536  # 1 MiB
    with socket.create_connection(("127.0.0.1", parts.port), timeout=10) as sock:
        sock.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        try:
            for _ in range(LIMIT // len(piece) + 2):
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        except OSError:
            pass  # the server may close while the rest is still being sent
        response = recv_response(sock.makefile("rb"))
    assert response.startswith(b"HTTP/1.1 413 ")
    assert wait_for(lambda: spool_files(parts, spool_dir) == [])
