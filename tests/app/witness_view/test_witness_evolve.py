"""The witness link in an evolve session: several rated picks, none of these, and the scales."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.app.conftest import run_queued, start
from tests.journey import FAST, ok

QUICK = {**FAST, "steps": 2}


def _open(client: TestClient, artist: dict[str, str], **params: object
          ) -> tuple[dict, TestClient, dict[str, str], dict]:
    session = start(client, artist, **params)
    run_queued()
    link = ok(client.post(f"/api/sessions/{session['id']}/witness-link", headers=artist, json={"minutes": 30}), 201)
    witness = TestClient(client.app)
    view = ok(witness.post("/api/witness/exchange", json={"token": link["url"].split("#", 1)[1]}))
    return session, witness, {"X-CSRF-Token": view["csrf_token"]}, view


def test_the_witness_picks_several_rated_faces_then_none_of_these(client: TestClient, artist: dict[str, str]) -> None:
    session, witness, csrf, view = _open(client, artist, model="evolve", candidates=4, **QUICK)
    assert view["rounds"][0]["model"] == "evolve" and len(view["rounds"][0]["candidates"]) == 4
    faces = view["rounds"][0]["candidates"]
    picks = [{"candidate_id": faces[2]["id"], "rating": 8}, {"candidate_id": faces[0]["id"], "rating": 3}]
    body = {"picks": picks, "sliders": {"age": 0.5}, "feedback": "older"}
    view = ok(witness.post("/api/witness/rounds", headers=csrf, json=body), 201)
    assert len(view["rounds"]) == 2 and view["rounds"][1]["model"] == "evolve"
    assert run_queued() == 1
    full = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    second = full["rounds"][1]
    assert [(p["candidate_id"], p["rating"]) for p in second["evolve_choice"]["picks"]] == \
        [(faces[2]["id"], 8), (faces[0]["id"], 3)]
    assert second["settings"]["sliders"] == {"age": 0.5} and second["feedback"] == "older"

    view = ok(witness.post("/api/witness/rounds", headers=csrf, json={"reject_all": True}), 201)
    assert len(view["rounds"]) == 3
    run_queued()
    third = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][2]
    assert third["evolve_choice"]["reject_all"] is True and third["evolve_choice"]["picks"] == []


def test_bad_choices_are_refused_and_nothing_is_queued(client: TestClient, artist: dict[str, str]) -> None:
    session, witness, csrf, view = _open(client, artist, model="evolve", candidates=3, **QUICK)
    faces = view["rounds"][0]["candidates"]
    one = {"candidate_id": faces[0]["id"], "rating": 5}
    bad = [
        ({"picks": [one], "reject_all": True}, 422),  # two choices
        ({}, 422),  # no choice
        ({"picks": [one], "sliders": {"age": 2}}, 422),  # slider outside -1..1
        ({"picks": [one], "sliders": {"height": 0.5}}, 422),  # unknown scale
        ({"picks": [one, one]}, 422),  # the same face twice
        ({"picks": [{"candidate_id": faces[0]["id"], "rating": 11}]}, 422),
        ({"picks": [{**one, "candidate_id": session["id"]}]}, 404),  # not one of this session's faces
    ]
    for body, status in bad:
        assert witness.post("/api/witness/rounds", headers=csrf, json=body).status_code == status, body
    assert len(ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"]) == 1


def test_several_picks_need_an_evolve_session(client: TestClient, artist: dict[str, str]) -> None:
    session, witness, csrf, view = _open(client, artist, **FAST)
    assert view["rounds"][0]["model"] == "img2img"
    faces = view["rounds"][0]["candidates"]
    picks = [{"candidate_id": f["id"], "rating": 5} for f in faces]
    refused = witness.post("/api/witness/rounds", headers=csrf, json={"picks": picks})
    assert refused.status_code == 422 and "evolve" in refused.json()["detail"]
    assert witness.post("/api/witness/rounds", headers=csrf, json={"reject_all": True}).status_code == 422
    assert len(ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"]) == 1
