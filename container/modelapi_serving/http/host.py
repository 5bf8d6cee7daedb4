"""What a connection needs from the server that accepted it: its limits and its callbacks."""

from typing import TYPE_CHECKING, Optional, Protocol, Union

from .messages import Deferred, Request, Response

if TYPE_CHECKING:
    from .connection import HttpConnection


class Limits(Protocol):
    """The settings a connection reads (the server's `Config` has them)."""

    @property
    def max_body_bytes(self) -> int:
        ...

    @property
    def header_timeout(self) -> int:
        ...

    @property
    def body_timeout(self) -> int:
        ...

    @property
    def keepalive_timeout(self) -> int:
        ...

    @property
    def spool_bytes(self) -> int:
        ...

    @property
    def spool_dir(self) -> Optional[str]:
        ...


class Host(Protocol):
    """What a connection needs from the server that accepted it."""

    @property
    def config(self) -> Limits:
        ...

    @property
    def stopping(self) -> bool:
        """Answers from now on close their connection."""

    def handle(self, request: Request) -> Union[Response, Deferred]:
        """The app: answer now, or return `DEFERRED` and call `request.respond` later."""

    def connection_opened(self, connection: "HttpConnection") -> None:
        ...

    def connection_closed(self, connection: "HttpConnection") -> None:
        ...
