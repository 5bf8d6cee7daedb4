"""The inference pipeline for one model: load, decode, predict, encode.

The steps and their names follow AWS's prebuilt scikit-learn container, so a
`model.tar.gz` made for it runs here unchanged. A model directory may ship
`code/inference.py` defining any of:

- `model_fn(model_dir)` -> model
- `input_fn(request_body, content_type)` -> data
- `predict_fn(data, model)` -> prediction
- `output_fn(prediction, accept)` -> body, or `(body, content_type)`
- `transform_fn(model, request_body, content_type, accept)` -> body, or
  `(body, content_type)`; replaces the three steps above and cannot be combined
  with them.

Steps not defined there use the defaults below. `request_body` is `str` for
JSON and CSV and `bytes` otherwise, as in AWS's container.
"""

import glob
import hashlib
import importlib.util
import logging
import os
import stat
import sys

import numpy as np

from . import codecs
from .errors import BadRequest, HttpError, InternalError, NotAcceptable, error_body, status_of

log = logging.getLogger("modelapi.handler")

MODEL_PATTERNS = ("*.joblib", "*.pkl", "*.pickle")
PREFERRED = ("model.joblib", "model.pkl", "model.pickle")
USER_FUNCTIONS = ("model_fn", "input_fn", "predict_fn", "output_fn", "transform_fn")


class ModelLoadError(Exception):
    """The model directory cannot be turned into a usable model.

    `client_fault` is True when the reason is in the directory's content (no
    model file, several candidates...), as opposed to user code that raised.
    """

    def __init__(self, message, client_fault=True):
        super().__init__(message)
        self.client_fault = client_fault


def find_model_file(model_dir: str) -> str:
    """The single joblib/pickle file at the top of `model_dir`."""
    denied = (f"permission denied (running as uid {os.getuid()}); make it world-readable "
              "(chmod -R a+rX) or run the server as the directory's owner")
    try:
        if not stat.S_ISDIR(os.stat(model_dir).st_mode):
            raise ModelLoadError(f"model directory {model_dir} is not a directory")
    except FileNotFoundError:
        raise ModelLoadError(f"model directory {model_dir} does not exist") from None
    except PermissionError:
        raise ModelLoadError(f"cannot reach model directory {model_dir}: {denied}") from None
    if not os.access(model_dir, os.R_OK | os.X_OK):
        raise ModelLoadError(f"cannot read model directory {model_dir}: {denied}")
    candidates = sorted({p for pattern in MODEL_PATTERNS for p in glob.glob(os.path.join(model_dir, pattern))})
    if not candidates:
        raise ModelLoadError(
            f"no model file ({', '.join(MODEL_PATTERNS)}) in {model_dir}; "
            "save the estimator with joblib.dump or ship code/inference.py with a model_fn")
    if len(candidates) == 1:
        return candidates[0]
    for name in PREFERRED:
        path = os.path.join(model_dir, name)
        if path in candidates:
            return path
    raise ModelLoadError(
        f"several model files in {model_dir} ({', '.join(os.path.basename(c) for c in candidates)}); "
        "name the one to serve model.joblib or ship code/inference.py with a model_fn")


def default_model_fn(model_dir: str):
    """Load the joblib/pickle estimator found in `model_dir`.

    Args:
        model_dir: the unpacked model directory.

    Returns:
        The deserialized estimator.
    """
    import joblib

    path = find_model_file(model_dir)
    try:
        return joblib.load(path)
    except PermissionError:
        raise ModelLoadError(
            f"permission denied reading {path} (running as uid {os.getuid()}); "
            "make the model files world-readable") from None


def load_user_module(model_dir: str):
    """Import `model_dir/code/inference.py` if it exists, else None."""
    code_dir = os.path.join(model_dir, "code")
    path = os.path.join(code_dir, "inference.py")
    if not os.path.isfile(path):
        return None
    if os.path.isfile(os.path.join(code_dir, "requirements.txt")):
        log.warning("%s/requirements.txt is not installed at start-up (SageMaker endpoints may run "
                    "without network access); bake the packages into the image instead", code_dir)
    # helper modules next to inference.py import as they do in AWS's container
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)
    # a unique module name per model directory: multi-model mode may hold several
    name = "modelapi_user_" + hashlib.sha1(os.path.abspath(path).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _allows_nan(model) -> bool:
    try:
        return bool(model._get_tags().get("allow_nan", False))
    except Exception:
        return False


def _feature_names(model):
    try:
        names = getattr(model, "feature_names_in_", None)
    except Exception:
        return None
    return [str(n) for n in names] if names is not None else None


def _n_features(model):
    try:
        value = getattr(model, "n_features_in_", None)
    except Exception:
        return None
    return int(value) if isinstance(value, (int, np.integer)) else None


class Prepared:
    """A request decoded and checked by the default pipeline, waiting for its
    prediction; the worker may predict several of these in one call."""

    __slots__ = ("handler", "data", "envelope", "response_type", "protocol", "keep_alive")

    def __init__(self, handler, data, envelope, response_type):
        self.handler = handler
        self.data = data
        self.envelope = envelope
        self.response_type = response_type
        self.protocol = None
        self.keep_alive = True


class ModelHandler:
    """One loaded model and the pipeline that serves it."""

    def __init__(self, model_dir: str, default_accept: str = codecs.JSON):
        self.model_dir = model_dir
        self.default_accept = default_accept
        try:
            module = load_user_module(model_dir)
        except Exception as exc:
            raise ModelLoadError(f"code/inference.py failed to import: {type(exc).__name__}: {exc}",
                                 client_fault=False) from exc
        fns = {n: getattr(module, n) for n in USER_FUNCTIONS if module is not None and callable(getattr(module, n, None))}
        if "transform_fn" in fns and {"input_fn", "predict_fn", "output_fn"} & fns.keys():
            raise ModelLoadError(
                "code/inference.py defines transform_fn together with input_fn, predict_fn or output_fn; "
                "transform_fn replaces those three, define one or the other")
        self.user_functions = sorted(fns)
        self.transform_fn = fns.get("transform_fn")
        self.input_fn = fns.get("input_fn")
        self.predict_fn = fns.get("predict_fn")
        self.output_fn = fns.get("output_fn")
        model_fn = fns.get("model_fn", default_model_fn)
        try:
            self.model = model_fn(model_dir)
        except ModelLoadError:
            raise
        except MemoryError:
            raise
        except Exception as exc:
            raise ModelLoadError(f"model_fn failed: {type(exc).__name__}: {exc}", client_fault=False) from exc
        if self.model is None:
            raise ModelLoadError("model_fn returned None")
        if self.predict_fn is None and self.transform_fn is None and not callable(getattr(self.model, "predict", None)):
            raise ModelLoadError(
                f"the loaded {type(self.model).__name__} has no predict() method; "
                "ship code/inference.py with a predict_fn")
        self.n_features = _n_features(self.model)
        self.feature_names = _feature_names(self.model)
        self.allow_nan = _allows_nan(self.model)
        # the default predict step validates finiteness itself, so sklearn need not
        self.validates_input = self.predict_fn is None and self.transform_fn is None
        # rows from concurrent requests can share one predict() call only when
        # every step is ours: user code may depend on seeing one request at a time
        self.batchable = not fns or set(fns) == {"model_fn"}
        if fns:
            log.info("model %s uses code/inference.py: %s", model_dir, ", ".join(self.user_functions))

    # -- the default steps --------------------------------------------------

    def records_to_array(self, records):
        """Order rows given as `{feature name: value}` objects by the model's feature names.

        Raises:
            BadRequest: when the model has no feature names or a row's keys do not match them.
        """
        names = self.feature_names
        if names is None:
            raise BadRequest("this model was not fitted with feature names; "
                             "send each row as a list of numbers in training order")
        wanted = set(names)
        for i, row in enumerate(records):
            if row.keys() != wanted:
                missing = sorted(wanted - row.keys())
                unknown = sorted(row.keys() - wanted)
                parts = []
                if missing:
                    parts.append("lacks " + ", ".join(repr(m) for m in missing[:5]))
                if unknown:
                    parts.append("has unknown " + ", ".join(repr(u) for u in unknown[:5]))
                raise BadRequest(f"row {i} {' and '.join(parts)}; the model's features are "
                                 + ", ".join(repr(n) for n in names[:20]))
        return codecs.float_rows([[row[n] for n in names] for row in records], "the rows")

    def check_features(self, data):
        """Validate a decoded array before the default predict step.

        Raises:
            BadRequest: for a wrong shape, feature count, or values the model rejects.
        """
        if not isinstance(data, np.ndarray):
            return
        if data.ndim == 1:
            data = data.reshape(1, -1)
        if data.ndim != 2:
            raise BadRequest(f"expected rows of features (a 2-D array), got a {data.ndim}-D array of shape {list(data.shape)}")
        if data.shape[0] == 0:
            raise BadRequest("no rows to predict")
        if self.n_features is not None and data.shape[1] != self.n_features:
            raise BadRequest(f"expected {self.n_features} features per row, got {data.shape[1]}")
        if data.dtype.kind == "f" and not np.isfinite(data).all():
            if np.isinf(data).any():
                row = int(np.argwhere(np.isinf(data))[0][0])
                raise BadRequest(f"row {row} contains an infinite value; features must be finite numbers")
            if not self.allow_nan:
                row = int(np.argwhere(np.isnan(data))[0][0])
                raise BadRequest(
                    f"row {row} contains a missing value (NaN, null or an empty CSV field); "
                    "this model does not accept missing values")
        return data

    def invoke(self, body: bytes, content_type: str, accept: str, defer: bool = False):
        """Run the pipeline on one request.

        Args:
            defer: for a model on the default pipeline, stop after decoding and
                checking and return a `Prepared` for `predict_many`.

        Returns:
            `(response_body: bytes, response_content_type: str)`, or a `Prepared`.

        Raises:
            HttpError: client errors (4xx) and model failures (500).
        """
        content_type = content_type or codecs.JSON
        if self.transform_fn is not None:
            user_accept = accept if accept and accept.strip() != "*/*" else self.default_accept
            result = self._call_user(self.transform_fn, self.model, self._user_body(body, content_type),
                                     content_type, user_accept)
            return self._as_response(result, user_accept)

        envelope = None
        if self.output_fn is None:
            # negotiate before doing any work: a 406 should cost nothing
            response_type = codecs.choose_accept(accept, self.default_accept)
        else:
            response_type = accept if accept and accept.strip() != "*/*" else self.default_accept

        if self.input_fn is None:
            data, envelope = codecs.decode(body, content_type)
        else:
            data = self._call_user(self.input_fn, self._user_body(body, content_type), content_type)

        if self.predict_fn is None:
            if isinstance(data, codecs.Records):
                data = self.records_to_array(data)
            data = self.check_features(data) if isinstance(data, np.ndarray) else data
            if defer and self.batchable and isinstance(data, np.ndarray) and data.dtype == np.float64:
                return Prepared(self, data, envelope, response_type)
            prediction = self._predict(data)
        else:
            prediction = self._call_user(self.predict_fn, data, self.model)

        if self.output_fn is None:
            return codecs.encode(prediction, response_type, envelope), response_type
        return self._as_response(self._call_user(self.output_fn, prediction, response_type), response_type)

    def predict_many(self, items):
        """Predict several prepared requests, in one `predict()` call when possible.

        Rows of all requests are stacked into one array, predicted together and
        split back; estimators predict each row independently, so every request
        gets what it would have got alone. If the joint call fails (one request
        may hold rows the model rejects) each request is predicted on its own,
        so a failure stays with the request that caused it.

        Returns:
            One `(status, content_type, body)` per item, in order.
        """
        predictions = None
        if len(items) > 1:
            width = items[0].data.shape[1]
            if all(item.data.shape[1] == width for item in items):
                stacked = np.concatenate([item.data for item in items])
                try:
                    joint = self.model.predict(stacked)
                except Exception:
                    joint = None
                if isinstance(joint, np.ndarray) and joint.ndim >= 1 and joint.shape[0] == stacked.shape[0]:
                    predictions, start = [], 0
                    for item in items:
                        end = start + item.data.shape[0]
                        predictions.append(joint[start:end])
                        start = end
        responses = []
        for i, item in enumerate(items):
            try:
                prediction = predictions[i] if predictions is not None else self._predict(item.data)
                body = codecs.encode(prediction, item.response_type, item.envelope)
                responses.append((200, item.response_type, body))
            except HttpError as exc:
                responses.append((exc.status, codecs.JSON, error_body(exc.status, exc.message)))
            except Exception:
                log.exception("encoding a prediction failed")
                responses.append((500, codecs.JSON, error_body(500, "internal server error; the server log has the details")))
        return responses

    def _predict(self, data):
        try:
            return self.model.predict(data)
        except HttpError:
            raise
        except Exception as exc:
            log.exception("model %s raised in predict()", self.model_dir)
            raise InternalError("the model failed to make a prediction; the server log has the details") from exc

    @staticmethod
    def _user_body(body, content_type):
        if codecs.media_type(content_type) in codecs.TEXT_TYPES:
            try:
                return body.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest("the body is not UTF-8 text") from None
        return body

    def _call_user(self, fn, *args):
        try:
            return fn(*args)
        except HttpError:
            raise
        except Exception as exc:
            status = status_of(exc)
            if status is not None and status < 500:
                # the user's code rejected the input on purpose: its message is for the client
                raise HttpError(str(exc) or f"request rejected by {fn.__name__}", status) from exc
            log.exception("%s in %s/code/inference.py raised", fn.__name__, self.model_dir)
            raise InternalError(
                f"{fn.__name__} failed; the server log has the details", status or 500) from exc

    @staticmethod
    def _as_response(result, default_type):
        content_type = default_type
        if isinstance(result, tuple) and len(result) == 2:
            result, content_type = result
        if isinstance(result, str):
            return result.encode("utf-8"), content_type
        if isinstance(result, (bytes, bytearray, memoryview)):
            return bytes(result), content_type
        if content_type == codecs.JSON or isinstance(result, (dict, list, np.ndarray, int, float)):
            if content_type not in codecs.SUPPORTED:
                raise NotAcceptable(f"cannot produce {content_type!r}")
            return codecs.encode(result, content_type), content_type
        raise InternalError("output_fn returned a value that is not bytes or str")
