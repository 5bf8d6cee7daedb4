"""The FastAPI + uvicorn server a user would write for the same model: the comparison of sizes.py.

Loaded once per worker; CSV through `numpy.loadtxt`, JSON through `json`; the answer is JSON in
the request's convention, as ModelApi's server answers (`{"predictions"}` for `{"instances"}`, a bare
list otherwise). Run by sizes.py as
`uvicorn app:app --workers N` (uvloop and httptools, Debian's python3-uvicorn picks them itself).
"""

import io
import json
import os

import joblib
import numpy as np
from fastapi import FastAPI, Request, Response

app = FastAPI()
model = joblib.load(os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))


@app.get("/ping")
def ping():
    return {"status": "healthy"}


@app.post("/invocations")
async def invocations(request: Request):
    body = await request.body()
    envelope = None
    if request.headers.get("content-type", "").startswith("text/csv"):
        rows = np.loadtxt(io.StringIO(body.decode()), delimiter=",", ndmin=2)
    else:
        doc = json.loads(body)
        if isinstance(doc, dict):
            envelope = "predictions"
            doc = doc["instances"]
        rows = np.asarray(doc, dtype=np.float64)
    predictions = model.predict(rows).tolist()
    answer = {envelope: predictions} if envelope else predictions
    return Response(json.dumps(answer), media_type="application/json")
