"""The drop-in artifacts through the real server process: what only a process
shows (the HTTP body limit, /ping over HTTP, multi-model loads in workers)."""

import json

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


def test_unloadable_code_fails_ping_over_http_with_the_reason(start_server, tmp_path):
    model_dir = tmp_path / "m"
    train_builtin(str(model_dir))
    (model_dir / "code").mkdir()
    (model_dir / "code" / "inference.py").write_text("raise RuntimeError('broken on purpose')\n")
    server = start_server(str(model_dir), ready=False).wait_ready(want=500)
    status, _, body = server.request("GET", "/ping")
    assert status == 500 and "broken on purpose" in body_json(body)["message"]


def test_sagemaker_max_payload_sets_the_body_limit_and_execution_parameters(start_server, tmp_path):
    train_builtin(str(tmp_path / "m"))
    server = start_server(str(tmp_path / "m"), env={"SAGEMAKER_MAX_PAYLOAD_IN_MB": "1"})
    status, _, body = server.request("GET", "/execution-parameters")
    assert status == 200 and json.loads(body)["MaxPayloadInMB"] == 1
    big = b"5.1,3.5,1.4,0.2\n" * (1024 * 1024 // 16 + 1)
    status, _, body = server.post("/invocations", big, content_type="text/csv")
    assert status == 413, body
    status, _, _ = server.post("/invocations", big[: 1000 * 1024], content_type="text/csv")
    assert status == 200
