"""Moved to common/prompt.py (the API, the worker and evaluation share it); kept for old imports."""

from common.prompt import (
    FRAMING,
    NEGATIVE_PROMPT,
    PROMPT_WINDOW,
    attribute_phrases,
    build,
    build_prompt,
    count_tokens,
    refine_prompt,
)

__all__ = ["FRAMING", "NEGATIVE_PROMPT", "PROMPT_WINDOW", "attribute_phrases", "build", "build_prompt",
           "count_tokens", "refine_prompt"]
