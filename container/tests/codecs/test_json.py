"""application/json: rows and envelopes in, compact JSON out in the same envelope."""

import gc
import json

import numpy as np
import pytest

from modelapi_serving import codecs
from modelapi_serving.errors import BadRequest


def test_decode_envelopes():
    array, envelope = codecs.decode(b'{"instances": [[1, 2]]}', "application/json")
    assert envelope == "instances" and array.tolist() == [[1.0, 2.0]]
    array, envelope = codecs.decode(b"[1, 2]", "")
    assert envelope is None and array.tolist() == [1.0, 2.0]


def test_deeply_nested_json_is_a_400():
    with pytest.raises(BadRequest):
        codecs.decode(b"[" * 100000 + b"]" * 100000, "application/json")


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


def test_encode_nan_as_null():
    assert codecs.encode(np.array([1.0, np.nan]), "application/json") == b"[1.0,null]"


def test_the_answer_mirrors_the_requests_envelope():
    assert codecs.json.encode(np.array([1, 2]), "instances") == b'{"predictions":[1,2]}'
    assert codecs.json.encode(np.array([1, 2]), "inputs") == b'{"outputs":[1,2]}'
    assert codecs.json.encode(np.array([1, 2]), None) == b"[1,2]"


@pytest.mark.parametrize(
    "prediction",
    [
        np.array([0, 2, 1]),
        np.arange(2000) % 3,
        np.arange(-1000, 1000) * 7919,
        np.arange(600, dtype=np.uint8),
        np.array([-5, 2**40], dtype=np.int64),
    ],
    ids=["few labels", "many labels", "many wide", "many uint8", "few wide"],
)
@pytest.mark.parametrize("envelope", [None, "instances", "inputs"])
def test_integer_answers_are_the_bytes_json_dumps_writes(prediction, envelope):
    data = prediction.tolist()
    if envelope:
        data = {codecs.json.ENVELOPES[envelope]: data}
    assert codecs.json.encode(prediction, envelope) == json.dumps(data, separators=(",", ":")).encode()


ROWS_CORPUS = [
    [[1, 2], [3, 4]],
    [[1.5, None], [True, False]],
    [["1.5", 2], [" 3 ", "nan"]],
    [[10**400, 2], [3, 4]],
    [[2**64, 2], [3, 4]],
    [[[1], 2], [3, 4]],
    [[[1, 2]], [[3, 4]]],
    [[{"a": 1}, 2], [3, 4]],
    [["x", 2], [3, 4]],
    [[1, 2], [3]],
    [[1, 2], 3],
    [[], []],
    [1, 2, 3],
]


@pytest.mark.parametrize("rows", ROWS_CORPUS, ids=[str(i) for i in range(len(ROWS_CORPUS))])
def test_rows_become_the_array_numpy_makes_or_the_same_400(rows):
    try:
        expected = np.asarray(rows, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        expected = None
    body = json.dumps(rows).encode()
    if expected is None:
        with pytest.raises(BadRequest):
            codecs.decode(body, "application/json")
    else:
        array, _ = codecs.decode(body, "application/json")
        assert array.shape == expected.shape and np.array_equal(array, expected, equal_nan=True)


def test_a_large_body_is_parsed_with_the_collector_paused_and_left_as_it_was_found(monkeypatch):
    seen = []
    real_loads = json.loads
    monkeypatch.setattr(codecs.json.json, "loads", lambda body: seen.append(gc.isenabled()) or real_loads(body))
    large = json.dumps([[1.5, 2.5]] * 10_000).encode()
    assert len(large) >= codecs.json.PAUSE_COLLECTOR_FROM
    assert codecs.decode(large, "application/json")[0].shape == (10_000, 2)
    assert seen == [False] and gc.isenabled()
    with pytest.raises(BadRequest):
        codecs.decode(large[:-1], "application/json")
    assert gc.isenabled()
    gc.disable()
    try:
        codecs.decode(large, "application/json")
        assert not gc.isenabled()  # not switched on by a decoder that found it off
    finally:
        gc.enable()


def large_rows(n=20_000):
    return [[5.1, 3.5, 1.4, 0.2] for _ in range(n)]


@pytest.mark.parametrize(
    "bad_row, words",
    [
        ([5.1, 3.5, "oops", 0.2], ['"instances", row 17654: not a number', "'oops'"]),
        ([5.1, 3.5, 1.4], ["different lengths"]),
        ([5.1, 3.5, {"a": 1}, 0.2], ['"instances", row 17654: values must be numbers']),
        ([5.1, 10**400, 1.4, 0.2], ['"instances", row 17654: a number is too large']),
    ],
    ids=["string", "short row", "object", "400-digit number"],
)
def test_a_bad_row_deep_in_a_large_body_is_named_by_its_index(bad_row, words):
    rows = large_rows()
    rows[17_654] = bad_row
    with pytest.raises(BadRequest) as caught:
        codecs.decode(json.dumps({"instances": rows}).encode(), "application/json")
    for word in words:
        assert word in caught.value.message, caught.value.message


def test_nulls_deep_in_a_large_body_are_missing_values():
    rows = large_rows()
    rows[19_998] = [None, 3.5, 1.4, None]
    array, _ = codecs.decode(json.dumps(rows).encode(), "application/json")
    assert array.shape == (20_000, 4) and int(np.isnan(array).sum()) == 2
    assert np.isnan(array[19_998, [0, 3]]).all() and array[19_998, 1] == 3.5


@pytest.mark.parametrize(
    "prediction",
    [
        np.arange(20_000) % 3,
        np.random.default_rng(1).random((20_000, 3)),
        np.where(np.arange(20_000) % 7 == 0, np.nan, np.arange(20_000) / 3.0),
    ],
    ids=["20k labels", "20k probabilities", "20k floats with nan"],
)
@pytest.mark.parametrize("envelope", [None, "instances"])
def test_a_large_answer_is_the_json_json_dumps_writes_with_null_for_nan(prediction, envelope):
    data = [[None if v != v else v for v in row] if isinstance(row, list) else row for row in prediction.tolist()]
    data = [None if isinstance(v, float) and v != v else v for v in data]
    if envelope:
        data = {codecs.json.ENVELOPES[envelope]: data}
    assert codecs.json.encode(prediction, envelope) == json.dumps(data, separators=(",", ":")).encode()
