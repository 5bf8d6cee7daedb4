"""Artifacts as SageMaker's built-in XGBoost algorithm writes them, trained here
from Debian's xgboost: the training CSV has the label in its first column and
no header (the algorithm's training format), the model is saved as
`xgboost-model` in the format asked for."""

import os
import pickle

import numpy as np

from conftest import iris


def label_first_csv(path, X, y):
    with open(path, "w") as f:
        for label, row in zip(y, X):
            f.write(",".join(str(v) for v in [label, *row]) + "\n")
    return path


def train_builtin(model_dir, objective="multi:softprob", fmt="binary", rounds=5, name="xgboost-model", seed=0):
    """Train on iris from a label-first CSV and save `model_dir/name`.

    fmt: "pickle" (pickle.dump of the Booster), "binary", "json" or "ubj"
    (Booster.save_model, then renamed to the extension-less artifact name).
    """
    import xgboost as xgb

    X, y = iris()
    if objective.startswith("binary:"):
        y = (y == 0).astype(int)
    elif objective.startswith("reg:"):
        X, y = X[:, 1:], X[:, 0]
    os.makedirs(model_dir, exist_ok=True)
    train_csv = label_first_csv(os.path.join(model_dir, ".train.csv"), X, y)
    dtrain = xgb.DMatrix(train_csv + "?format=csv&label_column=0")
    os.unlink(train_csv)
    params = {"objective": objective, "max_depth": 2, "eta": 0.5, "nthread": 1, "seed": seed}
    if objective.startswith("multi:"):
        params["num_class"] = 3
    booster = xgb.train(params, dtrain, rounds)
    path = os.path.join(model_dir, name)
    if fmt == "pickle":
        with open(path, "wb") as f:
            pickle.dump(booster, f)
    else:
        suffix = {"binary": ".bin", "json": ".json", "ubj": ".ubj"}[fmt]
        booster.save_model(path + suffix)
        os.rename(path + suffix, path)
    return booster, X


def expected(booster, rows):
    import xgboost as xgb

    return booster.predict(xgb.DMatrix(np.asarray(rows, dtype=np.float64)))


def csv_rows(rows):
    return "\n".join(",".join(str(v) for v in row) for row in rows).encode()
