"""Content negotiation and codecs, in-process."""

import io

import numpy as np
import pytest

from modelapi_serving import codecs
from modelapi_serving.errors import BadRequest, NotAcceptable, UnsupportedMediaType


@pytest.mark.parametrize("header, want", [
    ("", "application/json"),
    ("*/*", "application/json"),
    ("text/csv", "text/csv"),
    ("TEXT/CSV; charset=utf-8", "text/csv"),
    ("application/xml, text/csv;q=0.2", "text/csv"),
    ("text/*", "text/csv"),
    ("application/x-npy;q=0.1, application/json;q=0.8", "application/json"),
    ("text/csv;q=0, */*;q=0.1", "application/json"),
])
def test_choose_accept(header, want):
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
    array, envelope = codecs.decode(b'[1, 2]', "")
    assert envelope is None and array.tolist() == [1.0, 2.0]


def test_decode_unknown_type():
    with pytest.raises(UnsupportedMediaType):
        codecs.decode(b"x", "application/xml")


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
