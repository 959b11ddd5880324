"""The life both generation jobs and training runs lead: queued → running (step/total) →
succeeded | failed | cancelled, with the row as the truth.

A worker claims a row with one atomic UPDATE, reports progress with another (which also
tells it whether a cancel was asked for), and finishes it once. `app/jobs/service.py`
adds leases and attempts for generation jobs; `app/training/service.py` adds the loss
and the registered adapter for training runs.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Boolean, ColumnElement, Integer, String, Text, Uuid, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.audit.service import record
from app.db import UtcDateTime, new_id, utcnow
from common.spec import JobStatus

FINAL = [s.value for s in JobStatus if s.is_final]


class Lifecycle:
    """The columns a claimable row needs (a mixin of `Job` and `TrainingRun`)."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    step: Mapped[int] = mapped_column(Integer, default=0)
    total_steps: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


Row = TypeVar("Row", bound=Lifecycle)


def cancel(row: Lifecycle) -> bool:
    """Asks the row to stop: a queued one is cancelled at once, a running one at its next report.
    False when it had already finished (nothing changed)."""
    if row.status in FINAL:
        return False
    row.cancel_requested = True
    if row.status == JobStatus.QUEUED:
        row.status, row.finished_at = JobStatus.CANCELLED, utcnow()
    return True


def claim(db: Session, model: type[Row], row_id: uuid.UUID, worker: str, *where: ColumnElement[bool],
          **values: Any) -> bool:
    """One atomic UPDATE hands the row to this worker when it is claimable (queued, unless `where`
    says otherwise) and not cancelled; `values` are set with it. The caller commits."""
    claimable = where or (model.status == JobStatus.QUEUED,)
    taken = db.execute(
        update(model)
        .where(model.id == row_id, model.cancel_requested.is_(False), *claimable)
        .values(**{"status": JobStatus.RUNNING, "worker": worker, "started_at": utcnow(), **values})
        .returning(model.id)
    ).first()
    return taken is not None


def report(db: Session, model: type[Row], row_id: uuid.UUID, worker: str, **values: Any) -> bool:
    """Records progress from the worker that holds the row and commits; False when it should stop
    (cancel requested, or another worker took it over)."""
    row = db.execute(
        update(model)
        .where(model.id == row_id, model.worker == worker, model.status == JobStatus.RUNNING)
        .values(**values)
        .returning(model.cancel_requested)
    ).first()
    db.commit()
    return row is not None and not row[0]


def finish(db: Session, row: Lifecycle, status: JobStatus, error: str | None, *, action: str, entity_type: str,
           details: dict[str, Any], case_id: uuid.UUID | None = None) -> None:
    """Marks the row final and puts the outcome on the audit trail (`action.succeeded`, ...). The caller commits."""
    row.status, row.error, row.finished_at = status, error, utcnow()
    record(db, None, f"{action}.{status.value}", case_id=case_id, entity_type=entity_type, entity_id=row.id,
           outcome="success" if status == JobStatus.SUCCEEDED else status.value, details=details)
