"""The data path's contract as the server sees it, read once from `contract.json`.

The JSON is generated from the TypeScript contract (`contract/` at the
repository root) that the Lambda and the component share, so content types
and payload limits have one home. A test in the TypeScript suite keeps the
file in step with it.
"""

import json
import os

_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "contract.json")

with open(_PATH, encoding="utf-8") as _file:
    _DATA = json.load(_file)

REQUEST_CONTENT_TYPES = tuple(_DATA["requestContentTypes"])
RESPONSE_CONTENT_TYPES = tuple(_DATA["responseContentTypes"])
DEFAULT_CONTENT_TYPE = _DATA["defaultContentType"]
BINARY_MEDIA_TYPES = tuple(_DATA["binaryMediaTypes"])
# InvokeEndpoint's payload limit per endpoint kind ("realtime", "serverless").
MAX_PAYLOAD_BYTES = dict(_DATA["maxPayloadBytes"])
CUSTOM_ATTRIBUTES_HEADER = _DATA["customAttributesHeader"]
