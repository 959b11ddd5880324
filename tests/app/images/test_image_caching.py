"""Issue 12, item 13: composite and reference images never stay in a browser's disk cache."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image

from tests.journey import ok, open_case


def test_stored_images_are_sent_no_store(client: TestClient, artist: dict[str, str]) -> None:
    case_id = open_case(client, artist, "CACHE-1")["case_id"]
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 20, 30)).save(buffer, format="PNG")
    stored = ok(client.post(f"/api/cases/{case_id}/uploads", headers=artist,
                            files={"file": ("face.png", buffer.getvalue(), "image/png")}), 201)
    answer = client.get(stored["image_url"], headers=artist)
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    cache = answer.headers["cache-control"]
    assert "no-store" in cache and "immutable" not in cache and "max-age=31536000" not in cache
