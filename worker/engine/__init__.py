"""The generation engine: diffusers pipelines behind a typed request (common.spec).

Pure by design: no web framework, database, task queue or `app` import here, so
the whole engine runs and is tested on a CPU with the tiny random-weight model.
"""

from worker.engine.clip import MissingComponentError
from worker.engine.engine import (
    Engine,
    EngineOutOfMemory,
    GeneratedImage,
    GenerationCancelled,
    should_restart_after,
    steps_to_run,
)
from worker.engine.preview import latents_to_preview
from worker.engine.recipes import RECIPE_VERSION, spec_from_recipe
from worker.engine.tiny import ensure_tiny_model

__all__ = [
    "RECIPE_VERSION",
    "Engine",
    "EngineOutOfMemory",
    "GeneratedImage",
    "GenerationCancelled",
    "MissingComponentError",
    "ensure_tiny_model",
    "latents_to_preview",
    "should_restart_after",
    "spec_from_recipe",
    "steps_to_run",
]
