"""Model evolve through the API on the embedded default: arrays, picks with ratings, reject all, blend,
scale arrays, holistic sliders on any model, exposure and exact redraws (jobs run in-process)."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from app.db import session_factory
from tests.app.conftest import run_queued, start
from tests.journey import FAST, fetch_png, ok, open_case

QUICK = {**FAST, "steps": 2}


def _session(client: TestClient, headers: dict[str, str], session_id: str) -> dict:
    return ok(client.get(f"/api/sessions/{session_id}", headers=headers))


def _round(client: TestClient, headers: dict[str, str], session_id: str, body: dict) -> dict:
    ok(client.post(f"/api/sessions/{session_id}/rounds", headers=headers, json=body), 201)
    assert run_queued() == 1
    latest = _session(client, headers, session_id)["rounds"][-1]
    assert latest["status"] == "succeeded", latest["error"]
    return latest


def _verify(client: TestClient, headers: dict[str, str], candidate: dict) -> dict:
    from worker.tasks import run_verify

    image_id = candidate["image_url"].rsplit("/", 1)[1]
    pending = ok(client.post(f"/api/images/{image_id}/verify?wait=0", headers=headers), 202)
    run_verify(uuid.UUID(pending["job_id"]))
    return ok(client.get(f"/api/jobs/{pending['job_id']}", headers=headers))["result"]


def test_an_evolve_session_starts_with_an_array_of_nine(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, "REF-EVOLVE")
    body = {**session_ids(ids), "model": "evolve", **QUICK}
    session = ok(client.post("/api/sessions", headers=artist, json=body), 201)
    first = session["rounds"][0]
    assert first["model"] == "evolve" and first["mode"] == "txt2img"
    children = first["settings"]["evolve"]["children"]
    assert len(children) == 9 and {c["kind"] for c in children} == {"initial"}
    assert all(c["genome"]["cond"] for c in children), "the first array varies the conditioning too"
    too_many = start(client, artist, model="evolve", candidates=18, **QUICK)
    assert len(too_many["rounds"][0]["settings"]["evolve"]["children"]) == 18


def test_picks_breed_the_next_array_with_lineage_and_exact_redraws(client: TestClient,
                                                                    artist: dict[str, str]) -> None:
    session = start(client, artist, model="evolve", candidates=4, phase="internal", **QUICK)
    run_queued()
    faces = _session(client, artist, session["id"])["rounds"][0]["candidates"]
    picks = [{"candidate_id": faces[2]["id"], "rating": 8}, {"candidate_id": faces[0]["id"], "rating": 3}]
    second = _round(client, artist, session["id"], {"model": "evolve", "picks": picks, "feedback": "closer"})
    assert len(second["candidates"]) == 4 and second["parent_candidate_id"] == faces[2]["id"]
    assert second["evolve_choice"]["picks"][0] == {"candidate_id": faces[2]["id"], "rating": 8, "weight": 9.0}
    elite, bred = second["candidates"][0], second["candidates"][3]
    # The best-rated pick comes back unchanged (the elite); the rest are the centre and its mutants.
    elite_pixels, elite_recipe, _ = fetch_png(client, artist, elite["image_url"])
    pick_pixels, _, _ = fetch_png(client, artist, faces[2]["image_url"])
    assert elite_recipe["evolve"]["kind"] == "elite" and list(elite_pixels.getdata()) == list(pick_pixels.getdata())
    assert [c["kind"] for c in spec_children(second)] == ["elite", "centre", "bred", "bred"]
    assert bred["generation"] == 1
    assert [(p["candidate_id"], p["weight"]) for p in bred["parents"]] == [(faces[2]["id"], 9.0), (faces[0]["id"], 4.0)]
    spec = second["settings"]["evolve"]
    assert spec["hold"] == "external" and spec["phase"] == "internal" and spec["scale"] < 0.6
    assert _verify(client, artist, bred)["identical"] is True

    # None of these: the scale widens; the model stays evolve (sticky) and the sliders ride along.
    third = _round(client, artist, session["id"], {"reject_all": True, "sliders": {"age": 0.5}, "candidates": 3})
    assert third["settings"]["evolve"]["scale"] > spec["scale"]
    assert third["settings"]["sliders"] == {"age": 0.5}
    # One face along a scale: 7 variants from -1 to +1, each redrawn exactly.
    fourth = _round(client, artist, session["id"], {"picks": [{"candidate_id": elite["id"], "rating": 6}],
                                                   "scale_array": "weight"})
    assert len(fourth["candidates"]) == 7
    assert _verify(client, artist, fourth["candidates"][6])["identical"] is True
    # Blend two faces: the morph.
    fifth = _round(client, artist, session["id"], {"blend": {"a": elite["id"], "b": bred["id"], "weight": 0.3}})
    assert len(fifth["candidates"]) == 1
    assert [p["weight"] for p in fifth["candidates"][0]["parents"]] == [0.7, 0.3]


def test_every_array_face_shown_counts_in_the_exposure(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist, model="evolve", candidates=6, **QUICK)
    run_queued()
    faces = _session(client, artist, session["id"])["rounds"][0]["candidates"]
    for face in faces:
        ok(client.post(f"/api/sessions/{session['id']}/candidates/{face['id']}/shown", headers=artist), 204)
    assert ok(client.get(f"/api/witnesses/{session['witness_id']}", headers=artist))["exposures"] == 6
    assert all(c["shown_count"] == 1 for c in _session(client, artist, session["id"])["rounds"][0]["candidates"])
    events = ok(client.get(f"/api/audit?case_id={session['case_id']}", headers=_admin(client)))
    shown = [e["entity_id"] for e in events if e["action"] == "candidate.shown"]
    assert sorted(shown) == sorted(f["id"] for f in faces)


def _admin(client: TestClient) -> dict[str, str]:
    from tests.conftest import bearer

    return bearer(client, "boss")


def test_sliders_work_with_model_1_and_redraw_exactly(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist, candidates=1, sliders={"masculinity": -0.7, "distinctiveness": 0.4}, **QUICK)
    run_queued()
    first = _session(client, artist, session["id"])["rounds"][0]
    assert first["settings"]["sliders"] == {"masculinity": -0.7, "distinctiveness": 0.4}
    second = _round(client, artist, session["id"], {"candidate_id": first["candidates"][0]["id"], "rating": 4,
                                                    "sliders": {"age": 1.0}, "strength": 0.5})
    assert second["model"] == "img2img" and second["settings"]["sliders"] == {"age": 1.0}
    assert _verify(client, artist, second["candidates"][0])["identical"] is True


def test_bad_choices_are_422_and_store_nothing(client: TestClient, artist: dict[str, str]) -> None:
    other = start(client, artist, model="evolve", candidates=1, **QUICK)
    session = start(client, artist, model="evolve", candidates=2, **QUICK)
    run_queued()
    mine = _session(client, artist, session["id"])["rounds"][0]["candidates"][0]["id"]
    theirs = _session(client, artist, other["id"])["rounds"][0]["candidates"][0]["id"]
    url = f"/api/sessions/{session['id']}/rounds"
    bad = [
        ({"picks": [{"candidate_id": theirs, "rating": 5}]}, "not one of this session"),
        ({"picks": []}, "reject_all"),
        ({}, "pick at least one face"),
        ({"picks": [{"candidate_id": mine, "rating": 11}]}, "rating"),
        ({"picks": [{"candidate_id": mine, "rating": 5}], "sliders": {"age": 1.5}}, "sliders"),
        ({"picks": [{"candidate_id": mine, "rating": 5}], "sliders": {"height": 0.5}}, "sliders"),
        ({"picks": [{"candidate_id": mine}], "reject_all": True}, "choose one"),
        ({"picks": [{"candidate_id": mine}, {"candidate_id": mine}]}, "each face once"),
        ({"picks": [{"candidate_id": mine}], "scale_array": "age", "candidates": 3, "blend": None,
          "model": "img2img"}, "only with model evolve"),
        ({"picks": [{"candidate_id": mine}], "candidates": 19}, "candidates"),
        ({"candidate_id": mine, "model": "img2img", "candidates": 12}, "candidates"),
        ({"blend": {"a": mine, "b": mine}}, "two different faces"),
    ]
    for body, words in bad:
        answer = client.post(url, headers=artist, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert words in answer.text, (body, answer.text)
    assert len(_session(client, artist, session["id"])["rounds"]) == 1
    with session_factory()() as db:
        from app.jobs.models import Job

        assert db.query(Job).filter(Job.status == "queued").count() == 0
    create = client.post("/api/sessions", headers=artist, json={**session_ids(session), "candidates": 12})
    assert create.status_code == 422 and "only model evolve" in create.text


def spec_children(round_: dict) -> list[dict]:
    return round_["settings"]["evolve"]["children"]


def session_ids(session: dict) -> dict:
    return {"witness_id": session["witness_id"], "description_id": session["description_id"]}
