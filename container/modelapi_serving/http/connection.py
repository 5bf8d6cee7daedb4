"""One client connection: an asyncio protocol that feeds the parser, hands each request to
the app and writes the answers in order, with deadlines and a keep-alive timeout.

Requests are answered one at a time, which makes keep-alive and pipelining
safe by construction. Each request has a deadline for its head (counted from
its first byte) and one for its body (counted from the end of the head), never
extended by a trickle of bytes; an idle keep-alive connection has its own
timeout, and so does a client that stops reading its answers. A client that
half-closes still gets every answer it is owed.

A body larger than `spool_bytes` goes to an unnamed temporary file in
`spool_dir` as it arrives; an answer kept in a file is sent from it as fast
as the client reads. Either file is closed, and so gone, once answered, on a
bad request and on disconnect.
"""

import asyncio
import logging
import time
from typing import Optional, cast

from ..errors import HttpError, error_body
from . import writer
from .content_encoding import decode_content_encoding
from .host import Host
from .messages import BodyFile, Deferred, Request, Response
from .framing import ParseError
from .parser import HeadRead, RequestParser
from .state import DEADLINES, READING, TRANSITIONS, InvalidTransition, State

log = logging.getLogger("modelapi.http")

# the states as module names: the hot path compares identities, not the enum's attributes
IDLE, READING_HEAD, READING_BODY = State.IDLE, State.READING_HEAD, State.READING_BODY
WAITING, DRAINING, CLOSED = State.WAITING, State.DRAINING, State.CLOSED

LINGER_SECONDS = 1.0
SEND_BLOCK = 256 * 1024  # an answer sent from a file is read this much at a time


class HttpConnection(asyncio.Protocol):
    """One client connection: its state (see `state.TRANSITIONS`), its parser and its timers."""

    transport: asyncio.Transport  # from connection_made on

    def __init__(self, host: Host):
        self.host = host
        self.limits = host.config
        self.parser = RequestParser(host.config.max_body_bytes, host.config.spool_bytes, self._open_spool)
        self.state = IDLE
        self.writing_paused = False  # the client stopped reading: nothing is read or written until it resumes
        self.half_closed = False  # the client sent EOF: answer what it sent, then close
        self.deadline = 0.0  # monotonic time the head or body being read must be complete by
        self.last_answer = time.monotonic()  # or the connection's start, for the keep-alive timeout
        self.stalled_since = 0.0
        self._reply = self._deliver  # made once: every deferred request is answered through it
        self.request: Optional[Request] = None  # the request being answered, whose spooled body is let go after
        self.sending: Optional[BodyFile] = None  # an answer being sent from its file
        self.sending_keep_alive = True

    def _open_spool(self) -> BodyFile:
        return BodyFile.temporary(self.limits.spool_dir)

    # -- state ---------------------------------------------------------------

    def _enter(self, new: State) -> None:
        if new is self.state:
            return
        if new not in TRANSITIONS[self.state]:
            raise InvalidTransition(f"{self.state.value} -> {new.value}")
        self.state = new
        deadline = DEADLINES.get(new)
        if deadline is not None:
            self.deadline = time.monotonic() + getattr(self.limits, deadline[1])

    def idle(self) -> bool:
        """No request in progress, none deferred and nothing of the next one read."""
        return self.state is IDLE and not self.parser.buffer

    def close(self) -> None:
        if self.state is not CLOSED:
            self._enter(CLOSED)
            self.transport.close()

    def _close_when_done(self) -> None:
        """After a half-close: close once nothing more can be answered."""
        if self.half_closed and self.state in READING and not self.writing_paused:
            # reading stopped for want of bytes that will never come
            self.close()

    # -- asyncio callbacks -----------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.host.connection_opened(self)

    def connection_lost(self, exc: Optional[Exception]) -> None:
        if self.state is not CLOSED:
            self._enter(CLOSED)
        self._let_go()
        self.host.connection_closed(self)

    def _let_go(self) -> None:
        """Close the files of the request and answer in progress, if any."""
        self.parser.discard()
        if self.request is not None:
            self.request.close_body()
            self.request = None
        if self.sending is not None:
            self.sending.close()
            self.sending = None

    def data_received(self, data: bytes) -> None:
        state = self.state
        if state is DRAINING or state is CLOSED:
            return  # dropped
        self.parser.feed(data)
        if not self.writing_paused:
            self._read()

    def eof_received(self) -> bool:
        self.half_closed = True
        if self.state is DRAINING or self.state is CLOSED:
            return False
        self._close_when_done()
        return True  # keep the transport open to write the answers still owed

    def pause_writing(self) -> None:
        self.writing_paused = True
        self.stalled_since = time.monotonic()
        self.transport.pause_reading()

    def resume_writing(self) -> None:
        self.writing_paused = False
        if self.sending is not None and self.state is not CLOSED:
            self._send_more()
        if self.state is not CLOSED:
            if not self.half_closed:
                self.transport.resume_reading()
            self._read()
            self._close_when_done()

    # -- timers ------------------------------------------------------------------

    def check_timers(self, now: float) -> None:
        """Called about once a second: enforce the deadlines and the keep-alive timeout."""
        state = self.state
        if state is CLOSED or state is DRAINING:
            return
        keepalive = self.limits.keepalive_timeout
        if self.writing_paused:
            # the client stopped reading its answers: drop them, a graceful close would wait on it forever
            if now - self.stalled_since > keepalive:
                self._enter(CLOSED)
                self.transport.abort()
            return
        deadline = DEADLINES.get(state)
        if deadline is not None:
            if now > self.deadline:
                part, setting = deadline
                self._fail(408, f"the request {part} did not arrive within {getattr(self.limits, setting)} s")
        elif self.idle() and now - self.last_answer > keepalive:
            # a new connection with no request yet counts as idle too: clients open them ahead of use
            self.close()

    # -- requests ------------------------------------------------------------------

    def _read(self) -> None:
        """Parse and answer what the buffer holds, until it needs more bytes or must wait."""
        parser = self.parser
        while not self.writing_paused:
            state = self.state
            if state is not IDLE and state is not READING_HEAD and state is not READING_BODY:
                return  # waiting for a deferred answer, or done
            try:
                event = parser.next_event()
            except ParseError as exc:
                self._fail(exc.status, exc.message)
                return
            except OSError as exc:  # a large body's file could not be made or written (disk full...)
                log.error("cannot keep a request body in %s: %s", self.limits.spool_dir, exc)
                self._fail(507, "the server has no room to keep the request body")
                return
            if isinstance(event, Request):
                self._dispatch(event)
                if not parser.buffer:
                    return  # nothing more has arrived: the usual end of a turn, without asking the parser
            elif isinstance(event, HeadRead):
                if event.send_continue:
                    self.transport.write(writer.CONTINUE)
                self._enter(READING_BODY)
            else:  # NEED_DATA
                if state is IDLE and parser.buffer:  # part of the next head is here
                    self._enter(READING_HEAD)
                return

    def _dispatch(self, request: Request) -> None:
        if self.host.stopping:
            request.keep_alive = False
        if "content-encoding" in request.headers:
            try:
                request.body = decode_content_encoding(
                    request.body, request.headers.pop("content-encoding"), self.limits.max_body_bytes
                )
            except HttpError as exc:
                self._answer(request, Response(exc.status, "application/json", error_body(exc.status, exc.message)))
                return
        request._reply = self._reply
        self.request = request
        result = self.host.handle(request)
        if isinstance(result, Deferred):
            self._enter(WAITING)
            return
        self._answer(request, result, head_only=request.method == "HEAD")

    def _deliver(self, request: Request, response: Response) -> None:
        """The answer to the request this connection was waiting on."""
        if self.state is CLOSED:
            request.close_body()
            if isinstance(response.body, BodyFile):
                response.body.close()
            return
        request.keep_alive = request.keep_alive and not self.host.stopping
        self._answer(request, response)
        if self.state is not CLOSED and not self.writing_paused:
            self._read()
        self._close_when_done()

    def _answer(self, request: Request, response: Response, head_only: bool = False) -> None:
        self.last_answer = time.monotonic()
        request.close_body()
        self.request = None
        status, content_type, body, headers = response
        head = writer.response_head(status, content_type, len(body), request.keep_alive, headers)
        if isinstance(body, BodyFile):
            self.transport.write(head)
            body.rewind()
            self.sending, self.sending_keep_alive = body, request.keep_alive
            if head_only:
                body.close()
                self.sending = None
            else:
                self._enter(WAITING)  # nothing more is read until the answer is out
                self._send_more()
                return
        else:
            self.transport.write(head if head_only else head + body)
        self._answered(request.keep_alive)

    def _answered(self, keep_alive: bool) -> None:
        if not keep_alive:
            self.close()
        elif self.state is not IDLE:
            self._enter(IDLE)

    def _send_more(self) -> None:
        """Send the answer's file while the client keeps up; `resume_writing` calls again when it catches up."""
        body = self.sending
        assert body is not None
        read, write = body.file.read, self.transport.write
        while not self.writing_paused:
            block = read(SEND_BLOCK) if not self.transport.is_closing() else b""
            if not block:
                body.close()
                self.sending = None
                self._answered(self.sending_keep_alive)
                return
            write(block)

    def _fail(self, status: int, message: str) -> None:
        """Answer a request that cannot be read, then close without a reset.

        The client may still be sending (e.g. a body over the limit); closing
        at once would reset the connection and could lose the answer, so the
        rest is read and dropped for a moment first.
        """
        log.debug("closing connection: %d %s", status, message)
        self.parser.buffer.clear()
        self._let_go()
        self._enter(DRAINING)
        transport = self.transport
        transport.write(writer.error_response(status, message))
        try:
            if transport.can_write_eof():
                transport.write_eof()
        except (OSError, RuntimeError):
            pass
        if self.half_closed:
            self.close()
        else:
            asyncio.get_running_loop().call_later(LINGER_SECONDS, self.close)
