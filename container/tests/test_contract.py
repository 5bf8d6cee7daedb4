"""The server agrees with the shared data-path contract (contract.json)."""

from modelapi_serving import codecs, contract
from modelapi_serving.config import Config


def test_the_default_body_limit_is_invoke_endpoints_real_time_limit():
    assert Config().max_body_bytes == contract.MAX_PAYLOAD_BYTES["realtime"]
    assert Config.from_env({}).max_body_bytes == contract.MAX_PAYLOAD_BYTES["realtime"]


def test_the_default_answer_type_is_the_contracts():
    # Unset in the config: each handler picks its own default (built-in XGBoost answers CSV, as AWS's
    # algorithm does); the default pipeline's is the contract's.
    assert Config.from_env({}).default_accept is None
    assert codecs.JSON == contract.DEFAULT_CONTENT_TYPE
    assert codecs.DEFAULT_TYPE == contract.DEFAULT_CONTENT_TYPE


def test_limits_are_positive_integers_per_endpoint_kind():
    assert set(contract.MAX_PAYLOAD_BYTES) == {"realtime", "serverless"}
    assert all(isinstance(v, int) and v > 0 for v in contract.MAX_PAYLOAD_BYTES.values())
