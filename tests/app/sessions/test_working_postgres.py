"""The working description on the deployment shape: Postgres (JSON columns), Redis and a
real Celery worker drawing the rounds, the recipe recording the clauses and their kinds."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Stack, bearer
from tests.journey import FAST, fetch_png, ok, open_case, wait_round

pytestmark = pytest.mark.integration


def test_working_description_round_trip_on_postgres_redis(postgres_stack: Stack, pg_client: TestClient) -> None:
    postgres_stack.start_worker()
    artist = bearer(pg_client, "artist")
    ids = open_case(pg_client, artist, "PG-WORKING")
    session = ok(pg_client.post("/api/sessions", headers=artist, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 2, **FAST}), 201)
    session = wait_round(pg_client, artist, session["id"], 1)
    feedback = "uh, eyes closer together, he didnt have a beard, more like the second one"
    answer = ok(pg_client.post(f"/api/sessions/{session['id']}/suggestions", headers=artist,
                               json={"feedback": feedback}))
    assert [s["kind"] for s in answer["suggestions"]] == ["set", "add", "pick"]
    accepted = [s["id"] for s in answer["suggestions"] if s["kind"] != "pick"]
    session = ok(pg_client.post(f"/api/sessions/{session['id']}/rounds", headers=artist, json={
        "candidate_id": session["rounds"][0]["candidates"][1]["id"], "feedback": feedback,
        "accepted_suggestions": accepted}), 201)
    session = wait_round(pg_client, artist, session["id"], 2)
    second = session["rounds"][1]
    assert second["feedback"] == feedback and [s["id"] for s in second["accepted_edits"]] == accepted
    assert second["working_diff"]["attributes"] == {"eyes": {"from": None, "to": "close-set"}}
    assert "close-set eyes" in second["prompt"] and "clean-shaven" in second["prompt"]
    assert session["working"] == second["working"]
    _, recipe, _ = fetch_png(pg_client, artist, second["candidates"][0]["image_url"])
    assert {"text": "he didnt have a beard", "kind": "absent"} in recipe["spec"]["clauses"]
    audit = ok(pg_client.get(f"/api/audit?case_id={session['case_id']}", headers=bearer(pg_client, "boss")))
    updates = [e["details"] for e in audit if e["action"] == "working.update"]
    newest = updates[0]  # the audit list is newest first
    assert len(updates) == 2 and newest["attribute_fields"] == ["eyes"] and newest["clauses_added"] == 1
    assert "beard" not in str(updates)
