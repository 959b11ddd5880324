"""Sketch sessions: the first round from the description, each next round from the
witness's pick and feedback, until the artist approves a composite.

Rules: a round refines a candidate of the same session; one round runs at a time;
an approved session is closed; the job is published only after its row commits.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.redact import spec_for_audit
from app.audit.service import record
from app.cases.service import can_see
from app.db import utcnow
from app.errors import ConflictError, InvalidError, NotFoundError
from app.images.service import image_url
from app.jobs.models import Job
from app.jobs.queue import publish_job
from app.sessions import evolution, exposure, loop
from app.sessions.generation import build_spec, sticky_params
from app.sessions.models import Candidate, Round, SketchSession, SubmitKey
from app.sessions.schemas import (
    CandidateOut,
    RoundCreate,
    RoundOut,
    RoundParams,
    SessionCreate,
    SessionOut,
    SessionSummary,
)
from app.users.actor import Actor
from app.witnesses.service import get_description, get_witness
from common.prompt import count_tokens
from common.recipe import sha256_hex
from common.spec import JobStatus, Strategy


def get_session(db: Session, actor: Actor, session_id: uuid.UUID) -> SketchSession:
    session = db.get(SketchSession, session_id)
    if session is None or not can_see(db, actor, session.case_id):
        raise NotFoundError(f"session {session_id} not found")
    return session


def list_sessions(db: Session, case_id: uuid.UUID) -> list[SessionSummary]:
    counts = func.count(Round.id)
    rows = db.execute(
        select(SketchSession, counts).outerjoin(Round, Round.session_id == SketchSession.id)
        .where(SketchSession.case_id == case_id).group_by(SketchSession.id).order_by(SketchSession.created_at)
    )
    return [SessionSummary(id=s.id, witness_id=s.witness_id, description_id=s.description_id, status=s.status,
                           created_at=s.created_at, rounds_count=n) for s, n in rows]


def _seeds(first: int | None, count: int) -> list[int]:
    if first is None:
        return [secrets.randbelow(2**32) for _ in range(count)]
    return [(first + i) % 2**32 for i in range(count)]


def _queue_round(db: Session, session: SketchSession, chosen: RoundParams, *, index: int, prompt: str,
                 negative: str, seeds: list[int], parent: Candidate | None,
                 plan: evolution.EvolvePlan | None = None) -> Round:
    params = sticky_params(session.params, chosen)
    spec = build_spec(db, session, params, chosen, prompt=prompt, negative=negative, seeds=seeds, parent=parent)
    if plan is not None:  # model evolve: the array's genomes (app/sessions/evolution.py)
        spec = plan.apply(spec)
    session.params = params
    job = Job(case_id=session.case_id, spec=spec.model_dump(mode="json"))
    db.add(job)
    db.flush()
    # The spec's prompt is the one drawn (a style switch rewrites its opening words).
    round_ = Round(session_id=session.id, index=index, job_id=job.id, mode=spec.mode.value, model=spec.strategy.value,
                   prompt=spec.prompt, negative_prompt=negative, token_count=count_tokens(spec.prompt),
                   parent_candidate_id=parent.id if parent else None)
    db.add(round_)
    db.flush()
    return round_


def replayed_submit(db: Session, actor: Actor, key: str | None) -> SketchSession | None:
    """The session a resent `Idempotency-Key` already created a round in, if any."""
    if not key:
        return None
    submit = db.get(SubmitKey, (actor.username, key))
    return get_session(db, actor, submit.session_id) if submit else None


def _remember_submit(db: Session, actor: Actor, key: str | None, round_: Round) -> None:
    if key:
        db.add(SubmitKey(actor=actor.username, key=key, session_id=round_.session_id, round_index=round_.index))


def _commit_submit(db: Session, actor: Actor, key: str | None) -> SketchSession | None:
    """Commits a new round; a concurrent duplicate loses on the unique keys and gets the winner's session."""
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        replay = replayed_submit(db, actor, key)
        if replay is None:
            raise ConflictError("another round was submitted to this session at the same moment; reload it") from None
        return replay
    return None


def _finish_submit(db: Session, actor: Actor, session: SketchSession, round_: Round, step: loop.Step,
                   key: str | None) -> SketchSession:
    """The end of every submit: audit and keep the queued round, commit it, then publish its job."""
    _record_round(db, actor, session, round_)
    loop.keep(db, actor, session, round_, step)
    _remember_submit(db, actor, key, round_)
    replay = _commit_submit(db, actor, key)
    if replay is not None:
        return replay
    publish_job(round_.job_id)
    db.expire_all()
    return session


def create_session(db: Session, actor: Actor, data: SessionCreate, key: str | None = None) -> SketchSession:
    replay = replayed_submit(db, actor, key)
    if replay is not None:
        return replay
    witness = get_witness(db, actor, data.witness_id)
    description = get_description(db, actor, data.description_id)
    if description.witness_id != witness.id:
        raise InvalidError("description_id: this description belongs to another witness")
    evolve = data.model is Strategy.EVOLVE
    count = evolution.array_size(data) if evolve else data.candidates
    session = SketchSession(case_id=witness.case_id, witness_id=witness.id, description_id=description.id,
                            max_rounds=data.rounds, candidates=count, params={}, created_by=actor.id)
    db.add(session)
    db.flush()
    step = loop.first_step(description)
    seeds = _seeds(data.seed, count)
    plan = evolution.initial_plan(seeds, data.phase or "internal") if evolve else None
    round_ = _queue_round(db, session, data, index=1, prompt=data.prompt or step.built.prompt,
                          negative=data.negative_prompt or step.built.negative_prompt, seeds=seeds, parent=None,
                          plan=plan)
    exposure.guard_round(db, actor, session, round_, data.exposure_reason)
    if evolve:
        session.params = {**session.params, "array": count}  # the array size of the following rounds
    record(db, actor, "session.create", case_id=session.case_id, entity_type="session", entity_id=session.id,
           details={"witness_id": str(witness.id), "description_id": str(description.id),
                    "description_version": description.version})
    return _finish_submit(db, actor, session, round_, step, key)


def _record_round(db: Session, actor: Actor, session: SketchSession, round_: Round) -> None:
    record(db, actor, "round.queue", case_id=session.case_id, entity_type="round", entity_id=round_.id,
           details={"session_id": str(session.id), "index": round_.index, "job_id": str(round_.job_id),
                    "spec": spec_for_audit(round_.job.spec if round_.job else None)})


def _busy_round(session: SketchSession) -> Round | None:
    return next((r for r in session.rounds if not JobStatus(r.job.status).is_final), None)


def _candidate_in(db: Session, session: SketchSession, candidate_id: uuid.UUID, actor: Actor) -> Candidate:
    candidate = db.get(Candidate, candidate_id)
    round_ = db.get(Round, candidate.round_id) if candidate else None
    if candidate is None or round_ is None:
        raise NotFoundError(f"candidate {candidate_id} not found")
    if round_.session_id != session.id:
        other = db.get(SketchSession, round_.session_id)
        if other is None or not can_see(db, actor, other.case_id):
            raise NotFoundError(f"candidate {candidate_id} not found")
        raise ConflictError("candidate_id: this candidate belongs to another session; pick one of this session's")
    return candidate


def _require_active(session: SketchSession) -> None:
    if session.status != "active":
        raise ConflictError("this session is approved and closed; start a new session to draw more")
    busy = _busy_round(session)
    if busy is not None:
        raise ConflictError(f"round {busy.index} is still {busy.job.status}; wait for it or cancel job {busy.job_id}")


def add_round(db: Session, actor: Actor, session: SketchSession, data: RoundCreate,
              key: str | None = None) -> SketchSession:
    """The witness's pick and feedback become the next round (by the artist, or the witness's link)."""
    replay = replayed_submit(db, actor, key)
    if replay is not None:
        return replay
    _require_active(session)
    refinements = sum(1 for r in session.rounds if r.index > 1)
    if refinements >= session.max_rounds:
        raise ConflictError(f"this session allows {session.max_rounds} refinement rounds and has used them; "
                            "approve a candidate or start a new session")
    if evolution.is_evolve(session, data):
        return _add_evolve_round(db, actor, session, data, key)
    parent = _candidate_in(db, session, evolution.check_single_pick(data), actor)
    # Built afresh from the working description each round: nothing is appended.
    step = loop.next_step(db, session, data, max(r.index for r in session.rounds) + 1)
    prompt = data.prompt or step.built.prompt
    count = data.candidates or session.candidates
    round_ = _queue_round(db, session, data, index=max(r.index for r in session.rounds) + 1, prompt=prompt,
                          negative=data.negative_prompt or step.built.negative_prompt,
                          seeds=_seeds(data.seed, count), parent=parent)
    exposure.guard_round(db, actor, session, round_, data.exposure_reason)
    round_.rating, round_.feedback = data.rating, data.feedback
    # The witness's words are evidence: the round keeps them; the audit keeps their hash.
    record(db, actor, "candidate.pick", case_id=session.case_id, entity_type="candidate", entity_id=parent.id,
           details={"session_id": str(session.id), "rating": data.rating,
                    "feedback_sha256": sha256_hex(data.feedback.encode("utf-8")),
                    "feedback_characters": len(data.feedback)})
    return _finish_submit(db, actor, session, round_, step, key)


def _add_evolve_round(db: Session, actor: Actor, session: SketchSession, data: RoundCreate,
                      key: str | None) -> SketchSession:
    """Model evolve: the witness's picks (or reject_all, blend, scale_array) bred into the next array."""
    latest = max(session.rounds, key=lambda r: r.index)
    seeds = _seeds(data.seed, evolution.array_size(data, session))
    phase = data.phase or session.params.get("phase") or "internal"
    plan = evolution.plan_round(db, session, data, seeds, phase)
    step = loop.next_step(db, session, data, latest.index + 1)
    round_ = _queue_round(db, session, data, index=latest.index + 1, prompt=data.prompt or step.built.prompt,
                          negative=data.negative_prompt or step.built.negative_prompt,
                          seeds=seeds, parent=None, plan=plan)
    exposure.guard_round(db, actor, session, round_, data.exposure_reason)
    round_.parent_candidate_id = plan.anchor.id if plan.anchor else None
    round_.evolve_choice = plan.choice
    picks = (plan.choice or {}).get("picks") or []
    round_.rating, round_.feedback = (picks[0]["rating"] if picks else None), data.feedback
    # The witness's words are evidence: the round keeps them; the audit keeps their hash.
    record(db, actor, "array.choose", case_id=session.case_id, entity_type="round", entity_id=round_.id,
           details={"session_id": str(session.id), **(plan.choice or {}),
                    "feedback_sha256": sha256_hex(data.feedback.encode("utf-8")),
                    "feedback_characters": len(data.feedback)})
    for pick in picks:
        record(db, actor, "candidate.pick", case_id=session.case_id, entity_type="candidate",
               entity_id=uuid.UUID(pick["candidate_id"]),
               details={"session_id": str(session.id), "rating": pick["rating"], "weight": pick["weight"]})
    return _finish_submit(db, actor, session, round_, step, key)


def approve(db: Session, actor: Actor, session: SketchSession, candidate_id: uuid.UUID, *, statement: str,
            confidence: int) -> SketchSession:
    _require_active(session)
    candidate = _candidate_in(db, session, candidate_id, actor)
    session.status, session.final_candidate_id, session.approved_at = "approved", candidate.id, utcnow()
    # The witness's statement is kept verbatim on the session; the audit keeps its hash.
    session.approval_statement, session.approval_confidence = statement, confidence
    record(db, actor, "session.approve", case_id=session.case_id, entity_type="session", entity_id=session.id,
           details={"candidate_id": str(candidate.id), "image_sha256": candidate.image.sha256,
                    "statement_sha256": sha256_hex(statement.encode("utf-8")), "confidence": confidence})
    db.commit()
    return session


def mark_shown(db: Session, actor: Actor, session: SketchSession, candidate_id: uuid.UUID) -> None:
    """Every face put in front of the witness is on record (exposure count)."""
    candidate = _candidate_in(db, session, candidate_id, actor)
    candidate.shown_count += 1
    record(db, actor, "candidate.shown", case_id=session.case_id, entity_type="candidate", entity_id=candidate.id,
           details={"session_id": str(session.id), "witness_id": str(session.witness_id),
                    "image_sha256": candidate.image.sha256, "shown_count": candidate.shown_count})
    db.commit()


def _settings(spec: dict[str, Any]) -> dict[str, Any]:
    """What drew the round, minus the prompts (shown on their own) and the seeds (on each candidate)."""
    return {k: v for k, v in spec.items() if k not in ("prompt", "negative_prompt", "seeds")}


def session_out(session: SketchSession) -> SessionOut:
    by_sha = {c.image.sha256: c.id for r in session.rounds for c in r.candidates}
    rounds = [
        RoundOut(
            index=r.index, status=r.job.status, job_id=r.job_id, step=r.job.step, total_steps=r.job.total_steps,
            error=r.job.error, mode=r.mode, model=r.model, prompt=r.prompt, token_count=r.token_count,
            settings=_settings(r.job.spec),
            parent_candidate_id=r.parent_candidate_id, rating=r.rating, feedback=r.feedback,
            created_at=r.created_at, region=r.job.spec.get("region"), mask_sha256=r.job.spec.get("mask_sha256"),
            **loop.round_fields(r),
            candidates=[CandidateOut(id=c.id, index=c.index, seed=c.seed, image_url=image_url(c.image_id),
                                     image_sha256=c.image.sha256, shown_count=c.shown_count,
                                     face_found=c.face_found, identity_similarity=c.identity_similarity,
                                     photographic=c.photographic,
                                     **evolution.lineage(c, by_sha))
                        for c in r.candidates],
            evolve_choice=r.evolve_choice,
        )
        for r in session.rounds
    ]
    return SessionOut(id=session.id, status=session.status, case_id=session.case_id,
                      witness_id=session.witness_id, description_id=session.description_id,
                      max_rounds=session.max_rounds, candidates=session.candidates,
                      final_candidate_id=session.final_candidate_id, created_at=session.created_at,
                      approved_at=session.approved_at, rounds=rounds, working=loop.working_out(session))


def exposures(db: Session, witness_id: uuid.UUID) -> int:
    """How many times candidate faces were put in front of this witness, over all sessions."""
    total = db.scalar(
        select(func.coalesce(func.sum(Candidate.shown_count), 0))
        .join(Round, Candidate.round_id == Round.id).join(SketchSession, Round.session_id == SketchSession.id)
        .where(SketchSession.witness_id == witness_id)
    )
    return int(total or 0)
