"""`application/x-recordio-protobuf`: RecordIO framing around SageMaker's `Record` protobuf, read
as aws/sagemaker-xgboost-container reads it (`recordio_protobuf.py`) and written as its built-in
algorithm writes answers. Bodies are assembled by hand from the wire format (recordio_wire)."""

import math

import numpy as np
import pytest

from modelapi_serving import codecs
from modelapi_serving.codecs import recordio
from modelapi_serving.errors import BadRequest
from recordio_wire import frame, label_floats, read_frames, record, rows_body, tensor


@pytest.mark.parametrize("kind", ["int32", "float32", "float64"])
def test_dense_int32_float32_and_float64_records_decode_to_rows(kind):
    # xgboost test_encoder.py::test_recordio_protobuf_to_dmatrix: the vectors 42,6,9 as int32 and float64
    rows, envelope = codecs.decode(rows_body([[42, 6, 9], [1, 2, 3]], kind), "application/x-recordio-protobuf")
    assert envelope is None and rows.dtype == np.float64
    assert rows.tolist() == [[42, 6, 9], [1, 2, 3]]


def test_the_short_name_recordio_protobuf_is_an_alias():
    # xgboost test_data_utils.py::test_get_content_type
    rows, _ = codecs.decode(rows_body([[1.5, 2.5]]), "recordio-protobuf")
    assert rows.tolist() == [[1.5, 2.5]]


def test_a_sparse_record_leaves_absent_features_missing():
    # xgboost test_encoder.py::test_recordio_protobuf_to_dmatrix, third vector ("0:1 5:1": keys 0, 5, shape 6)
    body = frame(record({"values": tensor([1, 1], "int32", keys=[0, 5], shape=[6])}))
    rows = recordio.read_rows(body)
    assert codecs.is_sparse(rows) and rows.shape == (1, 6)
    assert rows.indices.tolist() == [0, 5] and rows.data.tolist() == [1.0, 1.0]


def test_dense_and_sparse_rows_together_make_a_matrix_as_wide_as_the_widest():
    body = frame(record({"values": tensor([1.0, 2.0])})) + frame(record({"values": tensor([7.0], keys=[4], shape=[5])}))
    rows = recordio.read_rows(body)
    assert rows.shape == (2, 5)
    assert rows.toarray().tolist() == [[1, 2, 0, 0, 0], [0, 0, 0, 0, 7]]
    assert rows.getrow(1).indices.tolist() == [4]  # stored entries only: the rest stay missing for XGBoost


def test_a_sparse_record_without_values_is_an_all_missing_row_of_its_declared_width():
    # the MLIO-era expectation of xgboost test_data_utils.py::test_parse_sparse_protobuf_dmatrix_edge_cases
    # (records with `shape` and no values are empty rows of that width)
    body = frame(record({"values": tensor([], shape=[3])})) + frame(
        record({"values": tensor([2.0], keys=[1], shape=[3])})
    )
    rows = recordio.read_rows(body)
    assert rows.shape == (2, 3) and rows.getrow(0).nnz == 0


def test_labels_in_a_request_are_ignored():
    body = frame(record({"values": tensor([1.0, 2.0])}, label={"values": tensor([9.0])}))
    assert recordio.read_rows(body).tolist() == [[1.0, 2.0]]


def test_records_are_padded_to_four_bytes_and_the_last_may_come_without_its_padding():
    # sagemaker-containers _recordio.py _write_recordio pads every record; a writer that stops
    # after the last payload still gives the same rows
    first, last = record({"values": tensor([1, 2, 3], "int32")}), record({"values": tensor([4, 5, 6], "int32")})
    assert len(first) % 4 and len(last) % 4  # both need padding
    assert recordio.read_rows(frame(first) + frame(last)).tolist() == [[1, 2, 3], [4, 5, 6]]
    assert recordio.read_rows(frame(first) + frame(last, pad=False)).tolist() == [[1, 2, 3], [4, 5, 6]]


def test_dense_rows_of_different_lengths_are_a_400_naming_the_record():
    with pytest.raises(BadRequest, match="record 1 has 1 values, record 0 has 2"):
        recordio.read_rows(rows_body([[1.0, 2.0], [3.0]]))


@pytest.mark.parametrize(
    "body, message",
    [
        (b"\x00\x01\x02\x03" + frame(b""), "no RecordIO magic number at byte 0"),
        (frame(record({"values": tensor([1.0])})) + b"\x0a\x23\xd7", "3 stray bytes at byte 28"),
        (frame(record({"values": tensor([1.0])}))[:-6], "the record at byte 0 declares 20 bytes, 14 follow"),
        (b"\x0a\x23\xd7\xce\x05\x00\x00\x20" + b"\0" * 8, "the record at byte 0 is split into parts"),
    ],
)
def test_broken_framing_is_a_400_naming_the_byte(body, message):
    with pytest.raises(BadRequest, match=f"^malformed RecordIO-protobuf: {message}"):
        recordio.read_rows(body)


@pytest.mark.parametrize(
    "payload, message",
    [
        (record({"other": tensor([1.0])}), 'record 0 has no features\\["values"\\] tensor'),
        (record({"values": b"\x4a\x03\x0a\x01x"}), 'record 0: features\\["values"\\] holds bytes'),
        (b"\xff\xff\xff", "record 0 is not a protobuf Record"),
        (record({"values": tensor([1.0, 2.0], keys=[0])}), "record 0 has 1 keys for 2 values"),
        (record({"values": tensor([1.0], keys=[7], shape=[3])}), "record 0 has key 7, beyond its shape 3"),
    ],
)
def test_a_record_that_holds_no_numeric_row_is_a_400_naming_it(payload, message):
    # xgboost recordio_protobuf.py skips such records, which would misalign answers with requests
    with pytest.raises(BadRequest, match=f"^malformed RecordIO-protobuf: {message}"):
        recordio.read_rows(frame(payload))


def test_answers_are_one_padded_record_per_row_with_float32_labels():
    # xgboost test_serve_utils.py::test_encode_selected_predictions_protobuf, read back independently
    body = recordio.encode_labels(
        [{"predicted_label": [1], "probabilities": [0.4, 0.6]}, {"predicted_label": [0], "probabilities": [0.9, 0.1]}]
    )
    labels = [label_floats(payload) for payload in read_frames(body)]
    assert [row["predicted_label"] for row in labels] == [[1.0], [0.0]]
    assert np.allclose([row["probabilities"] for row in labels], [[0.4, 0.6], [0.9, 0.1]])


def test_an_answer_is_the_same_bytes_every_time_and_keeps_nan():
    rows = [{"b": [1.0], "a": [math.nan]}]
    assert recordio.encode_labels(rows) == recordio.encode_labels([{"a": [math.nan], "b": [1.0]}])
    (payload,) = read_frames(recordio.encode_labels(rows))
    assert math.isnan(label_floats(payload)["a"][0])
