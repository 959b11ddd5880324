"""app/jobs/lifecycle.py through both users of it: generation jobs (leases, attempts) and training runs."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db import session_factory, utcnow
from app.jobs import service as jobs
from app.jobs.models import Job
from app.training import service as training
from app.training.models import TrainingRun
from common.spec import JobStatus
from tests.conftest import queued_training_run
from tests.journey import open_case


def new_job(client: TestClient, artist: dict[str, str]) -> uuid.UUID:
    case_id = uuid.UUID(open_case(client, artist, f"CR-{uuid.uuid4().hex[:8]}")["case_id"])
    with session_factory()() as db:
        job = Job(case_id=case_id, spec={})
        db.add(job)
        db.commit()
        return job.id


def status_of(db: Session, job_id: uuid.UUID) -> tuple[str, int, str | None]:
    job = db.get(Job, job_id, populate_existing=True)
    assert job is not None
    return job.status, job.attempts, job.worker


def test_a_job_is_held_by_one_worker_until_its_lease_runs_out(client: TestClient, artist: dict[str, str]) -> None:
    job_id = new_job(client, artist)
    with session_factory()() as db:
        assert jobs.claim(db, job_id, "w1", max_attempts=2) is not None
        assert jobs.claim(db, job_id, "w2", max_attempts=2) is None  # w1's lease is live
        assert jobs.report_step(db, job_id, "w1", 1, 4) is True
        assert jobs.report_step(db, job_id, "w2", 1, 4) is False  # not w2's job
        assert status_of(db, job_id) == ("running", 1, "w1")
        assert jobs.claim(db, job_id, "w2", max_attempts=2, lease=timedelta(seconds=-1)) is None
        jobs.report_step(db, job_id, "w1", 2, 4, lease=timedelta(seconds=-1))  # w1 dies with its lease run out
        assert jobs.claim(db, job_id, "w2", max_attempts=2) is not None
        assert status_of(db, job_id) == ("running", 2, "w2")
        assert jobs.report_step(db, job_id, "w1", 3, 4) is False  # w1 came back: it must stop
        jobs.report_step(db, job_id, "w2", 1, 4, lease=timedelta(seconds=-1))
        assert jobs.claim(db, job_id, "w3", max_attempts=2) is None  # attempts spent: failed, once
        assert status_of(db, job_id)[0] == "failed"


def test_a_cancel_reaches_the_running_job_at_its_next_step(client: TestClient, artist: dict[str, str]) -> None:
    job_id = new_job(client, artist)
    with session_factory()() as db:
        assert jobs.claim(db, job_id, "w1", max_attempts=2) is not None
    assert client.post(f"/api/jobs/{job_id}/cancel", headers=artist).status_code == 200
    with session_factory()() as db:
        assert jobs.report_step(db, job_id, "w1", 1, 4) is False
        assert status_of(db, job_id)[0] == "running"  # the worker ends it, as cancelled


def test_a_training_run_is_claimed_once_and_finished_once(client: TestClient) -> None:
    run_id = queued_training_run()
    with session_factory()() as db:
        assert training.claim_run(db, run_id, "t1") is not None
        assert training.claim_run(db, run_id, "t2") is None  # a run is never taken over: held until final
        assert training.report_progress(db, run_id, "t1", 1, 2, 0.5) is True
        training.finish_run(db, run_id, JobStatus.FAILED, error="out of memory")
        training.finish_run(db, run_id, JobStatus.SUCCEEDED)  # a late second finish changes nothing
        done = db.get(TrainingRun, run_id, populate_existing=True)
        assert done is not None and (done.status, done.error, done.loss) == ("failed", "out of memory", 0.5)
        assert training.report_progress(db, run_id, "t1", 2, 2, 0.4) is False


def test_a_training_run_whose_worker_stopped_reporting_is_failed_with_the_reason(
        client: TestClient) -> None:
    from app.audit.models import AuditEvent

    live, dead = queued_training_run(), queued_training_run()
    with session_factory()() as db:
        assert training.claim_run(db, live, "alive") is not None
        assert training.claim_run(db, dead, "killed") is not None
        assert training.fail_abandoned_runs(db) == [], "a run within its lease was failed"
        # The killed worker's lease runs out; the live one keeps reporting, which renews its own.
        run = db.get(TrainingRun, dead)
        assert run is not None and run.lease_until is not None
        run.lease_until = utcnow() - timedelta(seconds=1)
        db.commit()
        assert training.report_progress(db, live, "alive", 1, 10, 0.5) is True

        assert training.fail_abandoned_runs(db) == [dead]
        failed = db.get(TrainingRun, dead, populate_existing=True)
        assert failed is not None and failed.status == "failed" and failed.lease_until is None
        assert failed.error is not None and "stopped answering" in failed.error
        assert status_of_run(db, live) == "running"
        audited = db.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_id == str(dead))).all()
        assert "training.failed" in audited
        # A worker that was only slow learns at its next report that the run is over.
        assert training.report_progress(db, dead, "killed", 2, 10, 0.4) is False
        assert training.fail_abandoned_runs(db) == [], "a failed run was failed again"


def status_of_run(db: Session, run_id: uuid.UUID) -> str:
    run = db.get(TrainingRun, run_id, populate_existing=True)
    assert run is not None
    return run.status
