"""A worker: its model loads before /ping says healthy, and keep-alive connections are shared
fairly between workers."""

import time


from conftest import body_json, fit_logistic, write_inference


ROW = [[5.1, 3.5, 1.4, 0.2]]


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_ping_fails_until_the_model_is_loaded(start_server, tmp_path):
    # model_fn says it has started, then waits for the test's go-ahead: /ping is asked while the model is
    # certainly still loading, and again once it has certainly finished
    loading, release = tmp_path / "loading", tmp_path / "release"
    fit_logistic(str(tmp_path / "m"))
    write_inference(
        str(tmp_path / "m"),
        f"""
import os, time, joblib
def model_fn(model_dir):
    open({str(loading)!r}, "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists({str(release)!r}) and time.monotonic() < deadline:
        time.sleep(0.01)
    return joblib.load(os.path.join(model_dir, "model.joblib"))
""",
    )
    server = start_server(str(tmp_path / "m"), ready=False)

    def ping():
        try:
            return server.request("GET", "/ping", timeout=0.5)[0]
        except OSError:
            return None  # not answered: the loading worker does not accept yet

    assert wait_for(loading.exists, timeout=30), server.read_log()
    for _ in range(3):
        assert ping() != 200, "/ping answered 200 while model_fn was still running"
    assert "model loaded" not in server.read_log()
    release.touch()
    assert wait_for(lambda: ping() == 200, timeout=30), server.read_log()
    assert "model loaded" in server.read_log()


def test_keep_alive_connections_are_shared_fairly_between_workers(start_server, tmp_path):
    import http.client
    from collections import Counter

    fit_logistic(str(tmp_path / "m"))
    write_inference(str(tmp_path / "m"), "import os\ndef predict_fn(data, model):\n    return [os.getpid()]\n")
    server = start_server(str(tmp_path / "m"), workers=2)
    conns = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=5) for _ in range(8)]
    pids = []
    for conn in conns:
        conn.request("POST", "/invocations", body="[[1,2,3,4]]", headers={"Content-Type": "application/json"})
        pids.append(body_json(conn.getresponse().read())[0])
    # each connection stays with its worker
    for conn, pid in zip(conns, pids):
        conn.request("POST", "/invocations", body="[[1,2,3,4]]", headers={"Content-Type": "application/json"})
        assert body_json(conn.getresponse().read())[0] == pid
        conn.close()
    assert sorted(Counter(pids).values()) == [4, 4], pids
