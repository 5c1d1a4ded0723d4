"""Send prediction events and ground-truth labels to mlmon's ML model exporter.

Copy this file into your service. `send_prediction` and `send_label` only put
the item in a bounded queue and return at once; a background thread posts the
queue in batches to POST /v1/events and /v1/feedback with the exporter's bearer
token, retrying with exponential backoff when the exporter is away. When the
queue is full the oldest items are dropped (and counted), so an outage of the
exporter never costs your service more than `max_buffered` items of memory.
"""
import collections
import json
import os
import random
import threading
import time
import urllib.error
import urllib.request


class MlmonSender:
    def __init__(self, url=None, token=None, batch_size=500, interval=1.0, max_buffered=100_000):
        self.url = (url or os.environ.get("MLMON_EXPORTER_URL", "http://127.0.0.1:9101")).rstrip("/")
        token_file = os.environ.get("MLMON_EXPORTER_TOKEN_FILE")
        self.token = token or os.environ.get("MLMON_EXPORTER_TOKEN") or (open(token_file).read().strip() if token_file else "")
        self.batch_size = batch_size
        self.interval = interval
        self.queues = {"events": collections.deque(maxlen=max_buffered), "feedback": collections.deque(maxlen=max_buffered)}
        self.lock = threading.Lock()
        self.stats = {"accepted": 0, "rejected": 0, "dropped": 0}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="mlmon-sender", daemon=True)
        self.thread.start()

    def send_prediction(self, model, version, request_id, features, prediction, scores=None):
        item = {"model": model, "version": version, "id": request_id, "features": features, "prediction": prediction, "timestamp": time.time()}
        if scores is not None:
            item["scores"] = scores
        self._put("events", item)

    def send_label(self, model, request_id, label):
        self._put("feedback", {"model": model, "id": request_id, "label": label, "timestamp": time.time()})

    def _put(self, endpoint, item):
        with self.lock:
            queue = self.queues[endpoint]
            if len(queue) == queue.maxlen:
                self.stats["dropped"] += 1  # the deque drops the oldest
            queue.append(item)

    def flush(self):
        # Take both queues at once, then send events before labels: a label queued
        # after this point waits for the next flush, so it never overtakes its prediction.
        with self.lock:
            taken = {endpoint: list(queue) for endpoint, queue in self.queues.items()}
            for queue in self.queues.values():
                queue.clear()
        for endpoint in ("events", "feedback"):
            items = taken[endpoint]
            for start in range(0, len(items), self.batch_size):
                self._post(endpoint, items[start : start + self.batch_size])

    def close(self):
        self.stopping.set()
        self.thread.join(timeout=10)
        self.flush()

    def _run(self):
        while not self.stopping.wait(self.interval):
            self.flush()

    def _post(self, endpoint, batch, attempts=8):
        body = json.dumps({endpoint: batch}).encode()
        for attempt in range(attempts):
            request = urllib.request.Request(
                f"{self.url}/v1/{endpoint}",
                data=body,
                method="POST",
                headers={"content-type": "application/json", "authorization": f"Bearer {self.token}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    answer = json.load(response)
                self.stats["accepted"] += answer["accepted"]
                self.stats["rejected"] += len(answer["rejected"])
                return
            except urllib.error.HTTPError as e:
                if e.code == 422:  # every item refused: look at the reasons, do not retry
                    self.stats["rejected"] += len(batch)
                    return
                if e.code < 500 and e.code != 429:
                    self.stats["dropped"] += len(batch)
                    return
            except OSError:
                pass  # the exporter is away: retry
            time.sleep(min(10.0, 0.2 * 2**attempt) * (0.5 + random.random()))
        self.stats["dropped"] += len(batch)
