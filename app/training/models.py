from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime
from app.jobs.lifecycle import Lifecycle


class TrainingRun(Lifecycle, Base):
    """One adapter training on the `train` queue: queued → running (step/total, loss) →
    succeeded (adapter_id) | failed | cancelled. Like a job, the row is the truth: a worker
    claims it atomically and a cancel is seen at the next step (app/jobs/lifecycle.py). A run
    that stops reporting (its worker killed or lost) is failed once its lease runs out."""

    __tablename__ = "training_runs"

    kind: Mapped[str] = mapped_column(String(20))  # unet-lora | clip-lora
    dataset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("datasets.id"))
    name: Mapped[str | None] = mapped_column(String(120))  # the adapter's registry name
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    loss: Mapped[float | None] = mapped_column(Float)
    adapter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("adapters.id"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # Renewed by the trainer while it runs: a run past it lost its worker (failed by the sweeper).
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
