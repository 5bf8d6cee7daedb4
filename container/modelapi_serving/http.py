"""A small, strict HTTP/1.1 server protocol for asyncio.

Requests are parsed from the connection's buffer and answered in order, one at
a time, which makes keep-alive and pipelining safe by construction. Bodies come
with Content-Length or chunked transfer coding; a body over the limit is
answered with 413 as soon as its size is known (from the header, before the
body is read, or while decoding chunks), and `Expect: 100-continue` is honoured
so well-behaved clients never send a body that would be refused.
"""

import asyncio
import email.utils
import logging
import re
import time

from .errors import error_body
from .results import Pending

log = logging.getLogger("modelapi.http")

MAX_HEAD = 64 * 1024
LINGER_SECONDS = 1.0

REASONS = {
    100: "Continue", 200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
    406: "Not Acceptable", 408: "Request Timeout", 409: "Conflict", 413: "Payload Too Large",
    415: "Unsupported Media Type", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
    501: "Not Implemented", 503: "Service Unavailable", 505: "HTTP Version Not Supported",
    507: "Insufficient Storage",
}

_TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_REQUEST_LINE = re.compile(rb"(" + _TOKEN + rb") (/[\x21-\x7e\x80-\xff]*) HTTP/1\.([01])")
_HEADER_LINE = re.compile(rb"(" + _TOKEN + rb"):(.*)", re.S)
_BAD_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


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
        match = _HEADER_LINE.fullmatch(line)
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
            headers[key] = headers[key] + ", " + text
        else:
            headers[key] = text
    return method.decode("ascii"), target.decode("latin-1"), minor == b"1", headers


class HttpProtocol(asyncio.Protocol):
    """One client connection."""

    def __init__(self, server):
        self.server = server  # has .app, .config, .connections, .busy(bool), .stopping
        self.transport = None
        self.buf = bytearray()
        self.pending = None  # parsed head waiting for its body
        self.chunks = None  # incremental chunked-decoding state
        self.closing = False
        self.discarding = False
        self.paused = False
        self.waiting = False  # a request of ours is queued for a batched prediction
        self.last = time.monotonic()

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
        self.last = time.monotonic()
        if self.discarding or self.closing:
            return
        self.buf += data
        if not self.paused:
            self._process()

    def eof_received(self):
        # a client that half-closes still gets the answers to what it sent
        return False

    def pause_writing(self):
        self.paused = True
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self):
        self.paused = False
        if self.transport is not None and not self.closing:
            self.transport.resume_reading()
            self._process()

    # -- state ------------------------------------------------------------

    def idle(self):
        return self.pending is None and not self.buf and not self.waiting

    def close(self):
        if not self.closing:
            self.closing = True
            self.transport.close()

    # -- request processing -------------------------------------------------

    def _process(self):
        limit = self.server.config.max_body_bytes
        buf = self.buf
        while not self.closing and not self.paused and not self.discarding and not self.waiting:
            if self.pending is None:
                # tolerate stray CRLFs between requests (RFC 9112 2.2)
                while buf[:2] == b"\r\n":
                    del buf[:2]
                if not buf:
                    return
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(buf) > MAX_HEAD:
                        self._fail(431, "request headers are too large")
                    return
                if end > MAX_HEAD:
                    self._fail(431, "request headers are too large")
                    return
                head = bytes(buf[:end])
                del buf[:end + 4]
                try:
                    method, target, http11, headers = parse_head(head)
                except ParseError as exc:
                    self._fail(exc.status, exc.message)
                    return
                te = headers.get("transfer-encoding")
                cl = headers.get("content-length")
                if te is not None:
                    if cl is not None:
                        self._fail(400, "a request cannot have both Content-Length and Transfer-Encoding")
                        return
                    if te.strip().lower() != "chunked":
                        self._fail(501, "only the chunked transfer coding is supported")
                        return
                    length = -1
                    self.chunks = [0, [], 0]  # scan position, decoded parts, decoded size
                elif cl is not None:
                    if not cl.isdigit() or not cl.isascii():
                        self._fail(400, "invalid Content-Length")
                        return
                    length = int(cl)
                else:
                    length = 0
                if length > limit:
                    self._fail(413, f"request body of {length} bytes is over the {limit}-byte limit")
                    return
                connection = headers.get("connection", "").lower()
                keep_alive = ("close" not in connection) if http11 else ("keep-alive" in connection)
                if length != 0 and http11 and headers.get("expect", "").lower() == "100-continue":
                    if (length < 0 and not buf) or len(buf) < length:
                        self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                self.pending = (method, target, headers, length, keep_alive)
            method, target, headers, length, keep_alive = self.pending
            if length >= 0:
                if len(buf) < length:
                    return
                body = bytes(buf[:length])
                del buf[:length]
            else:
                body = self._dechunk(limit)
                if body is None:
                    return
            self.pending = None
            if self.server.stopping:
                keep_alive = False
            self._respond(method, target, headers, body, keep_alive)

    def _dechunk(self, limit):
        """Decode as much of a chunked body as has arrived; the body when complete."""
        buf = self.buf
        state = self.chunks
        pos, parts, total = state
        while True:
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                if len(buf) - pos > 4096:
                    self._fail(400, "malformed chunked body")
                elif len(buf) > 2 * limit + MAX_HEAD:
                    self._fail(413, f"request body is over the {limit}-byte limit")
                state[0], state[2] = pos, total
                return None
            size_text = bytes(buf[pos:eol]).split(b";", 1)[0].strip()
            try:
                if not size_text or not all(c in b"0123456789abcdefABCDEF" for c in size_text):
                    raise ValueError
                size = int(size_text, 16)
            except ValueError:
                self._fail(400, "malformed chunk size")
                return None
            if size == 0:
                # optional trailers, then an empty line
                if buf[eol + 2:eol + 4] == b"\r\n":
                    done = eol + 4
                else:
                    end = buf.find(b"\r\n\r\n", eol + 2)
                    if end < 0:
                        if len(buf) - eol > MAX_HEAD:
                            self._fail(431, "chunked trailers are too large")
                        state[0], state[2] = pos, total
                        return None
                    done = end + 4
                del buf[:done]
                self.chunks = None
                return b"".join(parts)
            total += size
            if total > limit:
                self._fail(413, f"request body is over the {limit}-byte limit")
                return None
            start = eol + 2
            if len(buf) < start + size + 2:
                total -= size
                state[0], state[2] = pos, total
                return None
            if buf[start + size:start + size + 2] != b"\r\n":
                self._fail(400, "malformed chunked body")
                return None
            parts.append(bytes(buf[start:start + size]))
            pos = start + size + 2
            state[0], state[2] = pos, total

    def _respond(self, method, target, headers, body, keep_alive):
        server = self.server
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

    def _write(self, status, content_type, body, keep_alive, head_only=False):
        reason = REASONS.get(status, "Unknown")
        head = (b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nDate: %s\r\n%s\r\n" % (
            status, reason.encode(), content_type.encode("latin-1"), len(body), http_date(),
            b"" if keep_alive else b"Connection: close\r\n"))
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
        self.buf.clear()
        self.discarding = True
        body = error_body(status, message)
        self.transport.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nDate: %s\r\n"
            b"Connection: close\r\n\r\n%s" % (status, REASONS.get(status, "Error").encode(), len(body),
                                              http_date(), body))
        try:
            if self.transport.can_write_eof():
                self.transport.write_eof()
        except (OSError, RuntimeError):
            pass
        asyncio.get_running_loop().call_later(LINGER_SECONDS, self.close)
