"""A model service of your own, watched by mlmon.

It serves the wine model trained by train.py, exposes its own Prometheus
metrics on /metrics (request count and latency by route and status: what the
SLO in slo.yaml measures), and sends every prediction and every label to
mlmon's ML model exporter for drift and accuracy. The mlmon part is the
`sender` lines below.

    MODEL_DIR=build MLMON_EXPORTER_TOKEN_FILE=../../data/secrets/exporter-token \\
        python3 -m uvicorn app:app --port 8080
"""
import os
import pickle
import time
import uuid

from fastapi import FastAPI, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from pydantic import BaseModel

from mlmon_sender import MlmonSender

MODEL_NAME = os.environ.get("MODEL_NAME", "wine")
MODEL_VERSION = os.environ.get("MODEL_VERSION", "v1")
with open(os.path.join(os.environ.get("MODEL_DIR", "build"), "model.pkl"), "rb") as f:
    bundle = pickle.load(f)
model, FEATURES, CLASSES = bundle["model"], bundle["features"], bundle["classes"]

registry = CollectorRegistry()
REQUESTS = Counter("http_requests_total", "HTTP requests by method, route and status.", ["method", "route", "status"], registry=registry)
# 0.3 s is the latency SLO's threshold (slo.yaml): it must be a bucket boundary.
DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer, by method, route and status.",
    ["method", "route", "status"],
    buckets=[0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10],
    registry=registry,
)

sender = MlmonSender()
app = FastAPI(title="wine classifier")


@app.middleware("http")
async def measure(request: Request, call_next):
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    path = route.path if route is not None else "unmatched"  # route templates only: bounded labels
    REQUESTS.labels(request.method, path, str(response.status_code)).inc()
    DURATION.labels(request.method, path, str(response.status_code)).observe(time.perf_counter() - started)
    return response


class PredictRequest(BaseModel):
    features: dict[str, float]


class FeedbackRequest(BaseModel):
    id: str
    label: str


@app.post("/predict")
def predict(body: PredictRequest):
    missing = [f for f in FEATURES if f not in body.features]
    if missing:
        raise HTTPException(status_code=400, detail=f"missing features: {', '.join(missing)}")
    probabilities = model.predict_proba([[body.features[f] for f in FEATURES]])[0]
    best = int(probabilities.argmax())
    request_id = str(uuid.uuid4())
    scores = {CLASSES[i]: float(p) for i, p in enumerate(probabilities)}
    # mlmon: one line per prediction.
    sender.send_prediction(MODEL_NAME, MODEL_VERSION, request_id, body.features, CLASSES[best], scores)
    return {"id": request_id, "prediction": CLASSES[best], "scores": scores, "version": MODEL_VERSION}


@app.post("/feedback", status_code=202)
def feedback(body: FeedbackRequest):
    # mlmon: one line per label, joined to its prediction by id.
    sender.send_label(MODEL_NAME, body.id, body.label)
    return {"status": "accepted"}


@app.get("/health")
def health():
    return {"status": "ok", "model": MODEL_NAME, "version": MODEL_VERSION}


@app.get("/metrics")
def metrics():
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@app.on_event("shutdown")
def flush_events():
    sender.close()
