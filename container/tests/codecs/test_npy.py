"""application/x-npy: numeric arrays only, never unpickled."""

import io

import numpy as np
import pytest

from modelapi_serving import codecs
from modelapi_serving.errors import BadRequest


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


def test_encode_npy():
    out = codecs.encode(np.array([[0.25, 0.75]]), "application/x-npy")
    assert np.load(io.BytesIO(out), allow_pickle=False).tolist() == [[0.25, 0.75]]
