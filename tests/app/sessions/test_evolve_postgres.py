"""Model evolve on the deployment shape: Postgres (the evolve choice and lineage in JSON
columns), Redis, and a real Celery worker breeding the arrays and redrawing a bred face exactly."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Stack, bearer
from tests.journey import FAST, fetch_png, ok, open_case, wait_round

pytestmark = pytest.mark.integration
QUICK = {**FAST, "steps": 2}


def test_evolve_breeds_and_redraws_on_postgres_redis(postgres_stack: Stack, pg_client: TestClient) -> None:
    postgres_stack.start_worker()
    artist = bearer(pg_client, "artist")
    ids = open_case(pg_client, artist, "PG-EVOLVE")
    session = ok(pg_client.post("/api/sessions", headers=artist, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], "model": "evolve",
        "candidates": 4, "phase": "internal", **QUICK}), 201)
    session = wait_round(pg_client, artist, session["id"], 1)
    faces = session["rounds"][0]["candidates"]
    assert len(faces) == 4 and session["rounds"][0]["model"] == "evolve"

    picks = [{"candidate_id": faces[1]["id"], "rating": 9}, {"candidate_id": faces[3]["id"], "rating": 2}]
    ok(pg_client.post(f"/api/sessions/{session['id']}/rounds", headers=artist,
                      json={"model": "evolve", "picks": picks}), 201)
    session = wait_round(pg_client, artist, session["id"], 2)
    second = session["rounds"][1]
    assert second["evolve_choice"]["picks"][0] == {"candidate_id": faces[1]["id"], "rating": 9, "weight": 10.0}
    assert [c["kind"] for c in second["settings"]["evolve"]["children"]] == ["elite", "centre", "bred", "bred"]
    elite, bred = second["candidates"][0], second["candidates"][2]
    assert [(p["candidate_id"], p["weight"]) for p in bred["parents"]] == [(faces[1]["id"], 10.0),
                                                                           (faces[3]["id"], 3.0)]
    # The elite is the best-rated pick, pixel for pixel, even though another process drew it.
    elite_pixels, elite_recipe, _ = fetch_png(pg_client, artist, elite["image_url"])
    pick_pixels, _, _ = fetch_png(pg_client, artist, faces[1]["image_url"])
    assert elite_recipe["evolve"]["kind"] == "elite" and elite_pixels.tobytes() == pick_pixels.tobytes()
    # The real worker redraws a bred face from its recipe, byte for byte.
    image_id = bred["image_url"].rsplit("/", 1)[1]
    verified = ok(pg_client.post(f"/api/images/{image_id}/verify", headers=artist))
    assert verified["identical"] is True, verified

    # None of these: the array widens, and the age slider rides along into the recipe.
    ok(pg_client.post(f"/api/sessions/{session['id']}/rounds", headers=artist,
                      json={"reject_all": True, "sliders": {"age": 0.4}, "candidates": 3}), 201)
    third = wait_round(pg_client, artist, session["id"], 3)["rounds"][2]
    assert third["settings"]["sliders"] == {"age": 0.4} and len(third["candidates"]) == 3
    assert third["settings"]["evolve"]["scale"] > second["settings"]["evolve"]["scale"]
    _, recipe, _ = fetch_png(pg_client, artist, third["candidates"][0]["image_url"])
    assert recipe["spec"]["sliders"] == {"age": 0.4}
