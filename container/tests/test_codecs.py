"""Content negotiation and codecs, in-process."""

import io

import numpy as np
import pytest

from modelapi_serving import codecs
from modelapi_serving.errors import BadRequest, NotAcceptable, UnsupportedMediaType


@pytest.mark.parametrize(
    "header, want",
    [
        ("", "application/json"),
        ("*/*", "application/json"),
        ("text/csv", "text/csv"),
        ("TEXT/CSV; charset=utf-8", "text/csv"),
        ("application/xml, text/csv;q=0.2", "text/csv"),
        ("text/*", "text/csv"),
        ("application/x-npy;q=0.1, application/json;q=0.8", "application/json"),
        ("text/csv;q=0, */*;q=0.1", "application/json"),
    ],
)
def test_choose_accept(header, want):
    assert codecs.choose_accept(header, "application/json") == want


@pytest.mark.parametrize(
    "header, want",
    [
        ("text/csv, application/json", "text/csv"),
        ("application/json, text/csv", "application/json"),
        ("application/x-npy;q=0.5, text/csv;q=0.5", "application/x-npy"),
        ("text/csv;q=0.5, application/x-npy;q=0.5, application/json;q=0.4", "text/csv"),
    ],
)
def test_of_types_with_equal_quality_the_first_listed_wins(header, want):
    assert codecs.choose_accept(header, "application/json") == want


def test_choose_accept_refuses_what_it_cannot_produce():
    with pytest.raises(NotAcceptable):
        codecs.choose_accept("application/xml", "application/json")
    with pytest.raises(NotAcceptable):
        codecs.choose_accept("text/csv;q=0", "application/json")


def test_default_accept_can_be_csv():
    assert codecs.choose_accept("*/*", "text/csv") == "text/csv"


def test_decode_envelopes():
    array, envelope = codecs.decode(b'{"instances": [[1, 2]]}', "application/json")
    assert envelope == "instances" and array.tolist() == [[1.0, 2.0]]
    array, envelope = codecs.decode(b"[1, 2]", "")
    assert envelope is None and array.tolist() == [1.0, 2.0]


def test_decode_unknown_type():
    with pytest.raises(UnsupportedMediaType):
        codecs.decode(b"x", "application/xml")


def test_an_empty_csv_field_is_a_missing_value_not_zero():
    array, envelope = codecs.decode(b"1,,3\n,5,\n", "text/csv")
    assert envelope is None and array.shape == (2, 3)
    assert np.isnan(array[0, 1]) and np.isnan(array[1, 0]) and np.isnan(array[1, 2])
    assert array[0, 0] == 1.0 and array[0, 2] == 3.0 and array[1, 1] == 5.0
    assert np.isnan(codecs.decode_csv(" ,2\n")[0, 0])  # a field of spaces is empty too


def test_decode_npz_is_refused():
    buf = io.BytesIO()
    np.savez(buf, a=np.zeros(3))
    with pytest.raises(BadRequest, match="npz"):
        codecs.decode(buf.getvalue(), "application/x-npy")


def test_decode_npy_strings_are_refused():
    buf = io.BytesIO()
    np.save(buf, np.array(["a", "b"]))
    with pytest.raises(BadRequest, match="numeric"):
        codecs.decode(buf.getvalue(), "application/x-npy")


def test_deeply_nested_json_is_a_400():
    with pytest.raises(BadRequest):
        codecs.decode(b"[" * 100000 + b"]" * 100000, "application/json")


def test_encode_nan_as_null_and_2d_csv():
    assert codecs.encode(np.array([1.0, np.nan]), "application/json") == b"[1.0,null]"
    assert codecs.encode(np.array([[1, 2], [3, 4]]), "text/csv") == b"1,2\n3,4\n"
    assert codecs.encode(np.array(["a,b", "c"]), "text/csv") == b'"a,b"\nc\n'
    out = codecs.encode(np.array([[0.25, 0.75]]), "application/x-npy")
    assert np.load(io.BytesIO(out), allow_pickle=False).tolist() == [[0.25, 0.75]]


@pytest.mark.parametrize(
    "body, words",
    [
        (b"[[1" + b"0" * 400 + b", 3.5, 1.4, 0.2]]", ["row 0", "too large"]),  # OverflowError in numpy
        (b'{"instances": [[1, 2, 3, 4], [1, 2, "x", 4]]}', ['"instances", row 1', "'x'"]),
        (b"[[1, 2, 3, 4], [1, 2, [3], 4]]", ["different lengths"]),
        (b'[[1, 2, 3, 4], [1, 2, {"a": 1}, 4]]', ["row 1"]),
    ],
    ids=["400-digit number", "string", "ragged", "object"],
)
def test_every_numeric_conversion_error_is_a_400_naming_the_row(body, words):
    with pytest.raises(BadRequest) as caught:
        codecs.decode(body, "application/json")
    for word in words:
        assert word in caught.value.message


def test_object_rows_with_a_number_out_of_float_range_name_the_row():
    with pytest.raises(BadRequest, match="row 2: a number is too large"):
        codecs.float_rows([[1, 2], [3, 4], [10**400, 5]], "the rows")


def test_a_byte_order_mark_is_accepted_alike_in_json_and_csv():
    bom = "\ufeff".encode()
    json_rows, _ = codecs.decode(bom + b"[[1.5, 2], [3, 4]]", "application/json")
    csv_rows, _ = codecs.decode(bom + b"1.5,2\n3,4\n", "text/csv")
    assert json_rows.tolist() == csv_rows.tolist() == [[1.5, 2.0], [3.0, 4.0]]
    assert codecs.decode_csv("\ufeff1,2\n").tolist() == [[1.0, 2.0]]  # text from a user's input_fn too


def test_gzip_content_encoding_is_decoded():
    import gzip

    assert codecs.decode_content_encoding(gzip.compress(b"[[1,2]]"), "gzip", 100) == b"[[1,2]]"
    assert codecs.decode_content_encoding(gzip.compress(b"[[1,2]]"), "X-GZIP", 100) == b"[[1,2]]"
    assert codecs.decode_content_encoding(b"[[1,2]]", "identity", 100) == b"[[1,2]]"
    twice = gzip.compress(gzip.compress(b"[[1,2]]"))
    assert codecs.decode_content_encoding(twice, "gzip, gzip", 100) == b"[[1,2]]"


def test_gzip_is_decoded_within_the_body_limit():
    import gzip

    from modelapi_serving.errors import PayloadTooLarge

    bomb = gzip.compress(b"0" * 10_000_000)  # ~10 kB that would become 10 MB
    with pytest.raises(PayloadTooLarge, match="1000-byte limit"):
        codecs.decode_content_encoding(bomb, "gzip", 1000)
    assert codecs.decode_content_encoding(gzip.compress(b"x" * 1000), "gzip", 1000) == b"x" * 1000


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
        codecs.decode_content_encoding(body, encoding, 100)
