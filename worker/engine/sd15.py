"""SD 1.5's full-size architecture with random weights, for timing without any download.

The UNet, VAE and CLIP text encoder are built from the values of the published
SD 1.5 configs (unet/, vae/, text_encoder/ config.json of the v1-5 release), so
every layer has the real shape and costs what the real one costs; only the
weights are random (seeded) and the images noise. The tokenizer is the tiny
vocabulary's: token ids are what the text encoder sees, and its 77-token window
and embedding table are full size.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch
from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

from common.models import ModelChoice
from common.tiny_vocab import write_tiny_tokenizer
from common.tokens import CLIP_WINDOW, END
from worker.engine.engine import Engine, _versions, resolve_device
from worker.engine.speedups import Speedups
from worker.engine.tiny import SD15_SCHEDULER

ARCH_NAME = "sd15-architecture-random"
SEED = 0
SD15_UNET: dict[str, Any] = {
    "sample_size": 64,
    "in_channels": 4,
    "out_channels": 4,
    "center_input_sample": False,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "down_block_types": ("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    "up_block_types": ("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    "block_out_channels": (320, 640, 1280, 1280),
    "layers_per_block": 2,
    "downsample_padding": 1,
    "mid_block_scale_factor": 1,
    "act_fn": "silu",
    "norm_num_groups": 32,
    "norm_eps": 1e-5,
    "cross_attention_dim": 768,
    "attention_head_dim": 8,
}
SD15_VAE: dict[str, Any] = {
    "in_channels": 3,
    "out_channels": 3,
    "down_block_types": ("DownEncoderBlock2D",) * 4,
    "up_block_types": ("UpDecoderBlock2D",) * 4,
    "block_out_channels": (128, 256, 512, 512),
    "layers_per_block": 2,
    "act_fn": "silu",
    "latent_channels": 4,
    "norm_num_groups": 32,
    "sample_size": 512,
    "scaling_factor": 0.18215,
}
# CLIP ViT-L/14's text tower, as SD 1.5 ships it.
SD15_TEXT: dict[str, Any] = {
    "vocab_size": 49408,
    "hidden_size": 768,
    "intermediate_size": 3072,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "max_position_embeddings": CLIP_WINDOW,
    "hidden_act": "quick_gelu",
    "layer_norm_eps": 1e-5,
    "projection_dim": 768,
}


def build_sd15_pipeline(tokenizer_dir: Path) -> StableDiffusionPipeline:
    """The full-size pipeline in memory (float32, CPU); `tokenizer_dir` receives the vocabulary files."""
    write_tiny_tokenizer(tokenizer_dir)
    tokenizer = CLIPTokenizer.from_pretrained(tokenizer_dir, model_max_length=CLIP_WINDOW, pad_token=END)
    torch.manual_seed(SEED)
    text = CLIPTextConfig(**SD15_TEXT, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                          pad_token_id=tokenizer.pad_token_id)
    return StableDiffusionPipeline(
        vae=AutoencoderKL(**SD15_VAE),
        text_encoder=CLIPTextModel(text),
        tokenizer=tokenizer,
        unet=UNet2DConditionModel(**SD15_UNET),
        scheduler=DDIMScheduler(**SD15_SCHEDULER),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


class ArchEngine(Engine):
    """The engine over an in-memory pipeline: everything a worker's round does, minus loading a folder."""

    def __init__(self, pipe: StableDiffusionPipeline, tokenizer_dir: Path, device: str = "auto",
                 speedups: Speedups | None = None) -> None:
        self._built = pipe
        chosen = (speedups or Speedups()).resolved(resolve_device(device))
        started = time.perf_counter()
        super().__init__(ModelChoice(ARCH_NAME, tokenizer_dir.parent, random_weights=False), device=device,
                         dtype="float16" if chosen.fp16 else "float32", speedups=chosen)
        self.setup_s = time.perf_counter() - started

    def _load(self) -> StableDiffusionPipeline:
        pipe = self._built
        pipe.scheduler = DDIMScheduler.from_config(pipe.scheduler.config)
        pipe.set_progress_bar_config(disable=True)
        return pipe.to(self.device, self.dtype)

    def _describe(self) -> dict[str, Any]:
        cuda = self.device.type == "cuda"
        return {
            "name": ARCH_NAME,
            "sha256": f"random-seed-{SEED}",
            "random_weights": True,
            "device": str(self.device),
            "device_name": torch.cuda.get_device_name(self.device) if cuda else "cpu",
            "dtype": str(self.dtype).removeprefix("torch."),
            "deterministic": self.deterministic,
            "versions": _versions(),
            "speedups": dict(self.speedups),
        }
