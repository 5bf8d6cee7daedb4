"""Our HTTP/1.1 parser against h11 (Debian's python3-h11), a well-kept reference.

A corpus of raw requests (well-formed ones, the classic request-smuggling
shapes, malformed chunked framing, and seeded mutations of all of them) is fed
to both. Ours may be stricter than h11, never laxer: it never hands the
application a request h11 would not have produced, and where both accept, they
agree on every request's method, target and where its body ends.
"""

import random

import h11
import pytest

from http_harness import exchange
from modelapi_serving.http.framing import MAX_HEAD

H = b"Host: a\r\n"


def post(headers, body=b""):
    return b"POST /invocations HTTP/1.1\r\n" + H + headers + b"\r\n" + body


def chunked(body, te=b"chunked"):
    return post(b"Transfer-Encoding: " + te + b"\r\n", body)


GET = b"GET /ping HTTP/1.1\r\n" + H + b"\r\n"
SMUGGLED = b"GET /smuggled HTTP/1.1\r\n" + H + b"\r\n"

# name -> (wire, whether ours must accept every request in it)
CORPUS = {
    "get": (GET, True),
    "content-length": (post(b"Content-Length: 5\r\n", b"hello"), True),
    "pipelined": (GET + post(b"Content-Length: 3\r\n", b"abc") + GET, True),
    "chunked": (chunked(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), True),
    "chunked upper case": (chunked(b"3\r\nabc\r\n0\r\n\r\n", b"CHUNKED"), True),
    "chunked with extensions": (chunked(b'3;a=1;b="x y";c\r\nabc\r\n0;z\r\n\r\n'), True),
    "chunked with trailers": (chunked(b"3\r\nabc\r\n0\r\nX-Sum: 1\r\nY: 2\r\n\r\n") + GET, True),
    "duplicate equal content-length": (post(b"Content-Length: 3\r\nContent-Length: 3\r\n", b"abc"), True),
    "expect 100-continue": (post(b"Content-Length: 3\r\nExpect: 100-continue\r\n", b"abc"), True),
    "get with a body": (b"GET /ping HTTP/1.1\r\n" + H + b"Content-Length: 2\r\n\r\nhi" + GET, True),
    "http/1.0": (b"GET /ping HTTP/1.0\r\n\r\n" + GET, True),
    "http/1.0 keep-alive": (b"GET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + GET, True),
    "obs-text in a value": (b"GET /ping HTTP/1.1\r\n" + H + b"X: caf\xe9\r\n\r\n", True),
    # the shapes from the probe that found the old parser laxer than h11
    "te nbsp chunked": (chunked(b"3\r\nabc\r\n0\r\n\r\n" + SMUGGLED, b"\xa0chunked"), False),
    "te chunked nel": (chunked(b"3\r\nabc\r\n0\r\n\r\n" + SMUGGLED, b"chunked\x85"), False),
    "te chunked vt": (chunked(b"3\r\nabc\r\n0\r\n\r\n", b"chunked\x0b"), False),
    "bare lf in chunk extension": (chunked(b"3;a\n" + SMUGGLED + b"\r\nabc\r\n0\r\n\r\n"), False),
    "request hidden after a bare-lf chunk extension": (chunked(b"2;a\nxx\r\nyy\r\n0\r\n\r\n" + SMUGGLED), False),
    "bare cr in chunk extension": (chunked(b"3;a\rb\r\nabc\r\n0\r\n\r\n"), False),
    "space before a chunk extension": (chunked(b"3 ;a\r\nabc\r\n0\r\n\r\n" + SMUGGLED), False),
    "tab before a chunk extension": (chunked(b"3\t;a\r\nabc\r\n0\r\n\r\n"), False),
    "leading space in chunk size": (chunked(b" 3\r\nabc\r\n0\r\n\r\n"), False),
    "leading lf in chunk size": (chunked(b"\n3\r\nabc\r\n0\r\n\r\n"), False),
    "leading vt in chunk size": (chunked(b"\x0b3\r\nabc\r\n0\r\n\r\n"), False),
    "bare lf after chunk size": (chunked(b"3\nabc\r\n0\r\n\r\n"), False),
    "bare lf after chunk data": (chunked(b"3\r\nabc\n0\r\n\r\n"), False),
    "chunk data too long": (chunked(b"3\r\nabcd\r\n0\r\n\r\n"), False),
    "chunk size with sign": (chunked(b"+3\r\nabc\r\n0\r\n\r\n"), False),
    "chunk size 0x": (chunked(b"0x3\r\nabc\r\n0\r\n\r\n"), False),
    "chunk size overflow": (chunked(b"1" + b"0" * 40 + b"\r\nabc\r\n0\r\n\r\n"), False),
    "chunk size not hex": (chunked(b"zz\r\nabc\r\n0\r\n\r\n"), False),
    "malformed trailer": (chunked(b"3\r\nabc\r\n0\r\nno colon\r\n\r\n" + SMUGGLED), False),
    "trailer with bare lf": (chunked(b"3\r\nabc\r\n0\r\nX: 1\nY: 2\r\n\r\n"), False),
    "obs-folded trailer": (chunked(b"3\r\nabc\r\n0\r\nX: 1\r\n 2\r\n\r\n"), False),
    "content-length with 5000 digits": (post(b"Content-Length: " + b"9" * 5000 + b"\r\n", b"abc"), False),
    # the classic smuggling shapes
    "cl then te": (post(b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n" + SMUGGLED), False),
    "te then cl": (post(b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", b"0\r\n\r\n" + SMUGGLED), False),
    "te twice, second unknown": (chunked(b"0\r\n\r\n" + SMUGGLED, b"chunked\r\nTransfer-Encoding: cow"), False),
    "te chunked twice": (chunked(b"0\r\n\r\n", b"chunked, chunked"), False),
    "te chunked not last": (chunked(b"0\r\n\r\n", b"chunked, gzip"), False),
    "te gzip then chunked": (chunked(b"0\r\n\r\n", b"gzip, chunked"), False),
    "te identity": (chunked(b"0\r\n\r\n", b"identity"), False),
    "te xchunked": (chunked(b"0\r\n\r\n" + SMUGGLED, b"xchunked"), False),
    "te with parameter": (chunked(b"0\r\n\r\n", b"chunked;q=1"), False),
    "te empty element": (chunked(b"0\r\n\r\n", b", chunked"), False),
    "te in http/1.0": (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, False),
    "space before colon (te)": (post(b"Transfer-Encoding : chunked\r\n", b"0\r\n\r\n" + SMUGGLED), False),
    "space before colon (cl)": (post(b"Content-Length : 3\r\n", b"abc"), False),
    "obs-fold te": (post(b"Transfer-Encoding:\r\n chunked\r\n", b"0\r\n\r\n" + SMUGGLED), False),
    "obs-fold other": (b"GET /ping HTTP/1.1\r\n" + H + b"X: a\r\n b\r\n\r\n", False),
    "duplicate differing content-length": (post(b"Content-Length: 3\r\nContent-Length: 4\r\n", b"abcd"), False),
    "content-length list": (post(b"Content-Length: 3, 3\r\n", b"abc"), False),
    "content-length plus": (post(b"Content-Length: +3\r\n", b"abc"), False),
    "content-length negative": (post(b"Content-Length: -1\r\n", b"abc"), False),
    "content-length hex": (post(b"Content-Length: 0x3\r\n", b"abc"), False),
    "content-length unicode digit": (post(b"Content-Length: \xd9\xa3\r\n", b"abc"), False),
    "bare lf line ends": (b"GET /ping HTTP/1.1\n" + H.replace(b"\r\n", b"\n") + b"\n" + GET, False),
    "bare cr in a value": (b"GET /ping HTTP/1.1\r\n" + H + b"X: a\rb\r\n\r\n", False),
    "nul in a value": (b"GET /ping HTTP/1.1\r\n" + H + b"X: a\x00b\r\n\r\n", False),
    "del in a value": (b"GET /ping HTTP/1.1\r\n" + H + b"X: a\x7fb\r\n\r\n", False),
    "empty header name": (b"GET /ping HTTP/1.1\r\n" + H + b": x\r\n\r\n", False),
    "bad header name": (b"GET /ping HTTP/1.1\r\n" + H + b"X(y): x\r\n\r\n", False),
    "no host": (b"GET /ping HTTP/1.1\r\n\r\n", False),
    "two hosts": (b"GET /ping HTTP/1.1\r\n" + H + b"Host: b\r\n\r\n", False),
    "double space in request line": (b"GET  /ping HTTP/1.1\r\n" + H + b"\r\n", False),
    "trailing space in request line": (b"GET /ping HTTP/1.1 \r\n" + H + b"\r\n", False),
    "http/1.2": (b"GET /ping HTTP/1.2\r\n" + H + b"\r\n", False),
    "lower-case version": (b"GET /ping http/1.1\r\n" + H + b"\r\n", False),
    "space in target": (b"GET /pi ng HTTP/1.1\r\n" + H + b"\r\n", False),
    "body cut short": (post(b"Content-Length: 10\r\n", b"abc"), False),
    "chunked cut short": (chunked(b"3\r\nabc\r\n"), False),
    "chunked without last crlf": (chunked(b"3\r\nabc\r\n0\r\n"), False),
    "head cut short": (b"GET /ping HTTP/1.1\r\n" + H, False),
    "stray crlf between requests": (GET + b"\r\n" + GET, False),
}


def h11_outcome(wire):
    """The requests h11 reads from `wire` before it stops, and why it stopped."""
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
    conn.receive_data(wire)
    conn.receive_data(b"")
    requests, current = [], None
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError:
            return requests, "rejected"
        except ValueError:  # h11 0.14 meets Python's int-digits limit on a huge Content-Length
            return requests, "rejected"
        if event is h11.NEED_DATA or event is h11.PAUSED or isinstance(event, h11.ConnectionClosed):
            return requests, "stopped"
        if isinstance(event, h11.Request):
            current = [event.method.decode(), event.target.decode("latin-1"), bytearray()]
        elif isinstance(event, h11.Data):
            current[2] += event.data
        elif isinstance(event, h11.EndOfMessage):
            requests.append((current[0], current[1], bytes(current[2])))
            conn.send(h11.Response(status_code=200, headers=[("Content-Length", "0")]))
            conn.send(h11.EndOfMessage())
            if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                return requests, "stopped"
            conn.start_next_cycle()


def disagreement(wire):
    """Why ours is laxer than h11 on `wire`, or None when it is not."""
    theirs, _ = h11_outcome(wire)
    for pieces in (None, 1):
        ours = exchange(wire, pieces=pieces).requests
        if len(ours) > len(theirs):
            return f"ours handed over {len(ours)} requests, h11 {len(theirs)} (pieces={pieces})"
        for i, (mine, reference) in enumerate(zip(ours, theirs)):
            if mine != reference:
                return f"request {i}: ours {mine!r}, h11 {reference!r} (pieces={pieces})"
    return None


@pytest.mark.parametrize("name", CORPUS)
def test_ours_is_never_laxer_than_h11(name):
    wire, _ = CORPUS[name]
    assert disagreement(wire) is None


@pytest.mark.parametrize("name", CORPUS)
def test_valid_requests_are_read_and_invalid_framing_refused(name):
    wire, valid = CORPUS[name]
    outcome = exchange(wire)
    theirs, how = h11_outcome(wire)
    if valid:
        assert how != "rejected", "the corpus marks as valid only what h11 accepts"
        assert outcome.requests == theirs
        assert set(outcome.statuses) == {200}
    else:
        assert len(outcome.requests) < wire.lower().count(b" http/1."), "some request in it must be refused"
        assert all(target != "/smuggled" for _, target, _ in outcome.requests)
        # a request that cannot be read is answered (never silently dropped), then the connection closes
        if outcome.statuses and outcome.statuses[-1] != 200:
            assert 400 <= outcome.statuses[-1] < 600 and b"Connection: close" in outcome.out
        assert outcome.closed


def mutants(seed=11, count=1500):
    """Seeded small corruptions of the corpus: the bytes that framing bugs hide behind."""
    rng = random.Random(seed)
    nasty = [
        b"\r",
        b"\n",
        b"\r\n",
        b" ",
        b"\t",
        b"\x00",
        b"\x0b",
        b"\xa0",
        b"\x85",
        b";",
        b":",
        b",",
        b"0",
        b"f",
        b"-",
        b"\r\n\r\n",
        b"chunked",
        b"Transfer-Encoding: chunked\r\n",
        b"Content-Length: 1\r\n",
    ]
    wires = [wire for wire, _ in CORPUS.values()]
    for _ in range(count):
        wire = bytearray(rng.choice(wires))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(wire) + 1)
            action = rng.random()
            if action < 0.5:
                wire[at:at] = rng.choice(nasty)
            elif action < 0.8:
                del wire[at : at + rng.randint(1, 3)]
            else:
                wire[at : at + 1] = rng.choice(nasty)
        yield bytes(wire)


def test_mutated_requests_never_find_ours_laxer():
    found = [(wire, why) for wire in mutants() if (why := disagreement(wire))]
    assert not found, f"{len(found)} disagreements, e.g. {found[:3]}"
