"""API fixtures on the embedded default: a TestClient, users, and jobs run in-process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.db import session_factory
from tests.conftest import Stack, bearer, make_user
from tests.journey import FAST, ok, open_case


@pytest.fixture
def client(sqlite_stack: Stack) -> Iterator[TestClient]:
    from app.main import create_app

    make_user("artist")
    make_user("other")
    make_user("boss", "admin")
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def artist(client: TestClient) -> dict[str, str]:
    return bearer(client, "artist")


def run_queued() -> int:
    """Runs every queued job through the real worker glue; returns how many ran."""
    from app.jobs.models import Job
    from worker.tasks import run_job

    with session_factory()() as db:
        queued = list(db.scalars(sa.select(Job.id).where(Job.status == "queued")))
    for job_id in queued:
        run_job(job_id)
    # Face checks follow each job on the worker's background thread: wait for them.
    from worker.runtime import background

    background().submit(lambda: None).result()
    return len(queued)


def start(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    ids = open_case(client, headers, f"REF-{uuid.uuid4().hex[:8]}")
    body = {"witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 2, **FAST}
    return ok(client.post("/api/sessions", headers=headers, json={**body, **params}), 201)


