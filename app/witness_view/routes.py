"""The witness's routes: large candidates, pick, rate, say what to change.

They answer only to a witness cookie (from a link) and show one session, with no
case data, prompts or other witnesses' composites. The artist's own routes refuse
the witness cookie, and these refuse the artist's credentials.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.cases.models import Case
from app.errors import ForbiddenError, NotFoundError, UnauthorizedError
from app.images.service import blob_store
from app.jobs import limits
from app.security.ratelimit import WITNESS, limiter
from app.sessions import exposure
from app.sessions import service as sessions
from app.sessions.models import Candidate, Round, SketchSession
from app.sessions.schemas import Pick, Region, RoundCreate, Scale, SessionStatus, SliderValue
from app.users.deps import CSRF_HEADER, SAFE_METHODS, CurrentActor, Db, client_address
from app.witness_view import service
from app.witness_view.models import WitnessLink
from common.evolution import MAX_PICKS
from common.spec import JobStatus, Strategy

router = APIRouter(prefix="/api", tags=["witness"])
WITNESS_COOKIE = "likeness_witness"


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minutes: int = Field(default=60, ge=5, le=24 * 60, description="how long the link may be opened")


class LinkOut(BaseModel):
    id: uuid.UUID
    url: str
    expires_at: datetime


class ExchangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=20, max_length=200)


class WitnessCandidate(BaseModel):
    id: uuid.UUID
    index: int
    image_url: str


class WitnessRound(BaseModel):
    index: int
    status: JobStatus
    model: Strategy = Field(description="evolve: the screen shows an array to pick several faces from")
    step: int
    total_steps: int
    candidates: list[WitnessCandidate]


class WitnessView(BaseModel):
    session_id: uuid.UUID
    status: SessionStatus
    expires_at: datetime
    csrf_token: str
    rounds: list[WitnessRound]
    ended: bool = Field(default=False, description="the session is approved or closed: no faces are shown any more")


class WitnessPick(BaseModel):
    """One face (`candidate_id`), or in an evolve session several (`picks`) or none of them (`reject_all`)."""

    model_config = ConfigDict(extra="forbid")

    candidate_id: uuid.UUID | None = None
    rating: int | None = Field(default=None, ge=0, le=10)
    feedback: str = Field(default="", max_length=100_000)
    region: Region | None = Field(default=None, description="the part of the face most wrong")
    # Model evolve only, as in the artist's round body (docs/evolve.md).
    picks: list[Pick] | None = Field(default=None, max_length=MAX_PICKS, description="several faces, each rated")
    reject_all: bool = Field(default=False, description="none of these")
    sliders: dict[Scale, SliderValue] | None = Field(default=None, description="age, weight, masculinity, "
                                                                                "distinctiveness: -1..1 each")

    @model_validator(mode="after")
    def _one_choice(self) -> WitnessPick:
        if sum((self.candidate_id is not None, self.picks is not None, self.reject_all)) != 1:
            raise ValueError("send exactly one of candidate_id, picks or reject_all")
        return self


class LinkSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    created_at: datetime
    expires_at: datetime
    exchanged_at: datetime | None
    revoked_at: datetime | None


class ShownIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_id: uuid.UUID


def witness_link(request: Request, db: Db) -> WitnessLink:
    cookie = request.cookies.get(WITNESS_COOKIE)
    if not cookie:
        raise UnauthorizedError("open the witness link the officer gave you")
    link = service.resolve_cookie(db, cookie)
    limiter.check(WITNESS, str(link.id))
    if request.method not in SAFE_METHODS and not secrets.compare_digest(
            request.headers.get(CSRF_HEADER, ""), link.csrf_token):
        raise ForbiddenError(f"missing or wrong {CSRF_HEADER} header")
    request.state.actor = service.witness_actor(link, client_address(request))
    return link


Link = Annotated[WitnessLink, Depends(witness_link)]


def _session(db: Db, link: WitnessLink) -> SketchSession:
    session = db.get(SketchSession, link.session_id)
    if session is None:
        raise NotFoundError("session not found")
    return session


def _ended(db: Db, session: SketchSession) -> bool:
    """Approved, or its case closed: the witness's view shows no more faces."""
    case = db.get(Case, session.case_id)
    return session.status != "active" or case is None or case.status == "closed"


def _open_session(db: Db, link: WitnessLink) -> SketchSession:
    """The link's session for a route that shows or changes faces; refused once the session has ended."""
    session = _session(db, link)
    if _ended(db, session):
        raise UnauthorizedError("this sketch session has ended; thank you, there is nothing more to look at")
    return session


def _view(session: SketchSession, link: WitnessLink, ended: bool = False) -> WitnessView:
    if ended:
        return WitnessView(session_id=session.id, status=session.status, expires_at=link.expires_at,
                           csrf_token=link.csrf_token, rounds=[], ended=True)
    rounds = [WitnessRound(index=r.index, status=r.job.status, model=r.model, step=r.job.step,
                           total_steps=r.job.total_steps,
                           candidates=[WitnessCandidate(id=c.id, index=c.index,
                                                        image_url=f"/api/witness/images/{c.id}")
                                       for c in r.candidates])
              for r in session.rounds]
    return WitnessView(session_id=session.id, status=session.status, expires_at=link.expires_at,
                       csrf_token=link.csrf_token, rounds=rounds)


@router.post("/sessions/{session_id}/witness-link", response_model=LinkOut, status_code=201)
def create_link(session_id: uuid.UUID, request: Request, db: Db, actor: CurrentActor,
                body: LinkIn | None = None) -> LinkOut:
    token, link = service.create_link(db, actor, session_id, (body or LinkIn()).minutes)
    # The token rides in the fragment: browsers never send it to a server or a Referer.
    url = f"{str(request.base_url).rstrip('/')}/w#{token}"
    return LinkOut(id=link.id, url=url, expires_at=link.expires_at)


@router.get("/sessions/{session_id}/witness-links", response_model=list[LinkSummary])
def list_links(session_id: uuid.UUID, db: Db, actor: CurrentActor) -> list[WitnessLink]:
    return service.list_links(db, actor, session_id)


@router.delete("/sessions/{session_id}/witness-link/{link_id}", status_code=204)
def revoke_link(session_id: uuid.UUID, link_id: uuid.UUID, db: Db, actor: CurrentActor) -> None:
    service.revoke_link(db, actor, session_id, link_id)


@router.post("/witness/exchange", response_model=WitnessView)
def exchange(body: ExchangeIn, request: Request, response: Response, db: Db) -> WitnessView:
    limiter.check(WITNESS, client_address(request) or "unknown")
    cookie, link = service.exchange(db, body.token, client_address(request))
    response.set_cookie(WITNESS_COOKIE, cookie, httponly=True, samesite="strict", path="/api/witness",
                        secure=request.url.scheme == "https", expires=link.expires_at)
    session = _session(db, link)
    return _view(session, link, _ended(db, session))


@router.get("/witness/session", response_model=WitnessView)
def view(db: Db, link: Link) -> WitnessView:
    session = _session(db, link)
    return _view(session, link, _ended(db, session))


def _candidate(db: Db, session: SketchSession, candidate_id: uuid.UUID) -> Candidate:
    candidate = db.get(Candidate, candidate_id)
    round_ = db.get(Round, candidate.round_id) if candidate else None
    if candidate is None or round_ is None or round_.session_id != session.id:
        raise NotFoundError(f"candidate {candidate_id} not found")
    return candidate


@router.get("/witness/images/{candidate_id}", response_class=Response)
def image(candidate_id: uuid.UUID, request: Request, db: Db, link: Link) -> Response:
    session = _open_session(db, link)
    candidate = _candidate(db, session, candidate_id)
    # Recorded by the server as the bytes go out: exposure no longer depends on the client calling /shown.
    exposure.record_shown(db, request.state.actor, session, candidate, "witness-link")
    return Response(blob_store().get(candidate.image.sha256), media_type="image/png",
                    headers={"Cache-Control": "private, no-store"})


@router.post("/witness/shown", status_code=204)
def shown(body: ShownIn, request: Request, db: Db, link: Link) -> None:
    sessions.mark_shown(db, request.state.actor, _open_session(db, link), body.candidate_id)


@router.post("/witness/rounds", response_model=WitnessView, status_code=201)
def pick(body: WitnessPick, request: Request, db: Db, link: Link) -> WitnessView:
    session = _open_session(db, link)
    for candidate_id in [body.candidate_id] if body.candidate_id else [p.candidate_id for p in body.picks or []]:
        _candidate(db, session, candidate_id)
    # The evolve-only fields are checked against the session's model by add_round (a 422 for another model).
    data = RoundCreate(candidate_id=body.candidate_id, rating=body.rating, feedback=body.feedback, region=body.region,
                       picks=body.picks, reject_all=body.reject_all, sliders=body.sliders)
    limits.admit(db, request.state.actor)  # the queue's depth; the session's settings were admitted already
    sessions.add_round(db, request.state.actor, session, data)
    return _view(_session(db, link), link)
