"""The model registry: the base model the workers serve, and the adapters beside it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.db import flush_unique
from app.errors import InvalidError, NotFoundError
from app.images.service import blob_store
from app.registry.models import ADAPTER_KINDS, Adapter
from app.users.actor import Actor

SAFETENSORS_MAX = 2 * 1024**3


def list_adapters(db: Session, kind: str | None = None) -> list[Adapter]:
    query = select(Adapter).order_by(Adapter.created_at)
    if kind:
        query = query.where(Adapter.kind == kind)
    return list(db.scalars(query))


def get_adapter(db: Session, adapter_id: uuid.UUID, kind: str | None = None) -> Adapter:
    adapter = db.get(Adapter, adapter_id)
    if adapter is None or (kind and adapter.kind != kind):
        raise NotFoundError(f"{kind or 'adapter'} {adapter_id} not found in the model registry")
    return adapter


def _check_safetensors(data: bytes) -> None:
    # A safetensors file opens with an 8-byte header length and a JSON header.
    if len(data) < 10 or data[8:9] != b"{":
        raise InvalidError("file: not a safetensors file")
    if len(data) > SAFETENSORS_MAX:
        raise InvalidError("file: adapter over 2 GiB")


def register_adapter(db: Session, actor: Actor | None, *, name: str, kind: str, data: bytes,
                     config: dict[str, Any], metrics: dict[str, Any] | None = None,
                     dataset_id: uuid.UUID | None = None) -> Adapter:
    if kind not in ADAPTER_KINDS:
        raise InvalidError(f"kind: must be one of {', '.join(ADAPTER_KINDS)}")
    _check_safetensors(data)
    sha256 = blob_store().put(data)
    adapter = Adapter(name=name, kind=kind, sha256=sha256, size_bytes=len(data), config=config,
                      metrics=metrics or {}, dataset_id=dataset_id, created_by=actor.id if actor else None)
    db.add(adapter)
    flush_unique(db, f"name: an adapter named {name!r} already exists")
    record(db, actor, "adapter.register", entity_type="adapter", entity_id=adapter.id,
           details={"name": name, "kind": kind, "sha256": sha256, "size_bytes": len(data)})
    db.commit()
    return adapter
