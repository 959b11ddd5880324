"""Unhandled exceptions become a JSON 500 inside the middleware stack, so the security
headers (added further out) are on it too, and the failure is on the audit trail.

Starlette's own last-resort handler sits outside every middleware: its plain-text 500
carries none of the headers.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
DETAIL = "internal error: nothing was changed; the administrator can find it in the server log"


class ServerErrors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if started:  # half an answer is out: nothing better than closing it
                raise
            _audit_failure(scope)
            await JSONResponse({"detail": DETAIL}, status_code=500)(scope, receive, send)


def _audit_failure(scope: Scope) -> None:
    actor = (scope.get("state") or {}).get("actor")
    if actor is None:
        return
    from app.audit.service import record
    from app.db import session_factory

    try:
        with session_factory()() as db:
            record(db, actor, f"{scope.get('method')} {scope.get('path')}"[:80], outcome="error",
                   details={"status": 500})
            db.commit()
    except Exception:
        log.exception("could not record a failed request")
