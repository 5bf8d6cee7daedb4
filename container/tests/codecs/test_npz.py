"""`application/x-npz`: a scipy.sparse matrix as `scipy.sparse.save_npz` writes it, decoded as AWS's
inference toolkit decodes it (`decoder.py` `_npz_to_sparse`), never unpickling anything and never
unzipping past the body limit."""

import io
import os
import zipfile

import numpy as np
import pytest
import scipy.sparse

from modelapi_serving import codecs
from modelapi_serving.codecs import npz
from modelapi_serving.errors import BadRequest, PayloadTooLarge

DENSE = np.array([[0.0, 0.0, 3.0], [4.0, 0.0, 0.0]])


def saved(matrix, compressed=True):
    buffer = io.BytesIO()
    scipy.sparse.save_npz(buffer, matrix, compressed=compressed)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "kind",
    [
        scipy.sparse.csc_matrix,
        scipy.sparse.csr_matrix,
        scipy.sparse.coo_matrix,
        scipy.sparse.bsr_matrix,
        scipy.sparse.dia_matrix,
    ],
)
def test_every_format_save_npz_writes_decodes_to_the_same_matrix_as_csr(kind):
    # toolkit test_decoder.py::test_npz_to_sparse (csc, csr, coo), and the other two formats save_npz writes
    rows, envelope = codecs.decode(saved(kind(DENSE)), "application/x-npz", limit=1 << 20)
    assert envelope is None and rows.format == "csr" and rows.dtype == np.float64
    assert rows.toarray().tolist() == DENSE.tolist()


def test_a_plain_npz_archive_is_a_400_saying_it_is_not_a_sparse_matrix():
    buffer = io.BytesIO()
    np.savez(buffer, rows=DENSE)
    with pytest.raises(
        BadRequest, match="not a scipy.sparse matrix .* no 'format' array; send dense rows as application/x-npy"
    ):
        npz.read_matrix(buffer.getvalue(), 1 << 20)


def test_a_missing_index_array_is_a_400_naming_it():
    buffer = io.BytesIO()
    np.savez(
        buffer, format=np.array(b"csr"), shape=np.array([2, 3]), data=np.array([3.0, 4.0]), indptr=np.array([0, 1, 2])
    )
    with pytest.raises(BadRequest, match="a csr .npz needs a 'indices' array"):
        npz.read_matrix(buffer.getvalue(), 1 << 20)


class WritesAFile:
    """Unpickling this would create a file: the proof that nothing was unpickled is that it is absent."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_an_npz_with_pickled_objects_is_refused_without_unpickling_them(tmp_path):
    # the CWE-502 patches of AWS's images: a request never unpickles anything
    witness = tmp_path / "unpickled"
    buffer = io.BytesIO()
    np.savez(
        buffer,
        format=np.array(b"csr"),
        shape=np.array([1, 1]),
        data=np.array([WritesAFile(str(witness))], dtype=object),
        indices=np.array([0]),
        indptr=np.array([0, 1]),
    )
    with pytest.raises(BadRequest, match="data.npy holds Python objects; a request is never unpickled"):
        npz.read_matrix(buffer.getvalue(), 1 << 20)
    assert not witness.exists()


def test_an_npz_unzipping_past_the_body_limit_is_413_before_it_is_unzipped():
    zeros = np.zeros(200_000, dtype=np.int64)
    body = saved(scipy.sparse.coo_matrix((np.ones(200_000), (zeros, zeros)), shape=(1, 1)))
    assert len(body) < 20_000  # a small body...
    with pytest.raises(PayloadTooLarge, match=r"unzips to \d+ bytes, over the 100000-byte limit"):
        npz.read_matrix(body, 100_000)  # ...that would unzip to 4.8 MB
    assert npz.read_matrix(body, 5_000_000).toarray().tolist() == [[200_000.0]]


def test_a_member_declaring_more_data_than_it_holds_is_a_400():
    # its header claims a billion values, which numpy would allocate before reading the two it holds
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("format.npy", npy(np.array(b"csr")))
        archive.writestr("shape.npy", npy(np.array([1, 2])))
        archive.writestr("data.npy", header.getvalue() + np.array([3.0, 4.0]).tobytes())
        archive.writestr("indices.npy", npy(np.array([0, 1])))
        archive.writestr("indptr.npy", npy(np.array([0, 2])))
    with pytest.raises(BadRequest, match="data.npy declares more data than it holds"):
        npz.read_matrix(buffer.getvalue(), 1 << 20)


def npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "arrays, message",
    [
        ({"indices": np.array([0, 7]), "indptr": np.array([0, 1, 2])}, "do not form a matrix of shape \\[2, 3\\]"),
        ({"indices": np.array([2, 0]), "indptr": np.array([0, 2, 1])}, "do not form a matrix of shape \\[2, 3\\]"),
    ],
)
def test_index_arrays_that_do_not_fit_the_shape_are_a_400(arrays, message):
    # XGBoost trusts CSR indices: out-of-range ones must never reach it
    buffer = io.BytesIO()
    np.savez(buffer, format=np.array(b"csr"), shape=np.array([2, 3]), data=np.array([3.0, 4.0]), **arrays)
    with pytest.raises(BadRequest, match=message):
        npz.read_matrix(buffer.getvalue(), 1 << 20)


def test_a_body_that_is_not_a_zip_archive_is_a_400():
    with pytest.raises(BadRequest, match="^malformed NPZ: not a zip archive"):
        npz.read_matrix(os.urandom(64), 1 << 20)
