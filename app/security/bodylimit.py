"""Refuse oversized bodies (413) before anything reads them into memory or onto disk."""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_LIMIT = 4 * 1024 * 1024  # room for a 1 MB description in any encoding
UPLOAD_LIMIT = 21 * 1024 * 1024  # 20 MB file plus the multipart envelope
DATASET_LIMIT = 512 * 1024 * 1024  # a ZIP of sketch pairs (admin only)


def limit_for(path: str) -> int:
    if path.endswith("/uploads"):
        return UPLOAD_LIMIT
    if path.rstrip("/") == "/api/datasets":
        return DATASET_LIMIT
    return JSON_LIMIT


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = JSONResponse({"detail": f"request body over the limit of {limit:,} bytes"}, status_code=413)
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
