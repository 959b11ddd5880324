"""A dataset pair as training and evaluation see it, and image-to-tensor helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageOps


@dataclass(frozen=True)
class Pair:
    description: str
    sketch: Image.Image
    photo: Image.Image | None = None
    split: str = "train"
    attributes: dict[str, Any] = field(default_factory=dict)
    key: str = ""  # the sketch's SHA-256 when it came from the blob store


def square(image: Image.Image, size: int) -> Image.Image:
    """Centre-cropped to a square and resized: sketches are portrait, the models want squares."""
    return ImageOps.fit(image.convert("RGB"), (size, size), Image.Resampling.LANCZOS)


def to_unit_tensor(images: list[Image.Image], size: int) -> torch.Tensor:
    """(N, 3, size, size) float32 in [0, 1]."""
    arrays = [np.asarray(square(image, size), dtype=np.float32) / 255.0 for image in images]
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()


def split(pairs: list[Pair], name: str) -> list[Pair]:
    return [p for p in pairs if p.split == name]
