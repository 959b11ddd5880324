from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.validation import no_nulls


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    role: str
    active: bool
    locked: bool = False
    locked_until: datetime | None = Field(default=None, description="when a lockout lifts by itself; null: not locked")
    created_at: datetime


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1024)
    role: str = "artist"


class UserUpdate(BaseModel):
    """What an admin may change about an account. A field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["admin", "artist"] | None = None
    active: bool | None = Field(default=None, description="false: the account can no longer sign in")
    password: str | None = Field(default=None, min_length=1, max_length=1024,
                                 description="a new password; signs the user out everywhere")

    check_nulls: ClassVar[Any] = no_nulls("role", "active", "password")


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)
    totp: str | None = Field(default=None, max_length=12, description="one-time code, when enabled")


class TotpSetupOut(BaseModel):
    secret: str
    otpauth_uri: str


class TotpReauthIn(BaseModel):
    """Proof that the account's owner is at the keyboard, not only their session token."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024, description="the account's password")
    code: str | None = Field(default=None, max_length=12,
                             description="a current one-time code; required while a second factor is enabled")


class TotpConfirmIn(BaseModel):
    code: str = Field(min_length=6, max_length=12)


class Me(BaseModel):
    user: UserOut
    csrf_token: str


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
