"""Rows of numbers from parsed request data, with a 400 naming the row that is not."""

import itertools
from typing import Any, List, Optional

import numpy as np

from ..errors import BadRequest


class Records(list):
    """Rows given as JSON objects (feature name -> value); the handler orders
    them by the model's `feature_names_in_`."""


def to_array(rows: Any, where: str = "the body") -> Any:
    """Turn parsed JSON into a float64 array (`null` becomes NaN), or `Records` for rows given as objects."""
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


def float_rows(rows: List[Any], where: str = "the body") -> np.ndarray:
    """`rows` as a float64 array; a value that is not a number is a 400 naming its row."""
    if len(rows) > 1:
        fast = _equal_rows(rows)
        if fast is not None:
            return fast
    try:
        return np.asarray(rows, dtype=np.float64)
    except CONVERSION_ERRORS as exc:
        raise BadRequest(_conversion_message(rows, where, exc)) from None


def _equal_rows(rows: List[Any]) -> Optional[np.ndarray]:
    """Lists of one length as a 2-D array, each value converted as `np.asarray` converts it but with
    no shape discovery (five times faster for many short rows); None for anything else or any doubt,
    which `np.asarray` then decides with its own errors."""
    if set(map(type, rows)) != {list}:
        return None
    widths = set(map(len, rows))
    if len(widths) != 1:
        return None
    width = widths.pop()
    if not width:
        return None
    try:
        values = np.fromiter(itertools.chain.from_iterable(rows), np.float64, len(rows) * width)
    except CONVERSION_ERRORS:
        return None
    return values.reshape(len(rows), width)


def _conversion_message(rows: List[Any], where: str, exc: Exception) -> str:
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


def _first_bad_row(rows: List[Any]) -> Any:
    for i, row in enumerate(rows):
        try:
            np.asarray(row, dtype=np.float64)
        except CONVERSION_ERRORS:
            return i
    return None


def is_sparse(data: Any) -> bool:
    """Whether `data` is a scipy sparse matrix (what `text/libsvm` decodes to)."""
    return type(data).__module__.startswith("scipy.sparse")
