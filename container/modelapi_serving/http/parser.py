"""Requests from bytes, with no I/O: the connection feeds what it reads, the parser hands back events.

Framing follows RFC 9112 and is at least as strict as h11 (a differential test
holds it there): a body comes with Content-Length or the chunked transfer
coding (and no other), chunk-size lines and trailers are checked as strictly
as headers, and every number is bounded in length before it is converted. A
body over the limit is refused as soon as its size is known. A body larger
than the spool threshold goes to a `BodyFile` as it arrives instead of
memory; opening that file is the one I/O the parser is handed.
"""

from typing import Callable, Dict, NamedTuple, Optional, Tuple, Union

from . import abnf
from .framing import CHUNKED, MAX_HEAD, ParseError, body_length, connection_tokens, parse_field, parse_head
from .messages import BodyFile, Request

MAX_CHUNK_LINE = 4096  # chunk size + extensions


class NeedData:
    """The buffer holds no complete event yet."""

    __slots__ = ()


NEED_DATA = NeedData()


class HeadRead(NamedTuple):
    """A request's head is read and its body is still to come; `send_continue` when the
    client waits for `100 Continue` before sending it (RFC 9110 10.1.1)."""

    send_continue: bool


Event = Union[Request, HeadRead, NeedData]


Spooler = Callable[[], BodyFile]  # an empty unnamed temporary file for a large body


class ChunkedDecoder:
    """Decodes a chunked body (RFC 9112 7.1) as it arrives, consuming the buffer as it
    goes: memory holds the decoded body and at most one unfinished line, or once the
    body outgrows `spool_from` bytes, only the unfinished line (the rest goes to `spool`)."""

    __slots__ = ("limit", "body", "left", "trailer_bytes", "spool_from", "spooler", "spool")

    def __init__(self, limit: int, spool_from: int = 0, spooler: Optional[Spooler] = None):
        self.limit = limit
        self.body = bytearray()
        self.left = 0  # > 0: chunk data still to come; -1: the CRLF after it; 0: a size line
        self.trailer_bytes = -1  # >= 0 once in the trailer section
        self.spool_from = spool_from
        self.spooler = spooler
        self.spool: Optional[BodyFile] = None

    def size(self) -> int:
        return len(self.spool) if self.spool is not None else len(self.body)

    def _keep(self, data: Union[bytes, bytearray]) -> None:
        if self.spool is None and self.spooler is not None and len(self.body) + len(data) > self.spool_from:
            self.spool = self.spooler()
            self.spool.write(self.body)
            self.body = bytearray()
        if self.spool is not None:
            self.spool.write(data)
        else:
            self.body += data

    def discard(self) -> None:
        if self.spool is not None:
            self.spool.close()

    def feed(self, buf: bytearray) -> Optional[bytes]:
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
                self._keep(buf[:take])
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
            match = abnf.CHUNK_LINE.fullmatch(buf, 0, eol)
            if match is None:
                raise ParseError(400, "malformed chunk-size line")
            size = int(match.group(1), 16)
            del buf[: eol + 2]
            if size == 0:
                self.trailer_bytes = 0
                continue
            if self.size() + size > self.limit:
                raise ParseError(413, f"request body is over the {self.limit}-byte limit")
            self.left = size

    def _trailers(self, buf: bytearray) -> Optional[bytes]:
        """The decoded body once the trailers end (empty when it went to `spool`)."""
        # RFC 9112 7.1.2: trailer fields are checked like headers, then dropped: nothing here acts on them
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


class RequestParser:
    """The requests of one connection, in order: `feed` it bytes, take events with `next_event`.

    A request whose body is all here comes out at once as a `Request`; one
    whose body is still to come is announced first with `HeadRead`, so the
    server can answer `Expect: 100-continue` and time the body.
    """

    __slots__ = ("buffer", "max_body", "spool_from", "spooler", "_head", "_chunks", "_spool")

    def __init__(self, max_body: int, spool_from: int = 0, spooler: Optional[Spooler] = None):
        """A body of more than `spool_from` bytes goes to a file `spooler` opens, when there is a spooler."""
        self.buffer = bytearray()
        self.max_body = max_body
        self.spool_from = spool_from
        self.spooler = spooler
        # the head whose body is still arriving: (method, target, headers, length, keep_alive)
        self._head: Optional[Tuple[str, str, Dict[str, str], int, bool]] = None
        self._chunks: Optional[ChunkedDecoder] = None
        self._spool: Optional[BodyFile] = None  # a Content-Length body being spooled

    def discard(self) -> None:
        """Let go of a body still arriving (the connection failed or closed): its spool file is gone."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None
        if self._chunks is not None:
            self._chunks.discard()

    def feed(self, data: bytes) -> None:
        self.buffer += data

    def reading_head(self) -> bool:
        """Whether part of the next request's head has arrived."""
        return self._head is None and bool(self.buffer)

    def next_event(self) -> Event:
        """The next event the buffer holds: a `Request`, a `HeadRead`, or `NEED_DATA`.

        Raises:
            ParseError: the request cannot be read; the parser is then of no further use.
        """
        buf = self.buffer
        if self._head is None:
            # no stray CRLFs between requests either: RFC 9112 2.2 allows ignoring them,
            # h11 refuses them, and ours stays at least as strict as h11
            end = buf.find(b"\r\n\r\n", 0, MAX_HEAD + 4)
            if end < 0:
                if len(buf) > MAX_HEAD:
                    raise ParseError(431, "request headers are too large")
                return NEED_DATA
            method, target, http11, headers = parse_head(bytes(buf[:end]))
            del buf[: end + 4]
            length = body_length(http11, headers)
            if length > self.max_body:
                raise ParseError(413, f"request body of {length} bytes is over the {self.max_body}-byte limit")
            # HTTP/1.0 keep-alive is an old extension h11 does not take up either: 1.0 closes
            keep_alive = http11 and ("connection" not in headers or "close" not in connection_tokens(headers))
            spooled = self.spooler is not None and length > self.spool_from
            if 0 <= length <= len(buf) and not spooled:  # the whole body is here: the common case, answered at once
                body = bytes(buf[:length])
                del buf[:length]
                return Request(method, target, headers, body, keep_alive)
            send_continue = False
            if length != 0 and http11 and headers.get("expect", "").lower() == "100-continue":
                send_continue = (length == CHUNKED and not buf) or len(buf) < length
            self._head = (method, target, headers, length, keep_alive)
            if length == CHUNKED:
                self._chunks = ChunkedDecoder(self.max_body, self.spool_from, self.spooler)
            elif spooled and self.spooler is not None:
                self._spool = self.spooler()
            announced: Event = HeadRead(send_continue)
        else:
            announced = NEED_DATA
        method, target, headers, length, keep_alive = self._head
        chunks, spool = self._chunks, self._spool
        if spool is not None:
            take = min(length - len(spool), len(buf))
            if take:
                spool.write(buf[:take])
                del buf[:take]
            if len(spool) < length:
                return announced
            body = b""
            self._spool = None
        elif chunks is None:
            if len(buf) < length:
                return announced
            body = bytes(buf[:length])
            del buf[:length]
        else:
            decoded = chunks.feed(buf)
            if decoded is None:
                return announced
            body, spool = decoded, chunks.spool
            self._chunks = None
        self._head = None
        return Request(method, target, headers, body, keep_alive, spool.rewind() if spool is not None else None)
