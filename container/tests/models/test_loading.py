"""Finding and loading the model file: what fails /ping, and why, when the model directory
cannot be served."""

import os

import numpy as np

from conftest import body_json, fit_logistic

ROW = [[5.1, 3.5, 1.4, 0.2]]


def test_corrupt_model_file_fails_ping_with_the_reason_logged(start_server, tmp_path):
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    (model_dir / "model.joblib").write_bytes(b"this is not a pickle")
    server = start_server(str(model_dir))
    status, _, body = server.request("GET", "/ping")
    assert status == 500
    assert "model failed to load" in body_json(body)["message"]
    assert "model failed to load" in server.read_log()
    status, _, body = server.post("/invocations", ROW)
    assert status == 500 and "failed to load" in body_json(body)["message"]


def test_missing_model_dir_fails_ping(start_server, tmp_path):
    server = start_server(str(tmp_path / "does-not-exist"))
    status, _, body = server.request("GET", "/ping")
    assert status == 500
    assert "does not exist" in body_json(body)["message"]


def test_empty_model_dir_fails_ping_and_says_what_is_missing(start_server, tmp_path):
    (tmp_path / "m").mkdir()
    server = start_server(str(tmp_path / "m"))
    status, _, body = server.request("GET", "/ping")
    assert status == 500
    assert "no model file" in body_json(body)["message"]
    assert "no model file" in server.read_log()


def test_pickle_file_is_found_by_extension(start_server, tmp_path):
    from conftest import fit_forest

    model = fit_forest(str(tmp_path / "m"))  # writes model.pkl
    server = start_server(str(tmp_path / "m"))
    status, _, body = server.post("/invocations", ROW)
    assert status == 200 and body_json(body) == model.predict(np.asarray(ROW)).tolist()


def test_unreadable_model_dir_fails_ping_saying_why(start_server, tmp_path):
    fit_logistic(str(tmp_path / "m"))
    os.chmod(tmp_path / "m", 0)
    # root reads anything: run the server as nobody, as the image's unprivileged user would be
    if os.getuid() == 0:
        import pwd

        nobody = pwd.getpwnam("nobody")
        os.chmod(tmp_path, 0o755)
        server = start_server(
            str(tmp_path / "m"), ready=False, preexec=lambda: (os.setgid(nobody.pw_gid), os.setuid(nobody.pw_uid))
        )
    else:
        server = start_server(str(tmp_path / "m"), ready=False)
    server.wait_ready()
    status, _, body = server.request("GET", "/ping")
    os.chmod(tmp_path / "m", 0o755)
    assert status == 500
    assert "permission denied" in body_json(body)["message"]
