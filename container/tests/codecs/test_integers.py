"""Integers as decimal text laid out by numpy: the same bytes as Python's str() joined."""

import numpy as np
import pytest

from modelapi_serving.codecs.integers import joined

EDGES = [0, 1, -1, 9, 10, -10, 99, 100, 12345, -98765, 2**31, -(2**31), 2**63 - 1, -(2**63)]


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64])
def test_every_integer_type_is_written_as_str_writes_it(dtype):
    info = np.iinfo(dtype)
    values = np.array([v for v in EDGES if info.min <= v <= info.max] + [info.min, info.max], dtype=dtype)
    assert joined(values, b",") == ",".join(map(str, values.tolist())).encode()


def test_random_integers_of_every_length_and_the_separator():
    rng = np.random.default_rng(0)
    values = rng.integers(-(2**63), 2**63 - 1, 5000, dtype=np.int64) >> rng.integers(0, 63, 5000)
    assert joined(values, b"\n") == "\n".join(map(str, values.tolist())).encode()
    big = np.array([2**64 - 1, 10**19, 10**19 - 1, 0], dtype=np.uint64)
    assert joined(big, b",") == b"18446744073709551615,10000000000000000000,9999999999999999999,0"


def test_one_value_and_none():
    assert joined(np.array([7]), b",") == b"7"
    assert joined(np.array([], dtype=np.int64), b",") == b""
