"""GET /api/cases/{id}/uploads: a case's reference uploads, each with the other witness's face it matches
(app/sessions/references.py) and an admin's release, so the screen can show what to release."""

from __future__ import annotations

import io
import uuid
from typing import Any

import skimage.data
from fastapi.testclient import TestClient
from PIL import Image

from tests.app.conftest import run_queued
from tests.conftest import bearer
from tests.journey import FAST, ok, open_case


def _case(client: TestClient, headers: dict[str, str], prefix: str) -> dict[str, str]:
    return open_case(client, headers, f"{prefix}-{uuid.uuid4().hex[:8]}")


def _composite(client: TestClient, headers: dict[str, str]) -> tuple[dict[str, str], dict[str, Any], bytes]:
    """A first round of one candidate for a witness; returns the case ids, the session and the candidate's PNG."""
    ids = _case(client, headers, "LST")
    session = ok(client.post("/api/sessions", headers=headers, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 1, **FAST}), 201)
    run_queued()
    session = ok(client.get(f"/api/sessions/{session['id']}", headers=headers))
    return ids, session, client.get(session["rounds"][0]["candidates"][0]["image_url"], headers=headers).content


def _upload(client: TestClient, headers: dict[str, str], case_id: str, png: bytes, kind: str = "reference") -> str:
    return ok(client.post(f"/api/cases/{case_id}/uploads", headers=headers, data={"kind": kind},
                          files={"file": ("ref.png", png, "image/png")}), 201)["id"]


def _photo_png() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(skimage.data.astronaut()).resize((64, 64)).save(buffer, format="PNG")
    return buffer.getvalue()


def _listed(client: TestClient, headers: dict[str, str], case_id: str) -> list[dict[str, Any]]:
    return ok(client.get(f"/api/cases/{case_id}/uploads", headers=headers))


def test_lists_uploads_newest_first_with_the_face_each_matches(client: TestClient, artist: dict[str, str]) -> None:
    first, session, composite = _composite(client, artist)
    ids = _case(client, artist, "LST2")
    matching = _upload(client, artist, ids["case_id"], composite)
    photo = _upload(client, artist, ids["case_id"], _photo_png())
    # A photo reference used with Model 1 is stored again as a pencil sketch: that is not an upload.
    ok(client.post("/api/sessions", headers=artist, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 1,
        "model": "img2img", "reference_upload_id": photo, **FAST}), 201)

    listed = _listed(client, artist, ids["case_id"])
    assert [u["id"] for u in listed] == [photo, matching]
    assert listed[0]["match"] is None and listed[0]["released"] is None
    upload = listed[1]
    assert (upload["width"], upload["height"], upload["released"]) == (64, 64, None)
    case_reference = ok(client.get(f"/api/cases/{first['case_id']}", headers=artist))["reference"]
    assert upload["match"] == {
        "witness_id": first["witness_id"], "witness_name": "Jane Witness", "session_id": session["id"],
        "round_index": 1, "candidate_index": 0, "case_id": first["case_id"], "case_reference": case_reference,
        "hash_distance": 0}
    image = client.get(upload["image_url"], headers=artist)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"

    # Another artist's upload of the same face: the match says which witness, but not the name of a
    # witness or case that artist may not see.
    other = bearer(client, "other")
    theirs = _case(client, other, "LST3")
    _upload(client, other, theirs["case_id"], composite)
    match = _listed(client, other, theirs["case_id"])[0]["match"]
    assert match["witness_id"] == first["witness_id"] and match["case_id"] == first["case_id"]
    assert (match["witness_name"], match["case_reference"]) == (None, None)


def test_a_released_upload_says_why_by_whom_and_when(client: TestClient, artist: dict[str, str]) -> None:
    first, _session, composite = _composite(client, artist)
    ids = _case(client, artist, "REL")
    upload_id = _upload(client, artist, ids["case_id"], composite)
    admin = bearer(client, "boss")
    release = ok(client.post(f"/api/cases/{ids['case_id']}/uploads/{upload_id}/release", headers=admin,
                             json={"reason": "same offender, identification already made"}))

    (upload,) = _listed(client, artist, ids["case_id"])
    assert upload["released"] == {"reason": "same offender, identification already made", "by": "boss",
                                  "at": release["released_at"]}
    # Released, it still names the face it matches: the screen shows what was let through.
    assert upload["match"]["witness_id"] == first["witness_id"]


def test_another_artists_case_is_404(client: TestClient, artist: dict[str, str]) -> None:
    ids = _case(client, artist, "HID")
    _upload(client, artist, ids["case_id"], _photo_png())
    response = client.get(f"/api/cases/{ids['case_id']}/uploads", headers=bearer(client, "other"))
    assert response.status_code == 404 and "not found" in response.json()["detail"]
    assert len(_listed(client, bearer(client, "boss"), ids["case_id"])) == 1
    assert client.get(f"/api/cases/{uuid.uuid4()}/uploads", headers=artist).status_code == 404


def test_a_case_without_reference_uploads_lists_none(client: TestClient, artist: dict[str, str]) -> None:
    ids = _case(client, artist, "NONE")
    assert _listed(client, artist, ids["case_id"]) == []
    # A painted mask is an upload too, but never a reference.
    _upload(client, artist, ids["case_id"], _photo_png(), kind="mask")
    assert _listed(client, artist, ids["case_id"]) == []


def test_a_candidate_stored_before_hashes_were_kept_is_hashed_on_first_need(client: TestClient,
                                                                            artist: dict[str, str]) -> None:
    import sqlalchemy as sa

    from app.db import session_factory
    from app.images.models import Image as ImageRow

    first, _session, composite = _composite(client, artist)
    with session_factory()() as db:  # as a database from before perceptual hashes were stored
        db.execute(sa.update(ImageRow).where(ImageRow.kind == "candidate").values(phash=None))
        db.commit()
    ids = _case(client, artist, "OLD")
    _upload(client, artist, ids["case_id"], composite)
    (upload,) = _listed(client, artist, ids["case_id"])
    assert upload["match"]["witness_id"] == first["witness_id"] and upload["match"]["hash_distance"] == 0
    with session_factory()() as db:
        assert db.scalar(sa.select(sa.func.count()).where(ImageRow.kind == "candidate",
                                                          ImageRow.phash.is_(None))) == 0
