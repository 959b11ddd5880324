from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, StreamingResponse

from app.errors import NotFoundError
from app.jobs import progress, service
from app.users.deps import CurrentActor, Db
from common import progress_bus
from common.previews import preview_path
from common.settings import get_settings
from common.spec import ProgressEvent

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=ProgressEvent)
def get_job(job_id: uuid.UUID, db: Db, actor: CurrentActor) -> ProgressEvent:
    return service.progress_of(service.get_job(db, actor, job_id))


@router.post("/{job_id}/cancel", response_model=ProgressEvent)
def cancel_job(job_id: uuid.UUID, db: Db, actor: CurrentActor) -> ProgressEvent:
    return service.progress_of(service.request_cancel(db, actor, job_id))


@router.get("/{job_id}/preview", response_class=FileResponse,
            responses={200: {"content": {"image/png": {}}, "description": "the newest step, approximated"}})
def job_preview(job_id: uuid.UUID, db: Db, actor: CurrentActor) -> FileResponse:
    job = service.get_job(db, actor, job_id)
    path = preview_path(get_settings(), job.id)
    if not path.exists():
        raise NotFoundError("no preview for this job (not running yet, finished, or previews are off)")
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/{job_id}/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}, "description": "a ProgressEvent per change"},
                       429: {"description": "too many progress streams open for this user"}})
async def job_events(job_id: uuid.UUID, request: Request) -> StreamingResponse:
    """Costs no thread and no database connection while it waits: the worker pushes each step
    (common/progress_bus.py); the row is read at the start and for the final state."""
    subscription = await progress_bus.subscribe(get_settings(), str(job_id))  # before the read: nothing missed
    try:
        actor, first = await run_in_threadpool(progress.check_and_read, request, job_id)  # 401/404 before the stream
        release = progress.slots.take(actor)
    except BaseException:
        subscription.close()
        raise
    return progress.CountedStream(progress.sse(subscription, job_id, first), release, media_type="text/event-stream",
                                  headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
