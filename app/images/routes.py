from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from app.images import service
from app.users.deps import CurrentActor, Db

router = APIRouter(prefix="/api/images", tags=["images"])


@router.get("/{image_id}", response_class=Response,
            responses={200: {"content": {"image/png": {}}, "description": "the PNG, recipe in its iTXt chunk"}})
def get_image(image_id: uuid.UUID, db: Db, actor: CurrentActor) -> Response:
    image = service.get_image(db, actor, image_id)
    png = service.blob_store().get(image.sha256)
    # Content-addressed: the bytes behind this id never change.
    return Response(png, media_type="image/png",
                    headers={"Cache-Control": "private, max-age=31536000, immutable", "ETag": f'"{image.sha256}"'})
