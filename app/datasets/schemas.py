from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class DatasetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    pairs: int
    train_count: int
    validation_count: int
    split_seed: int
    validation_fraction: float
    manifest_sha256: str
    source_sha256: str | None
    source_name: str
    created_at: datetime


class DatasetDetail(DatasetOut):
    items: list[dict[str, Any]]

