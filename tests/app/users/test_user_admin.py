"""An admin manages accounts: role, deactivation, password reset; one active admin always stays."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, bearer, make_user
from tests.journey import ok


def _users(client: TestClient, admin: dict[str, str]) -> dict[str, dict]:
    return {u["username"]: u for u in ok(client.get("/api/users", headers=admin))}


def test_a_promoted_artist_can_manage_users_at_once(client: TestClient, artist: dict[str, str]) -> None:
    admin = bearer(client, "boss")
    assert client.get("/api/users", headers=artist).status_code == 403
    artist_id = _users(client, admin)["artist"]["id"]
    assert ok(client.patch(f"/api/users/{artist_id}", headers=admin, json={"role": "admin"}))["role"] == "admin"
    assert client.get("/api/users", headers=artist).status_code == 200  # same token, new role


def test_deactivation_signs_the_user_out_and_keeps_them_out(client: TestClient, artist: dict[str, str]) -> None:
    admin = bearer(client, "boss")
    artist_id = _users(client, admin)["artist"]["id"]
    assert ok(client.patch(f"/api/users/{artist_id}", headers=admin, json={"active": False}))["active"] is False
    assert client.get("/api/cases", headers=artist).status_code == 401
    assert client.post("/api/auth/token", data={"username": "artist", "password": PASSWORD}).status_code == 401
    ok(client.patch(f"/api/users/{artist_id}", headers=admin, json={"active": True}))
    assert client.post("/api/auth/token", data={"username": "artist", "password": PASSWORD}).status_code == 200


def test_password_reset_revokes_old_sessions_and_checks_the_rules(client: TestClient, artist: dict[str, str]) -> None:
    admin = bearer(client, "boss")
    artist_id = _users(client, admin)["artist"]["id"]
    weak = client.patch(f"/api/users/{artist_id}", headers=admin, json={"password": "password"})
    assert weak.status_code == 422
    assert client.get("/api/cases", headers=artist).status_code == 200  # a refused reset changes nothing
    ok(client.patch(f"/api/users/{artist_id}", headers=admin, json={"password": "a new long passphrase 7"}))
    assert client.get("/api/cases", headers=artist).status_code == 401
    assert client.post("/api/auth/token", data={"username": "artist", "password": PASSWORD}).status_code == 401
    fresh = client.post("/api/auth/token", data={"username": "artist", "password": "a new long passphrase 7"})
    assert fresh.status_code == 200


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(client: TestClient) -> None:
    admin = bearer(client, "boss")
    boss_id = _users(client, admin)["boss"]["id"]
    for change in ({"role": "artist"}, {"active": False}):
        refused = client.patch(f"/api/users/{boss_id}", headers=admin, json=change)
        assert refused.status_code == 409 and "last active admin" in refused.json()["detail"]
    make_user("second", "admin")
    ok(client.patch(f"/api/users/{boss_id}", headers=admin, json={"role": "artist"}))
    assert _users(client, bearer(client, "second"))["boss"]["role"] == "artist"


def test_bad_changes_name_the_field_and_unknown_users_are_404(client: TestClient) -> None:
    admin = bearer(client, "boss")
    artist_id = _users(client, admin)["artist"]["id"]
    for body, field in (({"role": "witness"}, "role"), ({"active": None}, "active"), ({"colour": "red"}, "colour")):
        answer = client.patch(f"/api/users/{artist_id}", headers=admin, json=body)
        assert answer.status_code == 422 and field in answer.text
    assert _users(client, admin)["artist"]["role"] == "artist"
    missing = client.patch("/api/users/00000000-0000-0000-0000-000000000000", headers=admin, json={"active": False})
    assert missing.status_code == 404


def test_changes_are_audited_without_the_password(client: TestClient) -> None:
    admin = bearer(client, "boss")
    artist_id = _users(client, admin)["artist"]["id"]
    ok(client.patch(f"/api/users/{artist_id}", headers=admin, json={"password": "another long passphrase 9"}))
    from app.audit.models import AuditEvent
    from app.db import session_factory

    with session_factory()() as db:
        event = db.query(AuditEvent).filter(AuditEvent.action == "user.update").one()
        assert event.details["fields"] == ["password"]
        assert "another long passphrase" not in str(event.details)
