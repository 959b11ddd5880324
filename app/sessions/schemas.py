from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from common.spec import MAX_CANDIDATES, REGIONS, STYLES, Strategy, StyleBlend

Style = Literal[STYLES]  # type: ignore[valid-type]
Region = Literal[REGIONS]  # type: ignore[valid-type]


class AdapterChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    weight: float = Field(default=1.0, ge=-2.0, le=2.0)


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
    # Sticky: once set they hold for the following rounds too.
    fusion_weight: float | None = Field(default=None, ge=0.0, le=1.0, description="Models 2-3: CLIP image weight")
    clip_adapter_id: uuid.UUID | None = Field(default=None, description="Model 3: a clip-lora adapter")
    adapters: list[AdapterChoice] | None = Field(default=None, max_length=8, description="UNet LoRA adapters")
    adapter_schedule: Literal["constant", "ramp"] | None = None
    style: Style | None = None
    style_blend: float | StyleBlend | None = Field(
        default=None, description="0-1 from pencil toward `style`, or {style, weight} toward another style")
    cache_interval: int | None = Field(default=None, ge=1, le=10,
                                       description="step skipper: the whole UNet every N steps (1 = off)")
    # One round only.
    region: Region | None = Field(default=None, description="refine only this facial region")
    mask_upload_id: uuid.UUID | None = Field(default=None, description="refine only under this painted mask")
    reference_upload_id: uuid.UUID | None = Field(default=None, description="an uploaded sketch or photo")
    sketchify_reference: bool = Field(default=False, description="turn a reference photo into a pencil sketch")


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
    face_found: bool | None = None
    identity_similarity: float | None = None


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
    settings: dict[str, Any]
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
