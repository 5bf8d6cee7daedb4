"""Serving an artifact of SageMaker's built-in XGBoost algorithm, which ships no code.

The model directory holds `xgboost-model` (a pickled Booster, or XGBoost's
binary, JSON or UBJSON format), or an ensemble `xgboost-model-0`,
`xgboost-model-1`, ... whose predictions are averaged (voted for
`multi:softmax` and `binary:hinge`) unless `SAGEMAKER_INFERENCE_ENSEMBLE=false`.
Requests and answers follow the built-in algorithm's inference formats (AWS
doc "Common Data Formats for Inference", and aws/sagemaker-xgboost-container's
`algorithm_mode/serve.py`):

- requests: `text/csv` (no header, no label; `label_size=1` allowed),
  `text/libsvm` (`text/x-libsvm`, `libsvm`), `application/x-recordio-protobuf`,
  and, beyond the built-in, `application/json` rows, `application/x-npy`
  arrays and `application/x-npz` sparse matrices;
- rows with fewer columns than the model's features: the rest are missing
  values for XGBoost's own formats; a pickled Booster takes one fewer at most,
  as the built-in checks it (`serve_utils.py` `predict`);
- predictions per objective as XGBoost returns them: a probability for
  `binary:logistic`, a vector of class probabilities per row for
  `multi:softprob`, a value for regression;
- answers: `text/csv` by default (one row per line; in multi-model mode one
  line, as the built-in's multi-model handler writes it), `application/json`
  (`{"predictions": [{"score": ...}]}`), `application/jsonlines`,
  `application/x-recordio-protobuf` (one record per row, its values as
  `label["score"]`);
- `SAGEMAKER_INFERENCE_OUTPUT` (e.g. `predicted_label,probabilities`) selects
  per-row keys instead of the raw prediction.
"""

import json
import logging
import os
from typing import Any, Dict, Mapping, Optional

import numpy as np

from .. import codecs
from ..errors import BadRequest, InternalError, UnsupportedMediaType
from ..http import negotiation
from ..http.messages import Response
from .loading import PICKLED, ModelLoadError, load_booster_and_format, xgboost_model_files
from .xgboost_output import SELECTABLE, VOTED, encode_selected, select, selected_keys

log = logging.getLogger("modelapi.xgboost")

REQUEST_TYPES = (codecs.CSV, codecs.LIBSVM, codecs.RECORDIO, codecs.JSON, codecs.NPY, codecs.NPZ)
RESPONSE_TYPES = (codecs.CSV, codecs.JSON, codecs.JSONLINES, codecs.RECORDIO)
# what the built-in's messages call each request type (`data_utils.py` get_content_type)
SHORT_NAMES = {
    codecs.CSV: "csv",
    codecs.LIBSVM: "libsvm",
    codecs.RECORDIO: "recordio-protobuf",
    codecs.JSON: "json",
    codecs.NPY: "npy",
    codecs.NPZ: "npz",
}
UNEVALUATED = "Unable to evaluate payload provided: "  # how the built-in answers a failed predict (400)


def is_builtin_artifact(model_dir: str) -> bool:
    return bool(xgboost_model_files(model_dir))


class BuiltinXGBoostHandler:
    """An `xgboost-model` artifact answering as SageMaker's built-in XGBoost algorithm."""

    batchable = False
    validates_input = False
    user_functions = ()

    def __init__(
        self,
        model_dir: str,
        default_accept: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        multi_model: bool = False,
    ):
        env = os.environ if env is None else env
        self.model_dir = model_dir
        self.multi_model = multi_model
        self.batch = bool(env.get("SAGEMAKER_BATCH"))  # set by batch transform
        self.default_accept = codecs.media_type(default_accept) if default_accept else codecs.CSV
        if self.default_accept not in RESPONSE_TYPES:
            raise ModelLoadError(
                f"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT is {default_accept}; the XGBoost "
                f"algorithm answers {', '.join(RESPONSE_TYPES)}"
            )
        paths = xgboost_model_files(model_dir)
        if env.get("SAGEMAKER_INFERENCE_ENSEMBLE", "true") != "true":
            paths = paths[:1]
        loaded = [load_booster_and_format(path) for path in paths]
        self.boosters = [booster for booster, _ in loaded]
        self.pickled = loaded[0][1] == PICKLED  # the built-in goes by the first member's format
        config = json.loads(self.boosters[0].save_config())
        self.objective = config["learner"]["objective"]["name"]
        self.num_class = config["learner"]["learner_model_param"].get("num_class", "")
        self.n_features = int(self.boosters[0].num_features())
        self.keys = selected_keys(env)
        if self.keys is not None and self.objective not in SELECTABLE:
            raise ModelLoadError(f"SAGEMAKER_INFERENCE_OUTPUT is not available for objective {self.objective}")
        log.info(
            "model %s: built-in XGBoost, objective %s, %d booster(s), %d features",
            model_dir,
            self.objective,
            len(self.boosters),
            self.n_features,
        )

    def invoke(
        self,
        body: bytes,
        content_type: str,
        accept: str,
        defer: bool = False,
        headers: Optional[Dict[str, str]] = None,
        limit: int = codecs.DEFAULT_LIMIT,
    ) -> Response:
        response_type = negotiation.choose_accept(accept, self.default_accept, RESPONSE_TYPES, codecs.ALIASES)
        rows = self.decode(body, content_type, limit)
        prediction = self.predict(rows)
        return Response(200, response_type, self.encode(prediction, response_type))

    def execution_parameters(self) -> Optional[Response]:
        return None

    # -- decoding -----------------------------------------------------------

    def decode(self, body: bytes, content_type: str, limit: int = codecs.DEFAULT_LIMIT) -> Any:
        """The request's rows, as wide as the model's features (absent ones missing)."""
        kind = codecs.media_type(content_type or codecs.CSV)
        if kind not in REQUEST_TYPES:
            raise UnsupportedMediaType(
                f"unsupported content type {content_type!r}; send one of {', '.join(REQUEST_TYPES)}"
            )
        if kind == codecs.CSV:
            params = dict(p.strip().replace(" ", "").partition("=")[::2] for p in content_type.lower().split(";")[1:])
            if params.get("label_size", "1") != "1":
                # the built-in's text (`data_utils.py` get_content_type), the header as sent
                raise UnsupportedMediaType(
                    f"{content_type} is not an accepted csv ContentType. "
                    "Optional parameter label_size must be equal to 1"
                )
        if not body:
            raise BadRequest("the request body is empty; send the rows to predict")
        if kind == codecs.LIBSVM:
            data = codecs.libsvm.read_matrix(body)
        else:
            data, _ = codecs.decode(body, kind, limit)
        if isinstance(data, codecs.Records):
            raise BadRequest("send each row as a list of numbers in training order")
        if not codecs.is_sparse(data):
            if data.ndim == 1:
                data = data.reshape(1, -1)
            if data.ndim != 2:
                raise BadRequest(f"expected rows of features (a 2-D array), got shape {list(data.shape)}")
        self._check_width(data.shape[1], kind)
        if codecs.is_sparse(data):
            if np.isinf(data.data).any():
                raise BadRequest("the rows contain an infinite value; features must be finite numbers")
        elif np.isinf(data).any():
            row = int(np.argwhere(np.isinf(data))[0][0])
            raise BadRequest(f"row {row} contains an infinite value; features must be finite numbers")
        return self._widened(data)

    def _check_width(self, width: int, kind: str) -> None:
        """The built-in's rule (`serve_utils.py` predict): a pickled Booster takes `n` or `n - 1`
        columns (a LIBSVM row, any up to `n`); XGBoost's own formats any up to `n`, the rest missing."""
        n, name = self.n_features, SHORT_NAMES[kind]
        if self.pickled and kind != codecs.LIBSVM and width not in (n, n - 1):
            raise BadRequest(
                f"{UNEVALUATED}Feature size of {name} inference data {width} is not consistent "
                f"with feature size of trained model {n}."
            )
        if width > n:
            raise BadRequest(
                f"{UNEVALUATED}Feature size of {name} inference data {width} is larger "
                f"than feature size of trained model {n}."
            )

    def _widened(self, data: Any) -> Any:
        """`data` with the model's width: absent trailing columns are missing values."""
        n = self.n_features
        if data.shape[1] == n:
            return data
        if codecs.is_sparse(data):
            data.resize((data.shape[0], n))
            return data
        return np.pad(data.astype(np.float64), ((0, 0), (0, n - data.shape[1])), constant_values=np.nan)

    # -- prediction ---------------------------------------------------------

    def predict(self, data: Any) -> np.ndarray:
        import xgboost

        dmatrix = xgboost.DMatrix(data)
        try:
            predictions = [self._predict_one(booster, dmatrix) for booster in self.boosters]
        except Exception as exc:
            log.exception("model %s raised in predict()", self.model_dir)
            raise InternalError("the model failed to make a prediction; the server log has the details") from exc
        if len(predictions) == 1:
            return predictions[0]
        if self.objective in VOTED:
            stacked = np.stack(predictions)
            values = np.unique(stacked)
            counts = np.stack([(stacked == v).sum(axis=0) for v in values])
            return values[np.argmax(counts, axis=0)]  # the most common vote, the smallest on a tie
        return np.mean(predictions, axis=0)

    @staticmethod
    def _predict_one(booster: Any, dmatrix: Any) -> np.ndarray:
        # a Booster trained with early stopping predicts with its best trees, as in the built-in
        best = getattr(booster, "best_iteration", None)
        if best is not None:
            return booster.predict(dmatrix, iteration_range=(0, int(best) + 1), validate_features=False)
        return booster.predict(dmatrix, validate_features=False)

    # -- encoding -----------------------------------------------------------

    def encode(self, prediction: np.ndarray, response_type: str) -> bytes:
        if self.keys is not None:
            return encode_selected(select(prediction, self.keys or (), self.objective, self.num_class), response_type)
        rows = prediction.tolist()
        if response_type == codecs.CSV:
            if self.multi_model:
                # the built-in's multi-model handler (`algorithm_mode/handler_service.py` default_output_fn)
                if self.batch:
                    return ("\n".join(map(str, rows)) + "\n").encode()
                return ",".join(map(str, rows)).encode()
            return codecs.csv.encode(prediction)
        if response_type == codecs.RECORDIO:
            # the record answer of AWS's built-in algorithms (AWS docs "RCF Response Formats",
            # "Factorization Machines Response Formats"): label {"score": float32 values}
            return codecs.recordio.encode_labels({"score": row if isinstance(row, list) else [row]} for row in rows)
        scored = [{"score": row} for row in rows]
        if response_type == codecs.JSON:
            return json.dumps({"predictions": scored}).encode()
        return codecs.jsonlines.dump_lines(scored)
