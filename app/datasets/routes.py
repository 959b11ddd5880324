"""Admin routes for datasets (list, inspect, upload a ZIP of pairs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from app.datasets import from_cases, service
from app.datasets.schemas import DatasetDetail, DatasetOut
from app.datasets.sources import SourceError, ZipSource
from app.errors import InvalidError
from app.security.bodylimit import DATASET_LIMIT
from app.users.deps import AdminActor, Db

router = APIRouter(tags=["datasets"])
MAX_UPLOAD_BYTES = DATASET_LIMIT


@router.get("/api/datasets", response_model=list[DatasetOut])
def list_datasets(db: Db, _: AdminActor) -> list[DatasetOut]:
    return [DatasetOut.model_validate(d) for d in service.list_datasets(db)]


@router.get("/api/datasets/{ref}", response_model=DatasetDetail)
def get_dataset(ref: str, db: Db, _: AdminActor) -> DatasetDetail:
    return DatasetDetail.model_validate(service.get_dataset(db, ref))


class FromCasesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)


@router.post("/api/datasets/from-cases", response_model=DatasetOut, status_code=201)
def dataset_from_cases(body: FromCasesIn, db: Db, actor: AdminActor) -> DatasetOut:
    """The approved composites of closed cases released for training, with their descriptions."""
    return DatasetOut.model_validate(from_cases.dataset_from_cases(db, actor, body.name))


@router.post("/api/datasets", response_model=DatasetOut, status_code=201)
async def upload_dataset(db: Db, actor: AdminActor, file: Annotated[UploadFile, File()],
                         name: Annotated[str, Form(min_length=1, max_length=120)],
                         index: Annotated[str | None, Form()] = None,
                         split_seed: Annotated[int, Form()] = service.DEFAULT_SPLIT_SEED,
                         validation_fraction: Annotated[float, Form()] = service.VALIDATION_FRACTION) -> DatasetOut:
    """A ZIP of pairs: an index (JSONL or CSV) at its top and the images it names.
    Every row is checked first; one bad row rejects the upload (422 listing every problem)."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidError(f"file: over {MAX_UPLOAD_BYTES // 1024**3} GiB")
    try:
        source = ZipSource(data, file.filename or "upload.zip", index)
    except SourceError as exc:
        raise InvalidError(f"file: {exc}") from None
    # Off the event loop: the import writes rows and files, and may wait for SQLite's write lock.
    dataset = await run_in_threadpool(service.import_dataset, db, actor, name=name, source=source, source_bytes=data,
                                      split_seed=split_seed, validation_fraction=validation_fraction)
    return DatasetOut.model_validate(dataset)

