from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UtcDateTime, new_id, utcnow
from app.users.models import User


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    offence: Mapped[str] = mapped_column(String(200), default="")
    occurred_on: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    # Set by an admin: the closed case's approved composites may train department models.
    releasable_for_training: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Set by an admin with a recorded reason: exports for face-recognition search are allowed.
    face_recognition_reason: Mapped[str | None] = mapped_column(Text)
    face_recognition_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    face_recognition_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship(lazy="joined")


class CaseShare(Base):
    """Another artist given access to a case by its owner or an admin."""

    __tablename__ = "case_shares"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
