"""A spooled CSV body answered part by part gives the whole-body path's bytes, and its errors, for
every part size: the app is called twice on the same body, once from memory and once from a file."""

import dataclasses
import os

import joblib
import numpy as np
import pytest

from conftest import fit_logistic, iris, write_inference
from inprocess import app_for
from modelapi_serving.http.messages import BodyFile, Request

PART_SIZES = [1, 37, 500, 4096, 1 << 20]


@pytest.fixture(scope="module")
def logistic_app(tmp_path_factory):
    model_dir = tmp_path_factory.mktemp("logistic")
    fit_logistic(str(model_dir))
    return app_for(model_dir)


@pytest.fixture(scope="module")
def nan_app(tmp_path_factory):
    """A model that takes missing values (empty CSV fields)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model_dir = tmp_path_factory.mktemp("hgb")
    X, y = iris()
    joblib.dump(HistGradientBoostingClassifier(max_iter=5).fit(X, y), os.path.join(model_dir, "model.joblib"))
    return app_for(model_dir)


def spooled(body):
    spool = BodyFile.temporary()
    spool.write(body)
    return spool.rewind()


def answers(app, body, accept="text/csv", part_bytes=4096):
    """(whole-body answer, part-by-part answer, whether the second was made in parts), as (status, type, bytes)."""
    headers = {"content-type": "text/csv", "accept": accept}
    whole = app.handle(Request("POST", "/invocations", dict(headers), body))
    config = app.config
    app.config = dataclasses.replace(config, stream_chunk_bytes=part_bytes)
    try:
        parts = app.handle(Request("POST", "/invocations", dict(headers), b"", spool=spooled(body)))
    finally:
        app.config = config
    in_parts = isinstance(parts.body, BodyFile)
    parts_body = parts.body.read_all() if in_parts else parts.body
    if in_parts:
        parts.body.close()
    return (whole.status, whole.content_type, whole.body), (parts.status, parts.content_type, parts_body), in_parts


def csv_rows(n, seed=0, fmt="%.3f"):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.1, 8, size=(n, 4))
    return [",".join(fmt % v for v in row) for row in X]


def body_of(lines, end="\n"):
    return (end.join(lines) + end).encode()


@pytest.mark.parametrize("part_bytes", PART_SIZES)
@pytest.mark.parametrize("accept", ["text/csv", "application/json"])
def test_answer_in_parts_is_the_whole_body_answer_for_every_part_size(logistic_app, part_bytes, accept):
    whole, parts, in_parts = answers(logistic_app, body_of(csv_rows(700)), accept, part_bytes)
    assert in_parts
    assert whole[0] == 200 and parts == whole


@pytest.mark.parametrize("part_bytes", [1, 100, 3000])
def test_crlf_lines_a_byte_order_mark_blank_lines_and_a_last_line_without_newline_read_as_whole(
    logistic_app, part_bytes
):
    lines = csv_rows(300)
    lines[10:10] = ["", "   "]
    body = b"\xef\xbb\xbf" + body_of(lines, "\r\n")[:-2]
    whole, parts, in_parts = answers(logistic_app, body, "application/json", part_bytes)
    assert in_parts
    assert whole[0] == 200 and parts == whole


# Rows a split at line or field boundaries alone would misread: (the model's fixture, how many rows, the rows
# replaced, the part sizes that cut through them).
TRICKY_ROWS = {
    "empty_fields_are_missing_values": (
        "nan_app",
        400,
        {0: ",1.0,2.0,", 57: "5.1,,,0.2", 399: "5.1,3.5,1.4,"},
        [1, 64, 2000],
    ),
    "quoted_fields_and_line_breaks_inside_quotes_do_not_split_a_record": (
        "logistic_app",
        200,
        {30: '"5.1","3.5","1.4","0.2\n"', 31: '"6.2",2.9,"4.3",1.3'},
        [1, 50, 700],
    ),
}


@pytest.mark.parametrize(
    "app_fixture, n, replaced, part_bytes",
    [
        pytest.param(app_fixture, n, replaced, part_bytes, id=f"{case}-{part_bytes}")
        for case, (app_fixture, n, replaced, sizes) in TRICKY_ROWS.items()
        for part_bytes in sizes
    ],
)
def test_tricky_rows_read_in_parts_answer_as_in_the_whole_body(request, app_fixture, n, replaced, part_bytes):
    lines = csv_rows(n)
    for i, line in replaced.items():
        lines[i] = line
    whole, parts, in_parts = answers(request.getfixturevalue(app_fixture), body_of(lines), "text/csv", part_bytes)
    assert in_parts
    assert whole[0] == 200 and parts == whole


def _same_error(app, body, part_bytes, *expected):
    whole, parts, in_parts = answers(app, body, "text/csv", part_bytes)
    assert not in_parts
    assert whole[0] == 400, whole
    assert parts == whole
    for text in expected:
        assert text in whole[2].decode()
    return whole[2].decode()


@pytest.mark.parametrize("part_bytes", [1, 300, 1 << 20])
def test_a_malformed_line_deep_in_the_body_is_named_by_its_line(logistic_app, part_bytes):
    lines = csv_rows(2000)
    lines[1499] = "5.1,3.5,oops,0.2"
    _same_error(logistic_app, body_of(lines), part_bytes, "line 1500, field 3")


@pytest.mark.parametrize("part_bytes", [1, 300])
def test_a_line_of_another_width_deep_in_the_body_is_named_by_its_line(logistic_app, part_bytes):
    lines = csv_rows(2000)
    lines[0:0] = ["", ""]  # blank lines count as lines
    lines[1800] = "5.1,3.5,1.4"
    _same_error(logistic_app, body_of(lines, "\r\n"), part_bytes, "line 1801 has 3 fields, the first row has 4")


@pytest.mark.parametrize("fault", [b"\x00", b"\xff\xfe"])
def test_a_nul_or_non_utf8_byte_at_the_end_wins_over_an_earlier_malformed_line(logistic_app, fault):
    lines = csv_rows(1000)
    lines[4] = "x,1,2,3"
    body = body_of(lines) + fault + b"\n"
    _same_error(logistic_app, body, 200, "malformed CSV: the body")


def test_not_utf8_wins_over_a_nul_byte_before_it(logistic_app):
    lines = csv_rows(1000)
    lines[3] = "1,2,3,\x00"
    body = body_of(lines) + b"\xff\n"
    _same_error(logistic_app, body, 200, "not UTF-8")


def test_an_infinite_value_anywhere_wins_over_an_earlier_missing_one_rows_counted_across_parts(logistic_app):
    lines = csv_rows(1500)
    lines[10] = "5.1,,1.4,0.2"
    lines[1234] = "5.1,inf,1.4,0.2"
    _same_error(logistic_app, body_of(lines), 200, "row 1234 contains an infinite value")


def test_a_missing_value_deep_in_the_body_is_named_by_its_row(logistic_app):
    lines = csv_rows(1500)
    lines[0:0] = [""]
    lines[1001] = "5.1,nan,1.4,0.2"
    _same_error(logistic_app, body_of(lines), 200, "row 1000 contains a missing value")


def test_a_malformed_line_after_a_missing_value_is_still_the_answer(logistic_app):
    lines = csv_rows(1500)
    lines[3] = "5.1,,1.4,0.2"
    lines[1400] = "5.1,1..4,1.4,0.2"
    _same_error(logistic_app, body_of(lines), 100, "line 1401, field 2")


def test_rows_of_the_wrong_width_for_the_model_get_the_whole_body_message(logistic_app):
    lines = [",".join(row.split(",")[:3]) for row in csv_rows(800)]
    _same_error(logistic_app, body_of(lines), 100, "expected 4 features per row, got 3")


def test_a_body_of_blank_lines_has_no_rows(logistic_app):
    _same_error(logistic_app, b"\n \n\r\n" * 500, 64, "no rows to predict")


def test_answers_that_do_not_join_by_rows_come_from_the_whole_body(logistic_app):
    # NPY's header states the row count, so it is made from the whole body
    whole, parts, in_parts = answers(logistic_app, body_of(csv_rows(300)), "application/x-npy", 100)
    assert not in_parts
    assert whole[0] == 200 and parts == whole


def test_an_unacceptable_accept_is_refused_before_any_row_is_read(logistic_app):
    whole, parts, in_parts = answers(logistic_app, b"not,a,number\n" * 1000, "image/png", 100)
    assert whole[0] == 406 and parts == whole


def test_a_request_step_of_the_models_code_gets_the_whole_body(tmp_path):
    model_dir = tmp_path / "m"
    fit_logistic(str(model_dir))
    write_inference(
        str(model_dir),
        """
def input_fn(request_body, content_type):
    import numpy as np
    rows = [line.split(",") for line in request_body.splitlines() if line]
    return np.asarray(rows, dtype=float)[:1]  # only the first row: proof it saw the whole text
""",
    )
    app = app_for(model_dir)
    whole, parts, in_parts = answers(app, body_of(csv_rows(500)), "text/csv", 100)
    assert not in_parts
    assert whole[0] == 200 and parts == whole and whole[2].count(b"\n") == 1
