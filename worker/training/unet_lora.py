"""UNet LoRA training with peft, the setup of the rank study (seed 004).

Frozen VAE, text encoder and UNet; LoRA matrices on the UNet's attention projections
(optionally the feed-forward layers); AdamW; the standard noise-prediction MSE.
VAE latents and text embeddings are computed once per run, before the first step:
the frozen encoders would give the same answer every epoch.

The adapter file is written by diffusers' own `save_lora_weights` with peft's key
names (`unet.<module>.lora_A.weight` / `lora_B.weight`), so `pipe.load_lora_weights`
takes it from a file or from a loaded state dict. Not passed through
convert_state_dict_to_diffusers first, as diffusers' SD training script does: its
mapping renames only the attention projections, and the mixed file it makes of a
feed-forward LoRA loads wrongly from a state dict. Rank, alpha and targets are in the
file's metadata (diffusers' `lora_adapter_metadata`) and in the registry config: a loader
that gets bare tensors must take alpha from there (the engine does), or it draws with
alpha = rank, at half the trained strength.
"""

from __future__ import annotations

import hashlib
import math
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from diffusers import DDPMScheduler, StableDiffusionPipeline
from peft import LoraConfig
from peft.utils import get_peft_model_state_dict

from common.tokens import chunks_needed
from worker.engine.prompts import chunk_windows, encode_windows, token_ids
from worker.training.measure import Meter, TrainingCancelled
from worker.training.pairs import Pair, to_unit_tensor

ATTENTION_TARGETS = ("to_q", "to_k", "to_v", "to_out.0")
FEED_FORWARD_TARGETS = ("ff.net.0", "ff.net.2")
# ff.net.0 is diffusers' GELU/GEGLU wrapper; its Linear is .proj, which is what LoRA can adapt.
_PEFT_NAMES = {"ff.net.0": "ff.net.0.proj"}
FORMAT = "diffusers-lora"
PROBE_SAMPLES = 8
StepCallback = Callable[[int, int, float], bool | None]


@dataclass(frozen=True)
class UnetLoraConfig:
    rank: int = 16
    alpha: float | None = None  # None: 2 × rank, as in the rank study
    targets: tuple[str, ...] = ATTENTION_TARGETS
    learning_rate: float = 5e-4
    betas: tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 1e-2
    batch_size: int = 4
    epochs: int = 10
    resolution: int = 512
    mixed_precision: str = "auto"  # auto (bf16/fp16 on CUDA, none on CPU) | no | fp16 | bf16
    gradient_checkpointing: bool = False
    max_grad_norm: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = set(self.targets) - set(ATTENTION_TARGETS) - set(FEED_FORWARD_TARGETS)
        if unknown:
            raise ValueError(f"unknown LoRA target(s) {sorted(unknown)}; choose from "
                             f"{', '.join(ATTENTION_TARGETS + FEED_FORWARD_TARGETS)}")
        if self.rank < 1 or self.batch_size < 1 or self.epochs < 1:
            raise ValueError("rank, batch size and epochs must be at least 1")
        if self.mixed_precision not in ("auto", "no", "fp16", "bf16"):
            raise ValueError("mixed_precision must be auto, no, fp16 or bf16")

    @property
    def lora_alpha(self) -> float:
        return float(self.alpha) if self.alpha is not None else 2.0 * self.rank

    @property
    def peft_targets(self) -> list[str]:
        return [_PEFT_NAMES.get(t, t) for t in self.targets]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "alpha": self.lora_alpha, "targets": list(self.targets),
                "betas": list(self.betas)}


@dataclass
class AdapterResult:
    data: bytes  # the safetensors file
    sha256: str
    config: dict[str, Any]
    metrics: dict[str, Any] = field(default_factory=dict)


def autocast_dtype(setting: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype, or None for full fp32 (always on the CPU: AMP there is slow and lossy)."""
    if device.type != "cuda" or setting == "no":
        return None
    if setting == "auto":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if setting == "bf16" else torch.float16


# --- caches ---------------------------------------------------------------------------------


@torch.no_grad()
def cache_latents(pipe: StableDiffusionPipeline, pairs: list[Pair], resolution: int, device: torch.device,
                  batch: int = 8) -> torch.Tensor:
    """VAE latents of every sketch, scaled as the UNet sees them. The posterior mean, not a
    sample: a cached sample would fix one draw of the VAE's noise for every epoch."""
    latents = []
    for start in range(0, len(pairs), batch):
        pixels = to_unit_tensor([p.sketch for p in pairs[start:start + batch]], resolution) * 2 - 1
        encoded = pipe.vae.encode(pixels.to(device, pipe.vae.dtype)).latent_dist.mean
        latents.append(encoded.float() * pipe.vae.config.scaling_factor)
    return torch.cat(latents)


@torch.no_grad()
def cache_text(pipe: StableDiffusionPipeline, descriptions: list[str], device: torch.device) -> list[torch.Tensor]:
    """Each description encoded as the engine encodes prompts (75-token chunks laid end to
    end, nothing truncated): one (77 × chunks, hidden) tensor each."""
    embeds = []
    for text in descriptions:
        ids = token_ids(pipe.tokenizer, text)
        windows = chunk_windows(pipe.tokenizer, ids, chunks_needed(len(ids)))
        embeds.append(encode_windows(pipe.text_encoder, windows, device)[0].float())
    return embeds


def collate_text(embeds: list[torch.Tensor], empty_chunk: torch.Tensor) -> torch.Tensor:
    """Batches prompts of different chunk counts: shorter ones get empty-prompt chunks, as
    the engine pads a prompt to its negative prompt's length."""
    longest = max(e.shape[0] for e in embeds)
    padded = [torch.cat([e, *[empty_chunk] * ((longest - e.shape[0]) // empty_chunk.shape[0])]) for e in embeds]
    return torch.stack(padded)


# --- training -------------------------------------------------------------------------------


def add_lora(pipe: StableDiffusionPipeline, config: UnetLoraConfig) -> list[torch.nn.Parameter]:
    """Freezes everything, adds the LoRA matrices, returns them (the only trainable parameters)."""
    for module in (pipe.unet, pipe.vae, pipe.text_encoder):
        module.requires_grad_(False)
    pipe.unet.add_adapter(LoraConfig(r=config.rank, lora_alpha=config.lora_alpha, init_lora_weights="gaussian",
                                     target_modules=config.peft_targets))
    params = [p for p in pipe.unet.parameters() if p.requires_grad]
    for param in params:
        param.data = param.data.float()  # fp32 master weights even when the frozen base is half
    return params


def _target(scheduler: DDPMScheduler, latents: torch.Tensor, noise: torch.Tensor,
            timesteps: torch.Tensor) -> torch.Tensor:
    if scheduler.config.prediction_type == "v_prediction":
        return scheduler.get_velocity(latents, noise, timesteps)
    return noise


def _loss(pipe: StableDiffusionPipeline, scheduler: DDPMScheduler, latents: torch.Tensor, text: torch.Tensor,
          noise: torch.Tensor, timesteps: torch.Tensor, amp: torch.dtype | None) -> torch.Tensor:
    noisy = scheduler.add_noise(latents, noise, timesteps)
    with torch.autocast(latents.device.type, dtype=amp or torch.float32, enabled=amp is not None):
        predicted = pipe.unet(noisy.to(pipe.unet.dtype), timesteps, text.to(pipe.unet.dtype)).sample
    return F.mse_loss(predicted.float(), _target(scheduler, latents, noise, timesteps).float())


@dataclass
class _Data:
    latents: torch.Tensor
    text: list[torch.Tensor]
    empty: torch.Tensor


def _probe_loss(pipe: StableDiffusionPipeline, scheduler: DDPMScheduler, data: _Data, seed: int,
                amp: torch.dtype | None) -> float:
    """The loss on fixed (sample, noise, timestep) triples: comparable before and after
    training, where the per-step loss swings with the random noise and timesteps."""
    count = min(PROBE_SAMPLES, len(data.text))
    generator = torch.Generator("cpu").manual_seed(seed + 1)
    latents = data.latents[:count]
    noise = torch.randn(latents.shape, generator=generator).to(latents.device)
    steps = scheduler.config.num_train_timesteps
    timesteps = torch.linspace(0, steps - 1, count).long().to(latents.device)
    with torch.no_grad():
        return float(_loss(pipe, scheduler, latents, collate_text(data.text[:count], data.empty), noise,
                           timesteps, amp))


def _prepare(pipe: StableDiffusionPipeline, pairs: list[Pair], config: UnetLoraConfig,
             device: torch.device) -> _Data:
    pipe.vae.to(device).eval()
    pipe.text_encoder.to(device).eval()
    data = _Data(latents=cache_latents(pipe, pairs, config.resolution, device),
                 text=cache_text(pipe, [p.description for p in pairs], device),
                 empty=cache_text(pipe, [""], device)[0])
    # Cached: the encoders are not needed on the device again during training.
    pipe.vae.to("cpu")
    pipe.text_encoder.to("cpu")
    return data


def train_unet_lora(pipe: StableDiffusionPipeline, pairs: list[Pair], config: UnetLoraConfig,
                    device: torch.device | str = "cpu", on_step: StepCallback | None = None) -> AdapterResult:
    """Trains a LoRA on `pipe.unet` (which keeps the adapter) and returns the adapter file.

    on_step(step, total_steps, loss) runs after every optimiser step; returning False
    cancels (TrainingCancelled).
    """
    if not pairs:
        raise ValueError("no training pairs")
    device = torch.device(device)
    torch.manual_seed(config.seed)
    meter = Meter(device)
    amp = autocast_dtype(config.mixed_precision, device)
    data = _prepare(pipe, pairs, config, device)
    params = add_lora(pipe, config)
    if amp is not None:
        # Frozen base in half precision, LoRA matrices in fp32: diffusers' training recipe.
        pipe.unet.to(device, amp)
        for param in params:
            param.data = param.data.float()
    pipe.unet.to(device)
    if config.gradient_checkpointing:
        pipe.unet.enable_gradient_checkpointing()
    scheduler = DDPMScheduler.from_config(pipe.scheduler.config)
    probe_before = _probe_loss(pipe, scheduler, data, config.seed, amp)
    losses = _loop(pipe, scheduler, data, params, config, amp, on_step)
    probe_after = _probe_loss(pipe, scheduler, data, config.seed, amp)
    payload = diffusers_lora_bytes(pipe.unet, config)
    metrics = {
        **meter.result(),
        "loss_curve": [round(v, 6) for v in losses],
        "epoch_loss": _epoch_means(losses, len(pairs), config),
        "final_loss": round(sum(losses[-_steps_per_epoch(len(pairs), config):]) /
                            _steps_per_epoch(len(pairs), config), 6),
        "probe_loss_before": round(probe_before, 6),
        "probe_loss_after": round(probe_after, 6),
        "steps": len(losses),
        "examples": len(pairs),
        "trainable_parameters": sum(p.numel() for p in params),
        "adapter_size_bytes": len(payload),
        "device": str(device),
        "autocast": str(amp).removeprefix("torch.") if amp else "no",
    }
    adapter_config = {**config.as_dict(), "format": FORMAT, "key_naming": "peft: unet.<module>.lora_A/lora_B.weight",
                      "peft_target_modules": config.peft_targets,
                      "load_with": "pipe.load_lora_weights"}
    return AdapterResult(payload, hashlib.sha256(payload).hexdigest(), adapter_config, metrics)


def _steps_per_epoch(count: int, config: UnetLoraConfig) -> int:
    return math.ceil(count / config.batch_size)


def _epoch_means(losses: list[float], count: int, config: UnetLoraConfig) -> list[float]:
    per = _steps_per_epoch(count, config)
    return [round(sum(losses[i:i + per]) / len(losses[i:i + per]), 6) for i in range(0, len(losses), per)]


def _loop(pipe: StableDiffusionPipeline, scheduler: DDPMScheduler, data: _Data, params: list[torch.nn.Parameter],
          config: UnetLoraConfig, amp: torch.dtype | None, on_step: StepCallback | None) -> list[float]:
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, betas=config.betas,
                                  weight_decay=config.weight_decay)
    # A gradient scaler only for fp16: bf16 has fp32's range and needs none.
    scaler = torch.amp.GradScaler(enabled=amp is torch.float16)
    generator = torch.Generator("cpu").manual_seed(config.seed)
    count, device = len(data.text), data.latents.device
    total = _steps_per_epoch(count, config) * config.epochs
    pipe.unet.train()
    losses: list[float] = []
    for _ in range(config.epochs):
        order = torch.randperm(count, generator=generator).tolist()
        for start in range(0, count, config.batch_size):
            index = order[start:start + config.batch_size]
            latents = data.latents[index]
            noise = torch.randn(latents.shape, generator=generator).to(device)
            timesteps = torch.randint(0, scheduler.config.num_train_timesteps, (len(index),),
                                      generator=generator).to(device)
            text = collate_text([data.text[i] for i in index], data.empty)
            loss = _loss(pipe, scheduler, latents, text, noise, timesteps, amp)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(params, config.max_grad_norm)
            scaler.step(optimizer)
            scaler.update()
            losses.append(float(loss.detach()))
            if on_step is not None and on_step(len(losses), total, losses[-1]) is False:
                raise TrainingCancelled(len(losses), total)
    pipe.unet.eval()
    return losses


def diffusers_lora_bytes(unet: torch.nn.Module, config: UnetLoraConfig) -> bytes:
    """The UNet's LoRA as the safetensors file diffusers' save_lora_weights writes (see the
    module docstring), its LoRA settings in the metadata."""
    state = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in get_peft_model_state_dict(unet).items()}
    metadata = LoraConfig(r=config.rank, lora_alpha=config.lora_alpha, target_modules=config.peft_targets).to_dict()
    # peft keeps the targets as a set; sorted, the same training writes the same bytes.
    metadata["target_modules"] = sorted(metadata["target_modules"])
    with tempfile.TemporaryDirectory() as folder:
        StableDiffusionPipeline.save_lora_weights(folder, unet_lora_layers=state, safe_serialization=True,
                                                  unet_lora_adapter_metadata=metadata)
        return (Path(folder) / "pytorch_lora_weights.safetensors").read_bytes()
