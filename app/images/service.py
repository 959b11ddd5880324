"""Images: bytes in the content-addressed blob store, rows and recipes in the database."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases.service import can_see
from app.errors import InvalidError, NotFoundError
from app.images.models import Image
from app.jobs.models import Job
from app.jobs.queue import publish_job
from app.users.actor import Actor
from common.blobs import BlobStore
from common.phash import dhash_png
from common.settings import get_settings


@functools.cache
def blob_store() -> BlobStore:
    return BlobStore(get_settings().blob_dir)


def image_url(image_id: uuid.UUID) -> str:
    return f"/api/images/{image_id}"


def get_image(db: Session, actor: Actor, image_id: uuid.UUID) -> Image:
    image = db.get(Image, image_id)
    if image is None or not can_see(db, actor, image.case_id):
        raise NotFoundError(f"image {image_id} not found")
    return image


def store_image(db: Session, case_id: uuid.UUID, kind: str, png: bytes, width: int, height: int,
                recipe: dict[str, Any], phash: str | None = None, stored_as: str | None = None) -> Image:
    """`phash`: the caller's dHash of the same pixels, when it has them decoded already.
    `stored_as`: the SHA-256 under which the caller already put `png` in the blob store."""
    sha256 = stored_as or blob_store().put(png)
    if phash is None and kind != "mask":
        phash = dhash_png(png)
    image = Image(sha256=sha256, case_id=case_id, kind=kind, width=width, height=height, recipe=recipe, phash=phash)
    db.add(image)
    db.flush()
    return image


def request_verify(db: Session, actor: Actor, image_id: uuid.UUID) -> Job:
    """Queues a worker to redraw the image from its recipe and compare the bytes."""
    image = get_image(db, actor, image_id)
    if image.kind != "candidate":
        raise InvalidError(f"image {image_id} is an upload; only generated images have a recipe to redraw")
    job = Job(case_id=image.case_id, kind="verify", spec={"image_id": str(image.id)})
    db.add(job)
    db.flush()
    record(db, actor, "image.verify_request", case_id=image.case_id, entity_type="image", entity_id=image.id,
           details={"job_id": str(job.id), "sha256": image.sha256})
    db.commit()
    publish_job(job.id, "verify")
    return job
