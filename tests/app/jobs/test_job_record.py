"""What the worker keeps of a drawn round besides its images: where the time went, a perceptual
hash taken from the pixels in hand, and the pictures for the next round's parent."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from PIL import Image as PILImage

from app.db import session_factory
from common.blobs import BlobNotFoundError
from tests.app.conftest import run_queued, start
from tests.conftest import Stack
from tests.journey import ok


def test_a_drawn_round_keeps_its_timings_hashes_and_pictures(client: TestClient, artist: dict[str, str]) -> None:
    from app.images.models import Image
    from app.images.service import blob_store
    from common.phash import dhash_png
    from worker.runtime import RecentImages, recent_images

    session = start(client, artist, candidates=2)
    run_queued()
    session = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    job = ok(client.get(f"/api/jobs/{session['rounds'][0]['job_id']}", headers=artist))
    timings = job["result"]["timings_ms"]
    assert {"claim", "draw", "progress", "encode", "rows"} <= timings.keys()
    assert all(ms >= 0 for ms in timings.values()) and timings["draw"] > timings["progress"] > 0

    with session_factory()() as db:
        images = db.scalars(sa.select(Image).where(Image.kind == "candidate")).all()
    assert len(images) == 2
    for image in images:
        png = blob_store().get(image.sha256)
        # The hash taken from the drawn pixels is the one the stored PNG gives.
        assert image.phash == dhash_png(png)
        # The next round's parent, from memory, is pixel for pixel the stored picture.
        with PILImage.open(io.BytesIO(png)) as stored:
            assert recent_images.open(image.sha256).tobytes() == stored.convert("RGB").tobytes()
        assert RecentImages().open(image.sha256).tobytes() == recent_images.open(image.sha256).tobytes()


def test_recent_images_keep_only_the_newest(sqlite_stack: Stack) -> None:
    from worker.runtime import RecentImages

    recent = RecentImages(capacity=2)
    for shade in range(3):
        recent.remember(f"{shade:064x}", PILImage.new("L", (4, 4), shade))
    assert recent.open(f"{2:064x}").mode == "RGB" and recent.open(f"{2:064x}").getpixel((0, 0)) == (2, 2, 2)
    assert recent.open(f"{1:064x}").getpixel((0, 0)) == (1, 1, 1)
    with pytest.raises(BlobNotFoundError):
        recent.open(f"{0:064x}")  # forgotten, so read from the blob store, where it never was
