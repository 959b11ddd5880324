"""Uploads: checked by content, limited in bytes and pixels, re-encoded without metadata."""

from __future__ import annotations

import io
import uuid

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from common.recipe import read_recipe
from tests.journey import ok, open_case


def _png(size: tuple[int, int] = (96, 80), **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 110, 100)).save(buffer, format="PNG", **save)
    return buffer.getvalue()


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture
def case_id(client: TestClient, artist: dict[str, str]) -> str:
    return open_case(client, artist, f"UP-{uuid.uuid4().hex[:6]}")["case_id"]


def test_upload_is_re_encoded_without_metadata(client: TestClient, artist: dict[str, str], case_id: str) -> None:
    data = _jpeg_with_exif()
    stored = ok(client.post(f"/api/cases/{case_id}/uploads", headers=artist,
                            files={"file": ("face.jpg", data, "image/jpeg")}, data={"kind": "reference"}), 201)
    assert (stored["width"], stored["height"], stored["kind"]) == (64, 48, "reference")
    png = client.get(stored["image_url"], headers=artist).content
    assert png.startswith(b"\x89PNG") and b"SecretCam" not in png
    assert read_recipe(png)["upload"]["original_bytes"] == len(data)


def test_a_mask_is_stored_single_channel(client: TestClient, artist: dict[str, str], case_id: str) -> None:
    stored = ok(client.post(f"/api/cases/{case_id}/uploads", headers=artist,
                            files={"file": ("mask.png", _png(), "image/png")}, data={"kind": "mask"}), 201)
    image = Image.open(io.BytesIO(client.get(stored["image_url"], headers=artist).content))
    assert image.mode == "L" and stored["kind"] == "mask"


@pytest.mark.parametrize(("payload", "status", "words"), [
    (b"GIF89a not allowed", 422, "not a PNG"),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, 422, "could not be decoded"),
    (b"", 422, "empty"),
])
def test_bad_files_are_refused(client: TestClient, artist: dict[str, str], case_id: str, payload: bytes,
                               status: int, words: str) -> None:
    response = client.post(f"/api/cases/{case_id}/uploads", headers=artist,
                           files={"file": ("x.png", payload, "image/png")}, data={"kind": "reference"})
    assert response.status_code == status and words in response.json()["detail"]


def test_decompression_bomb_is_413_not_a_warning(client: TestClient, artist: dict[str, str], case_id: str) -> None:
    # 20000 × 20000 of one colour compresses to a few hundred kB but would decode to 1.2 GB.
    bomb = io.BytesIO()
    Image.new("L", (20000, 20000)).save(bomb, format="PNG", optimize=True)
    response = client.post(f"/api/cases/{case_id}/uploads", headers=artist,
                           files={"file": ("bomb.png", bomb.getvalue(), "image/png")}, data={"kind": "reference"})
    assert response.status_code == 413 and "pixels" in response.json()["detail"]


def test_oversize_body_is_413(client: TestClient, artist: dict[str, str], case_id: str) -> None:
    huge = b"\x89PNG\r\n\x1a\n" + b"\0" * (22 * 1024 * 1024)
    response = client.post(f"/api/cases/{case_id}/uploads", headers=artist,
                           files={"file": ("huge.png", huge, "image/png")}, data={"kind": "reference"})
    assert response.status_code == 413


def test_unknown_kind_and_foreign_case(client: TestClient, artist: dict[str, str], case_id: str) -> None:
    response = client.post(f"/api/cases/{case_id}/uploads", headers=artist,
                           files={"file": ("a.png", _png(), "image/png")}, data={"kind": "evidence"})
    assert response.status_code == 422 and "kind" in response.json()["detail"]
    response = client.post(f"/api/cases/{uuid.uuid4()}/uploads", headers=artist,
                           files={"file": ("a.png", _png(), "image/png")})
    assert response.status_code == 404


def test_one_megabyte_description_is_stored_exactly(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, f"BIG-{uuid.uuid4().hex[:6]}")
    text = ("Ünïcödé ✓ — \u202e reversed \u0000? no: " + "x" * 100)
    text = (text * (1_000_000 // len(text)))[:1_000_000].replace("\u0000", "")
    stored = ok(client.post(f"/api/witnesses/{ids['witness_id']}/descriptions", headers=artist,
                            json={"text": text}), 201)
    assert ok(client.get(f"/api/descriptions/{stored['id']}", headers=artist))["text"] == text
    too_long = client.post(f"/api/witnesses/{ids['witness_id']}/descriptions", headers=artist,
                           json={"text": "y" * 1_000_001})
    assert too_long.status_code == 422 and "text" in too_long.json()["detail"]
