from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime, new_id, utcnow


class WitnessLink(Base):
    """A time-limited link that opens one session's witness view on another device.

    Only hashes are stored. The link's token works once: it is exchanged for a
    cookie (a second random token) so it does not linger in the address bar or
    browser history; a replayed link is refused.
    """

    __tablename__ = "witness_links"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sketch_sessions.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    cookie_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    exchanged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
