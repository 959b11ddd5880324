"""The generation spec: what the API asks a worker to draw, and nothing else.

The API writes a spec into the job row; the worker reads it back and hands it to
the engine. Images travel by SHA-256 (the blob store), never inline.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

MAX_CANDIDATES = 8


class Mode(StrEnum):
    """How the latents start: from noise, or from a parent image."""

    TXT2IMG = "txt2img"
    IMG2IMG = "img2img"


class Strategy(StrEnum):
    """The paper's three models (seed 000): how a round is conditioned."""

    IMG2IMG = "img2img"
    CLIP_FUSION = "clip-fusion"
    CLIP_LORA = "clip-lora"


class GenerationSpec(BaseModel):
    """Everything the engine needs to draw one round of candidates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Mode
    strategy: Strategy = Strategy.IMG2IMG
    prompt: str
    negative_prompt: str = ""
    seeds: list[int] = Field(min_length=1, max_length=MAX_CANDIDATES)
    steps: int = Field(default=30, ge=1, le=150)
    guidance: float = Field(default=7.5, ge=0.0, le=30.0)
    strength: float = Field(default=0.3, gt=0.0, le=1.0)
    width: int = Field(default=512, ge=64, le=1024, multiple_of=8)
    height: int = Field(default=512, ge=64, le=1024, multiple_of=8)
    parent_sha256: str | None = None


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
