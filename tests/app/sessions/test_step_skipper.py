"""cache_interval through the API: recorded in the recipe, sticky, and /verify still exact with it on."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.app.conftest import run_queued, start
from tests.journey import fetch_png, ok


def test_step_skipper_is_recorded_and_verify_redraws_exactly(client: TestClient, artist: dict[str, str]) -> None:
    from worker.tasks import run_verify

    plain = start(client, artist, seed=321)
    cached = start(client, artist, seed=321, cache_interval=2)
    assert run_queued() == 2
    plain_first = ok(client.get(f"/api/sessions/{plain['id']}", headers=artist))["rounds"][0]["candidates"][0]
    session = ok(client.get(f"/api/sessions/{cached['id']}", headers=artist))
    candidate = session["rounds"][0]["candidates"][0]
    _, recipe, _ = fetch_png(client, artist, candidate["image_url"])
    assert recipe["spec"]["cache_interval"] == 2 and recipe["speedups"] == {"cache_interval": 2}
    assert candidate["image_sha256"] != plain_first["image_sha256"]  # the skipper did run

    # Sticky: the next round keeps it.
    session = ok(client.post(f"/api/sessions/{session['id']}/rounds", headers=artist,
                             json={"candidate_id": candidate["id"], "rating": 4, "feedback": "older"}), 201)
    assert run_queued() == 1
    second = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][1]["candidates"][1]
    _, second_recipe, _ = fetch_png(client, artist, second["image_url"])
    assert second_recipe["spec"]["cache_interval"] == 2

    image_id = second["image_url"].rsplit("/", 1)[1]
    pending = client.post(f"/api/images/{image_id}/verify?wait=0", headers=artist)
    assert pending.status_code == 202
    run_verify(uuid.UUID(pending.json()["job_id"]))
    result = ok(client.get(f"/api/jobs/{pending.json()['job_id']}", headers=artist))["result"]
    assert result == {"identical": True, "sha256": second["image_sha256"],
                      "regenerated_sha256": second["image_sha256"], "differences": []}


def test_bad_cache_interval_is_a_422_naming_the_field(client: TestClient, artist: dict[str, str]) -> None:
    from tests.journey import open_case

    ids = open_case(client, artist, "REF-CACHE")
    response = client.post("/api/sessions", headers=artist, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], "cache_interval": 0})
    assert response.status_code == 422 and "cache_interval" in response.text
