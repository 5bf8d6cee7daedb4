"""What crosses between the HTTP layer and the app: a request, its answer, or word that the answer comes later."""

import tempfile
from typing import IO, Callable, Dict, Iterator, NamedTuple, Optional, Tuple, Union


class BodyFile:
    """A body kept in an unnamed temporary file rather than in memory: a large request body as it
    arrives, or a large answer as it is made. The file has no name, so closing it (or the process
    ending) is all it takes for it to be gone."""

    __slots__ = ("file", "length")

    def __init__(self, file: IO[bytes]):
        self.file = file
        self.length = 0

    @classmethod
    def temporary(cls, directory: Optional[str] = None) -> "BodyFile":
        """An empty one in `directory` (the system's temporary directory by default)."""
        return cls(tempfile.TemporaryFile(dir=directory, prefix="modelapi-body-"))

    def write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        self.file.write(data)
        self.length += len(data)

    def rewind(self) -> "BodyFile":
        self.file.flush()
        self.file.seek(0)
        return self

    def read_all(self) -> bytes:
        """The whole body in memory, for the paths that need it at once."""
        self.rewind()
        return self.file.read()

    def blocks(self, size: int) -> Iterator[bytes]:
        self.rewind()
        while True:
            block = self.file.read(size)
            if not block:
                return
            yield block

    def close(self) -> None:
        self.file.close()

    @property
    def closed(self) -> bool:
        return self.file.closed

    def __len__(self) -> int:
        return self.length

    def __repr__(self) -> str:
        return f"BodyFile({self.length} bytes)"


class Response(NamedTuple):
    """An answer: its status, its `Content-Type` and its body (`Content-Length` follows from it), and
    any other header fields as (name, value) pairs, already checked to be safe to write. A body in a
    `BodyFile` is sent from the file and closed once sent."""

    status: int
    content_type: str
    body: Union[bytes, BodyFile]
    headers: Tuple[Tuple[str, str], ...] = ()


class Request:
    """One complete request, its body read in full (and de-chunked).

    `headers` maps lower-case names to values (repeated fields joined with
    ", "). `keep_alive` is False when the connection closes after the answer.
    A large body arrives in `spool` (a `BodyFile`) instead; reading `body`
    then brings it into memory for the paths that need it whole.
    """

    __slots__ = ("method", "target", "headers", "_body", "spool", "keep_alive", "_reply")

    def __init__(
        self,
        method: str,
        target: str,
        headers: Dict[str, str],
        body: bytes,
        keep_alive: bool = True,
        spool: Optional[BodyFile] = None,
    ):
        self.method = method
        self.target = target
        self.headers = headers
        self._body = body
        self.spool = spool
        self.keep_alive = keep_alive
        self._reply: Optional[Callable[["Request", Response], None]] = None

    @property
    def body(self) -> bytes:
        if self.spool is not None:
            self._body = self.spool.read_all()
            self.close_body()
        return self._body

    @body.setter
    def body(self, value: bytes) -> None:
        self.close_body()
        self._body = value

    @property
    def body_length(self) -> int:
        return len(self.spool) if self.spool is not None else len(self._body)

    def close_body(self) -> None:
        """Let go of a spooled body (its file is gone once closed)."""
        if self.spool is not None:
            self.spool.close()
            self.spool = None

    def respond(self, response: Response) -> None:
        """Answer this request after the app deferred it (returned `DEFERRED`)."""
        if self._reply is None:
            raise RuntimeError("this request did not come from a connection; nothing to answer it on")
        self._reply(self, response)

    def __repr__(self) -> str:
        return f"Request({self.method!r}, {self.target!r}, {self.body_length} bytes)"


class Deferred:
    """Returned by an app that will answer later through `Request.respond`; the
    connection reads no further request until then, so answers stay in order."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DEFERRED"


DEFERRED = Deferred()
