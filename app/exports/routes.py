from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from app.exports import purpose as purposes
from app.exports import service
from app.users.deps import AdminActor, CurrentActor, Db

router = APIRouter(prefix="/api/cases", tags=["exports"])


@router.get("/{case_id}/export", response_class=FileResponse,
            responses={200: {"content": {"application/zip": {}},
                             "description": "the signed disclosure package (see app/exports/service.py)"},
                       403: {"description": "face-recognition was not enabled for this case by an admin"},
                       409: {"description": "a stored image or the audit chain fails its hash check"}})
def export_case(case_id: uuid.UUID, db: Db, actor: CurrentActor,
                purpose: purposes.Purpose = Query(description="why the package is made; recorded in the audit, "
                                                  "the manifest and the report")) -> FileResponse:
    package = service.export_case(db, actor, case_id, purpose)
    # The package is a temporary file: removed once sent, so copies exist only where they were sent.
    return FileResponse(package.path, media_type="application/zip", filename=package.filename,
                        headers={"X-Manifest-SHA256": package.manifest_sha256, "Cache-Control": "no-store"},
                        background=BackgroundTask(package.path.unlink, missing_ok=True))


class FaceRecognitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000, description="why face-recognition search is allowed here")


class FaceRecognitionOut(BaseModel):
    case_id: uuid.UUID
    enabled: bool
    reason: str | None
    enabled_at: datetime | None


@router.post("/{case_id}/face-recognition", response_model=FaceRecognitionOut)
def enable_face_recognition(case_id: uuid.UUID, body: FaceRecognitionIn, db: Db,
                            actor: AdminActor) -> FaceRecognitionOut:
    """Admin only: exports of this case may then name the purpose face-recognition; the reason is on record."""
    case = purposes.enable_face_recognition(db, actor, case_id, body.reason)
    return FaceRecognitionOut(case_id=case.id, enabled=True, reason=case.face_recognition_reason,
                              enabled_at=case.face_recognition_at)
