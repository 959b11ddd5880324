"""Accounts and signed-in sessions: the rules live here, the routes only translate."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.audit.service import record
from app.db import flush_unique, utcnow
from app.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError, UnauthorizedError
from app.security.ratelimit import RateLimitedError, limiter, login_limit
from app.users import names, secret_box, totp
from app.users.actor import Actor, Role
from app.users.models import AuthSession, User
from app.users.passwords import DUMMY_HASH, check_password_rules, hash_password, verify_password
from app.users.schemas import UserUpdate

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
LOCKOUT_DURATION = timedelta(minutes=10)
# One answer for a wrong password and for unknown, deactivated or locked accounts.
BAD_LOGIN = "incorrect username or password (five failures lock an account for 10 minutes)"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def actor_for(user: User, source: str | None = None) -> Actor:
    return Actor(id=user.id, username=user.username, role=user.role, source=source)


def create_user(db: Session, by: Actor, username: str, password: str, role: str) -> User:
    username = names.normalise(username)
    if role not in {r.value for r in Role}:
        raise InvalidError(f"role: must be one of {', '.join(r.value for r in Role)}")
    check_password_rules(password)
    _refuse_look_alike(db, username)
    user = User(username=username, password_hash=hash_password(password), role=role)
    db.add(user)
    flush_unique(db, f"username {username!r} is already taken")
    record(db, by, "user.create", entity_type="user", entity_id=user.id, details={"role": role})
    db.commit()
    return user


def _refuse_look_alike(db: Session, username: str) -> None:
    wanted = names.skeleton(username)
    for existing in db.scalars(select(User.username)):
        if names.skeleton(existing) == wanted:
            raise ConflictError(f"username {username!r} is taken or looks like the existing user {existing!r}; "
                                "choose a clearly different name")


def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.username)))


def usernames(db: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Who recorded a decision, by name, for many rows in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.execute(select(User.id, User.username).where(User.id.in_(wanted))).tuples().all())


def is_locked(user: User, now: datetime | None = None) -> bool:
    """Locked for LOCKOUT_DURATION after the last of LOCKOUT_FAILURES failures (CJIS 5.5.3), then open again."""
    return user.locked_at is not None and (now or utcnow()) - user.locked_at < LOCKOUT_DURATION


def find_user(db: Session, username: str) -> User | None:
    """The account a typed name means: its NFKC form, or the exact spelling of an older account."""
    wanted = {username, names.lookup_form(username)}
    found = list(db.scalars(select(User).where(User.username.in_(wanted))))
    return next((u for u in found if u.username == username), found[0] if found else None)


def check_signin_limit(db: Session, username: str, source: str | None) -> None:
    """The per-address sign-in limit; a refusal (429) is on the audit trail like any failed sign-in."""
    try:
        limiter.check(login_limit(), source or "unknown")
    except RateLimitedError:
        record(db, Actor(None, username[:80], "unknown", source), "auth.login", outcome="refused",
               details={"reason": "rate limited", "status": 429})
        db.commit()
        raise


def authenticate(db: Session, username: str, password: str, source: str | None, totp_code: str | None = None) -> User:
    """Checks a password (and code). Unknown, deactivated and locked accounts get the answer a wrong
    password gets, after the same argon2 work, so neither the words nor the time tell them apart."""
    user = find_user(db, username)
    password_ok = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if user is None or not user.active or is_locked(user):
        reason = "bad credentials" if user is None else "account disabled" if not user.active else "account locked"
        record(db, actor_for(user, source) if user else Actor(None, username[:80], "unknown", source), "auth.login",
               outcome="refused", entity_type="user" if user else None, entity_id=user.id if user else None,
               details={"reason": reason})
        db.commit()
        raise UnauthorizedError(BAD_LOGIN)
    who = actor_for(user, source)
    if not password_ok:
        _count_failure(db, user, who, "bad credentials")
        raise UnauthorizedError(BAD_LOGIN)
    if user.totp_enabled:
        _check_second_factor(db, user, who, totp_code)
    user.failed_logins, user.locked_at = 0, None
    return user


def _count_failure(db: Session, user: User, who: Actor, reason: str, action: str = "auth.login") -> None:
    """A wrong password or one-time code: five within 15 minutes lock the account for 10."""
    now = utcnow()
    recent = user.last_failed_at is not None and now - user.last_failed_at < LOCKOUT_WINDOW
    failures = (user.failed_logins if recent else 0) + 1
    user.failed_logins, user.last_failed_at = failures, now
    if failures >= LOCKOUT_FAILURES:
        # The count starts afresh when the lock runs out: five more guesses, then ten more minutes.
        user.locked_at, user.failed_logins = now, 0
    record(db, who, action, outcome="refused", entity_type="user", entity_id=user.id,
           details={"reason": reason, "failures": failures, "locked": is_locked(user, now)})
    db.commit()


def _check_second_factor(db: Session, user: User, who: Actor, code: str | None) -> None:
    if not code:
        # Not a guess: the client asks for the code after the password (nothing to count).
        record(db, who, "auth.login", outcome="refused", entity_type="user", entity_id=user.id,
               details={"reason": "one-time code required"})
        db.commit()
        raise UnauthorizedError("a valid one-time code from your authenticator app is required")
    step = totp.matching_step(secret_box.unseal(user.totp_secret or ""), code, user.totp_last_step)
    if step is None:
        _count_failure(db, user, who, "wrong one-time code")
        raise UnauthorizedError("a valid one-time code from your authenticator app is required")
    user.totp_last_step = step


def _reauthenticate(db: Session, actor: Actor, password: str, code: str | None) -> User:
    """Changing the second factor needs the password, and the current code while one is enabled:
    a stolen session token alone cannot switch it off. Wrong answers count toward the lockout."""
    user = db.get(User, actor.id)
    assert user is not None
    ok = verify_password(user.password_hash, password)
    if ok and user.totp_enabled:
        step = totp.matching_step(secret_box.unseal(user.totp_secret or ""), code or "", user.totp_last_step)
        ok = step is not None
        if ok:
            user.totp_last_step = step
    if not ok:
        _count_failure(db, user, actor, "wrong password or one-time code", "auth.totp_reauth")
        raise ForbiddenError("password" + (" or code: wrong, or the code was already used" if user.totp_enabled
                                           else ": wrong password") + "; enter them again")
    return user


def start_totp(db: Session, actor: Actor, password: str, code: str | None) -> tuple[str, str]:
    """A new secret to scan; it replaces the current one (if any) only once confirmed with a code."""
    user = _reauthenticate(db, actor, password, code)
    secret = totp.new_secret()
    user.totp_pending_secret = secret_box.seal(secret)
    record(db, actor, "auth.totp_setup", entity_type="user", entity_id=user.id,
           details={"replaces_enabled": user.totp_enabled})
    db.commit()
    return secret, totp.provisioning_uri(secret, user.username)


def confirm_totp(db: Session, actor: Actor, code: str, keep_session: uuid.UUID | None = None) -> None:
    """Turns the secret just set up on, and signs the account out everywhere else."""
    user = db.get(User, actor.id)
    assert user is not None
    pending = secret_box.unseal(user.totp_pending_secret) if user.totp_pending_secret else None
    step = totp.matching_step(pending, code, None) if pending else None
    if step is None:
        raise InvalidError("code: does not match the secret just set up; check the device's clock and retry"
                           if pending else "code: no second factor is being set up; call /api/auth/totp/setup first")
    user.totp_secret, user.totp_pending_secret = user.totp_pending_secret, None
    user.totp_enabled, user.totp_last_step = True, step
    _revoke_sessions(db, user.id, except_id=keep_session)
    record(db, actor, "auth.totp_enable", entity_type="user", entity_id=user.id)
    db.commit()


def disable_totp(db: Session, actor: Actor, password: str, code: str | None) -> None:
    user = _reauthenticate(db, actor, password, code)
    user.totp_secret, user.totp_pending_secret, user.totp_enabled = None, None, False
    record(db, actor, "auth.totp_disable", entity_type="user", entity_id=user.id)
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
        or is_locked(session.user, now)
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


def _revoke_sessions(db: Session, user_id: uuid.UUID, except_id: uuid.UUID | None = None) -> None:
    query = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if except_id is not None:
        query = query.where(AuthSession.id != except_id)
    db.execute(query.values(revoked_at=utcnow()))


def unlock_user(db: Session, by: Actor, user_id: uuid.UUID) -> User:
    """An admin lifts a lockout before its 10 minutes are up."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    user.locked_at, user.failed_logins = None, 0
    record(db, by, "user.unlock", entity_type="user", entity_id=user.id)
    db.commit()
    return user
