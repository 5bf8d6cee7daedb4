"""Artifacts of SageMaker's built-in XGBoost algorithm (`xgboost-model`, no code),
answering as the algorithm's own container does. The cases follow the facts in
aws/sagemaker-xgboost-container's serving tests: content types and their
aliases, the default CSV answer, JSON `{"predictions": [{"score": ...}]}`,
selectable outputs per objective, ensembles, MaxPayloadInMB, RecordIO-protobuf in and out,
rows with fewer columns than the model, and the multi-model handler's CSV."""

import json
import os

import numpy as np
import pytest

from builtin_models import csv_rows, expected, train_builtin
from conftest import body_json
from inprocess import app_for, call, invoke, ping
from recordio_wire import frame, label_floats, read_frames, record, rows_body, tensor

RECORDIO = "application/x-recordio-protobuf"

ROWS = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3]]


def csv_values(body):
    return [[float(v) for v in line.split(",")] for line in body.decode().splitlines()]


@pytest.fixture(scope="module")
def softprob(tmp_path_factory):
    model_dir = tmp_path_factory.mktemp("softprob")
    booster, _ = train_builtin(str(model_dir))
    return model_dir, booster


@pytest.mark.parametrize("fmt", ["pickle", "binary", "json", "ubj"])
def test_every_format_the_algorithm_saves_is_served(tmp_path, fmt):
    booster, _ = train_builtin(str(tmp_path), fmt=fmt)
    app = app_for(tmp_path)
    assert ping(app).status == 200, ping(app).body
    response = invoke(app, csv_rows(ROWS))
    assert response.status == 200, response.body
    assert np.allclose(csv_values(response.body), expected(booster, ROWS))


def test_softprob_answers_csv_by_default_one_row_of_class_probabilities_per_record(softprob):
    model_dir, booster = softprob
    response = invoke(app_for(model_dir), csv_rows(ROWS), accept=None)
    assert response.status == 200 and response.content_type == "text/csv"
    values = csv_values(response.body)
    assert len(values) == 3 and all(len(row) == 3 for row in values)
    assert np.allclose(values, expected(booster, ROWS), atol=1e-7)
    assert np.allclose(np.sum(values, axis=1), 1.0, atol=1e-6)
    # the text is Python's repr of each float32 probability, as the built-in's numpy.savetxt("%s") writes it
    first = expected(booster, ROWS)[0].tolist()
    assert response.body.decode().splitlines()[0] == ",".join(str(v) for v in first)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/csv",
        "csv",
        "text/csv; label_size=1",
        "text/csv;label_size = 1",
        "text/csv; charset=utf-8",
        "text/csv; label_size=1; charset=utf-8",
    ],
)
def test_csv_content_types_the_algorithm_accepts(softprob, content_type):
    model_dir, booster = softprob
    response = invoke(app_for(model_dir), csv_rows(ROWS[:1]), content_type=content_type)
    assert response.status == 200, response.body
    assert np.allclose(csv_values(response.body), expected(booster, ROWS[:1]))


@pytest.mark.parametrize(
    "content_type",
    [
        "incorrect_format",
        "text/csv; label_size=5",
        "text/csv; label_size=1=1",
        "text/csv; label_size=1; label_size=2",
        "label_size=1; text/csv",
    ],
)
def test_content_types_the_algorithm_refuses_are_415_with_its_label_size_message(softprob, content_type):
    # xgboost test_serve_utils.py::test_incorrect_content_type and test_data_utils.py::test_get_content_type;
    # the message is data_utils.py get_content_type's, naming the Content-Type as sent
    response = invoke(app_for(softprob[0]), csv_rows(ROWS), content_type=content_type)
    assert response.status == 415
    message = body_json(response.body)["message"]
    if content_type.startswith("text/csv"):
        assert message == (
            f"{content_type} is not an accepted csv ContentType. Optional parameter label_size must be equal to 1"
        )
    else:
        assert message.startswith(f"unsupported content type {content_type!r}")


@pytest.mark.parametrize("content_type", ["text/libsvm", "text/x-libsvm", "libsvm"])
def test_libsvm_and_its_aliases(softprob, content_type):
    model_dir, booster = softprob
    # 1-based indices, a leading label that is ignored, as in LIBSVM files
    body = b"0 1:5.1 2:3.5 3:1.4 4:0.2\n2 1:7.7 2:3.0 3:6.1 4:2.3"
    response = invoke(app_for(model_dir), body, content_type=content_type)
    assert response.status == 200, response.body
    assert np.allclose(csv_values(response.body), expected(booster, [ROWS[0], ROWS[2]]))


def test_libsvm_leaves_absent_features_missing_not_zero(softprob):
    model_dir, booster = softprob
    import xgboost as xgb
    from scipy.sparse import csr_matrix

    response = invoke(app_for(model_dir), b"1:5.1 3:1.4", content_type="text/libsvm")
    sparse = csr_matrix((np.array([5.1, 1.4]), ([0, 0], [0, 2])), shape=(1, 4))
    assert np.allclose(csv_values(response.body), booster.predict(xgb.DMatrix(sparse)))


def test_json_rows_are_accepted_too(softprob):
    model_dir, booster = softprob
    response = invoke(app_for(model_dir), json.dumps(ROWS), content_type="application/json")
    assert response.status == 200, response.body
    assert np.allclose(csv_values(response.body), expected(booster, ROWS))


def test_npy_arrays_are_accepted_too(softprob):
    import io

    model_dir, booster = softprob
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(ROWS), allow_pickle=False)
    response = invoke(app_for(model_dir), buffer.getvalue(), content_type="application/x-npy")
    assert response.status == 200, response.body
    assert np.allclose(csv_values(response.body), expected(booster, ROWS))


@pytest.mark.parametrize("fmt", ["pickle", "binary"])
@pytest.mark.parametrize("kind", ["float32", "float64"])
def test_recordio_rows_predict_like_the_same_csv_rows(tmp_path, fmt, kind):
    # xgboost test_encoder.py::test_recordio_protobuf_to_dmatrix and test_serve_utils.py::
    # test_predict_valid_content_type (recordio-protobuf among the types a pickled Booster takes)
    booster, _ = train_builtin(str(tmp_path), fmt=fmt)
    response = invoke(app_for(tmp_path), rows_body(ROWS, kind), content_type=RECORDIO)
    assert response.status == 200, response.body
    assert np.allclose(csv_values(response.body), expected(booster, np.asarray(ROWS, dtype=kind)))


def test_sparse_recordio_rows_leave_absent_features_missing(softprob):
    import xgboost as xgb
    from scipy.sparse import csr_matrix

    model_dir, booster = softprob
    body = frame(record({"values": tensor([5.1, 1.4], keys=[0, 2], shape=[4])}))
    response = invoke(app_for(model_dir), body, content_type="recordio-protobuf")
    assert response.status == 200, response.body
    sparse = csr_matrix((np.array([5.1, 1.4], dtype=np.float32), ([0, 0], [0, 2])), shape=(1, 4))
    assert np.allclose(csv_values(response.body), booster.predict(xgb.DMatrix(sparse)))


def test_recordio_answers_each_rows_score_as_a_float32_label(softprob):
    # without SAGEMAKER_INFERENCE_OUTPUT AWS's container has no recordio encoder (a 500); the record
    # form AWS documents for its built-in algorithms' answers is label {"score": values}
    # (AWS docs "RCF Response Formats", "Factorization Machines Response Formats")
    model_dir, booster = softprob
    response = invoke(app_for(model_dir), csv_rows(ROWS), accept=RECORDIO)
    assert response.status == 200 and response.content_type == RECORDIO
    labels = [label_floats(payload) for payload in read_frames(response.body)]
    assert [list(row) for row in labels] == [["score"]] * 3
    assert np.allclose([row["score"] for row in labels], expected(booster, ROWS))


def test_recordio_answers_the_selected_keys_one_record_per_row(tmp_path, monkeypatch):
    # xgboost test_serve_utils.py::test_encode_selected_predictions_protobuf
    booster, _ = train_builtin(str(tmp_path), objective="binary:logistic")
    monkeypatch.setenv("SAGEMAKER_INFERENCE_OUTPUT", "predicted_label,probabilities,predicted_score")
    response = invoke(app_for(tmp_path), csv_rows(ROWS[:2]), accept=RECORDIO)
    assert response.status == 200, response.body
    labels = [label_floats(payload) for payload in read_frames(response.body)]
    p = expected(booster, ROWS[:2])
    assert [row["predicted_label"] for row in labels] == [[1.0], [0.0]]
    assert np.allclose([row["probabilities"] for row in labels], np.stack([1 - p, p], axis=1))
    assert all(np.isnan(row["predicted_score"][0]) for row in labels)  # a key the objective cannot give


def test_an_unknown_content_type_is_415(softprob):
    response = invoke(app_for(softprob[0]), csv_rows(ROWS), content_type="incorrect_format")
    assert response.status == 415


def test_json_accept_with_parameters_answers_scores(softprob):
    model_dir, booster = softprob
    response = invoke(app_for(model_dir), csv_rows(ROWS), accept="application/json;verbose=True")
    assert response.status == 200 and response.content_type == "application/json"
    scores = [p["score"] for p in body_json(response.body)["predictions"]]
    assert np.allclose(scores, expected(booster, ROWS))


def test_jsonlines_answers_one_object_per_line(softprob):
    model_dir, booster = softprob
    response = invoke(app_for(model_dir), csv_rows(ROWS), accept="application/jsonlines")
    assert response.status == 200 and response.content_type == "application/jsonlines"
    lines = response.body.decode().splitlines()
    assert len(lines) == 3
    assert np.allclose([json.loads(line)["score"] for line in lines], expected(booster, ROWS))


def test_an_accept_the_algorithm_cannot_produce_is_406(softprob):
    response = invoke(app_for(softprob[0]), csv_rows(ROWS), accept="text/libsvm")
    assert response.status == 406
    assert "text/csv" in body_json(response.body)["message"]


def test_default_accept_comes_from_sagemaker_default_invocations_accept(softprob, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "application/json")
    response = invoke(app_for(softprob[0]), csv_rows(ROWS))
    assert response.content_type == "application/json" and "predictions" in body_json(response.body)


def test_binary_logistic_answers_the_probability_of_class_1(tmp_path):
    booster, _ = train_builtin(str(tmp_path), objective="binary:logistic")
    response = invoke(app_for(tmp_path), csv_rows(ROWS))
    values = csv_values(response.body)
    assert [len(row) for row in values] == [1, 1, 1]
    assert np.allclose([row[0] for row in values], expected(booster, ROWS))
    assert values[0][0] > 0.5 > values[2][0]  # setosa is class 1 here


def test_regression_answers_values(tmp_path):
    booster, X = train_builtin(str(tmp_path), objective="reg:squarederror")
    rows = X[:3].tolist()
    response = invoke(app_for(tmp_path), csv_rows(rows))
    assert np.allclose([row[0] for row in csv_values(response.body)], expected(booster, rows))


@pytest.mark.parametrize("fmt", ["pickle", "binary", "json", "ubj"])
def test_more_columns_than_the_model_is_a_400_for_every_format(tmp_path, fmt):
    # the message of xgboost serve_utils.py predict, as serve.py answers it
    train_builtin(str(tmp_path), fmt=fmt)
    app = app_for(tmp_path)
    message = body_json(invoke(app, b"1,2,3,4,5").body)["message"]
    if fmt == "pickle":
        assert message == (
            "Unable to evaluate payload provided: Feature size of csv inference data 5 is not consistent "
            "with feature size of trained model 4."
        )
    else:
        assert message == (
            "Unable to evaluate payload provided: Feature size of csv inference data 5 is larger "
            "than feature size of trained model 4."
        )
    response = invoke(app, b"1:1 5:1", content_type="text/libsvm")
    assert (response.status, body_json(response.body)["message"]) == (
        400,
        "Unable to evaluate payload provided: Feature size of libsvm inference data 5 is larger "
        "than feature size of trained model 4.",
    )


@pytest.mark.parametrize("fmt", ["binary", "json", "ubj"])
def test_xgboosts_own_formats_take_any_number_of_missing_trailing_columns(tmp_path, fmt):
    # xgboost serve_utils.py predict checks widths only for pickled Boosters; XGBoost itself takes
    # the absent columns as missing values
    booster, _ = train_builtin(str(tmp_path), fmt=fmt)
    app = app_for(tmp_path)
    for row in ([5.1, 3.5, 1.4], [5.1, 3.5], [5.1]):
        response = invoke(app, csv_rows([row]))
        assert response.status == 200, response.body
        padded = row + [np.nan] * (4 - len(row))
        assert np.allclose(csv_values(response.body), expected(booster, [padded]))
    response = invoke(app, rows_body([[5.1, 3.5]]), content_type=RECORDIO)
    assert np.allclose(csv_values(response.body), expected(booster, [[5.1, 3.5, np.nan, np.nan]]))


def test_a_pickled_booster_takes_one_column_fewer_at_most(tmp_path):
    # xgboost serve_utils.py predict, PKL_FORMAT: csv and recordio-protobuf widths must be n or n - 1
    booster, _ = train_builtin(str(tmp_path), fmt="pickle")
    app = app_for(tmp_path)
    response = invoke(app, b"5.1,3.5,1.4")
    assert response.status == 200
    assert np.allclose(csv_values(response.body), expected(booster, [[5.1, 3.5, 1.4, np.nan]]))
    response = invoke(app, b"5.1,3.5")
    assert (response.status, body_json(response.body)["message"]) == (
        400,
        "Unable to evaluate payload provided: Feature size of csv inference data 2 is not consistent "
        "with feature size of trained model 4.",
    )
    response = invoke(app, rows_body([[5.1, 3.5]]), content_type=RECORDIO)
    assert "Feature size of recordio-protobuf inference data 2 is not consistent" in body_json(response.body)["message"]
    # a LIBSVM row may leave out any feature: its width is only its largest index
    response = invoke(app, b"1:5.1", content_type="text/libsvm")
    assert response.status == 200, response.body


def test_an_npz_sparse_matrix_is_taken_too(softprob):
    import io

    import scipy.sparse
    import xgboost as xgb

    model_dir, booster = softprob
    matrix = scipy.sparse.csr_matrix(np.array([[5.1, 0, 1.4, 0.2]]))
    buffer = io.BytesIO()
    scipy.sparse.save_npz(buffer, matrix)
    response = invoke(app_for(model_dir), buffer.getvalue(), content_type="application/x-npz")
    assert response.status == 200, response.body
    assert np.allclose(csv_values(response.body), booster.predict(xgb.DMatrix(matrix)))


def test_malformed_csv_is_a_400_not_a_crash(softprob):
    response = invoke(app_for(softprob[0]), b"5.1,abc,1.4,0.2")
    assert response.status == 400 and "not a number" in body_json(response.body)["message"]


# -- SAGEMAKER_INFERENCE_OUTPUT ----------------------------------------------


def test_selectable_outputs_for_binary_logistic(tmp_path, monkeypatch):
    booster, _ = train_builtin(str(tmp_path), objective="binary:logistic")
    keys = "predicted_label,labels,probability,probabilities,raw_score,raw_scores"
    monkeypatch.setenv("SAGEMAKER_INFERENCE_OUTPUT", keys)
    response = invoke(app_for(tmp_path), csv_rows(ROWS[:1]), accept="application/json")
    p = float(expected(booster, ROWS[:1])[0])
    (row,) = body_json(response.body)["predictions"]
    assert list(row) == keys.split(",")
    assert row["predicted_label"] == 1 and row["labels"] == [0, 1]
    assert row["probability"] == pytest.approx(p) and row["raw_score"] == pytest.approx(p)
    assert row["probabilities"] == pytest.approx([1 - p, p]) and row["raw_scores"] == pytest.approx([1 - p, p])


def test_selectable_outputs_for_softprob_in_csv_quote_lists(softprob, monkeypatch):
    model_dir, booster = softprob
    monkeypatch.setenv("SAGEMAKER_INFERENCE_OUTPUT", "predicted_label, probabilities")
    response = invoke(app_for(model_dir), csv_rows(ROWS), accept="text/csv")
    lines = response.body.decode().split("\n")
    probabilities = expected(booster, ROWS)
    assert len(lines) == 3
    for line, probs in zip(lines, probabilities):
        label, quoted = line.split(",", 1)
        assert int(label) == int(np.argmax(probs))
        assert quoted.startswith('"[') and quoted.endswith(']"')
        assert np.allclose(json.loads(quoted[1:-1]), probs)


def test_a_selected_key_the_objective_cannot_give_is_empty(tmp_path, monkeypatch):
    train_builtin(str(tmp_path), objective="reg:squarederror")
    monkeypatch.setenv("SAGEMAKER_INFERENCE_OUTPUT", "predicted_score,predicted_label,foo")
    app = app_for(tmp_path)
    rows = body_json(invoke(app, b"3.5,1.4,0.2", accept="application/json").body)["predictions"]
    assert set(rows[0]) == {"predicted_score", "predicted_label", "foo"}
    assert rows[0]["predicted_label"] is None and rows[0]["foo"] is None
    assert isinstance(rows[0]["predicted_score"], float)
    lines = invoke(app, b"3.5,1.4,0.2", accept="application/jsonlines").body.decode().splitlines()
    assert json.loads(lines[0])["foo"] is None


# -- ensembles ------------------------------------------------------------------


def test_an_ensemble_averages_its_members(tmp_path):
    first, _ = train_builtin(str(tmp_path), name="xgboost-model-0", rounds=3)
    second, _ = train_builtin(str(tmp_path), name="xgboost-model-1", rounds=8, fmt="json")
    response = invoke(app_for(tmp_path), csv_rows(ROWS))
    mean = (expected(first, ROWS) + expected(second, ROWS)) / 2
    assert np.allclose(csv_values(response.body), mean, atol=1e-6)


def test_an_ensemble_can_be_turned_off(tmp_path, monkeypatch):
    first, _ = train_builtin(str(tmp_path), name="xgboost-model-0", rounds=3)
    train_builtin(str(tmp_path), name="xgboost-model-1", rounds=8)
    monkeypatch.setenv("SAGEMAKER_INFERENCE_ENSEMBLE", "false")
    response = invoke(app_for(tmp_path), csv_rows(ROWS))
    assert np.allclose(csv_values(response.body), expected(first, ROWS))


def test_softmax_ensembles_vote(tmp_path):
    boosters = [
        train_builtin(str(tmp_path), objective="multi:softmax", name=f"xgboost-model-{i}", rounds=r)[0]
        for i, r in enumerate((1, 2, 6))
    ]
    response = invoke(app_for(tmp_path), csv_rows(ROWS))
    votes = np.stack([expected(b, ROWS) for b in boosters])
    majority = [max(set(col.tolist()), key=col.tolist().count) for col in votes.T]
    assert [row[0] for row in csv_values(response.body)] == majority


# -- loading ---------------------------------------------------------------------


def test_a_corrupt_artifact_fails_ping_with_the_reason(tmp_path):
    (tmp_path / "xgboost-model").write_bytes(b"not a model")
    app = app_for(tmp_path)
    response = ping(app)
    assert response.status == 500
    assert "xgboost-model is neither a pickled Booster" in body_json(response.body)["message"]


def test_xgboost_model_next_to_a_joblib_estimator_is_ambiguous(tmp_path):
    from conftest import fit_logistic

    train_builtin(str(tmp_path))
    fit_logistic(str(tmp_path))
    response = ping(app_for(tmp_path))
    assert response.status == 500 and "keep one model" in body_json(response.body)["message"]


@pytest.mark.parametrize(
    "env, expected_mb",
    [({}, 6), ({"MAX_CONTENT_LENGTH": str(19 * 1024**2)}, 19), ({"SAGEMAKER_MAX_PAYLOAD_IN_MB": "12"}, 12)],
)
def test_execution_parameters_follow_the_payload_limit(softprob, monkeypatch, env, expected_mb):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = app_for(softprob[0])
    params = body_json(call(app, "GET", "/execution-parameters").body)
    assert params["MaxPayloadInMB"] == expected_mb and params["BatchStrategy"] == "MULTI_RECORD"
    assert app.config.max_body_bytes == expected_mb * 1024 * 1024


def test_the_model_dir_is_left_untouched(softprob):
    model_dir, _ = softprob
    before = sorted(os.listdir(model_dir))
    invoke(app_for(model_dir), csv_rows(ROWS))
    assert sorted(os.listdir(model_dir)) == before == ["xgboost-model"]


def test_a_model_trained_with_early_stopping_predicts_with_its_best_trees(tmp_path):
    import xgboost as xgb

    from conftest import iris

    X, y = iris()
    validation = xgb.DMatrix(X[::7], label=y[::7])
    booster = xgb.train(
        {"objective": "multi:softprob", "num_class": 3, "eta": 1.0, "nthread": 1},
        xgb.DMatrix(X, label=y),
        50,
        evals=[(validation, "validation")],
        early_stopping_rounds=2,
        verbose_eval=False,
    )
    assert booster.best_iteration + 1 < booster.num_boosted_rounds()
    booster.save_model(str(tmp_path / "xgboost-model.json"))
    os.rename(tmp_path / "xgboost-model.json", tmp_path / "xgboost-model")
    response = invoke(app_for(tmp_path), csv_rows(ROWS))
    dmatrix = xgb.DMatrix(np.asarray(ROWS))
    best = booster.predict(dmatrix, iteration_range=(0, booster.best_iteration + 1))
    assert np.allclose(csv_values(response.body), best)
    assert not np.allclose(best, booster.predict(dmatrix, iteration_range=(0, booster.num_boosted_rounds())))


# -- multi-model ---------------------------------------------------------------------


def test_in_multi_model_mode_csv_answers_are_one_line_as_the_algorithms_handler_writes_them(softprob):
    # xgboost algorithm_mode/handler_service.py default_output_fn: ",".join(map(str, predictions.tolist())),
    # and one prediction per line with a trailing newline under batch transform (SAGEMAKER_BATCH)
    from modelapi_serving.models.xgboost_builtin import BuiltinXGBoostHandler

    model_dir, booster = softprob
    values = expected(booster, ROWS).tolist()
    online = BuiltinXGBoostHandler(str(model_dir), env={}, multi_model=True).invoke(csv_rows(ROWS), "text/csv", "")
    assert online.body.decode() == ",".join(str(row) for row in values)
    assert json.loads(f"[{online.body.decode()}]") == values
    batch = BuiltinXGBoostHandler(str(model_dir), env={"SAGEMAKER_BATCH": "true"}, multi_model=True)
    assert batch.invoke(csv_rows(ROWS), "text/csv", "").body.decode() == "".join(f"{row}\n" for row in values)
