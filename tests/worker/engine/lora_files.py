"""Tiny adapter files, built the way worker/training saves real ones (see worker/engine/ADAPTERS.md).

lora_B starts at zero in peft (the adapter is a no-op until trained); drawing both
halves from a seed stands in for training, so every adapter here visibly changes the
output, and the same seed always gives the same file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import torch
from diffusers import StableDiffusionPipeline, UNet2DConditionModel
from diffusers.utils import convert_state_dict_to_diffusers
from peft import LoraConfig, get_peft_model_state_dict, inject_adapter_in_model
from safetensors.torch import save_file
from torch import nn
from transformers import CLIPTextModel, CLIPVisionModelWithProjection

UNET_TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]
CLIP_TARGETS = ["q_proj", "k_proj", "v_proj", "out_proj"]


def _randomise_lora(model: nn.Module, seed: int, scale: float) -> None:
    """Both halves from `seed`: peft draws lora_A from the global RNG, which would make two builds differ."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_A" in name:
                param.copy_(torch.randn(param.shape, generator=generator) / param.shape[1] ** 0.5)
            elif "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * scale)


def unet_with_lora(model_dir: Path, seed: int, *, rank: int = 4, alpha: float = 4,
                   scale: float = 0.5) -> tuple[UNet2DConditionModel, LoraConfig]:
    """The tiny UNet with a "trained" LoRA on its attention projections, as training leaves it."""
    unet = UNet2DConditionModel.from_pretrained(model_dir / "unet")
    config = LoraConfig(r=rank, lora_alpha=alpha, target_modules=UNET_TARGETS)
    unet.add_adapter(config)
    _randomise_lora(unet, seed, scale)
    return unet, config


def unet_lora_file(model_dir: Path, seed: int, workdir: Path, *, rank: int = 4, alpha: float = 4,
                   metadata: bool = True, scale: float = 0.5) -> bytes:
    """A UNet LoRA as StableDiffusionPipeline.save_lora_weights writes it (diffusers keys)."""
    unet, config = unet_with_lora(model_dir, seed, rank=rank, alpha=alpha, scale=scale)
    config.target_modules = sorted(config.target_modules)  # a set: sorted, the metadata is the same every run
    layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(unet))
    StableDiffusionPipeline.save_lora_weights(
        workdir, unet_lora_layers=layers, unet_lora_adapter_metadata=config.to_dict() if metadata else None
    )
    data = (workdir / "pytorch_lora_weights.safetensors").read_bytes()
    shutil.rmtree(workdir, ignore_errors=True)
    return data


def _peft_weights(model: nn.Module, seed: int, rank: int, alpha: float, targets: list[str]) -> dict[str, torch.Tensor]:
    inject_adapter_in_model(LoraConfig(r=rank, lora_alpha=alpha, target_modules=targets), model)
    _randomise_lora(model, seed, 0.5)
    return get_peft_model_state_dict(model)


def clip_lora_weights(model_dir: Path, seed: int, *, rank: int = 4, alpha: float = 8, text: bool = True,
                      vision: bool = False, text_prefix: str = "text_model.") -> dict[str, torch.Tensor]:
    """A clip-lora state dict: peft keys of each tower, prefixed "text_model." / "vision_model."."""
    weights: dict[str, torch.Tensor] = {}
    if text:
        encoder = CLIPTextModel.from_pretrained(model_dir / "text_encoder")
        for key, tensor in _peft_weights(encoder, seed, rank, alpha, CLIP_TARGETS).items():
            # transformers 5's CLIPTextModel names its modules without "text_model."; CLIPModel has it.
            weights[text_prefix + key.removeprefix("text_model.")] = tensor.contiguous()
    if vision:
        image_encoder = CLIPVisionModelWithProjection.from_pretrained(model_dir / "image_encoder")
        for key, tensor in _peft_weights(image_encoder, seed + 1, rank, alpha, CLIP_TARGETS).items():
            weights[key] = tensor.contiguous()  # already "vision_model.…"
    return weights


def clip_lora_file(path: Path, weights: dict[str, Any], lora_config: dict[str, Any] | None = None) -> bytes:
    """The safetensors file; `lora_config` goes into its metadata as worker/training writes it."""
    metadata = {"format": "pt"}
    if lora_config is not None:
        metadata["lora_config"] = json.dumps(lora_config, sort_keys=True)
    save_file(weights, path, metadata=metadata)
    return path.read_bytes()
