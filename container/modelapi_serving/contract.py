"""The data path's contract as the server sees it, read once from `contract.json`.

The JSON is generated from the TypeScript contract (`contract/` at the
repository root) that the Lambda and the component share, so content types
and payload limits have one home. A test in the TypeScript suite keeps the
file in step with it.
"""

import json
import os
from typing import Any, Dict, Tuple

_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "contract.json")

with open(_PATH, encoding="utf-8") as _file:
    _DATA = json.load(_file)

# Content types keyed by name ("json", "csv", "npy", ...): each entry has its media type and whether the
# server decodes it (`request`), encodes it (`response`), and whether API Gateway carries it as binary.
CONTENT_TYPES: Dict[str, Dict[str, Any]] = {name: dict(spec) for name, spec in _DATA["contentTypes"].items()}


def media_type_of(name: str) -> str:
    """The media type of the contract's content type called `name` (a KeyError names a missing row)."""
    return str(CONTENT_TYPES[name]["mediaType"])


REQUEST_CONTENT_TYPES: Tuple[str, ...] = tuple(spec["mediaType"] for spec in CONTENT_TYPES.values() if spec["request"])
RESPONSE_CONTENT_TYPES: Tuple[str, ...] = tuple(
    spec["mediaType"] for spec in CONTENT_TYPES.values() if spec["response"]
)
DEFAULT_CONTENT_TYPE = media_type_of(_DATA["defaultContentType"])
BINARY_MEDIA_TYPES: Tuple[str, ...] = tuple(spec["mediaType"] for spec in CONTENT_TYPES.values() if spec["binary"])
# InvokeEndpoint's payload limit per endpoint kind ("realtime", "serverless").
MAX_PAYLOAD_BYTES = dict(_DATA["maxPayloadBytes"])
# InvokeEndpoint's CustomAttributes travel in this header (lower case), at most this many characters.
CUSTOM_ATTRIBUTES_HEADER: str = _DATA["customAttributesHeader"]
CUSTOM_ATTRIBUTES_MAX_LENGTH = int(_DATA["customAttributesMaxLength"])
