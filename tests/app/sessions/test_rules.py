"""Session rules through the API on the embedded default (SQLite), with each job run
in-process by the worker's own glue (worker.tasks.run_job) instead of a queue."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from app.db import session_factory
from tests.app.conftest import run_queued, start
from tests.conftest import bearer
from tests.journey import FAST, fetch_png, ok, open_case


def test_first_round_draws_candidates_with_recipes(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist, candidates=3, seed=1234)
    assert session["rounds"][0]["status"] == "queued"
    assert run_queued() == 1
    session = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    round_ = session["rounds"][0]
    assert round_["status"] == "succeeded" and round_["mode"] == "txt2img"
    assert [c["seed"] for c in round_["candidates"]] == [1234, 1235, 1236]
    image, recipe, sha = fetch_png(client, artist, round_["candidates"][1]["image_url"])
    assert image.size == (64, 64)
    assert recipe["seed"] == 1235 and recipe["prompt"] == round_["prompt"]
    assert recipe["model"]["random_weights"] is True and recipe["steps"] == 4
    assert sha == round_["candidates"][1]["image_sha256"]
    assert round_["token_count"] > 10


def test_refinement_is_img2img_from_the_pick(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    run_queued()
    session = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    picked = session["rounds"][0]["candidates"][1]
    session = ok(client.post(f"/api/sessions/{session['id']}/rounds", headers=artist,
                             json={"candidate_id": picked["id"], "rating": 6, "feedback": "wider nose"}), 201)
    run_queued()
    session = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    second = session["rounds"][1]
    assert second["mode"] == "img2img" and second["parent_candidate_id"] == picked["id"]
    # "wider nose" is a suggested edit (taken by default): the nose attribute, not appended words.
    assert "wide crooked nose" in second["prompt"] and second["rating"] == 6
    _, recipe, _ = fetch_png(client, artist, second["candidates"][0]["image_url"])
    assert recipe["parent_sha256"] == picked["image_sha256"]
    assert recipe["strength"] == 0.3 and recipe["guidance"] == 7.5


def test_second_round_while_one_runs_is_409(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    run_queued()
    session = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    pick = {"candidate_id": session["rounds"][0]["candidates"][0]["id"], "rating": 3, "feedback": "older"}
    ok(client.post(f"/api/sessions/{session['id']}/rounds", headers=artist, json=pick), 201)
    response = client.post(f"/api/sessions/{session['id']}/rounds", headers=artist, json=pick)
    assert response.status_code == 409 and "still queued" in response.json()["detail"]
    assert len(ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"]) == 2


def test_candidate_of_another_session_is_409(client: TestClient, artist: dict[str, str]) -> None:
    first, second = start(client, artist), start(client, artist)
    run_queued()
    foreign = ok(client.get(f"/api/sessions/{first['id']}", headers=artist))["rounds"][0]["candidates"][0]
    response = client.post(f"/api/sessions/{second['id']}/rounds", headers=artist,
                           json={"candidate_id": foreign["id"], "rating": 5, "feedback": "x"})
    assert response.status_code == 409 and "another session" in response.json()["detail"]


def test_approved_session_is_closed(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    run_queued()
    candidate = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    approved = ok(client.post(f"/api/sessions/{session['id']}/approve", headers=artist,
                              json={"candidate_id": candidate["id"], "statement": "him", "confidence": 6}))
    assert approved["status"] == "approved" and approved["final_candidate_id"] == candidate["id"]
    response = client.post(f"/api/sessions/{session['id']}/rounds", headers=artist,
                           json={"candidate_id": candidate["id"], "rating": 5, "feedback": "x"})
    assert response.status_code == 409 and "approved" in response.json()["detail"]
    assert len(ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"]) == 1


def test_round_limit_is_409(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist, rounds=1)
    run_queued()
    candidate = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    pick = {"candidate_id": candidate["id"], "rating": 5, "feedback": "x"}
    ok(client.post(f"/api/sessions/{session['id']}/rounds", headers=artist, json=pick), 201)
    run_queued()
    response = client.post(f"/api/sessions/{session['id']}/rounds", headers=artist, json=pick)
    assert response.status_code == 409 and "refinement rounds" in response.json()["detail"]


@pytest.mark.parametrize(("field", "value"), [("candidates", 9), ("candidates", 0), ("steps", 0),
                                              ("guidance", -1), ("strength", 1.5), ("width", 100),
                                              ("model", "dall-e")])
def test_bad_parameters_are_422_naming_the_field(client: TestClient, artist: dict[str, str], field: str,
                                                 value: object) -> None:
    ids = open_case(client, artist, f"REF-{uuid.uuid4().hex[:8]}")
    response = client.post("/api/sessions", headers=artist, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], field: value})
    assert response.status_code == 422
    assert field in response.json()["detail"]
    case = ok(client.get(f"/api/cases/{ids['case_id']}", headers=artist))
    assert case["sessions"] == []


def test_bad_attribute_is_422_and_nothing_stored(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, "REF-ATTR")
    response = client.post(f"/api/witnesses/{ids['witness_id']}/descriptions", headers=artist,
                           json={"text": "tall", "attributes": {"eye_colour": "blue"}})
    assert response.status_code == 422 and "eye_colour" in response.json()["detail"]
    witness = ok(client.get(f"/api/witnesses/{ids['witness_id']}", headers=artist))
    assert [d["version"] for d in witness["descriptions"]] == [1]


@pytest.mark.parametrize("path", ["/api/cases/{x}", "/api/witnesses/{x}", "/api/sessions/{x}", "/api/jobs/{x}",
                                  "/api/images/{x}", "/api/jobs/{x}/events"])
def test_unknown_ids_are_404(client: TestClient, artist: dict[str, str], path: str) -> None:
    response = client.get(path.format(x=uuid.uuid4()), headers=artist)
    assert response.status_code == 404 and "not found" in response.json()["detail"]


def test_another_artists_case_is_404_everywhere(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    run_queued()
    session = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    candidate = session["rounds"][0]["candidates"][0]
    other = bearer(client, "other")
    for path in (f"/api/cases/{session['case_id']}", f"/api/witnesses/{session['witness_id']}",
                 f"/api/sessions/{session['id']}", f"/api/jobs/{session['rounds'][0]['job_id']}",
                 candidate["image_url"]):
        assert client.get(path, headers=other).status_code == 404, path
    assert ok(client.get("/api/cases", headers=other)) == []
    admin = bearer(client, "boss")
    assert client.get(f"/api/sessions/{session['id']}", headers=admin).status_code == 200


def test_descriptions_are_versions_never_edits(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, "REF-VERSIONS")
    second = ok(client.post(f"/api/witnesses/{ids['witness_id']}/descriptions", headers=artist,
                            json={"text": "Actually his hair was longer.", "attributes": {"hair": {"length": "long"},
                                  "eyes": "not seen", "glasses": "Unsure"}}), 201)
    assert second["version"] == 2 and second["supersedes_id"] == ids["description_id"]
    assert second["attributes"]["eyes"] == "not_seen" and second["attributes"]["glasses"] == "unsure"
    assert "not_seen" not in second["prompt"] and "unsure" not in second["prompt"]
    first = ok(client.get(f"/api/descriptions/{ids['description_id']}", headers=artist))
    assert first["text"].startswith("He was about forty") and first["version"] == 1
    assert client.put(f"/api/descriptions/{ids['description_id']}", headers=artist, json={}).status_code == 405


def test_cancel_of_a_queued_job(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    job_id = session["rounds"][0]["job_id"]
    assert ok(client.post(f"/api/jobs/{job_id}/cancel", headers=artist))["status"] == "cancelled"
    assert run_queued() == 0
    assert ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["status"] == "cancelled"


def test_every_step_is_on_the_audit_trail(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    run_queued()
    admin = bearer(client, "boss")
    events = ok(client.get(f"/api/audit?case_id={session['case_id']}", headers=admin))
    actions = [e["action"] for e in events]
    for expected in ("case.create", "witness.create", "description.create", "session.create", "round.queue",
                     "job.succeeded", "candidate.generate"):
        assert expected in actions, actions
    assert actions.count("candidate.generate") == 2
    assert all("Jane Witness" not in str(e["details"]) for e in events)
    report = ok(client.get("/api/audit/verify", headers=admin))
    assert report["ok"] is True and report["first_bad"] is None
    assert client.get("/api/audit/verify", headers=artist).status_code == 403


def test_idempotency_key_makes_one_round_however_often_sent(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    run_queued()
    candidate = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    keyed = {**artist, "Idempotency-Key": "pick-42"}
    pick = {"candidate_id": candidate["id"], "rating": 5, "feedback": "older"}
    answers = [client.post(f"/api/sessions/{session['id']}/rounds", headers=keyed, json=pick) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.json()["rounds"][-1]["job_id"] for a in answers}) == 1
    assert len(ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"]) == 2
    assert run_queued() == 1


def test_idempotency_key_on_session_create(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, "REF-IDEM")
    body = {"witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 1, **FAST}
    keyed = {**artist, "Idempotency-Key": "create-1"}
    first = ok(client.post("/api/sessions", headers=keyed, json=body), 201)
    second = ok(client.post("/api/sessions", headers=keyed, json=body), 201)
    assert first["id"] == second["id"]
    assert len(ok(client.get(f"/api/cases/{ids['case_id']}", headers=artist))["sessions"]) == 1


def test_verify_redraws_an_image_bit_for_bit(client: TestClient, artist: dict[str, str]) -> None:
    from worker.tasks import run_verify

    session = start(client, artist, seed=99)
    run_queued()
    candidate = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][1]
    image_id = candidate["image_url"].rsplit("/", 1)[1]
    pending = client.post(f"/api/images/{image_id}/verify?wait=0", headers=artist)
    assert pending.status_code == 202
    run_verify(uuid.UUID(pending.json()["job_id"]))
    result = ok(client.get(f"/api/jobs/{pending.json()['job_id']}", headers=artist))["result"]
    assert result == {"identical": True, "sha256": candidate["image_sha256"],
                      "regenerated_sha256": candidate["image_sha256"], "differences": []}


def test_verify_finds_a_tampered_recipe(client: TestClient, artist: dict[str, str]) -> None:
    from app.images.models import Image
    from worker.tasks import run_verify

    session = start(client, artist)
    run_queued()
    candidate = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    image_id = uuid.UUID(candidate["image_url"].rsplit("/", 1)[1])
    with session_factory()() as db:
        image = db.get(Image, image_id)
        recipe = {**image.recipe, "guidance": image.recipe["guidance"] + 1.0}
        if "spec" in recipe:  # the full spec the engine redraws from
            recipe["spec"] = {**recipe["spec"], "guidance": recipe["guidance"]}
        image.recipe = recipe
        db.commit()
    pending = client.post(f"/api/images/{image_id}/verify?wait=0", headers=artist)
    run_verify(uuid.UUID(pending.json()["job_id"]))
    result = ok(client.get(f"/api/jobs/{pending.json()['job_id']}", headers=artist))["result"]
    assert result["identical"] is False and result["regenerated_sha256"] != result["sha256"]
    assert "guidance" in result["differences"]


def test_face_checks_are_stored_with_candidates(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    run_queued()
    candidates = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"]
    # Random weights draw noise: no face, and nothing to compare identity with in round 1.
    assert all(c["face_found"] is False and c["identity_similarity"] is None for c in candidates)


def test_engine_choices_are_checked_before_queueing(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, f"REF-{uuid.uuid4().hex[:8]}")
    base = {"witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 1, **FAST}
    for extra, field in (({"model": "clip-lora"}, "clip_adapter_id"), ({"region": "nose"}, "region"),
                         ({"region": "tail"}, "region"), ({"mask_upload_id": str(uuid.uuid4())}, "mask_upload_id"),
                         ({"adapters": [{"id": str(uuid.uuid4()), "weight": 0.5}]}, "adapters"),
                         ({"style": "crayon"}, "style")):
        response = client.post("/api/sessions", headers=artist, json={**base, **extra})
        assert response.status_code == 422 and field in response.json()["detail"], (extra, response.text)
    assert ok(client.get(f"/api/cases/{ids['case_id']}", headers=artist))["sessions"] == []
    session = ok(client.post("/api/sessions", headers=artist, json={**base, "style": "charcoal",
                                                                   "model": "clip-fusion"}), 201)
    settings = session["rounds"][0]["settings"]
    assert settings["style"] == "charcoal" and settings["strategy"] == "clip-fusion"
    assert settings["fusion_weight"] == 0.5 and session["rounds"][0]["prompt"].startswith("forensic charcoal")


def test_a_shared_case_opens_for_the_other_artist(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    other = bearer(client, "other")
    assert client.get(f"/api/sessions/{session['id']}", headers=other).status_code == 404
    assert client.post(f"/api/cases/{session['case_id']}/shares", headers=other,
                       json={"username": "other"}).status_code == 404
    ok(client.post(f"/api/cases/{session['case_id']}/shares", headers=artist, json={"username": "other"}))
    assert client.get(f"/api/sessions/{session['id']}", headers=other).status_code == 200
    assert [c["id"] for c in ok(client.get("/api/cases", headers=other))] == [session["case_id"]]
