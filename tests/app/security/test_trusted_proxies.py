"""Issue 12, item 6: X-Forwarded-For counts only from proxies named in LIKENESS_TRUSTED_PROXIES."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.audit.models import AuditEvent
from app.db import session_factory
from tests.conftest import PASSWORD, Stack, make_user

LOOPBACK = ("127.0.0.1", 50000)


def _sources() -> list[str | None]:
    with session_factory()() as db:
        return list(db.scalars(sa.select(AuditEvent.source).where(AuditEvent.action == "auth.login")
                               .order_by(AuditEvent.id)))


def _client(stack: Stack, monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[TestClient]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from common.settings import get_settings

    get_settings.cache_clear()
    from app.main import create_app

    make_user("artist")
    with TestClient(create_app(), client=LOOPBACK) as client:
        yield client


@pytest.fixture
def untrusting(sqlite_stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    yield from _client(sqlite_stack, monkeypatch, LIKENESS_SIGNIN_PER_MINUTE="3")


@pytest.fixture
def behind_proxy(sqlite_stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    yield from _client(sqlite_stack, monkeypatch, LIKENESS_TRUSTED_PROXIES="127.0.0.0/8, ::1")


def test_forwarded_headers_from_an_unnamed_peer_change_nothing(untrusting: TestClient) -> None:
    statuses = [untrusting.post("/api/auth/token", headers={"X-Forwarded-For": f"203.0.113.{i}"},
                                data={"username": "artist", "password": PASSWORD}).status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]  # a new forged address each time does not reset the limit
    assert set(_sources()) == {"127.0.0.1"}


def test_a_named_proxy_is_believed_but_not_what_the_client_wrote_before_it(behind_proxy: TestClient) -> None:
    body = {"username": "artist", "password": PASSWORD}
    assert behind_proxy.post("/api/auth/token", data=body, headers={"X-Forwarded-For": "198.51.100.7"}).is_success
    # The client sent "X-Forwarded-For: 10.9.9.9"; the proxy appended the address it saw.
    spoofed = {"X-Forwarded-For": "10.9.9.9, 198.51.100.8", "X-Forwarded-Proto": "https"}
    login = behind_proxy.post("/api/auth/login", json=body, headers=spoofed)
    assert login.is_success and "secure" in login.headers["set-cookie"].lower()
    assert _sources() == ["198.51.100.7", "198.51.100.8"]


def test_a_bad_setting_is_named() -> None:
    from app.security.proxies import parse_networks

    with pytest.raises(ValueError, match="LIKENESS_TRUSTED_PROXIES"):
        parse_networks("10.0.0.1, proxy.example")
