"""A user script's requirements.txt: installed from a reachable package index, logged as not
installed without one or without pip, as AWS's inference toolkit installs it."""

import logging
import os

import numpy as np
import pytest

from builtin_models import csv_rows
from conftest import body_json, fit_logistic, free_port, write_code
from inprocess import app_for, invoke, ping

pytestmark = pytest.mark.usefixtures("private_tmp")


ROWS = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3]]


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

    from modelapi_serving.models import requirements

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        requirements.importlib.util,
        "find_spec",
        lambda name, *args: None if name == "pip" else real_find_spec(name, *args),
    )
    monkeypatch.setattr(requirements, "_index_reachable", lambda index: True)
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
