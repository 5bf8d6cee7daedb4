"""Server configuration, read once from the environment.

The names are the ones SageMaker sets for bring-your-own containers, plus a few
`MODELAPI_*` knobs for runs outside SageMaker (the local twin, tests).
"""

import os
import tempfile
from dataclasses import dataclass
from typing import Mapping, Optional

from . import contract


class ConfigError(ValueError):
    """An environment variable holds a value the server cannot use."""


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


MIB = 1024 * 1024
DEFAULT_MAX_BODY_BYTES = contract.MAX_PAYLOAD_BYTES[
    "realtime"
]  # InvokeEndpoint's payload limit (AWS doc "InvokeEndpoint")


MULTI_MODEL_MAX_CONTENT_LENGTH = 20 * MIB
DEFAULT_SPOOL_BYTES = 8 * MIB
DEFAULT_STREAM_CHUNK_BYTES = 1 * MIB


def _max_body_bytes(env: Mapping[str, str], multi_model: bool = False) -> int:
    """The request body limit: MODELAPI_MAX_BODY_BYTES, else the names AWS's
    inference toolkit (SAGEMAKER_MAX_PAYLOAD_IN_MB) and its XGBoost and
    scikit-learn images (MAX_CONTENT_LENGTH, bytes) read, else 6 MiB.

    In multi-model mode those images hand the limit to Multi Model Server as
    SAGEMAKER_MAX_REQUEST_SIZE (bytes), which defaults to MAX_CONTENT_LENGTH
    capped at 20 MiB (`serving_mms.py` `_set_mms_configs`, tested by
    `test_serving_mms.py::test_set_max_content_len`)."""
    if env.get("MODELAPI_MAX_BODY_BYTES", "").strip():
        return _int(env, "MODELAPI_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, minimum=1)
    if env.get("SAGEMAKER_MAX_PAYLOAD_IN_MB", "").strip():
        return _int(env, "SAGEMAKER_MAX_PAYLOAD_IN_MB", 6, minimum=1) * MIB
    if multi_model and env.get("SAGEMAKER_MAX_REQUEST_SIZE", "").strip():
        return _int(env, "SAGEMAKER_MAX_REQUEST_SIZE", DEFAULT_MAX_BODY_BYTES, minimum=1)
    limit = _int(env, "MAX_CONTENT_LENGTH", DEFAULT_MAX_BODY_BYTES, minimum=1)
    return min(limit, MULTI_MODEL_MAX_CONTENT_LENGTH) if multi_model else limit


@dataclass(frozen=True)
class Config:
    model_dir: str = "/opt/ml/model"
    host: str = "0.0.0.0"
    port: int = 8080
    multi_model: bool = False
    workers: int = 1
    timeout: int = 60
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT; None: each handler's own default
    # (JSON, or CSV for the built-in XGBoost algorithm, as AWS's images)
    default_accept: Optional[str] = None
    keepalive_timeout: int = 75
    header_timeout: int = 20
    body_timeout: int = 60
    shutdown_grace: float = 3.0
    memory_headroom_bytes: int = 128 * 1024 * 1024
    log_level: str = "INFO"
    batching: bool = True
    registry_dir: Optional[str] = None
    # multi-model: SAGEMAKER_SUBMIT_DIRECTORY resolved once at start (`entrypoint.resolve_container_code`)
    container_code: Optional[str] = None
    # a body larger than this goes to an unnamed file in spool_dir as it arrives, and CSV rows are then
    # decoded, predicted and encoded stream_chunk_bytes at a time (see `models.streaming`); the default
    # is above InvokeEndpoint's 6 MiB, so only asynchronous-size bodies are spooled
    spool_bytes: int = DEFAULT_SPOOL_BYTES
    spool_dir: Optional[str] = None
    stream_chunk_bytes: int = DEFAULT_STREAM_CHUNK_BYTES

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Config":
        env = os.environ if env is None else env
        default_accept = env.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "").strip() or None
        multi_model = _bool(env, "SAGEMAKER_MULTI_MODEL", False)
        return cls(
            model_dir=env.get("SM_MODEL_DIR", "").strip() or "/opt/ml/model",
            host=env.get("MODELAPI_BIND_HOST", "").strip() or "0.0.0.0",
            port=_int(env, "SAGEMAKER_BIND_TO_PORT", 8080, minimum=0),
            multi_model=multi_model,
            workers=_int(env, "SAGEMAKER_MODEL_SERVER_WORKERS", _cpu_count(), minimum=1),
            timeout=_int(env, "SAGEMAKER_MODEL_SERVER_TIMEOUT", 60, minimum=1),
            max_body_bytes=_max_body_bytes(env, multi_model),
            default_accept=default_accept,
            keepalive_timeout=_int(env, "MODELAPI_KEEPALIVE_TIMEOUT", 75, minimum=1),
            header_timeout=_int(env, "MODELAPI_HEADER_TIMEOUT", 20, minimum=1),
            body_timeout=_int(env, "MODELAPI_BODY_TIMEOUT", 60, minimum=1),
            memory_headroom_bytes=_int(env, "MODELAPI_MEMORY_HEADROOM_BYTES", 128 * 1024 * 1024),
            log_level=(env.get("MODELAPI_LOG_LEVEL", "").strip() or "INFO").upper(),
            batching=_bool(env, "MODELAPI_BATCHING", True),
            spool_bytes=_int(env, "MODELAPI_SPOOL_BYTES", DEFAULT_SPOOL_BYTES, minimum=1),
            spool_dir=env.get("MODELAPI_SPOOL_DIR", "").strip() or tempfile.gettempdir(),
            stream_chunk_bytes=_int(env, "MODELAPI_STREAM_CHUNK_BYTES", DEFAULT_STREAM_CHUNK_BYTES, minimum=1),
        )
