"""Undoing a request's `Content-Encoding` (RFC 9110 8.4) before the app sees the body."""

import zlib

from ..errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

CONTENT_CODINGS = ("gzip", "x-gzip", "identity")


def decode_content_encoding(body: bytes, header: str, limit: int) -> bytes:
    """Undo a request's `Content-Encoding` (gzip), within the same size limit.

    The decoded size counts against `limit`, so a small compressed body cannot
    expand into a large one (a "zip bomb"): decompression stops past the limit.

    Raises:
        UnsupportedMediaType: for a coding other than gzip (or identity).
        BadRequest: for a body that is not valid gzip.
        PayloadTooLarge: when the decoded body is over `limit`.
    """
    codings = [c.strip(" \t").lower() for c in header.split(",") if c.strip(" \t")]
    for coding in codings:
        if coding not in CONTENT_CODINGS:
            raise UnsupportedMediaType(
                f"unsupported Content-Encoding {coding!r}; send the body uncompressed or gzip-compressed"
            )
    if not body:
        return body
    for coding in reversed(codings):  # the last coding listed was applied last
        if coding != "identity":
            body = _gunzip(body, limit)
    return body


def _gunzip(body: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise BadRequest(f"malformed gzip body: {exc}") from None
    if len(out) > limit:
        raise PayloadTooLarge(f"the decompressed request body is over the {limit}-byte limit")
    if not inflater.eof or inflater.unconsumed_tail:
        raise BadRequest("malformed gzip body: truncated")
    if inflater.unused_data:
        # a second gzip member is legal but rare; refuse it rather than decode half
        raise BadRequest("malformed gzip body: data after the end of the gzip stream")
    return out
