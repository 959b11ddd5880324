"""The FastAPI application: routers, error answers, and the built browser UI."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import InterfaceError, OperationalError

from app.audit import routes as audit_routes
from app.audit.heads import HeadSigner
from app.audit.service import record
from app.cases import routes as case_routes
from app.datasets import routes as dataset_routes
from app.db import session_factory
from app.errors import DomainError, NotFoundError
from app.exports import routes as export_routes
from app.health import routes as health_routes
from app.images import routes as image_routes
from app.jobs import routes as job_routes
from app.observability import routes as observability_routes
from app.observability.middleware import RequestContext
from app.registry import routes as registry_routes
from app.security.bodylimit import BodyLimit
from app.security.headers import SecurityHeaders
from app.security.proxies import TrustedProxies
from app.security.ratelimit import RateLimitedError
from app.security.servererrors import ServerErrors
from app.sessions import routes as session_routes
from app.training import routes as training_routes
from app.users import routes as user_routes
from app.witness_view import routes as witness_view_routes
from app.witnesses import routes as witness_routes
from common.logs import configure_logging

log = logging.getLogger(__name__)
FRONTEND_DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"


def _audit_refusal(request: Request, status: int, detail: str) -> None:
    """Refused requests by signed-in users are on the record too (in their own transaction).
    Call it through run_in_threadpool: on SQLite it may wait for the write lock, and a request
    whose session holds that lock can only let go of it while the event loop runs."""
    actor = getattr(request.state, "actor", None)
    if actor is None or status == 401:
        return
    try:
        with session_factory()() as db:
            record(db, actor, f"{request.method} {request.url.path}"[:80], outcome="refused",
                   details={"status": status, "reason": detail[:300]})
            db.commit()
    except Exception:
        log.exception("could not record a refused request")


async def domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    await run_in_threadpool(_audit_refusal, request, exc.status_code, exc.detail)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else {}
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """A database restart is a 503 the client may retry, not a 500."""
    log.warning("database unavailable for %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse({"detail": "the database is unavailable; try again in a few seconds"}, status_code=503,
                        headers={"Retry-After": "5"})


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), "message": e["msg"],
               "type": e["type"]} for e in exc.errors()]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    await run_in_threadpool(_audit_refusal, request, 422, summary)
    return JSONResponse({"detail": summary, "errors": errors}, status_code=422)


def _mount_frontend(app: FastAPI) -> None:
    index = FRONTEND_DIST / "index.html"
    if not index.is_file():
        return
    if (FRONTEND_DIST / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=FRONTEND_DIST / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> FileResponse:
        # Client-side routes all load the same page; real files are served as they are.
        # An unknown API path stays a JSON 404, never the page.
        if path == "api" or path.startswith("api/"):
            raise NotFoundError(f"no such route: /{path}")
        candidate = (FRONTEND_DIST / path).resolve()
        if path and candidate.is_file() and FRONTEND_DIST in candidate.parents:
            return FileResponse(candidate)
        return FileResponse(index)


def create_app() -> FastAPI:
    configure_logging()  # LIKENESS_LOG_FORMAT; every line carries the request id
    app = FastAPI(title="Likeness", version="0.1.0",
                  description="Forensic sketch composites: cases, witnesses, refinement rounds, audit.")
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(OperationalError, database_unavailable)
    app.add_exception_handler(InterfaceError, database_unavailable)
    app.add_middleware(ServerErrors)  # innermost: its 500 still passes SecurityHeaders
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadSigner)  # signs the audit chain head while the app runs
    app.add_middleware(RequestContext)  # X-Request-ID, a log line and the latency per route
    app.add_middleware(TrustedProxies)  # outermost: every layer below sees the real client and scheme
    for module in (health_routes, user_routes, case_routes, witness_routes, session_routes, job_routes,
                   image_routes, audit_routes, export_routes, witness_view_routes, registry_routes,
                   dataset_routes, training_routes, observability_routes):
        app.include_router(module.router)
    _mount_frontend(app)
    return app


app = create_app()
