"""Issue 12, item 17: a share can be taken back (by id or username), on the record."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.audit.models import AuditEvent
from app.db import session_factory
from tests.conftest import bearer
from tests.journey import ok, open_case


def _user_id(client: TestClient, username: str) -> str:
    users = ok(client.get("/api/users", headers=bearer(client, "boss")))
    return next(u["id"] for u in users if u["username"] == username)


def test_the_owner_revokes_a_share_by_username_and_access_ends(client: TestClient, artist: dict[str, str]) -> None:
    case_id = open_case(client, artist, "SHARE-1")["case_id"]
    other = bearer(client, "other")
    ok(client.post(f"/api/cases/{case_id}/shares", headers=artist, json={"username": "other"}))
    assert client.get(f"/api/cases/{case_id}", headers=other).status_code == 200
    # The one shared with cannot revoke it; the owner can.
    assert client.delete(f"/api/cases/{case_id}/shares/other", headers=other).status_code == 403
    assert client.delete(f"/api/cases/{case_id}/shares/other", headers=artist).status_code == 204
    assert client.get(f"/api/cases/{case_id}", headers=other).status_code == 404
    assert client.delete(f"/api/cases/{case_id}/shares/other", headers=artist).status_code == 404  # already gone
    with session_factory()() as db:
        events = list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "case.unshare")))
    assert [(e.case_id and str(e.case_id), e.entity_id) for e in events] == [(case_id, _user_id(client, "other"))]


def test_an_admin_revokes_a_share_by_user_id(client: TestClient, artist: dict[str, str]) -> None:
    case_id = open_case(client, artist, "SHARE-2")["case_id"]
    ok(client.post(f"/api/cases/{case_id}/shares", headers=artist, json={"username": "other"}))
    other_id = _user_id(client, "other")
    admin = bearer(client, "boss")
    assert client.delete(f"/api/cases/{case_id}/shares/{other_id}", headers=admin).status_code == 204
    assert client.get(f"/api/cases/{case_id}", headers=bearer(client, "other")).status_code == 404
    assert client.delete(f"/api/cases/{case_id}/shares/nobody", headers=admin).status_code == 404
