"""Content-Encoding: gzip bodies are decoded within the body limit, other codings are refused."""

import gzip
import socket

import pytest

from conftest import body_json
from http_harness import ROW, predict_request, recv_response
from modelapi_serving.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from modelapi_serving.http.content_encoding import decode_content_encoding


def test_gzip_content_encoding_is_decoded():
    assert decode_content_encoding(gzip.compress(b"[[1,2]]"), "gzip", 100) == b"[[1,2]]"
    assert decode_content_encoding(gzip.compress(b"[[1,2]]"), "X-GZIP", 100) == b"[[1,2]]"
    assert decode_content_encoding(b"[[1,2]]", "identity", 100) == b"[[1,2]]"
    twice = gzip.compress(gzip.compress(b"[[1,2]]"))
    assert decode_content_encoding(twice, "gzip, gzip", 100) == b"[[1,2]]"


def test_gzip_is_decoded_within_the_body_limit():
    bomb = gzip.compress(b"0" * 10_000_000)  # ~10 kB that would become 10 MB
    with pytest.raises(PayloadTooLarge, match="1000-byte limit"):
        decode_content_encoding(bomb, "gzip", 1000)
    assert decode_content_encoding(gzip.compress(b"x" * 1000), "gzip", 1000) == b"x" * 1000


@pytest.mark.parametrize(
    "body, encoding, error",
    [
        (b"[[1,2]]", "gzip", BadRequest),  # not gzip at all
        (b"\x1f\x8b\x08\x00", "gzip", BadRequest),  # truncated
        (b"[[1,2]]", "br", UnsupportedMediaType),
        (b"[[1,2]]", "deflate", UnsupportedMediaType),
        (b"[[1,2]]", "gzip, compress", UnsupportedMediaType),
    ],
)
def test_a_content_encoding_that_cannot_be_decoded_is_never_ignored(body, encoding, error):
    with pytest.raises(error):
        decode_content_encoding(body, encoding, 100)


# -- against the server ------------------------------------------------------------


def test_a_gzip_body_is_decoded(iris_server):
    status, _, body = iris_server.request(
        "POST", "/invocations", gzip.compress(ROW), {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    )
    assert (status, body) == (200, b"[0]")


@pytest.mark.parametrize(
    "encoding, body, status, words",
    [
        ("gzip", ROW, 400, "gzip"),  # labelled gzip but plain: never ignored
        ("br", ROW, 415, "Content-Encoding"),
        ("gzip, zstd", ROW, 415, "zstd"),
        ("gzip", gzip.compress(b"[" * (200 * 1024), mtime=0), 413, "decompressed"),  # 200 KiB from ~400 bytes
    ],
    ids=["plain body labelled gzip", "br", "gzip then zstd", "gzip bomb over the 64 KiB limit"],
)
def test_content_encodings_that_cannot_be_decoded_are_refused(iris_server, encoding, body, status, words):
    with socket.create_connection(("127.0.0.1", iris_server.port), timeout=5) as s:
        s.sendall(predict_request(body, b"Content-Encoding: " + encoding.encode() + b"\r\n"))
        reply = recv_response(s)
        assert reply.startswith(b"HTTP/1.1 %d " % status), reply
        assert words in body_json(reply.split(b"\r\n\r\n", 1)[1])["message"]
        s.sendall(predict_request())  # the framing was fine: the connection stays usable
        assert recv_response(s).endswith(b"[0]")
