"""A small, strict HTTP/1.1 server protocol for asyncio.

Requests are parsed from the connection's buffer and answered in order, one at
a time, which makes keep-alive and pipelining safe by construction. Framing
follows RFC 9112 and is at least as strict as h11 (a differential test holds it
there): bodies come with Content-Length or the chunked transfer coding (and no
other), chunk-size lines and trailers are checked as strictly as headers, and
every number is bounded in length before it is converted. A body over the limit
is answered with 413 as soon as its size is known, and `Expect: 100-continue`
is honoured so well-behaved clients never send a body that would be refused.

Each request has a deadline for its head (counted from its first byte) and one
for its body (counted from the end of the head), never extended by a trickle of
bytes; an idle keep-alive connection has its own timeout. A client that half-closes still gets every
answer it is owed.
"""

import asyncio
import email.utils
import http
import logging
import re
import time

from .errors import HttpError, error_body
from .http.content_encoding import decode_content_encoding
from .results import Pending

log = logging.getLogger("modelapi.http")

MAX_HEAD = 64 * 1024  # request line + headers, and separately the trailers
MAX_CHUNK_LINE = 4096  # chunk size + extensions
MAX_LENGTH_DIGITS = 18  # Content-Length: anything longer is over any body limit
LINGER_SECONDS = 1.0

REASONS = {status.value: status.phrase.encode() for status in http.HTTPStatus}

_TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = rb'"(?:[\t !#-\[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"'
_TOKEN_RE = re.compile(_TOKEN.decode())
_REQUEST_LINE = re.compile(rb"(" + _TOKEN + rb") (/[\x21-\x7e]*|\*) HTTP/1\.([01])")  # ASCII target
_FIELD_LINE = re.compile(rb"(" + _TOKEN + rb"):(.*)", re.S)
_BAD_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
# chunk = chunk-size [ chunk-ext ] CRLF, chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted ) ] );
# no whitespace between the size and the first ";", which h11 refuses
_CHUNK_LINE = re.compile(
    rb"([0-9A-Fa-f]{1,16})(?![ \t])"
    rb"((?:[ \t]*;[ \t]*" + _TOKEN + rb"(?:[ \t]*=[ \t]*(?:" + _TOKEN + rb"|" + _QUOTED + rb"))?)*)"
)


class ParseError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


_date_cache = [0, b""]


def http_date() -> bytes:
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[0] = now
        _date_cache[1] = email.utils.formatdate(now, usegmt=True).encode()
    return _date_cache[1]


def parse_field(line: bytes):
    """One header or trailer line -> (lower-case name, value as latin-1 text)."""
    match = _FIELD_LINE.fullmatch(line)
    if match is None:
        raise ParseError(400, "malformed header line")
    value = match.group(2).strip(b" \t")
    if _BAD_VALUE.search(value) is not None:
        raise ParseError(400, "malformed header value")
    return match.group(1).decode("ascii").lower(), value.decode("latin-1")


def parse_head(head: bytes):
    """Parse the request line and headers (without the final CRLFCRLF).

    Returns:
        (method, target, http11: bool, headers: dict of lower-case name -> value)
    """
    lines = head.split(b"\r\n")
    match = _REQUEST_LINE.fullmatch(lines[0])
    if match is None:
        parts = lines[0].split(b" ")
        if len(parts) == 3 and parts[2].startswith(b"HTTP/") and parts[2] not in (b"HTTP/1.0", b"HTTP/1.1"):
            raise ParseError(505, "only HTTP/1.0 and HTTP/1.1 are supported")
        raise ParseError(400, "malformed request line")
    method, target, minor = match.groups()
    headers = {}
    for line in lines[1:]:
        # parse_field, inlined: this loop runs for every header of every request
        match = _FIELD_LINE.fullmatch(line)
        if match is None:
            raise ParseError(400, "malformed header line")
        value = match.group(2).strip(b" \t")
        if _BAD_VALUE.search(value) is not None:
            raise ParseError(400, "malformed header value")
        key = match.group(1).decode("ascii").lower()
        text = value.decode("latin-1")
        if key in headers:
            if key == "content-length":
                if headers[key] != text:
                    raise ParseError(400, "conflicting Content-Length headers")
                continue
            if key == "host":
                raise ParseError(400, "more than one Host header")
            headers[key] = headers[key] + ", " + text
        else:
            headers[key] = text
    http11 = minor == b"1"
    if http11 and "host" not in headers:
        raise ParseError(400, "an HTTP/1.1 request needs a Host header")
    return method.decode("ascii"), target.decode("latin-1"), http11, headers


def body_length(http11, headers):
    """The body's length from the headers (RFC 9112 6.3): -1 for chunked.

    Raises:
        ParseError: when the framing is invalid or uses a coding other than chunked.
    """
    te = headers.get("transfer-encoding")
    cl = headers.get("content-length")
    if te is not None:
        if cl is not None:
            raise ParseError(400, "a request cannot have both Content-Length and Transfer-Encoding")
        if not http11:
            raise ParseError(400, "Transfer-Encoding is not allowed in an HTTP/1.0 request")
        codings = [coding.strip(" \t").lower() for coding in te.split(",")]
        if not all(_TOKEN_RE.fullmatch(coding) for coding in codings):
            raise ParseError(400, "malformed Transfer-Encoding")
        if codings[-1] != "chunked" or codings.count("chunked") > 1:
            raise ParseError(400, "chunked must be the final transfer coding, applied once")
        if len(codings) > 1:
            raise ParseError(501, "only the chunked transfer coding is supported")
        return -1
    if cl is not None:
        if len(cl) > MAX_LENGTH_DIGITS or not cl.isascii() or not cl.isdigit():
            raise ParseError(400, "invalid Content-Length")
        return int(cl)
    return 0


def connection_tokens(headers):
    return {token.strip(" \t").lower() for token in headers.get("connection", "").split(",")}


class ChunkedDecoder:
    """Decodes a chunked body as it arrives, consuming the buffer as it goes:
    memory holds the decoded body and at most one unfinished line."""

    __slots__ = ("limit", "body", "left", "trailer_bytes")

    def __init__(self, limit):
        self.limit = limit
        self.body = bytearray()
        self.left = 0  # > 0: chunk data still to come; -1: the CRLF after it; 0: a size line
        self.trailer_bytes = -1  # >= 0 once in the trailer section

    def feed(self, buf: bytearray):
        """Consume what `buf` holds; the decoded body once complete, else None.

        Raises:
            ParseError: for malformed framing (400), a body over the limit (413)
                or trailers over the head limit (431).
        """
        while True:
            if self.trailer_bytes >= 0:
                return self._trailers(buf)
            if self.left > 0:
                take = min(self.left, len(buf))
                if take == 0:
                    return None
                self.body += buf[:take]
                del buf[:take]
                self.left -= take
                if self.left:
                    return None
                self.left = -1
            if self.left < 0:
                if len(buf) < 2:
                    return None
                if buf[:2] != b"\r\n":
                    raise ParseError(400, "malformed chunked body: chunk data does not end with CRLF")
                del buf[:2]
                self.left = 0
            eol = buf.find(b"\r\n", 0, MAX_CHUNK_LINE + 2)
            if eol < 0:
                if len(buf) > MAX_CHUNK_LINE:
                    raise ParseError(400, "malformed chunked body: chunk-size line too long")
                return None
            match = _CHUNK_LINE.fullmatch(buf, 0, eol)
            if match is None:
                raise ParseError(400, "malformed chunk-size line")
            size = int(match.group(1), 16)
            del buf[: eol + 2]
            if size == 0:
                self.trailer_bytes = 0
                continue
            if len(self.body) + size > self.limit:
                raise ParseError(413, f"request body is over the {self.limit}-byte limit")
            self.left = size

    def _trailers(self, buf):
        # trailer fields are checked like headers, then dropped: nothing here acts on them
        while True:
            eol = buf.find(b"\r\n", 0, MAX_HEAD + 2)
            if eol < 0:
                if self.trailer_bytes + len(buf) > MAX_HEAD:
                    raise ParseError(431, "chunked trailers are too large")
                return None
            if eol == 0:
                del buf[:2]
                return bytes(self.body)
            self.trailer_bytes += eol + 2
            if self.trailer_bytes > MAX_HEAD:
                raise ParseError(431, "chunked trailers are too large")
            parse_field(bytes(buf[:eol]))
            del buf[: eol + 2]


class HttpProtocol(asyncio.Protocol):
    """One client connection."""

    def __init__(self, server):
        self.server = server  # has .app, .config, .connections, .busy(bool), .stopping
        self.transport = None
        self.buf = bytearray()
        self.pending = None  # parsed head waiting for its body
        self.chunks = None  # ChunkedDecoder of the pending request's body
        self.closing = False
        self.discarding = False
        self.paused = False
        self.eof = False  # the client has half-closed: answer what it sent, then close
        self.waiting = False  # a request of ours is queued for a batched prediction
        self.deadline = None  # monotonic time the current head or body must be complete by
        self.phase = "head"
        self.last = time.monotonic()  # last answer (or the connection's start), for the idle timeout
        self.stalled_since = 0.0

    # -- asyncio callbacks ------------------------------------------------

    def connection_made(self, transport):
        self.transport = transport
        self.server.connections.add(self)
        self.server.connections_changed()

    def connection_lost(self, exc):
        self.closing = True
        self.server.connections.discard(self)
        self.server.connections_changed()

    def data_received(self, data):
        if self.discarding or self.closing:
            return
        self.buf += data
        if not self.paused:
            self._process()

    def eof_received(self):
        self.eof = True
        if self.discarding or self.closing:
            return False
        self._finish_if_done()
        return True  # keep the transport open to write the answers still owed

    def pause_writing(self):
        self.paused = True
        self.stalled_since = time.monotonic()
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self):
        self.paused = False
        if self.transport is not None and not self.closing:
            if not self.eof:
                self.transport.resume_reading()
            self._process()
            self._finish_if_done()

    # -- state ------------------------------------------------------------

    def idle(self):
        return self.pending is None and not self.buf and not self.waiting

    def close(self):
        if not self.closing:
            self.closing = True
            self.transport.close()

    def _finish_if_done(self):
        """After a half-close: close once nothing more can be answered."""
        if self.eof and not self.closing and not self.waiting and not self.paused and not self.discarding:
            # _process stopped for want of bytes that will never come
            self.close()

    def check_timers(self, now):
        """Called about once a second: enforce the deadlines and the idle timeout."""
        if self.closing or self.discarding:
            return
        config = self.server.config
        if self.paused:
            # the client stopped reading its answers: drop them, a graceful close would wait on it forever
            if now - self.stalled_since > config.keepalive_timeout:
                self.closing = True
                self.transport.abort()
            return
        if self.waiting:
            return
        if self.deadline is not None:
            if now > self.deadline:
                timeout = config.header_timeout if self.phase == "head" else config.body_timeout
                self._fail(408, f"the request {self.phase} did not arrive within {timeout} s")
        elif self.idle() and now - self.last > config.keepalive_timeout:
            # a new connection with no request yet counts as idle too: clients open them ahead of use
            self.close()

    # -- request processing -------------------------------------------------

    def _process(self):
        config = self.server.config
        limit = config.max_body_bytes
        buf = self.buf
        while not self.closing and not self.paused and not self.discarding and not self.waiting:
            if self.pending is None:
                # no stray CRLFs between requests either: RFC 9112 2.2 allows ignoring them,
                # h11 refuses them, and ours stays at least as strict as h11
                end = buf.find(b"\r\n\r\n", 0, MAX_HEAD + 4)
                if end < 0:
                    if len(buf) > MAX_HEAD:
                        self._fail(431, "request headers are too large")
                    elif buf and self.deadline is None:
                        self.phase, self.deadline = "head", time.monotonic() + config.header_timeout
                    return
                head = bytes(buf[:end])
                del buf[: end + 4]
                self.deadline = None
                try:
                    method, target, http11, headers = parse_head(head)
                    length = body_length(http11, headers)
                except ParseError as exc:
                    self._fail(exc.status, exc.message)
                    return
                if length > limit:
                    self._fail(413, f"request body of {length} bytes is over the {limit}-byte limit")
                    return
                if length < 0:
                    self.chunks = ChunkedDecoder(limit)
                # HTTP/1.0 keep-alive is an old extension h11 does not take up either: 1.0 closes
                keep_alive = http11 and ("connection" not in headers or "close" not in connection_tokens(headers))
                if length != 0 and http11 and headers.get("expect", "").lower() == "100-continue":
                    if (length < 0 and not buf) or len(buf) < length:
                        self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                self.pending = (method, target, headers, length, keep_alive)
            method, target, headers, length, keep_alive = self.pending
            if length >= 0:
                if len(buf) < length:
                    self._await_body()
                    return
                body = bytes(buf[:length])
                del buf[:length]
            else:
                try:
                    body = self.chunks.feed(buf)
                except ParseError as exc:
                    self._fail(exc.status, exc.message)
                    return
                if body is None:
                    self._await_body()
                    return
                self.chunks = None
            self.pending = None
            self.deadline = None
            if self.server.stopping:
                keep_alive = False
            self._respond(method, target, headers, body, keep_alive)

    def _await_body(self):
        if self.deadline is None:
            self.phase, self.deadline = "body", time.monotonic() + self.server.config.body_timeout

    def _respond(self, method, target, headers, body, keep_alive):
        server = self.server
        if "content-encoding" in headers:
            try:
                body = decode_content_encoding(body, headers.pop("content-encoding"), server.config.max_body_bytes)
            except HttpError as exc:
                self._write(exc.status, "application/json", error_body(exc.status, exc.message), keep_alive)
                return
        server.busy(True)
        try:
            result = server.app.handle(method, target, headers, body, server.config.batching)
        finally:
            server.busy(False)
        if isinstance(result, Pending):
            # decoded and checked; the prediction comes with others' at the end of this loop turn
            result.protocol = self
            result.keep_alive = keep_alive
            self.waiting = True
            server.enqueue(result)
            return
        status, content_type, out = result
        self._write(status, content_type, out, keep_alive, head_only=(method == "HEAD"))

    def deliver(self, status, content_type, body, keep_alive):
        """The answer to the request this connection was waiting on."""
        self.waiting = False
        if self.closing:
            return
        self._write(status, content_type, body, keep_alive and not self.server.stopping)
        if not self.closing and not self.paused:
            self._process()
        self._finish_if_done()

    def _write(self, status, content_type, body, keep_alive, head_only=False):
        self.last = time.monotonic()
        head = b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nDate: %s\r\n%s\r\n" % (
            status,
            REASONS.get(status, b"Unknown"),
            content_type.encode("latin-1"),
            len(body),
            http_date(),
            b"" if keep_alive else b"Connection: close\r\n",
        )
        self.transport.write(head if head_only else head + body)
        if not keep_alive:
            self.close()

    def _fail(self, status, message):
        """Answer a request that cannot be read, then close without a reset.

        The client may still be sending (e.g. a body over the limit); closing
        at once would reset the connection and could lose the answer, so the
        rest is read and dropped for a moment first.
        """
        log.debug("closing connection: %d %s", status, message)
        self.pending = None
        self.chunks = None
        self.deadline = None
        self.buf.clear()
        self.discarding = True
        body = error_body(status, message)
        self.transport.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nDate: %s\r\n"
            b"Connection: close\r\n\r\n%s" % (status, REASONS.get(status, b"Error"), len(body), http_date(), body)
        )
        try:
            if self.transport.can_write_eof():
                self.transport.write_eof()
        except (OSError, RuntimeError):
            pass
        if self.eof:
            self.close()
        else:
            asyncio.get_running_loop().call_later(LINGER_SECONDS, self.close)
