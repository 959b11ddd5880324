"""Forensic safeguards on the session side: exposure recorded by the server and capped, no other
witness's face as a reference, photo references sketchified for every model, approval with the
witness's statement and confidence, and one face detector for the "no face" badge and regions."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import skimage.data
from fastapi.testclient import TestClient
from PIL import Image

from app.db import session_factory
from app.images.service import blob_store, store_image
from app.sessions.models import Candidate
from common.faces import photo_to_pencil_sketch
from common.photo import photo_check
from common.recipe import encode_png
from tests.app.conftest import run_queued
from tests.conftest import Stack, bearer, make_user
from tests.journey import FAST, ok, open_case


@pytest.fixture(params=["sqlite", "postgres"])
def any_client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """The embedded default, and Postgres + Redis (jobs still run in-process through the worker glue)."""
    stack: Stack = request.getfixturevalue("sqlite_stack" if request.param == "sqlite" else "postgres_stack")
    assert stack.data_dir.is_dir()
    from app.main import create_app

    make_user("artist")
    make_user("boss", "admin")
    with TestClient(create_app()) as test_client:
        yield test_client


def _session(client: TestClient, headers: dict[str, str], candidates: int = 2, **params: Any) -> dict[str, Any]:
    ids = open_case(client, headers, f"SG-{uuid.uuid4().hex[:8]}")
    body = {"witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": candidates,
            **FAST, **params}
    session = ok(client.post("/api/sessions", headers=headers, json=body), 201)
    run_queued()
    return ok(client.get(f"/api/sessions/{session['id']}", headers=headers))


def _witness_browser(client: TestClient, headers: dict[str, str], session_id: str) -> tuple[TestClient, dict]:
    link = ok(client.post(f"/api/sessions/{session_id}/witness-link", headers=headers, json={}), 201)
    witness = TestClient(client.app)
    view = ok(witness.post("/api/witness/exchange", json={"token": link["url"].split("#", 1)[1]}))
    return witness, view


def _set_cap(monkeypatch: pytest.MonkeyPatch, cap: int) -> None:
    from common.settings import get_settings

    monkeypatch.setenv("LIKENESS_EXPOSURE_CAP", str(cap))
    get_settings.cache_clear()


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(client: TestClient, headers: dict[str, str], case_id: str, png: bytes) -> dict[str, Any]:
    return ok(client.post(f"/api/cases/{case_id}/uploads", headers=headers, data={"kind": "reference"},
                          files={"file": ("ref.png", png, "image/png")}), 201)


# --- exposure --------------------------------------------------------------------


def test_witness_view_image_fetch_is_recorded_as_shown(client: TestClient, artist: dict[str, str]) -> None:
    session = _session(client, artist)
    assert session["exposures"] == 0 and session["exposure_cap"] == 60 and session["warning"] is None
    witness, view = _witness_browser(client, artist, session["id"])
    candidate = view["rounds"][0]["candidates"][0]
    assert witness.get(candidate["image_url"]).status_code == 200  # no call to /shown: the fetch is the record
    after = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    assert after["exposures"] == 1 and after["rounds"][0]["candidates"][0]["shown_count"] == 1
    assert ok(client.get(f"/api/witnesses/{session['witness_id']}", headers=artist))["exposures"] == 1
    # The same face again is shown once more, but is still one face seen.
    witness.get(candidate["image_url"])
    again = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    assert again["exposures"] == 1 and again["rounds"][0]["candidates"][0]["shown_count"] == 2
    events = ok(client.get(f"/api/audit?case_id={session['case_id']}", headers=bearer(client, "boss")))
    shown = [e for e in events if e["action"] == "candidate.shown"]
    assert len(shown) == 2 and shown[0]["details"]["via"] == "witness-link" and shown[0]["role"] == "witness"


def test_artist_screen_records_faces_while_the_witness_looks(client: TestClient, artist: dict[str, str]) -> None:
    session = _session(client, artist)
    url = session["rounds"][0]["candidates"][1]["image_url"]
    assert client.get(url, headers=artist).status_code == 200  # the artist alone: not an exposure
    assert ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["exposures"] == 0
    response = client.get(url, headers=artist, params={"witness_viewing": 1})
    assert response.status_code == 200 and "no-store" in response.headers["cache-control"]
    after = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    assert after["exposures"] == 1 and after["rounds"][0]["candidates"][1]["shown_count"] == 1


def test_cap_refuses_a_round_past_it_unless_a_reason_is_given(any_client: TestClient,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    client, artist = any_client, bearer(any_client, "artist")
    _set_cap(monkeypatch, 2)
    session = _session(client, artist)
    witness, view = _witness_browser(client, artist, session["id"])
    for candidate in view["rounds"][0]["candidates"]:
        witness.get(candidate["image_url"])
    seen = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    assert (seen["exposures"], seen["exposure_cap"]) == (2, 2) and "2" in seen["warning"]
    pick = {"candidate_id": seen["rounds"][0]["candidates"][0]["id"], "rating": 5, "feedback": "wider"}
    refused = client.post(f"/api/sessions/{session['id']}/rounds", headers=artist, json=pick)
    assert refused.status_code == 409, refused.text
    assert "cap of 2" in refused.json()["detail"] and "shown 2 faces" in refused.json()["detail"]
    assert len(ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"]) == 1
    # The witness's own link cannot give a reason: refused as well.
    csrf = {"X-CSRF-Token": view["csrf_token"]}
    assert witness.post("/api/witness/rounds", headers=csrf, json={"candidate_id": pick["candidate_id"]}
                        ).status_code == 409
    lifted = ok(client.post(f"/api/sessions/{session['id']}/rounds", headers=artist,
                            json={**pick, "exposure_reason": "witness asked to continue; fresh recall"}), 201)
    assert lifted["rounds"][1]["exposure_reason"] == "witness asked to continue; fresh recall"
    events = ok(client.get(f"/api/audit?case_id={session['case_id']}", headers=bearer(client, "boss")))
    override = [e for e in events if e["action"] == "exposure.cap_override"]
    assert override and override[0]["details"]["cap"] == 2 and override[0]["details"]["exposures"] == 2


def test_warning_from_three_quarters_of_the_cap(client: TestClient, artist: dict[str, str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _set_cap(monkeypatch, 4)
    session = _session(client, artist, candidates=3)
    witness, view = _witness_browser(client, artist, session["id"])
    faces = view["rounds"][0]["candidates"]
    witness.get(faces[0]["image_url"])
    witness.get(faces[1]["image_url"])
    assert ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["warning"] is None  # 2 of 4
    witness.get(faces[2]["image_url"])
    warned = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))  # 3 of 4 = 75%
    assert warned["warning"] and "3 of 4" in warned["warning"]
    assert ok(client.get(f"/api/witnesses/{session['witness_id']}", headers=artist))["warning"] == warned["warning"]


# --- the witness view ends with its session ----------------------------------------


def test_witness_view_ends_when_the_session_is_approved(client: TestClient, artist: dict[str, str]) -> None:
    session = _session(client, artist)
    witness, view = _witness_browser(client, artist, session["id"])
    candidate = view["rounds"][0]["candidates"][0]
    ok(client.post(f"/api/sessions/{session['id']}/approve", headers=artist,
                   json={"candidate_id": candidate["id"], "statement": "It is him", "confidence": 6}))
    ended = ok(witness.get("/api/witness/session"))
    assert ended["ended"] is True and ended["status"] == "approved" and ended["rounds"] == []
    assert witness.get(candidate["image_url"]).status_code == 401


# --- approval ------------------------------------------------------------------------


def test_approve_needs_the_statement_and_confidence(client: TestClient, artist: dict[str, str]) -> None:
    session = _session(client, artist, candidates=1)
    candidate_id = session["rounds"][0]["candidates"][0]["id"]
    url = f"/api/sessions/{session['id']}/approve"
    assert client.post(url, headers=artist, json={"candidate_id": candidate_id}).status_code == 422
    assert client.post(url, headers=artist, json={"candidate_id": candidate_id, "statement": "",
                                                  "confidence": 5}).status_code == 422
    assert client.post(url, headers=artist, json={"candidate_id": candidate_id, "statement": "yes",
                                                  "confidence": 11}).status_code == 422
    assert ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["status"] == "active"
    approved = ok(client.post(url, headers=artist, json={"candidate_id": candidate_id,
                                                         "statement": "The eyes are his.", "confidence": 8}))
    assert (approved["approval_statement"], approved["approval_confidence"]) == ("The eyes are his.", 8)


# --- references: another witness's face, photographs ---------------------------------------


def test_another_witness_composite_as_reference_is_refused(any_client: TestClient) -> None:
    client, artist, admin = any_client, bearer(any_client, "artist"), bearer(any_client, "boss")
    first = _session(client, artist, candidates=1)
    composite = client.get(first["rounds"][0]["candidates"][0]["image_url"], headers=artist).content
    # Another case, another witness: the first witness's candidate comes back as an upload.
    ids = open_case(client, artist, f"SG2-{uuid.uuid4().hex[:8]}")
    upload = _upload(client, artist, ids["case_id"], composite)
    body = {"witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 1,
            "reference_upload_id": upload["id"], **FAST}
    refused = client.post("/api/sessions", headers=artist, json=body)
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert first["witness_id"] in detail and "round 1" in detail and "R1·1" in detail
    release = f"/api/cases/{ids['case_id']}/uploads/{upload['id']}/release"
    assert client.post(release, headers=artist, json={"reason": "mine"}).status_code == 403
    assert client.post(release, headers=admin, json={"reason": ""}).status_code == 422
    ok(client.post(release, headers=admin, json={"reason": "same offender, identification already made"}))
    ok(client.post("/api/sessions", headers=artist, json=body), 201)
    events = ok(client.get(f"/api/audit?case_id={ids['case_id']}", headers=admin))
    release_event = next(e for e in events if e["action"] == "upload.release")
    assert release_event["details"]["reason"].startswith("same offender")


def test_own_witness_reference_is_not_refused(client: TestClient, artist: dict[str, str]) -> None:
    first = _session(client, artist, candidates=1)
    composite = client.get(first["rounds"][0]["candidates"][0]["image_url"], headers=artist).content
    upload = _upload(client, artist, first["case_id"], composite)
    ok(client.post("/api/sessions", headers=artist, json={
        "witness_id": first["witness_id"], "description_id": first["description_id"], "candidates": 1,
        "reference_upload_id": upload["id"], **FAST}), 201)


def _photo() -> Image.Image:
    return Image.fromarray(skimage.data.astronaut()).resize((64, 64))


def test_photo_reference_with_model_1_is_sketchified(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, f"PH-{uuid.uuid4().hex[:8]}")
    upload = _upload(client, artist, ids["case_id"], _png(_photo()))
    session = ok(client.post("/api/sessions", headers=artist, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 1,
        "model": "img2img", "reference_upload_id": upload["id"], **FAST}), 201)
    settings = session["rounds"][0]["settings"]
    assert settings["mode"] == "img2img" and settings["sketchify_reference"] is True
    # The round starts from a stored pencil sketch of the photo, never from the photo itself.
    assert settings["parent_sha256"] != upload["sha256"]
    start = Image.open(io.BytesIO(blob_store().get(settings["parent_sha256"])))
    assert not photo_check(start).photographic and photo_check(_photo()).photographic
    expected = np.asarray(photo_to_pencil_sketch(Image.open(io.BytesIO(blob_store().get(upload["sha256"])))))
    assert np.array_equal(np.asarray(start.convert("RGB")), expected)
    run_queued()
    candidate = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    recipe = client.get(candidate["image_url"], headers=artist)
    from common.recipe import read_recipe

    assert read_recipe(recipe.content)["parent_sha256"] == settings["parent_sha256"]
    assert candidate["photographic"] is not None  # checked by the worker beside the face


def test_photo_reference_with_model_2_is_sketchified_in_the_engine(client: TestClient,
                                                                   artist: dict[str, str]) -> None:
    session = _session(client, artist, candidates=1)
    upload = _upload(client, artist, session["case_id"], _png(_photo()))
    pick = session["rounds"][0]["candidates"][0]["id"]
    after = ok(client.post(f"/api/sessions/{session['id']}/rounds", headers=artist, json={
        "candidate_id": pick, "model": "clip-fusion", "reference_upload_id": upload["id"]}), 201)
    settings = after["rounds"][1]["settings"]
    assert settings["reference_sha256"] == upload["sha256"] and settings["sketchify_reference"] is True


# --- one detector for the "no face" badge and the region check -----------------------------


def _small_sketch() -> Image.Image:
    # At 128 px the one-pass (quick) detector misses this sketch's face; the full detector finds it.
    return photo_to_pencil_sketch(Image.fromarray(skimage.data.astronaut())).resize((128, 128))


def test_no_face_badge_and_region_check_agree(client: TestClient, artist: dict[str, str]) -> None:
    from worker.tasks import follow_up

    session = _session(client, artist, candidates=1)
    candidate_id = uuid.UUID(session["rounds"][0]["candidates"][0]["id"])
    sketch = _small_sketch()
    with session_factory()() as db:
        image = store_image(db, uuid.UUID(session["case_id"]), "candidate", encode_png(sketch, {}), 128, 128, {})
        db.get(Candidate, candidate_id).image_id = image.id  # type: ignore[union-attr]
        db.commit()
    # The worker's badge uses the full detector, as the region check does: a face is found.
    # Through the worker's follow-up (a niced thread of its own): called here, it would nice this
    # test process's main thread, and every process the later tests start would inherit it.
    follow_up([candidate_id], [sketch], None).result(timeout=120)
    with session_factory()() as db:
        assert db.get(Candidate, candidate_id).face_found is True  # type: ignore[union-attr]
        db.get(Candidate, candidate_id).face_found = False  # type: ignore[union-attr]
        db.commit()
    # A candidate marked "no face" is never refined by region, whatever a second look would find.
    refused = client.post(f"/api/sessions/{session['id']}/rounds", headers=artist, json={
        "candidate_id": str(candidate_id), "region": "nose", "feedback": "wider nose"})
    assert refused.status_code == 422 and "no face" in refused.json()["detail"]
