from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel

from app.errors import NotFoundError
from app.images import service
from app.images.uploads import MAX_BYTES, store_upload
from app.jobs.progress import signed_in, wait_final
from app.users.deps import CurrentActor, Db
from common.spec import JobStatus

router = APIRouter(prefix="/api", tags=["images"])


class UploadOut(BaseModel):
    id: uuid.UUID
    kind: str
    sha256: str
    width: int
    height: int
    image_url: str


@router.post("/cases/{case_id}/uploads", response_model=UploadOut, status_code=201)
async def upload(case_id: uuid.UUID, db: Db, actor: CurrentActor, file: Annotated[UploadFile, File()],
                 kind: Annotated[str, Form()] = "reference") -> UploadOut:
    # Read one byte past the limit: enough to refuse, never the whole of a huge body.
    data = await file.read(MAX_BYTES + 1)
    stored = await run_in_threadpool(store_upload, db, actor, case_id, data, kind)
    return UploadOut(id=stored.id, kind=stored.kind, sha256=stored.sha256, width=stored.width,
                     height=stored.height, image_url=service.image_url(stored.id))


@router.get("/images/{image_id}", response_class=Response,
            responses={200: {"content": {"image/png": {}}, "description": "the PNG, recipe in its iTXt chunk"}})
def get_image(image_id: uuid.UUID, db: Db, actor: CurrentActor) -> Response:
    image = service.get_image(db, actor, image_id)
    png = service.blob_store().get(image.sha256)
    # Content-addressed: the bytes behind this id never change.
    return Response(png, media_type="image/png",
                    headers={"Cache-Control": "private, max-age=31536000, immutable", "ETag": f'"{image.sha256}"'})


class VerifyOut(BaseModel):
    job_id: uuid.UUID
    status: str
    identical: bool | None = None
    sha256: str | None = None
    regenerated_sha256: str | None = None
    differences: list[str] = []
    error: str | None = None


@router.post("/images/{image_id}/verify", response_model=VerifyOut)
async def verify(image_id: uuid.UUID, request: Request, response: Response, wait: float = 120) -> VerifyOut:
    """Redraws the image from its recipe on a worker; answers once it is compared (or 202 with the job).
    It waits on the progress bus (app/jobs/progress.py), holding no thread, connection or transaction:
    on SQLite an open session holds the write lock the worker needs."""
    _, job_id = await run_in_threadpool(
        signed_in, request, lambda db, actor: service.request_verify(db, actor, image_id).id)
    event = await wait_final(job_id, min(max(wait, 0), 600))
    if event is None:
        raise NotFoundError(f"verify job {job_id} not found")
    if not JobStatus(event.status).is_final:
        response.status_code = 202
    return VerifyOut(job_id=job_id, status=event.status, error=event.error, **(event.result or {}))
