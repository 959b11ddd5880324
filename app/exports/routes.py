from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from app.exports import service
from app.users.deps import CurrentActor, Db

router = APIRouter(prefix="/api/cases", tags=["exports"])


@router.get("/{case_id}/export", response_class=FileResponse,
            responses={200: {"content": {"application/zip": {}},
                             "description": "the signed disclosure package (see app/exports/service.py)"},
                       409: {"description": "a stored image or the audit chain fails its hash check"}})
def export_case(case_id: uuid.UUID, db: Db, actor: CurrentActor) -> FileResponse:
    package = service.export_case(db, actor, case_id)
    # The package is a temporary file: removed once sent, so copies exist only where they were sent.
    return FileResponse(package.path, media_type="application/zip", filename=package.filename,
                        headers={"X-Manifest-SHA256": package.manifest_sha256, "Cache-Control": "no-store"},
                        background=BackgroundTask(package.path.unlink, missing_ok=True))
