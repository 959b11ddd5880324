"""Recording and verifying the hash-chained audit trail.

Each event stores the previous event's hash and the SHA-256 of its own canonical
content (which includes that previous hash), so changing, removing or reordering
any row breaks every link after it. Events are written in the same transaction
as the action they record: if the event cannot be written, the action fails too.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.audit.models import GENESIS_HASH, AuditEvent, AuditHead
from app.db import utcnow
from app.errors import UnavailableError
from app.users.actor import Actor
from common.recipe import canonical_json


class AuditUnavailableError(UnavailableError):
    pass


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_content(event: AuditEvent) -> dict[str, Any]:
    """The fields an event's hash covers, as JSON values (the export ships them verbatim)."""
    return {
        "id": event.id,
        "at": _timestamp(event.at),
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor": event.actor,
        "role": event.role,
        "source": event.source,
        "case_id": str(event.case_id) if event.case_id else None,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "outcome": event.outcome,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of an event's canonical content: what its `hash` must equal (public so an
    offline verifier recomputes it with the same code)."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _content_hash(event: AuditEvent) -> str:
    return content_hash(event_content(event))


def record(
    db: Session,
    actor: Actor | None,
    action: str,
    *,
    outcome: str = "success",
    case_id: uuid.UUID | None = None,
    entity_type: str | None = None,
    entity_id: object | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Appends one event to the chain, inside the caller's transaction.

    Fail closed: if the event cannot be written, this raises and the caller's
    transaction (the action being recorded) is rolled back with it.
    """
    try:
        return _append(db, actor, action, outcome, case_id, entity_type, entity_id, details)
    except SQLAlchemyError as exc:
        db.rollback()
        raise AuditUnavailableError("the audit trail could not be written, so nothing was changed; "
                                    "try again, and tell an administrator if it persists") from exc


def _append(db: Session, actor: Actor | None, action: str, outcome: str, case_id: uuid.UUID | None,
            entity_type: str | None, entity_id: object | None, details: dict[str, Any] | None) -> AuditEvent:
    seq, prev_hash = db.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)
    ).one()
    # Millisecond precision: the stored value must hash the same after a round trip.
    now = utcnow()
    event = AuditEvent(
        id=seq,
        at=now.replace(microsecond=now.microsecond // 1000 * 1000),
        actor_id=actor.id if actor else None,
        actor=actor.username if actor else None,
        role=actor.role if actor else None,
        source=actor.source if actor else None,
        case_id=case_id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else None,
        outcome=outcome,
        details=details or {},
        prev_hash=prev_hash,
    )
    event.hash = _content_hash(event)
    db.add(event)
    db.flush([event])
    db.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=event.hash))
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_bad: int | None
    # From the signed heads (app/audit/heads.py): what a database writer alone cannot forge.
    signed: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "first_bad": self.first_bad, **self.signed}


def verify_chain(db: Session, batch: int = 5000) -> ChainReport:
    """Walks the chain up to the head read first (events written meanwhile are not
    half-seen); reports the first event whose link or content is wrong. Then holds the
    chain against the signed heads: a chain rewritten whole (links and head recomputed)
    or cut short before the last signed head is found too."""
    from app.audit import heads

    signed = heads.load_heads(db)
    wanted, hashes = signed.wanted(), {}
    head = db.get(AuditHead, 1, populate_existing=True)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    expected_prev, expected_id, count, last_id = GENESIS_HASH, 1, 0, 0
    first_bad: int | None = None
    while first_bad is None:
        rows = db.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id, AuditEvent.id <= head_seq)
            .order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            break
        for event in rows:
            count += 1
            if event.id != expected_id or event.prev_hash != expected_prev or event.hash != _content_hash(event):
                first_bad = event.id
                break
            if event.id in wanted:
                hashes[event.id] = event.hash
            expected_prev, expected_id, last_id = event.hash, event.id + 1, event.id
    if first_bad is None and (last_id != head_seq or expected_prev != head_hash):
        # Rows removed from the end: the head remembers more than the table holds.
        first_bad = last_id + 1
    judged = heads.judge(signed, hashes, last_id)
    if first_bad is not None:
        judged["reason"] = f"event {first_bad} is missing, or does not link or hash"
    else:
        first_bad = judged["first_bad"]
    judged.pop("first_bad")
    ok = first_bad is None and judged["reason"] is None
    return ChainReport(ok=ok, events=count, first_bad=first_bad, signed=judged)


@dataclass(frozen=True)
class EventFilter:
    case_id: uuid.UUID | None = None
    actor: str | None = None
    action: str | None = None  # exact, or a prefix ending in `*` ("round.*")
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive

    def as_dict(self) -> dict[str, Any]:
        return {k: str(v) for k, v in self.__dict__.items() if v is not None}


def list_events(db: Session, filters: EventFilter | None = None, *, cursor: int | None = None,
                limit: int = 1000) -> tuple[list[AuditEvent], int | None]:
    """Newest first. `cursor` is the id to continue below (the `next_cursor` of the page before);
    returns the page and the next cursor (None on the last page)."""
    f = filters or EventFilter()
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    conditions = [
        AuditEvent.id < cursor if cursor is not None else None,
        AuditEvent.case_id == f.case_id if f.case_id is not None else None,
        AuditEvent.actor == f.actor if f.actor is not None else None,
        AuditEvent.at >= f.since if f.since is not None else None,
        AuditEvent.at < f.until if f.until is not None else None,
    ]
    if f.action is not None:
        conditions.append(AuditEvent.action.startswith(f.action[:-1], autoescape=True) if f.action.endswith("*")
                          else AuditEvent.action == f.action)
    query = query.where(*(c for c in conditions if c is not None))
    rows = list(db.scalars(query.limit(limit + 1)))
    page = rows[:limit]
    return page, (page[-1].id if len(rows) > limit and page else None)
