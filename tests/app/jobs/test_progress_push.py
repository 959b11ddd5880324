"""Progress is pushed by the worker, not polled from the job row: on the embedded default
(a Unix datagram socket) and on Postgres + Redis (pub/sub), with a real worker process.
The API process counts its own SELECTs on the jobs table while a round streams."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.conftest import Stack, bearer, make_user, wait_for
from tests.journey import ok, open_case

pytestmark = pytest.mark.integration
# Enough steps that a round runs for seconds: polling at 10 Hz would read the row dozens of times.
ROUND = {"width": 64, "height": 64, "steps": 120, "candidates": 1}
JOB_SELECT = re.compile(r"^\s*SELECT\b.*\bFROM jobs\b", re.IGNORECASE | re.DOTALL)


@pytest.fixture(params=["sqlite_stack", "postgres_stack"])
def stack(request: pytest.FixtureRequest) -> Stack:
    return request.getfixturevalue(request.param)


@pytest.fixture
def client(stack: Stack) -> Iterator[TestClient]:
    from app.main import create_app

    make_user("artist")
    make_user("other")
    with TestClient(create_app()) as test_client:
        yield test_client
    for process in stack.processes:  # SIGKILL: a busy machine can outlast the fixture's SIGTERM wait
        stack.kill(process)


class JobReads:
    """Counts this process's SELECTs on the jobs table (the API's; the worker is another process)."""

    def __init__(self) -> None:
        self.count, self.lock = 0, threading.Lock()

    def __call__(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        if JOB_SELECT.match(statement):
            with self.lock:
                self.count += 1


def _worker_ready(client: TestClient) -> bool:
    return bool(ok(client.get("/api/health"))["worker"]["ok"])


def _verify_job_open(image_id: str) -> bool:
    from app.db import session_factory
    from app.jobs.models import Job

    with session_factory()() as db:
        jobs = db.scalars(sa.select(Job).where(Job.kind == "verify")).all()
        return any(j.spec.get("image_id") == image_id and j.status in ("queued", "running") for j in jobs)


def _stream(client: TestClient, headers: dict[str, str], job_id: str) -> list[dict[str, Any]]:
    events = []
    with client.stream("GET", f"/api/jobs/{job_id}/events", headers=headers) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in stream.iter_lines() if line.startswith("data: ")]
    return events


def test_a_round_streams_with_a_few_reads_of_the_job_row(stack: Stack, client: TestClient) -> None:
    from app.db import get_engine

    stack.start_worker()
    artist = bearer(client, "artist")
    wait_for(lambda: _worker_ready(client), 180, "the worker to start", interval=0.5)
    ids = open_case(client, artist, f"PUSH-{time.monotonic_ns()}")
    reads = JobReads()
    sa.event.listen(get_engine(), "before_cursor_execute", reads)
    try:
        session = ok(client.post("/api/sessions", headers=artist, json={
            "witness_id": ids["witness_id"], "description_id": ids["description_id"], **ROUND}), 201)
        job_id = session["rounds"][0]["job_id"]
        before, started = reads.count, time.monotonic()
        events = _stream(client, artist, job_id)
        streamed_s, stream_reads = time.monotonic() - started, reads.count - before
    finally:
        sa.event.remove(get_engine(), "before_cursor_execute", reads)
    assert events[-1]["status"] == "succeeded", (events[-1], stack.worker_logs())
    steps = [e["step"] for e in events if e["status"] == "running"]
    assert steps == sorted(steps) and len(set(steps)) >= 10, steps  # each step arrived, pushed
    assert events[-1]["step"] == events[-1]["total_steps"] == ROUND["steps"]
    # One read to open (access check + state), one for the final state; polling would be ~10 per second.
    print(f"{stack.env['LIKENESS_BROKER_URL'] or 'embedded'}: {stream_reads} job-row reads, "
          f"{len(events)} events in {streamed_s:.2f} s")
    assert stream_reads <= 3, f"{stream_reads} job-row reads in a {streamed_s:.1f} s stream of {len(events)} events"
    assert streamed_s > 0.5, f"the round took {streamed_s:.2f} s: too short to tell pushing from polling"


def test_verify_waits_without_blocking_other_writers(stack: Stack, client: TestClient) -> None:
    """The default verify answers once redrawn; meanwhile another user's write goes through at once."""
    stack.start_worker()
    artist, other = bearer(client, "artist"), bearer(client, "other")
    wait_for(lambda: _worker_ready(client), 180, "the worker to start", interval=0.5)
    ids = open_case(client, artist, f"VERIFY-{time.monotonic_ns()}")
    session = ok(client.post("/api/sessions", headers=artist, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], **ROUND, "steps": 30}), 201)
    events = _stream(client, artist, session["rounds"][0]["job_id"])
    assert events[-1]["status"] == "succeeded", stack.worker_logs()
    candidate = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    image_id = candidate["image_url"].rsplit("/", 1)[1]

    answer: dict[str, Any] = {}

    def verify() -> None:
        response = client.post(f"/api/images/{image_id}/verify", headers=artist)  # the default: wait
        answer.update(status=response.status_code, body=response.json(), at=time.monotonic())

    waiter = threading.Thread(target=verify)
    waiter.start()
    wait_for(lambda: _verify_job_open(image_id), 60, "the verify job to be queued", interval=0.02)  # it waits now
    started = time.monotonic()
    created = client.post("/api/cases", headers=other, json={"reference": f"OTHER-{time.monotonic_ns()}",
                                                             "title": "meanwhile"})
    took = time.monotonic() - started
    written_while_waiting = waiter.is_alive()
    waiter.join(timeout=180)
    assert created.status_code == 201 and took < 2.0, (created.status_code, took)
    assert written_while_waiting, "the verify answered before the other write: make the round slower"
    print(f"another user's write during a verify: {took * 1000:.0f} ms")
    assert answer["status"] == 200, answer
    assert answer["body"]["identical"] is True and answer["body"]["status"] == "succeeded", answer
    assert answer["body"]["regenerated_sha256"] == candidate["image_sha256"]
    assert "database is locked" not in stack.worker_logs()
