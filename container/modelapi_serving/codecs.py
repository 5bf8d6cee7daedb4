"""Decoders and encoders, one pair per content type.

Requests: `application/json`, `text/csv`, `application/x-npy` (never unpickled),
`text/libsvm` (sparse rows, as SageMaker's XGBoost takes them).
Responses: JSON, CSV and NPY, chosen by the `Accept` header.
The bare names `csv`, `json` and `libsvm` and the alias `text/x-libsvm` are
accepted too, as AWS's containers accept them.

JSON responses mirror the request's envelope so both common conventions work:
a bare list in gives a bare list out (as AWS's prebuilt scikit-learn image),
`{"instances": ...}` gives `{"predictions": ...}` and `{"inputs": ...}` gives
`{"outputs": ...}` (as TensorFlow Serving).
"""

import csv
import io
import json
import math
import zlib

import numpy as np

from . import contract
from .errors import BadRequest, NotAcceptable, PayloadTooLarge, UnsupportedMediaType

# The types the API passes through (JSON, CSV, NPY) come from the shared contract; the built-in
# XGBoost formats below reach the server only when the endpoint is invoked directly.
JSON = contract.media_type_of("json")
CSV = contract.media_type_of("csv")
NPY = contract.media_type_of("npy")
LIBSVM = "text/libsvm"
JSONLINES = "application/jsonlines"
SUPPORTED = contract.REQUEST_CONTENT_TYPES
DECODABLE = (JSON, CSV, NPY, LIBSVM)
ALIASES = {
    "json": JSON,
    "csv": CSV,
    "libsvm": LIBSVM,
    "text/x-libsvm": LIBSVM,
    "application/x-libsvm": LIBSVM,
    "jsonlines": JSONLINES,
    "application/json-lines": JSONLINES,
}

# Types whose bodies are text: user `input_fn`s receive them as `str`, as in
# AWS's scikit-learn container.
TEXT_TYPES = (JSON, CSV)

ENVELOPES = {"instances": "predictions", "inputs": "outputs"}


def media_type(header: str) -> str:
    """`'Application/JSON; charset=utf-8'` -> `'application/json'`; `'csv'` -> `'text/csv'`."""
    kind = header.split(";", 1)[0].strip().lower()
    return ALIASES.get(kind, kind)


def choose_accept(header: str, default: str, supported=SUPPORTED) -> str:
    """Pick the response type among `supported` from an `Accept` header.

    Raises:
        NotAcceptable: when the header names only types this server cannot produce.
    """
    if not header or header.strip() in ("*/*", ""):
        return default
    best, best_q = None, 0.0
    for position, item in enumerate(header.split(",")):
        parts = item.split(";")
        kind = parts[0].strip().lower()
        kind = ALIASES.get(kind, kind)
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if kind in ("*/*", "*"):
            candidate = default
        elif kind.endswith("/*"):
            prefix = kind[:-1]
            candidate = (
                default if default.startswith(prefix) else next((t for t in supported if t.startswith(prefix)), None)
            )
        else:
            candidate = kind if kind in supported else None
        if candidate and q > best_q:
            best, best_q = candidate, q
    if best is None:
        raise NotAcceptable(f"cannot produce {header.strip()!r}; supported: {', '.join(supported)}")
    return best


# -- decoding ---------------------------------------------------------------

CONTENT_CODINGS = ("gzip", "x-gzip", "identity")


def decode_content_encoding(body: bytes, header: str, limit: int) -> bytes:
    """Undo a request's `Content-Encoding` (gzip), within the same size limit.

    The decoded size counts against `limit`, so a small compressed body cannot
    expand into a large one (a "zip bomb"): decompression stops past the limit.

    Raises:
        UnsupportedMediaType: for a coding other than gzip (or identity).
        BadRequest: for a body that is not valid gzip.
        PayloadTooLarge: when the decoded body is over `limit`.
    """
    codings = [c.strip(" \t").lower() for c in header.split(",") if c.strip(" \t")]
    for coding in codings:
        if coding not in CONTENT_CODINGS:
            raise UnsupportedMediaType(
                f"unsupported Content-Encoding {coding!r}; send the body uncompressed or gzip-compressed"
            )
    if not body:
        return body
    for coding in reversed(codings):  # the last coding listed was applied last
        if coding != "identity":
            body = _gunzip(body, limit)
    return body


def _gunzip(body, limit):
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise BadRequest(f"malformed gzip body: {exc}") from None
    if len(out) > limit:
        raise PayloadTooLarge(f"the decompressed request body is over the {limit}-byte limit")
    if not inflater.eof or inflater.unconsumed_tail:
        raise BadRequest("malformed gzip body: truncated")
    if inflater.unused_data:
        # a second gzip member is legal but rare; refuse it rather than decode half
        raise BadRequest("malformed gzip body: data after the end of the gzip stream")
    return out


def decode(body: bytes, content_type: str):
    """Decode a request body into `(array, envelope)`.

    `envelope` is the JSON key the rows came under (`"instances"`, `"inputs"`)
    or None; the default encoder uses it to answer in the same convention.

    Raises:
        UnsupportedMediaType: for a content type without a decoder.
        BadRequest: for a body that does not decode to a numeric array.
    """
    kind = media_type(content_type) if content_type else JSON
    if not body:
        raise BadRequest("the request body is empty; send the rows to predict")
    if kind == JSON:
        return decode_json(body)
    if kind == CSV:
        return decode_csv(body), None
    if kind == NPY:
        return decode_npy(body), None
    if kind == LIBSVM:
        return decode_libsvm(body), None
    raise UnsupportedMediaType(f"unsupported content type {content_type!r}; send one of {', '.join(DECODABLE)}")


def decode_json(body):
    try:
        doc = json.loads(body)
    except UnicodeDecodeError:
        raise BadRequest("malformed JSON: the body is not UTF-8 text") from None
    except ValueError as exc:
        raise BadRequest(f"malformed JSON: {exc}") from None
    except RecursionError:
        raise BadRequest("malformed JSON: nested too deeply") from None
    envelope = None
    if isinstance(doc, dict):
        for key in ENVELOPES:
            if key in doc:
                envelope, doc = key, doc[key]
                break
        else:
            raise BadRequest('expected a JSON list of rows, or an object with "instances" or "inputs"')
    return to_array(doc, where=f'"{envelope}"' if envelope else "the JSON body"), envelope


class Records(list):
    """Rows given as JSON objects (feature name -> value); the handler orders
    them by the model's `feature_names_in_`."""


def to_array(rows, where="the body"):
    """Turn parsed JSON into a float64 array; `null` becomes NaN."""
    if not isinstance(rows, list):
        raise BadRequest(f"{where} must be a list of rows, got {type(rows).__name__}")
    if not rows:
        raise BadRequest(f"{where} has no rows to predict")
    if isinstance(rows[0], dict):
        if not all(isinstance(row, dict) for row in rows):
            raise BadRequest(f"{where} mixes rows given as objects with other rows")
        return Records(rows)
    return float_rows(rows, where)


# what numpy raises for values it cannot make floats of: OverflowError for
# integers beyond float range (a JSON number of 400 digits)
CONVERSION_ERRORS = (ValueError, TypeError, OverflowError)


def float_rows(rows, where="the body"):
    """`rows` as a float64 array; a value that is not a number is a 400 naming its row."""
    try:
        return np.asarray(rows, dtype=np.float64)
    except CONVERSION_ERRORS as exc:
        raise BadRequest(_conversion_message(rows, where, exc)) from None


def _conversion_message(rows, where, exc):
    text = str(exc)
    if "inhomogeneous" in text or "sequence" in text:
        return (
            f"{where} must hold rows of numbers of equal length: "
            "rows have different lengths or mix numbers and lists"
        )
    row = _first_bad_row(rows)
    place = where if row is None else f"{where}, row {row}"
    if isinstance(exc, OverflowError):
        return f"{place}: a number is too large (beyond the float range)"
    if "could not convert" in text:
        return f"{place}: " + text.replace("could not convert string to float", "not a number")
    return f"{place}: values must be numbers (or null for a missing value)"


def _first_bad_row(rows):
    for i, row in enumerate(rows):
        try:
            np.asarray(row, dtype=np.float64)
        except CONVERSION_ERRORS:
            return i
    return None


def decode_csv(body):
    try:
        # a byte-order mark is dropped, as json.loads drops it from a JSON body
        text = body.decode("utf-8-sig") if isinstance(body, (bytes, bytearray)) else body.removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise BadRequest("malformed CSV: the body is not UTF-8 text") from None
    if "\x00" in text:
        raise BadRequest("malformed CSV: the body contains NUL bytes")
    rows = []
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


def decode_npy(body):
    try:
        array = np.load(io.BytesIO(body), allow_pickle=False)
    except Exception as exc:  # numpy raises ValueError, EOFError, OSError... for garbage
        raise BadRequest(f"malformed NPY: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if not isinstance(array, np.ndarray):
        raise BadRequest("malformed NPY: expected a single .npy array, not an .npz archive")
    if array.dtype.kind not in "biuf":
        raise BadRequest(f"NPY array must be numeric, got dtype {array.dtype}")
    return array


def is_sparse(data) -> bool:
    return type(data).__module__.startswith("scipy.sparse")


def decode_libsvm(body):
    """LIBSVM rows (`label index:value ...`, the label optional) as a CSR matrix.

    Indices are shifted to start at 0 when the smallest one is 1 or more, as
    SageMaker's XGBoost does; a missing index is a missing value, not 0.
    """
    from scipy.sparse import csr_matrix

    try:
        text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body
    except UnicodeDecodeError:
        raise BadRequest("malformed LIBSVM: the body is not UTF-8 text") from None
    rows, cols, values = [], [], []
    n_rows = 0
    for line_no, line in enumerate(text.strip().split("\n"), start=1):
        for token in line.split():
            if ":" not in token:
                continue  # the label
            index, _, value = token.partition(":")
            try:
                col, number = int(index), float(value)
            except ValueError:
                raise BadRequest(f"malformed LIBSVM: line {line_no}: {token[:40]!r} is not index:value") from None
            if col < 0 or not math.isfinite(number):
                raise BadRequest(
                    f"malformed LIBSVM: line {line_no}: {token[:40]!r} is not index:value "
                    "with a non-negative index and a finite value"
                )
            rows.append(n_rows)
            cols.append(col)
            values.append(number)
        n_rows += 1
    if not cols:
        raise BadRequest("the LIBSVM body has no index:value pairs to predict")
    shift = 1 if min(cols) >= 1 else 0
    cols = [c - shift for c in cols]
    return csr_matrix((np.asarray(values, dtype=np.float64), (rows, cols)), shape=(n_rows, max(cols) + 1))


# -- encoding ---------------------------------------------------------------


def _plain(value):
    """Numpy values -> JSON-able Python values; NaN/inf become null."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            value = np.where(np.isfinite(value), value, None)
        return value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def encode(prediction, accept: str, envelope=None) -> bytes:
    """Encode a prediction as `accept` (one of SUPPORTED)."""
    if accept == JSON:
        data = _plain(prediction)
        if envelope in ENVELOPES:
            data = {ENVELOPES[envelope]: data}
        return json.dumps(data, separators=(",", ":")).encode()
    if accept == CSV:
        return encode_csv(prediction)
    if accept == NPY:
        return encode_npy(prediction)
    raise NotAcceptable(f"cannot produce {accept!r}; supported: {', '.join(SUPPORTED)}")


def encode_csv(prediction) -> bytes:
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


def encode_npy(prediction) -> bytes:
    array = np.asarray(prediction)
    if array.dtype.kind == "O":
        # string class labels come back as object arrays; store them as unicode
        array = np.asarray(array.tolist())
        if array.dtype.kind == "O":
            raise NotAcceptable("this prediction cannot be encoded as application/x-npy; ask for application/json")
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()
