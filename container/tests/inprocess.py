"""The app without a server process, for route, format and error cases where a
process adds nothing. Settings come from the environment, as in the server:
tests set them with monkeypatch.setenv."""

import os

from modelapi_serving.app import App
from modelapi_serving.config import Config
from modelapi_serving.http.messages import Request


def app_for(model_dir):
    """An App with the model in `model_dir` loaded, configured from the environment."""
    app = App(Config.from_env({**os.environ, "SM_MODEL_DIR": str(model_dir)}))
    app.load_model()
    return app


def call(app, method, path, body=b"", headers=None):
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if isinstance(body, str):
        body = body.encode()
    return app.handle(Request(method, path, headers, body))


def invoke(app, body, content_type="text/csv", accept=None, extra=None):
    headers = dict(extra or {})
    if content_type is not None:
        headers["Content-Type"] = content_type
    if accept is not None:
        headers["Accept"] = accept
    return call(app, "POST", "/invocations", body, headers)


def ping(app):
    return call(app, "GET", "/ping")
