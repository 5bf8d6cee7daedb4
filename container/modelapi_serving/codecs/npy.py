"""`application/x-npy`: one numeric `.npy` array, read with `allow_pickle=False`."""

import io
from typing import Any, Optional

import numpy as np

from .. import contract
from ..errors import BadRequest, NotAcceptable
from .base import Codec, Decoded

NAME = "npy"  # the contract's name for the type
MEDIA_TYPE = contract.media_type_of(NAME)


def decode(body: bytes) -> Decoded:
    """A numeric array; a request never unpickles anything."""
    try:
        array = np.load(io.BytesIO(body), allow_pickle=False)
    except Exception as exc:  # numpy raises ValueError, EOFError, OSError... for garbage
        raise BadRequest(f"malformed NPY: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if not isinstance(array, np.ndarray):
        raise BadRequest("malformed NPY: expected a single .npy array, not an .npz archive")
    if array.dtype.kind not in "biuf":
        raise BadRequest(f"NPY array must be numeric, got dtype {array.dtype}")
    return array, None


def encode(prediction: Any, envelope: Optional[str] = None) -> bytes:
    array = np.asarray(prediction)
    if array.dtype.kind == "O":
        # string class labels come back as object arrays; store them as unicode
        array = np.asarray(array.tolist())
        if array.dtype.kind == "O":
            raise NotAcceptable("this prediction cannot be encoded as application/x-npy; ask for application/json")
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


CODEC = Codec(NAME, MEDIA_TYPE, decode=decode, encode=encode)
