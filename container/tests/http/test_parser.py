"""Reading requests (RFC 9112): the grammar, the framing of bodies, and the limits, as the
parser holds them; in process where a socket adds nothing (http_harness), against the server otherwise."""

import socket
import time
import tracemalloc

import pytest

from conftest import body_json
from http_harness import exchange, read_until_closed, recv_response
from modelapi_serving.http.messages import BodyFile, Request
from modelapi_serving.http.framing import ParseError
from modelapi_serving.http.parser import NEED_DATA, HeadRead, RequestParser

H = b"Host: x\r\n"


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


def test_hostile_header_is_refused_quickly(iris_server):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nX: " + b" \t" * 30000 + b"\x01\r\n\r\n")
        data = s.recv(4096)
    assert data.startswith(b"HTTP/1.1 400 ")
    assert time.monotonic() - started < 1.0


def test_a_content_length_of_thousands_of_digits_is_answered(iris_server):
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n")
        data = read_until_closed(s)
    assert data.startswith(b"HTTP/1.1 400 ") and b"Content-Length" in data


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


# -- the parser alone: bytes in, events out ------------------------------------------


def parser_fed(*pieces, max_body=1000):
    parser = RequestParser(max_body)
    for piece in pieces:
        parser.feed(piece)
    return parser


def test_a_complete_request_comes_out_whole_in_one_event():
    parser = parser_fed(
        b"POST /invocations?x=1 HTTP/1.1\r\nHost: a\r\nX-Two: 1\r\nx-two: 2\r\nContent-Length: 3\r\n\r\nabc"
    )
    request = parser.next_event()
    assert isinstance(request, Request)
    assert (request.method, request.target, request.body, request.keep_alive) == (
        "POST",
        "/invocations?x=1",
        b"abc",
        True,
    )
    assert request.headers == {"host": "a", "x-two": "1, 2", "content-length": "3"}
    assert parser.next_event() is NEED_DATA and not parser.reading_head()


def test_a_request_whose_body_is_still_to_come_is_announced_by_its_head():
    parser = parser_fed(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab")
    assert parser.next_event() == HeadRead(send_continue=False)
    assert parser.next_event() is NEED_DATA
    parser.feed(b"cde")
    assert parser.next_event().body == b"abcde"


def test_100_continue_is_owed_only_while_the_whole_body_is_missing():
    expect = b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
    assert parser_fed(expect).next_event() == HeadRead(send_continue=True)
    assert parser_fed(expect + b"a").next_event() == HeadRead(send_continue=True)
    assert parser_fed(expect + b"abc").next_event().body == b"abc"
    chunked = b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert parser_fed(chunked).next_event() == HeadRead(send_continue=True)
    assert parser_fed(chunked + b"3\r\nab").next_event() == HeadRead(send_continue=False)
    http10 = b"POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
    assert parser_fed(http10).next_event() == HeadRead(send_continue=False)


def test_pipelined_requests_come_out_one_at_a_time_in_order():
    parser = parser_fed(b"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.0\r\n\r\nGET /c HT")
    assert [parser.next_event().target, parser.next_event().target] == ["/a", "/b"]
    assert parser.next_event() is NEED_DATA and parser.reading_head()


@pytest.mark.parametrize(
    "wire, keep_alive",
    [
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", True),
        (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, Close\r\n\r\n", False),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", False),
    ],
)
def test_http11_keeps_the_connection_unless_told_to_close_and_http10_closes(wire, keep_alive):
    assert parser_fed(wire).next_event().keep_alive is keep_alive


@pytest.mark.parametrize(
    "wire, status, message",
    [
        (b"GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, "only HTTP/1.0 and HTTP/1.1 are supported"),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n", 413, "over the 1000-byte limit"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"a" * 70000, 431, "request headers are too large"),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n", 413, "over the 1000-byte limit"),
    ],
)
def test_an_unreadable_request_is_a_parse_error_carrying_its_status(wire, status, message):
    with pytest.raises(ParseError) as caught:
        parser_fed(wire).next_event()
    assert caught.value.status == status and message in caught.value.message


def spooling_parser(spool_from=100, limit=10000):
    opened = []

    def spooler():
        opened.append(BodyFile.temporary())
        return opened[-1]

    return RequestParser(limit, spool_from, spooler), opened


def events(parser, wire, step):
    found = []
    for i in range(0, len(wire), step):
        parser.feed(wire[i : i + step])
        while (event := parser.next_event()) is not NEED_DATA:
            found.append(event)
    return found


@pytest.mark.parametrize("step", [1, 7, 4096])
def test_a_body_over_the_spool_size_arrives_in_a_file_whatever_the_reads(step):
    body = bytes(range(256)) * 3
    parser, opened = spooling_parser()
    wire = b"POST /i HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % len(body) + body + b"GET /p HTTP/1.1\r\n" + H
    found = [e for e in events(parser, wire + b"\r\n", step) if isinstance(e, Request)]
    assert len(found) == 2 and len(opened) == 1
    assert found[0].spool is opened[0] and found[0].spool.read_all() == body and found[0].body_length == len(body)
    assert found[0].body == body and opened[0].closed  # read whole when a path needs it, the file then gone
    assert found[1].target == "/p" and found[1].spool is None


@pytest.mark.parametrize("step", [1, 13, 4096])
def test_a_chunked_body_moves_to_a_file_once_it_outgrows_the_spool_size(step):
    body = b"x" * 90 + b"y" * 200
    parser, opened = spooling_parser()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:90], body[90:150], body[150:])) + b"0\r\n\r\n"
    wire = b"POST /i HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n" + chunked
    [request] = [e for e in events(parser, wire, step) if isinstance(e, Request)]
    assert request.spool is opened[0] and request.spool.read_all() == body


def test_a_body_at_the_spool_size_stays_in_memory():
    parser, opened = spooling_parser(spool_from=5)
    [request] = [
        e
        for e in events(parser, b"POST /i HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n\r\nhello", 100)
        if isinstance(e, Request)
    ]
    assert request.spool is None and request.body == b"hello" and opened == []


def test_a_chunked_body_over_the_limit_is_refused_once_past_it_and_its_file_let_go():
    parser, opened = spooling_parser(spool_from=10, limit=100)
    wire = (
        b"POST /i HTTP/1.1\r\n"
        + H
        + b"Transfer-Encoding: chunked\r\n\r\n"
        + b"32\r\n"
        + b"z" * 50
        + b"\r\n"
        + b"40\r\n"
    )
    with pytest.raises(ParseError) as caught:
        events(parser, wire, 4096)
    assert caught.value.status == 413 and len(opened) == 1
    parser.discard()
    assert opened[0].closed
