"""Predicting the rows of several concurrent requests in one call.

Rows of all requests are stacked into one array, predicted together and split
back; estimators predict each row independently, so every request gets what it
would have got alone. If the joint call fails (one request may hold rows the
model rejects) each request is predicted on its own, so a failure stays with
the request that caused it.
"""

import logging
from typing import TYPE_CHECKING, List, Optional

import numpy as np

from .. import codecs
from ..errors import HttpError, error_body
from ..http.messages import Response

if TYPE_CHECKING:
    from ..models.pipeline import ModelHandler, Pending

log = logging.getLogger("modelapi.batching")


def _joint_predictions(handler: "ModelHandler", items: List["Pending"]) -> Optional[List[np.ndarray]]:
    """One prediction slice per item from a single call, or None."""
    width = items[0].data.shape[1]
    if any(item.data.shape[1] != width for item in items):
        return None
    stacked = np.concatenate([item.data for item in items])
    try:
        joint = handler.raw_predict(stacked)
    except Exception:
        return None
    if not (isinstance(joint, np.ndarray) and joint.ndim >= 1 and joint.shape[0] == stacked.shape[0]):
        return None
    predictions, start = [], 0
    for item in items:
        end = start + item.data.shape[0]
        predictions.append(joint[start:end])
        start = end
    return predictions


def predict_many(handler: "ModelHandler", items: List["Pending"]) -> List[Response]:
    """Answer several `Pending` items of one handler: one `Response` per item, in order."""
    predictions = _joint_predictions(handler, items) if len(items) > 1 else None
    responses = []
    for i, item in enumerate(items):
        try:
            prediction = predictions[i] if predictions is not None else handler.predict_rows(item.data)
            responses.append(
                Response(200, item.response_type, codecs.encode(prediction, item.response_type, item.envelope))
            )
        except HttpError as exc:
            responses.append(Response(exc.status, codecs.JSON, error_body(exc.status, exc.message)))
        except Exception:
            log.exception("encoding a prediction failed")
            responses.append(
                Response(500, codecs.JSON, error_body(500, "internal server error; the server log has the details"))
            )
    return responses
