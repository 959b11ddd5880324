from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from app.audit import service
from app.users.deps import AdminActor, Db

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str | None
    role: str | None
    source: str | None
    case_id: uuid.UUID | None
    action: str
    entity_type: str | None
    entity_id: str | None
    outcome: str
    details: dict[str, Any]
    hash: str


class ChainOut(BaseModel):
    ok: bool
    events: int
    first_bad: int | None


@router.get("", response_model=list[AuditEventOut])
def list_events(db: Db, actor: AdminActor, case_id: uuid.UUID | None = None) -> list[Any]:
    events = service.list_events(db, case_id)
    # Reading the trail is itself on the trail.
    service.record(db, actor, "audit.read", case_id=case_id, details={"events": len(events)})
    db.commit()
    return events


@router.get("/verify", response_model=ChainOut)
def verify(db: Db, actor: AdminActor) -> ChainOut:
    report = service.verify_chain(db)
    service.record(db, actor, "audit.verify", outcome="success" if report.ok else "broken",
                   details=report.as_dict())
    db.commit()
    return ChainOut(**report.as_dict())
