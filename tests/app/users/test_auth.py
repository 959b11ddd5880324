"""Sign-in rules: lockout after five failures, same answer for unknown users, expiry, CSRF."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.db import session_factory
from app.users.models import AuthSession
from tests.conftest import PASSWORD, bearer
from tests.journey import ok


def _login(client: TestClient, username: str, password: str) -> int:
    return client.post("/api/auth/token", data={"username": username, "password": password}).status_code


def test_five_failures_lock_until_an_admin_unlocks(client: TestClient) -> None:
    answers = [client.post("/api/auth/token", data={"username": "artist", "password": "wrong password"})
               for _ in range(5)]
    assert {a.status_code for a in answers} == {401}
    unknown = client.post("/api/auth/token", data={"username": "nobody-at-all", "password": "wrong password"})
    assert unknown.json() == answers[0].json()  # no hint whether the account exists
    assert _login(client, "artist", PASSWORD) == 401  # locked, even with the right password
    admin = bearer(client, "boss")
    users = {u["username"]: u for u in ok(client.get("/api/users", headers=admin))}
    assert users["artist"]["locked"] is True
    ok(client.post(f"/api/users/{users['artist']['id']}/unlock", headers=admin))
    assert _login(client, "artist", PASSWORD) == 200


def _age_sessions(**delta: float) -> None:
    with session_factory()() as db:
        for session in db.scalars(sa.select(AuthSession)):
            session.last_seen_at -= timedelta(**delta)
            session.created_at -= timedelta(**delta)
        db.commit()


def test_idle_session_expires_after_30_minutes(client: TestClient, artist: dict[str, str]) -> None:
    assert client.get("/api/cases", headers=artist).status_code == 200
    _age_sessions(minutes=31)
    answer = client.get("/api/cases", headers=artist)
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


def test_logout_revokes_server_side(client: TestClient, artist: dict[str, str]) -> None:
    assert client.post("/api/auth/logout", headers=artist).status_code == 204
    assert client.get("/api/cases", headers=artist).status_code == 401


def test_cookie_writes_need_the_csrf_token(client: TestClient) -> None:
    login = client.post("/api/auth/login", json={"username": "artist", "password": PASSWORD})
    me = ok(login)
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie  # plain HTTP here
    body = {"reference": "CSRF-1", "title": "t"}
    assert client.post("/api/cases", json=body).status_code == 403
    assert client.post("/api/cases", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/api/cases", json=body, headers={"X-CSRF-Token": me["csrf_token"]}).status_code == 201
    assert client.get("/api/cases").status_code == 200  # reads need no token


def test_a_forged_cookie_is_refused(client: TestClient) -> None:
    client.cookies.set("likeness_session", "forged-session-value")
    assert client.get("/api/cases").status_code == 401


def test_totp_second_factor_and_no_replay(client: TestClient, artist: dict[str, str]) -> None:
    from app.users import totp

    setup = ok(client.post("/api/auth/totp/setup", headers=artist, json={"password": PASSWORD}))
    assert setup["otpauth_uri"].startswith("otpauth://totp/Likeness:artist")
    assert client.post("/api/auth/totp/confirm", headers=artist, json={"code": "000000"}).status_code in (204, 422)
    code = totp.code_at(setup["secret"], totp.current_step())
    assert client.post("/api/auth/totp/confirm", headers=artist, json={"code": code}).status_code == 204
    # The password alone no longer signs in.
    without = client.post("/api/auth/token", data={"username": "artist", "password": PASSWORD})
    assert without.status_code == 401 and "one-time code" in without.json()["detail"]
    # The confirming code was used: it cannot sign in again (replay); the next step's code can.
    replay = client.post("/api/auth/token", data={"username": "artist", "password": PASSWORD, "totp": code})
    assert replay.status_code == 401
    fresh = totp.code_at(setup["secret"], totp.current_step() + 1)
    assert client.post("/api/auth/token", data={"username": "artist", "password": PASSWORD,
                                                "totp": fresh}).status_code == 200


def test_totp_codes_match_rfc6238() -> None:
    from app.users import totp

    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 6238 test key "12345678901234567890"
    assert totp.code_at(secret, 59 // 30) == "287082"  # the RFC's T=59 SHA-1 value, last six digits
    assert totp.code_at(secret, 1111111109 // 30) == "081804"


def test_odd_one_time_codes_are_refused_not_crashes() -> None:
    from app.users import totp

    secret = totp.new_secret()
    for code in ("00000\u0080", "١٢٣٤٥٦", "12345", "1234567", "abcdef", ""):
        assert totp.matching_step(secret, code, None) is None
