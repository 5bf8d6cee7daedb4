"""Trains the example model: a small scikit-learn classifier on scikit-learn's bundled iris data.

Usage: python3 train_example.py OUT_DIR
Writes OUT_DIR/model.joblib, the layout the serving container's default handler loads.
Runs offline: the iris data ships inside scikit-learn.
"""

import os
import sys

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def main(out_dir: str) -> None:
    features, labels = load_iris(return_X_y=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    model.fit(features, labels)
    os.makedirs(out_dir, exist_ok=True)
    # Write then rename, so an interrupted run never leaves a half-written model behind.
    partial = os.path.join(out_dir, "model.joblib.partial")
    joblib.dump(model, partial)
    os.replace(partial, os.path.join(out_dir, "model.joblib"))
    print(f"trained on {len(labels)} iris rows, training accuracy {model.score(features, labels):.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: train_example.py OUT_DIR")
    main(sys.argv[1])
