"""The supervisor: workers replaced when they die or hang, prompt clean shutdown, start-up
from any directory, a port in use."""

import os
import signal
import subprocess
import time

import pytest

from conftest import PYTHON, SERVE, alive, children, fit_logistic, free_port, write_inference


ROW = [[5.1, 3.5, 1.4, 0.2]]


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_killed_worker_is_replaced_and_serving_resumes(start_server, tmp_path):
    fit_logistic(str(tmp_path / "m"))
    server = start_server(str(tmp_path / "m"), workers=2)
    before = children(server.proc.pid)
    assert len(before) == 2
    os.kill(before[0], signal.SIGKILL)
    assert wait_for(lambda: len(children(server.proc.pid)) == 2 and before[0] not in children(server.proc.pid))
    replacement = (set(children(server.proc.pid)) - set(before)).pop()
    assert wait_for(lambda: f"worker {replacement} listening" in server.read_log())
    for _ in range(20):
        assert server.post("/invocations", ROW)[0] == 200
    assert "was killed by signal 9" in server.read_log()


def test_all_workers_killed_are_all_replaced(start_server, tmp_path):
    fit_logistic(str(tmp_path / "m"))
    server = start_server(str(tmp_path / "m"), workers=2)
    for pid in children(server.proc.pid):
        os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: server.read_log().count("listening (slot") >= 4, timeout=15)
    assert server.post("/invocations", ROW)[0] == 200


def test_a_request_running_past_the_timeout_gets_its_worker_replaced(start_server, tmp_path):
    fit_logistic(str(tmp_path / "m"))
    write_inference(
        str(tmp_path / "m"),
        """
import time
def predict_fn(data, model):
    if data[0][0] < 0:
        time.sleep(30)
    return model.predict(data)
""",
    )
    server = start_server(str(tmp_path / "m"), workers=1, env={"SAGEMAKER_MODEL_SERVER_TIMEOUT": "1"})
    # the connection is dropped with the stuck worker, long before the request itself would end
    with pytest.raises(ConnectionError):
        server.post("/invocations", [[-1, 0, 0, 0]], timeout=20)
    assert "over the 1s timeout; killing it" in server.read_log()
    assert wait_for(lambda: server.read_log().count("listening (slot") >= 2)
    assert server.post("/invocations", ROW)[0] == 200


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_promptly_with_no_children_left(start_server, tmp_path, sig):
    fit_logistic(str(tmp_path / "m"))
    server = start_server(str(tmp_path / "m"), workers=2)
    # an open keep-alive connection must not hold the shutdown up
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/ping")
    assert conn.getresponse().read()
    workers = children(server.proc.pid)
    assert len(workers) == 2
    server.proc.send_signal(sig)
    assert server.proc.wait(timeout=5) == 0
    assert not any(alive(pid) for pid in workers)
    conn.close()


def test_sigterm_during_a_slow_request_still_stops_within_5s(start_server, tmp_path):
    fit_logistic(str(tmp_path / "m"))
    started = tmp_path / "predict-started"
    write_inference(
        str(tmp_path / "m"),
        f"""
import time
def predict_fn(data, model):
    open({str(started)!r}, "w").close()
    time.sleep(30)
""",
    )
    server = start_server(str(tmp_path / "m"), workers=1)
    import threading

    def slow_request():
        try:
            server.post("/invocations", ROW, timeout=20)
        except OSError:
            pass  # dropped by the shutdown, as expected

    threading.Thread(target=slow_request, daemon=True).start()
    assert wait_for(started.exists), "the slow request never reached predict_fn"
    workers = children(server.proc.pid)
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(timeout=5)
    assert not any(alive(pid) for pid in workers)


def test_workers_exit_when_the_supervisor_is_killed(start_server, tmp_path):
    fit_logistic(str(tmp_path / "m"))
    server = start_server(str(tmp_path / "m"), workers=2)
    workers = children(server.proc.pid)
    server.proc.kill()
    server.proc.wait()
    assert wait_for(lambda: not any(alive(pid) for pid in workers), timeout=5)


def test_runs_from_any_working_directory(start_server, tmp_path):
    fit_logistic(str(tmp_path / "m"))
    os.makedirs(tmp_path / "elsewhere")
    server = start_server(str(tmp_path / "m"), cwd=str(tmp_path / "elsewhere"))
    assert server.post("/invocations", ROW)[0] == 200


def run_serve(args, env_extra):
    env = dict(os.environ, SAGEMAKER_BIND_TO_PORT=str(free_port()), MODELAPI_BIND_HOST="127.0.0.1", **env_extra)
    return subprocess.run([PYTHON, SERVE, *args], env=env, capture_output=True, text=True, timeout=30)


def test_only_serve_is_a_command():
    result = run_serve(["train"], {})
    assert result.returncode == 2
    assert "only serves" in result.stderr


def test_a_port_in_use_is_reported(start_server, tmp_path):
    fit_logistic(str(tmp_path / "m"))
    server = start_server(str(tmp_path / "m"))
    result = subprocess.run(
        [PYTHON, SERVE],
        env=dict(
            os.environ,
            SAGEMAKER_BIND_TO_PORT=str(server.port),
            MODELAPI_BIND_HOST="127.0.0.1",
            SM_MODEL_DIR=str(tmp_path / "m"),
        ),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "cannot listen" in result.stderr
