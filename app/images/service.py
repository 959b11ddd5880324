"""Images: bytes in the content-addressed blob store, rows and recipes in the database."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from sqlalchemy.orm import Session

from app.cases.service import get_case
from app.errors import NotFoundError
from app.images.models import Image
from app.users.actor import Actor
from common.blobs import BlobStore
from common.settings import get_settings


@functools.cache
def blob_store() -> BlobStore:
    return BlobStore(get_settings().blob_dir)


def image_url(image_id: uuid.UUID) -> str:
    return f"/api/images/{image_id}"


def get_image(db: Session, actor: Actor, image_id: uuid.UUID) -> Image:
    image = db.get(Image, image_id)
    if image is None:
        raise NotFoundError(f"image {image_id} not found")
    try:
        get_case(db, actor, image.case_id)
    except NotFoundError:
        raise NotFoundError(f"image {image_id} not found") from None
    return image


def store_image(db: Session, case_id: uuid.UUID, kind: str, png: bytes, width: int, height: int,
                recipe: dict[str, Any]) -> Image:
    sha256 = blob_store().put(png)
    image = Image(sha256=sha256, case_id=case_id, kind=kind, width=width, height=height, recipe=recipe)
    db.add(image)
    db.flush()
    return image
