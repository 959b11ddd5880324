"""Signed chain heads: someone who can write the database but not read the heads key can no
longer rewrite the chain whole, or cut its tail, before the last signed head unnoticed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.exc import DBAPIError

from app.audit import heads
from app.audit.models import AuditEvent, AuditHead, SignedHead
from app.audit.service import content_hash, event_content, record, verify_chain
from app.db import session_factory
from app.users.actor import system_actor
from common.settings import get_settings
from tests.conftest import Stack, bearer, make_user

ACTOR = system_actor("test")


def _write(n: int) -> None:
    with session_factory()() as db:
        for i in range(n):
            record(db, ACTOR, "test.event", details={"i": i})
        db.commit()


def _sign() -> SignedHead:
    with session_factory()() as db:
        row = heads.sign_head(db)
        assert row is not None
        db.expunge(row)
        return row


def _rewrite_from(event_id: int) -> None:
    """What the tester did: trigger dropped, an event's actor and source changed, every later
    hash and the head recomputed, the trigger put back."""
    with session_factory()() as db:
        db.execute(sa.text("DROP TRIGGER audit_events_no_update"))
        events = list(db.scalars(sa.select(AuditEvent).where(AuditEvent.id >= event_id).order_by(AuditEvent.id)))
        prev = db.get(AuditEvent, event_id - 1).hash if event_id > 1 else "0" * 64
        events[0].actor, events[0].source = "someone-else", "10.9.9.9"
        for event in events:
            event.prev_hash = prev
            event.hash = content_hash(event_content(event))
            prev = event.hash
            db.flush()
        db.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(hash=prev))
        db.execute(sa.text("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
                           "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"))
        db.commit()


def _truncate_to(last_kept: int) -> None:
    with session_factory()() as db:
        db.execute(sa.text("DROP TRIGGER audit_events_no_delete"))
        db.execute(sa.delete(AuditEvent).where(AuditEvent.id > last_kept))
        kept = db.get(AuditEvent, last_kept)
        db.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(seq=last_kept, hash=kept.hash))
        db.commit()


def _report() -> dict[str, object]:
    with session_factory()() as db:
        return verify_chain(db).as_dict()


def test_unsigned_events_are_counted(sqlite_stack: Stack) -> None:
    _write(4)
    signed = _sign()
    _write(3)
    report = _report()
    assert report["ok"] is True and report["events"] == 7
    assert report["signed_heads"] == 1 and report["last_signed_seq"] == 4 == signed.seq
    assert report["unsigned_events"] == 3 and report["key_sha256"] == signed.key_sha256
    with session_factory()() as db:
        assert heads.sign_head(db) is not None and heads.sign_head(db) is None  # nothing new: no second head
    assert _report()["unsigned_events"] == 0


def test_rewrite_with_the_trigger_dropped_is_found(sqlite_stack: Stack) -> None:
    _write(3)
    _sign()
    _write(3)
    _sign()
    _write(2)
    _rewrite_from(5)
    report = _report()
    assert report["ok"] is False and report["first_bad"] == 4
    assert "rewritten" in str(report["reason"]) and report["last_signed_seq"] == 3


def test_rewrite_is_found_by_the_api_and_the_cli(sqlite_stack: Stack) -> None:
    from app.main import create_app

    make_user("boss", "admin")
    _write(3)
    _sign()
    _rewrite_from(2)
    client = TestClient(create_app())
    answer = client.get("/api/audit/verify", headers=bearer(client, "boss"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["ok"] is False and body["first_bad"] == 1 and body["events"] >= 3
    assert {"signed_heads", "unsigned_events", "last_signed_seq", "reason"} <= set(body)
    cli = sqlite_stack.run_cli("audit", "verify")
    assert cli.returncode == 1 and json.loads(cli.stdout)["first_bad"] == 1


def test_truncated_tail_with_the_head_reset_is_found(sqlite_stack: Stack) -> None:
    _write(5)
    _sign()
    _truncate_to(3)
    report = _report()
    assert report["ok"] is False and report["first_bad"] == 4 and "truncated" in str(report["reason"])


def test_truncation_inside_the_window_is_the_documented_limit(sqlite_stack: Stack) -> None:
    _write(3)
    _sign()
    _write(2)
    _truncate_to(3)
    report = _report()
    assert report["ok"] is True and report["unsigned_events"] == 0 and report["last_signed_seq"] == 3


def test_forged_signed_head_is_found(sqlite_stack: Stack) -> None:
    _write(2)
    real = _sign()
    with session_factory()() as db:
        db.add(SignedHead(seq=1, hash="f" * 64, signed_at=real.signed_at, key_sha256=real.key_sha256,
                          signature=real.signature))
        db.commit()
    report = _report()
    assert report["ok"] is False and report["forged_heads"] == 1


def test_a_window_that_no_longer_links_is_not_signed(sqlite_stack: Stack) -> None:
    _write(3)
    _sign()
    _write(2)
    with session_factory()() as db:
        db.execute(sa.text("DROP TRIGGER audit_events_no_update"))
        db.execute(sa.text("UPDATE audit_events SET outcome = 'refused' WHERE id = 5"))
        db.commit()
        assert heads.sign_head(db) is None


def test_signed_heads_table_is_append_only(sqlite_stack: Stack) -> None:
    _write(1)
    _sign()
    for statement in ("UPDATE audit_signed_heads SET seq = 9", "DELETE FROM audit_signed_heads"):
        with session_factory()() as db, pytest.raises(DBAPIError, match="append-only"):
            db.execute(sa.text(statement))


def test_heads_file_still_finds_a_rewrite_when_the_table_is_emptied(sqlite_stack: Stack, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = tmp_path / "elsewhere" / "heads.jsonl"
    shipped.parent.mkdir()
    monkeypatch.setenv("LIKENESS_AUDIT_HEADS_FILE", str(shipped))
    get_settings.cache_clear()
    _write(3)
    _sign()
    line = json.loads(shipped.read_text().splitlines()[0])
    assert line["seq"] == 3 and line["signature"]
    with session_factory()() as db:
        db.execute(sa.text("DROP TRIGGER audit_signed_heads_no_delete"))
        db.execute(sa.text("DELETE FROM audit_signed_heads"))
        db.commit()
    _rewrite_from(1)
    report = _report()
    assert report["ok"] is False and report["first_bad"] == 1


def test_the_running_api_signs_while_events_are_written(sqlite_stack: Stack,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from app.main import create_app

    monkeypatch.setenv("LIKENESS_AUDIT_SIGN_INTERVAL_S", "0.2")
    get_settings.cache_clear()
    make_user("artist")
    with TestClient(create_app()) as client:
        client.post("/api/cases", headers=bearer(client, "artist"), json={"reference": "SIGNED-1", "title": "t"})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _report()["unsigned_events"]:
            time.sleep(0.1)
        assert _report()["unsigned_events"] == 0 and _report()["signed_heads"] >= 1
    assert heads.signing_key(create=False) is not None
    assert (get_settings().resolved_signing_key_path.parent / "audit-heads.pem").is_file()


def test_the_heads_key_is_not_the_databases(sqlite_stack: Stack) -> None:
    _write(1)
    row = _sign()
    with session_factory()() as db:
        dumped = " ".join(str(v) for t in ("audit_signed_heads", "audit_events")
                          for r in db.execute(sa.text(f"SELECT * FROM {t}")) for v in r)
    assert "PRIVATE" not in dumped and row.key_sha256 in dumped
    assert _report()["events"] == 1  # signing writes no event of its own


def test_every_export_leaves_the_head_signed(sqlite_stack: Stack) -> None:
    from app.main import create_app
    from tests.exporting import export
    from tests.journey import open_case

    make_user("artist")
    client = TestClient(create_app())  # no lifespan: no periodic signer, only the export signs
    headers = bearer(client, "artist")
    ids = open_case(client, headers, "SIGNED-EXPORT")
    assert _report()["signed_heads"] == 0
    export(client, headers, ids["case_id"])
    report = _report()
    assert report["ok"] is True and report["signed_heads"] == 1 and report["unsigned_events"] == 0
    with session_factory()() as db:
        last = db.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last.action == "case.export" and report["last_signed_seq"] == last.id


def test_a_forged_newest_head_does_not_stop_the_signer(sqlite_stack: Stack) -> None:
    _write(2)
    real = _sign()
    _write(2)
    with session_factory()() as db:  # claims event 4 is signed already
        db.add(SignedHead(seq=4, hash="e" * 64, signed_at=real.signed_at, key_sha256=real.key_sha256,
                          signature=real.signature))
        db.commit()
    assert _sign().seq == 4
