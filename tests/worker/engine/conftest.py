"""Small, fast generation specs for the engine tests (64x64, a few steps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from common.spec import GenerationSpec, Mode

SpecFactory = Callable[..., GenerationSpec]


@pytest.fixture
def make_spec() -> SpecFactory:
    def make(**overrides: Any) -> GenerationSpec:
        values: dict[str, Any] = {
            "mode": Mode.TXT2IMG,
            "prompt": "pencil sketch of a middle aged man, short grey hair, thick eyebrows",
            "negative_prompt": "photo, color",
            "seeds": [11, 22, 33, 44],
            "steps": 4,
            "guidance": 7.5,
            "width": 64,
            "height": 64,
        }
        values.update(overrides)
        return GenerationSpec(**values)

    return make
