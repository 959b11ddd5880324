"""UNet LoRA adapters (sketch styles, department-trained): loaded once, swapped per job.

Each adapter file is read once and kept in the UNet under a name derived from its
SHA-256, so a later job that names it again only switches it on; the base weights
are never reloaded. Between jobs every adapter is switched off, and a job without
adapters runs the bare base layers: its output is the base model's, bit for bit.
At most MAX_LOADED adapters stay in memory; the least recently used is dropped.

The "ramp" schedule (seed 002: identity forms in the early steps, style in the late
ones) scales every adapter's weight from 0 at the first step to its full weight at
the last, switched in the step callback.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from diffusers import StableDiffusionPipeline

from common.spec import AdapterRef

log = logging.getLogger(__name__)
MAX_LOADED = 8


def cache_key(ref: AdapterRef) -> str:
    """The file's SHA-256; with the registry's rank/alpha when given (they decide a bare file's scale)."""
    rank, alpha = ref.config.get("rank"), ref.config.get("alpha")
    return ref.sha256 if rank is None or alpha is None else f"{ref.sha256}:r{rank}:a{alpha}"


def adapter_name(key: str) -> str:
    return "likeness_" + hashlib.sha256(key.encode()).hexdigest()[:16]


def ramp_factor(step_index: int, steps: int) -> float:
    """The share of the full weight at 0-based step `step_index` of `steps`: 0 … 1, linear."""
    return 1.0 if steps <= 1 else min(1.0, step_index / (steps - 1))


class UnetAdapters:
    """The UNet's LoRA adapters, by blob SHA-256."""

    def __init__(self, pipe: StableDiffusionPipeline, blob_path: Callable[[str], Path], max_loaded: int = MAX_LOADED):
        self.pipe = pipe
        self.blob_path = blob_path
        self.max_loaded = max_loaded
        self.loaded: OrderedDict[str, str] = OrderedDict()  # cache key -> adapter name, oldest first
        self.active: list[tuple[str, float]] = []

    # -- loading -------------------------------------------------------------------------------

    def _load(self, ref: AdapterRef) -> str:
        key = cache_key(ref)
        name = adapter_name(key)
        if key in self.loaded:
            self.loaded.move_to_end(key)
            return name
        path = self.blob_path(ref.sha256)
        if not path.is_file():
            raise FileNotFoundError(f"adapter {ref.id}: its file {ref.sha256} is missing from the blob store")
        self._evict(keep=self.max_loaded - 1)
        try:
            self._read_into_unet(path, name, ref)
        except Exception:
            self._forget(name)  # a half-loaded adapter must not linger in the UNet
            raise
        self.loaded[key] = name
        return name

    def _read_into_unet(self, path: Path, name: str, ref: AdapterRef) -> None:
        """Reads the file (diffusers, kohya or peft-diffusers layout) into the UNet only."""
        state_dict, alphas, metadata = self.pipe.lora_state_dict(
            str(path), return_lora_metadata=True, local_files_only=True
        )
        if any(key.startswith("text_encoder.") for key in state_dict):
            # The text encoder belongs to the CLIP strategies (clip-lora); a UNet style must not move it.
            log.warning("adapter %s carries text-encoder weights; only its UNet part is used", ref.id)
        metadata = metadata or _metadata_from_config(state_dict, ref.config)
        with warnings.catch_warnings():
            # Several adapters in one UNet is the point here, not the accident peft warns about.
            warnings.filterwarnings("ignore", message="Already found a `peft_config`")
            self.pipe.load_lora_into_unet(
                state_dict, network_alphas=alphas, unet=self.pipe.unet, adapter_name=name, metadata=metadata,
                _pipeline=self.pipe,
            )

    def _evict(self, keep: int) -> None:
        while len(self.loaded) > max(keep, 0):
            _, name = self.loaded.popitem(last=False)
            self._forget(name)

    def _forget(self, name: str) -> None:
        if name in getattr(self.pipe.unet, "peft_config", {}):
            self.pipe.unet.delete_adapters([name])

    # -- per job -------------------------------------------------------------------------------

    def activate(self, refs: list[AdapterRef], factor: float = 1.0) -> None:
        """Switches on exactly `refs` at `factor` times their weights (or switches all off for none)."""
        if not refs:
            self.deactivate()
            return
        names = [self._load(ref) for ref in refs]
        self.active = list(zip(names, (ref.weight for ref in refs), strict=True))
        self.pipe.unet.enable_lora()
        self.scale(factor)

    def scale(self, factor: float) -> None:
        """Every active adapter at `factor` times its weight (the ramp schedule's knob)."""
        names = [name for name, _ in self.active]
        self.pipe.unet.set_adapters(names, weights=[weight * factor for _, weight in self.active])

    def deactivate(self) -> None:
        """Base layers only: disabled LoRA layers pass the input straight to the original weights."""
        self.active = []
        if self.loaded:
            self.pipe.unet.disable_lora()

    def unload_all(self) -> None:
        """Frees every adapter's weights; the UNet is the base model again."""
        self.deactivate()
        self._evict(keep=0)


class RampHook:
    """Per-step hook of the "ramp" schedule: sets the weights for the step about to run."""

    def __init__(self, adapters: UnetAdapters, steps: int) -> None:
        self.adapters = adapters
        self.steps = steps

    def __call__(self, pipe: object, step_index: int, latents: torch.Tensor) -> torch.Tensor:
        if step_index + 1 < self.steps:
            self.adapters.scale(ramp_factor(step_index + 1, self.steps))
        return latents


def _metadata_from_config(state_dict: dict[str, torch.Tensor], config: dict[str, Any]) -> dict[str, Any] | None:
    """LoRA settings from the registry's config when the file carries none.

    Without them diffusers assumes alpha = rank; an adapter trained with alpha = 2·rank
    (seed 004) would silently draw at half strength.
    """
    rank, alpha = config.get("rank"), config.get("alpha")
    if rank is None or alpha is None:
        return None
    modules = sorted({key.removeprefix("unet.").split(".lora")[0] for key in state_dict if key.startswith("unet.")})
    return {"unet.r": int(rank), "unet.lora_alpha": float(alpha), "unet.target_modules": modules}
