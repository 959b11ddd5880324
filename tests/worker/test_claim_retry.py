"""A worker whose claim meets a locked database tries again. Before, the task failed, and the
job waited for the sweeper (10 minutes by default) while its witness watched a spinner."""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid

import pytest
from fastapi.testclient import TestClient

from app.db import session_factory
from app.jobs.models import Job
from tests.conftest import Stack, bearer, make_user, reset_caches
from tests.journey import open_case


def _queued_job() -> uuid.UUID:
    from app.main import create_app

    make_user("artist")
    with TestClient(create_app()) as client:
        case_id = uuid.UUID(open_case(client, bearer(client, "artist"), "CR-LOCKED")["case_id"])
    with session_factory()() as db:
        job = Job(case_id=case_id, spec={})
        db.add(job)
        db.commit()
        return job.id


def test_a_claim_that_meets_the_write_lock_tries_again(sqlite_stack: Stack, monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    from worker.tasks import _claim

    monkeypatch.setenv("LIKENESS_SQLITE_BUSY_TIMEOUT_S", "0.2")
    reset_caches()
    job_id = _queued_job()

    # Another process's transaction holds the write lock for longer than the busy timeout.
    holder = sqlite3.connect(sqlite_stack.data_dir / "likeness.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.6, holder.rollback)
    release.start()
    try:
        with caplog.at_level(logging.WARNING, logger="worker.tasks"):
            job = _claim(job_id)
    finally:
        release.join()
        holder.close()

    assert job is not None and job.status == "running", "the job was not claimed once the lock was free"
    assert "did not answer the claim" in caplog.text
