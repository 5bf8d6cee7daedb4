"""text/csv: one row per line, an empty field is a missing value; answers one row per line."""

import numpy as np

from modelapi_serving import codecs


def test_an_empty_csv_field_is_a_missing_value_not_zero():
    array, envelope = codecs.decode(b"1,,3\n,5,\n", "text/csv")
    assert envelope is None and array.shape == (2, 3)
    assert np.isnan(array[0, 1]) and np.isnan(array[1, 0]) and np.isnan(array[1, 2])
    assert array[0, 0] == 1.0 and array[0, 2] == 3.0 and array[1, 1] == 5.0
    assert np.isnan(codecs.csv.read_rows(" ,2\n")[0, 0])  # a field of spaces is empty too


def test_a_byte_order_mark_is_accepted_alike_in_json_and_csv():
    bom = "\ufeff".encode()
    json_rows, _ = codecs.decode(bom + b"[[1.5, 2], [3, 4]]", "application/json")
    csv_rows, _ = codecs.decode(bom + b"1.5,2\n3,4\n", "text/csv")
    assert json_rows.tolist() == csv_rows.tolist() == [[1.5, 2.0], [3.0, 4.0]]
    assert codecs.csv.read_rows("\ufeff1,2\n").tolist() == [[1.0, 2.0]]  # text from a user's input_fn too


def test_encode_2d_csv():
    assert codecs.encode(np.array([[1, 2], [3, 4]]), "text/csv") == b"1,2\n3,4\n"
    assert codecs.encode(np.array(["a,b", "c"]), "text/csv") == b'"a,b"\nc\n'
