"""What every package and every downloaded composite says about itself: the composite label
(a visible band and a PNG text chunk), the export's purpose, no face-recognition search by
default, the witness's statement and confidence, and a report that reads as a document."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from app.exports.verify import verify_package
from common.recipe import read_recipe, sha256_hex
from tests.app.conftest import run_queued
from tests.conftest import bearer
from tests.exporting import export, members
from tests.journey import FAST, ok, open_case

NOTICE = "Composite — not a photograph"
STATEMENT = "It looks like him \u202eesle\u202c, the eyes mostly"


def assert_labelled(labelled: bytes, bare: bytes) -> None:
    """The bare picture on top, unchanged; under it a band with dark text on white; both chunks."""
    with Image.open(io.BytesIO(bare)) as b, Image.open(io.BytesIO(labelled)) as lab:
        top = np.asarray(lab.convert("RGB"))[: b.height]
        band = np.asarray(lab.convert("L"))[b.height:]
        assert lab.width == b.width and lab.height > b.height
        assert np.array_equal(top, np.asarray(b.convert("RGB")))
        # The band is not the picture: mostly white paper, with dark text pixels in it.
        assert (band > 200).mean() > 0.5 and (band < 80).sum() > 10
        assert lab.text["likeness:notice"] == NOTICE
    assert read_recipe(labelled) == read_recipe(bare)


def _round(client: TestClient, headers: dict[str, str], session_id: str, pick: str, **params: Any) -> dict:
    ok(client.post(f"/api/sessions/{session_id}/rounds", headers=headers,
                   json={"candidate_id": pick, "rating": 5, "feedback": "the nose was wider", **params}), 201)
    run_queued()
    return ok(client.get(f"/api/sessions/{session_id}", headers=headers))


def _branched_case(client: TestClient, artist: dict[str, str]) -> dict[str, Any]:
    """Round 1 → R1·2 refined in round 2 (guidance 5) → approved R2·1; round 3 (guidance 12)
    branched from R1·1 and was abandoned. The second description carries a bidi override."""
    ids = open_case(client, artist, f"DOC-{uuid.uuid4().hex[:6]}")
    ok(client.post(f"/api/witnesses/{ids['witness_id']}/descriptions", headers=artist,
                   json={"text": "thin face, long dark hair \u202egnol\u202c"}), 201)
    session = ok(client.post("/api/sessions", headers=artist, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 2, **FAST}), 201)
    run_queued()
    session = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    first = session["rounds"][0]["candidates"]
    session = _round(client, artist, session["id"], first[1]["id"], guidance=5.0)
    session = _round(client, artist, session["id"], first[0]["id"], guidance=12.0)
    final = session["rounds"][1]["candidates"][0]
    return ok(client.post(f"/api/sessions/{session['id']}/approve", headers=artist,
                          json={"candidate_id": final["id"], "statement": STATEMENT, "confidence": 7}))


def test_download_carries_the_label_and_the_screen_image_does_not(client: TestClient,
                                                                  artist: dict[str, str]) -> None:
    ids = open_case(client, artist, f"LAB-{uuid.uuid4().hex[:6]}")
    session = ok(client.post("/api/sessions", headers=artist, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 1, **FAST}), 201)
    run_queued()
    candidate = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    bare = client.get(candidate["image_url"], headers=artist)
    assert sha256_hex(bare.content) == candidate["image_sha256"]  # the stored evidence, unchanged
    assert "likeness:notice" not in Image.open(io.BytesIO(bare.content)).text
    download = client.get(f"{candidate['image_url']}/download", headers=artist)
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert_labelled(download.content, bare.content)


def test_export_needs_a_purpose_and_refuses_face_recognition(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, f"PUR-{uuid.uuid4().hex[:6]}")
    url = f"/api/cases/{ids['case_id']}/export"
    assert client.get(url, headers=artist).status_code == 422
    assert client.get(url, headers=artist, params={"purpose": "curiosity"}).status_code == 422
    refused = client.get(url, headers=artist, params={"purpose": "face-recognition"})
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    enable = f"/api/cases/{ids['case_id']}/face-recognition"
    assert client.post(enable, headers=artist, json={"reason": "x"}).status_code == 403
    admin = bearer(client, "boss")
    enabled = ok(client.post(enable, headers=admin, json={"reason": "court order 12/2026"}))
    assert enabled["enabled"] and enabled["reason"] == "court order 12/2026"
    manifest = json.loads(members(export(client, artist, ids["case_id"], "face-recognition"))["manifest.json"])
    assert manifest["purpose"] == "face-recognition"
    assert manifest["face_recognition_enabled"]["reason"] == "court order 12/2026"
    trail = ok(client.get(f"/api/audit?case_id={ids['case_id']}", headers=admin))
    exports = sorted((e for e in trail if e["action"] == "case.export"), key=lambda e: int(e["id"]))  # newest first
    assert [(e["outcome"], e["details"]["purpose"]) for e in exports] == [
        ("refused", "face-recognition"), ("success", "face-recognition")]


def test_package_is_labelled_and_the_report_reads_as_a_document(client: TestClient, artist: dict[str, str],
                                                                tmp_path: Any) -> None:
    session = _branched_case(client, artist)
    package = export(client, artist, session["case_id"], "public-appeal")
    files = members(package)
    manifest = json.loads(files["manifest.json"])
    assert manifest["purpose"] == "public-appeal" and manifest["notice"] == NOTICE
    assert "face-recognition" in manifest["face_recognition"]
    # A labelled copy of every composite beside the stored original.
    candidates = [i for i in manifest["images"] if i["kind"] == "candidate"]
    assert len(manifest["labelled_images"]) == len(candidates) == 6
    for entry in manifest["labelled_images"]:
        original = next(i for i in candidates if i["image_id"] == entry["image_id"])
        assert sha256_hex(files[original["path"]]) == original["sha256"]  # evidence bytes unchanged
        assert_labelled(files[entry["path"]], files[original["path"]])
    (tmp_path / "p.zip").write_bytes(package)
    assert verify_package(tmp_path / "p.zip").ok

    interview = json.loads(files["interview.json"])
    exported = interview["sessions"][0]
    assert exported["approval"] == {"statement": STATEMENT, "confidence": 7}
    assert exported["approved_lineage"] == [1, 2]
    assert interview["witnesses"][0]["descriptions"][1]["diff"]

    report = files["report.html"].decode()
    assert NOTICE in report and "not be used for automated face-recognition search" in report
    assert "Public appeal" in report
    # The screen's numbers: R1·2 led to round 2; the approved composite is R2·1; nothing counts from 0.
    assert "Refines</th><td>R1·2" in report and "Approved composite: R2·1" in report
    assert "Candidate R1·1," in report and "Candidate 0," not in report
    # Witness text shows its invisible characters; the statement and confidence are there.
    assert "⟨U+202E⟩" in report and "\u202e" not in report
    assert "It looks like him ⟨U+202E⟩esle⟨U+202C⟩, the eyes mostly" in report
    assert "confidence in the likeness (0-10)</th><td>7" in report
    assert "<ins>" in report and "<del>" in report  # the description's second version, diffed
    # Settings of the approved lineage (round 2, guidance 5), not of the abandoned branch (guidance 12).
    approved = report.split("Settings that drew the approved composite", 1)[1].split("<h4>", 1)[0]
    assert "Guidance scale</th><td>5.0" in approved and "12.0" not in approved
    assert "Round 3 (a branch not in the approved lineage)" in report
    # Readable labels, not JSON or snake_case.
    assert "fusion_weight" not in report and '{"' not in report and "Age range" in report
