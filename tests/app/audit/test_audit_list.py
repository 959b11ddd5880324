"""GET /api/audit: newest first, a cursor to page with, filters by case, actor, action and time."""

from __future__ import annotations

import time
import uuid

import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.audit.models import AuditEvent
from app.audit.service import record
from app.db import session_factory
from app.users.actor import system_actor
from tests.conftest import Stack, bearer, make_user

CASE = uuid.uuid4()


def _write() -> None:
    with session_factory()() as db:
        for i in range(12):
            record(db, system_actor("alice" if i % 2 else "bob"), f"test.{'odd' if i % 3 else 'third'}",
                   case_id=CASE if i < 5 else None, details={"i": i})
            time.sleep(0.003)  # distinct milliseconds, for the time filter
        db.commit()


def _client(sqlite_stack: Stack) -> tuple[TestClient, dict[str, str]]:
    from app.main import create_app

    make_user("boss", "admin")
    client = TestClient(create_app())
    return client, bearer(client, "boss")


def test_newest_first_and_the_cursor_walks_every_event_once(sqlite_stack: Stack) -> None:
    _write()
    client, admin = _client(sqlite_stack)
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"action": "test.*", "limit": 5, **({"cursor": cursor} if cursor else {})}
        answer = client.get("/api/audit", headers=admin, params=params)
        assert answer.status_code == 200, answer.text
        ids = [e["id"] for e in answer.json()]
        assert ids == sorted(ids, reverse=True) and len(ids) <= 5
        seen += ids
        pages += 1
        cursor = answer.headers.get("x-next-cursor")
        if cursor is None:
            break
        assert 'rel="next"' in answer.headers["link"] and f"cursor={cursor}" in answer.headers["link"]
    assert pages == 3 and len(seen) == 12 == len(set(seen)) and seen == sorted(seen, reverse=True)


def test_filters_by_case_actor_action_and_time(sqlite_stack: Stack) -> None:
    _write()
    client, admin = _client(sqlite_stack)

    def ids(**params: object) -> list[int]:
        answer = client.get("/api/audit", headers=admin, params=params)
        assert answer.status_code == 200, answer.text
        return [e["details"]["i"] for e in answer.json() if "i" in e["details"]]

    assert ids(case_id=str(CASE)) == [4, 3, 2, 1, 0]
    assert ids(actor="alice", action="test.odd") == [11, 7, 5, 1]
    assert ids(action="test.third") == [9, 6, 3, 0]
    with session_factory()() as db:
        at = {e.details["i"]: e.at for e in db.scalars(sa.select(AuditEvent)) if "i" in e.details}
    since, until = at[3].isoformat(), at[8].isoformat()
    window = ids(since=since, until=until, action="test.*")
    assert window and all(at[3] <= at[i] < at[8] for i in window) and 3 in window and 8 not in window
    assert ids(limit=2, action="test.*") == [11, 10]


def test_limit_has_a_maximum_and_bad_filters_are_422(sqlite_stack: Stack) -> None:
    client, admin = _client(sqlite_stack)
    for params in ({"limit": 1001}, {"limit": 0}, {"cursor": -1}, {"since": "yesterday"}):
        answer = client.get("/api/audit", headers=admin, params=params)
        assert answer.status_code == 422, (params, answer.text)
