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


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.uint8, np.bool_])
@pytest.mark.parametrize("order", ["C", "F"])
def test_a_large_array_decodes_to_the_same_values_dtype_and_shape(dtype, order):
    array = np.asarray(np.random.default_rng(2).random((200_000, 4)) * 100, order=order).astype(dtype, order=order)
    buf = io.BytesIO()
    np.save(buf, array)
    decoded, envelope = codecs.decode(buf.getvalue(), "application/x-npy")
    assert envelope is None and decoded.dtype == array.dtype and decoded.shape == array.shape
    assert np.array_equal(decoded, array)


def test_a_large_array_cut_short_is_a_400():
    buf = io.BytesIO()
    np.save(buf, np.zeros((200_000, 4)))
    with pytest.raises(BadRequest, match="malformed NPY"):
        codecs.decode(buf.getvalue()[:-8], "application/x-npy")


def test_a_large_answer_round_trips_through_npy():
    prediction = np.random.default_rng(3).random((200_000, 3))
    assert np.array_equal(np.load(io.BytesIO(codecs.encode(prediction, "application/x-npy"))), prediction)
