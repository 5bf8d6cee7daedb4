"""Every input format, every output format, and content negotiation, over HTTP."""

import io
import json

import numpy as np

from conftest import body_json


def expected(server, rows):
    return server.model.predict(np.asarray(rows)).tolist()


def test_ping_is_healthy_once_the_model_is_loaded(iris_server):
    status, headers, body = iris_server.request("GET", "/ping")
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert body_json(body) == {"status": "healthy"}


def test_bare_json_list_of_rows_gives_a_bare_list(iris_server, rows):
    status, headers, body = iris_server.post("/invocations", rows)
    assert status == 200, body
    assert headers["content-type"] == "application/json"
    assert body_json(body) == expected(iris_server, rows)


def test_json_instances_give_predictions(iris_server, rows):
    status, _, body = iris_server.post("/invocations", {"instances": rows})
    assert status == 200, body
    assert body_json(body) == {"predictions": expected(iris_server, rows)}


def test_json_inputs_give_outputs(iris_server, rows):
    status, _, body = iris_server.post("/invocations", {"inputs": rows})
    assert status == 200, body
    assert body_json(body) == {"outputs": expected(iris_server, rows)}


def test_a_flat_json_list_is_one_row(iris_server, rows):
    status, _, body = iris_server.post("/invocations", rows[2])
    assert status == 200, body
    assert body_json(body) == expected(iris_server, [rows[2]])


def test_missing_content_type_is_read_as_json(iris_server, rows):
    status, _, body = iris_server.post("/invocations", rows, content_type=None)
    assert status == 200, body
    assert body_json(body) == expected(iris_server, rows)


def test_content_type_parameters_are_ignored(iris_server, rows):
    status, _, body = iris_server.post("/invocations", rows, content_type="Application/JSON; charset=utf-8")
    assert status == 200, body


def test_csv_rows(iris_server, rows):
    csv_body = "\n".join(",".join(str(v) for v in r) for r in rows) + "\n"
    status, _, body = iris_server.post("/invocations", csv_body, content_type="text/csv")
    assert status == 200, body
    assert body_json(body) == expected(iris_server, rows)


def test_csv_with_crlf_and_quoted_fields(iris_server, rows):
    csv_body = "\r\n".join(",".join(f'"{v}"' for v in r) for r in rows)
    status, _, body = iris_server.post("/invocations", csv_body, content_type="text/csv")
    assert status == 200, body
    assert body_json(body) == expected(iris_server, rows)


def test_npy_rows(iris_server, rows):
    buf = io.BytesIO()
    np.save(buf, np.asarray(rows, dtype=np.float32))
    status, _, body = iris_server.post("/invocations", buf.getvalue(), content_type="application/x-npy")
    assert status == 200, body
    assert body_json(body) == expected(iris_server, rows)


def test_accept_csv(iris_server, rows):
    status, headers, body = iris_server.post("/invocations", rows, accept="text/csv")
    assert status == 200
    assert headers["content-type"] == "text/csv"
    assert body.decode().split() == [str(v) for v in expected(iris_server, rows)]


def test_accept_npy(iris_server, rows):
    status, headers, body = iris_server.post("/invocations", rows, accept="application/x-npy")
    assert status == 200
    assert headers["content-type"] == "application/x-npy"
    assert np.load(io.BytesIO(body), allow_pickle=False).tolist() == expected(iris_server, rows)


def test_accept_json_explicitly_and_wildcards(iris_server, rows):
    for accept in ("application/json", "*/*", "application/*", "text/html;q=0.9, application/json"):
        status, headers, _ = iris_server.post("/invocations", rows, accept=accept)
        assert status == 200, accept
        assert headers["content-type"] == "application/json", accept


def test_accept_quality_values_choose_the_preferred_type(iris_server, rows):
    status, headers, _ = iris_server.post("/invocations", rows, accept="application/json;q=0.5, text/csv;q=0.9")
    assert status == 200
    assert headers["content-type"] == "text/csv"


def test_unproducible_accept_is_406(iris_server, rows):
    status, headers, body = iris_server.post("/invocations", rows, accept="application/xml")
    assert status == 406
    assert headers["content-type"] == "application/json"
    err = body_json(body)
    assert err["status"] == 406 and "application/xml" in err["message"]


def test_unsupported_content_type_is_415(iris_server, rows):
    status, _, body = iris_server.post("/invocations", "a=1", content_type="application/x-www-form-urlencoded")
    assert status == 415
    assert "application/x-www-form-urlencoded" in body_json(body)["message"]


def test_forest_and_xgboost_models(start_server, tmp_path, rows):
    from conftest import fit_forest, fit_xgboost

    for fit in (fit_forest, fit_xgboost):
        model_dir = str(tmp_path / fit.__name__)
        model = fit(model_dir)
        server = start_server(model_dir)
        status, _, body = server.post("/invocations", {"instances": rows})
        assert status == 200, body
        assert body_json(body) == {"predictions": model.predict(np.asarray(rows)).tolist()}
        server.stop()


def test_xgboost_accepts_missing_values(start_server, tmp_path):
    from conftest import fit_xgboost

    model = fit_xgboost(str(tmp_path / "m"))
    server = start_server(str(tmp_path / "m"))
    status, _, body = server.post("/invocations", [[5.1, None, 1.4, 0.2]])
    assert status == 200, body
    assert body_json(body) == model.predict(np.asarray([[5.1, np.nan, 1.4, 0.2]])).tolist()
    status, _, body = server.post("/invocations", "5.1,,1.4,0.2\n6.2,2.9,,1.3\n", content_type="text/csv")
    assert status == 200, body
    want = model.predict(np.asarray([[5.1, np.nan, 1.4, 0.2], [6.2, 2.9, np.nan, 1.3]])).tolist()
    assert body_json(body) == want
    assert body_json(server.post("/invocations", [[5.1, None, 1.4, 0.2], [6.2, 2.9, None, 1.3]])[2]) == want


def test_execution_parameters_for_batch_transform(iris_server):
    status, _, body = iris_server.request("GET", "/execution-parameters")
    assert status == 200
    assert body_json(body) == {"MaxConcurrentTransforms": 2, "BatchStrategy": "MULTI_RECORD", "MaxPayloadInMB": 1}


def test_string_class_labels_in_every_format(start_server, tmp_path, rows):
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    data = load_iris()
    model = LogisticRegression(max_iter=1000).fit(data.data, data.target_names[data.target])
    (tmp_path / "m").mkdir()
    joblib.dump(model, tmp_path / "m" / "model.joblib")
    server = start_server(str(tmp_path / "m"))
    want = model.predict(np.asarray(rows)).tolist()
    assert body_json(server.post("/invocations", rows)[2]) == want
    assert server.post("/invocations", rows, accept="text/csv")[2].decode().split() == want
    status, _, body = server.post("/invocations", rows, accept="application/x-npy")
    assert status == 200
    assert np.load(io.BytesIO(body), allow_pickle=False).tolist() == want


def test_json_body_is_compact_and_valid(iris_server, rows):
    _, _, body = iris_server.post("/invocations", {"instances": rows})
    assert json.loads(body) and b" " not in body


def test_rows_as_objects_follow_the_models_feature_names(start_server, tmp_path):
    import joblib
    import pandas as pd
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    data = load_iris(as_frame=True)
    model = LogisticRegression(max_iter=1000).fit(data.data, data.target)
    (tmp_path / "m").mkdir()
    joblib.dump(model, tmp_path / "m" / "model.joblib")
    server = start_server(str(tmp_path / "m"))
    names = list(data.data.columns)
    rows = [dict(zip(names, [5.1, 3.5, 1.4, 0.2])), dict(zip(names, [7.7, 3.0, 6.1, 2.3]))]
    shuffled = [dict(reversed(list(r.items()))) for r in rows]  # key order does not matter
    want = model.predict(pd.DataFrame(rows, columns=names)).tolist()
    status, _, body = server.post("/invocations", {"instances": shuffled})
    assert status == 200, body
    assert body_json(body) == {"predictions": want}

    status, _, body = server.post("/invocations", [{names[0]: 1.0}])
    assert status == 400
    assert "lacks" in body_json(body)["message"] and names[1] in body_json(body)["message"]
    status, _, body = server.post("/invocations", [dict(rows[0], extra=1)])
    assert status == 400 and "unknown 'extra'" in body_json(body)["message"]
    status, _, body = server.post("/invocations", [rows[0], [1, 2, 3, 4]])
    assert status == 400 and "mixes" in body_json(body)["message"]
    assert "valid feature names" not in server.read_log()


def test_rows_as_objects_need_a_model_with_feature_names(iris_server):
    status, _, body = iris_server.post("/invocations", [{"a": 1}])
    assert status == 400
    assert "not fitted with feature names" in body_json(body)["message"]
