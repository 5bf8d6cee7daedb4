"""What crosses between the HTTP layer and the app: a request, its answer, or word that the answer comes later."""

from typing import Callable, Dict, NamedTuple, Optional, Tuple


class Response(NamedTuple):
    """An answer: its status, its `Content-Type` and its body (`Content-Length` follows from it), and
    any other header fields as (name, value) pairs, already checked to be safe to write."""

    status: int
    content_type: str
    body: bytes
    headers: Tuple[Tuple[str, str], ...] = ()


class Request:
    """One complete request, its body read in full (and de-chunked).

    `headers` maps lower-case names to values (repeated fields joined with
    ", "). `keep_alive` is False when the connection closes after the answer.
    """

    __slots__ = ("method", "target", "headers", "body", "keep_alive", "_reply")

    def __init__(self, method: str, target: str, headers: Dict[str, str], body: bytes, keep_alive: bool = True):
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.keep_alive = keep_alive
        self._reply: Optional[Callable[["Request", Response], None]] = None

    def respond(self, response: Response) -> None:
        """Answer this request after the app deferred it (returned `DEFERRED`)."""
        if self._reply is None:
            raise RuntimeError("this request did not come from a connection; nothing to answer it on")
        self._reply(self, response)

    def __repr__(self) -> str:
        return f"Request({self.method!r}, {self.target!r}, {len(self.body)} bytes)"


class Deferred:
    """Returned by an app that will answer later through `Request.respond`; the
    connection reads no further request until then, so answers stay in order."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DEFERRED"


DEFERRED = Deferred()
