"""The connection's states and their deadlines: a head and a body must arrive in time, an idle
connection and a client that stops reading are closed after the keep-alive timeout."""

import asyncio
import socket
import time

import pytest

from conftest import Server, fit_logistic
from http_harness import open_connection, predict_request, recv_response
from modelapi_serving.http.state import TRANSITIONS, InvalidTransition, State

H = b"Host: x\r\n"


@pytest.fixture(scope="module")
def deadline_server(tmp_path_factory):
    """Head deadline 1 s, body deadline 2 s, idle keep-alive timeout 4 s."""
    tmp = tmp_path_factory.mktemp("deadlines")
    fit_logistic(str(tmp / "model"))
    server = Server(
        str(tmp),
        str(tmp / "model"),
        workers=1,
        env={"MODELAPI_HEADER_TIMEOUT": "1", "MODELAPI_BODY_TIMEOUT": "2", "MODELAPI_KEEPALIVE_TIMEOUT": "4"},
    ).wait_ready()
    yield server
    server.stop()


def trickle(sock, data, every=0.2, limit=6.0):
    """Send `data` a byte at a time until the server answers; (seconds taken, answer)."""
    started = time.monotonic()
    sock.setblocking(False)
    for byte in data:
        try:
            answer = sock.recv(4096)
            return time.monotonic() - started, answer
        except BlockingIOError:
            pass
        try:
            sock.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            break
        if time.monotonic() - started > limit:
            break
        time.sleep(every)
    sock.setblocking(True)
    sock.settimeout(2)
    try:
        return time.monotonic() - started, sock.recv(4096)
    except (socket.timeout, ConnectionResetError):
        return time.monotonic() - started, b""


def test_a_head_trickled_byte_by_byte_meets_its_deadline(deadline_server):
    with socket.create_connection(("127.0.0.1", deadline_server.port), timeout=5) as s:
        took, answer = trickle(s, b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b"head" in answer
    assert took < 3.0  # 1 s deadline, checked every quarter of it; never extended by the bytes


def test_a_body_trickled_byte_by_byte_meets_its_deadline(deadline_server):
    with socket.create_connection(("127.0.0.1", deadline_server.port), timeout=5) as s:
        s.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
        )
        took, answer = trickle(s, b"[" * 200)
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b"body" in answer
    assert took < 4.0


def test_an_idle_connection_lives_past_the_head_deadline_until_the_keepalive_timeout(deadline_server):
    with socket.create_connection(("127.0.0.1", deadline_server.port), timeout=10) as s:
        s.sendall(predict_request())
        assert recv_response(s).endswith(b"[0]")
        time.sleep(2.0)  # past the head and body deadlines, within the idle timeout
        s.sendall(predict_request())
        assert recv_response(s).endswith(b"[0]")
        started = time.monotonic()
        assert s.recv(4096) == b""  # closed once idle for the keep-alive timeout
        assert 3.0 < time.monotonic() - started < 7.0


def test_a_connection_that_sends_nothing_is_idle_and_closed_after_the_keepalive_timeout(deadline_server):
    with socket.create_connection(("127.0.0.1", deadline_server.port), timeout=10) as s:
        started = time.monotonic()
        assert s.recv(4096) == b""
        assert 3.0 < time.monotonic() - started < 7.0


def test_a_client_that_stops_reading_its_answers_is_dropped(deadline_server):
    """Pipelined requests whose answers are never read: once they back up, the
    idle timeout (4 s) drops the connection instead of holding it forever."""
    sent = answers = 0
    with socket.create_connection(("127.0.0.1", deadline_server.port)) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.setblocking(False)
        wire = b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n" * 1000
        blocked_since = None
        while blocked_since is None or time.monotonic() - blocked_since < 1.0:
            try:
                s.send(wire)
                sent += 1000
                blocked_since = None
            except BlockingIOError:  # both ways are full: the server has stopped reading us
                blocked_since = blocked_since or time.monotonic()
                time.sleep(0.05)
        time.sleep(6)  # past the idle timeout, and a tick
        s.settimeout(10)
        reset = False
        reading = time.monotonic()
        try:
            while part := s.recv(65536):
                answers += part.count(b"HTTP/1.1 200 ")
        except ConnectionResetError:
            reset = True
        read_for = time.monotonic() - reading
    # dropped (reset) already, not closed gracefully, which would wait for the client to read everything first
    assert reset and answers < sent
    assert read_for < 3.0


# -- the table, and its deadlines in process ------------------------------------------------


def test_every_state_can_close_and_closed_is_final():
    for state in State:
        assert state is State.CLOSED or State.CLOSED in TRANSITIONS[state], state
    assert TRANSITIONS[State.CLOSED] == frozenset()
    assert TRANSITIONS[State.DRAINING] == {State.CLOSED}  # an unreadable request ends the connection
    assert State.IDLE in TRANSITIONS[State.WAITING]  # a deferred answer frees the connection for the next


def test_a_move_the_table_does_not_allow_is_refused():
    async def run():
        connection, _, _ = open_connection()
        connection.close()
        with pytest.raises(InvalidTransition, match="closed -> reading head"):
            connection._enter(State.READING_HEAD)

    asyncio.run(run())


@pytest.mark.parametrize(
    "wire, state, message",
    [
        (b"GET /ping HTTP/1.1\r\nHo", State.READING_HEAD, "the request head did not arrive within 7 s"),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nab",
            State.READING_BODY,
            "body did not arrive within 9",
        ),
    ],
)
def test_a_head_or_body_past_its_deadline_is_answered_408_and_closed(wire, state, message):
    async def run():
        connection, transport, server = open_connection(header_timeout=7, body_timeout=9)
        connection.data_received(wire)
        assert connection.state is state
        connection.check_timers(time.monotonic() + 5)
        assert transport.out == b""  # within both deadlines
        connection.check_timers(connection.deadline + 0.1)
        assert transport.out.startswith(b"HTTP/1.1 408 ") and message.encode() in transport.out
        assert connection.state is State.DRAINING and server.app.requests == []

    asyncio.run(run())


def test_an_idle_connection_closes_after_the_keepalive_timeout_counted_from_its_last_answer():
    async def run():
        connection, transport, _ = open_connection(keepalive_timeout=30)
        connection.data_received(b"GET /ping HTTP/1.1\r\n" + H + b"\r\n")
        assert connection.state is State.IDLE
        connection.check_timers(connection.last_answer + 29)
        assert not transport.closed
        connection.check_timers(connection.last_answer + 31)
        assert transport.closed and connection.state is State.CLOSED

    asyncio.run(run())
