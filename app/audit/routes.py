from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

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
    # Against the signed heads (app/audit/heads.py).
    signed_heads: int = Field(0, description="signed heads that verify with the heads key")
    last_signed_seq: int | None = Field(None, description="the newest event a signed head vouches for")
    last_signed_at: datetime | None = None
    unsigned_events: int = Field(0, description="events after the last signed head (the window)")
    forged_heads: int = Field(0, description="signed heads whose signature does not verify")
    key_sha256: str | None = Field(None, description="fingerprint of the heads key; null: no key yet")
    reason: str | None = Field(None, description="what is wrong, when ok is false")


MAX_LIMIT = 1000


@router.get("", response_model=list[AuditEventOut])
def list_events(db: Db, actor: AdminActor, request: Request, response: Response,
                case_id: uuid.UUID | None = None,
                actor_name: Annotated[str | None, Query(alias="actor", max_length=80)] = None,
                action: Annotated[str | None, Query(max_length=80)] = None,
                since: Annotated[datetime | None, Query(description="inclusive, ISO 8601")] = None,
                until: Annotated[datetime | None, Query(description="exclusive, ISO 8601")] = None,
                cursor: Annotated[int | None, Query(ge=1, description="next_cursor of the page before")] = None,
                limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 500) -> list[Any]:
    """Newest first. The next page's cursor is in the `X-Next-Cursor` header (and `Link: rel=next`);
    absent on the last page. The body stays a plain list."""
    filters = service.EventFilter(case_id=case_id, actor=actor_name, action=action, since=_utc(since),
                                  until=_utc(until))
    events, next_cursor = service.list_events(db, filters, cursor=cursor, limit=limit)
    if next_cursor is not None:
        response.headers["X-Next-Cursor"] = str(next_cursor)
        response.headers["Link"] = f'<{request.url.include_query_params(cursor=next_cursor)}>; rel="next"'
    # Reading the trail is itself on the trail.
    service.record(db, actor, "audit.read", case_id=case_id,
                   details={"events": len(events), **filters.as_dict(), "cursor": cursor, "limit": limit})
    db.commit()
    return events


def _utc(value: datetime | None) -> datetime | None:
    """A time without a zone is read as UTC (the trail's own zone)."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@router.get("/verify", response_model=ChainOut)
def verify(db: Db, actor: AdminActor) -> ChainOut:
    report = service.verify_chain(db)
    service.record(db, actor, "audit.verify", outcome="success" if report.ok else "broken",
                   details=report.as_dict())
    db.commit()
    return ChainOut(**report.as_dict())
