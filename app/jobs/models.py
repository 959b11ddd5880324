from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime
from app.jobs.lifecycle import Lifecycle


class Job(Lifecycle, Base):
    """One generation on a worker. The row, not the broker, is the truth: a worker
    claims it atomically and holds a lease it renews every step (see service.py)."""

    __tablename__ = "jobs"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="generate")
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # e.g. a verify job's answer
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Who queued it (app/jobs/limits.py counts a user's jobs by it); None for witnesses and the system.
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)


class WorkerHeartbeat(Base):
    """Each worker process says it is alive, and which model it serves, every few seconds."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    model: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
