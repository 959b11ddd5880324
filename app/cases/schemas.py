from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.validation import no_nulls


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: str = Field(min_length=1, max_length=80)
    title: str = Field(min_length=1, max_length=200)
    offence: str = Field(default="", max_length=200)
    occurred_on: date | None = None
    location: str = Field(default="", max_length=300)
    notes: str = Field(default="", max_length=20000)


class CaseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    offence: str | None = Field(default=None, max_length=200)
    occurred_on: date | None = None
    location: str | None = Field(default=None, max_length=300)
    notes: str | None = Field(default=None, max_length=20000)
    status: Literal["open", "closed"] | None = None
    releasable_for_training: bool | None = Field(default=None, description="admin only")

    check_nulls: ClassVar[Any] = no_nulls("title", "status", "releasable_for_training")


class OwnerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str


class FaceRecognitionState(BaseModel):
    """Whether an admin has allowed exports for face-recognition search (POST /api/cases/{id}/face-recognition)."""

    enabled: bool
    reason: str | None
    by: str | None = Field(description="the admin's username")
    at: datetime | None


class CaseOut(BaseModel):
    # Fields with a default are always sent: the generated client types say so.
    model_config = ConfigDict(from_attributes=True, json_schema_serialization_defaults_required=True)

    id: uuid.UUID
    reference: str
    title: str
    offence: str
    occurred_on: date | None
    location: str
    notes: str
    status: str
    releasable_for_training: bool = False
    face_recognition: FaceRecognitionState = Field(
        default_factory=lambda: FaceRecognitionState(enabled=False, reason=None, by=None, at=None))
    owner: OwnerOut
    created_at: datetime
    witness_count: int = 0
