"""The grammar's expressions on the RFC's own examples and on what they must refuse."""

import pytest

from modelapi_serving.http import abnf


@pytest.mark.parametrize("line", [b"GET /ping HTTP/1.1", b"OPTIONS * HTTP/1.0", b"POST /m/a%20b?x=1&y HTTP/1.1"])
def test_request_lines_in_origin_and_asterisk_form(line):
    assert abnf.REQUEST_LINE.fullmatch(line)


@pytest.mark.parametrize(
    "line",
    [
        b"GET  /ping HTTP/1.1",
        b"GET http://a/ping HTTP/1.1",
        b"GET /p\xe9 HTTP/1.1",
        b"G(T / HTTP/1.1",
        b"GET / HTTP/2.0",
    ],
)
def test_request_lines_outside_the_grammar(line):
    assert not abnf.REQUEST_LINE.fullmatch(line)


def test_field_lines_have_no_space_before_the_colon_and_values_no_controls():
    assert abnf.FIELD_LINE.fullmatch(b"Content-Type: text/csv").groups() == (b"Content-Type", b" text/csv")
    assert not abnf.FIELD_LINE.fullmatch(b"Content-Type : text/csv")
    assert not abnf.FIELD_LINE.fullmatch(b" folded")
    assert abnf.FIELD_VALUE_FORBIDDEN.search(b"a\rb") and abnf.FIELD_VALUE_FORBIDDEN.search(b"a\x7f")
    assert not abnf.FIELD_VALUE_FORBIDDEN.search(b"a\tb caf\xe9")


@pytest.mark.parametrize("line", [b"1a", b"0", b"5;name", b'5; a = b ;c="q \\" d"', b"ffffffffffffffff"])
def test_chunk_lines_in_the_grammar(line):
    assert abnf.CHUNK_LINE.fullmatch(line)


@pytest.mark.parametrize("line", [b"5 ;name", b"5\t;name", b"5 ", b"5;", b"5;a=", b"1" * 17, b"-5", b'5;a="x'])
def test_chunk_lines_outside_the_grammar(line):
    assert not abnf.CHUNK_LINE.fullmatch(line)
