from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict

from app.errors import InvalidError
from app.health.routes import model_status
from app.registry import service
from app.sessions.schemas import Style
from app.users.deps import AdminActor, CurrentActor, Db
from common.spec import Strategy

router = APIRouter(prefix="/api/models", tags=["models"])


class AdapterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: str
    sha256: str
    size_bytes: int
    config: dict[str, Any]
    metrics: dict[str, Any]
    dataset_id: uuid.UUID | None
    created_at: datetime


class RegistryOut(BaseModel):
    base: dict[str, Any]
    strategies: list[Strategy]
    styles: list[Style]
    adapters: list[AdapterOut]


@router.get("", response_model=RegistryOut)
def registry(db: Db, _: CurrentActor) -> RegistryOut:
    from common.spec import STYLES, Strategy

    return RegistryOut(base=model_status(), strategies=[s.value for s in Strategy], styles=list(STYLES),
                       adapters=[AdapterOut.model_validate(a) for a in service.list_adapters(db)])


@router.post("/adapters", response_model=AdapterOut, status_code=201)
async def import_adapter(db: Db, actor: AdminActor, file: Annotated[UploadFile, File()],
                         name: Annotated[str, Form(min_length=1, max_length=120)],
                         kind: Annotated[str, Form()], config: Annotated[str, Form()] = "{}") -> AdapterOut:
    """An admin imports an adapter trained elsewhere (safetensors + its config as JSON)."""
    try:
        parsed = json.loads(config)
    except json.JSONDecodeError as exc:
        raise InvalidError(f"config: not JSON ({exc.msg})") from None
    data = await file.read(service.SAFETENSORS_MAX + 1)
    # Off the event loop: the import hashes and writes the file, and may wait for SQLite's write lock.
    adapter = await run_in_threadpool(service.register_adapter, db, actor, name=name, kind=kind, data=data,
                                      config=parsed)
    return AdapterOut.model_validate(adapter)
