"""Recipes travel inside the PNG: an iTXt chunk holding canonical JSON.

The same bytes go to the blob store, the API and the export, so one function
writes them (fixed compression, sorted keys) and a regeneration from the recipe
reproduces the file bit for bit.
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

from PIL import Image, PngImagePlugin

RECIPE_KEY = "likeness:recipe"


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def encode_png(image: Image.Image, recipe: dict[str, Any]) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_itxt(RECIPE_KEY, canonical_json(recipe))
    buffer = io.BytesIO()
    # Sketches are RGB; masks stay single-channel.
    image = image if image.mode in ("RGB", "L") else image.convert("RGB")
    image.save(buffer, format="PNG", pnginfo=info, compress_level=1)
    return buffer.getvalue()


def read_recipe(png: bytes) -> dict[str, Any] | None:
    with Image.open(io.BytesIO(png)) as image:
        text = image.text.get(RECIPE_KEY) if hasattr(image, "text") else None
    return json.loads(text) if text else None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
