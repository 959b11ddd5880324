"""The witness's words (description and feedback) never reach the audit trail: hashes only."""

from __future__ import annotations

import json

import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.audit.models import AuditEvent
from app.db import session_factory
from common.recipe import sha256_hex
from tests.app.conftest import run_queued, start
from tests.journey import ok

FEEDBACK = "his nose was much wider, like a boxer's zanzibar"


def test_round_queue_keeps_the_spec_but_hashes_the_words(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    run_queued()
    picked = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    after = ok(client.post(f"/api/sessions/{session['id']}/rounds", headers=artist,
                           json={"candidate_id": picked["id"], "rating": 4, "feedback": FEEDBACK}), 201)
    prompt = after["rounds"][-1]["prompt"]
    assert "zanzibar" in prompt  # the round itself keeps the words
    with session_factory()() as db:
        events = list(db.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
    trail = json.dumps([e.details for e in events])
    assert "zanzibar" not in trail and "thin face" not in trail
    queued = [e.details["spec"] for e in events if e.action == "round.queue"]
    assert len(queued) == 2
    assert "prompt" not in queued[1] and "negative_prompt" not in queued[1]
    assert queued[1]["prompt_sha256"] == sha256_hex(prompt.encode("utf-8"))
    assert queued[1]["prompt_characters"] == len(prompt)
    assert queued[1]["steps"] == 4 and queued[1]["mode"] == "img2img" and len(queued[1]["seeds"]) == 2
