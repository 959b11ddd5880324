"""The users list says when a lockout lifts by itself, so the admin page can show it."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from tests.conftest import bearer
from tests.journey import ok


def _artist(client: TestClient, admin: dict[str, str]) -> dict[str, object]:
    return next(u for u in ok(client.get("/api/users", headers=admin)) if u["username"] == "artist")


def test_locked_accounts_say_until_when(client: TestClient) -> None:
    admin = bearer(client, "boss")
    assert _artist(client, admin)["locked_until"] is None
    before = datetime.now().astimezone()
    for _ in range(5):
        client.post("/api/auth/token", data={"username": "artist", "password": "wrong password"})
    user = _artist(client, admin)
    assert user["locked"] is True
    until = datetime.fromisoformat(str(user["locked_until"]))
    assert timedelta(minutes=9) < until - before < timedelta(minutes=11)
    unlocked = ok(client.post(f"/api/users/{user['id']}/unlock", headers=admin))
    assert unlocked["locked"] is False and unlocked["locked_until"] is None
