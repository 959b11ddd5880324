"""The life of a job: queued → running (step/total) → succeeded | failed | cancelled.

The database row is the source of truth. A worker claims a job with one atomic
UPDATE and holds a lease it renews with every step; a job whose worker died is
claimable again once its lease runs out, up to a capped number of attempts.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, event, or_, select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases.service import can_see
from app.db import utcnow
from app.errors import NotFoundError
from app.jobs import lifecycle
from app.jobs.lifecycle import FINAL
from app.jobs.models import Job
from app.users.actor import Actor
from common import progress_bus
from common.previews import preview_path, remove_preview
from common.settings import get_settings
from common.spec import JobStatus, ProgressEvent

LEASE = timedelta(seconds=60)
_ANNOUNCE = "likeness.progress"


def announce(db: Session, job_id: uuid.UUID, status: str, step: int = 0, total: int = 0) -> None:
    """Pushes a change to waiting streams once this session commits it: a stream that hears
    "final" re-reads the row, so the message must not overtake the commit."""
    db.info.setdefault(_ANNOUNCE, []).append((str(job_id), str(status), step, total))


@event.listens_for(Session, "after_commit")
def _publish_announced(db: Session) -> None:
    for job_id, status, step, total in db.info.pop(_ANNOUNCE, []):
        progress_bus.publish(get_settings(), job_id, status, step, total)


@event.listens_for(Session, "after_rollback")
def _drop_announced(db: Session) -> None:
    db.info.pop(_ANNOUNCE, None)


def get_job(db: Session, actor: Actor, job_id: uuid.UUID) -> Job:
    job = db.get(Job, job_id)
    if job is None or not can_see(db, actor, job.case_id):
        raise NotFoundError(f"job {job_id} not found")
    return job


def progress_of(job: Job) -> ProgressEvent:
    preview = None
    if job.status == JobStatus.RUNNING and preview_path(get_settings(), job.id).exists():
        preview = f"/api/jobs/{job.id}/preview?step={job.step}"  # the step makes each URL new to caches
    return ProgressEvent(job_id=str(job.id), status=JobStatus(job.status), step=job.step,
                         total_steps=job.total_steps, error=job.error, result=job.result, preview_url=preview)


def request_cancel(db: Session, actor: Actor, job_id: uuid.UUID) -> Job:
    """A queued job is cancelled at once; a running one stops at its next step."""
    job = get_job(db, actor, job_id)
    if not lifecycle.cancel(job):
        return job
    if job.status == JobStatus.CANCELLED:
        announce(db, job.id, JobStatus.CANCELLED)
    record(db, actor, "job.cancel", case_id=job.case_id, entity_type="job", entity_id=job.id,
           details={"status": job.status})
    db.commit()
    return job


# --- worker side -------------------------------------------------------------

def claim(db: Session, job_id: uuid.UUID, worker: str, max_attempts: int, lease: timedelta = LEASE) -> Job | None:
    """Takes the job for this worker, or None if it is final, cancelled or held by a live worker."""
    now = utcnow()
    claimable = or_(Job.status == JobStatus.QUEUED, and_(Job.status == JobStatus.RUNNING, Job.lease_until < now))
    taken = lifecycle.claim(db, Job, job_id, worker, claimable, Job.attempts < max_attempts,
                            attempts=Job.attempts + 1, step=0, lease_until=now + lease, started_at=now, error=None)
    if not taken:
        _fail_if_exhausted(db, job_id, max_attempts)
        db.commit()
        return None
    # Read before the commit: a read after it opens a new transaction, and one that failed there
    # would leave the job claimed by a worker that never learnt so (a retry finds it held).
    job = db.get(Job, job_id, populate_existing=True)
    total_steps = job.total_steps if job is not None else 0
    db.commit()
    progress_bus.publish(get_settings(), str(job_id), JobStatus.RUNNING, 0, total_steps)
    return job


def _fail_if_exhausted(db: Session, job_id: uuid.UUID, max_attempts: int) -> None:
    job = db.get(Job, job_id, populate_existing=True)
    if job is None or job.status in FINAL or job.attempts < max_attempts:
        return
    if job.status == JobStatus.RUNNING and job.lease_until and job.lease_until >= utcnow():
        return
    finish(db, job, JobStatus.FAILED,
           f"the job stopped its worker {job.attempts} times (out of memory or a crash); "
           "try fewer candidates or a smaller image size")


def report_step(db: Session, job_id: uuid.UUID, worker: str, step: int, total: int,
                lease: timedelta = LEASE) -> bool:
    """Records progress and renews the lease; returns False when the job should stop
    (cancel requested, or another worker took it over)."""
    announce(db, job_id, JobStatus.RUNNING, step, total)  # sent only if the report commits
    return lifecycle.report(db, Job, job_id, worker, step=step, total_steps=total, lease_until=utcnow() + lease)


def finish(db: Session, job: Job, status: JobStatus, error: str | None = None) -> None:
    job.lease_until = None
    remove_preview(get_settings(), job.id)
    announce(db, job.id, status, job.step, job.total_steps)
    lifecycle.finish(db, job, status, error, action="job", entity_type="job", case_id=job.case_id,
                     details={"attempts": job.attempts, "worker": job.worker, "error": error})


def stale_jobs(db: Session, queued_before: datetime) -> list[tuple[uuid.UUID, str]]:
    """Jobs a sweeper should publish again: queued for long (a lost message) or
    running past their lease (a dead worker)."""
    now = utcnow()
    rows = db.execute(
        select(Job.id, Job.kind).where(or_(
            and_(Job.status == JobStatus.QUEUED, Job.created_at < queued_before),
            and_(Job.status == JobStatus.RUNNING, Job.lease_until < now),
        ))
    )
    return [(job_id, kind) for job_id, kind in rows]
