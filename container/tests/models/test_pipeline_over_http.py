"""`code/inference.py` overriding the pipeline's steps, through the real server: what reaches the
client (the answer, a 4xx the code asks for) and what only reaches the log (tracebacks)."""

import json
import os

import joblib
import numpy as np

from builtin_models import train_builtin
from conftest import body_json, fit_logistic, write_inference


ROW = [[5.1, 3.5, 1.4, 0.2]]


def test_all_four_functions_override_the_defaults(start_server, tmp_path):
    model_dir = str(tmp_path / "m")
    os.makedirs(model_dir)
    # a "model" that is not a pickle at all: only model_fn knows how to read it
    with open(os.path.join(model_dir, "weights.json"), "w") as f:
        json.dump({"scale": 10}, f)
    write_inference(
        model_dir,
        """
import json, os
import helper  # modules next to inference.py are importable

def model_fn(model_dir):
    with open(os.path.join(model_dir, "weights.json")) as f:
        return json.load(f)

def input_fn(request_body, content_type):
    assert isinstance(request_body, str), type(request_body)  # JSON arrives as text
    if content_type != "application/json":
        raise ValueError("unexpected " + content_type)
    return [item["x"] for item in json.loads(request_body)]

def predict_fn(data, model):
    return [helper.times(x, model["scale"]) for x in data]

def output_fn(prediction, accept):
    return "\\n".join(str(p) for p in prediction), "text/plain"
""",
    )
    with open(os.path.join(model_dir, "code", "helper.py"), "w") as f:
        f.write("def times(a, b):\n    return a * b\n")
    server = start_server(model_dir)
    status, headers, body = server.post("/invocations", [{"x": 1}, {"x": 2.5}])
    assert status == 200, body
    assert headers["content-type"] == "text/plain"
    assert body == b"10\n25.0"


def test_predict_fn_alone_keeps_default_decoding_and_encoding(start_server, tmp_path):
    model_dir = str(tmp_path / "m")
    model = fit_logistic(model_dir)
    write_inference(
        model_dir,
        """
def predict_fn(data, model):
    return model.predict_proba(data)
""",
    )
    server = start_server(model_dir)
    status, _, body = server.post("/invocations", {"instances": ROW})
    assert status == 200, body
    got = body_json(body)["predictions"]
    assert np.allclose(got, model.predict_proba(np.asarray(ROW)))
    status, _, body = server.post("/invocations", ROW, accept="text/csv")
    assert status == 200 and body.decode().count(",") == 2


def test_input_fn_receives_bytes_for_binary_types(start_server, tmp_path):
    model_dir = str(tmp_path / "m")
    fit_logistic(model_dir)
    write_inference(
        model_dir,
        """
import numpy as np
def input_fn(request_body, content_type):
    assert isinstance(request_body, bytes), type(request_body)
    return np.frombuffer(request_body, dtype=np.float64).reshape(-1, 4)
""",
    )
    server = start_server(model_dir)
    status, _, body = server.post("/invocations", np.asarray(ROW).tobytes(), content_type="application/octet-stream")
    assert status == 200, body
    assert body_json(body) == [0]


def test_transform_fn_replaces_the_pipeline(start_server, tmp_path):
    model_dir = str(tmp_path / "m")
    fit_logistic(model_dir)
    write_inference(
        model_dir,
        """
import json
import numpy as np
def transform_fn(model, request_body, content_type, accept):
    rows = json.loads(request_body)["rows"]
    return json.dumps({"labels": model.predict(np.asarray(rows)).tolist(), "accept": accept}), "application/json"
""",
    )
    server = start_server(model_dir)
    status, headers, body = server.post("/invocations", {"rows": ROW})
    assert status == 200, body
    assert body_json(body) == {"labels": [0], "accept": "application/json"}


def test_transform_fn_with_input_fn_is_a_load_error(start_server, tmp_path):
    model_dir = str(tmp_path / "m")
    fit_logistic(model_dir)
    write_inference(
        model_dir,
        """
def transform_fn(model, body, content_type, accept):
    return body
def input_fn(body, content_type):
    return body
""",
    )
    server = start_server(model_dir)
    status, _, body = server.request("GET", "/ping")
    assert status == 500
    assert "transform_fn" in body_json(body)["message"]
    assert "transform_fn together with input_fn" in server.read_log()


def test_user_errors_with_a_4xx_status_reach_the_client(start_server, tmp_path):
    model_dir = str(tmp_path / "m")
    fit_logistic(model_dir)
    write_inference(
        model_dir,
        """
class UnsupportedFormatError(Exception):
    status_code = 415

def input_fn(body, content_type):
    raise UnsupportedFormatError("this model reads application/json only, not " + content_type)
""",
    )
    server = start_server(model_dir)
    status, _, body = server.post("/invocations", "1,2", content_type="text/csv")
    assert status == 415
    assert body_json(body) == {"status": 415, "message": "this model reads application/json only, not text/csv"}


def test_other_user_exceptions_are_500_without_traceback(start_server, tmp_path):
    model_dir = str(tmp_path / "m")
    fit_logistic(model_dir)
    write_inference(
        model_dir,
        """
def predict_fn(data, model):
    raise RuntimeError("secret internal detail")
""",
    )
    server = start_server(model_dir)
    status, _, body = server.post("/invocations", ROW)
    assert status == 500
    err = body_json(body)
    assert "secret" not in err["message"] and "Traceback" not in body.decode()
    assert "predict_fn failed" in err["message"]
    log = server.read_log()
    assert "Traceback" in log and "secret internal detail" in log


def test_model_raising_in_predict_is_500_with_traceback_only_in_the_log(start_server, tmp_path):
    model_dir = str(tmp_path / "m")
    os.makedirs(model_dir)
    write_inference(
        model_dir,
        """
import joblib, os
class Exploding:
    n_features_in_ = 4
    def predict(self, X):
        raise ZeroDivisionError("boom inside the model")
def model_fn(model_dir):
    return Exploding()
""",
    )
    server = start_server(model_dir)
    status, _, body = server.post("/invocations", ROW)
    assert status == 500
    assert body_json(body) == {
        "status": 500,
        "message": "the model failed to make a prediction; the server log has the details",
    }
    log = server.read_log()
    assert "ZeroDivisionError: boom inside the model" in log and "Traceback" in log
    assert server.request("GET", "/ping")[0] == 200  # the server keeps serving


def test_object_without_predict_fails_ping(start_server, tmp_path):
    (tmp_path / "m").mkdir()
    joblib.dump({"not": "a model"}, tmp_path / "m" / "model.joblib")
    server = start_server(str(tmp_path / "m"))
    status, _, body = server.request("GET", "/ping")
    assert status == 500
    assert "no predict() method" in body_json(body)["message"]


def test_model_fn_raising_fails_ping(start_server, tmp_path):
    model_dir = str(tmp_path / "m")
    os.makedirs(model_dir)
    write_inference(model_dir, "def model_fn(model_dir):\n    raise IOError('weights missing')\n")
    server = start_server(model_dir)
    status, _, body = server.request("GET", "/ping")
    assert status == 500
    assert "weights missing" in server.read_log()


def test_unloadable_code_fails_ping_over_http_with_the_reason(start_server, tmp_path):
    model_dir = tmp_path / "m"
    train_builtin(str(model_dir))
    (model_dir / "code").mkdir()
    (model_dir / "code" / "inference.py").write_text("raise RuntimeError('broken on purpose')\n")
    server = start_server(str(model_dir), ready=False).wait_ready(want=500)
    status, _, body = server.request("GET", "/ping")
    assert status == 500 and "broken on purpose" in body_json(body)["message"]


def test_custom_attributes_the_model_sets_are_answered_in_their_header(start_server, tmp_path):
    model_dir = str(tmp_path / "m")
    fit_logistic(model_dir)
    write_inference(
        model_dir,
        """
def predict_fn(data, model, context):
    sent = context.get_request_header(0, "X-Amzn-SageMaker-Custom-Attributes")
    context.set_response_header(0, "X-Amzn-SageMaker-Custom-Attributes", "seen=" + str(sent))
    return model.predict(data)
""",
    )
    server = start_server(model_dir)
    status, headers, body = server.request(
        "POST", "/invocations", ROW, headers={"X-Amzn-SageMaker-Custom-Attributes": "trace=1 2"}
    )
    assert status == 200, body
    assert headers["x-amzn-sagemaker-custom-attributes"] == "seen=trace=1 2"
    assert body_json(body) == [0]
