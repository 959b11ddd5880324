"""A cheap look at the latents after each step, without running the VAE decoder.

SD 1.x latents map to RGB almost linearly; these are the well-known 4x3 factors of
the "cheap approximation" (AUTOMATIC1111's sd_vae_approx), applied to the scaled
latents the denoising loop holds, then (x + 1) / 2 to [0, 1]. One latent pixel
becomes one preview pixel (64x64 for a 512x512 image); candidates sit side by side.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import torch
from PIL import Image

PreviewCallback = Callable[[int, Image.Image], object]

SD15_LATENT_RGB = (
    (0.298, 0.207, 0.208),
    (0.187, 0.286, 0.173),
    (-0.158, 0.189, 0.264),
    (-0.184, -0.271, -0.473),
)


def latents_to_preview(latents: torch.Tensor) -> Image.Image:
    """(N, 4, h, w) latents → one RGB image of N previews side by side, (N·w) x h."""
    factors = torch.tensor(SD15_LATENT_RGB, dtype=torch.float32, device=latents.device)
    rgb = torch.einsum("nchw,cr->hnwr", latents.detach().float(), factors)  # rows first: a horizontal strip
    pixels = ((rgb + 1) / 2).clamp(0, 1).mul(255).round().to(torch.uint8).cpu()
    height, count, width, _ = pixels.shape
    return Image.fromarray(pixels.reshape(height, count * width, 3).numpy(), "RGB")


class PreviewHook:
    """The per-step hook that hands on_preview(step_done, image) a preview; leaves the latents alone.

    With `every_s`, a step within that many seconds of the last preview gets none, and its latents
    are not converted at all: the conversion is a copy to the host, which on a GPU waits for the
    step to finish (the next step could otherwise be queued behind it) and on a CPU costs about a
    millisecond per step, for a picture the screen would not show."""

    def __init__(self, on_preview: PreviewCallback, every_s: float = 0.0) -> None:
        self.on_preview = on_preview
        self.every_s = every_s
        self._last = -math.inf

    def __call__(self, pipe: object, step_index: int, latents: torch.Tensor) -> torch.Tensor:
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            self.on_preview(step_index + 1, latents_to_preview(latents))
        return latents
