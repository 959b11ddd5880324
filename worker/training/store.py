"""Glue between training and the rest of the house: datasets from the database and the
blob store in, adapters into the model registry out."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PIL import Image

from app.datasets.service import get_dataset
from app.db import session_factory
from app.images.service import blob_store
from app.registry.models import Adapter
from app.registry.service import list_adapters, register_adapter
from app.users.actor import Actor
from worker.training.pairs import Pair
from worker.training.unet_lora import AdapterResult


@dataclass(frozen=True)
class DatasetInfo:
    id: uuid.UUID
    name: str
    manifest_sha256: str
    pairs: int
    train_count: int
    validation_count: int

    def as_dict(self) -> dict[str, Any]:
        return {"id": str(self.id), "name": self.name, "manifest_sha256": self.manifest_sha256,
                "pairs": self.pairs, "train": self.train_count, "validation": self.validation_count}


def open_blob(sha256: str) -> Image.Image:
    with Image.open(io.BytesIO(blob_store().get(sha256))) as image:
        return image.convert("RGB")


def load_pairs(ref: str) -> tuple[DatasetInfo, list[Pair]]:
    """A dataset (by name or id) and its pairs, images decoded from the blob store."""
    with session_factory()() as db:
        dataset = get_dataset(db, ref)
        info = DatasetInfo(dataset.id, dataset.name, dataset.manifest_sha256, dataset.pairs,
                           dataset.train_count, dataset.validation_count)
        items = list(dataset.items)
    pairs = [Pair(description=item["description"], sketch=open_blob(item["sketch"]["sha256"]),
                  photo=open_blob(item["photo"]["sha256"]) if item.get("photo") else None,
                  split=item["split"], attributes=dict(item.get("attributes") or {}), key=item["sketch"]["sha256"])
             for item in items]
    return info, pairs


def default_name(kind: str, dataset: DatasetInfo, detail: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return f"{kind}-{dataset.name[:60]}-{detail}-{stamp}"


def save_adapter(result: AdapterResult, *, name: str, kind: str, dataset: DatasetInfo,
                 actor: Actor | None) -> dict[str, Any]:
    """Registers the adapter (blob + registry row + audit event); returns its registry entry."""
    metrics = {**result.metrics, "dataset": dataset.as_dict()}
    with session_factory()() as db:
        adapter = register_adapter(db, actor, name=name, kind=kind, data=result.data, config=result.config,
                                   metrics=metrics, dataset_id=dataset.id)
        return adapter_summary(adapter)


def adapter_summary(adapter: Adapter) -> dict[str, Any]:
    return {"id": str(adapter.id), "name": adapter.name, "kind": adapter.kind, "sha256": adapter.sha256,
            "size_bytes": adapter.size_bytes, "config": dict(adapter.config), "metrics": dict(adapter.metrics),
            "dataset_id": str(adapter.dataset_id) if adapter.dataset_id else None}


def trained_adapters(kinds: tuple[str, ...] = ("unet-lora", "clip-lora")) -> list[dict[str, Any]]:
    """Registry entries with training metrics (imported adapters have none), oldest first."""
    with session_factory()() as db:
        return [adapter_summary(a) for a in list_adapters(db) if a.kind in kinds and a.metrics.get("loss_curve")]


def find_adapter(ref: str, kind: str) -> dict[str, Any] | None:
    """The registry entry by id or name (None: not found); the newest of `kind` when ref is empty."""
    with session_factory()() as db:
        adapters = [a for a in list_adapters(db, kind)]
        if not ref:
            return adapter_summary(adapters[-1]) if adapters else None
        for adapter in adapters:
            if ref in (str(adapter.id), adapter.name):
                return adapter_summary(adapter)
    return None
