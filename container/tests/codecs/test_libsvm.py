"""text/libsvm: sparse rows, the label optional, indices from 1 shifted to 0, absent ones missing."""

import numpy as np
import pytest

from modelapi_serving import codecs
from modelapi_serving.errors import BadRequest


def test_rows_become_a_sparse_matrix_with_indices_from_zero():
    matrix, envelope = codecs.decode(b"1 1:0.5 3:2\n4:1.5\n", "text/libsvm")
    assert envelope is None and codecs.is_sparse(matrix)
    assert matrix.shape == (2, 4)
    assert matrix.toarray().tolist() == [[0.5, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 1.5]]
    assert matrix.nnz == 3  # the absent indices are not stored: missing, not zero


def test_indices_from_zero_stay_where_they_are():
    matrix = codecs.libsvm.read_matrix("0:1 2:3")
    assert matrix.toarray().tolist() == [[1.0, 0.0, 3.0]]


@pytest.mark.parametrize(
    "body, words",
    [
        (b"1 a:1", "line 1: 'a:1' is not index:value"),
        (b"1 1:2\n1 -1:2", "line 2: '-1:2' is not index:value with a non-negative index"),
        (b"1 1:inf", "with a non-negative index and a finite value"),
        (b"1 2 3", "no index:value pairs"),
        (b"\xff1:2", "not UTF-8"),
    ],
)
def test_a_malformed_body_is_a_400_naming_the_line(body, words):
    with pytest.raises(BadRequest) as caught:
        codecs.decode(body, "libsvm")
    assert words in caught.value.message


def test_its_aliases_name_it():
    for alias in ("libsvm", "text/x-libsvm", "application/x-libsvm"):
        assert codecs.media_type(alias) == "text/libsvm"
    assert np.array_equal(codecs.decode(b"1:1", "text/x-libsvm")[0].toarray(), [[1.0]])
