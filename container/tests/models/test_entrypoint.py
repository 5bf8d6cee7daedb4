"""Entry points as the SageMaker SDK sets them: which script, from where (a directory, a
sourcedir.tar.gz, the model's own code/), and its requirements.txt. Cases follow the facts in
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
from conftest import body_json, fit_logistic, free_port
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


def test_requirements_without_a_reachable_index_are_logged_not_installed(tmp_path, monkeypatch, caplog):
    model = fit_logistic(str(tmp_path))
    write_code(
        tmp_path / "code",
        {
            "inference.py": "def predict_fn(data, model):\n    return model.predict(data)\n",
            "requirements.txt": "some-package==1.0\n",
        },
    )
    # nothing listens on this loopback port: the index is unreachable, as on an isolated endpoint
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{free_port()}/simple")
    with caplog.at_level(logging.WARNING, logger="modelapi.entrypoint"):
        app = app_for(tmp_path)
    assert "requirements.txt was NOT installed: no package index reachable" in caplog.text
    assert ping(app).status == 200
    response = invoke(app, csv_rows(ROWS))
    assert body_json(response.body) == model.predict(np.asarray(ROWS)).tolist()


def test_requirements_without_pip_are_logged_not_installed(tmp_path, monkeypatch, caplog):
    # The serving image ships no pip: a reachable index does not help, and the log says so.
    import importlib.util

    from modelapi_serving.models import entrypoint

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        entrypoint.importlib.util,
        "find_spec",
        lambda name, *args: None if name == "pip" else real_find_spec(name, *args),
    )
    monkeypatch.setattr(entrypoint, "_index_reachable", lambda index: True)
    model = fit_logistic(str(tmp_path))
    write_code(
        tmp_path / "code",
        {
            "inference.py": "def predict_fn(data, model):\n    return model.predict(data)\n",
            "requirements.txt": "some-package==1.0\n",
        },
    )
    with caplog.at_level(logging.WARNING, logger="modelapi.entrypoint"):
        app = app_for(tmp_path)
    assert "requirements.txt was NOT installed: pip is not available to this Python" in caplog.text
    assert ping(app).status == 200
    response = invoke(app, csv_rows(ROWS))
    assert body_json(response.body) == model.predict(np.asarray(ROWS)).tolist()


def _wheel(directory, name, version, source):
    """A minimal pure-Python wheel, built by hand: no build backend or network needed."""
    import base64
    import hashlib
    import zipfile

    files = {
        f"{name}/__init__.py": source,
        f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{name}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{name}-{version}.dist-info/RECORD,,")
    files[f"{name}-{version}.dist-info/RECORD"] = "\n".join(record) + "\n"
    path = os.path.join(directory, f"{name}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w") as wheel:
        for member, text in files.items():
            wheel.writestr(member, text)
    return os.path.basename(path)


def test_requirements_are_installed_from_a_reachable_index(tmp_path, monkeypatch):
    import functools
    import http.server
    import threading

    # a package index on loopback (PEP 503 simple layout) holding one hand-built wheel
    package_dir = tmp_path / "index" / "simple" / "modelapi-test-scaler"
    package_dir.mkdir(parents=True)
    wheel = _wheel(str(package_dir), "modelapi_test_scaler", "1.0", "FACTOR = 7\n")
    (package_dir / "index.html").write_text(f'<a href="{wheel}">{wheel}</a>\n')
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "index"))
    handler.log_message = lambda *args: None
    index = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=index.serve_forever, daemon=True).start()
    try:
        fit_logistic(str(tmp_path / "m"))
        write_code(
            tmp_path / "m" / "code",
            {
                "inference.py": "import modelapi_test_scaler\n\ndef predict_fn(data, model):\n"
                "    return model.predict(data) * modelapi_test_scaler.FACTOR\n",
                "requirements.txt": "modelapi-test-scaler==1.0\n",
            },
        )
        monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{index.server_port}/simple")
        app = app_for(tmp_path / "m")
        assert ping(app).status == 200, ping(app).body
        response = invoke(app, csv_rows(ROWS))
        assert body_json(response.body) == [0, 7]
        assert any(name.startswith("modelapi-requirements-") for name in os.listdir(tmp_path / "tmp"))
    finally:
        index.shutdown()


def test_multi_model_entry_points_come_from_each_models_code_dir(tmp_path, monkeypatch, sklearn_sdk_model):
    from modelapi_serving.app import App
    from modelapi_serving.config import Config
    from modelapi_serving.models.registry import Registry

    model_dir, model = sklearn_sdk_model
    booster, _ = train_builtin(str(tmp_path / "xgb"))
    monkeypatch.setenv("SAGEMAKER_PROGRAM", "script.py")
    # container-wide, so not for multi-model: each model brings its own code/
    monkeypatch.setenv("SAGEMAKER_SUBMIT_DIRECTORY", str(tmp_path / "nowhere"))
    (tmp_path / "registry").mkdir()
    app = App(Config(multi_model=True), Registry(str(tmp_path / "registry")))
    for name, url in (("sk", model_dir), ("xgb", tmp_path / "xgb")):
        response = call(app, "POST", "/models", json.dumps({"model_name": name, "url": str(url)}))
        assert response.status == 200, response.body
    response = call(app, "POST", "/models/sk/invoke", csv_rows(ROWS), {"Content-Type": "text/csv"})
    assert np.allclose(body_json(response.body), model.predict_proba(np.asarray(ROWS)))
    response = call(app, "POST", "/models/xgb/invoke", csv_rows(ROWS), {"Content-Type": "text/csv"})
    assert response.content_type == "text/csv"
    assert np.allclose(
        [[float(v) for v in line.split(",")] for line in response.body.decode().splitlines()], expected(booster, ROWS)
    )
