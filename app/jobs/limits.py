"""Caps on queued work, checked before anything is queued.

- Per user: queued + running jobs (LIKENESS_MAX_JOBS_PER_USER) → 429.
- Everyone: queued jobs (LIKENESS_MAX_QUEUE_DEPTH) → 429.
- Per round: steps × width × height × candidates (LIKENESS_MAX_PIXEL_STEPS) → 422; per session,
  that times rounds + 1 (LIKENESS_MAX_SESSION_PIXEL_STEPS) → 422. Denoising time grows with
  each factor, so their product bounds what one GPU must do for a round.

`admit` is the one call a route makes; it also marks the database session, so the jobs
inserted in it carry `created_by` (see `_stamp_owner`).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Mapper, Session, object_session

from app.errors import InvalidError
from app.jobs.models import Job
from app.security.ratelimit import RateLimitedError
from app.users.actor import Actor
from common.settings import get_settings
from common.spec import JobStatus

ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
OWNER_KEY = "likeness.job_owner"
RETRY_AFTER_S = 30


def admit(db: Session, actor: Actor, body: Any = None, session_id: uuid.UUID | None = None) -> None:
    """Refuses work past the caps; `body` is a SessionCreate or RoundCreate (None for a verify)."""
    if body is not None:
        _check_size(db, actor, body, session_id)
    _check_queue(db, actor)
    db.info[OWNER_KEY] = actor.id


def _check_queue(db: Session, actor: Actor) -> None:
    settings = get_settings()
    if actor.id is not None:
        mine = db.scalar(select(func.count()).select_from(Job)
                         .where(Job.created_by == actor.id, Job.status.in_(ACTIVE))) or 0
        if mine >= settings.max_jobs_per_user:
            raise RateLimitedError(f"you have {mine} jobs queued or running, the most one user may have "
                                   f"(LIKENESS_MAX_JOBS_PER_USER={settings.max_jobs_per_user}); wait for one to "
                                   "finish or cancel one", RETRY_AFTER_S)
    depth = queue_depth(db)
    if depth >= settings.max_queue_depth:
        raise RateLimitedError(f"the generation queue is full ({depth} jobs waiting, "
                               f"LIKENESS_MAX_QUEUE_DEPTH={settings.max_queue_depth}); try again shortly",
                               RETRY_AFTER_S)


def queue_depth(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(Job).where(Job.status == JobStatus.QUEUED.value)) or 0)


def queue_status(db: Session) -> dict[str, Any]:
    """For /api/health: how much work waits, and the caps."""
    settings = get_settings()
    running = db.scalar(select(func.count()).select_from(Job).where(Job.status == JobStatus.RUNNING.value)) or 0
    depth = queue_depth(db)
    return {"depth": depth, "running": int(running), "max_depth": settings.max_queue_depth,
            "full": depth >= settings.max_queue_depth, "max_jobs_per_user": settings.max_jobs_per_user}


def _effective(db: Session, actor: Actor, body: Any, session_id: uuid.UUID | None) -> dict[str, Any]:
    """The settings the round will draw with: the session's sticky ones under the body's."""
    from app.cases.service import can_see
    from app.sessions.generation import DEFAULTS
    from app.sessions.models import SketchSession

    params, candidates = dict(DEFAULTS), getattr(body, "candidates", None)
    if session_id is not None:
        session = db.get(SketchSession, session_id)
        if session is None or not can_see(db, actor, session.case_id):
            return {}  # the route answers 404 next
        params.update(session.params or {})
        candidates = candidates or session.candidates
    params.update(body.model_dump(include={"steps", "width", "height"}, exclude_none=True))
    return {**params, "candidates": candidates or 1, "rounds": getattr(body, "rounds", None)}


def _check_size(db: Session, actor: Actor, body: Any, session_id: uuid.UUID | None) -> None:
    settings = get_settings()
    chosen = _effective(db, actor, body, session_id)
    if not chosen:
        return
    per_round = chosen["steps"] * chosen["width"] * chosen["height"] * chosen["candidates"]
    shape = (f"steps {chosen['steps']} × width {chosen['width']} × height {chosen['height']} × "
             f"candidates {chosen['candidates']} = {per_round:,}")
    if per_round > settings.max_pixel_steps:
        raise InvalidError(f"{shape} is more than one round may draw (LIKENESS_MAX_PIXEL_STEPS="
                           f"{settings.max_pixel_steps:,}); lower the steps, the size or the candidates")
    if chosen["rounds"] is not None and per_round * (chosen["rounds"] + 1) > settings.max_session_pixel_steps:
        raise InvalidError(f"rounds: {shape}, times rounds {chosen['rounds']} + 1, is more than one session may "
                           f"draw (LIKENESS_MAX_SESSION_PIXEL_STEPS={settings.max_session_pixel_steps:,}); "
                           "ask for fewer rounds or smaller ones")


@event.listens_for(Job, "before_insert")
def _stamp_owner(_mapper: Mapper[Job], _connection: Any, job: Job) -> None:
    if job.created_by is None:
        db = object_session(job)
        job.created_by = db.info.get(OWNER_KEY) if db is not None else None
