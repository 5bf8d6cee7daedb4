"""`text/libsvm` (also `text/x-libsvm`, `application/x-libsvm`, `libsvm`): sparse rows as
SageMaker's XGBoost takes them, `label index:value ...` per line, the label optional.

A type beyond the contract: it reaches the server when an endpoint is invoked directly.
"""

import math
from typing import Any, List, Union

import numpy as np

from ..errors import BadRequest
from .base import Codec, Decoded

MEDIA_TYPE = "text/libsvm"


def read_matrix(body: Union[bytes, str]) -> Any:
    """LIBSVM rows as a CSR matrix.

    Indices are shifted to start at 0 when the smallest one is 1 or more, as
    SageMaker's XGBoost does; a missing index is a missing value, not 0.
    """
    from scipy.sparse import csr_matrix

    try:
        text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body
    except UnicodeDecodeError:
        raise BadRequest("malformed LIBSVM: the body is not UTF-8 text") from None
    rows: List[int] = []
    cols: List[int] = []
    values: List[float] = []
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


def decode(body: bytes) -> Decoded:
    return read_matrix(body), None


CODEC = Codec("libsvm", MEDIA_TYPE, aliases=("libsvm", "text/x-libsvm", "application/x-libsvm"), decode=decode)
