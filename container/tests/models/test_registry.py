"""The multi-model registry: SageMaker's load/list/describe/invoke/unload routes, shared
by all workers, answering with the texts of AWS's multi-model images (Multi Model Server's), as
the public tests of aws/sagemaker-scikit-learn-container and aws/sagemaker-xgboost-container
(`test/integration/.../test_multiple_model_endpoint.py`) and aws/sagemaker-inference-toolkit
(`test/integration/local/test_dummy_multi_model.py`) read them."""

import threading
import time

import numpy as np
import pytest

from conftest import body_json, fit_forest, fit_logistic, write_code, write_inference


ROW = [[5.1, 3.5, 1.4, 0.2]]


# predict_fn that takes a while and says which worker answered: while one
# worker is busy with it, the next new connection must go to the other worker
SLOW_PID = """
import os, time
def predict_fn(data, model):
    time.sleep(float(os.environ.get("SLOW_SECONDS", "0.6")))
    return {"pid": os.getpid(), "labels": model.predict(data).tolist()}
"""


@pytest.fixture
def multi(start_server):
    return start_server(multi=True, workers=2)


def load(server, name, url):
    return server.post("/models", {"model_name": name, "url": str(url)})


def invoke_on_both_workers(server, name, body):
    """Invoke on two connections at once; the first keeps its worker busy."""
    results = {}

    def call(key):
        results[key] = server.post(f"/models/{name}/invoke", body)

    first = threading.Thread(target=call, args=("first",))
    first.start()
    time.sleep(0.25)
    call("second")
    first.join()
    return results["first"], results["second"]


def test_ping_is_healthy_with_no_model(multi):
    assert multi.request("GET", "/ping")[0] == 200
    assert body_json(multi.request("GET", "/models")[2]) == {"models": []}


def test_load_list_describe_invoke_unload(multi, tmp_path):
    # sklearn/xgboost test_multiple_model_endpoint.py::test_load_and_unload_model and toolkit
    # test_dummy_multi_model.py::test_load_models (the list holds exactly modelName and modelUrl)
    model = fit_logistic(str(tmp_path / "iris"))
    status, _, body = load(multi, "iris", tmp_path / "iris")
    assert status == 200, body
    assert body_json(body) == {"status": "Workers scaled"}

    assert body_json(multi.request("GET", "/models")[2]) == {
        "models": [{"modelName": "iris", "modelUrl": str(tmp_path / "iris")}]
    }
    assert body_json(multi.request("GET", "/models/iris")[2]) == {
        "modelName": "iris",
        "modelUrl": str(tmp_path / "iris"),
    }

    status, _, body = multi.post("/models/iris/invoke", {"instances": ROW}, accept="application/json")
    assert status == 200, body
    assert body_json(body) == {"predictions": model.predict(np.asarray(ROW)).tolist()}

    status, _, body = multi.request("DELETE", "/models/iris")
    assert (status, body_json(body)) == (200, {"status": 'Model "iris" unregistered'})
    status, _, body = multi.post("/models/iris/invoke", ROW)
    assert (status, body_json(body)["message"]) == (404, "Model not found: iris")
    assert multi.request("GET", "/models/iris")[0] == 404
    assert body_json(multi.request("GET", "/models")[2]) == {"models": []}


def test_loading_twice_is_409_already_registered(multi, tmp_path):
    # sklearn/xgboost test_multiple_model_endpoint.py::test_load_one_model_two_times
    fit_logistic(str(tmp_path / "iris"))
    assert load(multi, "iris", tmp_path / "iris")[0] == 200
    status, _, body = load(multi, "iris", tmp_path / "iris")
    assert (status, body_json(body)) == (409, {"status": 409, "message": "Model iris is already registered."})


def test_concurrent_loads_of_one_name_give_one_200(multi, tmp_path):
    fit_logistic(str(tmp_path / "iris"))
    statuses = []
    threads = [
        threading.Thread(target=lambda: statuses.append(load(multi, "same", tmp_path / "iris")[0])) for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * 5


def test_an_unknown_model_is_404_model_not_found_for_invoke_describe_and_unload(multi):
    # sklearn/xgboost test_multiple_model_endpoint.py::test_container_start_invocation_fail (a JSON
    # body sent as text/csv: the 404 comes before the body is read) and ::test_delete_unloaded_model;
    # toolkit test_dummy_multi_model.py::test_unload_non_existing_model
    status, _, body = multi.post("/models/half_plus_three/invoke", {"instances": [1.0, 2.0, 5.0]}, "text/csv")
    assert (status, body_json(body)["message"]) == (404, "Model not found: half_plus_three")
    for method in ("DELETE", "GET"):
        status, _, body = multi.request(method, "/models/non-existing-model")
        assert (status, body_json(body)) == (404, {"status": 404, "message": "Model not found: non-existing-model"})


def test_bad_load_requests(multi, tmp_path):
    # toolkit test_dummy_multi_model.py::test_load_non_existing_model; the texts are Multi Model Server's
    status, _, body = load(multi, "x", tmp_path / "missing")
    assert (status, body_json(body)["message"]) == (404, f"Model not found in model store: {tmp_path / 'missing'}")
    (tmp_path / "file").write_text("x")
    assert load(multi, "x", tmp_path / "file")[0] == 400
    status, _, body = multi.post("/models", {"url": str(tmp_path)})
    assert (status, body_json(body)["message"]) == (400, "Model name is not defined.")
    status, _, body = multi.post("/models", {"model_name": "x"})
    assert (status, body_json(body)["message"]) == (400, "Parameter url is required.")
    assert multi.post("/models", "{not json")[0] == 400
    (tmp_path / "empty").mkdir()
    status, _, body = load(multi, "x", tmp_path / "empty")
    assert status == 400 and "no model file" in body_json(body)["message"]
    assert body_json(multi.request("GET", "/models")[2]) == {"models": []}


def test_single_model_route_is_refused_in_multi_model_mode(multi):
    status, _, body = multi.post("/invocations", ROW)
    assert status == 400 and "/models/{name}/invoke" in body_json(body)["message"]


def test_a_model_loaded_through_one_worker_serves_on_every_worker(multi, tmp_path):
    fit_logistic(str(tmp_path / "slow"))
    write_inference(str(tmp_path / "slow"), SLOW_PID)
    assert load(multi, "slow", tmp_path / "slow")[0] == 200
    first, second = invoke_on_both_workers(multi, "slow", ROW)
    assert first[0] == 200 and second[0] == 200, (first, second)
    assert body_json(first[2])["pid"] != body_json(second[2])["pid"]
    assert body_json(first[2])["labels"] == body_json(second[2])["labels"] == [0]


def test_unload_through_one_worker_unloads_everywhere(multi, tmp_path):
    fit_logistic(str(tmp_path / "slow"))
    write_inference(str(tmp_path / "slow"), SLOW_PID)
    assert load(multi, "slow", tmp_path / "slow")[0] == 200
    invoke_on_both_workers(multi, "slow", ROW)  # both workers now hold it in memory
    assert multi.request("DELETE", "/models/slow")[0] == 200
    for _ in range(4):
        assert multi.post("/models/slow/invoke", ROW)[0] == 404


def test_reloading_a_name_from_another_url_serves_the_new_model(multi, tmp_path):
    fit_logistic(str(tmp_path / "a"))
    write_inference(str(tmp_path / "a"), "def predict_fn(data, model):\n    return ['a']\n")
    fit_logistic(str(tmp_path / "b"))
    write_inference(str(tmp_path / "b"), "def predict_fn(data, model):\n    return ['b']\n")
    assert load(multi, "m", tmp_path / "a")[0] == 200
    assert body_json(multi.post("/models/m/invoke", ROW)[2]) == ["a"]
    assert multi.request("DELETE", "/models/m")[0] == 200
    assert load(multi, "m", tmp_path / "b")[0] == 200
    for _ in range(4):
        assert body_json(multi.post("/models/m/invoke", ROW)[2]) == ["b"]


def test_several_models_side_by_side(multi, tmp_path):
    lr = fit_logistic(str(tmp_path / "lr"))
    rf = fit_forest(str(tmp_path / "rf"))
    assert load(multi, "lr", tmp_path / "lr")[0] == 200
    assert load(multi, "rf", tmp_path / "rf")[0] == 200
    rows = [[6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3]]
    assert body_json(multi.post("/models/lr/invoke", rows)[2]) == lr.predict(np.asarray(rows)).tolist()
    assert body_json(multi.post("/models/rf/invoke", rows)[2]) == rf.predict(np.asarray(rows)).tolist()
    names = [m["modelName"] for m in body_json(multi.request("GET", "/models")[2])["models"]]
    assert names == ["lr", "rf"]
    page = body_json(multi.request("GET", "/models?max_results=1")[2])
    assert page["models"][0]["modelName"] == "lr" and page["nextPageToken"]
    page2 = body_json(multi.request("GET", f"/models?max_results=1&next_page_token={page['nextPageToken']}")[2])
    assert [m["modelName"] for m in page2["models"]] == ["rf"] and "nextPageToken" not in page2


def test_names_with_odd_characters(multi, tmp_path):
    fit_logistic(str(tmp_path / "m"))
    assert load(multi, "team/model v1.tar.gz", tmp_path / "m")[0] == 200
    assert multi.post("/models/team%2Fmodel%20v1.tar.gz/invoke", ROW)[0] == 200
    assert multi.request("DELETE", "/models/team%2Fmodel%20v1.tar.gz")[0] == 200


def test_no_memory_for_the_model_is_507(start_server, tmp_path):
    server = start_server(multi=True, workers=1, env={"MODELAPI_MEMORY_HEADROOM_BYTES": str(1 << 60)})
    fit_logistic(str(tmp_path / "iris"))
    status, _, body = load(server, "iris", tmp_path / "iris")
    assert status == 507
    assert "not enough memory" in body_json(body)["message"]
    assert body_json(server.request("GET", "/models")[2]) == {"models": []}


def test_a_container_script_serves_a_model_in_every_worker(start_server, tmp_path):
    # sklearn test_multiple_model_endpoint.py: SAGEMAKER_PROGRAM and SAGEMAKER_SUBMIT_DIRECTORY on the
    # container; a model loaded through one worker is loaded by the other with the same script
    model = fit_logistic(str(tmp_path / "bare"))
    (tmp_path / "bare" / "model.joblib").rename(tmp_path / "bare" / "estimator.bin")
    write_code(
        tmp_path / "user_code",
        {
            "serve_me.py": """
import os, time
import joblib

def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "estimator.bin"))

def predict_fn(data, model):
    time.sleep(0.6)
    return {"pid": os.getpid(), "labels": model.predict(data).tolist()}
"""
        },
    )
    env = {"SAGEMAKER_PROGRAM": "serve_me.py", "SAGEMAKER_SUBMIT_DIRECTORY": str(tmp_path / "user_code")}
    server = start_server(multi=True, workers=2, env=env)
    assert load(server, "bare", tmp_path / "bare")[0] == 200
    first, second = invoke_on_both_workers(server, "bare", ROW)
    assert first[0] == 200 and second[0] == 200, (first, second)
    assert body_json(first[2])["pid"] != body_json(second[2])["pid"]
    assert body_json(first[2])["labels"] == body_json(second[2])["labels"] == model.predict(np.asarray(ROW)).tolist()
