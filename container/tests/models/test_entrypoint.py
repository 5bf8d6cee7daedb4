"""Entry points as the SageMaker SDK sets them: which script, from where (a directory, a
sourcedir.tar.gz, the model's own code/). Cases follow the facts in
aws/sagemaker-inference-toolkit's and aws/sagemaker-scikit-learn-container's tests; models are
fitted here and saved as those images expect."""

import io
import json
import logging
import os
import tarfile

import numpy as np
import pytest

from builtin_models import csv_rows, expected, train_builtin
from conftest import body_json, fit_logistic
from inprocess import app_for, call, invoke, ping

from conftest import SKLEARN_SCRIPT, write_code

pytestmark = pytest.mark.usefixtures("private_tmp")


ROWS = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3]]


def test_sagemaker_program_names_the_script(sklearn_sdk_model, monkeypatch):
    model_dir, model = sklearn_sdk_model
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "script.py")
    response = invoke(app_for(model_dir), json.dumps(ROWS), content_type="application/json")
    assert response.status == 200, response.body
    assert np.allclose(body_json(response.body), model.predict_proba(np.asarray(ROWS)))


def test_a_script_nothing_names_fails_ping_instead_of_serving_the_defaults(sklearn_sdk_model):
    model_dir, _ = sklearn_sdk_model
    app = app_for(model_dir)
    response = ping(app)
    assert response.status == 500
    message = body_json(response.body)["message"]
    assert "script.py" in message and "SAGEMAKER_PROGRAM=script.py" in message
    assert invoke(app, json.dumps(ROWS), content_type="application/json").status == 500


def test_a_named_script_that_is_missing_fails_ping(sklearn_sdk_model, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "train.py")
    response = ping(app_for(sklearn_sdk_model[0]))
    assert response.status == 500 and "SAGEMAKER_PROGRAM is train.py" in body_json(response.body)["message"]


def test_a_script_that_cannot_be_imported_fails_ping_with_the_reason(tmp_path):
    fit_logistic(str(tmp_path))
    write_code(tmp_path / "code", {"inference.py": "import package_that_is_not_installed\n"})
    response = ping(app_for(tmp_path))
    assert response.status == 500
    message = body_json(response.body)["message"]
    assert "failed to import" in message and "package_that_is_not_installed" in message


def test_submit_directory_of_a_repacked_model_is_found_where_the_model_is_unpacked(sklearn_sdk_model, monkeypatch):
    model_dir, model = sklearn_sdk_model
    # what the SDK sets after repacking the script into model.tar.gz
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", "/opt/ml/model/code")
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "script.py")
    response = invoke(app_for(model_dir), json.dumps(ROWS), content_type="application/json")
    assert response.status == 200 and np.allclose(body_json(response.body), model.predict_proba(np.asarray(ROWS)))


def sourcedir(path, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, source in files.items():
            data = source.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_submit_directory_may_be_a_sourcedir_tarball(tmp_path, monkeypatch):
    model_dir = tmp_path / "model"
    model = fit_logistic(str(model_dir))
    archive = sourcedir(
        tmp_path / "sourcedir.tar.gz",
        {"serve_me.py": SKLEARN_SCRIPT + "from util import twice\n", "util.py": "def twice(x):\n    return 2 * x\n"},
    )
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", str(archive))
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "serve_me.py")
    response = invoke(app_for(model_dir), csv_rows(ROWS), content_type="text/csv")
    assert response.status == 200, response.body
    assert np.allclose(body_json(response.body), model.predict_proba(np.asarray(ROWS)))


def test_a_sourcedir_escaping_its_directory_is_refused(tmp_path, monkeypatch):
    fit_logistic(str(tmp_path / "model"))
    archive = sourcedir(tmp_path / "evil.tar.gz", {"../escape.py": "x = 1\n", "inference.py": "x = 1\n"})
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", str(archive))
    response = ping(app_for(tmp_path / "model"))
    assert response.status == 500 and "../escape.py" in body_json(response.body)["message"]
    assert not (tmp_path / "escape.py").exists()


def test_an_s3_submit_directory_uses_the_code_packed_in_the_model(sklearn_sdk_model, monkeypatch):
    model_dir, _ = sklearn_sdk_model
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", "s3://bucket/job/source/sourcedir.tar.gz")
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "script.py")
    assert ping(app_for(model_dir)).status == 200


def test_an_s3_submit_directory_without_packed_code_says_it_is_not_downloaded(tmp_path, monkeypatch):
    fit_logistic(str(tmp_path))
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", "s3://bucket/job/source/sourcedir.tar.gz")
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "script.py")
    response = ping(app_for(tmp_path))
    assert response.status == 500 and "does not download" in body_json(response.body)["message"]


def multi_app(tmp_path):
    """A multi-model App set up from the environment as the server sets it up at start."""
    from modelapi_serving.app import App
    from modelapi_serving.config import Config
    from modelapi_serving.models.entrypoint import resolve_container_code
    from modelapi_serving.models.registry import Registry

    config = Config.from_env({**os.environ, "SAGEMAKER_MULTI_MODEL": "true"})
    registry_dir = tmp_path / "registry"
    registry_dir.mkdir(exist_ok=True)
    return App(config, Registry(str(registry_dir), container_code=resolve_container_code(os.environ)))


def load(app, name, url):
    return call(app, "POST", "/models", json.dumps({"model_name": name, "url": str(url)}))


def test_without_a_container_script_each_model_brings_its_own_code(tmp_path, monkeypatch, sklearn_sdk_model):
    model_dir, model = sklearn_sdk_model
    booster, _ = train_builtin(str(tmp_path / "xgb"))
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "script.py")
    app = multi_app(tmp_path)
    for name, url in (("sk", model_dir), ("xgb", tmp_path / "xgb")):
        response = load(app, name, url)
        assert response.status == 200, response.body
    response = call(app, "POST", "/models/sk/invoke", csv_rows(ROWS), {"Content-Type": "text/csv"})
    assert np.allclose(body_json(response.body), model.predict_proba(np.asarray(ROWS)))
    # a model without code/ is served as what it is: here the built-in XGBoost algorithm
    response = call(app, "POST", "/models/xgb/invoke", csv_rows(ROWS[:1]), {"Content-Type": "text/csv"})
    assert response.content_type == "text/csv"
    assert np.allclose(json.loads(f"[{response.body.decode()}]"), expected(booster, ROWS[:1]))


# -- multi-model mode with a container-level script ------------------------------------------
# aws/sagemaker-scikit-learn-container test/integration/test_multiple_model_endpoint.py starts the
# image with SAGEMAKER_PROGRAM=script.py and SAGEMAKER_SUBMIT_DIRECTORY=/user_module/user_code.tar.gz
# and loads model directories that hold only `sklearn-model`; the script's model_fn unpickles it.

CONTAINER_SCRIPT = """
import os
import pickle

def model_fn(model_dir):
    with open(os.path.join(model_dir, "sklearn-model"), "rb") as f:
        return pickle.load(f)
"""


def pickled_regressor(model_dir, seed):
    """A directory holding only `sklearn-model`: a pickled regressor on 5 features."""
    import pickle

    from sklearn.ensemble import RandomForestRegressor

    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(40, 5)), rng.normal(size=40)
    model = RandomForestRegressor(n_estimators=3, random_state=seed).fit(X, y)
    os.makedirs(model_dir, exist_ok=True)
    with open(os.path.join(model_dir, "sklearn-model"), "wb") as f:
        pickle.dump(model, f)
    return model


ZEROS = "0.0, 0.0, 0.0, 0.0, 0.0"  # the body those tests send, as text/csv


def test_a_container_entry_script_serves_models_that_hold_only_their_pickle(tmp_path, monkeypatch):
    # sklearn test_multiple_model_endpoint.py::test_load_and_unload_two_models
    models = {name: pickled_regressor(str(tmp_path / name), seed) for seed, name in enumerate(("m1", "m2"))}
    archive = sourcedir(tmp_path / "user_code.tar.gz", {"script.py": CONTAINER_SCRIPT})
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "script.py")
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", str(archive))
    app = multi_app(tmp_path)
    for name in models:
        response = load(app, name, tmp_path / name)
        assert (response.status, body_json(response.body)) == (200, {"status": "Workers scaled"})
    for name, model in models.items():
        response = call(app, "POST", f"/models/{name}/invoke", ZEROS, {"Content-Type": "text/csv", "Accept": "*/*"})
        assert response.status == 200, response.body
        assert np.allclose(body_json(response.body), model.predict(np.zeros((1, 5))))
    for name in models:
        response = call(app, "DELETE", f"/models/{name}")
        assert (response.status, body_json(response.body)) == (200, {"status": f'Model "{name}" unregistered'})


def test_the_scikit_learn_images_multi_model_tests_pass_against_the_server(start_server, tmp_path):
    # sklearn test/integration/test_multiple_model_endpoint.py, over HTTP against `serve` started as its
    # `container` fixture starts the image: test_list_models_empty, test_load_and_unload_two_models,
    # test_load_one_model_two_times, test_load_and_unload_model (invoke after unload),
    # test_delete_unloaded_model
    models = {name: pickled_regressor(str(tmp_path / name), seed) for seed, name in enumerate(("m1", "m2"))}
    archive = sourcedir(tmp_path / "user_code.tar.gz", {"script.py": CONTAINER_SCRIPT})
    env = {"SAGEMAKER_PROGRAM": "script.py", "SAGEMAKER_SUBMIT_DIRECTORY": str(archive)}
    server = start_server(multi=True, workers=1, env=env)
    assert body_json(server.request("GET", "/models")[2]) == {"models": []}
    for name in models:
        status, _, body = server.post("/models", {"model_name": name, "url": str(tmp_path / name)})
        assert (status, body_json(body)["status"]) == (200, "Workers scaled")
    status, _, body = server.post("/models", {"model_name": "m1", "url": str(tmp_path / "m1")})
    assert (status, body_json(body)["message"]) == (409, "Model m1 is already registered.")
    for name, model in models.items():
        status, _, body = server.post(f"/models/{name}/invoke", ZEROS, content_type="text/csv", accept="*/*")
        assert status == 200, body
        assert np.allclose(json.loads(body), model.predict(np.zeros((1, 5))))
    for name in models:
        status, _, body = server.request("DELETE", f"/models/{name}")
        assert (status, body_json(body)["status"]) == (200, f'Model "{name}" unregistered')
    status, _, body = server.post("/models/m1/invoke", ZEROS, content_type="text/csv")
    assert (status, body_json(body)["message"]) == (404, "Model not found: m1")
    assert server.request("DELETE", "/models/non-existing-model")[0] == 404


def test_a_container_entry_script_may_be_a_directory(tmp_path, monkeypatch):
    # sagemaker-containers `_files.download_and_extract` copies a directory as it is
    model = pickled_regressor(str(tmp_path / "m"), 0)
    write_code(tmp_path / "user_code", {"inference.py": CONTAINER_SCRIPT})
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", str(tmp_path / "user_code"))
    app = multi_app(tmp_path)
    assert load(app, "m", tmp_path / "m").status == 200
    response = call(app, "POST", "/models/m/invoke", ZEROS, {"Content-Type": "text/csv"})
    assert np.allclose(body_json(response.body), model.predict(np.zeros((1, 5))))


def test_model_fn_of_a_container_script_gets_each_models_url_and_each_model_its_own_module(tmp_path, monkeypatch):
    # the toolkit's Transformer calls model_fn(context.system_properties["model_dir"]), the load's url,
    # in a worker process of the model's own: module globals are per model
    write_code(
        tmp_path / "user_code",
        {
            "inference.py": """
LOADED = []

def model_fn(model_dir, context):
    LOADED.append(model_dir)
    return {"model_dir": model_dir, "context_dir": context.system_properties["model_dir"]}

def predict_fn(data, model):
    return {**model, "loads_in_this_module": len(LOADED)}
"""
        },
    )
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", str(tmp_path / "user_code"))
    app = multi_app(tmp_path)
    for name in ("a", "b"):
        assert load(app, name, tmp_path / name).status == 200
    for name in ("a", "b"):
        response = call(app, "POST", f"/models/{name}/invoke", "1,2", {"Content-Type": "text/csv"})
        url = str(tmp_path / name)
        assert body_json(response.body) == {"model_dir": url, "context_dir": url, "loads_in_this_module": 1}


def test_the_load_hooks_of_a_container_script_run_for_each_model(tmp_path, monkeypatch):
    # toolkit transformer.py validate_and_initialize runs once per model (per Transformer)
    write_code(
        tmp_path / "user_code",
        {
            "inference.py": CONTAINER_SCRIPT
            + """
WARMED = []

def pre_model_fn(model_dir):
    WARMED.append("pre " + os.path.basename(model_dir))

def model_warmup_fn(model_dir, model):
    WARMED.append("warm " + os.path.basename(model_dir))

def predict_fn(data, model):
    return WARMED
"""
        },
    )
    for seed, name in enumerate(("m1", "m2")):
        pickled_regressor(str(tmp_path / name), seed)
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", str(tmp_path / "user_code"))
    app = multi_app(tmp_path)
    for name in ("m1", "m2"):
        assert load(app, name, tmp_path / name).status == 200
    for name in ("m1", "m2"):
        response = call(app, "POST", f"/models/{name}/invoke", ZEROS, {"Content-Type": "text/csv"})
        assert body_json(response.body) == [f"pre {name}", f"warm {name}"]


def test_a_container_script_serves_a_booster_from_libsvm(tmp_path, monkeypatch):
    # sagemaker-xgboost-container test/integration/local/test_abalone.py::test_xgboost_abalone_mme:
    # a container-level script whose model_fn loads `xgboost-model`, a libsvm request, one value back
    booster, X = train_builtin(str(tmp_path / "abalone"), objective="reg:squarederror", fmt="pickle")
    write_code(
        tmp_path / "user_code",
        {
            "abalone.py": """
import os
import pickle

def model_fn(model_dir):
    with open(os.path.join(model_dir, "xgboost-model"), "rb") as f:
        return pickle.load(f)
"""
        },
    )
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "abalone.py")
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", str(tmp_path / "user_code"))
    app = multi_app(tmp_path)
    assert load(app, "abalone", tmp_path / "abalone").status == 200
    row = X[0].tolist()
    body = " ".join(f"{i}:{v}" for i, v in enumerate(row, start=1))
    response = call(app, "POST", "/models/abalone/invoke", body, {"Content-Type": "text/libsvm"})
    assert response.status == 200, response.body
    assert np.allclose(body_json(response.body), expected(booster, [row]))


def test_a_models_own_script_is_not_used_and_the_log_names_both(tmp_path, monkeypatch, caplog):
    model = pickled_regressor(str(tmp_path / "m"), 0)
    write_code(tmp_path / "m" / "code", {"inference.py": "def predict_fn(data, model):\n    return ['own']\n"})
    write_code(tmp_path / "user_code", {"inference.py": CONTAINER_SCRIPT})
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", str(tmp_path / "user_code"))
    app = multi_app(tmp_path)
    with caplog.at_level(logging.WARNING, logger="modelapi.entrypoint"):
        assert load(app, "m", tmp_path / "m").status == 200
    warning = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warning) == 1
    assert str(tmp_path / "m" / "code" / "inference.py") in warning[0] and "NOT used" in warning[0]
    assert str(tmp_path / "user_code" / "inference.py") in warning[0]
    response = call(app, "POST", "/models/m/invoke", ZEROS, {"Content-Type": "text/csv"})
    assert np.allclose(body_json(response.body), model.predict(np.zeros((1, 5))))


def test_an_s3_submit_directory_in_multi_model_mode_uses_each_models_code_else_fails_the_load(tmp_path, monkeypatch):
    # the xgboost test_abalone.py MME tests upload the script to s3://; nothing is downloaded here
    model = pickled_regressor(str(tmp_path / "packed"), 0)
    write_code(tmp_path / "packed" / "code", {"script.py": CONTAINER_SCRIPT})
    pickled_regressor(str(tmp_path / "bare"), 1)
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "script.py")
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", "s3://bucket/job/source/sourcedir.tar.gz")
    app = multi_app(tmp_path)
    assert load(app, "packed", tmp_path / "packed").status == 200
    response = call(app, "POST", "/models/packed/invoke", ZEROS, {"Content-Type": "text/csv"})
    assert np.allclose(body_json(response.body), model.predict(np.zeros((1, 5))))
    response = load(app, "bare", tmp_path / "bare")
    assert response.status == 400
    assert (
        "SAGEMAKER_SUBMIT_DIRECTORY is s3://bucket/job/source/sourcedir.tar.gz" in body_json(response.body)["message"]
    )
    assert "does not download" in body_json(response.body)["message"]


@pytest.mark.parametrize(
    "setting, words",
    [
        ({"SAGEMAKER_SUBMIT_DIRECTORY": "{tmp}/nowhere"}, "SAGEMAKER_SUBMIT_DIRECTORY {tmp}/nowhere is neither"),
        ({"SAGEMAKER_SUBMIT_DIRECTORY": "{tmp}/code"}, "SAGEMAKER_SUBMIT_DIRECTORY {tmp}/code holds no inference.py"),
        (
            {"SAGEMAKER_SUBMIT_DIRECTORY": "{tmp}/code", "SAGEMAKER_PROGRAM": "script.py"},
            "SAGEMAKER_PROGRAM is script.py but {tmp}/code/script.py does not exist",
        ),
    ],
)
def test_a_container_script_that_cannot_be_found_stops_a_multi_model_start(tmp_path, setting, words):
    # AWS's images import the container-level module before the model server starts, and do not start without it
    from test_config import run_serve

    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "helpers.py").write_text("X = 1\n")
    env = {k: v.format(tmp=tmp_path) for k, v in setting.items()}
    result = run_serve([], {"SAGEMAKER_MULTI_MODEL": "true", "TMPDIR": str(tmp_path), **env})
    assert result.returncode == 2, result.stderr
    assert "configuration error: " + words.format(tmp=tmp_path) in result.stderr
