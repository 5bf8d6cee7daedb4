"""`application/json`: rows in, predictions out, in the envelope the request used.

A bare list in gives a bare list out (as AWS's prebuilt scikit-learn image),
`{"instances": ...}` gives `{"predictions": ...}` and `{"inputs": ...}` gives
`{"outputs": ...}` (as TensorFlow Serving). `null` is a missing value.
"""

import gc
import json
import math
from typing import Any, Optional

import numpy as np

from .. import contract
from ..errors import BadRequest
from .arrays import to_array
from .base import Codec, Decoded
from .integers import FEWEST, joined

NAME = "json"  # the contract's name for the type
MEDIA_TYPE = contract.media_type_of(NAME)
ENVELOPES = {"instances": "predictions", "inputs": "outputs"}


# Bodies from this size on are parsed with the garbage collector paused: json.loads makes a list per
# row, and every few hundred of them would start a collection that walks all the others (a third of
# the time for 200,000 rows). The lists hold only numbers, so no cycle is left uncollected.
PAUSE_COLLECTOR_FROM = 65536  # bytes


def decode(body: bytes) -> Decoded:
    """A JSON list of rows, or an object with `"instances"` or `"inputs"`, as rows and their envelope."""
    if len(body) >= PAUSE_COLLECTOR_FROM and gc.isenabled():
        return _decode_with_collector_paused(body)
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


def _decode_with_collector_paused(body: bytes) -> Decoded:
    gc.disable()
    try:
        return decode(body)
    finally:
        gc.enable()


def plain(value: Any) -> Any:
    """Numpy values -> JSON-able Python values; NaN/inf become null."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            finite = np.isfinite(value)
            if not finite.all():
                value = value.astype(object)
                value[~finite] = None
        return value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def encode(prediction: Any, envelope: Optional[str] = None) -> bytes:
    """Compact JSON, under the key that answers the request's envelope."""
    if (
        isinstance(prediction, np.ndarray)
        and prediction.size >= FEWEST
        and prediction.ndim == 1
        and prediction.dtype.kind in "iu"
    ):
        # class labels: the text json.dumps would write, laid out by numpy
        text = b"[" + joined(prediction, b",") + b"]"
        return b'{"%s":%s}' % (ENVELOPES[envelope].encode(), text) if envelope in ENVELOPES else text
    data = plain(prediction)
    if envelope in ENVELOPES:
        data = {ENVELOPES[envelope]: data}
    return json.dumps(data, separators=(",", ":")).encode()


CODEC = Codec(NAME, MEDIA_TYPE, aliases=("json",), text=True, decode=decode, encode=encode)
