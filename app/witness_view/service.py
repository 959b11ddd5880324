"""Witness links: one session's witness view on another device, for a limited time.

The link's token (256 random bits, only its hash stored) works once: it is traded
for a cookie that only the witness routes accept. Every use is on the audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import TypeGuard

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.db import utcnow
from app.errors import ConflictError, NotFoundError, UnauthorizedError
from app.sessions.models import SketchSession
from app.sessions.service import get_session
from app.users.actor import Actor
from app.witness_view.models import WitnessLink

LINK_USED = "this witness link has expired, was revoked or was already opened; ask the officer for a new one"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def witness_actor(link: WitnessLink, source: str | None) -> Actor:
    return Actor(id=None, username=f"witness-link:{link.id}", role="witness", source=source)


def create_link(db: Session, actor: Actor, session_id: uuid.UUID, minutes: int) -> tuple[str, WitnessLink]:
    session = get_session(db, actor, session_id)
    if session.status != "active":
        raise ConflictError("this session is approved and closed; a witness link would show nothing to do")
    token = secrets.token_urlsafe(32)
    link = WitnessLink(session_id=session.id, token_sha256=_hash(token), csrf_token=secrets.token_urlsafe(24),
                       created_by=actor.id, expires_at=utcnow() + timedelta(minutes=minutes))
    db.add(link)
    db.flush()
    record(db, actor, "witness_link.create", case_id=session.case_id, entity_type="witness_link",
           entity_id=link.id, details={"session_id": str(session.id), "expires_at": link.expires_at.isoformat()})
    db.commit()
    return token, link


def list_links(db: Session, actor: Actor, session_id: uuid.UUID) -> list[WitnessLink]:
    session = get_session(db, actor, session_id)
    return list(db.scalars(select(WitnessLink).where(WitnessLink.session_id == session.id)
                           .order_by(WitnessLink.created_at)))


def revoke_link(db: Session, actor: Actor, session_id: uuid.UUID, link_id: uuid.UUID) -> WitnessLink:
    session = get_session(db, actor, session_id)
    link = db.get(WitnessLink, link_id)
    if link is None or link.session_id != session.id:
        raise NotFoundError(f"witness link {link_id} not found")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        record(db, actor, "witness_link.revoke", case_id=session.case_id, entity_type="witness_link",
               entity_id=link.id)
        db.commit()
    return link


def _usable(link: WitnessLink | None) -> TypeGuard[WitnessLink]:
    return link is not None and link.revoked_at is None and link.expires_at > utcnow()


def exchange(db: Session, token: str, source: str | None) -> tuple[str, WitnessLink]:
    """Trades the link's one-time token for the witness cookie."""
    link = db.scalar(select(WitnessLink).where(WitnessLink.token_sha256 == _hash(token)))
    if not _usable(link) or link.exchanged_at is not None:
        if link is not None:
            session = db.get(SketchSession, link.session_id)
            record(db, witness_actor(link, source), "witness_link.exchange", outcome="refused",
                   case_id=session.case_id if session else None, entity_type="witness_link", entity_id=link.id,
                   details={"reason": "replayed, expired or revoked"})
            db.commit()
        raise UnauthorizedError(LINK_USED)
    assert link is not None
    cookie = secrets.token_urlsafe(32)
    link.cookie_sha256, link.exchanged_at = _hash(cookie), utcnow()
    session = db.get(SketchSession, link.session_id)
    record(db, witness_actor(link, source), "witness_link.exchange", case_id=session.case_id if session else None,
           entity_type="witness_link", entity_id=link.id)
    db.commit()
    return cookie, link


def resolve_cookie(db: Session, cookie: str) -> WitnessLink:
    link = db.scalar(select(WitnessLink).where(WitnessLink.cookie_sha256 == _hash(cookie)))
    if not _usable(link):
        raise UnauthorizedError(LINK_USED)
    assert link is not None
    return link
