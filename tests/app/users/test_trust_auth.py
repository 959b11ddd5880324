"""Issue 12: one-time codes count toward lockout, changing the factor needs password and code,
lockouts run out after 10 minutes with one answer for every refusal, 429s are audited,
secrets are encrypted at rest, usernames are normalised."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.audit.models import AuditEvent
from app.db import session_factory
from app.users import totp
from app.users.models import User
from tests.conftest import PASSWORD, bearer, make_user
from tests.journey import ok


def _sign_in(client: TestClient, username: str, password: str = PASSWORD, code: str | None = None) -> Any:
    data = {"username": username, "password": password, **({"totp": code} if code else {})}
    return client.post("/api/auth/token", data=data)


def _user(username: str) -> User:
    with session_factory()() as db:
        user = db.scalar(sa.select(User).where(User.username == username))
        assert user is not None
        return user


def _events(action: str) -> list[AuditEvent]:
    with session_factory()() as db:
        return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _enable_totp(client: TestClient, headers: dict[str, str]) -> str:
    setup = ok(client.post("/api/auth/totp/setup", headers=headers, json={"password": PASSWORD}))
    code = totp.code_at(setup["secret"], totp.current_step() - 1)
    assert client.post("/api/auth/totp/confirm", headers=headers, json={"code": code}).status_code == 204
    return setup["secret"]


def _age_lock(username: str, minutes: float) -> None:
    with session_factory()() as db:
        user = db.scalar(sa.select(User).where(User.username == username))
        assert user is not None and user.locked_at is not None
        user.locked_at -= timedelta(minutes=minutes)
        user.last_failed_at = user.locked_at
        db.commit()


# Item 4
def test_wrong_one_time_codes_lock_the_account_like_wrong_passwords(client: TestClient,
                                                                    artist: dict[str, str]) -> None:
    secret = _enable_totp(client, artist)
    right = totp.code_at(secret, totp.current_step() + 1)
    wrong = str((int(right) + 1) % 10**6).zfill(6)
    assert {_sign_in(client, "artist", code=wrong).status_code for _ in range(5)} == {401}
    assert _user("artist").locked_at is not None
    assert _sign_in(client, "artist", code=right).status_code == 401  # locked: the right code no longer helps
    refused = [e.details for e in _events("auth.login") if e.outcome == "refused"]
    assert [d["reason"] for d in refused[:5]] == ["wrong one-time code"] * 5 and refused[4]["locked"] is True


# Item 5
def test_a_bearer_token_alone_cannot_change_or_disable_the_second_factor(client: TestClient,
                                                                         artist: dict[str, str]) -> None:
    secret = _enable_totp(client, artist)
    assert client.post("/api/auth/totp/setup", headers=artist).status_code == 422  # no password: refused
    assert client.post("/api/auth/totp/setup", headers=artist, json={"password": PASSWORD}).status_code == 403
    assert client.post("/api/auth/totp/disable", headers=artist, json={"password": PASSWORD}).status_code == 403
    wrong_password = {"password": "not the password", "code": totp.code_at(secret, totp.current_step())}
    assert client.post("/api/auth/totp/disable", headers=artist, json=wrong_password).status_code == 403
    user = _user("artist")
    assert user.totp_enabled and user.totp_pending_secret is None  # nothing changed
    assert _sign_in(client, "artist").status_code == 401  # the factor still guards sign-in
    both = {"password": PASSWORD, "code": totp.code_at(secret, totp.current_step())}
    assert client.post("/api/auth/totp/disable", headers=artist, json=both).status_code == 204
    assert _sign_in(client, "artist").status_code == 200
    assert [e.action for e in _events("auth.totp_reauth")] == ["auth.totp_reauth"] * 3


def test_changing_the_factor_keeps_the_old_one_until_the_new_one_is_confirmed(client: TestClient,
                                                                              artist: dict[str, str]) -> None:
    old = _enable_totp(client, artist)
    new = ok(client.post("/api/auth/totp/setup", headers=artist,
                         json={"password": PASSWORD, "code": totp.code_at(old, totp.current_step())}))["secret"]
    assert new != old
    assert _sign_in(client, "artist").status_code == 401  # the account is never left without its factor
    # Not confirmed yet: the old authenticator still signs in.
    assert _sign_in(client, "artist", code=totp.code_at(old, totp.current_step() + 1)).status_code == 200


def test_enabling_the_second_factor_ends_the_other_sessions(client: TestClient, artist: dict[str, str]) -> None:
    other_device = bearer(client, "artist")
    assert client.get("/api/cases", headers=other_device).status_code == 200
    _enable_totp(client, artist)
    assert client.get("/api/cases", headers=other_device).status_code == 401
    assert client.get("/api/cases", headers=artist).status_code == 200  # the session that enabled it stays


# Item 10
def test_a_lockout_runs_out_after_ten_minutes(client: TestClient) -> None:
    assert {_sign_in(client, "artist", "wrong password").status_code for _ in range(5)} == {401}
    assert _sign_in(client, "artist").status_code == 401
    _age_lock("artist", 9)
    assert _sign_in(client, "artist").status_code == 401  # still within the 10 minutes
    _age_lock("artist", 1.5)
    assert _sign_in(client, "artist").status_code == 200  # no admin needed
    assert _user("artist").locked_at is None


def test_locked_deactivated_and_unknown_accounts_get_one_answer_in_one_time(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.users import passwords, service

    make_user("gone")
    admin = bearer(client, "boss")
    gone = next(u for u in ok(client.get("/api/users", headers=admin)) if u["username"] == "gone")
    ok(client.patch(f"/api/users/{gone['id']}", headers=admin, json={"active": False}))
    for _ in range(5):
        _sign_in(client, "artist", "wrong password")
    hashes: list[str] = []
    real_verify = passwords.verify_password

    def counted(stored: str, password: str) -> bool:
        hashes.append(stored)
        return real_verify(stored, password)

    monkeypatch.setattr(service, "verify_password", counted)
    answers: dict[str, set[str]] = {}
    fastest: dict[str, float] = {}
    for name, password in (("nobody-at-all", PASSWORD), ("artist", PASSWORD), ("gone", PASSWORD),
                           ("other", "wrong password")):
        times = []
        for _ in range(3):
            began = time.perf_counter()
            response = _sign_in(client, name, password)
            times.append(time.perf_counter() - began)
            assert response.status_code == 401
            answers.setdefault(response.text, set()).add(name)
        fastest[name] = min(times)
    assert len(answers) == 1, answers  # one body for all four
    assert len(hashes) == 12  # argon2 ran for every attempt, locked and deactivated ones included
    for name in ("artist", "gone", "other"):
        assert fastest[name] > 0.5 * fastest["nobody-at-all"], fastest


def test_an_admin_can_still_release_a_lock_sooner(client: TestClient) -> None:
    for _ in range(5):
        _sign_in(client, "artist", "wrong password")
    admin = bearer(client, "boss")
    user = next(u for u in ok(client.get("/api/users", headers=admin)) if u["username"] == "artist")
    assert user["locked"] is True
    ok(client.post(f"/api/users/{user['id']}/unlock", headers=admin))
    assert _sign_in(client, "artist").status_code == 200


# Item 12
def test_sign_ins_refused_with_429_are_audited(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from common.settings import get_settings

    monkeypatch.setenv("LIKENESS_SIGNIN_PER_MINUTE", "2")
    get_settings.cache_clear()
    statuses = [_sign_in(client, "artist", "wrong password").status_code for _ in range(2)]
    statuses += [client.post("/api/auth/login", json={"username": "other", "password": PASSWORD}).status_code]
    statuses += [_sign_in(client, "artist").status_code]
    assert statuses == [401, 401, 429, 429]
    limited = [e for e in _events("auth.login") if e.details.get("reason") == "rate limited"]
    assert [(e.actor, e.outcome, e.details["status"]) for e in limited] == [("other", "refused", 429),
                                                                          ("artist", "refused", 429)]
    assert all(e.source for e in limited)


# Item 14 (secrets at rest)
def test_totp_secrets_are_encrypted_with_a_key_beside_the_signing_key(client: TestClient,
                                                                      artist: dict[str, str]) -> None:
    from app.users import secret_box
    from common.settings import get_settings

    secret = _enable_totp(client, artist)
    stored = _user("artist").totp_secret or ""
    assert secret not in stored and stored.startswith("fernet:")
    key = secret_box.key_path()
    assert key.parent == get_settings().resolved_signing_key_path.parent
    assert key.stat().st_mode & 0o777 == 0o600
    assert secret_box.unseal(stored) == secret


def test_plain_secrets_of_older_versions_still_work(client: TestClient) -> None:
    secret = totp.new_secret()
    with session_factory()() as db:
        user = db.scalar(sa.select(User).where(User.username == "other"))
        assert user is not None
        user.totp_secret, user.totp_enabled = secret, True  # as written before encryption
        db.commit()
    assert _sign_in(client, "other", code=totp.code_at(secret, totp.current_step())).status_code == 200


# Item 17 (usernames)
@pytest.mark.parametrize("name", ["Admin\u200b", "bo\u200dss", "art\u00adist2", "tab\tname", "\u3164", "a\u2028b",
                                  "new\u202euser"])
def test_invisible_and_control_characters_are_refused(client: TestClient, name: str) -> None:
    admin = bearer(client, "boss")
    before = len(ok(client.get("/api/users", headers=admin)))
    answer = client.post("/api/users", headers=admin, json={"username": name, "password": PASSWORD})
    assert answer.status_code == 422 and "username" in answer.json()["detail"], answer.text
    assert len(ok(client.get("/api/users", headers=admin))) == before


@pytest.mark.parametrize("name", ["BOSS", "\uff42\uff4f\uff53\uff53", "b\u043ess", "b0ss", "\u0430rtist"])
def test_look_alikes_of_existing_names_are_refused(client: TestClient, name: str) -> None:
    admin = bearer(client, "boss")
    answer = client.post("/api/users", headers=admin, json={"username": name, "password": PASSWORD})
    assert answer.status_code == 409 and "looks like" in answer.json()["detail"], answer.text


def test_names_are_stored_nfkc_and_match_at_sign_in(client: TestClient) -> None:
    admin = bearer(client, "boss")
    created = ok(client.post("/api/users", headers=admin,
                             json={"username": "\uff4a\uff4f\uff53\u00e9", "password": PASSWORD}), 201)
    assert created["username"] == "jos\u00e9"
    assert _sign_in(client, "jose\u0301").status_code == 200  # decomposed accent, same name
    assert _sign_in(client, "\uff4a\uff4f\uff53\u00e9").status_code == 200  # full-width, same name
