"""`application/x-npz`: one sparse matrix as `scipy.sparse.save_npz` writes it (a zip of `.npy`
arrays: `format`, `shape`, `data` and the format's index arrays), decoded to CSR as AWS's
inference toolkit decodes it (`decoder.py` `_npz_to_sparse`, `scipy.sparse.load_npz`; its
`test_decoder.py::test_npz_to_sparse`), with two guards the toolkit leaves to numpy and zlib:
nothing is ever unpickled (the CWE-502 patches of AWS's images), and what the archive unzips to
counts against the body limit, so a small archive cannot expand into a large one.

A type beyond the contract: it reaches the server when an endpoint is invoked directly.
"""

import io
import math
import zipfile
from typing import Any, Dict

import numpy as np

from ..errors import BadRequest, PayloadTooLarge
from .base import Codec, Decoded

MEDIA_TYPE = "application/x-npz"
# the arrays each format of scipy.sparse.save_npz needs besides `format` and `shape`
FORMATS = {
    "csr": ("data", "indices", "indptr"),
    "csc": ("data", "indices", "indptr"),
    "bsr": ("data", "indices", "indptr"),
    "coo": ("data", "row", "col"),
    "dia": ("data", "offsets"),
}
NOT_SPARSE = (
    "the .npz is not a scipy.sparse matrix (as scipy.sparse.save_npz writes it): it has no {!r} array; "
    "send dense rows as application/x-npy"
)


def _malformed(message: str) -> BadRequest:
    return BadRequest(f"malformed NPZ: {message}")


def read_matrix(body: bytes, limit: int) -> Any:
    """The sparse matrix in an `.npz` body, as CSR float64.

    Args:
        limit: the most bytes the archive may unzip to (the body limit).

    Raises:
        PayloadTooLarge: the archive unzips to more than `limit` bytes.
        BadRequest: not a zip of numeric `.npy` arrays forming a 2-D scipy.sparse matrix.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _malformed(f"not a zip archive ({exc})") from None
    with archive:
        members = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}
        unzipped = sum(info.file_size for info in members.values())
        if unzipped > limit:
            raise PayloadTooLarge(f"the .npz unzips to {unzipped} bytes, over the {limit}-byte limit")
        if "format" not in members:
            raise BadRequest(NOT_SPARSE.format("format"))
        fmt = _text(_array(archive, members["format"]))
        if fmt not in FORMATS:
            raise _malformed(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
        arrays = {}
        for name in ("shape",) + FORMATS[fmt]:
            if name not in members:
                raise BadRequest(NOT_SPARSE.format(name) if name == "shape" else f"a {fmt} .npz needs a {name!r} array")
            arrays[name] = _array(archive, members[name])
    return _build(fmt, arrays)


def _array(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One member as an array, its declared size checked against its size before numpy allocates it."""
    fmt = np.lib.format
    try:
        with archive.open(info) as member:
            version = fmt.read_magic(member)
            if version not in ((1, 0), (2, 0)):
                raise _malformed(f"{info.filename} is a .npy of version {version}, not 1.0 or 2.0")
            read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
            shape, _, dtype = read_header(member)
            if dtype.hasobject:
                raise BadRequest(f"{info.filename} holds Python objects; a request is never unpickled")
            if math.prod(shape) * dtype.itemsize > info.file_size:
                raise _malformed(f"{info.filename} declares more data than it holds")
        with archive.open(info) as member:
            return fmt.read_array(member, allow_pickle=False)
    except BadRequest:
        raise
    except Exception as exc:  # zlib, zipfile and numpy raise several kinds for garbage
        raise _malformed(f"{info.filename}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def _text(array: np.ndarray) -> str:
    value = array.item() if array.size == 1 else None
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return str(value)


def _build(fmt: str, arrays: Dict[str, np.ndarray]) -> Any:
    import scipy.sparse

    shape = arrays["shape"]
    if shape.ndim != 1 or shape.size != 2 or shape.dtype.kind not in "iu" or (shape < 0).any():
        raise _malformed(f"shape {shape.tolist()} is not the shape of a 2-D matrix")
    data = arrays["data"]
    if data.dtype.kind not in "biuf":
        raise BadRequest(f"the .npz matrix must be numeric, got dtype {data.dtype}")
    size = (int(shape[0]), int(shape[1]))
    try:
        if fmt in ("csr", "csc", "bsr"):
            kind = {"csr": scipy.sparse.csr_matrix, "csc": scipy.sparse.csc_matrix, "bsr": scipy.sparse.bsr_matrix}
            matrix = kind[fmt]((data, arrays["indices"], arrays["indptr"]), shape=size)
            matrix.check_format(full_check=True)  # indices within the shape: xgboost trusts them
        elif fmt == "coo":
            matrix = scipy.sparse.coo_matrix((data, (arrays["row"], arrays["col"])), shape=size)
        else:
            matrix = scipy.sparse.dia_matrix((data, arrays["offsets"]), shape=size)
        return matrix.tocsr().astype(np.float64)
    except (ValueError, TypeError, IndexError) as exc:
        raise _malformed(f"the {fmt} arrays do not form a matrix of shape {list(size)}: {exc}") from None


def decode(body: bytes, limit: int) -> Decoded:
    return read_matrix(body, limit), None


CODEC = Codec("npz", MEDIA_TYPE, decode_within=decode)
