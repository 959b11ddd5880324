"""Who is calling: a bearer token (API clients) or a session cookie (the browser)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.db import get_db
from app.errors import ForbiddenError, UnauthorizedError
from app.users.actor import Actor
from app.users.models import AuthSession
from app.users.service import actor_for, resolve_session

SESSION_COOKIE = "likeness_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

Db = Annotated[Session, Depends(get_db)]


def client_address(request: Request) -> str | None:
    """The peer, or what a trusted proxy says it saw (app/security/proxies.py); never a header alone."""
    return request.client.host if request.client else None


def current_session(request: Request, db: Db) -> AuthSession:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return resolve_session(db, header[7:].strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise UnauthorizedError("not signed in: send a bearer token or sign in")
    session = resolve_session(db, cookie)
    # A cookie is sent by the browser on its own; a write must also prove it came
    # from our page by echoing the CSRF token only our page can read.
    if request.method not in SAFE_METHODS and not secrets.compare_digest(
        request.headers.get(CSRF_HEADER, ""), session.csrf_token
    ):
        raise ForbiddenError(f"missing or wrong {CSRF_HEADER} header for a cookie-authenticated write")
    return session


def current_actor(request: Request, session: Annotated[AuthSession, Depends(current_session)]) -> Actor:
    actor = actor_for(session.user, client_address(request))
    request.state.actor = actor
    return actor


def admin_actor(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    if not actor.is_admin:
        raise ForbiddenError("this needs the admin role")
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
AdminActor = Annotated[Actor, Depends(admin_actor)]
