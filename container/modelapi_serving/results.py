"""What answering a request produces: a response now, or a prediction to batch.

`App.handle` returns one of these two types and nothing else, so the HTTP layer
tells them apart with `isinstance` instead of guessing from a tuple's shape.
"""

from typing import NamedTuple


class Response(NamedTuple):
    """A finished answer."""

    status: int
    content_type: str
    body: bytes


class Pending:
    """A request decoded and checked by the default pipeline, waiting for its
    prediction; the worker predicts several of these in one call
    (see `batching.predict_many`)."""

    __slots__ = ("handler", "data", "envelope", "response_type", "protocol", "keep_alive")

    def __init__(self, handler, data, envelope, response_type):
        self.handler = handler
        self.data = data
        self.envelope = envelope
        self.response_type = response_type
        self.protocol = None  # set by the HTTP layer: where the answer goes
        self.keep_alive = True
