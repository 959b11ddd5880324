"""A whole training run: dataset → base model → training → adapter in the registry.

What the CLI (`likeness train ...`) and the `train` queue's task both call.
"""

from __future__ import annotations

import logging
from typing import Any

import torch
from diffusers import StableDiffusionPipeline

from common.models import resolve_model
from common.settings import get_settings
from worker.engine.engine import resolve_device
from worker.engine.hashing import model_sha256
from worker.engine.tiny import ensure_tiny_model
from worker.training.clip import resolve_clip
from worker.training.clip_lora import ClipLoraConfig, train_clip_lora
from worker.training.pairs import split
from worker.training.store import default_name, load_pairs, save_adapter
from worker.training.unet_lora import StepCallback, UnetLoraConfig, train_unet_lora

log = logging.getLogger(__name__)


def training_device(device: str | None = None) -> torch.device:
    return resolve_device(device or get_settings().device)


def load_base_pipeline() -> tuple[StableDiffusionPipeline, dict[str, Any]]:
    """A fresh fp32 copy of the base model (training changes its UNet; the engine's stays as it is)."""
    model = resolve_model(get_settings())
    if model.random_weights:
        ensure_tiny_model(model.path)
        log.warning("training on the TINY RANDOM-WEIGHT model: the adapter only fits that model")
    pipe = StableDiffusionPipeline.from_pretrained(model.path, local_files_only=True, safety_checker=None,
                                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe, {"name": model.label, "sha256": model_sha256(model.path), "random_weights": model.random_weights}


def run_unet_lora(dataset: str, config: UnetLoraConfig, *, name: str | None = None, device: str | None = None,
                  actor: Any = None, on_step: StepCallback | None = None) -> dict[str, Any]:
    info, pairs = load_pairs(dataset)
    pipe, base = load_base_pipeline()
    result = train_unet_lora(pipe, split(pairs, "train"), config, training_device(device), on_step)
    result.config["base_model"] = base
    result.metrics["split"] = "train"
    name = name or default_name("unet-lora", info, f"r{config.rank}")
    return save_adapter(result, name=name, kind="unet-lora", dataset=info, actor=actor)


def run_clip_lora(dataset: str, config: ClipLoraConfig, *, clip: str | None = None, name: str | None = None,
                  device: str | None = None, actor: Any = None, on_step: StepCallback | None = None) -> dict[str, Any]:
    info, pairs = load_pairs(dataset)
    bundle = resolve_clip(clip)
    if bundle.random_weights:
        log.warning("training CLIP LoRA on a TINY RANDOM-WEIGHT CLIP (no CLIP in the local cache)")
    result = train_clip_lora(bundle, split(pairs, "train"), split(pairs, "validation"), config,
                             training_device(device), on_step)
    name = name or default_name("clip-lora", info, f"{config.layers}-r{config.rank}")
    return save_adapter(result, name=name, kind="clip-lora", dataset=info, actor=actor)
