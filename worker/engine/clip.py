"""Model 2, CLIP fusion: the reference image's CLIP embedding, carried into the UNet's
cross-attention space and mixed into the text conditioning. No training needed.

CLIP puts text and images in one space through two projections: image_embeds =
visual_projection(pooled vision state) and text_embeds = W_t · pooled text state
(W_t: projection_dim x hidden). SD 1.5 conditions on the text encoder's final hidden
states, the space *before* W_t. The least-squares way back is the pseudo-inverse:
h = pinv(W_t) · ê, with ê the image embedding at unit length (CLIP compares by cosine,
so only its direction means anything). Then, token by token,

    c_j = (1 - w) · t_j + w · ‖t_j‖ · h / ‖h‖

so the image direction enters every token at that token's own length (SD's first
token is ~30x longer than the rest; one global scale would drown or ignore the image).
w = spec.fusion_weight; w = 0 is Model 1's conditioning exactly (the fusion is skipped).
The negative prompt is left alone, so guidance pushes toward the fused conditioning.

What the model folder must hold beside SD 1.5 (the tiny model has both):
- <model>/image_encoder: a CLIPVisionModelWithProjection matching the text encoder
  (openai/clip-vit-large-patch14 for SD 1.5; its full CLIPModel checkpoint also works);
- CLIP's text projection W_t: <model>/text_projection.safetensors (key "weight",
  projection_dim x hidden), or the text_projection.weight inside the full CLIPModel
  checkpoint in image_encoder/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from diffusers import StableDiffusionPipeline
from PIL import Image
from safetensors import safe_open
from safetensors.torch import load_file
from torch import nn
from transformers import CLIPVisionModelWithProjection

from worker.engine.hashing import files_sha256

# CLIP's own preprocessing constants (openai/clip-vit-*; CLIPImageProcessor's defaults).
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
IMAGE_ENCODER = "image_encoder"
TEXT_PROJECTION = "text_projection.safetensors"
CLIP_CACHE_NAME = ".likeness-clip-sha256.json"


class MissingComponentError(RuntimeError):
    """The model folder lacks a part a strategy needs; the message says what to put where."""


class TextProjection(nn.Module):
    """W_t as a module named like CLIPModel's, so a clip-lora adapter can target it too."""

    def __init__(self, weight: torch.Tensor) -> None:
        super().__init__()
        out_features, in_features = weight.shape
        self.text_projection = nn.Linear(in_features, out_features, bias=False)
        with torch.no_grad():
            self.text_projection.weight.copy_(weight)

    def matrix(self) -> torch.Tensor:
        """The effective (projection_dim, hidden) matrix, adapter included when one is applied."""
        layer = self.text_projection
        base = getattr(layer, "base_layer", layer)  # under a LoRA wrapper, the original Linear
        eye = torch.eye(base.in_features, device=base.weight.device, dtype=base.weight.dtype)
        with torch.no_grad():
            return layer(eye).T


@dataclass
class ClipParts:
    """The image side of CLIP and the text projection, loaded once per engine."""

    vision: CLIPVisionModelWithProjection
    projection: TextProjection
    sha256: str  # over image_encoder/ and text_projection.safetensors, as the model hash is


def load_clip_parts(model_path: Path, pipe: StableDiffusionPipeline, device: torch.device,
                    dtype: torch.dtype) -> ClipParts:
    folder = Path(model_path) / IMAGE_ENCODER
    vision = getattr(pipe, "image_encoder", None)
    if vision is None:
        if not (folder / "config.json").is_file():
            raise MissingComponentError(
                f"clip-fusion needs a CLIP image encoder: put openai/clip-vit-large-patch14 in {folder} "
                "(a CLIPVisionModelWithProjection, or the full CLIPModel checkpoint)"
            )
        vision = CLIPVisionModelWithProjection.from_pretrained(folder, local_files_only=True, dtype=dtype)
    vision = vision.to(device=device, dtype=dtype).eval()
    weight = _text_projection_weight(Path(model_path))
    _check_shapes(weight, vision, pipe)
    projection = TextProjection(weight.to(dtype)).to(device).eval()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    files += [p for p in [Path(model_path) / TEXT_PROJECTION] if p.is_file()]
    return ClipParts(vision, projection, files_sha256(Path(model_path), files, CLIP_CACHE_NAME))


def _text_projection_weight(model_path: Path) -> torch.Tensor:
    single = model_path / TEXT_PROJECTION
    if single.is_file():
        return load_file(single)["weight"]
    for file in sorted((model_path / IMAGE_ENCODER).glob("*.safetensors")):
        with safe_open(file, "pt") as handle:
            if "text_projection.weight" in handle.keys():  # noqa: SIM118 - safe_open has no __contains__
                return handle.get_tensor("text_projection.weight")
    raise MissingComponentError(
        "clip-fusion needs CLIP's text projection to carry the image embedding into the text token space: "
        f"put the full openai/clip-vit-large-patch14 checkpoint in {model_path / IMAGE_ENCODER}, or its "
        f"text_projection weight (projection_dim x hidden) as {single} under the key 'weight'"
    )


def _check_shapes(weight: torch.Tensor, vision: CLIPVisionModelWithProjection, pipe: StableDiffusionPipeline) -> None:
    hidden = pipe.text_encoder.config.hidden_size
    projection_dim = vision.config.projection_dim
    if tuple(weight.shape) != (projection_dim, hidden):
        raise MissingComponentError(
            f"the text projection is {tuple(weight.shape)}, but this CLIP pair needs ({projection_dim}, {hidden}) "
            "(image projection_dim x text hidden size): the image encoder does not match the text encoder"
        )


def clip_pixels(image: Image.Image, size: int) -> torch.Tensor:
    """(1, 3, size, size): shorter side to `size` (bicubic), centre crop, CLIP's mean and std."""
    image = image.convert("RGB")
    scale = size / min(image.size)
    resized = image.resize((max(size, round(image.width * scale)), max(size, round(image.height * scale))),
                           Image.Resampling.BICUBIC)
    left, top = (resized.width - size) // 2, (resized.height - size) // 2
    crop = resized.crop((left, top, left + size, top + size))
    pixels = torch.frombuffer(bytearray(crop.tobytes()), dtype=torch.uint8).reshape(size, size, 3)
    pixels = pixels.permute(2, 0, 1).float() / 255.0
    mean, std = torch.tensor(CLIP_MEAN)[:, None, None], torch.tensor(CLIP_STD)[:, None, None]
    return ((pixels - mean) / std)[None]


def image_direction(parts: ClipParts, image: Image.Image) -> torch.Tensor:
    """(1, hidden): the image's CLIP embedding at unit length, mapped back through pinv(W_t)."""
    param = next(parts.vision.parameters())
    pixels = clip_pixels(image, parts.vision.config.image_size).to(device=param.device, dtype=param.dtype)
    with torch.no_grad():
        embedding = parts.vision(pixel_values=pixels).image_embeds.float()
    embedding = embedding / embedding.norm(dim=-1, keepdim=True)
    # pinv in float32 on any device: half precision has no SVD.
    inverse = torch.linalg.pinv(parts.projection.matrix().float())  # (hidden, projection_dim)
    return embedding @ inverse.T


def fuse(tokens: torch.Tensor, direction: torch.Tensor, weight: float) -> torch.Tensor:
    """(1 - w)·t_j + w·‖t_j‖·ĥ for every token j; w = 0 returns `tokens` itself."""
    if weight == 0:
        return tokens
    unit = (direction / direction.norm(dim=-1, keepdim=True)).to(tokens.dtype)  # (1, hidden)
    lengths = tokens.norm(dim=-1, keepdim=True)  # (1, L, 1)
    return (1 - weight) * tokens + weight * lengths * unit[:, None, :]
