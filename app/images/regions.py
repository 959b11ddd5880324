"""Where a named region sits on an actual picture: the overlay the artist sees before drawing.

The round's mask is built by the worker from dlib's landmarks on the pick (common/faces.py
`region_mask`); this draws the same mask as a translucent tint, so what the screen shows
is what the next round may repaint. The face is found with the same full detector the
API's region check uses, so "no face" here means the round would be refused too.
"""

from __future__ import annotations

import functools
import io

import numpy as np
from PIL import Image as PILImage

from app.errors import InvalidError
from app.images.service import blob_store

TINT = (37, 99, 235)  # the painted-mask overlay's blue
TINT_ALPHA = 0.45


def region_overlay_png(sha256: str, region: str) -> bytes:
    """An RGBA PNG the size of the picture: the region tinted, the rest transparent.
    Raises InvalidError when no face is found (the region cannot be located)."""
    overlay = _overlay(sha256, region)
    if overlay is None:
        raise InvalidError(f"region: no face found on this picture, so the {region!r} region cannot be "
                           "located; paint a mask instead")
    return overlay


@functools.lru_cache(maxsize=64)
def _overlay(sha256: str, region: str) -> bytes | None:
    # Keyed by content: a stored picture never changes, and finding a face costs a detector pass.
    from common.faces import NoFaceError, region_mask

    with PILImage.open(io.BytesIO(blob_store().get(sha256))) as image:
        try:
            mask = region_mask(image.convert("RGB"), region)
        except NoFaceError:
            return None
    alpha = (np.asarray(mask, dtype=np.float32) * TINT_ALPHA).astype(np.uint8)
    rgba = np.zeros((*alpha.shape, 4), dtype=np.uint8)
    rgba[..., :3] = TINT
    rgba[..., 3] = alpha
    buffer = io.BytesIO()
    PILImage.fromarray(rgba, "RGBA").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
