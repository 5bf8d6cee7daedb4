"""`application/jsonlines` (also `application/json-lines`, `jsonlines`): one JSON object per line.

A type beyond the contract that only the built-in XGBoost algorithm answers in,
one object of its own shape per row, so it has no default encoder.
"""

import json
from typing import Any, Iterable

from .base import Codec

MEDIA_TYPE = "application/jsonlines"


def dump_lines(objects: Iterable[Any]) -> bytes:
    """Each object as one line of JSON, each line ending with a newline."""
    return "".join(json.dumps(entry) + "\n" for entry in objects).encode()


CODEC = Codec("jsonlines", MEDIA_TYPE, aliases=("jsonlines", "application/json-lines"))
