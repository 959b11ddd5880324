"""Uploaded references before they reach a round: never another witness's face, never a photograph.

1. Cross-witness: the upload's perceptual hash (app/images/phash.py) is compared with every
   candidate (approved composites included) of every OTHER witness, in any case. A match is
   refused (409) naming the witness, session and round it came from, unless an admin has
   released the upload with a recorded reason (POST /api/cases/{id}/uploads/{upload_id}/release).
2. Photographs: a reference that the check in common/photo.py finds photographic is turned into
   a pencil sketch (common/faces.photo_to_pencil_sketch) for every model. Models 2 and 3 sketchify
   it in the engine (`sketchify_reference`); Model 1 starts from it, so the sketch is stored as an
   image of the case (its recipe names the photo it came from) and the round starts from that.
"""

from __future__ import annotations

import io
import uuid

from PIL import Image as PILImage
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases.service import get_case
from app.db import utcnow
from app.errors import ConflictError, InvalidError, NotFoundError
from app.images.models import Image
from app.images.phash import dhash_png, distance, matches
from app.images.service import blob_store, store_image
from app.sessions.models import Candidate, Round, SketchSession
from app.users.actor import Actor
from common.photo import photo_check
from common.recipe import encode_png, sha256_hex

SKETCH_METHOD = "colour-dodge pencil sketch (common/faces.py photo_to_pencil_sketch)"


def _phash(db: Session, image: Image) -> str:
    if image.phash is None:  # stored before hashes were kept: hash it now, once
        image.phash = dhash_png(blob_store().get(image.sha256))
        db.flush()
    return image.phash


def check_cross_witness(db: Session, session: SketchSession, upload: Image) -> None:
    """Refuses a reference that matches a face drawn for another witness (unless released)."""
    if upload.released_at is not None:
        return
    mine = _phash(db, upload)
    rows = db.execute(
        select(Image, Candidate, Round, SketchSession)
        .join(Candidate, Candidate.image_id == Image.id).join(Round, Candidate.round_id == Round.id)
        .join(SketchSession, Round.session_id == SketchSession.id)
        .where(SketchSession.witness_id != session.witness_id, Image.kind == "candidate")
    )
    for image, candidate, round_, other in rows:
        if not matches(mine, _phash(db, image)):
            continue
        where = "this case" if other.case_id == session.case_id else f"case {other.case_id}"
        raise ConflictError(
            f"reference_upload_id: this upload matches candidate R{round_.index}·{candidate.index + 1} drawn for "
            f"witness {other.witness_id} (session {other.id}, round {round_.index}, {where}; "
            f"{distance(mine, image.phash or '')} of 64 hash bits differ). One witness's composites must not be "
            f"shown to another; an admin may release the upload with a reason "
            f"(POST /api/cases/{upload.case_id}/uploads/{upload.id}/release)")


def release_upload(db: Session, actor: Actor, case_id: uuid.UUID, upload_id: uuid.UUID, reason: str) -> Image:
    """An admin's recorded decision that this upload may be used although it matches another witness's face."""
    case = get_case(db, actor, case_id)
    upload = db.get(Image, upload_id)
    if upload is None or upload.case_id != case.id or upload.kind != "reference":
        raise NotFoundError(f"reference upload {upload_id} not found in this case")
    reason = reason.strip()
    if not reason:
        raise InvalidError("reason: say why this upload may be shown although it matches another witness's face")
    upload.release_reason, upload.released_by, upload.released_at = reason, actor.id, utcnow()
    record(db, actor, "upload.release", case_id=case.id, entity_type="image", entity_id=upload.id,
           details={"sha256": upload.sha256, "reason": reason})
    db.commit()
    return upload


def _open(sha256: str) -> PILImage.Image:
    with PILImage.open(io.BytesIO(blob_store().get(sha256))) as image:
        return image.convert("RGB")


def is_photographic(upload: Image) -> bool:
    return photo_check(_open(upload.sha256)).photographic


def sketch_of(db: Session, upload: Image) -> str:
    """The pencil sketch of a photo reference, stored once per case; returns its SHA-256."""
    from common.faces import photo_to_pencil_sketch  # OpenCV: only when a photo is used

    check = photo_check(_open(upload.sha256))
    recipe = {"sketchified_from": {"image_id": str(upload.id), "sha256": upload.sha256, "method": SKETCH_METHOD,
                                   "photo_check": {"photographic": check.photographic,
                                                   "saturation": check.saturation, "paper": check.paper}}}
    png = encode_png(photo_to_pencil_sketch(_open(upload.sha256)), recipe)
    sha = sha256_hex(png)
    existing = db.scalar(select(Image).where(Image.case_id == upload.case_id, Image.sha256 == sha))
    if existing is None:
        existing = store_image(db, upload.case_id, "reference", png, upload.width, upload.height, recipe)
    return existing.sha256
