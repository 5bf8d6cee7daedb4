"""text/csv: one row per line, an empty field is a missing value; answers one row per line."""

import csv
import io

import numpy as np
import pytest

from modelapi_serving import codecs
from modelapi_serving.errors import BadRequest


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


# Unusual but valid bodies, and bodies the exact reader refuses: quoting, whitespace, line ends,
# exponent forms, spellings of inf and nan, and what Python's float() takes that C readers do not.
CORPUS = [
    "1,2\n3,4\n",
    "1,2\r\n3,4\r\n",
    "1,2\r3,4\r",
    "1,2\n3,4",  # no final newline
    "\n\n1,2\n\n3,4\n\n",
    "1,2\n   \n3,4\n",
    '"1","2"\n"3","4"\n',
    '"1"2,3\n',
    ' "1",2\n',
    '"1" ,2\n',
    '"",1\n',
    '"1\n2",3\n',
    '"1,2",3\n',
    '1,"2\n',
    '1"2,3\n',
    '"1""",2\n',
    " 1.5 , 2 \n",
    "\t1,2\t\n",
    "\xa01,2\x85\n",
    "1\x0b,\x0c2\n",
    "\u20031,2\u2003\n",
    "1e5,1E-5\n",
    "1e+5,-1e-0005\n",
    ".5,5.\n",
    "+1,-0\n",
    "-0.0,0e0\n",
    "1e999,-1e999\n",
    "1e-400,4.9e-324\n",
    "0.1,0.30000000000000004\n",
    "123456789012345678901234567890,1\n",
    "1.00000000000000011102230246251565404236316680908203125,2\n",
    "inf,-inf\n",
    "Infinity,-INFINITY\n",
    "iNf,+InF\n",
    "nan,-nan\n",
    "NaN,+NAN\n",
    "nan(123),1\n",
    "infin,1\n",
    "1_0,2\n",
    "1__0,2\n",
    "0x10,1\n",
    "1d5,2\n",
    "1.e,2\n",
    "e5,2\n",
    "1 5,2\n",
    "+-1,2\n",
    "١٢,1\n",
    "1,2#c\n",
    "#1,2\n",
    "1;2\n",
    "1,,3\n,5,\n",
    "1, ,3\n",
    ",\n",
    ",,\n,,\n",
    "1,2,\n3,4,\n",
    "1\n\n2\n",
    "1\n \n2\n",
    "1,2\n3\n",
    "1,2\n3,4,5\n",
    "true,false\n",
    "None,1\n",
    "'1',2\n",
]


def same_numbers(a, b):
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))  # NaN and -0.0 too


@pytest.mark.parametrize("text", CORPUS)
def test_the_fast_reader_reads_what_the_exact_reader_reads_or_leaves_it_to_it(text):
    try:
        exact = codecs.csv.read_rows_exact(text)
    except BadRequest:
        exact = None
    fast = codecs.csv.read_rows_fast(text)
    if exact is None:
        assert fast is None, f"the fast reader accepts {text!r}, which the exact reader refuses: {fast}"
    elif fast is not None:
        assert same_numbers(fast, exact), (text, fast, exact)


@pytest.mark.parametrize("text", CORPUS)
def test_what_the_server_answers_for_a_csv_body_is_the_exact_readers_answer(text):
    try:
        exact = codecs.csv.read_rows_exact(text)
    except BadRequest as exc:
        with pytest.raises(BadRequest) as caught:
            codecs.csv.read_rows(text.encode())
        assert caught.value.message == exc.message
    else:
        assert same_numbers(codecs.csv.read_rows(text.encode()), exact)


def test_common_bodies_take_the_fast_reader():
    # quoted fields, CRLF, spaces, exponents, inf/nan spellings and empty fields all stay on numpy's C path
    for text in ['"1","2"\r\n', " 1.5 , 2 \n", "1e5,-1E-5\n", "inf,NaN\n", "1,,3\n,5,\n", ",,,,\n1,,,,\n"]:
        assert codecs.csv.read_rows_fast(text) is not None, text


def test_a_large_body_is_read_by_numpy_and_a_small_one_by_the_exact_reader(monkeypatch):
    calls = []
    real_loadtxt = np.loadtxt
    monkeypatch.setattr(np, "loadtxt", lambda *a, **kw: calls.append(1) or real_loadtxt(*a, **kw))
    small = b"5.1,3.5,1.4,0.2\n"
    assert codecs.csv.read_rows(small).tolist() == [[5.1, 3.5, 1.4, 0.2]] and calls == []
    assert codecs.csv.read_rows(small * 100).shape == (100, 4) and calls == [1]


def test_a_malformed_line_deep_in_a_large_body_is_named_by_its_line_and_field():
    lines = ["5.1,3.5,1.4,0.2"] * 100_000
    lines[87_654] = "5.1,3.5,oops,0.2"
    with pytest.raises(BadRequest) as caught:
        codecs.decode("\n".join(lines).encode(), "text/csv")
    assert caught.value.message == "malformed CSV: line 87655, field 3: 'oops' is not a number"
    lines[87_654] = "5.1,3.5,1.4"
    with pytest.raises(BadRequest) as caught:
        codecs.decode("\n".join(lines).encode(), "text/csv")
    assert caught.value.message == "malformed CSV: line 87655 has 3 fields, the first row has 4"


def test_nul_bytes_are_refused_even_where_numpy_would_read_around_them():
    with pytest.raises(BadRequest, match="NUL bytes"):
        codecs.decode(b"1,2\n3,4\x00\n", "text/csv")


@pytest.mark.parametrize(
    "prediction",
    [
        np.array([0, 1, 2]),
        np.arange(-1000, 1000) * 7919,
        np.array([0.25, np.nan, np.inf, -np.inf, -0.0, 1e-300, 0.1 + 0.2]),
        np.array([[1.5, 2.0], [3.0, np.nan]], dtype=np.float32),
        np.array([[1, 2], [3, 4]], dtype=np.uint8),
        np.array([True, False]),
        np.arange(24.0).reshape(2, 3, 4),
        np.array(7.5),
        np.zeros((0,)),
        np.zeros((3, 0)),
    ],
    ids=["ints", "many ints", "floats", "float32-2d", "uint8-2d", "bools", "3d", "scalar", "empty", "no-columns"],
)
def test_numbers_are_written_as_csv_writer_writes_them(prediction):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if prediction.ndim == 0:
        writer.writerow([prediction.item()])
    elif prediction.ndim == 1:
        writer.writerows([v] for v in prediction.tolist())
    else:
        writer.writerows(prediction.reshape(prediction.shape[0], -1).tolist())
    assert codecs.encode(prediction, "text/csv") == out.getvalue().encode()


def large_body(line="5.1,3.5,1.4,0.2", n=20_000):
    return [line] * n


def test_a_large_body_drops_a_byte_order_mark_and_reads_empty_fields_as_missing_values():
    lines = large_body()
    lines[0], lines[10_000], lines[-1] = "5.1,,1.4,0.2", ",3.5,1.4,", "5.1,3.5,1.4,"
    text = "\n".join(lines) + "\n"
    assert codecs.csv.read_rows_fast(text) is not None  # numpy's path, not the fallback
    rows = codecs.csv.read_rows("\ufeff".encode() + text.encode())
    assert same_numbers(rows, codecs.csv.read_rows_exact(text))
    assert rows.shape == (20_000, 4) and int(np.isnan(rows).sum()) == 4
    assert np.isnan(rows[0, 1]) and np.isnan(rows[10_000, [0, 3]]).all() and np.isnan(rows[-1, 3])


def test_a_nul_byte_deep_in_a_large_body_is_refused():
    lines = large_body()
    lines[19_000] = "5.1,3.5\x00,1.4,0.2"
    with pytest.raises(BadRequest, match="NUL bytes"):
        codecs.decode("\n".join(lines).encode(), "text/csv")


@pytest.mark.parametrize(
    "bad_line",
    ['5.1,"3.5,1.4,0.2', "5.1,3.5,1.4,0.2,", "5.1,3.5,1_4,0.2", "5.1,3.5,1.4,0x2"],
    ids=["open quote", "extra empty field", "underscore", "hex"],
)
def test_a_large_body_the_fast_reader_refuses_gets_the_exact_readers_answer(bad_line):
    # a quote left open, a line of another width, and numbers float() reads but numpy does not
    lines = large_body()
    lines[17_777] = bad_line
    text = "\n".join(lines) + "\n"
    assert codecs.csv.read_rows_fast(text) is None
    try:
        exact = codecs.csv.read_rows_exact(text)
    except BadRequest as exc:
        with pytest.raises(BadRequest) as caught:
            codecs.decode(text.encode(), "text/csv")
        assert caught.value.message == exc.message
    else:
        assert same_numbers(codecs.decode(text.encode(), "text/csv")[0], exact)


@pytest.mark.parametrize(
    "prediction",
    [
        np.arange(20_000) % 3,
        np.random.default_rng(1).random((20_000, 3)),
        np.where(np.arange(20_000) % 7 == 0, np.nan, np.arange(20_000) / 3.0),
    ],
    ids=["20k labels", "20k probabilities", "20k floats with nan"],
)
def test_a_large_answer_is_written_as_csv_writer_writes_it(prediction):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(prediction.reshape(prediction.shape[0], -1).tolist())
    assert codecs.encode(prediction, "text/csv") == out.getvalue().encode()


def _whole_and_in_parts(body, part_bytes):
    """(read_rows' rows or error, read_rows_in_parts' stacked rows or error) for one body."""

    def outcome(read):
        try:
            return ("rows", read().tolist())
        except BadRequest as exc:
            return ("error", exc.message)

    def in_parts():
        parts = list(codecs.csv.read_rows_in_parts(io.BytesIO(body), part_bytes))
        return np.concatenate(parts)

    return outcome(lambda: codecs.csv.read_rows(body)), outcome(in_parts)


@pytest.mark.parametrize("part_bytes", [1, 3, 8, 64])
@pytest.mark.parametrize("text", CORPUS)
def test_reading_in_parts_gives_the_whole_bodys_rows_or_error_for_every_corpus_body(text, part_bytes):
    # each body three times over, so the parts fall at many places within and between its records
    whole, parts = _whole_and_in_parts(("\ufeff" + text * 3).encode(), part_bytes)
    assert parts == whole or (whole[0] == parts[0] == "rows" and np.allclose(whole[1], parts[1], equal_nan=True))


@pytest.mark.parametrize(
    "body",
    [
        b"1,2\n" * 50 + b'"3\n\n4",5\n' + b"6,7\n" * 50,  # a quoted field across lines and parts
        b'1,2"3\n' + b"4,5\n" * 200,  # a stray quote: the rest is one record as csv.reader reads it
        b"1,2\n" * 100 + b"1,2,3\n" + b"1,2\n" * 100,
        b"1," * 500 + b"1\n" + b"2," * 500 + b"2\n",  # records longer than a part
        b"1,2\n" * 100 + b"\xff\n" + b"x,2\n",
        b"1,2\n" * 100 + b"\x00\n",
        b"\n\r\n \n" * 100,
    ],
)
def test_long_records_quotes_and_faults_read_in_parts_as_in_the_whole_body(body):
    for part_bytes in (1, 16, 100, 1 << 20):
        whole, parts = _whole_and_in_parts(body, part_bytes)
        assert parts == whole, part_bytes
