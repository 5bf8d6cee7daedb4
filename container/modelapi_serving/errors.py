"""Errors that carry the HTTP status they should be answered with.

Every error response has the same JSON shape::

    {"status": 400, "message": "expected 4 features per row, got 3"}

`message` is written for the person who sent the request; tracebacks never go
into it (they go to the log).
"""

import json
from typing import Dict, Optional


class HttpError(Exception):
    """An error with an HTTP status and a message safe to show to the client."""

    status = 500

    def __init__(self, message: str, status: Optional[int] = None, headers: Optional[Dict[str, str]] = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.headers = headers or {}


class BadRequest(HttpError):
    status = 400


class NotFound(HttpError):
    status = 404


class MethodNotAllowed(HttpError):
    status = 405


class NotAcceptable(HttpError):
    status = 406


class Conflict(HttpError):
    status = 409


class PayloadTooLarge(HttpError):
    status = 413


class UnsupportedMediaType(HttpError):
    status = 415


class InternalError(HttpError):
    status = 500


class ServiceUnavailable(HttpError):
    status = 503


class InsufficientStorage(HttpError):
    """SageMaker's answer when a model does not fit in memory (multi-model load)."""

    status = 507


def status_of(exc: BaseException) -> Optional[int]:
    """The HTTP status a user-code exception asks for, if any.

    Exceptions from `inference.py` may carry an integer `status_code` (as the
    SageMaker inference toolkit's errors do) or `status`; anything else is a 500.
    """
    if isinstance(exc, HttpError):
        return exc.status
    for attr in ("status_code", "status"):
        value = getattr(exc, attr, None)
        if isinstance(value, int) and 400 <= value <= 599:
            return value
    return None


def error_body(status: int, message: str) -> bytes:
    return json.dumps({"status": status, "message": message}).encode()
