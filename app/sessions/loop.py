"""The witness loop's working description, on a session and on each round.

The first round's working description comes from the description. Each next round
starts from the session's (or the artist's edited one, sent as `working`), applies the
suggestions the artist accepted (by default, when the body names none and sends no
working description, all of them but picks), and is drawn afresh. The round keeps the
verbatim feedback (elsewhere), the suggestions, the accepted edits and the diff; the
audit keeps hashes, field names and counts, never words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, object_session

from app.audit.service import record
from app.errors import InvalidError
from app.jobs.models import Job
from app.sessions.models import Round, SketchSession
from app.sessions.schemas import RoundCreate
from app.sessions.working_schemas import ClauseOut, SuggestionsOut
from app.users.actor import Actor
from app.witnesses.models import Description
from common.clauses import split_clauses
from common.prompt import Built, build
from common.recipe import sha256_hex
from common.suggest import Suggestion, apply, suggest
from common.working import Working, diff, diff_summary


@dataclass(frozen=True)
class Step:
    """One round's working description and how it came to be."""

    working: Working
    built: Built
    suggestions: list[Suggestion]
    accepted: list[Suggestion]
    diff: dict[str, Any] | None
    defaulted: bool = False


def from_description(description: Description) -> Working:
    return Working.from_description(description.text, description.attributes)


def working_of(db: Session, session: SketchSession) -> Working:
    """The session's working description (sessions from before it existed: their description's)."""
    if session.working:
        return Working.model_validate(session.working)
    description = db.get(Description, session.description_id)
    assert description is not None
    return from_description(description)


def first_step(description: Description) -> Step:
    working = from_description(description)
    return Step(working=working, built=build(working), suggestions=[], accepted=[], diff=None)


def _accepted(items: list[str | Suggestion] | None, suggestions: list[Suggestion]) -> list[Suggestion]:
    by_id = {s.id: s for s in suggestions}
    accepted: list[Suggestion] = []
    for item in items or []:
        if isinstance(item, Suggestion):
            accepted.append(item.named())
        elif item in by_id:
            accepted.append(by_id[item])
        else:
            raise InvalidError(f"accepted_suggestions: no suggestion {item!r} for this feedback; ask "
                               "POST /api/sessions/{id}/suggestions again with the same feedback")
    return accepted


def next_step(db: Session, session: SketchSession, data: RoundCreate, index: int) -> Step:
    current = working_of(db, session)
    suggestions = suggest(data.feedback, current, index)
    defaulted = data.accepted_suggestions is None and data.working is None
    accepted = [s for s in suggestions if s.kind != "pick"] if defaulted else \
        _accepted(data.accepted_suggestions, suggestions)
    base = data.working if data.working is not None else current
    working = apply(base, accepted, index)
    return Step(working=working, built=build(working), suggestions=suggestions, accepted=accepted,
                diff=diff(current, working), defaulted=defaulted)


def keep(db: Session, actor: Actor, session: SketchSession, round_: Round, step: Step) -> None:
    """Stores the step on the session and the round, the clauses in the job's spec (for the
    recipe; after the round's audit entry, which must not carry words), and audits the change."""
    session.working = round_.working = step.working.stored()
    round_.suggestions = [s.model_dump(mode="json") for s in step.suggestions]
    round_.accepted_edits = [s.model_dump(mode="json") for s in step.accepted]
    round_.working_diff = step.diff
    job = db.get(Job, round_.job_id)
    if job is not None:
        job.spec = {**job.spec, "clauses": step.built.clauses}
    details: dict[str, Any] = {"session_id": str(session.id), "index": round_.index,
                               "working_sha256": step.working.sha256(), "suggested": len(step.suggestions),
                               "accepted": len(step.accepted), "accepted_by_default": step.defaulted,
                               "accepted_kinds": sorted({s.kind for s in step.accepted})}
    if step.diff is not None:
        details.update(diff_summary(step.diff))
    record(db, actor, "working.update", case_id=session.case_id, entity_type="round", entity_id=round_.id,
           details=details)


def suggestions_for(db: Session, actor: Actor, session: SketchSession, feedback: str) -> SuggestionsOut:
    index = max((r.index for r in session.rounds), default=0) + 1
    suggestions = suggest(feedback, working_of(db, session), index)
    record(db, actor, "working.suggest", case_id=session.case_id, entity_type="session", entity_id=session.id,
           details={"feedback_sha256": sha256_hex(feedback.encode("utf-8")), "suggested": len(suggestions)})
    db.commit()
    return SuggestionsOut(suggestions=suggestions,
                          clauses=[ClauseOut(text=p.text, kind=p.kind) for p in split_clauses(feedback)])


def working_out(session: SketchSession) -> Working | None:
    db = object_session(session)
    return working_of(db, session) if db is not None else None


def round_fields(round_: Round) -> dict[str, Any]:
    return {"working": round_.working, "suggestions": round_.suggestions or [],
            "accepted_edits": round_.accepted_edits or [], "working_diff": round_.working_diff}
