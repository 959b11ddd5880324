"""Signed chain heads: the audit chain's head, signed with Ed25519 by a key the database
does not hold, so whoever can write the database alone cannot rewrite or shorten the
chain before the last signed head unnoticed.

- Where they are kept: the append-only table `audit_signed_heads` (triggers refuse UPDATE,
  DELETE, TRUNCATE, like the events), and, when set, one JSON line each appended to
  LIKENESS_AUDIT_HEADS_FILE and sent to syslog (LIKENESS_AUDIT_HEADS_SYSLOG): copies off
  the machine that a database writer cannot reach. Verify reads the table and the file.
- When: the API signs every LIKENESS_AUDIT_SIGN_INTERVAL_S (30 s) while events are
  written, at shutdown, and after every export. Events after the last signed head are the
  window a rewrite can go unnoticed in; verify reports how many there are.
- Before signing, the events since the last signed head are checked against it: a chain
  changed in the window is refused a signature (and logged), never blessed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import logging.handlers
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.audit.models import GENESIS_HASH, AuditEvent, AuditHead, SignedHead
from app.db import session_factory, utcnow
from app.exports import signing
from common.recipe import canonical_json
from common.settings import get_settings

log = logging.getLogger(__name__)
PURPOSE = "likeness.audit.head.v1"  # signed bytes can never be mistaken for an export manifest


def payload(seq: int, hash_: str, signed_at: datetime, key_sha256: str) -> bytes:
    return canonical_json({"purpose": PURPOSE, "seq": seq, "hash": hash_, "key_sha256": key_sha256,
                           "signed_at": signed_at.isoformat(timespec="milliseconds")}).encode("utf-8")


def _key_path() -> Path:
    settings = get_settings()
    if settings.audit_signing_key_path:
        return settings.audit_signing_key_path.expanduser().resolve()
    return settings.resolved_signing_key_path.parent / "audit-heads.pem"


def signing_key(create: bool) -> Ed25519PrivateKey | None:
    """The heads key (a sibling of the export key); created on first use by the signer only."""
    path = _key_path()
    if not path.exists():
        if not create:
            return None
        with contextlib.suppress(signing.SigningKeyError):  # another process made it a moment ago
            return signing.generate_key_file(path)
    return signing.load_private_key(path)


# ---- signing ------------------------------------------------------------------------------------


def sign_head(db: Session) -> SignedHead | None:
    """Signs the current head if events came since the last signed one; None if nothing new or refused."""
    key = signing_key(create=True)
    assert key is not None
    fingerprint = signing.fingerprint(key)
    head = db.get(AuditHead, 1, populate_existing=True)
    if head is None or head.seq == 0:
        return None
    last = _last_valid(db, key)
    if last is not None and last.seq >= head.seq:
        return None
    problem = _window_problem(db, last, head)
    if problem:
        log.error("audit chain head %s NOT signed: %s (run `likeness audit verify`)", head.seq, problem)
        return None
    now = utcnow()
    signed_at = now.replace(microsecond=now.microsecond // 1000 * 1000)  # survives the round trip
    row = SignedHead(seq=head.seq, hash=head.hash, signed_at=signed_at, key_sha256=fingerprint,
                     signature=signing.sign(key, payload(head.seq, head.hash, signed_at, fingerprint)))
    db.add(row)
    db.commit()  # two signers at once may both sign the same head: harmless, verify reads both
    _ship(row)
    return row


def _last_valid(db: Session, key: Ed25519PrivateKey) -> SignedHead | None:
    """The newest head this key really signed (a forged row is skipped here and counted by verify)."""
    fingerprint, public = signing.fingerprint(key), key.public_key()
    rows = db.scalars(select(SignedHead).where(SignedHead.key_sha256 == fingerprint)
                      .order_by(SignedHead.seq.desc(), SignedHead.id.desc()))
    for row in rows:
        if signing.signature_valid(public, row.signature, payload(row.seq, row.hash, row.signed_at, fingerprint)):
            return row
    return None


def _window_problem(db: Session, last: SignedHead | None, head: AuditHead) -> str | None:
    """The events after the last signed head must link to it and hash right, up to the head."""
    from app.audit.service import content_hash, event_content

    expected_prev, expected_id = (last.hash, last.seq + 1) if last else (GENESIS_HASH, 1)
    if last is not None:
        anchor = db.get(AuditEvent, last.seq)
        if anchor is None or anchor.hash != last.hash:
            return f"event {last.seq} no longer matches the head signed at {last.signed_at.isoformat()}"
    for event in db.scalars(select(AuditEvent).where(AuditEvent.id >= expected_id, AuditEvent.id <= head.seq)
                            .order_by(AuditEvent.id).execution_options(yield_per=2000)):
        linked = event.id == expected_id and event.prev_hash == expected_prev
        if not linked or event.hash != content_hash(event_content(event)):
            return f"event {expected_id} is missing or does not link and hash"
        expected_prev, expected_id = event.hash, event.id + 1
    if expected_id != head.seq + 1 or expected_prev != head.hash:
        return f"the head ({head.seq}) does not match the events"
    return None


def as_line(row: SignedHead) -> dict[str, Any]:
    return {"seq": row.seq, "hash": row.hash, "signed_at": row.signed_at.isoformat(timespec="milliseconds"),
            "key_sha256": row.key_sha256, "signature": row.signature, "purpose": PURPOSE}


_syslog: dict[str, logging.Logger] = {}


def _ship(row: SignedHead) -> None:
    """Copies off the machine: a line appended to the heads file, a syslog message."""
    settings = get_settings()
    line = canonical_json(as_line(row))
    if settings.audit_heads_file:
        try:
            fd = os.open(settings.audit_heads_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:
            log.error("could not append the signed audit head to %s: %s", settings.audit_heads_file, exc)
    if settings.audit_heads_syslog:
        _syslog_logger(settings.audit_heads_syslog).info("likeness-audit-head %s", line)


def _syslog_logger(target: str) -> logging.Logger:
    if target not in _syslog:
        if target.startswith("/"):
            address: str | tuple[str, int] = target
        else:
            host, _, port = target.removeprefix("udp://").rpartition(":")
            address = (host, int(port))
        logger = logging.getLogger(f"likeness.audit.heads.{len(_syslog)}")
        logger.setLevel(logging.INFO)
        logger.propagate = False
        logger.addHandler(logging.handlers.SysLogHandler(address=address))
        _syslog[target] = logger
    return _syslog[target]


def sign_now() -> None:
    """Signs in its own session; a failure is logged, never fails the caller (an export, shutdown)."""
    try:
        with session_factory()() as db:
            sign_head(db)
    except Exception:
        log.exception("could not sign the audit chain head")


# ---- the signer in the API process ----------------------------------------------------------------


class HeadSigner:
    """ASGI middleware that runs the periodic signer for the app's lifetime (lifespan events),
    whatever lifespan the app itself has."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        stop = threading.Event()
        thread: threading.Thread | None = None

        async def watched_receive() -> Message:
            nonlocal thread
            message = await receive()
            if message["type"] == "lifespan.startup" and get_settings().audit_sign_interval_s > 0:
                thread = threading.Thread(target=_run, args=(stop,), name="audit-head-signer", daemon=True)
                thread.start()
            elif message["type"] == "lifespan.shutdown" and thread is not None:
                stop.set()
                thread.join(timeout=10)
            return message

        await self.app(scope, watched_receive, send)


def _run(stop: threading.Event) -> None:
    interval = min(get_settings().audit_sign_interval_s, 60)
    while not stop.wait(interval):
        sign_now()
    sign_now()  # the events of the last moments are signed on the way out


# ---- verifying ------------------------------------------------------------------------------------


@dataclass
class HeadsReport:
    key_sha256: str | None = None
    valid: list[tuple[int, str, datetime]] = field(default_factory=list)  # seq, hash, signed_at
    forged: int = 0
    other_keys: int = 0

    def wanted(self) -> set[int]:
        return {seq for seq, _, _ in self.valid}


def load_heads(db: Session) -> HeadsReport:
    """Signed heads from the table and the heads file, signature-checked with the heads key."""
    key = signing_key(create=False)
    report = HeadsReport()
    if key is None:
        return report
    public, report.key_sha256 = key.public_key(), signing.fingerprint(key)
    seen: set[tuple[int, str]] = set()
    for entry in [as_line(row) for row in db.scalars(select(SignedHead))] + _file_lines():
        try:
            seq, hash_, at, key_sha256 = entry["seq"], entry["hash"], entry["signed_at"], entry["key_sha256"]
            signed_at = datetime.fromisoformat(at)
        except (KeyError, TypeError, ValueError):
            report.forged += 1
            continue
        if key_sha256 != report.key_sha256:
            report.other_keys += 1
            continue
        if not signing.signature_valid(public, str(entry.get("signature", "")),
                                       payload(seq, hash_, signed_at, key_sha256)):
            report.forged += 1
        elif (seq, hash_) not in seen:
            seen.add((seq, hash_))
            report.valid.append((seq, hash_, signed_at))
    report.valid.sort()
    return report


def _file_lines() -> list[dict[str, Any]]:
    path = get_settings().audit_heads_file
    if not path or not Path(path).is_file():
        return []
    lines = []
    for raw in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            if raw.strip():
                lines.append(json.loads(raw))
    return lines


def judge(report: HeadsReport, hashes: dict[int, str], last_id: int) -> dict[str, Any]:
    """Compares the walked chain (hashes at the signed positions, its length) with the signed heads.

    Returns the added verify fields, and `first_bad` / `reason` when a signed head disagrees.
    """
    result: dict[str, Any] = {"key_sha256": report.key_sha256, "signed_heads": len(report.valid),
                              "forged_heads": report.forged, "first_bad": None, "reason": None}
    vouched, vouched_at = 0, None
    for seq, hash_, signed_at in report.valid:
        if seq > last_id:
            result.update(first_bad=last_id + 1, reason=f"truncated: a head signed at {signed_at.isoformat()} "
                                                        f"covers event {seq}, but the chain ends at {last_id}")
            break
        if hashes.get(seq) != hash_:
            result.update(first_bad=vouched + 1, reason=f"rewritten: event {seq} differs from the head signed at "
                                                        f"{signed_at.isoformat()}; the change is in events "
                                                        f"{vouched + 1}-{seq}")
            break
        vouched, vouched_at = seq, signed_at
    if report.forged and result["reason"] is None:
        result["reason"] = f"{report.forged} signed heads do not verify with the heads key (forged or damaged)"
    result["last_signed_seq"] = vouched or None
    result["last_signed_at"] = vouched_at.isoformat(timespec="milliseconds") if vouched_at else None
    result["unsigned_events"] = max(last_id - vouched, 0)
    return result
