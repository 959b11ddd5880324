"""The deployment shape, for real: API → Postgres → Redis → Celery worker processes.

The whole journey, cancel mid-job, and a worker killed with SIGKILL mid-job whose
job another worker finishes exactly once.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.db import session_factory
from app.jobs.models import Job
from app.sessions.models import Candidate
from tests.conftest import Stack, bearer, wait_for
from tests.journey import FAST, fetch_png, ok, open_case, run_journey

pytestmark = pytest.mark.integration
# Big enough that a job runs for several seconds on two CPU cores.
SLOW = {"width": 512, "height": 512, "steps": 150, "candidates": 2}


def _job(job_id: str) -> Job:
    with session_factory()() as db:
        job = db.get(Job, job_id)
        assert job is not None
        return job


def _start_slow(pg_client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    ids = open_case(pg_client, headers, f"SLOW-{time.monotonic_ns()}")
    return ok(pg_client.post("/api/sessions", headers=headers, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], **SLOW}), 201)


def test_whole_journey_on_postgres_redis_celery(postgres_stack: Stack, pg_client: TestClient) -> None:
    postgres_stack.start_worker()
    artist = bearer(pg_client, "artist")
    try:
        result = run_journey(pg_client, artist, "PG-JOURNEY", rounds=5, candidates=4)
    except AssertionError:
        print(postgres_stack.worker_logs())
        raise
    session = result["session"]
    assert session["status"] == "approved" and len(session["rounds"]) == 6
    for previous, current in zip(session["rounds"], session["rounds"][1:], strict=False):
        assert current["mode"] == "img2img"
        parent = next(c for c in previous["candidates"] if c["id"] == current["parent_candidate_id"])
        _, recipe, _ = fetch_png(pg_client, artist, current["candidates"][0]["image_url"])
        assert recipe["parent_sha256"] == parent["image_sha256"]
    assert all(len(r["candidates"]) == 4 for r in session["rounds"])

    admin = bearer(pg_client, "boss")
    actions = [e["action"] for e in ok(pg_client.get(f"/api/audit?case_id={result['case_id']}", headers=admin))]
    assert actions.count("candidate.generate") == 24 and actions.count("candidate.pick") == 5
    assert actions.count("job.succeeded") == 6 and "session.approve" in actions
    assert ok(pg_client.get("/api/audit/verify", headers=admin))["ok"] is True
    health = ok(pg_client.get("/api/health"))
    assert health["database"]["ok"] and health["broker"]["ok"] and health["worker"]["count"] == 1
    assert health["model"]["random_weights"] is True


def test_sse_streams_steps_and_cancel_stops_within_a_step(postgres_stack: Stack, pg_client: TestClient) -> None:
    postgres_stack.start_worker()
    artist = bearer(pg_client, "artist")
    session = _start_slow(pg_client, artist)
    job_id = session["rounds"][0]["job_id"]
    events: list[dict[str, Any]] = []
    with pg_client.stream("GET", f"/api/jobs/{job_id}/events", headers=artist) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if not line.startswith("data: "):
                continue
            events.append(json.loads(line[6:]))
            if events[-1]["status"] == "running" and events[-1]["step"] >= 3 and not _job(job_id).cancel_requested:
                # The per-step preview is there while the job runs.
                preview = pg_client.get(events[-1]["preview_url"], headers=artist)
                assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")
                # The worker draws on while the preview is fetched: measure from the step the row
                # held when the cancel was recorded, which the cancel answer reports.
                cancelled_at = ok(pg_client.post(f"/api/jobs/{job_id}/cancel", headers=artist))["step"]
    steps = [e["step"] for e in events if e["status"] == "running"]
    assert steps == sorted(steps) and len(set(steps)) >= 2, steps
    assert events[-1]["status"] == "cancelled"
    job = _job(job_id)
    assert job.status == "cancelled" and job.step <= cancelled_at + 2 < job.total_steps
    with session_factory()() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Candidate).where(Candidate.job_id == job.id)) == 0


def test_killed_worker_job_finishes_once_on_another(postgres_stack: Stack, pg_client: TestClient) -> None:
    short_lease = {"LIKENESS_JOB_LEASE_S": "2"}
    first = postgres_stack.start_worker(**short_lease)
    artist = bearer(pg_client, "artist")
    session = _start_slow(pg_client, artist)
    job_id = session["rounds"][0]["job_id"]
    wait_for(lambda: _job(job_id).step >= 2, 120, "the first worker to be mid-job")
    postgres_stack.kill(first)  # SIGKILL to the whole worker: parent and pool child
    postgres_stack.start_worker(**short_lease)
    wait_for(lambda: _job(job_id).status in ("succeeded", "failed"), 180, "the job to finish on the second worker",
             interval=0.5)
    job = _job(job_id)
    assert job.status == "succeeded", job.error
    assert job.attempts == 2
    with session_factory()() as db:
        stored = db.scalars(sa.select(Candidate.index).where(Candidate.job_id == job.id)).all()
    assert sorted(stored) == [0, 1]
    session = ok(pg_client.get(f"/api/sessions/{session['id']}", headers=artist))
    assert [c["index"] for c in session["rounds"][0]["candidates"]] == [0, 1]


def test_fast_parameters_are_honoured(postgres_stack: Stack, pg_client: TestClient) -> None:
    postgres_stack.start_worker()
    artist = bearer(pg_client, "artist")
    ids = open_case(pg_client, artist, "PG-FAST")
    session = ok(pg_client.post("/api/sessions", headers=artist, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 1, **FAST,
        "guidance": 3.0, "seed": 7}), 201)
    wait_for(lambda: _job(session["rounds"][0]["job_id"]).status == "succeeded", 120, "round 1")
    session = ok(pg_client.get(f"/api/sessions/{session['id']}", headers=artist))
    _, recipe, _ = fetch_png(pg_client, artist, session["rounds"][0]["candidates"][0]["image_url"])
    assert (recipe["guidance"], recipe["seed"], recipe["steps"]) == (3.0, 7, 4)
