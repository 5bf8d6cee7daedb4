"""Fixtures: tiny estimators fitted into tmp dirs, and the real server process
started on a free loopback port."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import joblib
import numpy as np
import pytest

CONTAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVE = os.path.join(CONTAINER, "serve")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
sys.path.insert(0, CONTAINER)


def iris():
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True)


def fit_logistic(model_dir):
    from sklearn.linear_model import LogisticRegression

    X, y = iris()
    model = LogisticRegression(max_iter=1000).fit(X, y)
    os.makedirs(model_dir, exist_ok=True)
    joblib.dump(model, os.path.join(model_dir, "model.joblib"))
    return model


def fit_forest(model_dir):
    from sklearn.ensemble import RandomForestClassifier

    X, y = iris()
    model = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    os.makedirs(model_dir, exist_ok=True)
    joblib.dump(model, os.path.join(model_dir, "model.pkl"))
    return model


def fit_xgboost(model_dir):
    from xgboost import XGBClassifier

    X, y = iris()
    model = XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1).fit(X, y)
    os.makedirs(model_dir, exist_ok=True)
    joblib.dump(model, os.path.join(model_dir, "model.joblib"))
    return model


def write_inference(model_dir, source):
    code = os.path.join(model_dir, "code")
    os.makedirs(code, exist_ok=True)
    with open(os.path.join(code, "inference.py"), "w") as f:
        f.write(source)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        return []


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


class Server:
    """The real `serve` process, talked to over HTTP on loopback."""

    def __init__(self, tmp, model_dir=None, workers=1, multi=False, env=None, cwd=None, preexec=None, serve=SERVE):
        self.port = free_port()
        self.log_path = os.path.join(tmp, f"serve-{self.port}.log")
        full_env = dict(os.environ)
        full_env.update(
            {
                "SAGEMAKER_BIND_TO_PORT": str(self.port),
                "MODELAPI_BIND_HOST": "127.0.0.1",
                "SAGEMAKER_MODEL_SERVER_WORKERS": str(workers),
                "SAGEMAKER_MULTI_MODEL": "true" if multi else "false",
            }
        )
        if model_dir:
            full_env["SM_MODEL_DIR"] = str(model_dir)
        full_env.update(env or {})
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [PYTHON, serve], env=full_env, stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd or tmp, preexec_fn=preexec
        )
        self.workers = workers

    def wait_ready(self, timeout=30, want=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.read_log()}")
            try:
                status, _, _ = self.request("GET", "/ping", timeout=2)
                if (want is None and status != 503) or status == want:
                    # every worker up: each has logged that it listens
                    if self.read_log().count("listening (slot") >= self.workers:
                        return self
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"server not ready:\n{self.read_log()}")

    def request(self, method, path, body=None, headers=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
                headers = {"Content-Type": "application/json", **(headers or {})}
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), resp.read()
        finally:
            conn.close()

    def post(self, path, body, content_type="application/json", accept=None, **kw):
        headers = {"Content-Type": content_type} if content_type else {}
        if accept:
            headers["Accept"] = accept
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        return self.request("POST", path, body, headers, **kw)

    def read_log(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                for pid in children(self.proc.pid):
                    os.kill(pid, signal.SIGKILL)
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def start_server(tmp_path):
    servers = []

    def start(model_dir=None, ready=True, **kw):
        server = Server(str(tmp_path), model_dir, **kw)
        servers.append(server)
        if ready:
            server.wait_ready()
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def iris_server(tmp_path_factory):
    """One shared server with a LogisticRegression on iris, 2 workers, 64 KiB body limit."""
    tmp = tmp_path_factory.mktemp("iris")
    model = fit_logistic(str(tmp / "model"))
    server = Server(
        str(tmp), str(tmp / "model"), workers=2, env={"MODELAPI_MAX_BODY_BYTES": str(64 * 1024)}
    ).wait_ready()
    server.model = model
    yield server
    server.stop()


def body_json(raw):
    return json.loads(raw.decode())


ROWS = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3]]


@pytest.fixture
def rows():
    return [list(r) for r in ROWS]


@pytest.fixture
def rows_array():
    return np.asarray(ROWS)


# -- models that ship code as the SageMaker SDK packs it ------------------------------

# a script written for AWS's scikit-learn image, named by entry_point="script.py"
SKLEARN_SCRIPT = """
import os
import joblib

def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))

def predict_fn(input_data, model):
    return model.predict_proba(input_data)
"""


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Unpacked sourcedirs and installed requirements land under the test's own tmp_path."""
    import tempfile

    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))


def write_code(code_dir, files):
    os.makedirs(code_dir, exist_ok=True)
    for name, source in files.items():
        with open(os.path.join(code_dir, name), "w") as f:
            f.write(source)


@pytest.fixture
def sklearn_sdk_model(tmp_path):
    model_dir = tmp_path / "model"
    model = fit_logistic(str(model_dir))
    write_code(model_dir / "code", {"script.py": SKLEARN_SCRIPT})
    return model_dir, model
