"""Bad input gets a clear 4xx JSON error and never takes the server down.
(HTTP framing has its own tests: tests/http/.)"""

import io
import os

import numpy as np
import pytest

from conftest import body_json


def assert_error(response, status, *words):
    got_status, headers, body = response
    assert got_status == status, body
    assert headers["content-type"] == "application/json"
    err = body_json(body)
    assert err["status"] == status
    assert isinstance(err["message"], str) and err["message"]
    assert "Traceback" not in err["message"]
    for word in words:
        assert word in err["message"], err["message"]
    return err


@pytest.fixture(autouse=True)
def still_serving(request):
    """After every test here the shared server must still answer predictions."""
    yield
    if "iris_server" in request.fixturenames:
        server = request.getfixturevalue("iris_server")
        status, _, _ = server.post("/invocations", [[5.1, 3.5, 1.4, 0.2]])
        assert status == 200
        assert server.proc.poll() is None


def test_malformed_json(iris_server):
    assert_error(iris_server.post("/invocations", '{"instances": [[1, 2,'), 400, "malformed JSON")


def test_json_object_without_instances_or_inputs(iris_server):
    assert_error(iris_server.post("/invocations", {"rows": [[1, 2, 3, 4]]}), 400, "instances", "inputs")


def test_json_scalar(iris_server):
    assert_error(iris_server.post("/invocations", "42"), 400, "list of rows")


def test_ragged_rows(iris_server):
    assert_error(iris_server.post("/invocations", [[1, 2, 3, 4], [1, 2]]), 400, "different lengths")


def test_non_numeric_json_values(iris_server):
    assert_error(iris_server.post("/invocations", [[1, 2, "three", 4]]), 400, "three")


def test_a_number_beyond_float_range_is_a_400_naming_the_row(iris_server):
    huge = "1" + "0" * 400
    assert_error(
        iris_server.post("/invocations", f"[[5.1,3.5,1.4,0.2],[{huge},3.5,1.4,0.2]]"), 400, "row 1", "too large"
    )


def test_csv_with_a_byte_order_mark(iris_server):
    status, _, body = iris_server.post("/invocations", "\ufeff5.1,3.5,1.4,0.2\n".encode(), content_type="text/csv")
    assert (status, body) == (200, b"[0]")


def test_objects_as_values(iris_server):
    assert_error(iris_server.post("/invocations", [[1, 2, {"a": 1}, 4]]), 400)


def test_wrong_feature_count(iris_server):
    assert_error(iris_server.post("/invocations", [[1, 2, 3]]), 400, "expected 4 features per row, got 3")


def test_wrong_shape(iris_server):
    assert_error(iris_server.post("/invocations", [[[1, 2, 3, 4]]]), 400, "2-D", "3-D")


def test_no_rows(iris_server):
    assert_error(iris_server.post("/invocations", {"instances": []}), 400, "no rows")


def test_nan_where_the_model_does_not_accept_it(iris_server):
    assert_error(iris_server.post("/invocations", [[1, None, 3, 4]]), 400, "missing value")
    assert_error(iris_server.post("/invocations", "[[1, NaN, 3, 4]]"), 400, "missing value")
    assert_error(iris_server.post("/invocations", "1,,3,4\n", content_type="text/csv"), 400, "missing value")


def test_infinity(iris_server):
    assert_error(iris_server.post("/invocations", "[[1, Infinity, 3, 4]]"), 400, "infinite")


def test_malformed_csv(iris_server):
    assert_error(iris_server.post("/invocations", "1,2,x,4\n", content_type="text/csv"), 400, "line 1, field 3", "'x'")
    assert_error(
        iris_server.post("/invocations", "1,2,3,4\n1,2\n", content_type="text/csv"), 400, "line 2 has 2 fields"
    )


def test_empty_body(iris_server):
    for content_type in ("application/json", "text/csv", "application/x-npy"):
        assert_error(iris_server.post("/invocations", b"", content_type=content_type), 400, "empty")


def test_binary_garbage(iris_server):
    garbage = os.urandom(4096)
    assert_error(iris_server.post("/invocations", garbage), 400, "malformed JSON")
    assert_error(iris_server.post("/invocations", garbage, content_type="text/csv"), 400, "malformed CSV")
    assert_error(iris_server.post("/invocations", garbage, content_type="application/x-npy"), 400, "malformed NPY")


def test_npy_with_pickled_objects_is_refused(iris_server):
    buf = io.BytesIO()
    np.save(buf, np.array([[1, 2, 3, {"x": 1}]], dtype=object), allow_pickle=True)
    assert_error(iris_server.post("/invocations", buf.getvalue(), content_type="application/x-npy"), 400, "pickle")


def test_oversized_body_is_413(iris_server):
    big = "[" + ",".join(["[1,2,3,4]"] * 10000) + "]"  # ~100 KB, limit is 64 KiB here
    assert_error(iris_server.post("/invocations", big), 413, "limit")


def test_unknown_route_and_wrong_method(iris_server):
    assert_error(iris_server.request("GET", "/nope"), 404, "/nope")
    assert_error(iris_server.request("GET", "/invocations"), 405, "POST")
    assert_error(iris_server.request("POST", "/models", b"{}"), 404, "SAGEMAKER_MULTI_MODEL")


def test_a_bad_line_deep_in_a_large_body_is_a_400_naming_it(start_server, tmp_path):
    from conftest import fit_logistic

    fit_logistic(str(tmp_path / "model"))
    server = start_server(
        str(tmp_path / "model")
    )  # the default limit, InvokeEndpoint's 6 MiB, takes these ~1 MB bodies
    lines = ["5.1,3.5,1.4,0.2"] * 60_000
    lines[54_321] = "5.1,3.5,oops,0.2"
    response = server.post("/invocations", "\n".join(lines).encode(), content_type="text/csv")
    assert_error(response, 400, "malformed CSV: line 54322, field 3: 'oops' is not a number")
    rows = [[5.1, 3.5, 1.4, 0.2]] * 30_000
    rows[28_765] = [5.1, 3.5, "oops", 0.2]
    assert_error(server.post("/invocations", {"instances": rows}), 400, '"instances", row 28765', "'oops'")
    status, _, body = server.post("/invocations", "\n".join(lines[:54_321]).encode(), content_type="text/csv")
    assert status == 200 and len(body_json(body)) == 54_321
