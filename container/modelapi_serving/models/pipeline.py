"""The inference pipeline for one model: load, decode, predict, encode.

The steps and their names follow AWS's prebuilt framework containers, so a
`model.tar.gz` made for them runs here unchanged. The model's entry script
(see `entrypoint`) may define any of:

- `model_fn(model_dir)` -> model
- `input_fn(request_body, content_type)` -> data
- `predict_fn(data, model)` -> prediction
- `output_fn(prediction, accept)` -> body, or `(body, content_type)`
- `transform_fn(model, request_body, content_type, accept)` -> body, or
  `(body, content_type)`; replaces the three steps above and cannot be combined
  with them.
- `execution_parameters_fn()` -> the body of `GET /execution-parameters`
- `pre_model_fn(model_dir)` before `model_fn`, `model_warmup_fn(model_dir, model)`
  after it, as AWS's inference toolkit calls them (from v1.6.1)

Each may take a trailing `context` argument, as AWS's inference toolkit allows.
Steps not defined there use the defaults below. `request_body` is `str` for
JSON and CSV and `bytes` otherwise, as in AWS's containers. When the model is
an XGBoost `Booster`, the default decoding hands `predict_fn` a `DMatrix`, as
AWS's XGBoost image does, and the default predict step builds one itself.
"""

import json
import logging
from typing import Any, Callable, Dict, Optional, Union

import numpy as np

from .. import codecs
from ..errors import BadRequest, HttpError, InternalError, NotAcceptable, UnsupportedMediaType, status_of
from ..http import negotiation
from ..http.messages import Response
from .context import Context, arity_caller, with_custom_attributes
from .entrypoint import import_script
from .features import FeatureSpec, check_features, check_sparse_features, is_booster, records_to_array
from .loading import ModelLoadError, default_model_fn

log = logging.getLogger("modelapi.handler")


class Pending:
    """A request decoded and checked by the default pipeline, waiting for its
    prediction; the worker predicts several of these in one call
    (see `batching.predict_many`)."""

    __slots__ = ("handler", "data", "envelope", "response_type")

    def __init__(self, handler: "ModelHandler", data: np.ndarray, envelope: Optional[str], response_type: str):
        self.handler = handler
        self.data = data
        self.envelope = envelope
        self.response_type = response_type


ARITY = {
    "model_fn": 1,
    "input_fn": 2,
    "predict_fn": 2,
    "output_fn": 2,
    "transform_fn": 4,
    "execution_parameters_fn": 0,
    "pre_model_fn": 1,
    "model_warmup_fn": 2,
}
# functions that never see a request: with only these defined, requests are still batched
OUTSIDE_REQUESTS = {"model_fn", "pre_model_fn", "model_warmup_fn", "execution_parameters_fn"}


def _load_step(name: str, caller: Callable[..., Any], context: Context, *args: Any) -> Any:
    """Call a function of the entry script that runs at load time; its failure fails the load, naming it."""
    try:
        return caller(context, *args)
    except (ModelLoadError, MemoryError):
        raise
    except Exception as exc:
        raise ModelLoadError(f"{name} failed: {type(exc).__name__}: {exc}", client_fault=False) from exc


class ModelHandler:
    """One loaded model and the pipeline that serves it."""

    def __init__(self, model_dir: str, default_accept: Optional[str] = None, script: Optional[str] = None):
        """Load the model in `model_dir`, served by the entry `script` (see `entrypoint.find_entry_point`) if any."""
        self.model_dir = model_dir
        self.default_accept = default_accept or codecs.DEFAULT_TYPE
        module = import_script(script) if script else None
        self.script = script
        fns = {n: getattr(module, n) for n in ARITY if module is not None and callable(getattr(module, n, None))}
        if "transform_fn" in fns and {"input_fn", "predict_fn", "output_fn"} & fns.keys():
            raise ModelLoadError(
                f"{script} defines transform_fn together with input_fn, predict_fn or output_fn; "
                "transform_fn replaces those three, define one or the other"
            )
        self.user_functions = sorted(fns)
        callers = {name: arity_caller(fn, ARITY[name]) for name, fn in fns.items()}
        self.transform_fn = callers.get("transform_fn")
        self.input_fn = callers.get("input_fn")
        self.predict_fn = callers.get("predict_fn")
        self.output_fn = callers.get("output_fn")
        self.execution_parameters_fn = callers.get("execution_parameters_fn")
        self.names = {caller: name for name, caller in callers.items()}
        # the order of AWS's inference toolkit (from v1.6.1, context from v1.7.0), `transformer.py`
        # `validate_and_initialize`: pre_model_fn(model_dir), model_fn(model_dir), model_warmup_fn(model_dir, model)
        load_context = Context(model_dir)
        if "pre_model_fn" in callers:
            _load_step("pre_model_fn", callers["pre_model_fn"], load_context, model_dir)
        if "model_fn" in callers:
            self.model = _load_step("model_fn", callers["model_fn"], load_context, model_dir)
        else:
            self.model = default_model_fn(model_dir)
        if self.model is None:
            raise ModelLoadError("model_fn returned None")
        if "model_warmup_fn" in callers:
            _load_step("model_warmup_fn", callers["model_warmup_fn"], load_context, model_dir, self.model)
        self.booster = is_booster(self.model)
        if (
            self.predict_fn is None
            and self.transform_fn is None
            and not self.booster
            and not callable(getattr(self.model, "predict", None))
        ):
            raise ModelLoadError(
                f"the loaded {type(self.model).__name__} has no predict() method; "
                "ship code/inference.py with a predict_fn"
            )
        self.spec = FeatureSpec.of(self.model)
        # the default predict step validates finiteness itself, so sklearn need not
        self.validates_input = self.predict_fn is None and self.transform_fn is None
        # rows from concurrent requests can share one predict() call only when
        # every step is ours: user code may depend on seeing one request at a time
        self.batchable = not (set(fns) - OUTSIDE_REQUESTS)
        if fns:
            log.info("model %s uses %s: %s", model_dir, script, ", ".join(self.user_functions))

    # -- the pipeline -------------------------------------------------------

    def invoke(
        self,
        body: bytes,
        content_type: str,
        accept: str,
        defer: bool = False,
        headers: Optional[Dict[str, str]] = None,
        limit: int = codecs.DEFAULT_LIMIT,
    ) -> Union[Response, "Pending"]:
        """Run the pipeline on one request.

        Args:
            defer: for a model on the default pipeline, stop after decoding and
                checking and return a `Pending` for `batching.predict_many`.
            headers: the request's headers (lower-case names), for a handler's `context`.
            limit: the body limit, which an archive body (`.npz`) must unpack within.

        Returns:
            A `Response`, or with `defer` possibly a `Pending`.

        Raises:
            HttpError: client errors (4xx) and model failures (500).
        """
        content_type = content_type or codecs.DEFAULT_TYPE
        context = Context(self.model_dir, headers=headers) if self.names else None
        result = self._run(body, content_type, accept, defer, context, limit)
        # the model's code may have set the answer's custom attributes on its context
        return with_custom_attributes(result, context) if context and isinstance(result, Response) else result

    def _run(
        self, body: bytes, content_type: str, accept: str, defer: bool, context: Optional[Context], limit: int
    ) -> Union[Response, "Pending"]:
        if self.transform_fn is not None:
            user_accept = self._user_accept(accept)
            result = self._call_user(
                self.transform_fn, context, self.model, self._user_body(body, content_type), content_type, user_accept
            )
            return self._as_response(result, user_accept)

        envelope = None
        if self.output_fn is None:
            # negotiate before doing any work: a 406 should cost nothing
            response_type = negotiation.choose_accept(
                accept, self.default_accept, codecs.RESPONSE_TYPES, codecs.ALIASES
            )
        else:
            response_type = self._user_accept(accept)

        if self.input_fn is None:
            data, envelope = codecs.decode(body, content_type, limit)
            if self.predict_fn is None or self.booster:
                if isinstance(data, codecs.Records):
                    data = records_to_array(self.spec, data)
                data = self._checked(data, explicit_width=codecs.media_type(content_type) == codecs.NPZ)
        else:
            data = self._call_user(self.input_fn, context, self._user_body(body, content_type), content_type)

        if self.predict_fn is None:
            if defer and self.batchable and isinstance(data, np.ndarray) and data.dtype == np.float64:
                return Pending(self, data, envelope, response_type)
            prediction = self.predict_rows(data)
        else:
            if self.booster and self.input_fn is None:
                data = self._dmatrix(data)  # what AWS's XGBoost image hands predict_fn
            prediction = self._call_user(self.predict_fn, context, data, self.model)

        if self.output_fn is None:
            return Response(200, response_type, codecs.encode(prediction, response_type, envelope))
        return self._as_response(self._call_user(self.output_fn, context, prediction, response_type), response_type)

    def execution_parameters(self) -> Optional[Response]:
        """The body of `GET /execution-parameters` from the script's `execution_parameters_fn`, or None."""
        if self.execution_parameters_fn is None:
            return None
        result = self._call_user(self.execution_parameters_fn, Context(self.model_dir))
        body, content_type = result if isinstance(result, tuple) and len(result) == 2 else (result, codecs.JSON)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        if not isinstance(body, (bytes, bytearray)):
            raise InternalError("execution_parameters_fn returned a value that is not a dict, str or bytes")
        return Response(200, content_type, bytes(body))

    def _checked(self, data: Any, explicit_width: bool = False) -> Any:
        if isinstance(data, np.ndarray):
            return check_features(self.spec, data)
        if codecs.is_sparse(data):
            return check_sparse_features(self.spec, data, explicit_width)
        return data

    def predict_rows(self, data: Any) -> Any:
        """The model's prediction for decoded, checked rows; a failure is a logged 500."""
        try:
            return self.raw_predict(data)
        except HttpError:
            raise
        except Exception as exc:
            if isinstance(exc, TypeError) and codecs.is_sparse(data) and "sparse" in str(exc):
                # scikit-learn's check_array: "A sparse matrix was passed, but dense data is required"
                raise UnsupportedMediaType(
                    "this model does not take sparse input (LIBSVM, RecordIO-protobuf, NPZ); "
                    "send its rows as JSON, CSV or NPY"
                ) from None
            log.exception("model %s raised in predict()", self.model_dir)
            raise InternalError("the model failed to make a prediction; the server log has the details") from exc

    def raw_predict(self, data: Any) -> Any:
        """The model's own predict call, exceptions and all."""
        if self.booster:
            return self.model.predict(self._dmatrix(data), validate_features=False)
        return self.model.predict(data)

    @staticmethod
    def _dmatrix(data: Any) -> Any:
        import xgboost

        if isinstance(data, xgboost.DMatrix):
            return data
        return xgboost.DMatrix(data)

    def _user_accept(self, accept: str) -> str:
        return accept if accept and accept.strip() != "*/*" else self.default_accept

    @staticmethod
    def _user_body(body: bytes, content_type: str) -> Union[bytes, str]:
        if codecs.media_type(content_type) in codecs.TEXT_TYPES:
            try:
                return body.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest("the body is not UTF-8 text") from None
        return body

    def _call_user(self, caller: Callable[..., Any], context: Optional[Context], *args: Any) -> Any:
        name = self.names.get(caller, "user code")
        try:
            return caller(context, *args)
        except HttpError:
            raise
        except Exception as exc:
            status = status_of(exc)
            if status is not None and status < 500:
                # the user's code rejected the input on purpose: its message is for the client
                raise HttpError(str(exc) or f"request rejected by {name}", status) from exc
            log.exception("%s in %s raised", name, self.script)
            raise InternalError(f"{name} failed; the server log has the details", status or 500) from exc

    @staticmethod
    def _as_response(result: Any, default_type: str) -> Response:
        content_type = default_type
        if isinstance(result, tuple) and len(result) == 2:
            result, content_type = result
        if isinstance(result, str):
            return Response(200, content_type, result.encode("utf-8"))
        if isinstance(result, (bytes, bytearray, memoryview)):
            return Response(200, content_type, bytes(result))
        if content_type == codecs.JSON or isinstance(result, (dict, list, np.ndarray, int, float)):
            if content_type not in codecs.RESPONSE_TYPES:
                raise NotAcceptable(f"cannot produce {content_type!r}")
            return Response(200, content_type, codecs.encode(result, content_type))
        raise InternalError("output_fn returned a value that is not bytes or str")
