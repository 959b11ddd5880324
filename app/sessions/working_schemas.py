"""Request and answer shapes of the working description and the feedback suggester."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from common.clauses import Kind
from common.suggest import Suggestion


class ClauseOut(BaseModel):
    text: str
    kind: Kind


class SuggestionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feedback: str = Field(max_length=100_000, description="the witness's words, as they will be sent with the round")


class SuggestionsOut(BaseModel):
    suggestions: list[Suggestion]
    clauses: list[ClauseOut] = Field(description="the feedback's clauses and their kinds")
