"""`text/csv`: one row per line, no header; an empty field is a missing value (NaN).

Rows are read by numpy's C reader (`numpy.loadtxt`) first. Its grammar is
narrower than the exact reader's (`csv.reader` and Python's `float()` per
field), so whatever it refuses is read again by the exact reader, which alone
writes the error messages: a malformed line deep in a large body is reported
by its line and field as if only the exact reader had run. What the fast reader
accepts, it reads to the same numbers (tests/codecs/test_csv.py holds the two
to each other on a corpus of unusual but valid inputs).
"""

import codecs
import csv
import io
import math
import warnings
from typing import IO, Any, Iterable, Iterator, List, Optional, Union

import numpy as np

from .. import contract
from ..errors import BadRequest
from .arrays import CONVERSION_ERRORS
from .base import Codec, Decoded
from .integers import FEWEST, joined

NAME = "csv"  # the contract's name for the type
MEDIA_TYPE = contract.media_type_of(NAME)

NOT_UTF8 = "malformed CSV: the body is not UTF-8 text"
HAS_NUL = "malformed CSV: the body contains NUL bytes"

# loadtxt's own set-up costs about as much as the exact reader spends on a few rows
FAST_FROM = 100  # characters

# Empty fields beside a comma, written out as the NaN they mean, since numpy refuses them. A field of
# only spaces is left alone: numpy refuses it, and the exact reader reads it.
_EMPTY_FIELDS = ((",,", ",nan,"), (",,", ",nan,"), ("\n,", "\nnan,"), (",\n", ",nan\n"), (",\r", ",nan\r"))


def read_rows(body: Union[bytes, str]) -> np.ndarray:
    """The CSV rows of `body` (bytes, or text from a user's `input_fn`) as a float64 array.

    Raises:
        BadRequest: naming the line and field that is not a number, or a line of another width.
    """
    text = _text(body)
    rows = read_rows_fast(text) if len(text) >= FAST_FROM else None
    return rows if rows is not None else read_rows_exact(text)


def _text(body: Union[bytes, str]) -> str:
    try:
        # a byte-order mark is dropped, as json.loads drops it from a JSON body
        text = body.decode("utf-8-sig") if isinstance(body, (bytes, bytearray)) else body.removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise BadRequest(NOT_UTF8) from None
    if "\x00" in text:
        raise BadRequest(HAS_NUL)
    return text


def read_rows_fast(text: str) -> Optional[np.ndarray]:
    """The rows as numpy's C reader reads them, or None when it cannot (the exact reader decides then)."""
    rows = _loadtxt(text)
    if rows is None and "," in text:
        rows = _loadtxt(_with_nan_for_empty_fields(text))
    return rows


def _loadtxt(text: str) -> Optional[np.ndarray]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # loadtxt warns about an input with no rows
            rows = np.loadtxt(io.StringIO(text), delimiter=",", quotechar='"', comments=None, dtype=np.float64, ndmin=2)
    except (ValueError, TypeError, OverflowError):
        return None
    return rows if rows.size else None


def _with_nan_for_empty_fields(text: str) -> str:
    # twice ",,": the first pass leaves every other comma of a longer run
    for empty, nan in _EMPTY_FIELDS:
        text = text.replace(empty, nan)
    if text.startswith(","):
        text = "nan" + text
    if text.endswith(","):
        text += "nan"
    return text


def read_rows_exact(text: str, first_line: int = 1, width: Optional[int] = None, part: bool = False) -> np.ndarray:
    """The rows as `csv.reader` splits them and `float()` reads each field: the reference grammar.

    Args:
        first_line, width: for a part of a body (`part`), the number of its first line and the
            width of the body's first row, so the messages are those of the whole body.
        part: a part with no rows is an empty array rather than an error.
    """
    rows: List[List[float]] = []
    try:
        for line_no, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=first_line):
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
        if part:
            return np.empty((0, width or 0), dtype=np.float64)
        raise BadRequest(NO_ROWS)
    return np.asarray(rows, dtype=np.float64)


NO_ROWS = "the CSV body has no rows to predict"


def read_rows_in_parts(file: IO[bytes], part_bytes: int) -> Iterator[np.ndarray]:
    """The CSV rows of a body in `file`, about `part_bytes` of it at a time: arrays that stacked
    are `read_rows` of the whole body, with the same error for a body it refuses.

    Parts end where records end (a quoted field may hold a line break), so each part is read
    as the whole body would be; line numbers and the first row's width carry over from part to
    part. Faults `read_rows` finds before reading any line (not UTF-8, NUL bytes) are looked
    for in the whole body before a malformed line is reported, so they win as they do there.
    """
    line, width, first, any_rows = 1, None, True, False
    for raw in _record_parts(file, part_bytes):
        try:
            text = _part_text(raw, first)
            rows = read_rows_fast(text) if len(text) >= FAST_FROM else None
            if rows is None or (width is not None and rows.shape[1] != width):
                rows = read_rows_exact(text, line, width, part=True)
        except BadRequest as exc:
            if exc.message != NOT_UTF8:  # the first fault the whole-body reader looks for
                _check_text(file, part_bytes)
            raise
        first = False
        line += _records_in(raw, text)
        if rows.shape[0]:
            width, any_rows = rows.shape[1], True
            yield rows
    if not any_rows:
        raise BadRequest(NO_ROWS)


def _record_parts(file: IO[bytes], part_bytes: int) -> Iterator[bytes]:
    """The body in pieces of at least `part_bytes` (but the last) that end where a record ends."""
    pending = b""
    while True:
        # a record longer than a part (or a quote left open) doubles what is read: copying stays linear
        block = file.read(max(part_bytes, len(pending)))
        if not block:
            if pending:
                yield pending
            return
        data = pending + block if pending else block
        end = _record_end(data, len(pending))
        if end:
            yield data[:end]
        pending = data[end:]


def _record_end(data: bytes, searched: int = 0) -> int:
    """Where the last whole record of `data` ends (0: none yet), given that none ends in
    `data[:searched]`. A line break inside a quoted field is not one: an even number of quotes
    before a line break puts it outside any field."""
    end = data.rfind(b"\n", searched) + 1
    if not end or b'"' not in data:
        return end
    quotes = data.count(b'"', 0, end)
    while quotes % 2:
        # line breaks after the last quote before `end` have the same parity: skip to one before it
        before = data.rfind(b"\n", searched, data.rfind(b'"', 0, end)) + 1
        if not before:
            return 0
        quotes -= data.count(b'"', before, end)
        end = before
    return end


def _part_text(raw: bytes, first: bool) -> str:
    try:
        # a byte-order mark only counts at the very start, as for the whole body
        text = raw.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError:
        raise BadRequest(NOT_UTF8) from None
    if "\x00" in text:
        raise BadRequest(HAS_NUL)
    return text


def _check_text(file: IO[bytes], part_bytes: int) -> None:
    """Raise what `_text` would for the body in `file`, if anything."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    nul = False
    file.seek(0)
    while True:
        block = file.read(part_bytes)
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError:
            raise BadRequest(NOT_UTF8) from None
        nul = nul or b"\x00" in block
        if not block:
            break
    if nul:
        raise BadRequest(HAS_NUL)


def _records_in(raw: bytes, text: str) -> int:
    """How many records `csv.reader` reads in `text` (`raw` decoded): its lines, unless a quoted field
    holds a line break. Counted in the bytes, where it is several times faster."""
    if b'"' in raw:
        try:
            return sum(1 for _ in csv.reader(io.StringIO(text, newline="")))
        except csv.Error:
            pass
    # the line breaks io.StringIO(newline="") splits at, which csv.reader's records follow
    ends = raw.count(b"\n")
    if b"\r" in raw:
        ends += raw.count(b"\r") - raw.count(b"\r\n")
    return ends + (1 if raw and raw[-1:] not in (b"\r", b"\n") else 0)


def decode(body: bytes) -> Decoded:
    return read_rows(body), None


def encode(prediction: Any, envelope: Optional[str] = None) -> bytes:
    """One row per line; a 1-D prediction is one value per line."""
    array = np.asarray(prediction)
    if array.dtype.kind in "biuf":
        # numbers never need quoting: the same text as csv.writer's, joined at C speed
        if array.ndim == 0:
            return f"{array.item()}\n".encode()
        if array.ndim == 1 and array.dtype.kind in "iu" and array.size >= FEWEST:
            return joined(array, b"\n") + b"\n"
        if array.ndim == 1:
            lines: Iterable[str] = map(str, array.tolist())
        else:
            lines = map(",".join, (map(str, row) for row in array.reshape(array.shape[0], -1).tolist()))
        text = "\n".join(lines)
        return (text + "\n").encode() if array.shape[0] else b""
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
