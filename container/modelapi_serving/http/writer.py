"""The bytes of a response head (RFC 9112 4, 6): status line, Content-Type, Content-Length, Date."""

import email.utils
import http
import time
from typing import Tuple

from ..errors import error_body

REASONS = {status.value: status.phrase.encode() for status in http.HTTPStatus}
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"

_date_second = 0
_date_value = b""


def http_date() -> bytes:
    """The `Date` header's value (RFC 9110 6.6.1), computed at most once a second."""
    global _date_second, _date_value
    now = int(time.time())
    if _date_second != now:
        _date_second = now
        _date_value = email.utils.formatdate(now, usegmt=True).encode()
    return _date_value


def response_head(
    status: int, content_type: str, length: int, keep_alive: bool, headers: Tuple[Tuple[str, str], ...] = ()
) -> bytes:
    """The head of an answer with a body of `length` bytes, and `headers` (checked by whoever set them);
    `Connection: close` when it is the last."""
    extra = b"".join(b"%s: %s\r\n" % (n.encode("latin-1"), v.encode("latin-1")) for n, v in headers) if headers else b""
    return b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nDate: %s\r\n%s%s\r\n" % (
        status,
        REASONS.get(status, b"Unknown"),
        content_type.encode("latin-1"),
        length,
        http_date(),
        extra,
        b"" if keep_alive else b"Connection: close\r\n",
    )


def error_response(status: int, message: str) -> bytes:
    """A whole JSON error answer after which the connection closes (a request that could not be read)."""
    body = error_body(status, message)
    return (
        b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nDate: %s\r\n"
        b"Connection: close\r\n\r\n%s" % (status, REASONS.get(status, b"Error"), len(body), http_date(), body)
    )
