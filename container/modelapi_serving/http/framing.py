"""A request's head (RFC 9112 2-6): its request line and fields, the body length they give,
and the error a request that cannot be read raises, with the bounds that keep reading it cheap.
"""

from typing import Dict, Set, Tuple

from . import abnf

MAX_HEAD = 64 * 1024  # request line + headers, and separately the trailers
MAX_LENGTH_DIGITS = 18  # Content-Length: anything longer is over any body limit
CHUNKED = -1  # the body length of a chunked request


class ParseError(Exception):
    """A request that cannot be read: answered with `status`, then the connection closes."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def parse_field(line: bytes) -> Tuple[str, str]:
    """One header or trailer line -> (lower-case name, value as latin-1 text)."""
    match = abnf.FIELD_LINE.fullmatch(line)
    if match is None:
        raise ParseError(400, "malformed header line")
    value = match.group(2).strip(b" \t")
    if abnf.FIELD_VALUE_FORBIDDEN.search(value) is not None:
        raise ParseError(400, "malformed header value")
    return match.group(1).decode("ascii").lower(), value.decode("latin-1")


def parse_head(head: bytes) -> Tuple[str, str, bool, Dict[str, str]]:
    """Parse the request line and headers (without the final CRLFCRLF).

    Returns:
        (method, target, http11: bool, headers: dict of lower-case name -> value)
    """
    lines = head.split(b"\r\n")
    match = abnf.REQUEST_LINE.fullmatch(lines[0])
    if match is None:
        parts = lines[0].split(b" ")
        if len(parts) == 3 and parts[2].startswith(b"HTTP/") and parts[2] not in (b"HTTP/1.0", b"HTTP/1.1"):
            raise ParseError(505, "only HTTP/1.0 and HTTP/1.1 are supported")
        raise ParseError(400, "malformed request line")
    method, target, minor = match.groups()
    headers: Dict[str, str] = {}
    field_line, forbidden = abnf.FIELD_LINE.fullmatch, abnf.FIELD_VALUE_FORBIDDEN.search
    for line in lines[1:]:
        # parse_field, inlined: this loop runs for every header of every request
        match = field_line(line)
        if match is None:
            raise ParseError(400, "malformed header line")
        value = match.group(2).strip(b" \t")
        if forbidden(value) is not None:
            raise ParseError(400, "malformed header value")
        key = match.group(1).decode("ascii").lower()
        text = value.decode("latin-1")
        if key in headers:
            if key == "content-length":
                if headers[key] != text:
                    raise ParseError(400, "conflicting Content-Length headers")
                continue
            if key == "host":
                raise ParseError(400, "more than one Host header")
            headers[key] = headers[key] + ", " + text
        else:
            headers[key] = text
    http11 = minor == b"1"
    if http11 and "host" not in headers:
        raise ParseError(400, "an HTTP/1.1 request needs a Host header")
    return method.decode("ascii"), target.decode("latin-1"), http11, headers


def body_length(http11: bool, headers: Dict[str, str]) -> int:
    """The body's length from the headers (RFC 9112 6.3): `CHUNKED` for chunked.

    Raises:
        ParseError: when the framing is invalid or uses a coding other than chunked.
    """
    te = headers.get("transfer-encoding")
    cl = headers.get("content-length")
    if te is not None:
        if cl is not None:
            raise ParseError(400, "a request cannot have both Content-Length and Transfer-Encoding")
        if not http11:
            raise ParseError(400, "Transfer-Encoding is not allowed in an HTTP/1.0 request")
        codings = [coding.strip(" \t").lower() for coding in te.split(",")]
        if not all(abnf.TOKEN_RE.fullmatch(coding) for coding in codings):
            raise ParseError(400, "malformed Transfer-Encoding")
        if codings[-1] != "chunked" or codings.count("chunked") > 1:
            raise ParseError(400, "chunked must be the final transfer coding, applied once")
        if len(codings) > 1:
            raise ParseError(501, "only the chunked transfer coding is supported")
        return CHUNKED
    if cl is not None:
        if len(cl) > MAX_LENGTH_DIGITS or not cl.isascii() or not cl.isdigit():
            raise ParseError(400, "invalid Content-Length")
        return int(cl)
    return 0


def connection_tokens(headers: Dict[str, str]) -> Set[str]:
    """The options of the `Connection` header (RFC 9110 7.6.1), lower-case."""
    return {token.strip(" \t").lower() for token in headers.get("connection", "").split(",")}
