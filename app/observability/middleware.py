"""Per request: its id (X-Request-ID in, or a new one; echoed in the response), one log line,
and the latency by route template (/api/sessions/{session_id}, never the raw path)."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability.metrics import REQUEST_LATENCY
from common.logs import REQUEST_ID_HEADER, request_id_from, request_id_var

log = logging.getLogger("likeness.http")


def route_template(scope: Scope) -> str:
    """The path template of the route that answered (the router leaves it in the scope);
    unmatched paths share one label."""
    path = getattr(scope.get("route"), "path", None)
    return str(path) if path else "<unmatched>"


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = request_id_from(headers.get(REQUEST_ID_HEADER.lower().encode(), b"").decode("latin-1"))
        token = request_id_var.set(request_id)
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            REQUEST_LATENCY.labels(scope["method"], route).observe(elapsed)
            # The template, not the path: no ids an attacker chose, nothing a witness said.
            log.info("%s %s %d %.1f ms", scope["method"], route, status, elapsed * 1000)
            request_id_var.reset(token)
