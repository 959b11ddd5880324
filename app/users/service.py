"""Accounts and signed-in sessions: the rules live here, the routes only translate."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.service import record
from app.db import utcnow
from app.errors import ConflictError, InvalidError, NotFoundError, UnauthorizedError
from app.users import totp
from app.users.actor import Actor, Role
from app.users.models import AuthSession, User
from app.users.passwords import DUMMY_HASH, check_password_rules, hash_password, verify_password
from app.users.schemas import UserUpdate

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
BAD_LOGIN = "incorrect username or password"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def actor_for(user: User, source: str | None = None) -> Actor:
    return Actor(id=user.id, username=user.username, role=user.role, source=source)


def create_user(db: Session, by: Actor, username: str, password: str, role: str) -> User:
    username = username.strip()
    if not username or len(username) > 80:
        raise InvalidError("username: 1 to 80 characters")
    if role not in {r.value for r in Role}:
        raise InvalidError(f"role: must be one of {', '.join(r.value for r in Role)}")
    check_password_rules(password)
    user = User(username=username, password_hash=hash_password(password), role=role)
    db.add(user)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise ConflictError(f"username {username!r} is already taken") from None
    record(db, by, "user.create", entity_type="user", entity_id=user.id, details={"role": role})
    db.commit()
    return user


def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.username)))


def authenticate(db: Session, username: str, password: str, source: str | None, totp_code: str | None = None) -> User:
    """Checks a password; five failures within 15 minutes lock the account."""
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(DUMMY_HASH, password)
        record(db, Actor(None, username[:80], "unknown", source), "auth.login", outcome="refused",
               details={"reason": "bad credentials"})
        db.commit()
        raise UnauthorizedError(BAD_LOGIN)
    who = actor_for(user, source)
    if user.locked_at is not None or not user.active:
        record(db, who, "auth.login", outcome="refused", entity_type="user", entity_id=user.id,
               details={"reason": "account locked" if user.locked_at else "account disabled"})
        db.commit()
        raise UnauthorizedError("this account is locked; ask an administrator to unlock it")
    if not verify_password(user.password_hash, password):
        now = utcnow()
        recent = user.last_failed_at is not None and now - user.last_failed_at < LOCKOUT_WINDOW
        user.failed_logins = (user.failed_logins if recent else 0) + 1
        user.last_failed_at = now
        if user.failed_logins >= LOCKOUT_FAILURES:
            user.locked_at = now
        record(db, who, "auth.login", outcome="refused", entity_type="user", entity_id=user.id,
               details={"reason": "bad credentials", "failures": user.failed_logins,
                        "locked": user.locked_at is not None})
        db.commit()
        raise UnauthorizedError(BAD_LOGIN)
    if user.totp_enabled:
        _check_second_factor(db, user, who, totp_code)
    user.failed_logins = 0
    return user


def _check_second_factor(db: Session, user: User, who: Actor, code: str | None) -> None:
    step = totp.matching_step(user.totp_secret or "", code, user.totp_last_step) if code else None
    if step is None:
        record(db, who, "auth.login", outcome="refused", entity_type="user", entity_id=user.id,
               details={"reason": "missing or wrong one-time code" if code else "one-time code required"})
        db.commit()
        raise UnauthorizedError("a valid one-time code from your authenticator app is required")
    user.totp_last_step = step


def start_totp(db: Session, actor: Actor) -> tuple[str, str]:
    """A new secret to scan; it protects the account only once confirmed with a code."""
    user = db.get(User, actor.id)
    assert user is not None
    user.totp_secret, user.totp_enabled, user.totp_last_step = totp.new_secret(), False, None
    record(db, actor, "auth.totp_setup", entity_type="user", entity_id=user.id)
    db.commit()
    return user.totp_secret, totp.provisioning_uri(user.totp_secret, user.username)


def confirm_totp(db: Session, actor: Actor, code: str) -> None:
    user = db.get(User, actor.id)
    assert user is not None
    step = totp.matching_step(user.totp_secret or "", code, None) if user.totp_secret else None
    if step is None:
        raise InvalidError("code: does not match the secret just set up; check the device's clock and retry")
    user.totp_enabled, user.totp_last_step = True, step
    record(db, actor, "auth.totp_enable", entity_type="user", entity_id=user.id)
    db.commit()


def start_session(db: Session, user: User, source: str | None) -> tuple[str, AuthSession]:
    """Returns the bearer token (shown once) and its stored session."""
    token = secrets.token_urlsafe(32)
    session = AuthSession(token_sha256=_token_hash(token), csrf_token=secrets.token_urlsafe(24), user_id=user.id)
    db.add(session)
    db.flush()
    record(db, actor_for(user, source), "auth.login", entity_type="auth_session", entity_id=session.id)
    db.commit()
    return token, session


def resolve_session(db: Session, token: str) -> AuthSession:
    """The live session for a token, or 401. Idle 30 minutes or 12 hours old: expired."""
    session = db.scalar(select(AuthSession).where(AuthSession.token_sha256 == _token_hash(token)))
    now = utcnow()
    if (
        session is None
        or session.revoked_at is not None
        or now - session.last_seen_at > IDLE_TIMEOUT
        or now - session.created_at > ABSOLUTE_TIMEOUT
        or session.user.locked_at is not None
        or not session.user.active
    ):
        raise UnauthorizedError("not signed in, or the session expired: sign in again")
    # Touch at most once a minute, so reads stay reads.
    if now - session.last_seen_at > timedelta(minutes=1):
        session.last_seen_at = now
        db.commit()
    return session


def end_session(db: Session, session: AuthSession, actor: Actor) -> None:
    session.revoked_at = utcnow()
    record(db, actor, "auth.logout", entity_type="auth_session", entity_id=session.id)
    db.commit()


def update_user(db: Session, by: Actor, user_id: uuid.UUID, data: UserUpdate) -> User:
    """An admin changes a role, (de)activates an account or sets a new password.

    There is always one active admin left, or nobody could unlock or manage accounts again.
    A deactivated account, or one whose password was reset, is signed out everywhere.
    """
    user = db.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    changes = data.model_dump(exclude_unset=True)
    stays_admin = changes.get("role", user.role) == Role.ADMIN and changes.get("active", user.active)
    if user.role == Role.ADMIN and user.active and not stays_admin and _active_admins(db) <= 1:
        raise ConflictError(f"{user.username} is the last active admin: make another admin first")
    if "password" in changes:
        check_password_rules(changes["password"])
        user.password_hash = hash_password(changes["password"])
    user.role, user.active = changes.get("role", user.role), changes.get("active", user.active)
    if not user.active or "password" in changes:
        _revoke_sessions(db, user.id)
    # The audit names what changed, never the password.
    record(db, by, "user.update", entity_type="user", entity_id=user.id,
           details={"fields": sorted(changes), "role": user.role, "active": user.active})
    db.commit()
    return user


def _active_admins(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)) or 0


def _revoke_sessions(db: Session, user_id: uuid.UUID) -> None:
    db.execute(update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
               .values(revoked_at=utcnow()))


def unlock_user(db: Session, by: Actor, user_id: uuid.UUID) -> User:
    """An admin lifts a lockout (AC-7: locked accounts stay locked until an admin acts)."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    user.locked_at, user.failed_logins = None, 0
    record(db, by, "user.unlock", entity_type="user", entity_id=user.id)
    db.commit()
    return user
