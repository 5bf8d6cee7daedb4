"""Configuration from the environment: a bad value stops the server with a message naming the
variable; the body limit follows SageMaker's names for it."""

import json
import os
import subprocess

import pytest

from builtin_models import train_builtin
from conftest import PYTHON, SERVE, free_port
from modelapi_serving.config import Config


def run_serve(args, env_extra):
    env = dict(os.environ, SAGEMAKER_BIND_TO_PORT=str(free_port()), MODELAPI_BIND_HOST="127.0.0.1", **env_extra)
    return subprocess.run([PYTHON, SERVE, *args], env=env, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize(
    "env, words",
    [
        ({"SAGEMAKER_MODEL_SERVER_WORKERS": "many"}, "SAGEMAKER_MODEL_SERVER_WORKERS must be an integer"),
        ({"SAGEMAKER_MODEL_SERVER_WORKERS": "0"}, "at least 1"),
        ({"SAGEMAKER_MULTI_MODEL": "maybe"}, "SAGEMAKER_MULTI_MODEL must be true or false"),
        ({"MODELAPI_MAX_BODY_BYTES": "-1"}, "MODELAPI_MAX_BODY_BYTES"),
        ({"MODELAPI_HEADER_TIMEOUT": "0"}, "MODELAPI_HEADER_TIMEOUT must be at least 1"),
        ({"MODELAPI_BODY_TIMEOUT": "soon"}, "MODELAPI_BODY_TIMEOUT must be an integer"),
        ({"MODELAPI_SPOOL_BYTES": "0"}, "MODELAPI_SPOOL_BYTES must be at least 1"),
        ({"MODELAPI_STREAM_CHUNK_BYTES": "1MB"}, "MODELAPI_STREAM_CHUNK_BYTES must be an integer"),
    ],
)
def test_bad_configuration_exits_with_a_clear_message(env, words):
    result = run_serve([], env)
    assert result.returncode == 2
    assert words in result.stderr


def test_sagemaker_max_payload_sets_the_body_limit_and_execution_parameters(start_server, tmp_path):
    train_builtin(str(tmp_path / "m"))
    server = start_server(str(tmp_path / "m"), env={"SAGEMAKER_MAX_PAYLOAD_IN_MB": "1"})
    status, _, body = server.request("GET", "/execution-parameters")
    assert status == 200 and json.loads(body)["MaxPayloadInMB"] == 1
    big = b"5.1,3.5,1.4,0.2\n" * (1024 * 1024 // 16 + 1)
    status, _, body = server.post("/invocations", big, content_type="text/csv")
    assert status == 413, body
    status, _, _ = server.post("/invocations", big[: 1000 * 1024], content_type="text/csv")
    assert status == 200


MIB = 1024 * 1024


@pytest.mark.parametrize(
    "env, limit",
    [
        ({}, 6 * MIB),
        ({"MAX_CONTENT_LENGTH": str(19 * MIB)}, 19 * MIB),
        ({"MAX_CONTENT_LENGTH": str(1024)}, 1024),
        ({"MAX_CONTENT_LENGTH": str(19 * MIB), "SAGEMAKER_MULTI_MODEL": "true"}, 19 * MIB),
        ({"MAX_CONTENT_LENGTH": str(64 * MIB), "SAGEMAKER_MULTI_MODEL": "true"}, 20 * MIB),
        ({"MAX_CONTENT_LENGTH": str(64 * MIB)}, 64 * MIB),
        ({"SAGEMAKER_MAX_REQUEST_SIZE": str(30 * MIB), "SAGEMAKER_MULTI_MODEL": "true"}, 30 * MIB),
        ({"SAGEMAKER_MAX_REQUEST_SIZE": str(30 * MIB)}, 6 * MIB),
        ({"SAGEMAKER_MAX_PAYLOAD_IN_MB": "12", "MAX_CONTENT_LENGTH": "1"}, 12 * MIB),
        ({"MODELAPI_MAX_BODY_BYTES": "1000", "SAGEMAKER_MAX_PAYLOAD_IN_MB": "12"}, 1000),
    ],
)
def test_the_body_limit_follows_aws_names_and_the_multi_model_cap(env, limit):
    # xgboost/sklearn serving_mms.py _set_mms_configs (test_serving_mms.py::test_set_max_content_len,
    # ::test_env_var_setting_single_and_multi_model): in multi-model mode SAGEMAKER_MAX_REQUEST_SIZE,
    # else MAX_CONTENT_LENGTH capped at 20 MiB; algorithm_mode/serve.py takes MAX_CONTENT_LENGTH uncapped
    assert Config.from_env(env).max_body_bytes == limit


def test_only_bodies_larger_than_a_real_time_request_are_spooled_unless_told_otherwise():
    default = Config.from_env({})
    assert default.spool_bytes > default.max_body_bytes  # InvokeEndpoint's bodies stay in memory
    told = Config.from_env(
        {"MODELAPI_SPOOL_BYTES": "4096", "MODELAPI_STREAM_CHUNK_BYTES": "512", "MODELAPI_SPOOL_DIR": "/var/tmp"}
    )
    assert (told.spool_bytes, told.stream_chunk_bytes, told.spool_dir) == (4096, 512, "/var/tmp")
