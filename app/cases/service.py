"""Cases, and the one rule every route with an id stands on: who may see a case."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases.models import Case, CaseShare
from app.cases.schemas import CaseCreate, CaseUpdate
from app.db import flush_unique
from app.errors import ForbiddenError, InvalidError, NotFoundError
from app.users.actor import Actor
from app.users.models import User
from app.users.service import find_user
from app.validation import apply_changes


def _visible(actor: Actor) -> Select[Case]:
    query = select(Case)
    if not actor.is_admin:
        shared = select(CaseShare.case_id).where(CaseShare.user_id == actor.id)
        query = query.where(or_(Case.owner_id == actor.id, Case.id.in_(shared)))
    return query


def can_see(db: Session, actor: Actor, case_id: uuid.UUID) -> bool:
    return db.scalar(_visible(actor).where(Case.id == case_id)) is not None


def get_case(db: Session, actor: Actor, case_id: uuid.UUID) -> Case:
    """The case if this actor may see it; 404 otherwise (whether or not it exists)."""
    case = db.scalar(_visible(actor).where(Case.id == case_id))
    if case is None:
        raise NotFoundError(f"case {case_id} not found")
    return case


def list_cases(db: Session, actor: Actor, q: str | None = None, status: str | None = None) -> list[Case]:
    query = _visible(actor).order_by(Case.created_at.desc())
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Case.reference).like(pattern), func.lower(Case.title).like(pattern),
                                func.lower(Case.offence).like(pattern), func.lower(Case.location).like(pattern)))
    if status:
        query = query.where(Case.status == status)
    return list(db.scalars(query.limit(500)))


def create_case(db: Session, actor: Actor, data: CaseCreate) -> Case:
    case = Case(**data.model_dump(), owner_id=actor.id)
    db.add(case)
    flush_unique(db, f"reference: a case with reference {data.reference!r} already exists")
    record(db, actor, "case.create", case_id=case.id, entity_type="case", entity_id=case.id)
    db.commit()
    return case


def update_case(db: Session, actor: Actor, case_id: uuid.UUID, data: CaseUpdate) -> Case:
    case = get_case(db, actor, case_id)
    if "releasable_for_training" in data.model_fields_set and not actor.is_admin:
        raise ForbiddenError("releasable_for_training: only an admin may release a case's composites for training")
    fields = apply_changes(case, data)
    record(db, actor, "case.update", case_id=case.id, entity_type="case", entity_id=case.id,
           details={"fields": fields})
    db.commit()
    return case


def share_case(db: Session, actor: Actor, case_id: uuid.UUID, username: str) -> Case:
    """The owner (or an admin) lets another artist work on the case."""
    case = get_case(db, actor, case_id)
    if not actor.is_admin and case.owner_id != actor.id:
        raise ForbiddenError("only the case's owner or an admin can share it")
    user = find_user(db, username)
    if user is None:
        raise InvalidError(f"username: no user {username!r}")
    if user.id != case.owner_id and db.get(CaseShare, (case.id, user.id)) is None:
        db.add(CaseShare(case_id=case.id, user_id=user.id))
        record(db, actor, "case.share", case_id=case.id, entity_type="user", entity_id=user.id)
        db.commit()
    return case


def unshare_case(db: Session, actor: Actor, case_id: uuid.UUID, who: str) -> None:
    """The owner (or an admin) takes another artist's access away; it ends with their next request."""
    case = get_case(db, actor, case_id)
    if not actor.is_admin and case.owner_id != actor.id:
        raise ForbiddenError("only the case's owner or an admin can revoke a share")
    user = _share_user(db, case.id, who)
    db.delete(db.get(CaseShare, (case.id, user.id)))
    record(db, actor, "case.unshare", case_id=case.id, entity_type="user", entity_id=user.id)
    db.commit()


def _share_user(db: Session, case_id: uuid.UUID, who: str) -> User:
    """The user a share is named by (id or username), if the case is shared with them."""
    try:
        user = db.get(User, uuid.UUID(who))
    except ValueError:
        user = find_user(db, who)
    if user is None or db.get(CaseShare, (case_id, user.id)) is None:
        raise NotFoundError(f"case {case_id} is not shared with {who!r}")
    return user
