"""Perceptual hashes: one witness's composites never reach another witness.

A 64-bit difference hash (dHash): the picture shrunk to 9×8 grey pixels, one bit per
pair of horizontal neighbours (is the left one brighter?). Re-encoding, resizing,
mild blur or compression change few bits; a different face changes about half.
Two hashes at most MATCH_BITS apart are taken as the same picture.
"""

from __future__ import annotations

import io

from PIL import Image

MATCH_BITS = 10


def dhash(image: Image.Image) -> str:
    grey = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = list(grey.getdata())
    bits = 0
    for row in range(8):
        for col in range(8):
            left, right = pixels[row * 9 + col], pixels[row * 9 + col + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return f"{bits:016x}"


def dhash_png(png: bytes) -> str:
    with Image.open(io.BytesIO(png)) as image:
        return dhash(image)


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def matches(a: str, b: str) -> bool:
    return distance(a, b) <= MATCH_BITS
