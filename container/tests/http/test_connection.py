"""A connection's life: keep-alive and pipelining, answers in order, Expect: 100-continue,
half-close, and clients that vanish; in process (http_harness) and against the server."""

import asyncio
import socket
import time

import pytest

from conftest import Server, children, fit_logistic
from http_harness import Host, open_connection, predict_request, read_until_closed, recv_response
from modelapi_serving.http.messages import DEFERRED, BodyFile, Response
from modelapi_serving.http.state import State

H = b"Host: x\r\n"


def test_oversized_body_is_refused_before_it_is_sent(iris_server):
    """With Expect: 100-continue the 413 comes back without the body being sent."""
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000000\r\nExpect: 100-continue\r\n\r\n"
        )
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert b"Connection: close" in reply


def test_pipelined_requests_are_answered_in_order(iris_server):
    rows = [b"[[5.1,3.5,1.4,0.2]]", b"[[6.2,2.9,4.3,1.3]]", b"[[1,2,3]]", b"[[7.7,3.0,6.1,2.3]]"]
    wire = b"".join(
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(r), r)
        for r in rows
    )
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(wire)
        reader = s.makefile("rb")
        replies = [recv_response(reader) for _ in rows]
    assert [r.split(b"\r\n\r\n", 1)[1] for r in replies[:2]] == [b"[0]", b"[1]"]
    assert replies[2].startswith(b"HTTP/1.1 400 ")
    assert replies[3].endswith(b"[2]")


def test_keep_alive_serves_many_requests_on_one_connection(iris_server):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", iris_server.port, timeout=5)
    for _ in range(50):
        conn.request("POST", "/invocations", body="[[5.1,3.5,1.4,0.2]]", headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == b"[0]"
    conn.close()


def test_http10_closes_after_the_answer(iris_server):
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"GET /ping HTTP/1.0\r\n\r\n")
        data = read_until_closed(s)
    assert data.startswith(b"HTTP/1.1 200 ") and b"Connection: close" in data


def server_sockets_in_close_wait(port):
    """The server's sockets on `port` whose client has gone but which the server has not closed yet."""
    found = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            if int(local.rsplit(":", 1)[1], 16) == port and state == "08":  # 08: CLOSE_WAIT
                found += 1
    return found


def test_a_client_that_disconnects_mid_request_does_no_harm(iris_server):
    workers = sorted(children(iris_server.proc.pid))
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", iris_server.port), timeout=5)
        s.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n[[1,")
        s.close()
    # the server closes its end at once instead of holding the connection until the body deadline
    deadline = time.monotonic() + 5
    while server_sockets_in_close_wait(iris_server.port) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server_sockets_in_close_wait(iris_server.port) == 0
    # the same workers go on serving, and nothing went wrong in them
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(predict_request())
        assert recv_response(s).endswith(b"[0]")
    assert sorted(children(iris_server.proc.pid)) == workers
    assert "Traceback" not in iris_server.read_log()


@pytest.fixture(scope="module")
def unbatched_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("unbatched")
    fit_logistic(str(tmp / "model"))
    server = Server(str(tmp), str(tmp / "model"), workers=1, env={"MODELAPI_BATCHING": "false"}).wait_ready()
    yield server
    server.stop()


@pytest.mark.parametrize("which", ["iris_server", "unbatched_server"])
def test_a_client_that_half_closes_gets_every_answer(request, which):
    server = request.getfixturevalue(which)
    rows = [b"[[5.1,3.5,1.4,0.2]]", b"[[6.2,2.9,4.3,1.3]]", b"[[7.7,3.0,6.1,2.3]]"]
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"".join(predict_request(r) for r in rows))
        s.shutdown(socket.SHUT_WR)
        data = read_until_closed(s)
    assert data.count(b"HTTP/1.1 200 ") == 3, data
    assert data.endswith(b"[2]")


def test_a_half_close_mid_request_still_answers_the_complete_ones(iris_server):
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(predict_request() + predict_request() + b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Le")
        s.shutdown(socket.SHUT_WR)
        data = read_until_closed(s)
    assert data.count(b"HTTP/1.1 200 ") == 2, data


# -- in process ---------------------------------------------------------------------------


class DeferringHost(Host):
    """A host whose app defers every POST and answers the rest at once."""

    def __init__(self, **config):
        super().__init__(**config)
        self.deferred = []

    def handle(self, request):
        self.app.handle(request)
        if request.method == "POST":
            self.deferred.append(request)
            return DEFERRED
        return Response(200, "text/plain", b"now")


def test_a_deferred_answer_holds_the_next_request_back_and_answers_stay_in_order():
    async def run():
        connection, transport, server = open_connection(DeferringHost())
        connection.data_received(predict_request() + b"GET /ping HTTP/1.1\r\n" + H + b"\r\n")
        assert connection.state is State.WAITING
        assert [r[1] for r in server.app.requests] == ["/invocations"] and transport.out == b""
        server.deferred[0].respond(Response(200, "application/json", b"[0]"))
        assert [r[1] for r in server.app.requests] == ["/invocations", "/ping"]
        first, second = transport.out.split(b"HTTP/1.1 ")[1:]
        assert first.startswith(b"200 ") and first.endswith(b"[0]") and second.endswith(b"now")
        assert connection.state is State.IDLE and not transport.closed

    asyncio.run(run())


def test_a_connection_lost_mid_request_is_forgotten():
    async def run():
        connection, transport, server = open_connection()
        connection.data_received(b"POST /invocations HTTP/1.1\r\n" + H + b"Content-Length: 1000\r\n\r\n[[1,")
        assert connection.state is State.READING_BODY and server.connections == {connection}
        connection.connection_lost(None)
        assert connection.state is State.CLOSED and server.connections == set()
        connection.data_received(b"2]]")
        connection.check_timers(time.monotonic() + 3600)  # past every deadline: nothing is owed any more
        assert server.app.requests == [] and transport.out == b"" and not transport.closed

    asyncio.run(run())


def test_an_answer_for_a_connection_that_is_gone_is_dropped():
    async def run():
        connection, transport, server = open_connection(DeferringHost())
        connection.data_received(predict_request())
        connection.connection_lost(None)
        server.deferred[0].respond(Response(200, "application/json", b"[0]"))
        assert transport.out == b"" and connection.state is State.CLOSED

    asyncio.run(run())


def test_a_shutdown_makes_the_next_answer_the_last():
    async def run():
        connection, transport, server = open_connection()
        server.stopping = True
        connection.data_received(b"GET /ping HTTP/1.1\r\n" + H + b"\r\n" + b"GET /ping HTTP/1.1\r\n" + H + b"\r\n")
        assert transport.out.count(b"HTTP/1.1 200 ") == 1 and b"Connection: close\r\n" in transport.out
        assert transport.closed and connection.state is State.CLOSED

    asyncio.run(run())


class FileAnswerHost(Host):
    """Answers every request with a body sent from a file, and keeps what each request's body was."""

    def __init__(self, answer, **config):
        super().__init__(**config)
        self.answer = answer
        self.spools = []

    def handle(self, request):
        self.spools.append(request.spool)
        self.app.requests.append((request.method, request.target, request.body))
        answer = BodyFile.temporary()
        answer.write(self.answer)
        self.answers = getattr(self, "answers", []) + [answer]
        return Response(200, "text/csv", answer)


def test_an_answer_from_a_file_is_sent_as_the_client_reads_and_its_file_closed_after():
    async def run():
        answer = b"0\n" * 600000  # several send blocks
        connection, transport, server = open_connection(FileAnswerHost(answer))
        writes = []
        transport.write = lambda data: (writes.append(bytes(data)), len(writes) == 2 and connection.pause_writing())
        connection.data_received(predict_request() + b"GET /ping HTTP/1.1\r\n" + H + b"\r\n")
        assert len(writes) == 2 and connection.state is State.WAITING  # head + one block, then the client lags
        assert len(server.app.requests) == 1  # the next request waits for the answer to be out
        connection.resume_writing()
        head, *blocks = writes
        assert head.startswith(b"HTTP/1.1 200 ") and b"Content-Length: %d\r\n" % len(answer) in head
        assert b"".join(blocks).startswith(answer) and server.answers[0].closed
        assert len(server.app.requests) == 2 and connection.state is State.IDLE

    asyncio.run(run())


def test_a_large_body_arrives_in_a_file_and_both_files_close_when_the_client_goes():
    async def run():
        host = FileAnswerHost(b"1\n" * 10, spool_bytes=100)
        connection, transport, server = open_connection(host)
        body = b"1,2,3,4\n" * 50
        connection.data_received(b"POST /invocations HTTP/1.1\r\n" + H + b"Content-Length: 1000\r\n\r\n" + body)
        spool = connection.parser._spool
        assert spool is not None and len(spool) == len(body)  # in the file, not the buffer
        assert len(connection.parser.buffer) == 0
        connection.connection_lost(None)
        assert spool.closed and server.app.requests == []

    asyncio.run(run())


def test_a_body_that_cannot_be_kept_on_disk_gets_507_and_a_closed_connection(tmp_path):
    async def run():
        missing = str(tmp_path / "no-such-dir")
        connection, transport, server = open_connection(spool_bytes=10, spool_dir=missing)
        connection.data_received(b"POST /invocations HTTP/1.1\r\n" + H + b"Content-Length: 100\r\n\r\n" + b"1" * 100)
        assert transport.out.startswith(b"HTTP/1.1 507 ") and b"Connection: close" in transport.out
        assert server.app.requests == [] and connection.state is State.DRAINING

    asyncio.run(run())
