"""Reference server for the benchmark: a Flask + gunicorn + nginx model server,
as commonly deployed for SageMaker bring-your-own containers.

One pandas DataFrame per request, model.predict, jsonify.
"""

import os

import flask
import joblib
import pandas as pd

MODEL_PATH = os.path.join(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"), "model.joblib")


class ScoringService:
    model = None

    @classmethod
    def get_model(cls):
        if cls.model is None:
            cls.model = joblib.load(MODEL_PATH)
        return cls.model

    @classmethod
    def predict(cls, frame):
        return cls.get_model().predict(frame)


app = flask.Flask(__name__)


@app.route("/ping", methods=["GET"])
def ping():
    healthy = ScoringService.get_model() is not None
    return flask.Response(response="\n", status=200 if healthy else 404, mimetype="application/json")


@app.route("/invocations", methods=["POST"])
def transformation():
    if flask.request.content_type != "application/json":
        return flask.Response(response="This predictor only supports JSON data", status=415, mimetype="text/plain")
    data = flask.request.get_json()
    frame = pd.DataFrame(data["instances"])
    predictions = ScoringService.predict(frame)
    return flask.jsonify({"predictions": predictions.tolist()})
