from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime, new_id, utcnow


class Image(Base):
    """A stored image: its bytes live in the blob store under `sha256`; its recipe is
    here and inside the PNG."""

    __tablename__ = "images"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # candidate | upload | mask
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    recipe: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # 64-bit difference hash (hex): finds one witness's composites offered to another (common/phash.py).
    phash: Mapped[str | None] = mapped_column(String(16))
    # An admin's recorded reason to use this upload as a reference although it matches another witness's face.
    release_reason: Mapped[str | None] = mapped_column(Text)
    released_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
