"""A real worker process says "warming" until it has loaded the model and drawn its warm-up round."""

from __future__ import annotations

import signal
import time

from fastapi.testclient import TestClient

from tests.conftest import Stack


def test_worker_is_warming_until_its_warm_up_round_is_drawn(sqlite_stack: Stack) -> None:
    from app.main import create_app

    worker = sqlite_stack.start_worker(LIKENESS_WARMUP="on")  # auto: only on a GPU or with compile
    seen: list[str] = []
    deadline = time.monotonic() + 300
    with TestClient(create_app()) as client:
        while time.monotonic() < deadline:
            health = client.get("/api/health").json()
            seen += [w["state"] for w in health["worker"]["workers"] if not seen or seen[-1] != w["state"]]
            if health["worker"]["ok"]:
                break
            time.sleep(0.05)
    assert health["worker"]["ok"], sqlite_stack.worker_logs()
    assert seen == ["warming", "ready"]
    ready = health["worker"]["workers"][0]["model"]
    assert ready["state"] == "ready" and ready["warmup_s"] > 0 and ready["process"]["torch_threads"] >= 1
    assert health["status"] == "ok"
    # Stopped as `likeness run` stops it: SIGTERM to the Celery parent, which stops its child.
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
    assert "warm-up round" in sqlite_stack.worker_logs()
