"""The checks made against the model's features before the default predict step."""

import numpy as np
import pytest

from conftest import fit_logistic
from modelapi_serving.errors import BadRequest
from modelapi_serving.models.features import FeatureSpec, check_features, records_to_array


def test_a_fitted_estimator_says_how_many_features_it_takes(tmp_path):
    spec = FeatureSpec.of(fit_logistic(str(tmp_path)))
    assert (spec.n_features, spec.names, spec.allow_nan) == (4, None, False)
    assert FeatureSpec.of(object()).n_features is None  # a model that does not say: nothing to check against


@pytest.mark.parametrize(
    "rows, message",
    [
        (np.zeros((1, 2, 4)), "expected rows of features (a 2-D array), got a 3-D array of shape [1, 2, 4]"),
        (np.zeros((0, 4)), "no rows to predict"),
        (np.zeros((2, 3)), "expected 4 features per row, got 3"),
        (np.array([[1, 2, 3, 4], [1, np.inf, 3, 4]], dtype=float), "row 1 contains an infinite value"),
        (np.array([[1, 2, 3, 4], [1, 2, np.nan, 4]], dtype=float), "row 1 contains a missing value"),
    ],
)
def test_rows_the_model_cannot_take_are_a_400_saying_why(rows, message):
    with pytest.raises(BadRequest) as caught:
        check_features(FeatureSpec(n_features=4), rows)
    assert message in caught.value.message


def test_one_flat_row_becomes_a_row_and_missing_values_pass_where_the_model_takes_them():
    assert check_features(FeatureSpec(n_features=3), np.array([1.0, 2.0, 3.0])).shape == (1, 3)
    rows = np.array([[1.0, np.nan]])
    assert check_features(FeatureSpec(n_features=2, allow_nan=True), rows) is rows


def test_rows_given_as_objects_follow_the_models_feature_names():
    spec = FeatureSpec(2, ["a", "b"])
    array = records_to_array(spec, [{"b": 2, "a": 1}, {"a": None, "b": 4}])
    assert array[0].tolist() == [1.0, 2.0]
    assert np.isnan(array[1, 0]) and array[1, 1] == 4.0
    with pytest.raises(BadRequest, match="row 1 lacks 'b' and has unknown 'c'"):
        records_to_array(spec, [{"a": 1, "b": 2}, {"a": 1, "c": 2}])
    with pytest.raises(BadRequest, match="not fitted with feature names"):
        records_to_array(FeatureSpec(2), [{"a": 1, "b": 2}])
