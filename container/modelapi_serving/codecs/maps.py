"""The decoder map and the encoder map, keyed by media type, built from the codec modules.

`CODECS` lists each module's codec once; everything else here is derived from
it and from the contract, by name, never by position. The default pipeline
answers the contract's response types that have an encoder; a contract type
without a codec module is refused (415 as a request, 406 in `Accept`) rather
than breaking the server.
"""

from typing import Any, Dict, Optional, Tuple

from .. import contract
from ..errors import BadRequest, NotAcceptable, UnsupportedMediaType
from ..http import negotiation
from . import csv, json, jsonlines, libsvm, npy, npz, recordio
from .base import ArchiveDecoder, Codec, Decoded, Decoder, Encoder

CODECS: Tuple[Codec, ...] = (
    json.CODEC,
    csv.CODEC,
    npy.CODEC,
    libsvm.CODEC,
    jsonlines.CODEC,
    recordio.CODEC,
    npz.CODEC,
)

DECODERS: Dict[str, Decoder] = {codec.media_type: codec.decode for codec in CODECS if codec.decode is not None}
ARCHIVE_DECODERS: Dict[str, ArchiveDecoder] = {
    codec.media_type: codec.decode_within for codec in CODECS if codec.decode_within is not None
}
ENCODERS: Dict[str, Encoder] = {codec.media_type: codec.encode for codec in CODECS if codec.encode is not None}
ALIASES: Dict[str, str] = {alias: codec.media_type for codec in CODECS for alias in codec.aliases}
TEXT_TYPES: Tuple[str, ...] = tuple(codec.media_type for codec in CODECS if codec.text)

# What the default pipeline answers: the contract's response types, in its order, that have an encoder.
RESPONSE_TYPES: Tuple[str, ...] = tuple(t for t in contract.RESPONSE_CONTENT_TYPES if t in ENCODERS)
DEFAULT_TYPE = contract.DEFAULT_CONTENT_TYPE
DEFAULT_LIMIT = contract.MAX_PAYLOAD_BYTES["realtime"]  # the body limit when the server is not told another


def media_type(header: str) -> str:
    """`'Application/JSON; charset=utf-8'` -> `'application/json'`; `'csv'` -> `'text/csv'`."""
    return negotiation.media_type(header, ALIASES)


def decode(body: bytes, content_type: str, limit: int = DEFAULT_LIMIT) -> Decoded:
    """Decode a request body into `(rows, envelope)` with the decoder its content type maps to.

    Args:
        limit: the most bytes an archive body (`.npz`) may unpack to: the body limit.

    Raises:
        UnsupportedMediaType: for a content type without a decoder.
        BadRequest: for a body that does not decode to numeric rows.
        PayloadTooLarge: for an archive that unpacks to more than `limit` bytes.
    """
    kind = media_type(content_type) if content_type else DEFAULT_TYPE
    if not body:
        raise BadRequest("the request body is empty; send the rows to predict")
    decoder = DECODERS.get(kind)
    if decoder is None:
        archive_decoder = ARCHIVE_DECODERS.get(kind)
        if archive_decoder is not None:
            return archive_decoder(body, limit)
        raise UnsupportedMediaType(
            f"unsupported content type {content_type!r}; send one of {', '.join([*DECODERS, *ARCHIVE_DECODERS])}"
        )
    return decoder(body)


def encode(prediction: Any, accept: str, envelope: Optional[str] = None) -> bytes:
    """Encode a prediction as `accept`, one of `RESPONSE_TYPES`."""
    if accept not in RESPONSE_TYPES:
        raise NotAcceptable(f"cannot produce {accept!r}; supported: {', '.join(RESPONSE_TYPES)}")
    return ENCODERS[accept](prediction, envelope)
