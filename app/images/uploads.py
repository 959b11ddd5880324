"""Uploaded photos, hand sketches and painted masks: checked, re-encoded, stored.

Nothing the client sent is stored as sent: the bytes must be a PNG, JPEG or WebP
by their magic number, small enough in bytes and in pixels (a decompression bomb
is refused before it is decoded), and are re-encoded to PNG, which drops EXIF, GPS
and every other piece of metadata.
"""

from __future__ import annotations

import io
import uuid
import warnings
from typing import Any

from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases.service import get_case
from app.errors import DomainError, InvalidError
from app.images.models import Image as StoredImage
from app.images.service import store_image
from app.users.actor import Actor
from common.recipe import encode_png, sha256_hex

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 36_000_000  # 6000 × 6000
MAX_SIDE = 8192
KINDS = ("reference", "mask")
_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"RIFF": "WEBP"}


class TooLargeError(DomainError):
    status_code = 413


def _format_of(data: bytes) -> str:
    for magic, name in _MAGIC.items():
        if data.startswith(magic) and (name != "WEBP" or data[8:12] == b"WEBP"):
            return name
    raise InvalidError("file: not a PNG, JPEG or WebP image (checked by content, not by name)")


def _decode(data: bytes, expected: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format != expected:
                raise InvalidError(f"file: content says {expected} but decodes as {probe.format}")
            width, height = probe.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise TooLargeError(f"file: {width}×{height} pixels is over the limit of {MAX_PIXELS:,} pixels "
                                    f"({MAX_SIDE} per side); scale the image down")
            probe.load()
            return ImageOps.exif_transpose(probe)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLargeError("file: too many pixels (decompression bomb refused)") from None
    except DomainError:
        raise
    except Exception as exc:
        raise InvalidError(f"file: the image could not be decoded ({type(exc).__name__})") from None


def store_upload(db: Session, actor: Actor, case_id: uuid.UUID, data: bytes, kind: str) -> StoredImage:
    case = get_case(db, actor, case_id)
    if kind not in KINDS:
        raise InvalidError(f"kind: must be one of {', '.join(KINDS)}")
    if len(data) > MAX_BYTES:
        raise TooLargeError(f"file: {len(data):,} bytes is over the limit of {MAX_BYTES:,}")
    if not data:
        raise InvalidError("file: empty upload")
    image = _decode(data, _format_of(data))
    clean = image.convert("L") if kind == "mask" else image.convert("RGB")
    provenance: dict[str, Any] = {"upload": {"kind": kind, "original_sha256": sha256_hex(data),
                                             "original_bytes": len(data), "by": actor.username}}
    png = encode_png(clean, provenance)
    stored = store_image(db, case.id, kind, png, clean.width, clean.height, provenance)
    record(db, actor, "upload.create", case_id=case.id, entity_type="image", entity_id=stored.id,
           details={"kind": kind, "sha256": stored.sha256, "original_sha256": provenance["upload"]["original_sha256"]})
    db.commit()
    return stored
