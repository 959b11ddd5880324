from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from app.cases import service
from app.cases.models import Case
from app.cases.schemas import CaseCreate, CaseOut, CaseUpdate, FaceRecognitionState
from app.sessions.schemas import SessionSummary
from app.sessions.service import list_sessions
from app.users.deps import CurrentActor, Db
from app.users.service import usernames
from app.witnesses.routes import witness_out
from app.witnesses.schemas import WitnessOut
from app.witnesses.service import count_witnesses, list_witnesses

router = APIRouter(prefix="/api/cases", tags=["cases"])


class CaseDetail(CaseOut):
    witnesses: list[WitnessOut]
    sessions: list[SessionSummary]


def _out(case: Case, witness_count: int, names: dict[uuid.UUID, str]) -> CaseOut:
    out = CaseOut.model_validate(case)
    out.witness_count = witness_count
    if case.face_recognition_at is not None:
        by = names.get(case.face_recognition_by) if case.face_recognition_by else None
        out.face_recognition = FaceRecognitionState(enabled=True, reason=case.face_recognition_reason, by=by,
                                                    at=case.face_recognition_at)
    return out


def _one_out(db: Session, case: Case, witness_count: int | None = None) -> CaseOut:
    count = count_witnesses(db, [case.id]).get(case.id, 0) if witness_count is None else witness_count
    return _out(case, count, usernames(db, [case.face_recognition_by]))


@router.get("", response_model=list[CaseOut])
def list_cases(db: Db, actor: CurrentActor, q: str | None = None,
               status: Literal["open", "closed"] | None = None) -> list[CaseOut]:
    cases = service.list_cases(db, actor, q, status)
    counts = count_witnesses(db, [c.id for c in cases])
    names = usernames(db, (c.face_recognition_by for c in cases))
    return [_out(c, counts.get(c.id, 0), names) for c in cases]


@router.post("", response_model=CaseOut, status_code=201)
def create_case(body: CaseCreate, db: Db, actor: CurrentActor) -> CaseOut:
    return _one_out(db, service.create_case(db, actor, body), 0)


@router.get("/{case_id}", response_model=CaseDetail)
def get_case(case_id: uuid.UUID, db: Db, actor: CurrentActor) -> CaseDetail:
    case = service.get_case(db, actor, case_id)
    witnesses = [witness_out(db, w) for w in list_witnesses(db, case.id)]
    base = _one_out(db, case, len(witnesses))
    return CaseDetail(**base.model_dump(), witnesses=witnesses, sessions=list_sessions(db, case.id))


@router.patch("/{case_id}", response_model=CaseOut)
def update_case(case_id: uuid.UUID, body: CaseUpdate, db: Db, actor: CurrentActor) -> CaseOut:
    case = service.update_case(db, actor, case_id, body)
    return _one_out(db, case)




class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=80)


@router.post("/{case_id}/shares", response_model=CaseOut)
def share_case(case_id: uuid.UUID, body: ShareIn, db: Db, actor: CurrentActor) -> CaseOut:
    case = service.share_case(db, actor, case_id, body.username)
    return _one_out(db, case)


@router.delete("/{case_id}/shares/{user}", status_code=204)
def unshare_case(case_id: uuid.UUID, user: str, db: Db, actor: CurrentActor) -> None:
    """Revoke a share; `user` is the user's id or username."""
    service.unshare_case(db, actor, case_id, user)
