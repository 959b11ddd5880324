"""A refused request is audited off the event loop: on SQLite the audit may wait for the write
lock, and a request holding that lock can only let go of it while the loop runs. Run on the loop,
the wait froze every request for 30 s (CI saw a round's POST and the worker's claim time out)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import sqlalchemy as sa
from fastapi.testclient import TestClient
from starlette.requests import Request

from app.audit.models import AuditEvent
from app.db import session_factory
from app.errors import NotFoundError
from app.users.actor import system_actor
from common.settings import get_settings


def test_a_refusal_is_audited_while_the_event_loop_keeps_turning(client: TestClient) -> None:
    from app.main import domain_error

    # Another process holds SQLite's write lock for a second and a half.
    path = get_settings().resolved_database_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(1.5, lambda: holder.execute("COMMIT")).start()

    request = Request({"type": "http", "method": "GET", "path": "/api/things/x", "headers": [], "query_string": b""})
    request.state.actor = system_actor("tester")

    async def scenario() -> tuple[int, float]:
        gaps: list[float] = []

        async def ticker() -> None:
            until = time.monotonic() + 1.2
            while time.monotonic() < until:
                before = time.monotonic()
                await asyncio.sleep(0.02)
                gaps.append(time.monotonic() - before)

        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0.1)
        response = await domain_error(request, NotFoundError("thing x not found"))
        await ticking
        return response.status_code, max(gaps)

    try:
        status, longest_gap = asyncio.run(scenario())
    finally:
        holder.close()
    assert status == 404
    assert longest_gap < 0.4, f"the event loop stood still for {longest_gap:.2f} s while the refusal was audited"
    with session_factory()() as db:
        refused = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "GET /api/things/x")).all()
    assert [(e.outcome, e.details["status"]) for e in refused] == [("refused", 404)], "recorded once the lock was free"
