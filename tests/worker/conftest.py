"""Shared fixtures for worker tests: the tiny random-weight model, built once per session.

Imports of torch and the engine stay inside the fixtures, so worker tests that do
not ask for them do not pay for loading torch.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from common.models import TINY_NAME, ModelChoice

if TYPE_CHECKING:
    from worker.engine import Engine


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from worker.engine import ensure_tiny_model

    path = tmp_path_factory.mktemp("models") / TINY_NAME
    ensure_tiny_model(path)
    return path


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir: Path) -> ModelChoice:
    return ModelChoice(TINY_NAME, tiny_model_dir, random_weights=True)


@pytest.fixture(scope="session")
def engine(tiny_model: ModelChoice) -> Engine:
    from worker.engine import Engine

    return Engine(tiny_model, device="cpu")
