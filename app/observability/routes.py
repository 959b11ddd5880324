"""GET /metrics: Prometheus text, for addresses in LIKENESS_METRICS_ALLOW or an admin's token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.db import session_factory
from app.errors import ForbiddenError, UnauthorizedError
from app.observability.metrics import register_collectors
from app.security.proxies import _trusted, parse_networks
from app.users.deps import client_address
from app.users.service import actor_for, resolve_session
from common.settings import get_settings

router = APIRouter(tags=["observability"])


def _allowed_address(request: Request) -> bool:
    host = client_address(request)
    setting = get_settings().metrics_allow
    try:
        networks = parse_networks(setting)
    except ValueError:
        raise ValueError(f"LIKENESS_METRICS_ALLOW: {setting!r} is not a list of IP addresses or networks") from None
    return bool(host and networks and _trusted(host, networks))


def _admin_token(request: Request) -> None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        raise UnauthorizedError("/metrics needs an admin bearer token, or a source address in LIKENESS_METRICS_ALLOW")
    with session_factory()() as db:
        actor = actor_for(resolve_session(db, header[7:].strip()).user, client_address(request))
    if not actor.is_admin:
        raise ForbiddenError("/metrics needs the admin role (or a source address in LIKENESS_METRICS_ALLOW)")


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    if not _allowed_address(request):
        await run_in_threadpool(_admin_token, request)
    register_collectors()
    body = await run_in_threadpool(generate_latest)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
