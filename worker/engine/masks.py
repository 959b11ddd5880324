"""Feature-targeted refinement: the mask, its latent twin, and the final composite.

SD 1.5 is not an inpainting UNet (4 input channels, no mask channel), so a masked
round is img2img with the latents outside the mask pinned, after every step, to the
parent's own latents re-noised to that step's noise level (diffusers' "legacy
inpaint"). The generated pixels are then laid over the parent through the feathered
mask, in integers: where the mask is 0 the result is the parent's pixel exactly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageFilter

if TYPE_CHECKING:
    from diffusers import DiffusionPipeline  # the pipeline that calls the hook back

# A painted mask has a hard brush edge; its outward feather (a Gaussian sigma, as a fraction
# of the shorter image side) keeps the seam invisible: ~5 px on 512 px.
PAINTED_FEATHER = 0.01


@dataclass(frozen=True)
class RefineMask:
    """The mask a round repaints through, at the output size (mode "L", 255 = repaint)."""

    image: Image.Image
    source: str  # "region" | "painted"
    region: str | None
    upload_sha256: str | None  # the painted mask's blob, as uploaded

    @property
    def sha256(self) -> str:
        """SHA-256 of the mask as applied: "WxH\\n" then its 8-bit pixels, row by row."""
        header = f"{self.image.width}x{self.image.height}\n".encode()
        return hashlib.sha256(header + self.image.tobytes()).hexdigest()

    def recipe_entry(self) -> dict[str, str | None]:
        return {"source": self.source, "region": self.region, "upload_sha256": self.upload_sha256,
                "sha256": self.sha256}


def region_refine_mask(parent: Image.Image, region: str, size: tuple[int, int]) -> RefineMask:
    """The facial region's feathered mask, located on the parent as the API saw it.

    Raises common.faces.NoFaceError (its message says to paint a mask instead).
    """
    from common.faces import region_mask  # dlib: loaded only when a round asks for a region

    mask = region_mask(parent.convert("RGB"), region)
    return RefineMask(_fit(mask, size), "region", region, None)


def painted_refine_mask(path: Path, upload_sha256: str, size: tuple[int, int]) -> RefineMask:
    """The artist's painted mask (white = repaint), resized to the output and feathered outward."""
    with Image.open(path) as painted:
        mask = _fit(painted.convert("L"), size)
    sigma = PAINTED_FEATHER * min(size)
    # Outward only: everything painted stays fully repainted; the change fades out beyond it.
    soft = np.maximum(np.asarray(mask), np.asarray(mask.filter(ImageFilter.GaussianBlur(sigma))))
    return RefineMask(Image.fromarray(soft), "painted", None, upload_sha256)


def _fit(mask: Image.Image, size: tuple[int, int]) -> Image.Image:
    return mask if mask.size == size else mask.resize(size, Image.Resampling.BILINEAR)


def check_not_empty(mask: RefineMask) -> None:
    if not np.asarray(mask.image).any():
        raise ValueError("the mask is empty: paint the area the next round may change")


def latent_mask(mask: RefineMask, scale: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """(1, 1, h/scale, w/scale): 1 where any pixel of the latent's block may change, else 0.

    Max-pooled, so the free latents cover the whole feather band; the pixel composite,
    not the latent mask, decides how much of the change shows.
    """
    pixels = torch.from_numpy(np.asarray(mask.image, dtype=np.float32) / 255.0)[None, None]
    pooled = F.max_pool2d(pixels, kernel_size=scale, stride=scale)
    return (pooled > 0).to(device=device, dtype=dtype)


def composite(parent: Image.Image, generated: Image.Image, mask: RefineMask) -> Image.Image:
    """parent·(255-m) + generated·m, rounded, in integers: m = 0 gives the parent's pixel exactly."""
    p = np.asarray(parent.convert("RGB"), dtype=np.uint32)
    g = np.asarray(generated.convert("RGB"), dtype=np.uint32)
    m = np.asarray(mask.image, dtype=np.uint32)[..., None]
    blended = (p * (255 - m) + g * m + 127) // 255
    return Image.fromarray(blended.astype(np.uint8), "RGB")


class LatentPinning:
    """The per-step hook: outside the mask, the latents are the parent's, noised to the next step."""

    def __init__(self, parent_latents: torch.Tensor, noise: torch.Tensor, mask: torch.Tensor) -> None:
        self.parent_latents = parent_latents  # (N, 4, h, w), clean
        self.noise = noise  # the noise the pipeline itself added to them at the first step
        self.mask = mask  # (1, 1, h, w), 1 = free

    def __call__(self, pipe: DiffusionPipeline, step_index: int, latents: torch.Tensor) -> torch.Tensor:
        scheduler = pipe.scheduler
        remaining = scheduler.timesteps[len(scheduler.timesteps) - pipe.num_timesteps :]
        nxt = step_index + 1
        if nxt < len(remaining):
            # After step i the latents sit at the noise level of timestep i + 1.
            known = scheduler.add_noise(self.parent_latents, self.noise, remaining[nxt : nxt + 1])
        else:
            known = self.parent_latents  # the last step lands on the clean image
        return self.mask * latents + (1 - self.mask) * known
