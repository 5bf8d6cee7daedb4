"""Answering a large CSV body part by part, so memory does not grow with the body.

A body the connection spooled to a file (asynchronous inference sends up to
1 GB) is read a part at a time (`codecs.csv.read_rows_in_parts`), each part's
rows are checked, predicted and encoded, and the answer goes to another file
that is sent from there. This holds for the default pipeline only (no request
step of the model's code: that code is owed the whole body) and for CSV and
JSON answers, whose encodings of consecutive rows join into the encoding of
all of them. Anything else is answered from the whole body, as before.

The answer, and every error, is the one the whole-body path gives: the rows of
all parts are decoded before a fault found after decoding is reported, so a
malformed line anywhere wins over a part's wrong values; an infinite value
anywhere wins over a missing one; rows are numbered across the body. The
model must predict each row on its own (estimators do; batching relies on it
too); a part whose prediction is not one row per input row sends the request
back to the whole-body path.
"""

from typing import Callable, Dict, NamedTuple, Optional

import numpy as np

from .. import codecs
from ..errors import BadRequest, HttpError
from ..http import negotiation
from ..http.messages import BodyFile, Response
from .features import INFINITE, MISSING, bad_value_message, checked_shape, first_bad_value
from .pipeline import ModelHandler

Spooler = Callable[[], BodyFile]


class Joiner(NamedTuple):
    """How the encodings of consecutive parts join: what each part's encoding is stripped of
    (`trim` bytes at either end), and what goes before, between and after them."""

    trim: int
    head: bytes
    between: bytes
    tail: bytes


JOINERS: Dict[str, Joiner] = {
    codecs.CSV: Joiner(0, b"", b"", b""),  # a line per row
    codecs.JSON: Joiner(1, b"[", b",", b"]"),  # a bare list: `[a,b]` and `[c]` make `[a,b,c]`
}


def answer_in_parts(
    handler: object, body: BodyFile, content_type: str, accept: str, part_bytes: int, spooler: Spooler
) -> Optional[Response]:
    """The answer to a spooled body, made part by part into a file from `spooler`; None when
    this request must be answered from the whole body instead.

    Raises:
        HttpError: as the whole-body path would for this body.
    """
    if not isinstance(handler, ModelHandler) or not handler.batchable:
        return None
    kind = codecs.media_type(content_type) if content_type else codecs.DEFAULT_TYPE
    if kind != codecs.CSV:
        return None
    response_type = negotiation.choose_accept(accept, handler.default_accept, codecs.RESPONSE_TYPES, codecs.ALIASES)
    joiner = JOINERS.get(response_type)
    if joiner is None:
        return None
    answer = spooler()
    try:
        done = _predict_parts(handler, body, response_type, joiner, part_bytes, answer)
    except BaseException:
        answer.close()
        raise
    if not done:
        answer.close()
        return None
    return Response(200, response_type, answer.rewind())


def _predict_parts(
    handler: ModelHandler, body: BodyFile, response_type: str, joiner: Joiner, part_bytes: int, answer: BodyFile
) -> bool:
    """Write the answer's bytes to `answer`; False when a prediction does not split by rows."""
    spec = handler.spec
    rows_before = 0
    width_error: Optional[BadRequest] = None
    infinite: Optional[int] = None
    missing: Optional[int] = None
    predict_error: Optional[HttpError] = None
    first: Optional[np.ndarray] = None  # the first part's prediction, which every other must match in kind
    for rows in codecs.csv.read_rows_in_parts(body.rewind().file, part_bytes):
        first_row = rows_before
        rows_before += rows.shape[0]
        if width_error is not None:
            continue  # every row has the first row's width: every part fails alike; read on for a malformed line
        try:
            rows = checked_shape(spec, rows)
        except BadRequest as exc:
            width_error = exc
            continue
        if infinite is None:
            fault = first_bad_value(spec, rows, (INFINITE,))
            infinite = None if fault is None else first_row + fault[1]
        if missing is None:
            fault = first_bad_value(spec, rows, (MISSING,))
            missing = None if fault is None else first_row + fault[1]
        if infinite is not None or missing is not None or predict_error is not None:
            continue  # the answer is an error: the rest is only read
        try:
            prediction = handler.predict_rows(rows)
        except HttpError as exc:
            predict_error = exc
            continue
        if not _splits_by_rows(prediction, rows.shape[0], first):
            return False
        encoded = codecs.encode(prediction, response_type)
        if joiner.trim:
            if encoded[:1] != joiner.head or encoded[-1:] != joiner.tail:
                return False
            encoded = encoded[joiner.trim : -joiner.trim]
        answer.write(joiner.head if first is None else joiner.between)
        answer.write(encoded)
        if first is None:
            first = prediction
    if width_error is not None:
        raise width_error
    if infinite is not None:
        raise BadRequest(bad_value_message(INFINITE, infinite))
    if missing is not None:
        raise BadRequest(bad_value_message(MISSING, missing))
    if predict_error is not None:
        raise predict_error
    answer.write(joiner.tail)
    return True


def _splits_by_rows(prediction: object, n_rows: int, first: Optional[np.ndarray]) -> bool:
    """Whether `prediction` is one entry per row, of the first part's type and shape, so the parts'
    encodings join into that of one prediction for all rows."""
    if not isinstance(prediction, np.ndarray) or prediction.ndim == 0 or prediction.shape[0] != n_rows:
        return False
    return first is None or (prediction.dtype == first.dtype and prediction.shape[1:] == first.shape[1:])
