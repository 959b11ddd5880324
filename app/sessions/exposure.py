"""Exposure: how many candidate faces a witness has been shown, recorded by the server, capped.

Every face looked at by a witness can change their memory of the face they saw, so each
one is on record and their number is capped per witness (LIKENESS_EXPOSURE_CAP, default
60 faces, over all their sessions). A face counts once, however often it is put back on
screen; `shown_count` on the candidate keeps how often. Faces are recorded as shown when
the witness's link view fetches them, and when the artist's screen fetches them while it
says the witness is looking at it (`?witness_viewing=1`).

From WARN_SHARE of the cap the session answers a `warning`. A round that would take the
witness past the cap is refused (409) unless its body carries `exposure_reason`, the
artist's words, kept on the round and in the audit trail.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.errors import ConflictError
from app.jobs.models import Job
from app.sessions.models import Candidate, Round, SketchSession
from app.sessions.schemas import SessionOut
from app.users.actor import Actor
from common.recipe import sha256_hex
from common.settings import get_settings

WARN_SHARE = 0.75


def exposure_cap() -> int:
    return get_settings().exposure_cap


def exposures(db: Session, witness_id: uuid.UUID) -> int:
    """Distinct candidate faces shown to this witness, over all their sessions."""
    total = db.scalar(
        select(func.count(Candidate.id))
        .join(Round, Candidate.round_id == Round.id).join(SketchSession, Round.session_id == SketchSession.id)
        .where(SketchSession.witness_id == witness_id, Candidate.shown_count > 0)
    )
    return int(total or 0)


def warning(count: int, cap: int | None = None) -> str | None:
    cap = cap if cap is not None else exposure_cap()
    if count < WARN_SHARE * cap:
        return None
    if count >= cap:
        return f"the witness has been shown {count} faces, the cap is {cap}: a further round needs a reason"
    return f"the witness has been shown {count} of {cap} faces ({count / cap:.0%} of the cap)"


def record_shown(db: Session, actor: Actor, session: SketchSession, candidate: Candidate, via: str) -> None:
    """One more showing of this face to the session's witness; the audit says how it was shown."""
    candidate.shown_count += 1
    record(db, actor, "candidate.shown", case_id=session.case_id, entity_type="candidate", entity_id=candidate.id,
           details={"session_id": str(session.id), "witness_id": str(session.witness_id),
                    "image_sha256": candidate.image.sha256, "shown_count": candidate.shown_count, "via": via})
    db.commit()


def shown_on_artist_screen(db: Session, actor: Actor, image_id: uuid.UUID) -> None:
    """The artist's screen fetched this image while the witness looks at it: a candidate's face is shown."""
    candidate = db.scalar(select(Candidate).where(Candidate.image_id == image_id))
    if candidate is None:
        return  # an upload or mask: not a candidate face
    round_ = db.get(Round, candidate.round_id)
    session = db.get(SketchSession, round_.session_id) if round_ else None
    if session is not None:
        record_shown(db, actor, session, candidate, "artist-screen")


def guard_round(db: Session, actor: Actor, session: SketchSession, round_: Round, reason: str | None) -> None:
    """Refuses (409) a round that would take the witness past the cap, unless a reason is given."""
    adding = len(db.get_one(Job, round_.job_id).spec["seeds"])
    cap, count = exposure_cap(), exposures(db, session.witness_id)
    if count + adding <= cap:
        return
    reason = (reason or "").strip()
    if not reason:
        raise ConflictError(f"exposure cap: the witness has been shown {count} faces and this round would show "
                            f"{adding} more, past the cap of {cap} (LIKENESS_EXPOSURE_CAP); draw fewer candidates "
                            "or give exposure_reason")
    round_.exposure_reason = reason
    # The reason is the artist's words, not the witness's: it is kept in full.
    record(db, actor, "exposure.cap_override", case_id=session.case_id, entity_type="round", entity_id=round_.id,
           details={"session_id": str(session.id), "witness_id": str(session.witness_id), "exposures": count,
                    "adding": adding, "cap": cap, "reason": reason,
                    "reason_sha256": sha256_hex(reason.encode("utf-8"))})


def with_safeguards(db: Session, session: SketchSession, out: SessionOut) -> SessionOut:
    """Adds the safeguard fields to a session's answer: exposure, cap, warning, photographic flags,
    the reasons rounds went past the cap, and the approval's statement and confidence."""
    candidates = {c.id: c for r in session.rounds for c in r.candidates}
    reasons = {r.index: r.exposure_reason for r in session.rounds}
    for round_out in out.rounds:
        round_out.exposure_reason = reasons.get(round_out.index)
        for candidate_out in round_out.candidates:
            stored = candidates.get(candidate_out.id)
            candidate_out.photographic = stored.photographic if stored else None
    count, cap = exposures(db, session.witness_id), exposure_cap()
    return out.model_copy(update={"exposures": count, "exposure_cap": cap, "warning": warning(count, cap),
                                  "approval_statement": session.approval_statement,
                                  "approval_confidence": session.approval_confidence})
