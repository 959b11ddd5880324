from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases.models import Case
from app.cases.service import can_see
from app.errors import InvalidError, NotFoundError
from app.images import service
from app.images.labels import labelled_png
from app.images.models import Image
from app.images.regions import region_overlay_png
from app.images.uploads import MAX_BYTES, store_upload
from app.jobs import limits
from app.jobs.progress import signed_in, wait_final
from app.security.ratelimit import FACE_LOOKUPS, limiter
from app.sessions import exposure, references
from app.sessions.schemas import Region
from app.users.actor import Actor
from app.users.deps import AdminActor, CurrentActor, Db
from app.users.service import usernames
from app.witnesses.models import Witness
from common.recipe import sha256_hex
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


class Released(BaseModel):
    reason: str
    by: str | None = Field(description="the admin's username")
    at: datetime


class UploadMatch(BaseModel):
    """The drawn face an upload matches: it is refused as a reference for any other witness until released."""

    witness_id: uuid.UUID
    witness_name: str | None = Field(description="null when the match is in a case the caller may not see")
    session_id: uuid.UUID
    round_index: int
    candidate_index: int = Field(description="0-based; the screens show R{round_index}·{candidate_index + 1}")
    case_id: uuid.UUID
    case_reference: str | None = Field(description="null when the caller may not see that case")
    hash_distance: int = Field(description="perceptual-hash bits that differ, of 64 (common/phash.py)")


class ReferenceUploadOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    width: int
    height: int
    image_url: str
    released: Released | None
    match: UploadMatch | None


def _released_out(upload: Image, names: dict[uuid.UUID, str]) -> Released | None:
    if upload.released_at is None:
        return None
    by = names.get(upload.released_by) if upload.released_by else None
    return Released(reason=upload.release_reason or "", by=by, at=upload.released_at)


def _match_out(db: Session, actor: Actor, match: references.Match | None) -> UploadMatch | None:
    if match is None:
        return None
    face = match.face
    visible = can_see(db, actor, face.case_id)
    witness = db.get(Witness, face.witness_id) if visible else None
    case = db.get(Case, face.case_id) if visible else None
    return UploadMatch(witness_id=face.witness_id, witness_name=witness.name if witness else None,
                       session_id=face.session_id, round_index=face.round_index,
                       candidate_index=face.candidate_index, case_id=face.case_id,
                       case_reference=case.reference if case else None, hash_distance=match.distance)


@router.get("/cases/{case_id}/uploads", response_model=list[ReferenceUploadOut])
def list_uploads(case_id: uuid.UUID, db: Db, actor: CurrentActor) -> list[ReferenceUploadOut]:
    """The case's reference uploads (not masks, not the server's sketches of photos), newest first,
    each with the other witness's face it matches, if any, and its release."""
    listed = references.list_uploads(db, actor, case_id)
    names = usernames(db, (upload.released_by for upload, _ in listed))
    return [ReferenceUploadOut(id=upload.id, created_at=upload.created_at, width=upload.width, height=upload.height,
                               image_url=service.image_url(upload.id), released=_released_out(upload, names),
                               match=_match_out(db, actor, match))
            for upload, match in listed]


@router.get("/images/{image_id}", response_class=Response,
            responses={200: {"content": {"image/png": {}}, "description": "the PNG, recipe in its iTXt chunk"}})
def get_image(image_id: uuid.UUID, db: Db, actor: CurrentActor, witness_viewing: bool = False) -> Response:
    """The stored bytes, unlabelled (the screen shows the label beside them). With witness_viewing=1
    the artist's screen says the witness is looking at it: a candidate's face is recorded as shown."""
    image = service.get_image(db, actor, image_id)
    png = service.blob_store().get(image.sha256)
    if witness_viewing:
        exposure.shown_on_artist_screen(db, actor, image.id)
    # Personal data: never kept in a (shared computer's) disk cache.
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store", "ETag": f'"{image.sha256}"'})


@router.get("/images/{image_id}/download", response_class=Response,
            responses={200: {"content": {"image/png": {}},
                             "description": "a composite with the notice band under it and in its text chunk"}})
def download_image(image_id: uuid.UUID, db: Db, actor: CurrentActor) -> Response:
    """A copy to take away: composites carry the notice (app/images/labels.py); uploads go as stored."""
    image = service.get_image(db, actor, image_id)
    png = service.blob_store().get(image.sha256)
    labelled = image.kind == "candidate"
    body = labelled_png(png) if labelled else png
    record(db, actor, "image.download", case_id=image.case_id, entity_type="image", entity_id=image.id,
           details={"sha256": image.sha256, "labelled": labelled, "download_sha256": sha256_hex(body)})
    db.commit()
    name = f"{'composite' if labelled else image.kind}-{image.id.hex[:8]}.png"
    return Response(body, media_type="image/png", headers={
        "Cache-Control": "private, no-store", "Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/images/{image_id}/regions/{region}", response_class=Response,
            responses={200: {"content": {"image/png": {}}, "description": "RGBA: the region tinted, the rest clear"},
                       422: {"description": "no face found on the picture, or not a picture of a face"}})
def region_overlay(image_id: uuid.UUID, region: Region, db: Db, actor: CurrentActor) -> Response:
    """Where `region` sits on this picture's face, as the next round will find it (app/images/regions.py)."""
    limiter.check(FACE_LOOKUPS, str(actor.id))
    image = service.get_image(db, actor, image_id)
    if image.kind == "mask":
        raise InvalidError("image: a painted mask has no face; ask for the region on the candidate or the upload")
    sha256 = image.sha256
    # Nothing to write: end the transaction before the detector runs (a second or more on a busy
    # CPU), since on SQLite every transaction holds the write lock (app/db.py).
    db.rollback()
    png = region_overlay_png(sha256, region)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


class VerifyOut(BaseModel):
    job_id: uuid.UUID
    status: str
    identical: bool | None = None
    sha256: str | None = None
    regenerated_sha256: str | None = None
    differences: list[str] = []
    error: str | None = None


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000,
                        description="why this upload may be used although it matches another witness's face")


class ReleaseOut(BaseModel):
    id: uuid.UUID
    release_reason: str
    released_at: datetime


@router.post("/cases/{case_id}/uploads/{upload_id}/release", response_model=ReleaseOut)
def release_upload(case_id: uuid.UUID, upload_id: uuid.UUID, body: ReleaseIn, db: Db, actor: AdminActor) -> ReleaseOut:
    """Admin only: lets a reference that matches another witness's candidate be used, with the reason on record."""
    upload = references.release_upload(db, actor, case_id, upload_id, body.reason)
    assert upload.release_reason is not None and upload.released_at is not None
    return ReleaseOut(id=upload.id, release_reason=upload.release_reason, released_at=upload.released_at)


@router.post("/images/{image_id}/verify", response_model=VerifyOut)
async def verify(image_id: uuid.UUID, request: Request, response: Response, wait: float = 120) -> VerifyOut:
    """Redraws the image from its recipe on a worker; answers once it is compared (or 202 with the job).
    It waits on the progress bus (app/jobs/progress.py), holding no thread, connection or transaction:
    on SQLite an open session holds the write lock the worker needs."""
    def queue_verify(db: Session, actor: Actor) -> uuid.UUID:
        limits.admit(db, actor)
        return service.request_verify(db, actor, image_id).id

    _, job_id = await run_in_threadpool(signed_in, request, queue_verify)
    event = await wait_final(job_id, min(max(wait, 0), 600))
    if event is None:
        raise NotFoundError(f"verify job {job_id} not found")
    if not JobStatus(event.status).is_final:
        response.status_code = 202
    return VerifyOut(job_id=job_id, status=event.status, error=event.error, **(event.result or {}))
