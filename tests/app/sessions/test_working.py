"""The working description through the API on the embedded default (SQLite): read on the
session, suggested from feedback, edited with the next round, recorded per round and in
the audit (without words), and a prompt that does not grow however many rounds run."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi.testclient import TestClient

from app.db import session_factory
from common.prompt import build, count_tokens
from common.working import Working
from tests.app.conftest import run_queued, start
from tests.conftest import bearer
from tests.journey import fetch_png, ok

# Ten rounds of what a witness says, fillers and all; the same things come back, as they do.
FEEDBACK = [
    "um the nose should be bent more to the left",
    "older, and the nose wider",
    "uh, like, hair shorter at the sides",
    "the nose is right now",
    "eyes closer together, I didn't see his teeth",
    "um the nose should be bent more to the left",
    "a bit younger",
    "maybe he had glasses, eyes closer together",
    "the nose is right now, hair shorter at the sides",
    "no, more like the second one",
]


def _session(client: TestClient, headers: dict[str, str], session_id: str) -> dict[str, Any]:
    return ok(client.get(f"/api/sessions/{session_id}", headers=headers))


def _round(client: TestClient, headers: dict[str, str], session: dict[str, Any], **body: Any) -> dict[str, Any]:
    picked = session["rounds"][0]["candidates"][0]
    return ok(client.post(f"/api/sessions/{session['id']}/rounds", headers=headers,
                          json={"candidate_id": picked["id"], **body}), 201)


def _cancel_last(client: TestClient, headers: dict[str, str], session: dict[str, Any]) -> None:
    ok(client.post(f"/api/jobs/{session['rounds'][-1]['job_id']}/cancel", headers=headers))


def _audit(client: TestClient, case_id: str) -> list[dict[str, Any]]:
    return ok(client.get(f"/api/audit?case_id={case_id}", headers=bearer(client, "boss")))


def test_the_first_working_description_comes_from_the_description(client: TestClient,
                                                                    artist: dict[str, str]) -> None:
    session = start(client, artist)
    working = session["working"]
    assert working["attributes"]["nose"] == "crooked"
    clauses = {c["text"]: c for c in working["clauses"]}
    assert clauses["I didn't see his ears"]["kind"] == "unknown"
    assert {c["source"] for c in working["clauses"]} == {"description"}
    assert {c["round"] for c in working["clauses"]} == {1}
    first = session["rounds"][0]
    assert first["working"] == working and first["working_diff"] is None
    assert "ears" not in first["prompt"]  # unknown: never drawn
    assert first["prompt"] == build(Working.model_validate(working)).prompt
    with session_factory()() as db:
        from app.jobs.models import Job

        job = db.get(Job, uuid.UUID(first["job_id"]))
        assert job is not None
        spec = job.spec
    assert {"text": "I didn't see his ears", "kind": "unknown"} in spec["clauses"]


def test_suggestions_then_a_round_that_accepts_some(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist, seed=7)
    run_queued()
    session = _session(client, artist, session["id"])
    feedback = "um, older, nose wider, maybe he had glasses, no, more like the second one"
    answer = ok(client.post(f"/api/sessions/{session['id']}/suggestions", headers=artist,
                            json={"feedback": feedback}))
    by_kind = {s["kind"]: s for s in answer["suggestions"]}
    assert [s["kind"] for s in answer["suggestions"]] == ["set", "set", "add", "pick"]
    assert by_kind["pick"]["candidate_index"] == 2
    assert {"text": "maybe he had glasses", "kind": "uncertain"} in answer["clauses"]
    assert _session(client, artist, session["id"])["working"] == session["working"]  # nothing changed yet

    older, nose = answer["suggestions"][0], answer["suggestions"][1]
    edited = json.loads(json.dumps(session["working"]))
    edited["clauses"] = [c for c in edited["clauses"] if "forty" not in c["text"]]  # the artist strikes one
    edited["clauses"].append({"text": "no beard", "kind": "absent", "source": "artist"})
    session = _round(client, artist, session, feedback=feedback, rating=5, working=edited,
                     accepted_suggestions=[older["id"], nose["id"]])
    second = session["rounds"][1]
    assert second["feedback"] == feedback  # the evidence, verbatim
    assert [s["id"] for s in second["suggestions"]] == [s["id"] for s in answer["suggestions"]]
    assert [s["id"] for s in second["accepted_edits"]] == [older["id"], nose["id"]]
    diff = second["working_diff"]
    assert diff["attributes"] == {"age_range": {"from": "35-45", "to": "40-50"},
                                  "nose": {"from": "crooked", "to": "wide crooked"}}
    assert [c["text"] for c in diff["added"]] == ["no beard"]
    assert [c["text"] for c in diff["removed"]] == ["He was about forty"]
    assert session["working"] == second["working"]
    prompt = second["prompt"]
    assert "40-50 male" in prompt and "wide crooked nose" in prompt and "clean-shaven" in prompt
    assert "glasses" not in prompt and "um" not in prompt.split() and "He was about forty" not in prompt

    run_queued()
    session = _session(client, artist, session["id"])
    _, recipe, _ = fetch_png(client, artist, session["rounds"][1]["candidates"][0]["image_url"])
    assert {"text": "no beard", "kind": "absent"} in recipe["spec"]["clauses"]

    updates = [e for e in _audit(client, session["case_id"]) if e["action"] == "working.update"]
    assert len(updates) == 2
    details = updates[0]["details"]  # the audit list is newest first
    assert details["attribute_fields"] == ["age_range", "nose"] and details["accepted"] == 2
    assert details["clauses_added"] == 1 and details["clauses_removed"] == 1
    assert details["accepted_by_default"] is False and len(details["working_sha256"]) == 64
    words = json.dumps([e["details"] for e in _audit(client, session["case_id"])
                        if e["action"].startswith("working.")])
    for said in ("glasses", "nose", "older", "forty", "beard"):
        assert said not in words.replace('"nose"', "")  # field names only, never the words


def test_promoting_an_uncertain_clause_is_recorded_and_drawn(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    run_queued()
    session = _session(client, artist, session["id"])
    session = _round(client, artist, session, feedback="maybe a scar on his chin")
    assert "scar on his chin" not in session["rounds"][1]["prompt"]
    _cancel_last(client, artist, session)
    edited = json.loads(json.dumps(session["working"]))
    for clause in edited["clauses"]:
        if clause["kind"] == "uncertain":
            clause["promoted"] = True
    session = _round(client, artist, session, working=edited, accepted_suggestions=[])
    third = session["rounds"][2]
    assert "maybe a scar on his chin" in third["prompt"]
    assert third["working_diff"]["changed"] == [{"text": "maybe a scar on his chin", "from": "uncertain",
                                                 "to": "uncertain", "promoted": True}]
    details = next(e for e in _audit(client, session["case_id"]) if e["action"] == "working.update")["details"]
    assert details["promoted"] == 1


def test_bad_working_or_unknown_suggestion_is_422_and_nothing_stored(client: TestClient,
                                                                      artist: dict[str, str]) -> None:
    session = start(client, artist)
    run_queued()
    session = _session(client, artist, session["id"])
    bad = client.post(f"/api/sessions/{session['id']}/rounds", headers=artist, json={
        "candidate_id": session["rounds"][0]["candidates"][0]["id"], "feedback": "older",
        "accepted_suggestions": ["not-an-id"]})
    assert bad.status_code == 422 and "accepted_suggestions" in bad.text
    bad = client.post(f"/api/sessions/{session['id']}/rounds", headers=artist, json={
        "candidate_id": session["rounds"][0]["candidates"][0]["id"],
        "working": {"clauses": [{"text": "a beard", "kind": "drawn"}]}})
    assert bad.status_code == 422 and "kind" in bad.text
    after = _session(client, artist, session["id"])
    assert len(after["rounds"]) == 1 and after["working"] == session["working"]


def test_ten_rounds_of_feedback_do_not_grow_the_prompt(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist, rounds=10)
    run_queued()
    session = _session(client, artist, session["id"])
    tokens = [session["rounds"][0]["token_count"]]
    for feedback in FEEDBACK:
        session = _round(client, artist, session, feedback=feedback)
        latest = session["rounds"][-1]
        # The prompt is exactly what the working description makes, no longer.
        built = build(Working.model_validate(latest["working"]))
        assert latest["prompt"] == built.prompt
        assert latest["token_count"] == count_tokens(built.prompt)
        tokens.append(latest["token_count"])
        _cancel_last(client, artist, session)
    prompt = session["rounds"][-1]["prompt"]
    assert prompt.count("bent more to the left") == 0  # struck by "the nose is right now"
    assert "um" not in prompt.split() and "like" not in prompt.split()
    assert prompt.count("close-set") == 1 and prompt.count("short at the sides") == 1
    # Feedback said twice does not count twice: the second five rounds end no longer than the first five.
    assert tokens[10] <= max(tokens[1:6]), tokens
    # Appending, as sessions once did, would have carried every word said.
    appended = count_tokens(". ".join([session["rounds"][0]["prompt"], *FEEDBACK]))
    assert max(tokens) < appended - 60, (tokens, appended)
