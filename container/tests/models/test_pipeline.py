"""The pipeline's steps and the user's functions in process, with the rest of AWS's inference
toolkit contract: a trailing `context`, the arity check, `execution_parameters_fn`, the
`ContentType` alias, bare `csv`/`json`, and XGBoost Boosters from `model_fn`."""

import json

import numpy as np
import pytest

from builtin_models import csv_rows, expected, train_builtin
from conftest import body_json, fit_logistic
from inprocess import app_for, call, invoke, ping

from conftest import write_code

pytestmark = pytest.mark.usefixtures("private_tmp")


ROWS = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3]]


def test_handler_functions_may_take_a_trailing_context(tmp_path):
    fit_logistic(str(tmp_path))
    write_code(
        tmp_path / "code",
        {
            "inference.py": """
import json, os
import joblib
import numpy as np

def model_fn(model_dir, context):
    assert context.system_properties["model_dir"] == model_dir
    return joblib.load(os.path.join(model_dir, "model.joblib"))

def input_fn(input_data, content_type, context):
    assert context.get_request_header(0, "X-Trace") == "abc"
    return np.asarray(json.loads(input_data))

def predict_fn(data, model, context):
    return model.predict(data)

def output_fn(prediction, accept, context):
    return json.dumps({"labels": prediction.tolist(), "dir": os.path.basename(context.system_properties["model_dir"])})
"""
        },
    )
    app = app_for(tmp_path)
    response = invoke(app, json.dumps(ROWS), content_type="application/json", extra={"X-Trace": "abc"})
    assert response.status == 200, response.body
    assert body_json(response.body) == {"labels": [0, 1], "dir": tmp_path.name}


CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"


def test_the_model_sets_the_answers_custom_attributes_on_its_context_as_with_multi_model_server(tmp_path):
    fit_logistic(str(tmp_path))
    write_code(
        tmp_path / "code",
        {
            "inference.py": """
def predict_fn(data, model, context):
    sent = context.get_request_header(0, "X-Amzn-SageMaker-Custom-Attributes")
    assert context.get_all_request_header(0)["x-amzn-sagemaker-custom-attributes"] == sent
    context.set_response_header(0, "X-Amzn-SageMaker-Custom-Attributes", "echo=" + sent)
    context.set_response_header(0, "X-Other", "not answered")
    assert context.get_response_headers(0)["X-Other"] == "not answered"
    return model.predict(data)
"""
        },
    )
    app = app_for(tmp_path)
    response = invoke(app, json.dumps(ROWS), content_type="application/json", extra={CUSTOM_ATTRIBUTES: "trace=abc"})
    assert response.status == 200, response.body
    # only the custom attributes reach the answer: SageMaker passes no other header of the container's on
    assert response.headers == (("x-amzn-sagemaker-custom-attributes", "echo=trace=abc"),)
    assert body_json(response.body) == [0, 1]


def test_an_answer_without_custom_attributes_set_has_no_such_header(tmp_path):
    fit_logistic(str(tmp_path))
    write_code(
        tmp_path / "code", {"inference.py": "def predict_fn(data, model, context):\n    return model.predict(data)\n"}
    )
    response = invoke(
        app_for(tmp_path), json.dumps(ROWS), content_type="application/json", extra={CUSTOM_ATTRIBUTES: "a=1"}
    )
    assert response.status == 200 and response.headers == ()


@pytest.mark.parametrize("value", ["x" * 1025, "line\r\nInjected: 1", "caf\u00e9"])
def test_custom_attributes_sagemaker_could_not_return_are_the_models_failure_and_never_written(tmp_path, value):
    fit_logistic(str(tmp_path))
    write_code(
        tmp_path / "code",
        {
            "inference.py": f"""
def predict_fn(data, model, context):
    context.set_response_header(0, "X-Amzn-SageMaker-Custom-Attributes", {value!r})
    return model.predict(data)
"""
        },
    )
    response = invoke(app_for(tmp_path), json.dumps(ROWS), content_type="application/json")
    assert response.status == 500 and response.headers == ()
    assert "custom-attributes" in body_json(response.body)["message"]
    assert value not in response.body.decode()


def test_transform_fn_may_take_a_trailing_context(tmp_path):
    fit_logistic(str(tmp_path))
    write_code(
        tmp_path / "code",
        {
            "inference.py": """
def transform_fn(model, request_body, content_type, accept, context):
    has_dir = context.system_properties["model_dir"] != ""
    return "%s|%s|%s" % (type(request_body).__name__, content_type, has_dir), "text/plain"
"""
        },
    )
    response = invoke(app_for(tmp_path), b"1,2,3,4", content_type="text/csv")
    assert response.status == 200 and response.body == b"str|text/csv|True"


def test_a_handler_with_the_wrong_arity_fails_ping(tmp_path):
    fit_logistic(str(tmp_path))
    write_code(tmp_path / "code", {"inference.py": "def predict_fn(data, model, context, extra):\n    return data\n"})
    response = ping(app_for(tmp_path))
    assert response.status == 500 and "predict_fn takes 4 arguments" in body_json(response.body)["message"]


def test_execution_parameters_fn_answers_execution_parameters(tmp_path):
    fit_logistic(str(tmp_path))
    write_code(
        tmp_path / "code",
        {
            "inference.py": """
def execution_parameters_fn():
    return {"MaxConcurrentTransforms": 8, "BatchStrategy": "SINGLE_RECORD", "MaxPayloadInMB": 2}
"""
        },
    )
    response = call(app_for(tmp_path), "GET", "/execution-parameters")
    assert response.status == 200 and response.content_type == "application/json"
    assert body_json(response.body) == {
        "MaxConcurrentTransforms": 8,
        "BatchStrategy": "SINGLE_RECORD",
        "MaxPayloadInMB": 2,
    }


def test_contenttype_header_is_an_alias_of_content_type(tmp_path):
    model = fit_logistic(str(tmp_path))
    response = invoke(app_for(tmp_path), csv_rows(ROWS), content_type=None, extra={"ContentType": "text/csv"})
    assert response.status == 200, response.body
    assert body_json(response.body) == model.predict(np.asarray(ROWS)).tolist()


@pytest.mark.parametrize("content_type, body", [("csv", csv_rows(ROWS)), ("json", json.dumps(ROWS).encode())])
def test_bare_csv_and_json_content_types(tmp_path, content_type, body):
    model = fit_logistic(str(tmp_path))
    response = invoke(app_for(tmp_path), body, content_type=content_type, accept="csv")
    assert response.status == 200 and response.content_type == "text/csv"
    assert [int(v) for v in response.body.split()] == model.predict(np.asarray(ROWS)).tolist()


BOOSTER_MODEL_FN = """
import os
import xgboost as xgb

def model_fn(model_dir):
    booster = xgb.Booster()
    booster.load_model(os.path.join(model_dir, "xgboost-model"))
    return booster
"""


def test_a_booster_from_model_fn_is_served_by_the_default_pipeline(tmp_path):
    booster, _ = train_builtin(str(tmp_path))
    write_code(tmp_path / "code", {"inference.py": BOOSTER_MODEL_FN})
    app = app_for(tmp_path)
    response = invoke(app, csv_rows(ROWS), accept="application/json")
    assert response.status == 200, response.body
    assert np.allclose(body_json(response.body), expected(booster, ROWS))
    response = invoke(app, b"1,2,3", accept="application/json")
    assert response.status == 400 and "expected 4 features" in body_json(response.body)["message"]


def test_predict_fn_for_the_xgboost_image_receives_a_dmatrix(tmp_path):
    booster, _ = train_builtin(str(tmp_path))
    write_code(
        tmp_path / "code",
        {
            "inference.py": BOOSTER_MODEL_FN
            + """
def predict_fn(input_data, model):
    assert isinstance(input_data, xgb.DMatrix), type(input_data)
    return model.predict(input_data).argmax(axis=1)
"""
        },
    )
    app = app_for(tmp_path)
    for content_type, body in (
        ("text/csv", csv_rows(ROWS)),
        ("text/libsvm", b"1:5.1 2:3.5 3:1.4 4:0.2\n" b"1:6.2 2:2.9 3:4.3 4:1.3"),
    ):
        response = invoke(app, body, content_type=content_type, accept="application/json")
        assert response.status == 200, response.body
        assert body_json(response.body) == expected(booster, ROWS).argmax(axis=1).tolist()


def test_code_without_model_fn_next_to_xgboost_model_gets_the_booster(tmp_path):
    booster, _ = train_builtin(str(tmp_path))
    write_code(
        tmp_path / "code",
        {
            "inference.py": """
import xgboost as xgb
def predict_fn(input_data, model):
    assert isinstance(model, xgb.Booster)
    return model.predict(input_data)[:, 0]
"""
        },
    )
    response = invoke(app_for(tmp_path), csv_rows(ROWS), accept="application/json")
    assert response.status == 200, response.body
    assert np.allclose(body_json(response.body), expected(booster, ROWS)[:, 0])
