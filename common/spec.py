"""The generation spec: what the API asks a worker to draw, and nothing else.

The API writes a spec into the job row; the worker reads it back and hands it to
the engine. Images travel by SHA-256 (the blob store), never inline.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from common.clauses import Kind
from common.evolution import MAX_ARRAY, SCALES, EvolveSpec
from common.styles import DEFAULT_STYLE, STYLES

MAX_CANDIDATES = 8  # one round's batch; an evolved array (strategy evolve) may hold up to MAX_ARRAY
REGIONS = ("eyes", "eyebrows", "nose", "mouth", "jaw", "hair", "ears")


class Mode(StrEnum):
    """How the latents start: from noise, or from a parent image."""

    TXT2IMG = "txt2img"
    IMG2IMG = "img2img"


class Strategy(StrEnum):
    """The paper's three models (seed 000): how a round is conditioned."""

    IMG2IMG = "img2img"
    CLIP_FUSION = "clip-fusion"
    CLIP_LORA = "clip-lora"
    EVOLVE = "evolve"  # arrays bred from the witness's picks (common/evolution.py)


class AdapterRef(BaseModel):
    """An adapter from the model registry, as the worker finds it: by blob hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    sha256: str
    weight: float = Field(default=1.0, ge=-2.0, le=2.0)
    config: dict[str, Any] = Field(default_factory=dict)


class StyleBlend(BaseModel):
    """A continuous blend from the spec's style toward another (0 = none, 1 = all)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    style: str
    weight: float = Field(ge=0.0, le=1.0)

    @field_validator("style")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in STYLES:
            raise ValueError(f"must be one of {', '.join(STYLES)}")
        return value


class PromptClause(BaseModel):
    """A clause of the working description the prompt was built from, and its kind (for the recipe)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(max_length=2000)
    kind: Kind


class GenerationSpec(BaseModel):
    """Everything the engine needs to draw one round of candidates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Mode
    strategy: Strategy = Strategy.IMG2IMG
    prompt: str
    negative_prompt: str = ""
    seeds: list[int] = Field(min_length=1, max_length=MAX_ARRAY)
    steps: int = Field(default=30, ge=1, le=150)
    guidance: float = Field(default=7.5, ge=0.0, le=30.0)
    strength: float = Field(default=0.3, gt=0.0, le=1.0)
    width: int = Field(default=512, ge=64, le=1024, multiple_of=8)
    height: int = Field(default=512, ge=64, le=1024, multiple_of=8)
    parent_sha256: str | None = None
    # Models 2 and 3: CLIP fusion of the reference image's embedding (0 = Model 1 exactly).
    fusion_weight: float = Field(default=0.0, ge=0.0, le=1.0)
    reference_sha256: str | None = Field(default=None, description="uploaded sketch/photo; else the parent")
    sketchify_reference: bool = Field(default=False, description="turn a photo into a pencil sketch first")
    clip_adapter: AdapterRef | None = None
    # UNet LoRA adapters (styles, department-trained), and how their weight runs over the steps.
    adapters: list[AdapterRef] = Field(default_factory=list, max_length=8)
    adapter_schedule: Literal["constant", "ramp"] = "constant"
    style: str = DEFAULT_STYLE
    style_blend: StyleBlend | None = None
    # Feature-targeted refinement: only pixels under the mask may change.
    region: str | None = None
    mask_sha256: str | None = None
    preview: bool = True
    # Holistic scales (-1..1), any strategy: directions in the text conditioning (worker/engine/scales.py).
    sliders: dict[str, float] | None = None
    evolve: EvolveSpec | None = None  # strategy evolve: the array's genomes, one child per seed

    @field_validator("sliders")
    @classmethod
    def _known_sliders(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        for name, amount in (value or {}).items():
            if name not in SCALES:
                raise ValueError(f"unknown scale {name!r}; choose from {', '.join(SCALES)}")
            if not -1.0 <= amount <= 1.0:
                raise ValueError(f"{name}: a scale runs from -1 to 1")
        return value

    @model_validator(mode="after")
    def _array_size(self) -> GenerationSpec:
        if self.strategy is not Strategy.EVOLVE and len(self.seeds) > MAX_CANDIDATES:
            raise ValueError(f"seeds: at most {MAX_CANDIDATES} candidates a round ({MAX_ARRAY} in an evolved array)")
        if self.evolve is not None and len(self.evolve.children) != len(self.seeds):
            raise ValueError("evolve: one child per seed")
        return self
    # Recorded for the recipe only (the engine draws `prompt`): the clauses and their kinds.
    clauses: list[PromptClause] = Field(default_factory=list, max_length=200)
    # Opt-in DeepCache-style step skipper: the UNet's deep features are reused for N - 1 steps.
    cache_interval: int = Field(default=1, ge=1, le=10, description="1 = every step runs the whole UNet")

    @field_validator("style")
    @classmethod
    def _known_style(cls, value: str) -> str:
        if value not in STYLES:
            raise ValueError(f"must be one of {', '.join(STYLES)}")
        return value

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str | None) -> str | None:
        if value is not None and value not in REGIONS:
            raise ValueError(f"must be one of {', '.join(REGIONS)}")
        return value


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class ProgressEvent(BaseModel):
    """One state of a job, as the SSE stream and GET /api/jobs/{id} report it."""

    job_id: str
    status: JobStatus
    step: int
    total_steps: int
    error: str | None = None
    result: dict[str, Any] | None = None
    preview_url: str | None = Field(default=None, description="the newest step's preview while running")
