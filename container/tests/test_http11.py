"""HTTP/1.1 framing (RFC 9112): strict parsing, keep-alive and pipelining,
deadlines, half-close. In process where a socket adds nothing (http_harness),
against the real server otherwise."""

import socket
import time
import tracemalloc

import pytest

from conftest import body_json, children, fit_logistic
from http_harness import exchange, predict_request, read_until_closed, recv_response

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


def test_oversized_chunked_body_is_413(iris_server):
    chunk = b"x" * 8192
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        reply = b""
        try:
            for _ in range(20):
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.settimeout(5)
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413 ")


def test_chunked_body_is_decoded(iris_server):
    body = b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}'
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for i in range(0, len(body), 7):
            part = body[i : i + 7]
            s.sendall(b"%x;ext=1\r\n%s\r\n" % (len(part), part))
            time.sleep(0.01)
        s.sendall(b"0\r\nX-Trailer: 1\r\n\r\n")
        reply = recv_response(s)
    assert reply.startswith(b"HTTP/1.1 200 ")
    assert reply.endswith(b'{"predictions":[0]}')


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


@pytest.mark.parametrize(
    "wire",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /ping HTTP/1.1 extra\r\n\r\n",
        b"GET /ping HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) + b"\r\n\r\n",
    ],
)
def test_malformed_requests_get_400_and_a_closed_connection(iris_server, wire):
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(wire)
        data = read_until_closed(s)
    assert data.startswith(b"HTTP/1.1 400 ") or data.startswith(b"HTTP/1.1 501 "), data
    assert b"Connection: close" in data
    assert body_json(data.split(b"\r\n\r\n", 1)[1])["status"] in (400, 501)


def test_huge_headers_are_refused(iris_server):
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000)
        data = s.recv(4096)
    assert data.startswith(b"HTTP/1.1 431 ")


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


def test_hostile_header_is_refused_quickly(iris_server):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nX: " + b" \t" * 30000 + b"\x01\r\n\r\n")
        data = s.recv(4096)
    assert data.startswith(b"HTTP/1.1 400 ")
    assert time.monotonic() - started < 1.0


# -- framing, in process ------------------------------------------------------


def chunked_request(body, te=b"chunked"):
    return b"POST /invocations HTTP/1.1\r\n" + H + b"Transfer-Encoding: " + te + b"\r\n\r\n" + body


@pytest.mark.parametrize(
    "te, status",
    [
        (b"chunked", 200),
        (b"Chunked", 200),
        (b"\xa0chunked", 400),  # str.strip() would eat these: the comparison is exact
        (b"chunked\x85", 400),
        (b"chunked\x0b", 400),
        (b"chunked, chunked", 400),
        (b"chunked, gzip", 400),  # chunked must be the final coding
        (b"gzip", 400),
        (b"gzip, chunked", 501),  # a coding this server does not implement
        (b"chunked;q=1", 400),
    ],
)
def test_transfer_encoding_is_compared_exactly(te, status):
    outcome = exchange(chunked_request(b"3\r\nabc\r\n0\r\n\r\n", te))
    assert outcome.statuses == [status]
    assert outcome.requests == ([("POST", "/invocations", b"abc")] if status == 200 else [])


@pytest.mark.parametrize(
    "size_line",
    [
        b" 3",
        b"\n3",
        b"\x0b3",
        b"3 ",
        b"+3",
        b"0x3",
        b"3;a\nb",
        b"3;a\rb",
        b'3;a="x\r\n"',
        b"3;=x",
        b"1" + b"0" * 17,
        b"3 ;a",  # whitespace before the first extension: h11 refuses it
        b"3\t;a",
    ],
)
def test_chunk_size_lines_are_parsed_strictly(size_line):
    outcome = exchange(chunked_request(size_line + b"\r\nabc\r\n0\r\n\r\n"))
    assert outcome.requests == []
    assert outcome.statuses == [400]


def test_chunk_extensions_in_the_grammar_are_accepted():
    outcome = exchange(chunked_request(b'3; a = b ;c="q \\" d"\r\nabc\r\n0;last\r\n\r\n'))
    assert outcome.requests == [("POST", "/invocations", b"abc")]


def test_a_request_hidden_behind_a_bare_lf_is_never_executed():
    wire = chunked_request(b"2;a\nxx\r\nyy\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n" + H + b"\r\n")
    outcome = exchange(wire)
    assert outcome.requests == [] and outcome.statuses == [400]


def test_trailers_are_validated_then_dropped():
    good = exchange(
        chunked_request(b"3\r\nabc\r\n0\r\nX-Sum: 1\r\nY:2\r\n\r\n") + b"GET /ping HTTP/1.1\r\n" + H + b"\r\n"
    )
    assert good.requests == [("POST", "/invocations", b"abc"), ("GET", "/ping", b"")]
    for trailers in (b"no colon\r\n", b"X: 1\r\n folded\r\n", b"X: a\x00b\r\n", b"X : 1\r\n"):
        bad = exchange(chunked_request(b"3\r\nabc\r\n0\r\n" + trailers + b"\r\n"))
        assert bad.requests == [] and bad.statuses == [400], trailers
    huge = exchange(chunked_request(b"3\r\nabc\r\n0\r\n" + b"X: " + b"a" * 70000 + b"\r\n\r\n"))
    assert huge.requests == [] and huge.statuses == [431]


@pytest.mark.parametrize("length", [b"9" * 5000, b"1" * 19, b"\xd9\xa3", b"1_0", b"+5"])
def test_an_unreadable_content_length_gets_a_400_answer(length):
    outcome = exchange(b"POST /invocations HTTP/1.1\r\n" + H + b"Content-Length: " + length + b"\r\n\r\nabc")
    assert outcome.statuses == [400] and b"Content-Length" in outcome.out


def test_http11_needs_exactly_one_host():
    assert exchange(b"GET /ping HTTP/1.1\r\n\r\n").statuses == [400]
    assert exchange(b"GET /ping HTTP/1.1\r\n" + H + H + b"\r\n").statuses == [400]
    assert exchange(b"GET /ping HTTP/1.0\r\n\r\n").statuses == [200]


def test_reason_phrases_come_from_the_standard_library():
    outcome = exchange(b"GET /ping HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip, chunked\r\n\r\n")
    assert outcome.out.startswith(b"HTTP/1.1 501 Not Implemented\r\n")


def test_a_chunked_body_is_decoded_without_an_object_per_chunk():
    """200,000 one-byte chunks (1.2 MB on the wire, 200 kB decoded), read 64 KiB at a time."""
    decoded = bytes(range(256)) * 782
    wire = chunked_request(b"".join(b"1\r\n%s\r\n" % decoded[i : i + 1] for i in range(len(decoded))) + b"0\r\n\r\n")
    tracemalloc.start()
    try:
        outcome = exchange(wire, pieces=64 * 1024, max_body_bytes=1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome.requests == [("POST", "/invocations", decoded)]
    # about 1.5 MB: the decoded body, its copies and the reads; an object per chunk alone would be ~7 MB
    assert peak < 3 * 1024 * 1024, peak


# -- deadlines, against the server -------------------------------------------


@pytest.fixture(scope="module")
def deadline_server(tmp_path_factory):
    """Head deadline 1 s, body deadline 2 s, idle keep-alive timeout 4 s."""
    from conftest import Server

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


# -- half-close, against the server -------------------------------------------


@pytest.fixture(scope="module")
def unbatched_server(tmp_path_factory):
    from conftest import Server

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


def test_a_content_length_of_thousands_of_digits_is_answered(iris_server):
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n")
        data = read_until_closed(s)
    assert data.startswith(b"HTTP/1.1 400 ") and b"Content-Length" in data
