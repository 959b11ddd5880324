from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime, new_id, utcnow

ADAPTER_KINDS = ("unet-lora", "clip-lora", "clip-projection")


class Adapter(Base):
    """A trained or imported adapter: its safetensors file lives in the blob store.

    kind: unet-lora (sketch styles, department-trained UNet LoRA), clip-lora (the
    paper's Model 3: LoRA on CLIP's attention), clip-projection (a trained Model 2
    projection that replaces the pseudo-inverse).
    """

    __tablename__ = "adapters"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # rank, alpha, targets, layers, base model
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # loss curve, runtime, peak memory, ...
    dataset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
