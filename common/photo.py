"""Is this picture a photograph or a drawing? A simple, documented check.

A composite must never come out as, or pass for, a photograph. Two measures, on a
copy at most 256 px on its longer side:

- colour: the mean HSV saturation (0-1). Pencil, charcoal and ink sketches are grey;
  a colour photograph is not. Above COLOUR_SATURATION the picture is photographic.
- pencil-likeness: the share of "paper" pixels (luminance at least PAPER_LUMA of 255).
  A drawing is strokes on mostly bare paper; a photograph, even a grey one, fills the
  frame with mid-tones. Below MIN_PAPER the picture is photographic.

Either measure is enough. The check is deliberately cheap and conservative: it flags
for a person to look at, it does not prove anything. Torch-free (Pillow and numpy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

COLOUR_SATURATION = 0.15
PAPER_LUMA = 200
MIN_PAPER = 0.35
_MAX_SIDE = 256


@dataclass(frozen=True)
class PhotoCheck:
    photographic: bool
    saturation: float  # mean HSV saturation, 0-1
    paper: float  # share of pixels at least PAPER_LUMA bright, 0-1

    @property
    def reason(self) -> str:
        if self.saturation > COLOUR_SATURATION:
            return f"colour (mean saturation {self.saturation:.2f} > {COLOUR_SATURATION})"
        if self.paper < MIN_PAPER:
            return f"few paper-white pixels ({self.paper:.0%} < {MIN_PAPER:.0%})"
        return "looks drawn"


def photo_check(image: Image.Image) -> PhotoCheck:
    small = image.convert("RGB")
    if max(small.size) > _MAX_SIDE:
        small = small.copy()
        small.thumbnail((_MAX_SIDE, _MAX_SIDE))
    saturation = float(np.asarray(small.convert("HSV"), dtype=np.float32)[..., 1].mean() / 255.0)
    paper = float((np.asarray(small.convert("L")) >= PAPER_LUMA).mean())
    photographic = saturation > COLOUR_SATURATION or paper < MIN_PAPER
    return PhotoCheck(photographic=photographic, saturation=round(saturation, 4), paper=round(paper, 4))


def looks_photographic(image: Image.Image) -> bool:
    return photo_check(image).photographic
