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
