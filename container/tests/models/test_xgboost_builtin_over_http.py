"""Built-in XGBoost artifacts through the real server process: what only a process shows
(single-model serving over HTTP, multi-model loads in workers)."""

import numpy as np

from builtin_models import csv_rows, expected, train_builtin
from conftest import body_json


ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.1, 4.4, 1.4]]


def test_a_builtin_artifact_is_served_in_single_model_mode(start_server, tmp_path):
    booster, _ = train_builtin(str(tmp_path / "m"), fmt="pickle")
    server = start_server(str(tmp_path / "m"))
    status, headers, body = server.post("/invocations", csv_rows(ROWS), content_type="text/csv")
    assert status == 200 and headers["content-type"] == "text/csv"
    values = [[float(v) for v in line.split(",")] for line in body.decode().splitlines()]
    assert np.allclose(values, expected(booster, ROWS))


def test_a_builtin_artifact_loads_in_multi_model_mode(start_server, tmp_path):
    booster, _ = train_builtin(str(tmp_path / "iris"), fmt="json")
    server = start_server(multi=True, workers=2)
    status, _, body = server.post("/models", {"model_name": "iris", "url": str(tmp_path / "iris")})
    assert status == 200, body
    for _ in range(2):  # the second call may reach the other worker, which loads it lazily
        status, _, body = server.post(
            "/models/iris/invoke", csv_rows(ROWS), content_type="text/csv", accept="application/json"
        )
        assert status == 200, body
        assert np.allclose([p["score"] for p in body_json(body)["predictions"]], expected(booster, ROWS))


def test_recordio_protobuf_in_and_out_through_the_server(start_server, tmp_path):
    # what SageMaker's RecordSerializer sends and the built-in's record answer, over HTTP
    from recordio_wire import label_floats, read_frames, rows_body

    booster, _ = train_builtin(str(tmp_path / "m"))
    server = start_server(str(tmp_path / "m"))
    recordio = "application/x-recordio-protobuf"
    status, headers, body = server.post("/invocations", rows_body(ROWS), content_type=recordio, accept=recordio)
    assert status == 200 and headers["content-type"] == recordio
    scores = [label_floats(payload)["score"] for payload in read_frames(body)]
    assert np.allclose(scores, expected(booster, ROWS))


def test_a_builtin_artifact_answers_csv_on_one_line_in_multi_model_mode(start_server, tmp_path):
    # sagemaker-xgboost-container test_multiple_model_endpoint.py::test_load_and_unload_model invokes
    # "0,0,1,0" as text/csv and json.loads the answer
    booster, _ = train_builtin(str(tmp_path / "m"), objective="binary:logistic", fmt="binary")
    server = start_server(multi=True, workers=1)
    assert server.post("/models", {"model_name": "m", "url": str(tmp_path / "m")})[0] == 200
    status, headers, body = server.post("/models/m/invoke", "0,0,1,0", content_type="text/csv")
    assert status == 200 and headers["content-type"] == "text/csv"
    assert np.allclose(body_json(body), expected(booster, [[0, 0, 1, 0]])[0])
