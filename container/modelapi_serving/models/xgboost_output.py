"""The objectives of SageMaker's built-in XGBoost and the per-row keys
`SAGEMAKER_INFERENCE_OUTPUT` selects from a prediction for each (as the
built-in's `serve_utils.py`), encoded in each answer type.
"""

import csv
import io
import json
import math
from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np

from .. import codecs

BINARY_LOGISTIC, BINARY_LOGITRAW, BINARY_HINGE = "binary:logistic", "binary:logitraw", "binary:hinge"
MULTI_SOFTMAX, MULTI_SOFTPROB = "multi:softmax", "multi:softprob"
REGRESSION = (
    "reg:squarederror",
    "reg:linear",
    "reg:logistic",
    "reg:gamma",
    "reg:absoluteerror",
    "reg:tweedie",
    "reg:pseudohubererror",
    "reg:squaredlogerror",
    "count:poisson",
)
VOTED = (MULTI_SOFTMAX, BINARY_HINGE)

# the keys SAGEMAKER_INFERENCE_OUTPUT may select, per objective (as the built-in's serve_utils)
CLASSIFICATION_KEYS = ("predicted_label", "labels", "raw_score", "raw_scores")
PROBABILITY_KEYS = ("probability", "probabilities")
SELECTABLE = {
    **{objective: ("predicted_score",) for objective in REGRESSION},
    BINARY_LOGISTIC: CLASSIFICATION_KEYS[:2] + PROBABILITY_KEYS + CLASSIFICATION_KEYS[2:],
    BINARY_LOGITRAW: CLASSIFICATION_KEYS,
    BINARY_HINGE: CLASSIFICATION_KEYS,
    MULTI_SOFTMAX: CLASSIFICATION_KEYS,
    MULTI_SOFTPROB: CLASSIFICATION_KEYS[:2] + PROBABILITY_KEYS + CLASSIFICATION_KEYS[2:],
}


def selected_keys(env: Mapping[str, str]) -> Optional[List[str]]:
    raw = env.get("SAGEMAKER_INFERENCE_OUTPUT")
    if raw is None:
        return None
    keys = [k for k in raw.replace(" ", "").lower().split(",") if k]
    return keys or None


def select(prediction: np.ndarray, keys: Sequence[str], objective: str, num_class: str) -> List[Dict[str, Any]]:
    """One dict of the `SAGEMAKER_INFERENCE_OUTPUT` keys per row; a key the
    objective cannot give is NaN, as in the built-in."""
    valid = SELECTABLE[objective]
    out = []
    for raw in prediction:
        row = {}
        for key in keys:
            row[key] = _selected_value(key, raw, objective, num_class) if key in valid else math.nan
        out.append(row)
    return out


def _selected_value(key: str, raw: Any, objective: str, num_class: str) -> Any:
    softprob = objective == MULTI_SOFTPROB
    if key == "predicted_score":
        return float(raw)
    if key == "labels":
        if objective.startswith("binary:"):
            return [0, 1]
        return list(range(int(num_class))) if num_class else math.nan
    if key == "predicted_label":
        if softprob:
            return int(np.argmax(raw))
        if objective == BINARY_LOGISTIC:
            return int(raw > 0.5)
        if objective == BINARY_LOGITRAW:
            return int(raw > 0)
        return float(raw)
    if key in ("probability", "raw_score"):
        return float(np.max(raw)) if softprob else float(raw)
    if key in ("probabilities", "raw_scores"):
        if softprob:
            return [float(v) for v in raw]
        return [1.0 - float(raw), float(raw)]
    return math.nan


def encode_selected(rows: List[Dict[str, Any]], response_type: str) -> bytes:
    def plain(value: Any) -> Any:
        return None if isinstance(value, float) and math.isnan(value) else value

    if response_type == codecs.RECORDIO:
        # `serve_utils.py` _encode_selected_predictions_recordio_protobuf: every key a float32
        # tensor under `label`, NaN for a key the objective cannot give
        return codecs.recordio.encode_labels(
            {key: value if isinstance(value, list) else [value] for key, value in row.items()} for row in rows
        )
    if response_type == codecs.CSV:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in rows:
            writer.writerow([str(v) if isinstance(v, list) else v for v in row.values()])
        return out.getvalue().rstrip("\n").encode()  # the built-in ends the last row without a newline
    cleaned = [{k: plain(v) for k, v in row.items()} for row in rows]
    if response_type == codecs.JSON:
        return json.dumps({"predictions": cleaned}).encode()
    return codecs.jsonlines.dump_lines(cleaned)
