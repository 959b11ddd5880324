"""The witness link: once, for a while, for one session's witness view only."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.db import session_factory, utcnow
from app.witness_view.models import WitnessLink
from tests.app.conftest import run_queued, start
from tests.conftest import bearer
from tests.journey import ok


def _link(client: TestClient, artist: dict[str, str]) -> tuple[dict, str, str]:
    session = start(client, artist)
    run_queued()
    link = ok(client.post(f"/api/sessions/{session['id']}/witness-link", headers=artist, json={"minutes": 30}), 201)
    assert "#" in link["url"] and "/w#" in link["url"]
    return session, link["url"].split("#", 1)[1], link["id"]


def test_link_opens_the_witness_view_once(client: TestClient, artist: dict[str, str]) -> None:
    session, token, _ = _link(client, artist)
    witness = TestClient(client.app)
    view = ok(witness.post("/api/witness/exchange", json={"token": token}))
    assert view["session_id"] == session["id"] and len(view["rounds"][0]["candidates"]) == 2
    assert "prompt" not in str(view) and "case" not in str(view)
    image = witness.get(view["rounds"][0]["candidates"][0]["image_url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    # Replaying the link, even from the same browser, is refused: it worked once.
    replay = TestClient(client.app).post("/api/witness/exchange", json={"token": token})
    assert replay.status_code == 401 and "already" in replay.json()["detail"]


def test_witness_picks_and_the_next_round_queues(client: TestClient, artist: dict[str, str]) -> None:
    session, token, _ = _link(client, artist)
    witness = TestClient(client.app)
    view = ok(witness.post("/api/witness/exchange", json={"token": token}))
    csrf = {"X-CSRF-Token": view["csrf_token"]}
    candidate = view["rounds"][0]["candidates"][1]
    assert witness.post("/api/witness/shown", json={"candidate_id": candidate["id"]}).status_code == 403
    assert witness.post("/api/witness/shown", headers=csrf, json={"candidate_id": candidate["id"]}).status_code == 204
    view = ok(witness.post("/api/witness/rounds", headers=csrf,
                           json={"candidate_id": candidate["id"], "rating": 7, "feedback": "eyes closer"}), 201)
    assert len(view["rounds"]) == 2
    full = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    assert full["rounds"][1]["feedback"] == "eyes closer" and full["rounds"][0]["candidates"][1]["shown_count"] == 1
    assert ok(client.get(f"/api/witnesses/{full['witness_id']}", headers=artist))["exposures"] == 1
    events = ok(client.get(f"/api/audit?case_id={session['case_id']}", headers=bearer(client, "boss")))
    picks = [e for e in events if e["action"] == "candidate.pick"]
    assert picks and picks[-1]["role"] == "witness" and picks[-1]["actor"].startswith("witness-link:")


def test_witness_cookie_opens_nothing_else(client: TestClient, artist: dict[str, str]) -> None:
    session, token, _ = _link(client, artist)
    witness = TestClient(client.app)
    ok(witness.post("/api/witness/exchange", json={"token": token}))
    for path in (f"/api/sessions/{session['id']}", f"/api/cases/{session['case_id']}", "/api/cases",
                 f"/api/jobs/{session['rounds'][0]['job_id']}"):
        assert witness.get(path).status_code == 401, path
    # ...and the artist's token does not open the witness routes.
    assert client.get("/api/witness/session", headers=artist).status_code == 401


def test_revoked_and_expired_links_are_refused(client: TestClient, artist: dict[str, str]) -> None:
    session, token, link_id = _link(client, artist)
    witness = TestClient(client.app)
    ok(witness.post("/api/witness/exchange", json={"token": token}))
    assert client.delete(f"/api/sessions/{session['id']}/witness-link/{link_id}", headers=artist).status_code == 204
    assert witness.get("/api/witness/session").status_code == 401
    links = ok(client.get(f"/api/sessions/{session['id']}/witness-links", headers=artist))
    assert links[0]["id"] == link_id and links[0]["exchanged_at"] and links[0]["revoked_at"]

    session, token, link_id = _link(client, artist)
    with session_factory()() as db:
        db.execute(sa.update(WitnessLink).where(WitnessLink.id == uuid.UUID(link_id))
                   .values(expires_at=utcnow() - timedelta(seconds=1)))
        db.commit()
    assert TestClient(client.app).post("/api/witness/exchange", json={"token": token}).status_code == 401


def test_another_artist_cannot_make_a_link(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    other = bearer(client, "other")
    assert client.post(f"/api/sessions/{session['id']}/witness-link", headers=other).status_code == 404
