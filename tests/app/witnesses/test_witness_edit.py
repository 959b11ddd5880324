"""Correcting a witness's name or contact: only who may see the case, named fields, no PII in the audit."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.conftest import bearer
from tests.journey import ok, open_case


def test_an_artist_corrects_a_witness_and_the_audit_keeps_no_pii(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, f"REF-{uuid.uuid4().hex[:8]}")
    url = f"/api/witnesses/{ids['witness_id']}"
    changed = ok(client.patch(url, headers=artist, json={"contact": "07700 900999"}))
    assert changed["contact"] == "07700 900999" and changed["name"] == "Jane Witness"
    assert len(changed["descriptions"]) == 1  # the description is untouched
    from app.audit.models import AuditEvent
    from app.db import session_factory

    with session_factory()() as db:
        event = db.query(AuditEvent).filter(AuditEvent.action == "witness.update").one()
        assert event.details == {"fields": ["contact"]}


def test_bad_edits_change_nothing(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, f"REF-{uuid.uuid4().hex[:8]}")
    url = f"/api/witnesses/{ids['witness_id']}"
    for body, field in (({"name": ""}, "name"), ({"name": None}, "name"), ({"contact": "x" * 501}, "contact"),
                        ({"age": 30}, "age")):
        answer = client.patch(url, headers=artist, json=body)
        assert answer.status_code == 422 and field in answer.text, answer.text
    assert ok(client.get(url, headers=artist))["name"] == "Jane Witness"
    other = client.patch(url, headers=bearer(client, "other"), json={"name": "Someone Else"})
    assert other.status_code == 404
    assert ok(client.get(url, headers=artist))["name"] == "Jane Witness"


def test_a_case_title_cannot_be_nulled(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, f"REF-{uuid.uuid4().hex[:8]}")
    answer = client.patch(f"/api/cases/{ids['case_id']}", headers=artist, json={"title": None})
    assert answer.status_code == 422 and "title" in answer.text
