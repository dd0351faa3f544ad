"""The serving benchmark's peer: FastAPI + uvicorn + onnxruntime serving the same
model as `fornax serve`, the way such an app is usually written: a pydantic model
validates each row, the recipe is applied with numpy, onnxruntime runs the network.

Run: FORNAX_BENCH_DIR=DIR uvicorn fastapi_app:app (DIR holds wine.json and wine.onnx).
"""

import json
import os
import time
from typing import List, Optional

import numpy as np
import onnxruntime
from fastapi import FastAPI
from pydantic import Field, create_model

DIR = os.environ["FORNAX_BENCH_DIR"]
SPEC = json.load(open(os.path.join(DIR, "wine.json")))
options = onnxruntime.SessionOptions()
options.intra_op_num_threads = 1
SESSION = onnxruntime.InferenceSession(os.path.join(DIR, "wine.onnx"), options, providers=["CPUExecutionProvider"])
MEANS = np.array([f["mean"] for f in SPEC["features"]], dtype=np.float32)
STDS = np.array([f["std"] for f in SPEC["features"]], dtype=np.float32)
NAMES = [f["name"] for f in SPEC["features"]]
CLASSES = SPEC["classes"]

Row = create_model("Row", **{name: (Optional[float], ...) for name in NAMES})
Request = create_model("Request", rows=(List[Row], Field(..., max_length=1000)))

app = FastAPI(title="FastAPI + onnxruntime peer")


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/v1/models/wine/predict")
def predict(request: Request):
    started = time.perf_counter()
    x = np.array([[getattr(r, n) if getattr(r, n) is not None else np.nan for n in NAMES] for r in request.rows], dtype=np.float32)
    x = np.where(np.isnan(x), MEANS, x)
    probabilities = SESSION.run(None, {"x": (x - MEANS) / STDS})[0]
    predictions = [
        {"label": CLASSES[int(p.argmax())], "probabilities": dict(zip(CLASSES, map(float, p)))} for p in probabilities
    ]
    return {"model": "wine", "predictions": predictions, "latency_ms": (time.perf_counter() - started) * 1000}
