from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from app.sessions.working_schemas import ClauseOut
from app.validation import no_nulls
from common.attributes import Attributes
from common.working import Working


class WitnessCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    contact: str = Field(default="", max_length=500)


class WitnessUpdate(BaseModel):
    """A corrected name or new contact details; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    contact: str | None = Field(default=None, max_length=500)

    check_nulls: ClassVar[Any] = no_nulls("name", "contact")


class DescriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1_000_000, description="the witness's words, verbatim")
    attributes: Attributes = Field(default_factory=Attributes)


class DescriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    witness_id: uuid.UUID
    version: int
    supersedes_id: uuid.UUID | None
    text: str
    attributes: dict[str, Any]
    created_at: datetime
    prompt: str = ""
    token_count: int = 0


class WitnessOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    name: str
    contact: str
    created_at: datetime
    descriptions: list[DescriptionOut] = []
    exposures: int = Field(default=0, description="distinct candidate faces shown to this witness so far")
    exposure_cap: int = Field(default=0, description="LIKENESS_EXPOSURE_CAP: faces one witness may be shown")
    warning: str | None = Field(default=None, description="set from 75% of the exposure cap")


class PromptPreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=1_000_000)
    attributes: Attributes = Field(default_factory=Attributes)
    working: Working | None = Field(default=None, description="a working description; then text and attributes "
                                    "are ignored")


class PromptPreviewOut(BaseModel):
    prompt: str
    negative_prompt: str
    token_count: int
    window: int
    clauses: list[ClauseOut] = []
