from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from app.users import service
from app.users.deps import (
    SESSION_COOKIE,
    AdminActor,
    CurrentActor,
    Db,
    client_address,
    current_actor,
    current_session,
)
from app.users.models import AuthSession, User
from app.users.schemas import (
    LoginIn,
    Me,
    TokenOut,
    TotpConfirmIn,
    TotpReauthIn,
    TotpSetupOut,
    UserCreate,
    UserOut,
    UserUpdate,
)

router = APIRouter(prefix="/api", tags=["users"])


def user_out(user: User) -> UserOut:
    out = UserOut.model_validate(user)
    out.locked = service.is_locked(user)
    out.locked_until = user.locked_at + service.LOCKOUT_DURATION if out.locked and user.locked_at else None
    return out


@router.post("/auth/token", response_model=TokenOut)
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, db: Db,
          totp: Annotated[str | None, Form(max_length=12)] = None) -> TokenOut:
    source = client_address(request)
    service.check_signin_limit(db, form.username, source)
    user = service.authenticate(db, form.username, form.password, source, totp)
    access_token, _ = service.start_session(db, user, source)
    return TokenOut(access_token=access_token)


@router.post("/auth/login", response_model=Me)
def login(body: LoginIn, request: Request, response: Response, db: Db) -> Me:
    source = client_address(request)
    service.check_signin_limit(db, body.username, source)
    user = service.authenticate(db, body.username, body.password, source, body.totp)
    cookie, session = service.start_session(db, user, source)
    response.set_cookie(
        SESSION_COOKIE, cookie, httponly=True, samesite="strict", secure=request.url.scheme == "https",
        path="/",
    )
    return Me(user=user_out(user), csrf_token=session.csrf_token)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, db: Db,
           session: Annotated[AuthSession, Depends(current_session)]) -> None:
    service.end_session(db, session, service.actor_for(session.user, client_address(request)))
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/auth/me", response_model=Me)
def me(session: Annotated[AuthSession, Depends(current_session)], request: Request) -> Me:
    current_actor(request, session)
    return Me(user=user_out(session.user), csrf_token=session.csrf_token)


@router.get("/users", response_model=list[UserOut])
def list_users(db: Db, _: AdminActor) -> list[UserOut]:
    return [user_out(u) for u in service.list_users(db)]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, db: Db, actor: AdminActor) -> UserOut:
    return user_out(service.create_user(db, actor, body.username, body.password, body.role))


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(user_id: uuid.UUID, body: UserUpdate, db: Db, actor: AdminActor) -> UserOut:
    return user_out(service.update_user(db, actor, user_id, body))


@router.post("/users/{user_id}/unlock", response_model=UserOut)
def unlock_user(user_id: uuid.UUID, db: Db, actor: AdminActor) -> UserOut:
    return user_out(service.unlock_user(db, actor, user_id))


@router.post("/auth/totp/setup", response_model=TotpSetupOut)
def totp_setup(body: TotpReauthIn, db: Db, actor: CurrentActor) -> TotpSetupOut:
    secret, uri = service.start_totp(db, actor, body.password, body.code)
    return TotpSetupOut(secret=secret, otpauth_uri=uri)


@router.post("/auth/totp/confirm", status_code=204)
def totp_confirm(body: TotpConfirmIn, db: Db, actor: CurrentActor,
                 session: Annotated[AuthSession, Depends(current_session)]) -> None:
    service.confirm_totp(db, actor, body.code, keep_session=session.id)


@router.post("/auth/totp/disable", status_code=204)
def totp_disable(body: TotpReauthIn, db: Db, actor: CurrentActor) -> None:
    service.disable_totp(db, actor, body.password, body.code)
