"""`application/x-recordio-protobuf` (also `recordio-protobuf`): rows as SageMaker's built-in
algorithms exchange them, one protobuf `Record` (`protobuf_record`) per row in RecordIO framing.

Framing, as aws/sagemaker-containers `_recordio.py` writes it: per record a little-endian uint32
magic 0xCED7230A, a uint32 payload length, the payload, zero padding to a multiple of 4 bytes.

Requests: each record's `features["values"]` tensor is a row, read as the XGBoost container
reads it (`recordio_protobuf.py`; its `test_encoder.py::test_recordio_protobuf_to_dmatrix`):
dense (`values`), or sparse (`keys`, the column of each value, and `shape`, the row's width),
a column a sparse row does not list being a missing value. The `label` map is ignored.
Answers: each row's values under `label` as float32 tensors, as AWS's built-in algorithms
answer (AWS doc "RCF Response Formats": `label = {'score': {values: [0.25]}}`).

A type beyond the contract: it reaches the server when an endpoint is invoked directly.
"""

import struct
from typing import Any, Iterable, Iterator, List, Mapping, Sequence, Tuple

import numpy as np

from ..errors import BadRequest
from .base import Codec, Decoded
from .protobuf_record import record_class

MEDIA_TYPE = "application/x-recordio-protobuf"
MAGIC = 0xCED7230A
HEADER = struct.Struct("<II")  # magic, payload length
MULTIPART_FLAGS = 0xE0000000  # MXNet RecordIO's continuation flags in the length word
TENSORS = ("float32_tensor", "float64_tensor", "int32_tensor")


def _malformed(message: str) -> BadRequest:
    return BadRequest(f"malformed RecordIO-protobuf: {message}")


def payloads(body: bytes) -> Iterator[bytes]:
    """Each record's payload, in order.

    Raises:
        BadRequest: naming the byte where the framing breaks.
    """
    offset, size = 0, len(body)
    while offset < size:
        if size - offset < HEADER.size:
            raise _malformed(f"{size - offset} stray bytes at byte {offset}, too few for a record header")
        magic, length = HEADER.unpack_from(body, offset)
        if magic != MAGIC:
            raise _malformed(f"no RecordIO magic number at byte {offset}")
        if length & MULTIPART_FLAGS:
            raise _malformed(f"the record at byte {offset} is split into parts, which is not supported")
        start = offset + HEADER.size
        if start + length > size:
            raise _malformed(f"the record at byte {offset} declares {length} bytes, {size - start} follow")
        yield body[start : start + length]
        # records are padded to 4 bytes; the last one may come without its padding
        offset = min(start + (length + 3) // 4 * 4, size)


def read_rows(body: bytes) -> Any:
    """The rows of a RecordIO-protobuf body: a float64 array when every row is dense, else a
    CSR matrix as wide as the widest row (a column a sparse row leaves out is a missing value).

    Raises:
        BadRequest: for broken framing, a payload that is not a `Record`, or a record without
            numeric `features["values"]`, naming the record.
    """
    record_type = record_class()
    dense: List[np.ndarray] = []  # the dense rows
    rows: List[Tuple[np.ndarray, np.ndarray, int]] = []  # every row as values, their columns, its width
    for index, payload in enumerate(payloads(body)):
        record = record_type()
        try:
            record.ParseFromString(payload)
        except Exception as exc:  # google.protobuf.message.DecodeError, whichever backend
            raise _malformed(f"record {index} is not a protobuf Record ({exc})") from None
        values, columns, width = _row(record, index)
        if columns is None:
            dense.append(values)
        rows.append((values, np.arange(len(values)) if columns is None else columns, width))
    if not rows:
        raise BadRequest("the RecordIO-protobuf body has no records to predict")
    if len(dense) == len(rows):
        widths = {len(row) for row in dense}
        if len(widths) > 1:
            first = len(dense[0])
            other = next(i for i, row in enumerate(dense) if len(row) != first)
            raise _malformed(f"record {other} has {len(dense[other])} values, record 0 has {first}")
        return np.vstack(dense)
    return _csr(rows)


def _row(record: Any, index: int) -> Tuple[np.ndarray, Any, int]:
    """One record's row: (values, columns or None for a dense row, width)."""
    if "values" not in record.features:
        raise _malformed(f'record {index} has no features["values"] tensor')
    value = record.features["values"]
    kind = value.WhichOneof("value")
    if kind not in TENSORS:
        raise _malformed(
            f'record {index}: features["values"] holds {kind or "nothing"}; '
            "expected a float32, float64 or int32 tensor"
        )
    tensor = getattr(value, kind)
    values = np.asarray(tensor.values, dtype=np.float64)
    keys, shape = list(tensor.keys), list(tensor.shape)
    if len(shape) > 1:
        raise _malformed(f"record {index} has shape {shape}; a row is one-dimensional")
    if not keys and (len(values) or not shape):
        if not len(values):
            raise _malformed(f"record {index} has no values")
        return values, None, len(values)
    # sparse: keys parallel to values; a row without either is all missing values, `shape` wide
    width = int(shape[0]) if shape else max(keys) + 1
    if len(keys) != len(values):
        raise _malformed(f"record {index} has {len(keys)} keys for {len(values)} values")
    if keys and max(keys) >= width:
        raise _malformed(f"record {index} has key {max(keys)}, beyond its shape {width}")
    return values, np.asarray(keys, dtype=np.int64), width


def _csr(rows: Sequence[Tuple[np.ndarray, np.ndarray, int]]) -> Any:
    from scipy.sparse import csr_matrix

    indptr = np.cumsum([0] + [len(values) for values, _, _ in rows])
    data = np.concatenate([values for values, _, _ in rows])
    indices = np.concatenate([columns for _, columns, _ in rows])
    width = max(width for _, _, width in rows)
    return csr_matrix((data, indices, indptr), shape=(len(rows), width))


def decode(body: bytes) -> Decoded:
    return read_rows(body), None


def frame(payload: bytes) -> bytes:
    """One record in RecordIO framing."""
    return HEADER.pack(MAGIC, len(payload)) + payload + b"\0" * (-len(payload) % 4)


def encode_labels(rows: Iterable[Mapping[str, Sequence[float]]]) -> bytes:
    """One record per row, each of the row's keys a float32 tensor in its `label` map."""
    record_type = record_class()
    out = []
    for row in rows:
        record = record_type()
        for key, values in row.items():
            record.label[key].float32_tensor.values.extend(values)
        out.append(frame(record.SerializeToString(deterministic=True)))  # same answer, same bytes
    return b"".join(out)


CODEC = Codec("recordio", MEDIA_TYPE, aliases=("recordio-protobuf",), decode=decode)
