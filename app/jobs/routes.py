from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import FileResponse, StreamingResponse

from app.db import session_factory
from app.errors import NotFoundError
from app.jobs import service
from app.jobs.models import Job
from app.users.deps import CurrentActor, Db
from common.previews import preview_path
from common.settings import get_settings
from common.spec import JobStatus, ProgressEvent

router = APIRouter(prefix="/api/jobs", tags=["jobs"])
STREAM_LIMIT_S = 3600


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


def _progress_stream(job_id: uuid.UUID) -> Iterator[str]:
    """Polls the job row and sends each change; ends after a final state."""
    poll, last, started, quiet = get_settings().sse_poll_s, None, time.monotonic(), 0.0
    while time.monotonic() - started < STREAM_LIMIT_S:
        with session_factory()() as db:
            job = db.get(Job, job_id)
            event = service.progress_of(job) if job else None
        if event is None:
            return
        if event != last:
            last, quiet = event, 0.0
            yield f"event: progress\ndata: {event.model_dump_json()}\n\n"
            if JobStatus(event.status).is_final:
                return
        elif quiet >= 15:
            quiet = 0.0
            yield ": keep-alive\n\n"  # proxies close silent connections
        time.sleep(poll)
        quiet += poll


@router.get("/{job_id}/events")
def job_events(job_id: uuid.UUID, db: Db, actor: CurrentActor) -> StreamingResponse:
    service.get_job(db, actor, job_id)  # 404 before the stream opens
    db.close()
    return StreamingResponse(_progress_stream(job_id), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
