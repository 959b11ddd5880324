"""Uploaded references before they reach a round: never another witness's face, never a photograph.

1. Cross-witness: the upload's perceptual hash (common/phash.py) is compared with every
   candidate (approved composites included) of every OTHER witness, in any case. A match is
   refused (409) naming the witness, session and round it came from, unless an admin has
   released the upload with a recorded reason (POST /api/cases/{id}/uploads/{upload_id}/release).
   GET /api/cases/{id}/uploads lists a case's uploads with the face each matches (`list_uploads`),
   found by the same `find_match`, so the case page can show what an admin must release.
2. Photographs: a reference that the check in common/photo.py finds photographic is turned into
   a pencil sketch (common/faces.photo_to_pencil_sketch) for every model. Models 2 and 3 sketchify
   it in the engine (`sketchify_reference`); Model 1 starts from it, so the sketch is stored as an
   image of the case (its recipe names the photo it came from) and the round starts from that.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from PIL import Image as PILImage
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases.service import get_case
from app.db import utcnow
from app.errors import ConflictError, InvalidError, NotFoundError
from app.images.models import Image
from app.images.service import blob_store, store_image
from app.sessions.models import Candidate, Round, SketchSession
from app.users.actor import Actor
from common.phash import dhash_png, distance, matches
from common.photo import photo_check
from common.recipe import encode_png, sha256_hex

SKETCH_METHOD = "colour-dodge pencil sketch (common/faces.py photo_to_pencil_sketch)"


def _phash(db: Session, image: Image) -> str:
    if image.phash is None:  # stored before hashes were kept: hash it now, once
        image.phash = dhash_png(blob_store().get(image.sha256))
        db.flush()
    return image.phash


@dataclass(frozen=True)
class DrawnFace:
    """A candidate drawn for a witness, by its perceptual hash and where it sits."""

    phash: str
    witness_id: uuid.UUID
    session_id: uuid.UUID
    case_id: uuid.UUID
    round_index: int
    candidate_index: int  # 0-based, as stored; shown as R{round}·{index + 1}


@dataclass(frozen=True)
class Match:
    face: DrawnFace
    distance: int  # hash bits that differ, of 64


def drawn_faces(db: Session, not_witness: uuid.UUID | None = None) -> list[DrawnFace]:
    """Every candidate (approved composites included) in any case, except those drawn for `not_witness`.
    Reads columns, not image rows: this runs on every round with a reference, over every case."""
    _hash_unhashed_candidates(db)
    query = (select(Image.phash, SketchSession.witness_id, SketchSession.id, SketchSession.case_id, Round.index,
                    Candidate.index)
             .join(Candidate, Candidate.image_id == Image.id).join(Round, Candidate.round_id == Round.id)
             .join(SketchSession, Round.session_id == SketchSession.id).where(Image.kind == "candidate"))
    if not_witness is not None:
        query = query.where(SketchSession.witness_id != not_witness)
    return [DrawnFace(phash, witness_id, session_id, case_id, round_index, candidate_index)
            for phash, witness_id, session_id, case_id, round_index, candidate_index in db.execute(query)
            if phash is not None]  # none left unhashed above, short of one stored meanwhile


def _hash_unhashed_candidates(db: Session) -> None:
    """Candidates stored before hashes were kept are hashed once, on first need."""
    for image in db.scalars(select(Image).where(Image.kind == "candidate", Image.phash.is_(None))):
        _phash(db, image)


def find_match(db: Session, upload: Image, faces: list[DrawnFace]) -> Match | None:
    """The drawn face closest to the upload, if it is close enough to be the same picture."""
    mine = _phash(db, upload)
    best: Match | None = None
    for face in faces:
        bits = distance(mine, face.phash)
        if matches(mine, face.phash) and (best is None or bits < best.distance):
            best = Match(face, bits)
    return best


def check_cross_witness(db: Session, session: SketchSession, upload: Image) -> None:
    """Refuses a reference that matches a face drawn for another witness (unless released)."""
    if upload.released_at is not None:
        return
    match = find_match(db, upload, drawn_faces(db, not_witness=session.witness_id))
    if match is None:
        return
    face = match.face
    where = "this case" if face.case_id == session.case_id else f"case {face.case_id}"
    raise ConflictError(
        f"reference_upload_id: this upload matches candidate R{face.round_index}·{face.candidate_index + 1} drawn for "
        f"witness {face.witness_id} (session {face.session_id}, round {face.round_index}, {where}; "
        f"{match.distance} of 64 hash bits differ). One witness's composites must not be "
        f"shown to another; an admin may release the upload with a reason "
        f"(POST /api/cases/{upload.case_id}/uploads/{upload.id}/release)")


def list_uploads(db: Session, actor: Actor, case_id: uuid.UUID) -> list[tuple[Image, Match | None]]:
    """The case's reference uploads, newest first, each with the drawn face it matches (any witness's,
    released or not: the screen says what the upload is and why it was released).

    The pencil sketches the server makes of photo references (recipe `sketchified_from`) are left out:
    nobody uploaded them, they are made only once their photo passed this check, and their photo is listed."""
    case = get_case(db, actor, case_id)
    uploads = db.scalars(select(Image).where(Image.case_id == case.id, Image.kind == "reference")
                         .order_by(Image.created_at.desc(), Image.id))
    mine = [u for u in uploads if "sketchified_from" not in (u.recipe or {})]
    faces = drawn_faces(db) if mine else []
    listed = [(upload, find_match(db, upload, faces)) for upload in mine]
    db.commit()  # keeps the hashes of older images this listing had to take
    return listed


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
