"""Decoders and encoders, one module per content type, found through two maps keyed by media type.

Requests: `application/json`, `text/csv`, `application/x-npy` (never unpickled),
`text/libsvm` (sparse rows, as SageMaker's XGBoost takes them),
`application/x-recordio-protobuf` (SageMaker's algorithms' records) and
`application/x-npz` (a scipy.sparse matrix, as AWS's inference toolkit takes it).
Responses: JSON, CSV and NPY, chosen by the `Accept` header (`http.negotiation`).
The bare names `csv`, `json` and `libsvm` and the alias `text/x-libsvm` are
accepted too, as AWS's containers accept them.

Adding a content type: a row in the contract (`contract/media.ts`, exported to
`contract.json`) and a module here whose `CODEC` is listed in `maps.CODECS`.
A contract row without a module is answered 415 (request) and 406 (`Accept`).
"""

from . import csv, json, jsonlines, libsvm, npy, npz, recordio
from .arrays import Records, float_rows, is_sparse, to_array
from .base import Codec, Decoded
from .maps import (
    ALIASES,
    ARCHIVE_DECODERS,
    CODECS,
    DECODERS,
    DEFAULT_LIMIT,
    DEFAULT_TYPE,
    ENCODERS,
    RESPONSE_TYPES,
    TEXT_TYPES,
    decode,
    encode,
    media_type,
)

JSON = json.MEDIA_TYPE
CSV = csv.MEDIA_TYPE
NPY = npy.MEDIA_TYPE
LIBSVM = libsvm.MEDIA_TYPE
JSONLINES = jsonlines.MEDIA_TYPE
RECORDIO = recordio.MEDIA_TYPE
NPZ = npz.MEDIA_TYPE

__all__ = [
    "ALIASES",
    "ARCHIVE_DECODERS",
    "CODECS",
    "CSV",
    "Codec",
    "DECODERS",
    "DEFAULT_LIMIT",
    "DEFAULT_TYPE",
    "Decoded",
    "ENCODERS",
    "JSON",
    "JSONLINES",
    "LIBSVM",
    "NPY",
    "NPZ",
    "RECORDIO",
    "RESPONSE_TYPES",
    "Records",
    "TEXT_TYPES",
    "csv",
    "decode",
    "encode",
    "float_rows",
    "is_sparse",
    "json",
    "jsonlines",
    "libsvm",
    "media_type",
    "npy",
    "npz",
    "recordio",
    "to_array",
]
