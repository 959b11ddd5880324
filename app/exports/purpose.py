"""Why a package is made, and what it says about its own use.

Every export names its purpose (disclosure, public-appeal, internal-review), recorded in
the audit trail, the manifest and the report. A composite is an artist's impression of a
witness's memory: automated face-recognition search with it is refused (403) unless an
admin has enabled it for that case with a recorded reason. Every package carries the
composite notice and says the composites are not for face-recognition search, and holds a
labelled copy of each composite beside the stored original.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases.models import Case
from app.cases.service import get_case
from app.db import utcnow
from app.errors import ForbiddenError, InvalidError
from app.images.labels import FACE_RECOGNITION_NOTICE, labelled_png, notice
from app.images.service import blob_store
from app.users.actor import Actor

Purpose = Literal["disclosure", "public-appeal", "internal-review", "face-recognition"]
FACE_RECOGNITION = "face-recognition"


class _Members(Protocol):
    def add(self, path: str, data: bytes) -> str: ...


def check_purpose(db: Session, actor: Actor, case: Case, purpose: str) -> None:
    if purpose != FACE_RECOGNITION or case.face_recognition_at is not None:
        return
    record(db, actor, "case.export", outcome="refused", case_id=case.id, entity_type="case", entity_id=case.id,
           details={"purpose": purpose, "reason": "face-recognition not enabled for this case"})
    db.commit()
    raise ForbiddenError("purpose: face-recognition search with a composite is refused unless an admin has enabled "
                         f"it for this case with a reason (POST /api/cases/{case.id}/face-recognition)")


def export_use(purpose: str, case: Case) -> dict[str, Any]:
    """What the manifest, interview.json and report.html say about the package's use."""
    use: dict[str, Any] = {"purpose": purpose, "notice": notice(), "face_recognition": FACE_RECOGNITION_NOTICE}
    if purpose == FACE_RECOGNITION:
        use["face_recognition_enabled"] = {"reason": case.face_recognition_reason,
                                           "at": case.face_recognition_at.isoformat() if case.face_recognition_at
                                           else None}
    return use


def add_labelled(package: _Members, images: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A labelled copy of every composite (kind candidate), under labelled/ with the same name."""
    labelled = []
    for entry in images:
        if entry["kind"] != "candidate":
            continue
        path = "labelled/" + entry["path"].removeprefix("images/")
        digest = package.add(path, labelled_png(blob_store().get(entry["sha256"])))
        labelled.append({"path": path, "image_id": entry["image_id"], "source_sha256": entry["sha256"],
                         "sha256": digest})
    return labelled


def enable_face_recognition(db: Session, actor: Actor, case_id: uuid.UUID, reason: str) -> Case:
    case = get_case(db, actor, case_id)
    reason = reason.strip()
    if not reason:
        raise InvalidError("reason: say why this case's composites may be used for face-recognition search")
    case.face_recognition_reason, case.face_recognition_by, case.face_recognition_at = reason, actor.id, utcnow()
    record(db, actor, "case.face_recognition_enable", case_id=case.id, entity_type="case", entity_id=case.id,
           details={"reason": reason})
    db.commit()
    return case
