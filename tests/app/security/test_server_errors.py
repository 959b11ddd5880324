"""An unhandled exception is a JSON 500 with the security headers, and on the audit trail."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import Depends
from fastapi.testclient import TestClient

from app.audit.models import AuditEvent
from app.db import session_factory
from app.users.deps import current_actor
from tests.conftest import Stack, bearer, make_user


def test_unhandled_exception_is_json_500_with_security_headers(sqlite_stack: Stack) -> None:
    from app.main import create_app

    make_user("artist")
    app = create_app()

    @app.get("/api/boom", dependencies=[Depends(current_actor)])
    def boom() -> None:
        raise RuntimeError("a bug")

    app.router.routes.insert(0, app.router.routes.pop())  # before the UI's catch-all route, if built

    # raise_server_exceptions=False: the answer is what a browser would get.
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/api/boom", headers=bearer(client, "artist"))
    assert answer.status_code == 500 and answer.headers["content-type"] == "application/json"
    assert "internal error" in answer.json()["detail"] and "a bug" not in answer.text
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff" and answer.headers["cache-control"] == "no-store"
    with session_factory()() as db:
        event = db.scalars(sa.select(AuditEvent).where(AuditEvent.outcome == "error")).one()
    assert event.action == "GET /api/boom" and event.actor == "artist"
