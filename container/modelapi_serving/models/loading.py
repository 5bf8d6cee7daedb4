"""Finding and loading the model file in a model directory (no user code involved).

Two kinds of artifact are recognised at the top of the directory:
- a joblib/pickle estimator (`*.joblib`, `*.pkl`, `*.pickle`), as AWS's
  prebuilt scikit-learn image expects;
- `xgboost-model` (or an ensemble `xgboost-model-0`, `xgboost-model-1`, ...),
  as SageMaker's built-in XGBoost algorithm writes it: a pickled Booster or
  XGBoost's own binary, JSON or UBJSON format.
"""

import glob
import os
import pickle
import stat
from typing import Any, List, Tuple

MODEL_PATTERNS = ("*.joblib", "*.pkl", "*.pickle")
PREFERRED = ("model.joblib", "model.pkl", "model.pickle")
XGBOOST_MODEL = "xgboost-model"


class ModelLoadError(Exception):
    """The model directory cannot be turned into a usable model.

    `client_fault` is True when the reason is in the directory's content (no
    model file, several candidates...), as opposed to user code that raised.
    """

    def __init__(self, message: str, client_fault: bool = True):
        super().__init__(message)
        self.client_fault = client_fault


def _denied() -> str:
    return (
        f"permission denied (running as uid {os.getuid()}); make it world-readable "
        "(chmod -R a+rX) or run the server as the directory's owner"
    )


def check_model_dir(model_dir: str) -> None:
    """Raise a ModelLoadError saying why `model_dir` cannot be read, if it cannot."""
    try:
        if not stat.S_ISDIR(os.stat(model_dir).st_mode):
            raise ModelLoadError(f"model directory {model_dir} is not a directory")
    except FileNotFoundError:
        raise ModelLoadError(f"model directory {model_dir} does not exist") from None
    except PermissionError:
        raise ModelLoadError(f"cannot reach model directory {model_dir}: {_denied()}") from None
    if not os.access(model_dir, os.R_OK | os.X_OK):
        raise ModelLoadError(f"cannot read model directory {model_dir}: {_denied()}")


def xgboost_model_files(model_dir: str) -> List[str]:
    """The built-in algorithm's model files in `model_dir`, sorted: `xgboost-model`
    and/or `xgboost-model-*` (an ensemble)."""
    found = []
    for name in os.listdir(model_dir):
        if name == XGBOOST_MODEL or name.startswith(XGBOOST_MODEL + "-"):
            path = os.path.join(model_dir, name)
            if os.path.isfile(path):
                found.append(path)
    return sorted(found)


def estimator_files(model_dir: str) -> List[str]:
    return sorted({p for pattern in MODEL_PATTERNS for p in glob.glob(os.path.join(model_dir, pattern))})


def find_model_file(model_dir: str) -> str:
    """The single joblib/pickle file at the top of `model_dir`."""
    check_model_dir(model_dir)
    candidates = estimator_files(model_dir)
    if not candidates:
        raise ModelLoadError(
            f"no model file ({', '.join(MODEL_PATTERNS)}, {XGBOOST_MODEL}) in {model_dir}; "
            "save the estimator with joblib.dump or ship code/inference.py with a model_fn"
        )
    if len(candidates) == 1:
        return candidates[0]
    for name in PREFERRED:
        path = os.path.join(model_dir, name)
        if path in candidates:
            return path
    raise ModelLoadError(
        f"several model files in {model_dir} ({', '.join(os.path.basename(c) for c in candidates)}); "
        "name the one to serve model.joblib or ship code/inference.py with a model_fn"
    )


def load_estimator(model_dir: str) -> Any:
    """Load the joblib/pickle estimator found in `model_dir`."""
    import joblib

    path = find_model_file(model_dir)
    try:
        return joblib.load(path)
    except PermissionError:
        raise ModelLoadError(
            f"permission denied reading {path} (running as uid {os.getuid()}); " "make the model files world-readable"
        ) from None


PICKLED, NATIVE = "pickled", "native"  # how an `xgboost-model` file holds its Booster


def load_booster(path: str) -> Any:
    """Load one `xgboost-model` file as the built-in algorithm does (see `load_booster_and_format`)."""
    return load_booster_and_format(path)[0]


def load_booster_and_format(path: str) -> Tuple[Any, str]:
    """Load one `xgboost-model` file as the built-in algorithm does: a pickled
    Booster first (PICKLED), else XGBoost's own formats, binary, JSON or UBJSON
    (NATIVE). The built-in checks request widths only for pickled Boosters."""
    import xgboost

    try:
        with open(path, "rb") as f:
            booster = pickle.load(f)
        fmt = PICKLED
    except PermissionError:
        raise ModelLoadError(f"permission denied reading {path} (running as uid {os.getuid()})") from None
    except Exception as pickle_error:
        booster = xgboost.Booster()
        fmt = NATIVE
        try:
            booster.load_model(path)
        except Exception as native_error:
            raise ModelLoadError(
                f"{path} is neither a pickled Booster ({type(pickle_error).__name__}: {pickle_error}) nor an "
                f"XGBoost model file ({str(native_error).strip().splitlines()[-1][:200]})"
            ) from None
    if not isinstance(booster, xgboost.Booster):
        raise ModelLoadError(f"{path} holds a pickled {type(booster).__name__}, not an xgboost Booster")
    # one thread per worker process: the server already runs one worker per core
    booster.set_param("nthread", "1")
    return booster, fmt


def default_model_fn(model_dir: str) -> Any:
    """Load the model in `model_dir` when the user code has no `model_fn`.

    Args:
        model_dir: the unpacked model directory.

    Returns:
        The joblib/pickle estimator, or the Booster in `xgboost-model`.
    """
    check_model_dir(model_dir)
    boosters = xgboost_model_files(model_dir)
    if boosters and not estimator_files(model_dir):
        return load_booster(boosters[0])
    return load_estimator(model_dir)
