"""/api/health counts only workers that finished their warm-up round."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.db import session_factory, utcnow
from app.jobs.models import WorkerHeartbeat
from tests.conftest import Stack
from tests.journey import ok


@pytest.fixture
def client(sqlite_stack: Stack) -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def _beat(name: str, model: dict[str, object]) -> None:
    with session_factory()() as db:
        beat = db.get(WorkerHeartbeat, name) or WorkerHeartbeat(name=name)
        beat.last_seen, beat.model = utcnow(), model
        db.add(beat)
        db.commit()


def test_a_warming_worker_is_shown_and_not_counted_ready(client: TestClient) -> None:
    _beat("w1", {"state": "warming"})
    health = ok(client.get("/api/health"))
    assert health["status"] == "warming"
    assert health["worker"]["ok"] is False and health["worker"]["warming"] == 1 and health["worker"]["ready"] == 0
    assert health["worker"]["workers"][0]["state"] == "warming"

    _beat("w1", {"state": "ready", "name": "tiny-random-sd", "warmup_s": 0.5})
    health = ok(client.get("/api/health"))
    assert health["status"] == "ok" and health["worker"]["ok"] is True
    assert health["worker"]["ready"] == 1 and health["worker"]["warming"] == 0
    assert health["worker"]["workers"][0]["state"] == "ready"


def test_one_ready_worker_is_enough_while_another_warms(client: TestClient) -> None:
    _beat("w1", {"state": "ready"})
    _beat("w2", {"state": "warming"})
    worker = ok(client.get("/api/health"))["worker"]
    assert worker["ok"] is True and worker["count"] == 2 and (worker["ready"], worker["warming"]) == (1, 1)
    assert {w["name"]: w["state"] for w in worker["workers"]} == {"w1": "ready", "w2": "warming"}


def test_no_worker_at_all_is_degraded_not_warming(client: TestClient) -> None:
    health = ok(client.get("/api/health"))
    assert health["status"] == "degraded" and health["worker"]["count"] == 0
