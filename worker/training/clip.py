"""A CLIP model with its tokenizer and image preprocessing, as training and metrics use it.

Three ways to get one, none of which downloads anything: a local CLIPModel folder,
a hub id already in the local Hugging Face cache, or a tiny random-weight CLIP (the
tiny SD model's vocabulary, 32 px images) that lets the code run and be tested on
any machine, announced as random like the tiny SD model.

Images are preprocessed here with Pillow and NumPy (resize the short side, centre
crop, normalise), not with CLIPImageProcessor, which wants torchvision for its
default backend.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from transformers import CLIPConfig, CLIPModel, CLIPTextConfig, CLIPTokenizer, CLIPVisionConfig

from common.tiny_vocab import write_tiny_tokenizer
from common.tokens import CLIP_WINDOW, END
from worker.training.pairs import square

# OpenAI CLIP's normalisation, the default in every CLIP preprocessor config.
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
TINY_CLIP_NAME = "tiny-random-clip"
TINY_CLIP_SEED = 0
DEFAULT_CLIP_HUB_ID = "openai/clip-vit-large-patch14"  # SD 1.5's text encoder is this CLIP's text tower


@dataclass
class ClipBundle:
    model: CLIPModel
    tokenizer: CLIPTokenizer
    image_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    name: str
    random_weights: bool

    @property
    def max_tokens(self) -> int:
        return int(self.model.config.text_config.max_position_embeddings)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def tokenize(self, texts: list[str]) -> tuple[dict[str, torch.Tensor], int]:
        """Token ids and mask; and how many texts were longer than CLIP's window (they are cut:
        the caller reports the count, so no cut is silent)."""
        full = self.tokenizer(texts, truncation=False, verbose=False).input_ids
        over = sum(len(ids) > self.max_tokens for ids in full)
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_tokens, return_tensors="pt")
        return {"input_ids": batch.input_ids, "attention_mask": batch.attention_mask}, over

    def pixels(self, images: list[Image.Image]) -> torch.Tensor:
        mean = np.asarray(self.mean, dtype=np.float32)
        std = np.asarray(self.std, dtype=np.float32)
        arrays = [(np.asarray(square(i, self.image_size), dtype=np.float32) / 255.0 - mean) / std for i in images]
        return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()


def text_features(bundle: ClipBundle, tokens: dict[str, torch.Tensor]) -> torch.Tensor:
    """Unnormalised projected text embeddings (the text tower's pooled output, projected)."""
    device = bundle.device
    pooled = bundle.model.text_model(input_ids=tokens["input_ids"].to(device),
                                     attention_mask=tokens["attention_mask"].to(device)).pooler_output
    return bundle.model.text_projection(pooled)


def image_features(bundle: ClipBundle, pixels: torch.Tensor) -> torch.Tensor:
    pooled = bundle.model.vision_model(pixel_values=pixels.to(bundle.device, bundle.model.dtype)).pooler_output
    return bundle.model.visual_projection(pooled)


@torch.no_grad()
def embed_texts(bundle: ClipBundle, texts: list[str], batch: int = 64) -> torch.Tensor:
    """L2-normalised text embeddings, (N, D) float32 on the CPU."""
    out = []
    for start in range(0, len(texts), batch):
        tokens, _ = bundle.tokenize(texts[start:start + batch])
        out.append(torch.nn.functional.normalize(text_features(bundle, tokens).float(), dim=-1).cpu())
    return torch.cat(out)


@torch.no_grad()
def embed_images(bundle: ClipBundle, images: list[Image.Image], batch: int = 64) -> torch.Tensor:
    out = []
    for start in range(0, len(images), batch):
        features = image_features(bundle, bundle.pixels(images[start:start + batch]))
        out.append(torch.nn.functional.normalize(features.float(), dim=-1).cpu())
    return torch.cat(out)


# --- where a CLIP comes from ---------------------------------------------------------------


def build_tiny_clip(tokenizer_dir: Path | None = None) -> ClipBundle:
    """A tiny random-weight CLIP: 2-layer text and vision towers, 32 px images, fixed seed."""
    folder = tokenizer_dir or Path(tempfile.mkdtemp(prefix="tiny-clip-tokenizer-"))
    write_tiny_tokenizer(folder)
    tokenizer = CLIPTokenizer.from_pretrained(folder, model_max_length=CLIP_WINDOW, pad_token=END)
    text = CLIPTextConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                          num_attention_heads=4, max_position_embeddings=CLIP_WINDOW,
                          bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                          pad_token_id=tokenizer.pad_token_id)
    vision = CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                              image_size=32, patch_size=8)
    torch.manual_seed(TINY_CLIP_SEED)
    config = CLIPConfig(text_config=text.to_dict(), vision_config=vision.to_dict(), projection_dim=32)
    model = CLIPModel(config).eval()
    return ClipBundle(model, tokenizer, 32, CLIP_MEAN, CLIP_STD, TINY_CLIP_NAME, random_weights=True)


def _preprocessing(folder: Path, default_size: int) -> tuple[int, tuple, tuple]:
    config_file = folder / "preprocessor_config.json"
    if not config_file.is_file():
        return default_size, CLIP_MEAN, CLIP_STD
    config = json.loads(config_file.read_text())
    crop = config.get("crop_size", default_size)
    size = crop.get("height", default_size) if isinstance(crop, dict) else int(crop)
    return size, tuple(config.get("image_mean", CLIP_MEAN)), tuple(config.get("image_std", CLIP_STD))


def load_clip(folder: Path, name: str | None = None) -> ClipBundle:
    """A CLIPModel folder (config, weights, tokenizer files, optionally preprocessor_config.json)."""
    model = CLIPModel.from_pretrained(folder, local_files_only=True).eval()
    tokenizer = CLIPTokenizer.from_pretrained(folder, local_files_only=True)
    size, mean, std = _preprocessing(folder, int(model.config.vision_config.image_size))
    return ClipBundle(model, tokenizer, size, mean, std, name or str(folder), random_weights=False)


def cached_clip_folder(hub_id: str = DEFAULT_CLIP_HUB_ID) -> Path | None:
    """The hub id's snapshot in the local Hugging Face cache, or None (nothing is downloaded)."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(hub_id, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError):
        return None


def resolve_clip(wanted: str | None) -> ClipBundle:
    """`wanted`: a folder, a cached hub id, or None for CLIP ViT-L/14 from the cache, else tiny random."""
    if wanted:
        folder = Path(wanted).expanduser()
        if folder.is_dir():
            return load_clip(folder)
        cached = cached_clip_folder(wanted)
        if cached is None:
            raise FileNotFoundError(f"CLIP {wanted!r} is neither a folder nor a hub id in the local cache")
        return load_clip(cached, wanted)
    cached = cached_clip_folder()
    return load_clip(cached, DEFAULT_CLIP_HUB_ID) if cached else build_tiny_clip()
