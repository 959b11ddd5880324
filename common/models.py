"""Which weights a worker will load, decided without importing torch.

`LIKENESS_MODEL` set: a diffusers folder, or a hub id already in the local cache
(nothing is downloaded). Set and missing is an error that names the setting.
Unset: Stable Diffusion 1.5 from the local cache if present, else the tiny
random-weight pipeline, announced everywhere so noise is never taken for a sketch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from common.settings import Settings

DEFAULT_HUB_IDS = ("stable-diffusion-v1-5/stable-diffusion-v1-5", "runwayml/stable-diffusion-v1-5")
TINY_NAME = "tiny-random-sd"


class ModelNotFoundError(RuntimeError):
    pass


@dataclass(frozen=True)
class ModelChoice:
    label: str
    path: Path
    random_weights: bool

    @property
    def tokenizer_dir(self) -> Path:
        return self.path / "tokenizer"

    def as_dict(self) -> dict[str, object]:
        return {"name": self.label, "path": str(self.path), "random_weights": self.random_weights}


def _hub_cache_dir() -> Path:
    if "HF_HUB_CACHE" in os.environ:
        return Path(os.environ["HF_HUB_CACHE"])
    home = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"))
    return home / "hub"


def _cached_snapshot(hub_id: str) -> Path | None:
    snapshots = _hub_cache_dir() / f"models--{hub_id.replace('/', '--')}" / "snapshots"
    found = sorted(snapshots.glob("*/model_index.json")) if snapshots.is_dir() else []
    return found[-1].parent if found else None


def tiny_model_path(settings: Settings) -> Path:
    return settings.models_dir / TINY_NAME


def resolve_model(settings: Settings) -> ModelChoice:
    wanted = settings.model
    if wanted:
        folder = Path(wanted).expanduser()
        if (folder / "model_index.json").is_file():
            return ModelChoice(str(folder.resolve()), folder.resolve(), random_weights=False)
        snapshot = _cached_snapshot(wanted)
        if snapshot:
            return ModelChoice(wanted, snapshot, random_weights=False)
        raise ModelNotFoundError(
            f"LIKENESS_MODEL={wanted!r} is neither a diffusers folder (with model_index.json) "
            f"nor a hub id in the local cache {_hub_cache_dir()}; download it there or unset "
            "LIKENESS_MODEL to run on the tiny random-weight model."
        )
    for hub_id in DEFAULT_HUB_IDS:
        snapshot = _cached_snapshot(hub_id)
        if snapshot:
            return ModelChoice(hub_id, snapshot, random_weights=False)
    return ModelChoice(TINY_NAME, tiny_model_path(settings), random_weights=True)
