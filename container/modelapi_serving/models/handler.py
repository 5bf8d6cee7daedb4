"""Which handler serves a model directory.

- A model that ships code (see `entrypoint`), or a joblib/pickle estimator:
  the framework pipeline (`pipeline.ModelHandler`), as AWS's prebuilt
  scikit-learn and XGBoost images run it.
- An `xgboost-model` artifact with no code: SageMaker's built-in XGBoost
  algorithm (`xgboost_builtin.BuiltinXGBoostHandler`).

Both answer `invoke(body, content_type, accept, defer, headers, limit)` with a
`Response` (or, for the framework pipeline, a `pipeline.Pending`).
"""

import os
from typing import Mapping, Optional, Union

from .entrypoint import find_entry_point
from .loading import ModelLoadError, check_model_dir, estimator_files
from .pipeline import ModelHandler
from .xgboost_builtin import BuiltinXGBoostHandler, is_builtin_artifact

__all__ = ["Handler", "ModelHandler", "ModelLoadError", "load_handler"]

Handler = Union[ModelHandler, BuiltinXGBoostHandler]


def load_handler(
    model_dir: str,
    default_accept: Optional[str] = None,
    multi_model: bool = False,
    container_code: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
) -> Handler:
    """Load the model in `model_dir` with the handler its content calls for.

    Args:
        default_accept: `SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`, or None for the
            handler's own default (JSON; CSV for the built-in XGBoost algorithm).
        multi_model, container_code: where the entry script comes from in
            multi-model mode (see `entrypoint.find_entry_point`).

    Raises:
        ModelLoadError: why the directory cannot be served.
    """
    env = os.environ if env is None else env
    check_model_dir(model_dir)
    script = find_entry_point(model_dir, env, multi_model, container_code)
    if script is None and is_builtin_artifact(model_dir):
        if estimator_files(model_dir):
            raise ModelLoadError(
                f"{model_dir} holds both xgboost-model and "
                f"{', '.join(os.path.basename(p) for p in estimator_files(model_dir))}; keep one model"
            )
        return BuiltinXGBoostHandler(model_dir, default_accept, env, multi_model)
    return ModelHandler(model_dir, default_accept, script)
