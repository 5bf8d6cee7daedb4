"""Which handler serves a model directory: the framework pipeline, or SageMaker's built-in XGBoost."""

import pytest

from builtin_models import train_builtin
from conftest import fit_logistic, write_inference
from modelapi_serving.models.handler import ModelHandler, ModelLoadError, load_handler
from modelapi_serving.models.xgboost_builtin import BuiltinXGBoostHandler


def test_an_estimator_file_is_served_by_the_pipeline(tmp_path):
    fit_logistic(str(tmp_path))
    assert isinstance(load_handler(str(tmp_path), env={}), ModelHandler)


def test_an_xgboost_model_artifact_without_code_is_served_as_the_built_in_algorithm(tmp_path):
    train_builtin(str(tmp_path))
    handler = load_handler(str(tmp_path), env={})
    assert isinstance(handler, BuiltinXGBoostHandler) and handler.default_accept == "text/csv"


def test_an_xgboost_model_artifact_with_code_is_served_by_the_pipeline(tmp_path):
    train_builtin(str(tmp_path))
    write_inference(str(tmp_path), "def predict_fn(data, model):\n    return [1]\n")
    handler = load_handler(str(tmp_path), env={})
    assert isinstance(handler, ModelHandler) and handler.booster


def test_both_kinds_of_model_in_one_directory_are_refused(tmp_path):
    train_builtin(str(tmp_path))
    fit_logistic(str(tmp_path))
    with pytest.raises(ModelLoadError, match="holds both xgboost-model and model.joblib; keep one model"):
        load_handler(str(tmp_path), env={})


def test_a_directory_that_is_not_there_is_refused_naming_it(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_handler(str(tmp_path / "nope"), env={})
