from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UtcDateTime, new_id, utcnow
from app.images.models import Image
from app.jobs.models import Job


class SketchSession(Base):
    """One witness working toward one composite, from one description version."""

    __tablename__ = "sketch_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    witness_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("witnesses.id"), index=True)
    description_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("descriptions.id"))
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | approved
    max_rounds: Mapped[int] = mapped_column(Integer, default=5)  # refinement rounds after the first
    candidates: Mapped[int] = mapped_column(Integer, default=4)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # defaults for every round
    # Plain column, checked by the service: candidates → rounds → sessions would loop.
    final_candidate_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The witness's words about the approved likeness, verbatim, and their confidence (0-10).
    approval_statement: Mapped[str | None] = mapped_column(Text)
    approval_confidence: Mapped[int | None] = mapped_column(Integer)
    # The working description (common.working): what every round's prompt is built from.
    working: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    rounds: Mapped[list[Round]] = relationship(order_by="Round.index", lazy="selectin")


class Round(Base):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("session_id", "index"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sketch_sessions.id"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id"), unique=True)
    mode: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(40))
    prompt: Mapped[str] = mapped_column(Text)
    negative_prompt: Mapped[str] = mapped_column(Text)
    token_count: Mapped[int] = mapped_column(Integer)
    # The witness's pick that led here, and what they said about it.
    parent_candidate_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    rating: Mapped[int | None] = mapped_column(Integer)
    feedback: Mapped[str | None] = mapped_column(Text)
    # The artist's reason for drawing past the witness's exposure cap (app/sessions/exposure.py).
    exposure_reason: Mapped[str | None] = mapped_column(Text)
    # Model evolve: the picks and their ratings, or reject_all, blend, scale_array (app/sessions/evolution.py).
    evolve_choice: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The artist's interpretation of it: the working description drawn, the suggested and
    # accepted edits, and the diff from the previous working description.
    working: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    suggestions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    accepted_edits: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    working_diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    job: Mapped[Job] = relationship(lazy="joined")
    candidates: Mapped[list[Candidate]] = relationship(order_by="Candidate.index", lazy="selectin")


class Candidate(Base):
    __tablename__ = "candidates"
    # However often a job is delivered, it stores each candidate once.
    __table_args__ = (UniqueConstraint("job_id", "index"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"), index=True)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id"))
    index: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    image_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("images.id"))
    shown_count: Mapped[int] = mapped_column(Integer, default=0)
    # Face checks (dlib): is there a face, and how close is it to the picked parent (drift).
    face_found: Mapped[bool | None] = mapped_column(Boolean)
    identity_similarity: Mapped[float | None] = mapped_column(Float)
    # Looks like a photograph rather than a drawing (common/photo.py), checked beside the face.
    photographic: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    image: Mapped[Image] = relationship(lazy="joined")


class SubmitKey(Base):
    """An `Idempotency-Key` a client sent with a submit: resending it returns the
    round it created instead of queueing another."""

    __tablename__ = "submit_keys"

    actor: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sketch_sessions.id"))
    round_index: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
