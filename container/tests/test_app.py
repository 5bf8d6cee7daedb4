"""The route table: one row per route, a path that matches with another method is 405 naming the
methods it has, an unknown path 404, and multi-model routes exist only in multi-model mode."""

import json

from modelapi_serving.app import ROUTES, App
from modelapi_serving.config import Config
from modelapi_serving.http.messages import Request, Response


def answer(app, method, target, body=b""):
    result = app.handle(Request(method, target, {}, body))
    assert isinstance(result, Response)
    return result.status, json.loads(result.body)


def test_every_route_is_one_row_of_method_pattern_and_handler():
    rows = {(route.method, route.pattern.pattern) for route in ROUTES}
    assert len(rows) == len(ROUTES)
    assert ("POST", "/invocations") in rows and ("GET", "/ping") in rows and ("HEAD", "/ping") in rows
    assert all(callable(route.handler) for route in ROUTES)
    assert {route.pattern.pattern for route in ROUTES if route.multi_model} == {
        "/models/?",
        "/models/(?P<name>[^/]+)",
        "/models/(?P<name>[^/]+)/invoke",
    }


def test_a_known_path_with_another_method_is_405_naming_the_methods_it_has():
    app = App(Config())
    assert answer(app, "DELETE", "/ping") == (405, {"status": 405, "message": "use GET or HEAD"})
    assert answer(app, "GET", "/invocations") == (405, {"status": 405, "message": "use POST"})


def test_an_unknown_path_is_404_naming_it():
    assert answer(App(Config()), "GET", "/nope?x=1") == (404, {"status": 404, "message": "no route for /nope"})


def test_multi_model_routes_are_404_in_single_model_mode():
    status, body = answer(App(Config()), "GET", "/models")
    assert status == 404
    assert body["message"] == "multi-model routes are off; start the server with SAGEMAKER_MULTI_MODEL=true"


def test_ping_says_loading_until_a_model_is_there_and_why_it_failed_after():
    app = App(Config())
    assert answer(app, "GET", "/ping") == (503, {"status": 503, "message": "model is loading"})
    app.load_error = "no model file"
    assert answer(app, "GET", "/ping") == (500, {"status": 500, "message": "model failed to load: no model file"})


def test_path_parameters_are_unquoted(tmp_path):
    from modelapi_serving.models.registry import Registry

    app = App(Config(), Registry(str(tmp_path)))
    status, body = answer(app, "GET", "/models/team%2Fmodel%20v1")
    assert (status, body["message"]) == (404, "Model not found: team/model v1")


def test_execution_parameters_in_multi_model_mode_report_the_capped_limit(tmp_path):
    # the execution-parameters plugin of AWS's multi-model images reports max_request_size in MiB:
    # MAX_CONTENT_LENGTH capped at 20 MiB (xgboost serving_mms.py _set_mms_configs, ExecutionParameters.java)
    from modelapi_serving.models.registry import Registry

    env = {
        "SAGEMAKER_MULTI_MODEL": "true",
        "MAX_CONTENT_LENGTH": str(64 * 1024 * 1024),
        "SAGEMAKER_MODEL_SERVER_WORKERS": "3",
    }
    app = App(Config.from_env(env), Registry(str(tmp_path)))
    assert answer(app, "GET", "/execution-parameters") == (
        200,
        {"MaxConcurrentTransforms": 3, "BatchStrategy": "MULTI_RECORD", "MaxPayloadInMB": 20},
    )


def test_execution_parameters_report_max_content_length_in_mib():
    # xgboost test/unit/algorithm_mode/test_serve.py::test_default_execution_parameters (6 MiB by default)
    # and ::test_max_execution_parameters (MAX_CONTENT_LENGTH of 19 MiB reported as 19)
    for env, mib in (({}, 6), ({"MAX_CONTENT_LENGTH": str(19 * 1024 * 1024)}, 19)):
        app = App(Config.from_env({"SAGEMAKER_MODEL_SERVER_WORKERS": "2", **env}))
        assert answer(app, "GET", "/execution-parameters") == (
            200,
            {"MaxConcurrentTransforms": 2, "BatchStrategy": "MULTI_RECORD", "MaxPayloadInMB": mib},
        )
