from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header

from app.jobs import limits
from app.security.ratelimit import GENERATE, check_preview, limiter
from app.sessions import exposure, loop, service
from app.sessions.models import SketchSession
from app.sessions.schemas import ApproveIn, RoundCreate, SessionCreate, SessionOut
from app.sessions.working_schemas import SuggestionsIn, SuggestionsOut
from app.users.deps import CurrentActor, Db

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


def _out(db: Db, session: SketchSession) -> SessionOut:
    return exposure.with_safeguards(db, session, service.session_out(session))
# Resending a submit with the same key returns the first answer instead of a second job.
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


@router.post("", response_model=SessionOut, status_code=201)
def create_session(body: SessionCreate, db: Db, actor: CurrentActor,
                   idempotency_key: IdempotencyKey = None) -> SessionOut:
    limiter.check(GENERATE, str(actor.id))
    limits.admit(db, actor, body)
    session = service.create_session(db, actor, body, idempotency_key)
    return _out(db, service.get_session(db, actor, session.id))


@router.get("/{session_id}", response_model=SessionOut)
def get_session(session_id: uuid.UUID, db: Db, actor: CurrentActor) -> SessionOut:
    return _out(db, service.get_session(db, actor, session_id))


@router.post("/{session_id}/rounds", response_model=SessionOut, status_code=201)
def add_round(session_id: uuid.UUID, body: RoundCreate, db: Db, actor: CurrentActor,
              idempotency_key: IdempotencyKey = None) -> SessionOut:
    limiter.check(GENERATE, str(actor.id))
    limits.admit(db, actor, body, session_id)
    service.add_round(db, actor, service.get_session(db, actor, session_id), body, idempotency_key)
    return _out(db, service.get_session(db, actor, session_id))


@router.post("/{session_id}/approve", response_model=SessionOut)
def approve(session_id: uuid.UUID, body: ApproveIn, db: Db, actor: CurrentActor) -> SessionOut:
    session = service.approve(db, actor, service.get_session(db, actor, session_id), body.candidate_id,
                              statement=body.statement, confidence=body.confidence)
    return _out(db, session)


@router.post("/{session_id}/candidates/{candidate_id}/shown", status_code=204)
def mark_shown(session_id: uuid.UUID, candidate_id: uuid.UUID, db: Db, actor: CurrentActor) -> None:
    service.mark_shown(db, actor, service.get_session(db, actor, session_id), candidate_id)


@router.post("/{session_id}/suggestions", response_model=SuggestionsOut)
def suggest(session_id: uuid.UUID, body: SuggestionsIn, db: Db, actor: CurrentActor) -> SuggestionsOut:
    """Edits to the working description the feedback suggests; nothing is changed until a round accepts them."""
    check_preview(str(actor.id), len(body.feedback))
    return loop.suggestions_for(db, actor, service.get_session(db, actor, session_id), body.feedback)
