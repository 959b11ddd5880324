"""The audit trail is a hash chain the database will not let anyone edit."""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from app.audit.models import AuditEvent
from app.audit.service import record, verify_chain
from app.db import make_engine, session_factory
from app.migrate import upgrade_head
from app.users.actor import system_actor
from tests.conftest import Stack

ACTOR = system_actor("test")


def _write_events(n: int) -> None:
    with session_factory()() as db:
        for i in range(n):
            record(db, ACTOR, "test.event", details={"i": i, "text": "naïve café ✓"})
        db.commit()


def test_chain_verifies_and_counts(sqlite_stack: Stack) -> None:
    _write_events(5)
    with session_factory()() as db:
        report = verify_chain(db)
    assert report.ok and report.events == 5 and report.first_bad is None


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET outcome = 'x' WHERE id = 2",
                                       "DELETE FROM audit_events WHERE id = 2"])
def test_sqlite_refuses_update_and_delete(sqlite_stack: Stack, statement: str) -> None:
    _write_events(3)
    with session_factory()() as db, pytest.raises(DBAPIError, match="append-only"):
        db.execute(sa.text(statement))
    with session_factory()() as db:
        assert verify_chain(db).ok


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET outcome = 'x' WHERE id = 2",
                                       "DELETE FROM audit_events WHERE id = 2",
                                       "TRUNCATE audit_events"])
def test_postgres_refuses_update_delete_truncate(postgres_url: str, statement: str) -> None:
    upgrade_head(postgres_url)
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO audit_events (id, at, action, outcome, details, prev_hash, hash) "
                                   "VALUES (2, now(), 'x', 'success', '{}', 'a', 'b')"))
    with engine.begin() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(sa.text(statement))
    engine.dispose()


def test_tampering_is_found_at_the_right_row(sqlite_stack: Stack) -> None:
    _write_events(6)
    with session_factory()() as db:
        db.execute(sa.text("DROP TRIGGER audit_events_no_update"))
        db.execute(sa.text("UPDATE audit_events SET outcome = 'refused' WHERE id = 4"))
        db.commit()
        report = verify_chain(db)
    assert not report.ok and report.first_bad == 4


def test_removed_tail_is_found(sqlite_stack: Stack) -> None:
    _write_events(4)
    with session_factory()() as db:
        db.execute(sa.text("DROP TRIGGER audit_events_no_delete"))
        db.execute(sa.text("DELETE FROM audit_events WHERE id = 4"))
        db.commit()
        report = verify_chain(db)
    assert not report.ok and report.first_bad == 4


def test_events_carry_millisecond_utc_and_link(sqlite_stack: Stack) -> None:
    _write_events(2)
    with session_factory()() as db:
        first, second = db.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert second.prev_hash == first.hash
    assert first.at.utcoffset().total_seconds() == 0 and first.at.microsecond % 1000 == 0


def test_an_action_whose_event_cannot_be_written_does_not_happen(sqlite_stack: Stack) -> None:
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.conftest import bearer, make_user

    make_user("artist")
    client = TestClient(create_app())
    headers = bearer(client, "artist")
    with session_factory()() as db:
        db.execute(sa.text("ALTER TABLE audit_events RENAME TO audit_events_away"))
        db.commit()
    answer = client.post("/api/cases", headers=headers, json={"reference": "FAIL-CLOSED", "title": "t"})
    assert answer.status_code == 503 and "audit trail could not be written" in answer.json()["detail"]
    with session_factory()() as db:
        db.execute(sa.text("ALTER TABLE audit_events_away RENAME TO audit_events"))
        db.commit()
    assert client.get("/api/cases", headers=headers).json() == []
    with session_factory()() as db:
        assert verify_chain(db).ok


def test_postgres_roles_other_than_the_owner_may_only_insert_and_read(postgres_url: str) -> None:
    upgrade_head(postgres_url)
    engine = make_engine(postgres_url)
    role = f"likeness_app_{secrets.token_hex(4)}"
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP ROLE IF EXISTS {role}"))
        connection.execute(sa.text(f"CREATE ROLE {role}"))
    try:
        with engine.connect() as connection:
            rights = {p: connection.scalar(sa.text(f"SELECT has_table_privilege('{role}', 'audit_events', '{p}')"))
                      for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")}
        assert rights == {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False, "TRUNCATE": False}
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP OWNED BY {role}"))
            connection.execute(sa.text(f"DROP ROLE {role}"))
        engine.dispose()
