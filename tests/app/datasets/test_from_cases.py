"""Approved composites of closed, released cases become a training dataset; nothing else does."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.app.conftest import run_queued, start
from tests.conftest import bearer
from tests.journey import ok


def _approved_case(client: TestClient, artist: dict[str, str]) -> dict:
    session = start(client, artist, candidates=1)
    run_queued()
    candidate = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    ok(client.post(f"/api/sessions/{session['id']}/approve", headers=artist,
                   json={"candidate_id": candidate["id"], "statement": "yes", "confidence": 8}))
    ok(client.patch(f"/api/cases/{session['case_id']}", headers=artist, json={"status": "closed"}))
    return {**session, "composite_sha256": candidate["image_sha256"]}


def test_only_released_closed_cases_become_a_dataset(client: TestClient, artist: dict[str, str]) -> None:
    admin = bearer(client, "boss")
    released = [_approved_case(client, artist) for _ in range(2)]
    _approved_case(client, artist)  # closed and approved, but never released
    refused = client.patch(f"/api/cases/{released[0]['case_id']}", headers=artist,
                           json={"releasable_for_training": True})
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    for session in released:
        ok(client.patch(f"/api/cases/{session['case_id']}", headers=admin, json={"releasable_for_training": True}))
    dataset = ok(client.post("/api/datasets/from-cases", headers=admin, json={"name": "department-2026"}), 201)
    assert dataset["pairs"] == 2
    detail = ok(client.get("/api/datasets/department-2026", headers=admin))
    # Stored re-encoded (without the recipe chunk), traced back to the approved composite's bytes.
    assert {item["sketch"]["original_sha256"] for item in detail["items"]} == {s["composite_sha256"] for s in released}
    assert all(item["description"].startswith("He was about forty") for item in detail["items"])
    assert client.post("/api/datasets/from-cases", headers=artist, json={"name": "x"}).status_code == 403


def test_no_released_composites_is_422_saying_so(client: TestClient, artist: dict[str, str]) -> None:
    admin = bearer(client, "boss")
    answer = client.post("/api/datasets/from-cases", headers=admin, json={"name": "empty"})
    assert answer.status_code == 422 and "no approved composites" in answer.json()["detail"]
