from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TrainingStart(BaseModel):
    kind: Literal["unet-lora", "clip-lora"]
    dataset: str = Field(min_length=1, description="dataset name or id")
    name: str | None = Field(default=None, min_length=1, max_length=120, pattern=r"^[^\x00-\x1f]+$",
                             description="the adapter's registry name")
    config: dict[str, Any] = Field(default_factory=dict, description="rank, alpha, epochs, layers, ...")


class TrainingRunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    dataset_id: uuid.UUID
    name: str | None
    config: dict[str, Any]
    status: str
    step: int
    total_steps: int
    loss: float | None
    error: str | None
    adapter_id: uuid.UUID | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
