"""The interview as data: what the witness said, every round, what they were shown and picked.

interview.json and report.html are both made from this one structure, so the
machine-readable and the human-readable record cannot tell different stories.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cases.models import Case
from app.exports.readable import approved_lineage, candidate_label, round_settings, word_diff
from app.images.models import Image
from app.sessions.models import Candidate, Round, SketchSession
from app.users.models import User
from app.witnesses.models import Witness


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value.isoformat()


def _sessions(db: Session, case_id: uuid.UUID) -> list[SketchSession]:
    query = select(SketchSession).where(SketchSession.case_id == case_id)
    return list(db.scalars(query.order_by(SketchSession.created_at, SketchSession.id)))


def image_paths(db: Session, case_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """Package path of every image of the case: candidates by session, round and position
    (so a listing reads in interview order), anything else by kind."""
    paths: dict[uuid.UUID, str] = {}
    for number, session in enumerate(_sessions(db, case_id), start=1):
        for round_ in session.rounds:
            for candidate in round_.candidates:
                sha = candidate.image.sha256
                paths.setdefault(candidate.image_id,
                                 f"images/s{number}-r{round_.index:02d}-c{candidate.index}-{sha[:12]}.png")
    for image in db.scalars(select(Image).where(Image.case_id == case_id)):
        paths.setdefault(image.id, f"images/{image.kind}-{image.id.hex[:8]}-{image.sha256[:12]}.png")
    return paths


def collect_interview(db: Session, case: Case, paths: dict[uuid.UUID, str]) -> dict[str, Any]:
    sessions = _sessions(db, case.id)
    witnesses = list(db.scalars(select(Witness).where(Witness.case_id == case.id)
                                .order_by(Witness.created_at, Witness.id)))
    user_ids = {case.owner_id} | {s.created_by for s in sessions}
    user_ids |= {d.created_by for w in witnesses for d in w.descriptions}
    users = {u.id: u.username for u in db.scalars(select(User).where(User.id.in_(user_ids)))}
    return {
        "case": {"id": str(case.id), "reference": case.reference, "title": case.title, "offence": case.offence,
                 "occurred_on": _iso(case.occurred_on), "location": case.location, "notes": case.notes,
                 "status": case.status, "owner": users.get(case.owner_id), "created_at": _iso(case.created_at)},
        "witnesses": [_witness(w, users) for w in witnesses],
        "sessions": [_session(n, s, users, paths) for n, s in enumerate(sessions, start=1)],
    }


def _witness(witness: Witness, users: dict[uuid.UUID, str]) -> dict[str, Any]:
    # The name identifies whose account this is; contact details are not needed to judge the
    # identification and stay out of the package.
    previous = {d.id: d for d in witness.descriptions}
    return {
        "id": str(witness.id), "name": witness.name, "created_at": _iso(witness.created_at),
        "descriptions": [
            {"id": str(d.id), "version": d.version, "supersedes_id": str(d.supersedes_id) if d.supersedes_id else None,
             "text": d.text, "attributes": d.attributes, "created_at": _iso(d.created_at),
             "recorded_by": users.get(d.created_by),
             # What changed from the version it supersedes, word by word.
             "diff": word_diff(previous[d.supersedes_id].text, d.text) if d.supersedes_id in previous else None}
            for d in witness.descriptions
        ],
    }


def _session(number: int, session: SketchSession, users: dict[uuid.UUID, str],
             paths: dict[uuid.UUID, str]) -> dict[str, Any]:
    picks: dict[uuid.UUID, list[int]] = {}
    for r in session.rounds:
        if r.parent_candidate_id:
            picks.setdefault(r.parent_candidate_id, []).append(r.index)
    where = {c.id: (r.index, c.index) for r in session.rounds for c in r.candidates}
    return {
        "number": number, "id": str(session.id), "witness_id": str(session.witness_id),
        "description_id": str(session.description_id), "status": session.status, "params": session.params,
        "max_rounds": session.max_rounds, "started_by": users.get(session.created_by),
        "created_at": _iso(session.created_at), "approved_at": _iso(session.approved_at),
        "final_candidate_id": str(session.final_candidate_id) if session.final_candidate_id else None,
        "approval": None if session.final_candidate_id is None else {
            "statement": session.approval_statement, "confidence": session.approval_confidence},
        # The rounds that led to the approved composite, first to last; abandoned branches are not in it.
        "approved_lineage": approved_lineage(session),
        "rounds": [_round(r, picks, where, paths, session.final_candidate_id) for r in session.rounds],
    }


def _round(round_: Round, picks: dict[uuid.UUID, list[int]], where: dict[uuid.UUID, tuple[int, int]],
           paths: dict[uuid.UUID, str], final_id: uuid.UUID | None) -> dict[str, Any]:
    parent = where.get(round_.parent_candidate_id) if round_.parent_candidate_id else None
    return {
        "index": round_.index, "id": str(round_.id), "status": round_.job.status, "error": round_.job.error,
        "mode": round_.mode, "model": round_.model, "prompt": round_.prompt,
        "negative_prompt": round_.negative_prompt, "token_count": round_.token_count,
        "spec": round_.job.spec, "settings": round_settings(round_.job.spec), "created_at": _iso(round_.created_at),
        "exposure_reason": round_.exposure_reason,
        # What the witness picked, and said about it, to ask for this round.
        "from_pick": None if round_.parent_candidate_id is None else {
            "candidate_id": str(round_.parent_candidate_id), "round": parent[0] if parent else None,
            "candidate_index": parent[1] if parent else None,
            "candidate_label": candidate_label(parent[0], parent[1]) if parent else None,
            "rating": round_.rating, "feedback": round_.feedback},
        "candidates": [_candidate(round_.index, c, picks, paths, final_id) for c in round_.candidates],
    }


def _candidate(round_index: int, candidate: Candidate, picks: dict[uuid.UUID, list[int]],
               paths: dict[uuid.UUID, str], final_id: uuid.UUID | None) -> dict[str, Any]:
    return {
        "id": str(candidate.id), "index": candidate.index, "label": candidate_label(round_index, candidate.index),
        "seed": candidate.seed, "face_found": candidate.face_found, "photographic": candidate.photographic,
        "image_id": str(candidate.image_id), "image_sha256": candidate.image.sha256,
        "image": paths.get(candidate.image_id), "shown_count": candidate.shown_count,
        "random_weights": bool((candidate.image.recipe.get("model") or {}).get("random_weights")),
        # The same face may be picked again later: each round it led to is listed.
        "picked_for_rounds": picks.get(candidate.id, []),
        "approved": candidate.id == final_id,
    }
