"""The tiny random-weight pipeline: SD 1.5's classes and shapes, a few MB of weights.

It lets the whole workflow run on any machine (and every test run on the CPU).
The weights come from a fixed seed, so every build has the same files and hash.

Beside the pipeline it holds what CLIP fusion (Models 2 and 3) needs: a tiny
`image_encoder/` (CLIPVisionModelWithProjection) and CLIP's text projection as
`text_projection.safetensors`. They are outside model_index.json and the model hash
(worker/engine/clip.py hashes them apart), so adding them to an older tiny folder
changes nothing that folder already drew.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import torch
from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
from safetensors.torch import save_file
from transformers import (
    CLIPTextConfig,
    CLIPTextModel,
    CLIPTokenizer,
    CLIPVisionConfig,
    CLIPVisionModelWithProjection,
)

from common.tiny_vocab import write_tiny_tokenizer
from common.tokens import CLIP_WINDOW, END
from worker.engine.clip import IMAGE_ENCODER, TEXT_PROJECTION

# SD 1.5's published scheduler values: the tiny model denoises on the same schedule.
SD15_SCHEDULER = {
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "num_train_timesteps": 1000,
    "set_alpha_to_one": False,
    "steps_offset": 1,
    "clip_sample": False,
}
TINY_SEED = 0
CLIP_SEED = 1  # its own seed: the pipeline's weights stay what they always were
HIDDEN = 32
PROJECTION_DIM = 32


def _unet() -> UNet2DConditionModel:
    # Three levels with attention only at the coarsest (1/4 of the latent side):
    # self-attention over a full 64x64 latent (4096 tokens) would dominate the run
    # time of a model this small. 512x512, 30 steps, 4 candidates: ~3 s on 2 cores.
    return UNet2DConditionModel(
        sample_size=64,
        in_channels=4,
        out_channels=4,
        block_out_channels=(16, 32, 32),
        layers_per_block=1,
        down_block_types=("DownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D", "UpBlock2D"),
        cross_attention_dim=HIDDEN,
        attention_head_dim=8,
        norm_num_groups=8,
    )


def _vae() -> AutoencoderKL:
    # Four blocks, like SD's VAE, so the latent is 1/8 of the image (vae_scale_factor 8).
    return AutoencoderKL(
        in_channels=3,
        out_channels=3,
        block_out_channels=(4, 8, 16, 32),
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=4,
        sample_size=512,
    )


def _text_encoder(tokenizer: CLIPTokenizer) -> CLIPTextModel:
    config = CLIPTextConfig(
        vocab_size=len(tokenizer),
        hidden_size=HIDDEN,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=CLIP_WINDOW,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return CLIPTextModel(config)


def _tokenizer(folder: Path) -> CLIPTokenizer:
    write_tiny_tokenizer(folder)
    return CLIPTokenizer.from_pretrained(folder, model_max_length=CLIP_WINDOW, pad_token=END)


def build_tiny_pipeline(tokenizer_dir: Path) -> StableDiffusionPipeline:
    """Builds the tiny pipeline in memory; `tokenizer_dir` receives the vocabulary files."""
    tokenizer = _tokenizer(tokenizer_dir)
    torch.manual_seed(TINY_SEED)
    return StableDiffusionPipeline(
        vae=_vae(),
        text_encoder=_text_encoder(tokenizer),
        tokenizer=tokenizer,
        unet=_unet(),
        scheduler=DDIMScheduler(**SD15_SCHEDULER),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def build_tiny_clip() -> tuple[CLIPVisionModelWithProjection, torch.Tensor]:
    """The tiny image encoder and text projection (projection_dim x text hidden), seeded."""
    torch.manual_seed(CLIP_SEED)
    vision = CLIPVisionModelWithProjection(CLIPVisionConfig(
        hidden_size=HIDDEN,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        image_size=32,
        patch_size=8,
        projection_dim=PROJECTION_DIM,
    ))
    # A random square matrix is invertible: the pseudo-inverse path is exercised for real.
    projection = torch.randn(PROJECTION_DIM, HIDDEN) / HIDDEN**0.5
    return vision, projection


def _save(target: Path) -> None:
    pipe = build_tiny_pipeline(target / "tokenizer")
    pipe.save_pretrained(target, safe_serialization=True)
    # save_pretrained writes tokenizer.json; the torch-free counter in common/ reads
    # vocab.json + merges.txt, so keep the canonical ones beside it.
    write_tiny_tokenizer(target / "tokenizer")
    _save_clip(target)


def _save_clip(target: Path) -> None:
    vision, projection = build_tiny_clip()
    vision.save_pretrained(target / IMAGE_ENCODER, safe_serialization=True)
    save_file({"weight": projection.contiguous()}, target / TEXT_PROJECTION)


def _ensure_clip(path: Path) -> None:
    """Adds the CLIP parts to a tiny folder built before they existed (same bytes as a fresh build).

    Race-safe like the folder itself: built in a private folder beside, then renamed into place.
    """
    if (path / IMAGE_ENCODER / "config.json").is_file() and (path / TEXT_PROJECTION).is_file():
        return
    staging = Path(tempfile.mkdtemp(prefix=".clip-building-", dir=path))
    try:
        _save_clip(staging)
        if not (path / TEXT_PROJECTION).is_file():
            os.replace(staging / TEXT_PROJECTION, path / TEXT_PROJECTION)
        if not (path / IMAGE_ENCODER / "config.json").is_file():
            try:
                os.rename(staging / IMAGE_ENCODER, path / IMAGE_ENCODER)
            except OSError:
                if not (path / IMAGE_ENCODER / "config.json").is_file():
                    raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def ensure_tiny_model(path: Path) -> None:
    """Builds the tiny model folder at `path` unless a complete one is already there.

    Safe when several workers start at once: each builds in a private temp folder
    beside the target and renames it into place; the first rename wins and the
    others throw their copy away (the content is identical anyway).
    """
    path = Path(path)
    if (path / "model_index.json").is_file():
        # A read-only folder: clip-fusion will say what is missing; everything else works.
        with contextlib.suppress(OSError):
            _ensure_clip(path)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.building-", dir=path.parent))
    try:
        _save(staging)
        _move_into_place(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(staging: Path, path: Path) -> None:
    if path.is_dir() and not any(path.iterdir()):
        path.rmdir()  # an empty placeholder (e.g. a mounted volume's mkdir) is not a model
    try:
        os.rename(staging, path)
    except OSError:
        if (path / "model_index.json").is_file():
            return  # another process finished first: keep its copy
        raise RuntimeError(
            f"cannot create the tiny model at {path}: the folder exists but holds no "
            "model_index.json; remove it and start again"
        ) from None
