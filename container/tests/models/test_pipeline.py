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
    response = invoke(app, b"1,2,3,4,5", accept="application/json")
    assert response.status == 400 and "expected 4 features" in body_json(response.body)["message"]


def test_a_booster_from_model_fn_takes_fewer_csv_columns_as_missing_values(tmp_path):
    # xgboost serving.py / handler_service.py default_predict_fn: predict(..., validate_features=False),
    # no width check; XGBoost takes the absent trailing columns as missing
    booster, _ = train_builtin(str(tmp_path))
    write_code(tmp_path / "code", {"inference.py": BOOSTER_MODEL_FN})
    response = invoke(app_for(tmp_path), b"5.1,3.5\n6.2,2.9", accept="application/json")
    assert response.status == 200, response.body
    assert np.allclose(
        body_json(response.body), expected(booster, [[5.1, 3.5, np.nan, np.nan], [6.2, 2.9, np.nan, np.nan]])
    )


def test_a_booster_from_model_fn_takes_libsvm_rows_naming_fewer_features_as_missing_values(tmp_path):
    # xgboost serving.py default_input_fn -> encoder.decode (libsvm_to_dmatrix) and default_predict_fn
    # predict(..., validate_features=False): a row whose largest index is below the model's width
    booster, _ = train_builtin(str(tmp_path))
    write_code(tmp_path / "code", {"inference.py": BOOSTER_MODEL_FN})
    response = invoke(app_for(tmp_path), b"1:5.1 2:3.5\n3:4.3", content_type="text/libsvm", accept="application/json")
    assert response.status == 200, response.body
    want = expected(booster, [[5.1, 3.5, np.nan, np.nan], [np.nan, np.nan, 4.3, np.nan]])
    assert np.allclose(body_json(response.body), want)


def test_a_scikit_learn_estimator_still_needs_every_feature(tmp_path):
    fit_logistic(str(tmp_path))
    response = invoke(app_for(tmp_path), b"5.1,3.5,1.4")
    assert (response.status, body_json(response.body)["message"]) == (400, "expected 4 features per row, got 3")


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


def test_a_booster_from_model_fn_takes_recordio_protobuf(tmp_path):
    # xgboost serving.py default_input_fn -> encoder.decode -> recordio_protobuf_to_dmatrix; predict_fn gets a DMatrix
    from recordio_wire import rows_body

    booster, _ = train_builtin(str(tmp_path))
    write_code(
        tmp_path / "code",
        {
            "inference.py": BOOSTER_MODEL_FN
            + """
def predict_fn(input_data, model):
    assert isinstance(input_data, xgb.DMatrix), type(input_data)
    return model.predict(input_data)
"""
        },
    )
    response = invoke(app_for(tmp_path), rows_body(ROWS), content_type="application/x-recordio-protobuf")
    assert response.status == 200, response.body
    assert np.allclose(body_json(response.body), expected(booster, ROWS))


# -- application/x-npz (toolkit decoder.py _npz_to_sparse) ---------------------------------


def npz_body(rows):
    import io

    import scipy.sparse

    buffer = io.BytesIO()
    scipy.sparse.save_npz(buffer, scipy.sparse.csc_matrix(np.asarray(rows)))
    return buffer.getvalue()


def test_npz_rows_predict_like_the_same_dense_rows(tmp_path):
    # toolkit test_decoder.py::test_npz_to_sparse; scikit-learn's linear models take CSR as it is
    model = fit_logistic(str(tmp_path))
    response = invoke(app_for(tmp_path), npz_body(ROWS), content_type="application/x-npz")
    assert response.status == 200, response.body
    assert body_json(response.body) == model.predict(np.asarray(ROWS)).tolist()


def test_an_npz_of_another_width_is_a_400_for_a_scikit_learn_estimator(tmp_path):
    fit_logistic(str(tmp_path))
    response = invoke(app_for(tmp_path), npz_body([row[:3] for row in ROWS]), content_type="application/x-npz")
    assert (response.status, body_json(response.body)["message"]) == (400, "expected 4 features per row, got 3")


def test_an_estimator_that_refuses_sparse_input_answers_415_saying_what_to_send(tmp_path):
    import joblib
    from sklearn.naive_bayes import GaussianNB

    from conftest import iris

    joblib.dump(GaussianNB().fit(*iris()), tmp_path / "model.joblib")
    response = invoke(app_for(tmp_path), npz_body(ROWS), content_type="application/x-npz")
    assert response.status == 415
    assert body_json(response.body)["message"] == (
        "this model does not take sparse input (LIBSVM, RecordIO-protobuf, NPZ); send its rows as JSON, CSV or NPY"
    )


def test_npz_to_a_booster_leaves_absent_entries_missing_and_narrower_matrices_too(tmp_path):
    import scipy.sparse
    import xgboost as xgb

    booster, _ = train_builtin(str(tmp_path))
    write_code(tmp_path / "code", {"inference.py": BOOSTER_MODEL_FN})
    rows = [[5.1, 0.0, 1.4], [0.0, 2.9, 4.3]]
    response = invoke(app_for(tmp_path), npz_body(rows), content_type="application/x-npz", accept="application/json")
    assert response.status == 200, response.body
    sparse = scipy.sparse.csr_matrix(np.asarray(rows))
    sparse.resize((2, 4))
    assert np.allclose(body_json(response.body), booster.predict(xgb.DMatrix(sparse)))


def test_an_npz_unzipping_past_the_body_limit_is_413(tmp_path, monkeypatch):
    import io

    import scipy.sparse

    fit_logistic(str(tmp_path))
    monkeypatch.setenv("MODELAPI_MAX_BODY_BYTES", "4096")
    buffer = io.BytesIO()
    scipy.sparse.save_npz(buffer, scipy.sparse.csr_matrix(np.ones((400, 4))))
    assert len(buffer.getvalue()) < 4096
    response = invoke(app_for(tmp_path), buffer.getvalue(), content_type="application/x-npz")
    assert response.status == 413 and "over the 4096-byte limit" in body_json(response.body)["message"]


# -- pre_model_fn and model_warmup_fn (toolkit v1.6.1+ transformer.py validate_and_initialize) -------

HOOKS = """
import json, os
import joblib

CALLS = []

def pre_model_fn(model_dir):
    CALLS.append(["pre_model_fn", os.path.basename(model_dir)])

def model_fn(model_dir):
    CALLS.append(["model_fn", os.path.basename(model_dir)])
    return joblib.load(os.path.join(model_dir, "model.joblib"))

def model_warmup_fn(model_dir, model):
    CALLS.append(["model_warmup_fn", os.path.basename(model_dir), type(model).__name__])

def output_fn(prediction, accept):
    return json.dumps(CALLS)
"""


def test_pre_model_fn_runs_before_model_fn_and_model_warmup_fn_after_it_with_the_model(tmp_path):
    # toolkit test_transfomer.py::test_validate_user_module_and_set_functions picks them from the
    # script; validate_and_initialize calls them in this order, once per model
    fit_logistic(str(tmp_path))
    write_code(tmp_path / "code", {"inference.py": HOOKS})
    app = app_for(tmp_path)
    for _ in range(2):
        response = invoke(app, csv_rows(ROWS))
        assert body_json(response.body) == [
            ["pre_model_fn", tmp_path.name],
            ["model_fn", tmp_path.name],
            ["model_warmup_fn", tmp_path.name, "LogisticRegression"],
        ]


def test_the_hooks_may_take_a_trailing_context(tmp_path):
    # toolkit test_transfomer.py::test_run_handler_function (from v1.7.0 every function may)
    fit_logistic(str(tmp_path))
    write_code(
        tmp_path / "code",
        {
            "inference.py": """
SEEN = {}

def pre_model_fn(model_dir, context):
    SEEN["pre"] = context.system_properties["model_dir"] == model_dir

def model_warmup_fn(model_dir, model, context):
    SEEN["warmup"] = context.system_properties["model_dir"] == model_dir

def predict_fn(data, model):
    return SEEN
"""
        },
    )
    assert body_json(invoke(app_for(tmp_path), csv_rows(ROWS)).body) == {"pre": True, "warmup": True}


@pytest.mark.parametrize("hook", ["pre_model_fn", "model_warmup_fn"])
def test_a_failing_hook_fails_ping_naming_it(tmp_path, hook):
    # toolkit test_transfomer.py::test_handle_validate_and_initialize_error: a load-time error is never silent
    fit_logistic(str(tmp_path))
    args = "model_dir" if hook == "pre_model_fn" else "model_dir, model"
    write_code(tmp_path / "code", {"inference.py": f"def {hook}({args}):\n    raise RuntimeError('cold cache')\n"})
    app = app_for(tmp_path)
    response = ping(app)
    assert (response.status, body_json(response.body)["message"]) == (
        500,
        f"model failed to load: {hook} failed: RuntimeError: cold cache",
    )
    assert invoke(app, csv_rows(ROWS)).status == 500


def test_a_hook_with_the_wrong_arity_fails_ping(tmp_path):
    # toolkit test_transfomer.py::test_run_handler_function_raise_error; model_warmup_fn(model_dir) was
    # v1.6.0's signature, refused from v1.7.0 as here
    fit_logistic(str(tmp_path))
    write_code(tmp_path / "code", {"inference.py": "def model_warmup_fn(model_dir):\n    pass\n"})
    response = ping(app_for(tmp_path))
    assert (
        "model_warmup_fn takes 1 arguments; it must take 2, or 3 with a trailing context"
        in body_json(response.body)["message"]
    )


def test_a_script_with_only_hooks_keeps_requests_batched(tmp_path):
    fit_logistic(str(tmp_path))
    write_code(tmp_path / "code", {"inference.py": "def pre_model_fn(model_dir):\n    pass\n"})
    assert app_for(tmp_path).handler.batchable


def test_a_script_defining_only_hooks_that_nothing_names_fails_ping(tmp_path):
    fit_logistic(str(tmp_path))
    write_code(tmp_path / "code", {"warm.py": "def model_warmup_fn(model_dir, model):\n    pass\n"})
    response = ping(app_for(tmp_path))
    assert response.status == 500 and "SAGEMAKER_PROGRAM=warm.py" in body_json(response.body)["message"]
