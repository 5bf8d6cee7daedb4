"""`text/csv`: one row per line, no header; an empty field is a missing value (NaN)."""

import csv
import io
import math
from typing import Any, List, Optional, Union

import numpy as np

from .. import contract
from ..errors import BadRequest
from .arrays import CONVERSION_ERRORS
from .base import Codec, Decoded

NAME = "csv"  # the contract's name for the type
MEDIA_TYPE = contract.media_type_of(NAME)


def read_rows(body: Union[bytes, str]) -> np.ndarray:
    """The CSV rows of `body` (bytes, or text from a user's `input_fn`) as a float64 array.

    Raises:
        BadRequest: naming the line and field that is not a number, or a line of another width.
    """
    try:
        # a byte-order mark is dropped, as json.loads drops it from a JSON body
        text = body.decode("utf-8-sig") if isinstance(body, (bytes, bytearray)) else body.removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise BadRequest("malformed CSV: the body is not UTF-8 text") from None
    if "\x00" in text:
        raise BadRequest("malformed CSV: the body contains NUL bytes")
    rows: List[List[float]] = []
    width = None
    try:
        for line_no, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if width is None:
                width = len(record)
            elif len(record) != width:
                raise BadRequest(f"malformed CSV: line {line_no} has {len(record)} fields, the first row has {width}")
            row = []
            for col, field in enumerate(record, start=1):
                field = field.strip()
                if not field:
                    row.append(math.nan)  # an empty field is a missing value
                    continue
                try:
                    row.append(float(field))
                except CONVERSION_ERRORS:
                    raise BadRequest(
                        f"malformed CSV: line {line_no}, field {col}: {field[:40]!r} is not a number"
                    ) from None
            rows.append(row)
    except csv.Error as exc:
        raise BadRequest(f"malformed CSV: {exc}") from None
    if not rows:
        raise BadRequest("the CSV body has no rows to predict")
    return np.asarray(rows, dtype=np.float64)


def decode(body: bytes) -> Decoded:
    return read_rows(body), None


def encode(prediction: Any, envelope: Optional[str] = None) -> bytes:
    """One row per line; a 1-D prediction is one value per line."""
    array = np.asarray(prediction)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if array.ndim == 0:
        writer.writerow([array.item()])
    elif array.ndim == 1:
        for value in array.tolist():
            writer.writerow([value])
    else:
        for row in array.reshape(array.shape[0], -1).tolist():
            writer.writerow(row)
    return out.getvalue().encode()


CODEC = Codec(NAME, MEDIA_TYPE, aliases=("csv",), text=True, decode=decode, encode=encode)
