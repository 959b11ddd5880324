from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UtcDateTime, new_id, utcnow


class Witness(Base):
    __tablename__ = "witnesses"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    descriptions: Mapped[list[Description]] = relationship(
        back_populates="witness", order_by="Description.version", lazy="selectin"
    )


class Description(Base):
    """What the witness said, verbatim. Never edited: a change is a new version whose
    `supersedes_id` points at the one it replaces (PACE Code D 3.1: the first
    description is on record before anything is shown)."""

    __tablename__ = "descriptions"
    __table_args__ = (UniqueConstraint("witness_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    witness_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("witnesses.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("descriptions.id"))
    text: Mapped[str] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    witness: Mapped[Witness] = relationship(back_populates="descriptions")
