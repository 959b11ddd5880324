"""Caps on queued work: per user and overall (429 with the reason), and on the size of a
round or session (422 naming the limit); the queue depth is in /api/health."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.db import session_factory
from app.jobs.models import Job
from common.settings import get_settings
from tests.app.conftest import run_queued, start
from tests.conftest import bearer
from tests.journey import FAST, ok, open_case


def _set(monkeypatch: pytest.MonkeyPatch, **values: int) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"LIKENESS_{name.upper()}", str(value))
    get_settings.cache_clear()


def _jobs() -> int:
    with session_factory()() as db:
        return db.scalar(sa.select(sa.func.count()).select_from(Job)) or 0


def _new_session(client: TestClient, headers: dict[str, str], **params: object) -> object:
    ids = open_case(client, headers, f"REF-{uuid.uuid4().hex[:8]}")
    return client.post("/api/sessions", headers=headers, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 1, **FAST,
        **params})


def test_per_user_cap_is_429_with_the_reason(client: TestClient, artist: dict[str, str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _set(monkeypatch, max_jobs_per_user=2)
    start(client, artist)
    start(client, artist)
    refused = _new_session(client, artist)
    assert refused.status_code == 429 and "LIKENESS_MAX_JOBS_PER_USER=2" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) > 0
    assert _jobs() == 2
    # Someone else is not held up by this artist's queue.
    assert _new_session(client, bearer(client, "other")).status_code == 201
    run_queued()
    assert _new_session(client, artist).status_code == 201  # finished jobs no longer count


def test_verify_counts_toward_the_per_user_cap(client: TestClient, artist: dict[str, str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    session = start(client, artist)
    run_queued()
    image_url = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0][
        "image_url"]
    _set(monkeypatch, max_jobs_per_user=1)
    start_other = _new_session(client, artist)
    assert start_other.status_code == 201
    refused = client.post(f"{image_url}/verify?wait=0", headers=artist)
    assert refused.status_code == 429 and "LIKENESS_MAX_JOBS_PER_USER" in refused.json()["detail"]


def test_global_queue_depth_is_429_and_shown_in_health(client: TestClient, artist: dict[str, str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _set(monkeypatch, max_queue_depth=3)
    other = bearer(client, "other")
    start(client, artist)
    start(client, artist)
    start(client, other)
    queue = ok(client.get("/api/health"))["queue"]
    assert queue["depth"] == 3 and queue["max_depth"] == 3 and queue["full"] is True
    refused = _new_session(client, other)
    assert refused.status_code == 429 and "queue is full" in refused.json()["detail"]
    assert "LIKENESS_MAX_QUEUE_DEPTH=3" in refused.json()["detail"]
    run_queued()
    assert ok(client.get("/api/health"))["queue"]["depth"] == 0


def test_a_round_bigger_than_a_gpu_serves_is_422_naming_the_limit(client: TestClient,
                                                                  artist: dict[str, str]) -> None:
    huge = _new_session(client, artist, candidates=8, width=1024, height=1024, steps=150, rounds=50)
    assert huge.status_code == 422 and "LIKENESS_MAX_PIXEL_STEPS" in huge.json()["detail"]
    too_many_rounds = _new_session(client, artist, candidates=4, width=1024, height=1024, steps=50, rounds=50)
    assert too_many_rounds.status_code == 422
    assert "LIKENESS_MAX_SESSION_PIXEL_STEPS" in too_many_rounds.json()["detail"]
    assert _jobs() == 0
    session = start(client, artist)
    run_queued()
    candidate = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    # The session's 2 candidates with 1024² at 150 steps: 315 M pixel-steps, past the default 210 M.
    refused = client.post(f"/api/sessions/{session['id']}/rounds", headers=artist,
                          json={"candidate_id": candidate["id"], "width": 1024, "height": 1024, "steps": 150})
    assert refused.status_code == 422 and "candidates 2" in refused.json()["detail"]
    assert _jobs() == 1


def test_a_witness_pick_is_refused_when_the_queue_is_full(client: TestClient, artist: dict[str, str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    session = start(client, artist)
    run_queued()
    link = ok(client.post(f"/api/sessions/{session['id']}/witness-link", headers=artist, json={"minutes": 30}), 201)
    witness = TestClient(client.app)
    view = ok(witness.post("/api/witness/exchange", json={"token": link["url"].split("#", 1)[1]}))
    _set(monkeypatch, max_queue_depth=1)
    start(client, bearer(client, "other"))
    refused = witness.post("/api/witness/rounds", headers={"X-CSRF-Token": view["csrf_token"]},
                           json={"candidate_id": view["rounds"][0]["candidates"][0]["id"], "rating": 5})
    assert refused.status_code == 429 and "queue is full" in refused.json()["detail"]
    assert len(ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"]) == 1
