"""The composite label: "Composite — not a photograph" on every copy that leaves Likeness.

A downloaded or exported composite carries the notice twice: visibly, as a caption band
under the picture (black text on white, full width), and as the PNG text chunk
`likeness:notice`, beside the recipe chunk. The stored evidence bytes are never changed
(their SHA-256 is the record); the labelled copy is made from them on the way out. The
screens show the label beside the image instead of burning it in.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from common.recipe import RECIPE_KEY
from common.settings import get_settings

NOTICE_KEY = "likeness:notice"
FACE_RECOGNITION_NOTICE = ("This composite is an artist's impression from a witness's memory. It is not a "
                           "photograph and must not be used for automated face-recognition search.")


def notice() -> str:
    return get_settings().composite_notice


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans where the system has it (it has the dash); else Pillow's own font."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        pass
    try:
        return ImageFont.load_default(size=size)
    except (OSError, ValueError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def _drawable(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> str:
    # Pillow's built-in font has no em dash; the text chunk keeps the exact wording.
    return text if "DejaVu" in str(getattr(font, "path", "")) else text.replace("—", "-").replace("–", "-")


def _band(width: int, text: str) -> Image.Image:
    """A white band as wide as the image, the notice centred in black, shrunk to fit."""
    size = max(10, width // 22)
    font = _font(size)
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    while size > 8 and draw.textlength(text, font=font) > width - 8:
        size -= 1
        font = _font(size)
    height = size * 2
    band = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(band)
    draw.line([(0, 0), (width, 0)], fill="black", width=max(1, size // 8))
    draw.text((width / 2, height / 2), _drawable(text, font), fill="black", font=font, anchor="mm")
    return band


def labelled_png(png: bytes, text: str | None = None) -> bytes:
    """The picture with the caption band under it; recipe chunk kept, notice chunk added."""
    text = text or notice()
    with Image.open(io.BytesIO(png)) as source:
        chunks = dict(getattr(source, "text", {}) or {})
        picture = source.convert("RGB")
    band = _band(picture.width, text)
    out = Image.new("RGB", (picture.width, picture.height + band.height), "white")
    out.paste(picture, (0, 0))
    out.paste(band, (0, picture.height))
    info = PngImagePlugin.PngInfo()
    if RECIPE_KEY in chunks:
        info.add_itxt(RECIPE_KEY, chunks[RECIPE_KEY])
    info.add_itxt(NOTICE_KEY, text)
    buffer = io.BytesIO()
    out.save(buffer, format="PNG", pnginfo=info, compress_level=6)
    return buffer.getvalue()
