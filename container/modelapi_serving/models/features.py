"""What a fitted model says about its inputs, and the checks made against it
before the default predict step, so a wrong request gets a 400 naming the
problem instead of a model exception."""

from typing import Any, List, Optional, Tuple

import numpy as np

from .. import codecs
from ..errors import BadRequest


class FeatureSpec:
    """The features a model expects: their count, names and whether NaN is allowed.

    Read from scikit-learn's `n_features_in_` / `feature_names_in_` /
    `allow_nan` tag, or from an XGBoost Booster's `num_features()` /
    `feature_names`; any of them may be unknown (None). `fewer_allowed`: rows
    may leave out trailing features, which are then missing values.
    """

    def __init__(
        self,
        n_features: Optional[int] = None,
        names: Optional[List[str]] = None,
        allow_nan: bool = False,
        fewer_allowed: bool = False,
    ):
        self.n_features = n_features
        self.names = names
        self.allow_nan = allow_nan
        self.fewer_allowed = fewer_allowed

    @classmethod
    def of(cls, model: Any) -> "FeatureSpec":
        if is_booster(model):
            names = model.feature_names
            # XGBoost predicts rows with fewer columns than the Booster's features, the rest missing;
            # AWS's XGBoost image lets them through (`serving.py` default_predict_fn, validate_features=False)
            return cls(
                int(model.num_features()),
                [str(n) for n in names] if names else None,
                allow_nan=True,
                fewer_allowed=True,
            )
        return cls(_n_features(model), _feature_names(model), _allows_nan(model))


def is_booster(model: Any) -> bool:
    return type(model).__name__ == "Booster" and type(model).__module__.startswith("xgboost")


def _allows_nan(model: Any) -> bool:
    try:
        return bool(model._get_tags().get("allow_nan", False))
    except Exception:
        return False


def _feature_names(model: Any) -> Optional[List[str]]:
    try:
        names = getattr(model, "feature_names_in_", None)
    except Exception:
        return None
    return [str(n) for n in names] if names is not None else None


def _n_features(model: Any) -> Optional[int]:
    try:
        value = getattr(model, "n_features_in_", None)
    except Exception:
        return None
    return int(value) if isinstance(value, (int, np.integer)) else None


def records_to_array(spec: FeatureSpec, records: List[Any]) -> np.ndarray:
    """Order rows given as `{feature name: value}` objects by the model's feature names.

    Raises:
        BadRequest: when the model has no feature names or a row's keys do not match them.
    """
    names = spec.names
    if names is None:
        raise BadRequest(
            "this model was not fitted with feature names; " "send each row as a list of numbers in training order"
        )
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
            raise BadRequest(
                f"row {i} {' and '.join(parts)}; the model's features are " + ", ".join(repr(n) for n in names[:20])
            )
    return codecs.float_rows([[row[n] for n in names] for row in records], "the rows")


def check_features(spec: FeatureSpec, data: np.ndarray) -> np.ndarray:
    """Validate a decoded array before the default predict step; returns it as 2-D rows.

    Raises:
        BadRequest: for a wrong shape, feature count, or values the model rejects.
    """
    data = checked_shape(spec, data)
    fault = first_bad_value(spec, data)
    if fault is not None:
        raise BadRequest(bad_value_message(*fault))
    return data


INFINITE, MISSING = "infinite", "missing"


def checked_shape(spec: FeatureSpec, data: np.ndarray) -> np.ndarray:
    """`data` as 2-D rows as wide as the model's features (padded where it takes fewer).

    Raises:
        BadRequest: for a wrong shape or feature count.
    """
    if data.ndim == 1:
        data = data.reshape(1, -1)
    if data.ndim != 2:
        raise BadRequest(
            f"expected rows of features (a 2-D array), got a {data.ndim}-D array of shape {list(data.shape)}"
        )
    if data.shape[0] == 0:
        raise BadRequest("no rows to predict")
    n = spec.n_features
    if n is not None and data.shape[1] != n:
        if not (spec.fewer_allowed and data.shape[1] < n):
            raise BadRequest(f"expected {n} features per row, got {data.shape[1]}")
        data = np.pad(data.astype(np.float64), ((0, 0), (0, n - data.shape[1])), constant_values=np.nan)
    return data


def first_bad_value(
    spec: FeatureSpec, data: np.ndarray, kinds: Tuple[str, ...] = (INFINITE, MISSING)
) -> Optional[Tuple[str, int]]:
    """The first fault of `kinds` the model rejects in 2-D `data`, as (kind, row): an infinite
    value anywhere before a missing one anywhere, or None."""
    if data.dtype.kind != "f" or np.isfinite(data).all():
        return None
    if INFINITE in kinds and np.isinf(data).any():
        return INFINITE, int(np.argwhere(np.isinf(data))[0][0])
    if MISSING in kinds and not spec.allow_nan and np.isnan(data).any():
        return MISSING, int(np.argwhere(np.isnan(data))[0][0])
    return None


def bad_value_message(kind: str, row: int) -> str:
    if kind == INFINITE:
        return f"row {row} contains an infinite value; features must be finite numbers"
    return (
        f"row {row} contains a missing value (NaN, null or an empty CSV field); "
        "this model does not accept missing values"
    )


def check_sparse_features(spec: FeatureSpec, matrix: Any, explicit_width: bool = False) -> Any:
    """Validate a sparse matrix (LIBSVM, RecordIO-protobuf, NPZ rows) before the default predict
    step; returns it as wide as the model's features.

    Args:
        explicit_width: the request states its width (an `.npz` shape), so a scikit-learn
            estimator must get exactly its features; otherwise absent trailing columns are
            absent entries, as in LIBSVM.

    Raises:
        BadRequest: for a wrong width, no rows, or values the model rejects.
    """
    if matrix.shape[0] == 0:
        raise BadRequest("no rows to predict")
    n = spec.n_features
    if n is not None and matrix.shape[1] != n:
        if matrix.shape[1] > n or (explicit_width and not spec.fewer_allowed):
            raise BadRequest(f"expected {n} features per row, got {matrix.shape[1]}")
        matrix = matrix.copy()
        matrix.resize((matrix.shape[0], n))
    values = matrix.data
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        if np.isinf(values).any():
            raise BadRequest("the rows contain an infinite value; features must be finite numbers")
        if not spec.allow_nan:
            raise BadRequest("the rows contain a missing value (NaN); this model does not accept missing values")
    return matrix
