from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.evolution import MAX_ARRAY, MAX_PICKS, SCALES
from common.spec import MAX_CANDIDATES, REGIONS, STYLES, JobStatus, Mode, Strategy, StyleBlend
from common.suggest import Suggestion
from common.working import Working

Style = Literal[STYLES]  # type: ignore[valid-type]  # a tuple constant: pydantic expands it, mypy wants literals
Region = Literal[REGIONS]  # type: ignore[valid-type]  # a tuple constant: pydantic expands it, mypy wants literals
Scale = Literal[SCALES]  # type: ignore[valid-type]  # a tuple constant: pydantic expands it, mypy wants literals
SliderValue = Annotated[float, Field(ge=-1.0, le=1.0)]
SessionStatus = Literal["active", "approved"]


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
    style_blend: Annotated[float, Field(ge=0.0, le=1.0)] | StyleBlend | None = Field(
        default=None, description="0-1 from pencil toward `style`, or {style, weight} toward another style")
    sliders: dict[Scale, SliderValue] | None = Field(
        default=None, description="holistic scales, -1..1 each: age, weight, masculinity, distinctiveness")
    phase: Literal["internal", "external"] | None = Field(
        default=None, description="model evolve: evolve the internal features first (external held), then these")
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
    candidates: int = Field(default=4, ge=1, le=MAX_ARRAY, description=f"up to {MAX_CANDIDATES}; "
                            f"model evolve: an array of up to {MAX_ARRAY} (default 9)")
    rounds: int = Field(default=5, ge=1, le=50, description="refinement rounds after the first")
    exposure_reason: str | None = Field(default=None, max_length=2000,
                                        description="why this round may take the witness past the exposure cap")

    @model_validator(mode="after")
    def _array_only_for_evolve(self) -> SessionCreate:
        if self.model is not Strategy.EVOLVE and self.candidates > MAX_CANDIDATES:
            raise ValueError(f"candidates: up to {MAX_CANDIDATES} a round; only model evolve draws up to {MAX_ARRAY}")
        return self


class Pick(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_id: uuid.UUID
    rating: int | None = Field(default=None, ge=0, le=10, description="likeness, 0 (none) to 10 (exact)")


class BlendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    a: uuid.UUID
    b: uuid.UUID
    weight: float = Field(default=0.5, ge=0.0, le=1.0, description="0 = a, 1 = b")


class RoundCreate(RoundParams):
    candidate_id: uuid.UUID | None = Field(
        default=None, description="the candidate the witness picked (any round of this session); "
                                  "model evolve takes `picks` instead")
    rating: int | None = Field(default=None, ge=0, le=10, description="likeness, 0 (none) to 10 (exact)")
    feedback: str = Field(default="", max_length=100_000)
    candidates: int | None = Field(default=None, ge=1, le=MAX_ARRAY)
    exposure_reason: str | None = Field(default=None, max_length=2000,
                                        description="why this round may take the witness past the exposure cap")
    # Model evolve only (app/sessions/evolution.py).
    picks: list[Pick] | None = Field(default=None, max_length=MAX_PICKS,
                                     description="the faces picked from the array, each with a rating")
    reject_all: bool = Field(default=False, description="none of these: redraw around the last centre, wider")
    blend: BlendIn | None = Field(default=None, description="the morph of two faces at a weight")
    scale_array: Scale | None = Field(default=None, description="7 variants of one picked face from -1 to +1")
    # The working description (docs/working-description.md): left out, the suggestions are all taken.
    working: Working | None = Field(default=None, description="the artist's edited working description")
    accepted_suggestions: list[str | Suggestion] | None = Field(
        default=None, max_length=100, description="ids from POST /suggestions for this feedback, or edit objects")


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_id: uuid.UUID
    statement: str = Field(min_length=1, max_length=100_000,
                           description="the witness's words about the likeness, verbatim")
    confidence: int = Field(ge=0, le=10, description="the witness's confidence in the likeness, 0 (none) to 10")


class CandidateOut(BaseModel):
    id: uuid.UUID
    index: int
    seed: int
    image_url: str
    image_sha256: str
    shown_count: int
    face_found: bool | None = None
    identity_similarity: float | None = None
    photographic: bool | None = Field(default=None, description="looks like a photograph (common/photo.py)")
    generation: int | None = Field(default=None, description="model evolve: the array's generation")
    parents: list[dict[str, Any]] = Field(default_factory=list,
                                          description="model evolve: [{candidate_id, image_sha256, weight}]")


class RoundOut(BaseModel):
    index: int
    status: JobStatus
    job_id: uuid.UUID
    step: int
    total_steps: int
    error: str | None
    mode: Mode
    model: Strategy
    prompt: str
    token_count: int
    settings: dict[str, Any]
    parent_candidate_id: uuid.UUID | None
    rating: int | None
    feedback: str | None
    created_at: datetime
    candidates: list[CandidateOut]
    exposure_reason: str | None = None
    # What the round refined: a named region or a painted mask (its image's hash), from the round's spec.
    region: Region | None = None
    mask_sha256: str | None = None
    evolve_choice: dict[str, Any] | None = Field(
        default=None, description="model evolve: {picks: [{candidate_id, rating}], reject_all, blend, scale_array}")
    working: Working | None = None
    suggestions: list[Suggestion] = []
    accepted_edits: list[Suggestion] = []
    working_diff: dict[str, Any] | None = None


class SessionOut(BaseModel):
    id: uuid.UUID
    status: SessionStatus
    case_id: uuid.UUID
    witness_id: uuid.UUID
    description_id: uuid.UUID
    max_rounds: int
    candidates: int
    final_candidate_id: uuid.UUID | None
    created_at: datetime
    approved_at: datetime | None
    rounds: list[RoundOut]
    approval_statement: str | None = None
    approval_confidence: int | None = None
    exposures: int = Field(default=0, description="distinct candidate faces this witness has been shown")
    exposure_cap: int = Field(default=0, description="LIKENESS_EXPOSURE_CAP")
    warning: str | None = Field(default=None, description="set from 75% of the exposure cap")
    working: Working | None = None


class SessionSummary(BaseModel):
    id: uuid.UUID
    witness_id: uuid.UUID
    description_id: uuid.UUID
    status: SessionStatus
    created_at: datetime
    rounds_count: int
