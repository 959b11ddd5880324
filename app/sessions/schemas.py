from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from common.spec import MAX_CANDIDATES, Strategy


class RoundParams(BaseModel):
    """Generation settings an artist may set for a session or override for one round."""

    model_config = ConfigDict(extra="forbid")

    model: Strategy | None = None
    prompt: str | None = Field(default=None, min_length=1, max_length=20000)
    negative_prompt: str | None = Field(default=None, max_length=20000)
    steps: int | None = Field(default=None, ge=1, le=150)
    guidance: float | None = Field(default=None, ge=0.0, le=30.0)
    strength: float | None = Field(default=None, gt=0.0, le=1.0)
    width: int | None = Field(default=None, ge=64, le=1024, multiple_of=8)
    height: int | None = Field(default=None, ge=64, le=1024, multiple_of=8)
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1, description="first seed; the rest follow it")


class SessionCreate(RoundParams):
    witness_id: uuid.UUID
    description_id: uuid.UUID
    candidates: int = Field(default=4, ge=1, le=MAX_CANDIDATES)
    rounds: int = Field(default=5, ge=1, le=50, description="refinement rounds after the first")


class RoundCreate(RoundParams):
    candidate_id: uuid.UUID = Field(description="the candidate the witness picked (any round of this session)")
    rating: int | None = Field(default=None, ge=0, le=10, description="likeness, 0 (none) to 10 (exact)")
    feedback: str = Field(default="", max_length=100_000)
    candidates: int | None = Field(default=None, ge=1, le=MAX_CANDIDATES)


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_id: uuid.UUID


class CandidateOut(BaseModel):
    id: uuid.UUID
    index: int
    seed: int
    image_url: str
    image_sha256: str
    shown_count: int


class RoundOut(BaseModel):
    index: int
    status: str
    job_id: uuid.UUID
    step: int
    total_steps: int
    error: str | None
    mode: str
    model: str
    prompt: str
    token_count: int
    parent_candidate_id: uuid.UUID | None
    rating: int | None
    feedback: str | None
    created_at: datetime
    candidates: list[CandidateOut]


class SessionOut(BaseModel):
    id: uuid.UUID
    status: str
    case_id: uuid.UUID
    witness_id: uuid.UUID
    description_id: uuid.UUID
    max_rounds: int
    candidates: int
    final_candidate_id: uuid.UUID | None
    created_at: datetime
    approved_at: datetime | None
    rounds: list[RoundOut]


class SessionSummary(BaseModel):
    id: uuid.UUID
    witness_id: uuid.UUID
    description_id: uuid.UUID
    status: str
    created_at: datetime
    rounds_count: int
